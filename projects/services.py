"""Every write to projects. Each edit locks the project row, changes rows, and recomputes the schedule with the
CPM engine in the same transaction: a refused link or a cycle rolls the whole edit back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import access
from accounts.models import User
from projects import scheduling
from projects.models import Baseline, BaselineTask, Dependency, Holiday, Project, Task, TimeEntry, WorkCalendar
from projects.scheduling.model import ConstraintKind, LinkKind

DEPENDENCY_CYCLE_MSG = "This link would make a loop: %(tasks)s. Nothing was changed."
DEPENDENCY_EXISTS_MSG = "%(pred)s is already linked to %(succ)s."
DEPENDENCY_OTHER_PROJECT_MSG = "Both tasks must belong to the same project."
DEPENDENCY_SELF_MSG = "A task cannot depend on itself."
SUMMARY_LINK_HINT = " Link from the phase's last task or a milestone instead."
TASK_HAS_TIME_MSG = "%(task)s has logged time and cannot be deleted. Set it to done instead."
TASK_PARENT_LOOP_MSG = "A task cannot be placed under itself or one of its own sub-tasks."
TASK_SUMMARY_CONSTRAINT_MSG = "A phase (a task with sub-tasks) cannot carry a date constraint."
TIME_NOT_ASSIGNED_MSG = "You can only log time on tasks you are assigned to."
CLOSEOUT_STATUS_MSG = "Only an active, planned or on-hold project can be completed."
PROJECT_FIELDS = [
    "client", "name", "kind", "status", "start_on", "deadline_on", "lead", "calendar", "blackout_days",
    "budget_hours", "budget_amount", "scope_notes",
]  # fmt: skip
TASK_FIELDS = [
    "name", "parent", "position", "duration_wd", "constraint_kind", "constraint_on", "estimate_hours",
    "progress_pct", "status", "notes",
]  # fmt: skip
START_POINT_KINDS = {"SNET", "SNLT", "MSO"}
SCHEDULE_FIELDS = [
    "is_summary", "wbs_code", "es", "ef", "ls", "lf", "total_float", "free_float", "is_critical",
    "start_on", "finish_on", "late_start_on", "late_finish_on", "driving_link_id",
]  # fmt: skip


# --- calendars ------------------------------------------------------------------------------------------


def calendar_default() -> WorkCalendar:
    """The business calendar: Monday to Friday unless the owner or office changed it."""
    calendar = WorkCalendar.objects.filter(is_default=True).first()
    if calendar is None:
        calendar = WorkCalendar.objects.create(name="Business calendar", workdays=[0, 1, 2, 3, 4], is_default=True)
    return calendar


def engine_calendar(project: Project) -> scheduling.WorkCalendar:
    holidays = set(Holiday.objects.filter(calendar_id=project.calendar_id).values_list("date", flat=True))
    holidays.update(project.blackout_days or [])
    return scheduling.WorkCalendar(project.start_on, workdays=frozenset(project.calendar.workdays), holidays=holidays)


@transaction.atomic
def calendar_update(*, calendar: WorkCalendar, workdays: list[int], holidays: list[tuple[date, str]]) -> WorkCalendar:
    """Replace working weekdays and holidays, then reschedule every open project on this calendar."""
    if not workdays:
        raise ValidationError("At least one weekday must be a working day.", code="no_workday")
    calendar.workdays = sorted(set(workdays))
    calendar.save(update_fields=["workdays"])
    calendar.holidays.all().delete()
    Holiday.objects.bulk_create([Holiday(calendar=calendar, date=d, name=n) for d, n in holidays])
    for project in Project.objects.filter(calendar=calendar).exclude(status__in=["completed", "cancelled"]):
        project_schedule_recalculate(project=project)
    return calendar


# --- scheduling -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanInput:
    tasks: list[scheduling.Task]
    links: list[scheduling.Link]
    calendar: scheduling.WorkCalendar
    deadline: int | None


def _engine_constraint(task: Task, calendar: scheduling.WorkCalendar) -> scheduling.Constraint | None:
    if not task.constraint_kind or task.constraint_on is None:
        return None
    kind = cast(ConstraintKind, task.constraint_kind)
    if kind in START_POINT_KINDS:
        return scheduling.Constraint(kind, calendar.startpt(task.constraint_on))
    return scheduling.Constraint(kind, calendar.finpt(task.constraint_on))


def _plan_input(project: Project, tasks: list[Task], deps: list[Dependency]) -> PlanInput:
    calendar = engine_calendar(project)
    parents = {t.parent_id for t in tasks if t.parent_id}
    engine_tasks = [
        scheduling.Task(
            t.pk,
            duration=t.duration_wd,
            parent=t.parent_id,
            constraint=None if t.pk in parents else _engine_constraint(t, calendar),
        )
        for t in tasks
    ]
    links = [scheduling.Link(d.pred_id, d.succ_id, kind=cast(LinkKind, d.kind), lag=d.lag_wd) for d in deps]
    deadline = calendar.finpt(project.deadline_on) if project.deadline_on else None
    return PlanInput(engine_tasks, links, calendar, deadline)


def _wbs_codes(tasks: list[Task]) -> dict[int, str]:
    children: dict[int | None, list[Task]] = {}
    for task in tasks:
        children.setdefault(task.parent_id, []).append(task)
    codes: dict[int, str] = {}

    def visit(parent: int | None, prefix: str) -> None:
        for number, task in enumerate(sorted(children.get(parent, []), key=lambda t: (t.position, t.pk)), 1):
            codes[task.pk] = f"{prefix}{number}"
            visit(task.pk, f"{prefix}{number}.")

    visit(None, "")
    return codes


def _named(message: str, names: dict[int, str]) -> str:
    """Engine messages name tasks by id; people know them by name."""
    return re.sub(r"\b(\d+)\b", lambda m: names.get(int(m.group(1)), m.group(1)), message)


def project_schedule_recalculate(*, project: Project) -> None:
    """Run the CPM engine over the project's rows and store the results (one bulk_update).

    Raises ValidationError (code "cycle" or "invalid_link") naming the tasks involved; callers run inside a
    transaction, so the edit that caused it rolls back.
    """
    tasks = list(Task.objects.filter(project=project))
    deps = list(Dependency.objects.filter(project=project))
    names = {t.pk: f"“{t.name}”" for t in tasks}
    plan = _plan_input(project, tasks, deps)
    try:
        result = scheduling.schedule(plan.tasks, plan.links, deadline=plan.deadline)
    except scheduling.CycleError as exc:
        path = " → ".join(names[cast(int, pk)] for pk in [*exc.cycle, exc.cycle[0]])
        raise ValidationError(DEPENDENCY_CYCLE_MSG, code="cycle", params={"tasks": path}) from exc
    except scheduling.LinkError as exc:
        raise ValidationError(_named(str(exc), names), code="invalid_link") from exc
    _store(project, tasks, deps, plan, result)


def _store(
    project: Project, tasks: list[Task], deps: list[Dependency], plan: PlanInput, result: scheduling.Schedule
) -> None:
    calendar = plan.calendar
    codes = _wbs_codes(tasks)
    by_id = {t.pk: t for t in tasks}
    parents = {t.parent_id for t in tasks if t.parent_id}
    driving = _driving_links(tasks, deps, result, by_id)
    before = {t.pk: tuple(getattr(t, f) for f in SCHEDULE_FIELDS) for t in tasks}
    for task in tasks:
        r = result.tasks[task.pk]
        span = r.ef - r.es
        task.is_summary = task.pk in parents
        task.wbs_code = codes[task.pk]
        task.es, task.ef, task.ls, task.lf = r.es, r.ef, r.ls, r.lf
        task.total_float, task.free_float, task.is_critical = r.total_float, r.free_float, r.critical
        task.finish_on = calendar.finish_date(r.ef, span)
        task.late_finish_on = calendar.finish_date(r.lf, r.lf - r.ls)
        # A milestone shows on the day its predecessor finishes (SCHEDULING.md §2.1): one date, not two.
        milestone = span == 0 and not task.is_summary
        task.start_on = task.finish_on if milestone else calendar.start_date(r.es)
        task.late_start_on = task.late_finish_on if milestone else calendar.start_date(r.ls)
        task.driving_link_id = driving.get(task.pk)
    # Write only the rows whose schedule changed: an edit usually moves a few tasks, and bulk_update's
    # CASE expressions cost time per row and field.
    changed = [t for t in tasks if tuple(getattr(t, f) for f in SCHEDULE_FIELDS) != before[t.pk]]
    if changed:
        Task.objects.bulk_update(changed, fields=SCHEDULE_FIELDS)
    changed_deps = []
    for dep in deps:
        link = scheduling.Link(dep.pred_id, dep.succ_id, cast(LinkKind, dep.kind), dep.lag_wd)
        critical = result.is_critical_link(link)
        if critical != dep.is_critical:
            dep.is_critical = critical
            changed_deps.append(dep)
    if changed_deps:
        Dependency.objects.bulk_update(changed_deps, fields=["is_critical"])
    leaves = [result.tasks[t.pk] for t in tasks if t.pk not in parents]
    project.finish_on = calendar.finish_date(result.finish, result.finish) if tasks else project.start_on
    project.min_total_float = min((r.total_float for r in leaves), default=0)
    project.save(update_fields=["finish_on", "min_total_float", "updated_at"])


def _driving_links(
    tasks: list[Task], deps: list[Dependency], result: scheduling.Schedule, by_id: dict[int, Task]
) -> dict[int, int]:
    """For each leaf, the incoming link (on itself or a phase above it) with zero slack: why it starts then."""
    incoming: dict[int, list[Dependency]] = {}
    for dep in deps:
        incoming.setdefault(dep.succ_id, []).append(dep)
    driving: dict[int, int] = {}
    for task in tasks:
        me = result.tasks[task.pk]
        if me.es == 0:
            continue
        node: Task | None = task
        while node is not None and task.pk not in driving:
            for dep in incoming.get(node.pk, []):
                pred = result.tasks[dep.pred_id]
                slack = {
                    "FS": me.es - dep.lag_wd - pred.ef,
                    "SS": me.es - dep.lag_wd - pred.es,
                    "FF": me.ef - dep.lag_wd - pred.ef,
                    "SF": me.ef - dep.lag_wd - pred.es,
                }[dep.kind]
                if slack == 0:
                    driving[task.pk] = dep.pk
                    break
            node = by_id.get(node.parent_id) if node.parent_id else None
    return driving


def _lock(project: Project) -> Project:
    # One writer per plan at a time: the recalculation reads every task of the project.
    return Project.objects.select_for_update().get(pk=project.pk)


# --- projects -------------------------------------------------------------------------------------------


def _apply(instance: Any, data: dict[str, Any], fields: list[str]) -> list[str]:
    given = [name for name in fields if name in data]
    for name in given:
        setattr(instance, name, data[name])
    return given


@transaction.atomic
def project_create(*, data: dict[str, Any], is_template: bool = False) -> Project:
    project = Project(calendar=data.get("calendar") or calendar_default(), is_template=is_template)
    _apply(project, data, [f for f in PROJECT_FIELDS if f != "calendar"])
    project.full_clean()
    project.save()
    project_schedule_recalculate(project=project)
    return project


@transaction.atomic
def project_update(*, project: Project, data: dict[str, Any]) -> Project:
    project = _lock(project)
    fields = _apply(project, data, PROJECT_FIELDS)
    project.full_clean()
    project.save(update_fields=[*fields, "updated_at"])
    project_schedule_recalculate(project=project)
    return project


@transaction.atomic
def project_close_out(*, project: Project, csat: int | None, nps: int | None, comment: str) -> Project:
    """Complete the project and record the client's satisfaction (CSAT 1-5, NPS 0-10)."""
    project = _lock(project)
    if project.status not in (Project.Status.ACTIVE, Project.Status.PLANNED, Project.Status.ON_HOLD):
        raise ValidationError(CLOSEOUT_STATUS_MSG, code="status")
    project.status = Project.Status.COMPLETED
    project.completed_at = timezone.now()
    project.csat, project.nps, project.closeout_comment = csat, nps, comment
    project.full_clean()
    project.save(update_fields=["status", "completed_at", "csat", "nps", "closeout_comment", "updated_at"])
    return project


# --- tasks ----------------------------------------------------------------------------------------------


def _check_parent(task: Task, parent: Task | None) -> None:
    node = parent
    while node is not None:
        if task.pk is not None and node.pk == task.pk:
            raise ValidationError({"parent": TASK_PARENT_LOOP_MSG}, code="parent_loop")
        node = node.parent


@transaction.atomic
def task_create(*, project: Project, data: dict[str, Any], assignees: list[User] | None = None) -> Task:
    project = _lock(project)
    task = Task(project=project)
    _apply(task, data, TASK_FIELDS)
    if task.parent is not None and task.parent.project_id != project.pk:
        raise ValidationError({"parent": "Choose a phase of this project."}, code="other_project")
    if "position" not in data:
        task.position = Task.objects.filter(project=project, parent=task.parent).count() + 1
    if task.parent is not None and task.parent.constraint_kind:
        raise ValidationError({"parent": TASK_SUMMARY_CONSTRAINT_MSG}, code="summary_constraint")
    task.full_clean()
    task.save()
    if assignees is not None:
        task.assignees.set(assignees)
    project_schedule_recalculate(project=project)
    return task


@transaction.atomic
def task_update(*, task: Task, data: dict[str, Any], assignees: list[User] | None = None) -> Task:
    _lock(task.project)
    fields = _apply(task, data, TASK_FIELDS)
    _check_parent(task, task.parent)
    if task.parent is not None and task.parent.project_id != task.project_id:
        raise ValidationError({"parent": "Choose a phase of this project."}, code="other_project")
    if task.constraint_kind and Task.objects.filter(parent=task).exists():
        raise ValidationError({"constraint_kind": TASK_SUMMARY_CONSTRAINT_MSG}, code="summary_constraint")
    task.full_clean()
    task.save(update_fields=fields)
    if assignees is not None:
        task.assignees.set(assignees)
    project_schedule_recalculate(project=task.project)
    return task


@transaction.atomic
def task_delete(*, task: Task) -> None:
    """Delete a task and its sub-tasks; refused when any of them has logged time (time is history)."""
    project = _lock(task.project)
    subtree = _subtree_ids(task)
    if TimeEntry.objects.filter(task_id__in=subtree).exists():
        raise ValidationError(TASK_HAS_TIME_MSG, code="has_time", params={"task": task.name})
    Task.objects.filter(pk__in=subtree).delete()
    project_schedule_recalculate(project=project)


def _subtree_ids(task: Task) -> list[int]:
    rows = list(Task.objects.filter(project_id=task.project_id).values_list("pk", "parent_id"))
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in rows:
        children.setdefault(parent_id, []).append(pk)
    result, stack = [], [task.pk]
    while stack:
        pk = stack.pop()
        result.append(pk)
        stack.extend(children.get(pk, []))
    return result


@transaction.atomic
def task_reschedule(*, task: Task, start_on: date | None = None, duration_wd: int | None = None) -> Task:
    """A Gantt drag: moving a bar sets "start no earlier than" that day; resizing sets the duration.

    A milestone shows on the day its predecessor finishes (SCHEDULING.md §2.1), so dropping one on a day means
    "finish no earlier than" that day: SNET would show it a working day early.
    """
    _lock(task.project)
    fields = []
    if duration_wd is not None:
        task.duration_wd = duration_wd
        fields.append("duration_wd")
    if start_on is not None:
        milestone = task.duration_wd == 0
        task.constraint_kind = Task.ConstraintKind.FNET if milestone else Task.ConstraintKind.SNET
        task.constraint_on = start_on
        fields += ["constraint_kind", "constraint_on"]
    if task.is_summary and fields:
        raise ValidationError("Phases follow their tasks: move or resize the tasks inside.", code="summary")
    task.full_clean()
    task.save(update_fields=fields)
    project_schedule_recalculate(project=task.project)
    return task


def task_progress_set(*, task: Task, progress_pct: int) -> Task:
    if not 0 <= progress_pct <= 100:
        raise ValidationError("Progress is a percentage from 0 to 100.", code="progress")
    task.progress_pct = progress_pct
    task.save(update_fields=["progress_pct"])
    return task


def task_status_set(*, task: Task, status: str) -> Task:
    """Kanban move. Moving a card to done sets its progress to 100 %; moving it back keeps the progress."""
    if status not in Task.Status.values:
        raise ValidationError("Unknown status.", code="status")
    task.status = status
    fields = ["status"]
    if status == Task.Status.DONE and task.progress_pct != 100:
        task.progress_pct = 100
        fields.append("progress_pct")
    task.save(update_fields=fields)
    return task


# --- dependencies ---------------------------------------------------------------------------------------


@transaction.atomic
def dependency_add(*, pred: Task, succ: Task, kind: str = "FS", lag_wd: int = 0) -> Dependency:
    """Link two tasks of one project. A cycle or a forbidden link is refused with a message naming the tasks,
    and nothing changes (the insert rolls back with the failed recalculation)."""
    if pred.project_id != succ.project_id:
        raise ValidationError(DEPENDENCY_OTHER_PROJECT_MSG, code="other_project")
    if pred.pk == succ.pk:
        raise ValidationError(DEPENDENCY_SELF_MSG, code="self")
    project = _lock(pred.project)
    if Dependency.objects.filter(pred=pred, succ=succ).exists():
        raise ValidationError(DEPENDENCY_EXISTS_MSG, code="exists", params={"pred": pred.name, "succ": succ.name})
    dependency = Dependency(project=project, pred=pred, succ=succ, kind=kind, lag_wd=lag_wd)
    dependency.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            dependency.save()
    except IntegrityError as exc:  # a concurrent identical link
        raise ValidationError(
            DEPENDENCY_EXISTS_MSG, code="exists", params={"pred": pred.name, "succ": succ.name}
        ) from exc
    try:
        project_schedule_recalculate(project=project)
    except ValidationError as exc:
        if exc.code == "invalid_link" and (pred.is_summary or succ.is_summary):
            raise ValidationError(exc.messages[0] + SUMMARY_LINK_HINT, code="invalid_link") from exc
        raise
    return dependency


@transaction.atomic
def dependency_remove(*, dependency: Dependency) -> None:
    project = _lock(dependency.project)
    dependency.delete()
    project_schedule_recalculate(project=project)


# --- baselines and time ---------------------------------------------------------------------------------


@transaction.atomic
def baseline_save(*, project: Project, name: str, actor: User) -> Baseline:
    """Snapshot every task's current dates; the project remembers the latest baseline's finish."""
    project = _lock(project)
    baseline = Baseline.objects.create(project=project, name=name, finish_on=project.finish_on, created_by=actor)
    BaselineTask.objects.bulk_create(
        [
            BaselineTask(baseline=baseline, task=t, start_on=t.start_on, finish_on=t.finish_on, duration_wd=t.ef - t.es)
            for t in Task.objects.filter(project=project)
        ]
    )
    project.baseline_finish_on = project.finish_on
    project.save(update_fields=["baseline_finish_on", "updated_at"])
    return baseline


def time_entry_add(
    *, task: Task, organizer: User, actor: User, worked_on: date, minutes: int, note: str = ""
) -> TimeEntry:
    """Organizers log their own time on tasks they are assigned to; office and owner log for anyone."""
    own_assigned = organizer.pk == actor.pk and task.assignees.filter(pk=actor.pk).exists()
    if not access.is_staff_role(actor) and not own_assigned:
        raise ValidationError(TIME_NOT_ASSIGNED_MSG, code="not_assigned")
    if task.is_summary:
        raise ValidationError("Log time on a task, not on a phase.", code="summary")
    entry = TimeEntry(task=task, organizer=organizer, worked_on=worked_on, minutes=minutes, note=note, created_by=actor)
    entry.full_clean()
    entry.save()
    return entry


# --- templates ------------------------------------------------------------------------------------------


@transaction.atomic
def project_copy(
    *, source: Project, name: str, start_on: date, client: Any = None, lead: User | None = None, as_template: bool
) -> Project:
    """Copy the WBS, durations, constraints (shifted by working days), links and lags to a new project.

    Used both to save a project as a template and to start a project from one.
    """
    copy = Project.objects.create(
        client=client, name=name, kind=source.kind, status=Project.Status.PLANNED if not as_template else "proposed",
        start_on=start_on, lead=lead, calendar=source.calendar, budget_hours=source.budget_hours,
        budget_amount=source.budget_amount, scope_notes=source.scope_notes, is_template=as_template,
    )  # fmt: skip
    source_calendar = engine_calendar(source)
    target_calendar = engine_calendar(copy)
    mapping: dict[int, Task] = {}
    originals = sorted(Task.objects.filter(project=source), key=lambda t: (t.wbs_code.count("."), t.pk))
    for original in originals:
        constraint_on = None
        if original.constraint_on:
            # Keep the constraint at the same working-day offset from the project start.
            offset = source_calendar.startpt(original.constraint_on)
            constraint_on = target_calendar.day(offset)
        mapping[original.pk] = Task.objects.create(
            project=copy, parent=mapping[original.parent_id] if original.parent_id else None,
            position=original.position, name=original.name, duration_wd=original.duration_wd,
            constraint_kind=original.constraint_kind, constraint_on=constraint_on,
            estimate_hours=original.estimate_hours, notes=original.notes,
        )  # fmt: skip
    Dependency.objects.bulk_create(
        [
            Dependency(project=copy, pred=mapping[d.pred_id], succ=mapping[d.succ_id], kind=d.kind, lag_wd=d.lag_wd)
            for d in Dependency.objects.filter(project=source)
        ]
    )
    project_schedule_recalculate(project=copy)
    return copy


def hours(minutes: int | None) -> Decimal:
    return (Decimal(minutes or 0) / 60).quantize(Decimal("0.01"))
