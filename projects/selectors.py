"""Reads of projects, scoped by user, with the joins and aggregates each page needs (constant query counts).

Schedules are read as stored by `projects.planning`; from there only `engine_calendar` is used, to count working
days between stored dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)  # fmt: skip
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts import access
from accounts.models import User
from operations.formats import cents
from projects.models import (
    GANTT_LINK_TYPE_CODES,
    Baseline,
    BaselineTask,
    Dependency,
    Holiday,
    Project,
    Task,
    TimeEntry,
    WorkCalendar,
    minutes_to_hours,
)  # fmt: skip
from projects.planning import engine_calendar
from projects.sessions import selectors as session_selectors

ZERO = Decimal("0")


def _visible(user: Any) -> QuerySet[Project]:
    projects = Project.objects.filter(is_template=False)
    if access.is_staff_role(user):
        return projects
    if access.is_organizer(user):
        mine = Task.objects.filter(assignees=user).values("project_id")
        return projects.filter(Q(lead=user) | Q(pk__in=mine))
    return projects.none()


def project_list_for_user(
    *, user: Any, status: str = "", client: str = "", organizer: str = "", at_risk: bool = False
) -> QuerySet[Project]:
    """The project list: filters, actual hours, and the at-risk flags, in one query.

    Risk flags come from the status run stored on the rows (docs/specs/one-schedule.md §1, which replaced the
    interim "overdue" of docs/specs/defects.md T9): "late" (forecast finish after the deadline, with its days),
    "behind" (an unfinished task should have finished by the status date), "start overdue", negative float,
    behind baseline, over budget; completed and cancelled projects are never at risk.
    """
    minutes = (
        TimeEntry.objects.filter(task__project=OuterRef("pk"))
        .order_by()
        .values("task__project")
        .annotate(total=Sum("minutes"))
        .values("total")
    )
    open_ = ~Q(status__in=Project.CLOSED_STATUSES)
    behind_tasks = Task.objects.filter(project=OuterRef("pk"), is_summary=False, is_behind=True)
    overdue_starts = Task.objects.filter(project=OuterRef("pk"), is_summary=False, is_start_overdue=True)
    projects = (
        _visible(user)
        .select_related("client", "lead")
        .annotate(actual_minutes=Coalesce(Subquery(minutes), 0))
        .annotate(
            actual_hours=ExpressionWrapper(F("actual_minutes") / Decimal("60.0"), output_field=DecimalField()),
            behind=open_ & Q(Exists(behind_tasks)),
            start_overdue=open_ & Q(Exists(overdue_starts)),
            late=open_ & Q(is_late=True),
            negative_float=open_ & Q(min_total_float__lt=0),
            behind_baseline=open_ & Q(baseline_finish_on__isnull=False, finish_on__gt=F("baseline_finish_on")),
        )
    )
    projects = projects.annotate(
        over_budget=open_ & Q(budget_hours__gt=0) & Q(actual_minutes__gt=F("budget_hours") * 60),
    )
    if status:
        projects = projects.filter(status=status)
    if client.isdigit():
        projects = projects.filter(client_id=int(client))
    if organizer.isdigit():
        organizer_id = int(organizer)
        projects = projects.filter(Q(lead_id=organizer_id) | Q(tasks__assignees=organizer_id)).distinct()
    if at_risk:
        projects = projects.filter(
            Q(behind=True)
            | Q(start_overdue=True)
            | Q(late=True)
            | Q(negative_float=True)
            | Q(behind_baseline=True)
            | Q(over_budget=True)
        )
    return projects.order_by("start_on", "pk")


def project_get_for_user(*, user: Any, pk: int) -> Project:
    """The project if `user` may see it, else Http404 (never 403: ids must not leak)."""
    return get_object_or_404(_visible(user).select_related("client", "lead", "calendar"), pk=pk)


def open_task_count(*, project: Project) -> int:
    """Tasks (not phases) of the project that are not done."""
    return Task.objects.filter(project=project, is_summary=False).exclude(status=Task.Status.DONE).count()


def template_list() -> QuerySet[Project]:
    return Project.objects.filter(is_template=True).annotate(task_count=Count("tasks")).order_by("name")


def can_edit_plan(*, user: Any, project: Project) -> bool:
    """Staff edit any plan; the lead organizer edits their own project's plan."""
    return access.is_staff_role(user) or (access.is_organizer(user) and project.lead_id == user.pk)


def tasks_for_project(*, project: Project) -> list[Task]:
    """Tasks in WBS order with assignees, driving link and actual minutes (one query each)."""
    minutes = (
        TimeEntry.objects.filter(task=OuterRef("pk")).order_by().values("task").annotate(t=Sum("minutes")).values("t")
    )
    tasks = (
        Task.objects.filter(project=project)
        .select_related("driving_link__pred")
        .prefetch_related(Prefetch("assignees", queryset=User.objects.order_by("first_name")))
        .annotate(actual_minutes=Coalesce(Subquery(minutes), 0))
    )
    return sorted(tasks, key=lambda t: [int(p) for p in t.wbs_code.split(".")] if t.wbs_code else [0])


def task_get_for_user(*, user: Any, project: Project, pk: int) -> Task:
    return get_object_or_404(Task.objects.filter(project=project).select_related("project", "parent"), pk=pk)


def dependency_get_for_user(*, user: Any, project: Project, pk: int) -> Dependency:
    return get_object_or_404(Dependency.objects.filter(project=project).select_related("project"), pk=pk)


def dependencies_for_project(*, project: Project) -> list[Dependency]:
    return list(Dependency.objects.filter(project=project).select_related("pred", "succ").order_by("pk"))


def dependencies_into_task(*, task: Task) -> QuerySet[Dependency]:
    """The links a task's edit page lists: the ones that end at it, with their predecessors."""
    return task.incoming.select_related("pred")


def can_move_card(*, user: Any, project: Project, task: Task) -> bool:
    """The plan's editors move any Kanban card; an organizer moves the cards of tasks assigned to them."""
    return can_edit_plan(user=user, project=project) or task.assignees.filter(pk=user.pk).exists()


def calendar_form_initial() -> dict[str, Any]:
    """The calendar page's fields from the business calendar; Monday to Friday before it is first saved."""
    calendar = WorkCalendar.objects.filter(is_default=True).first()
    if calendar is None:
        return {"workdays": list(WorkCalendar.DEFAULT_WORKDAYS), "holidays": ""}
    return {
        "workdays": calendar.workdays,
        "holidays": "\n".join(f"{h.date.isoformat()} {h.name}" for h in calendar.holidays.all()),
    }


# --- overview -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Overview:
    finish_on: date | None
    days_to_deadline: int | None  # working days of float to the deadline (negative: late)
    milestones: list[Task]
    progress_pct: int
    budget_hours: Decimal
    actual_hours: Decimal
    estimate_hours: Decimal
    budget_amount: Decimal | None  # None unless the viewer is the owner
    actual_cost: Decimal | None
    baseline_finish_on: date | None
    finish_variance_wd: int | None
    task_count: int
    critical_count: int


def project_overview(*, project: Project, user: Any) -> Overview:
    tasks = list(Task.objects.filter(project=project))
    leaves = [t for t in tasks if not t.is_summary]
    weight = sum(t.duration_wd for t in leaves)
    progress = round(sum(t.progress_pct * t.duration_wd for t in leaves) / weight) if weight else 0
    entries = TimeEntry.objects.filter(task__project=project)
    actual_minutes = entries.aggregate(m=Sum("minutes"))["m"] or 0
    is_owner = access.is_owner(user)
    cost = None
    if is_owner:
        cost_expr = ExpressionWrapper(
            F("minutes") * Coalesce(F("organizer__organizer_profile__hourly_cost"), ZERO) / Decimal("60"),
            output_field=DecimalField(max_digits=12, decimal_places=2),
        )
        cost = cents(entries.aggregate(c=Sum(cost_expr))["c"] or ZERO)
    calendar = engine_calendar(project)
    days_to_deadline = None
    if project.deadline_on and project.finish_on:
        days_to_deadline = calendar.finpt(project.deadline_on) - calendar.finpt(project.finish_on)
    variance = None
    if project.baseline_finish_on and project.finish_on:
        variance = calendar.finpt(project.finish_on) - calendar.finpt(project.baseline_finish_on)
    return Overview(
        finish_on=project.finish_on,
        days_to_deadline=days_to_deadline,
        milestones=sorted((t for t in leaves if t.duration_wd == 0), key=lambda t: (t.es, t.wbs_code)),
        progress_pct=progress,
        budget_hours=project.budget_hours,
        actual_hours=minutes_to_hours(actual_minutes),
        estimate_hours=sum((t.estimate_hours for t in leaves), ZERO),
        budget_amount=project.budget_amount if is_owner else None,
        actual_cost=cost,
        baseline_finish_on=project.baseline_finish_on,
        finish_variance_wd=variance,
        task_count=len(leaves),
        critical_count=sum(1 for t in leaves if t.is_critical),
    )


# --- Gantt ----------------------------------------------------------------------------------------------


def gantt_payload_for_project(*, project: Project, user: Any) -> dict[str, Any]:
    """The chart's JSON: tasks with explicit dates (end exclusive, as dhtmlx-gantt expects), links with type
    codes and lag, critical flags, baseline dates, and the calendar for shading. Three queries, any size."""
    tasks = list(Task.objects.filter(project=project).order_by("wbs_code", "pk"))
    tasks.sort(key=lambda t: [int(p) for p in t.wbs_code.split(".")] if t.wbs_code else [0])
    deps = list(Dependency.objects.filter(project=project))
    latest = Baseline.objects.filter(project=project).order_by("-created_at", "-pk").first()
    base = {}
    if latest is not None:
        base = {b.task_id: b for b in BaselineTask.objects.filter(baseline=latest)}
    holidays = sorted(
        {
            *Holiday.objects.filter(calendar_id=project.calendar_id).values_list("date", flat=True),
            *project.blackout_days,
        }
    )
    progress = _rolled_up_progress(tasks)
    hours = session_selectors.hours_for_tasks([t for t in tasks if not t.is_summary])
    data = []
    for t in tasks:
        start = t.start_on or project.start_on
        finish = t.finish_on or start
        milestone = not t.is_summary and t.duration_wd == 0
        row: dict[str, Any] = {
            "id": t.pk,
            "text": t.name,
            "wbs": t.wbs_code,
            "start_date": start.isoformat(),
            "end_date": (start if milestone else finish + timedelta(days=1)).isoformat(),
            "duration_wd": t.ef - t.es,
            "parent": t.parent_id or 0,
            "type": "project" if t.is_summary else ("milestone" if milestone else "task"),
            "progress": progress[t.pk] / 100,
            "open": True,
            "is_critical": t.is_critical,
            "tf": t.total_float,
            "ff": t.free_float,
            "status": t.status,
            "hours": hours[t.pk].text if t.pk in hours else "",
            "flags": [] if t.is_summary else t.status_flags,
        }
        b = base.get(t.pk)
        if b is not None and b.start_on and b.finish_on:
            row["baseline_start"] = b.start_on.isoformat()
            row["baseline_end"] = (b.finish_on + timedelta(days=0 if b.duration_wd == 0 else 1)).isoformat()
        data.append(row)
    links = [
        {"id": d.pk, "source": d.pred_id, "target": d.succ_id, "type": GANTT_LINK_TYPE_CODES[d.kind], "lag": d.lag_wd,
         "is_critical": d.is_critical}
        for d in deps
    ]  # fmt: skip
    return {
        "project": {
            "id": project.pk,
            "start": project.start_on.isoformat(),
            "finish": project.finish_on.isoformat() if project.finish_on else None,
            "deadline": project.deadline_on.isoformat() if project.deadline_on else None,
            "workdays": list(project.calendar.workdays),
            "holidays": [d.isoformat() for d in holidays],
            "today": timezone.localdate().isoformat(),
            "editable": can_edit_plan(user=user, project=project),
            "baseline": latest.name if latest else None,
            "as_of": project.schedule_as_of.isoformat() if project.schedule_as_of else None,
            "late_by": project.late_by,
        },
        "data": data,
        "links": links,
    }


def _rolled_up_progress(tasks: list[Task]) -> dict[int, float]:
    """Leaves show their own %; a phase shows the duration-weighted mean of its leaves.

    docs/specs/scheduling.md §2.6.
    """
    children: dict[int | None, list[Task]] = {}
    for t in tasks:
        children.setdefault(t.parent_id, []).append(t)
    result: dict[int, float] = {}

    def visit(task: Task) -> tuple[float, int]:
        kids = children.get(task.pk, [])
        if not kids:
            result[task.pk] = float(task.progress_pct)
            return task.progress_pct * task.duration_wd, task.duration_wd
        done = weight = 0.0
        for kid in kids:
            d, w = visit(kid)
            done, weight = done + d, weight + w
        result[task.pk] = round(done / weight, 1) if weight else 0.0
        return done, int(weight)

    for root in children.get(None, []):
        visit(root)
    return result


# --- Kanban, baselines, time ----------------------------------------------------------------------------


def kanban_columns(*, project: Project) -> list[tuple[str, str, list[Task]]]:
    leaves = [t for t in tasks_for_project(project=project) if not t.is_summary]
    return [(value, label, [t for t in leaves if t.status == value]) for value, label in Task.Status.choices]


@dataclass(frozen=True)
class VarianceRow:
    task: Task
    baseline_start: date | None
    baseline_finish: date | None
    start_variance_wd: int | None
    finish_variance_wd: int | None


def baseline_variance(*, project: Project, baseline: Baseline) -> list[VarianceRow]:
    """Signed working days between the baseline and the current dates (positive = later than planned)."""
    calendar = engine_calendar(project)
    rows = {b.task_id: b for b in BaselineTask.objects.filter(baseline=baseline)}
    result = []
    for task in tasks_for_project(project=project):
        b = rows.get(task.pk)
        start_var = finish_var = None
        if b and b.start_on and task.start_on:
            start_var = calendar.startpt(task.start_on) - calendar.startpt(b.start_on)
        if b and b.finish_on and task.finish_on:
            finish_var = calendar.finpt(task.finish_on) - calendar.finpt(b.finish_on)
        result.append(VarianceRow(task, b.start_on if b else None, b.finish_on if b else None, start_var, finish_var))
    return result


def baselines_for_project(*, project: Project) -> QuerySet[Baseline]:
    return Baseline.objects.filter(project=project).select_related("created_by")


def baseline_get_for_user(*, user: Any, project: Project, pk: int) -> Baseline:
    return get_object_or_404(Baseline.objects.filter(project=project), pk=pk)


def time_entries_for_project(*, project: Project, user: Any) -> QuerySet[TimeEntry]:
    entries = TimeEntry.objects.filter(task__project=project).select_related("task", "organizer")
    if not access.is_staff_role(user):
        entries = entries.filter(organizer=user)
    return entries


def tasks_for_time_entry(*, project: Project, user: Any) -> QuerySet[Task]:
    tasks = Task.objects.filter(project=project, is_summary=False)
    if not access.is_staff_role(user):
        tasks = tasks.filter(assignees=user)
    return tasks.order_by("wbs_code")


def time_entries_total_hours(entries: QuerySet[TimeEntry]) -> Decimal:
    return minutes_to_hours(sum(e.minutes for e in entries)) if entries else ZERO


def organizers_for_project_picker() -> QuerySet[User]:
    return User.objects.filter(role=access.ORGANIZER, is_active=True).order_by("first_name", "last_name")


def organizers_for_time_entry(*, user: Any) -> QuerySet[User]:
    """Staff log time for any active organizer; anyone else only for themselves."""
    organizers = organizers_for_project_picker()
    return organizers if access.is_staff_role(user) else organizers.filter(pk=user.pk)
