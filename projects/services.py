"""Every write to projects. Each edit locks the project row, changes rows, and recomputes the schedule through
`projects.planning` in the same transaction: a refused link or a cycle rolls the whole edit back.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import access
from accounts.models import User
from accounts.updates import fields_apply
from operations.services.visits import appointment_cancel
from projects.dates import business_today, date_window
from projects.maintenance import MaintenancePlan, maintenance_start
from projects.models import (
    Baseline,
    BaselineTask,
    Dependency,
    Holiday,
    Project,
    Task,
    TaskChecklistItem,
    TimeEntry,
    WorkCalendar,
    WorkSession,
)  # fmt: skip
from projects.planning import engine_calendar, project_schedule_recalculate
from projects.progress import status_override_check, task_actuals_apply
from projects.selectors import open_task_count
from projects.sessions import selectors as session_selectors

DEPENDENCY_EXISTS_MSG = "%(pred)s is already linked to %(succ)s."
DEPENDENCY_OTHER_PROJECT_MSG = "Both tasks must belong to the same project."
DEPENDENCY_SELF_MSG = "A task cannot depend on itself."
SUMMARY_LINK_HINT = " Link from the phase's last task or a milestone instead."
TASK_HAS_TIME_MSG = "%(task)s has logged time and cannot be deleted. Set it to done instead."
TASK_PARENT_LOOP_MSG = "A task cannot be placed under itself or one of its own sub-tasks."
TASK_SUMMARY_CONSTRAINT_MSG = "A phase (a task with sub-tasks) cannot carry a date constraint."
TIME_NOT_ASSIGNED_MSG = "You can only log time on tasks you are assigned to."
CLOSEOUT_STATUS_MSG = "Only an active, planned or on-hold project can be completed."
CLOSEOUT_SESSIONS_MSG = "Sessions are still scheduled: %(sessions)s. Complete or cancel them first."
TASK_HAS_SESSIONS_MSG = "“%(task)s” has scheduled sessions: %(sessions)s. Cancel them and delete, or keep the task."
CLOSEOUT_OPEN_TASKS_MSG = "%(count)s not done yet. Confirm that you want to complete the project anyway."
DATE_WINDOW_MSG = "Choose a date between %(first)s and %(last)s (within 20 years of the project start)."
TIME_IN_FUTURE_MSG = "Time can only be logged for today or earlier (today is %(today)s)."
PROJECT_FIELDS = [
    "client", "name", "kind", "status", "start_on", "deadline_on", "lead", "calendar", "blackout_days",
    "budget_hours", "budget_amount", "scope_notes", "status_date_override",
]  # fmt: skip
TASK_FIELDS = [
    "name", "parent", "position", "duration_wd", "constraint_kind", "constraint_on", "estimate_hours",
    "progress_pct", "status", "notes", "actual_start", "actual_finish",
]  # fmt: skip


# --- calendars ------------------------------------------------------------------------------------------


def calendar_default() -> WorkCalendar:
    """The business calendar: Monday to Friday unless the owner or office changed it (created when missing)."""
    calendar = WorkCalendar.objects.filter(is_default=True).first()
    if calendar is None:
        calendar = WorkCalendar.objects.create(
            name=WorkCalendar.DEFAULT_NAME, workdays=list(WorkCalendar.DEFAULT_WORKDAYS), is_default=True
        )
    return calendar


@transaction.atomic
def calendar_update(
    *, calendar: WorkCalendar | None = None, workdays: list[int], holidays: list[tuple[date, str]]
) -> WorkCalendar:
    """Replace working weekdays and holidays, then reschedule every open project on this calendar.

    Without `calendar`, the business default (created on this first save).
    """
    if not workdays:
        raise ValidationError("At least one weekday must be a working day.", code="no_workday")
    if calendar is None:
        calendar = calendar_default()
    calendar.workdays = sorted(set(workdays))
    calendar.save(update_fields=["workdays"])
    calendar.holidays.all().delete()
    Holiday.objects.bulk_create([Holiday(calendar=calendar, date=d, name=n) for d, n in holidays])
    for project in Project.objects.filter(calendar=calendar).exclude(status__in=Project.CLOSED_STATUSES):
        project_schedule_recalculate(project=project)
    return calendar


def _check_date_window(project: Project, field: str, value: date | None) -> None:
    """Dates that steer the schedule lie within 20 years of the project start (docs/specs/defects.md T5)."""
    if value is None:
        return
    first, last = date_window(project.start_on)
    if not first <= value <= last:
        error = ValidationError(DATE_WINDOW_MSG, code="date_out_of_range", params={"first": first, "last": last})
        raise ValidationError({field: error})


def _lock(project: Project) -> Project:
    # One writer per plan at a time: the recalculation reads every task of the project.
    return Project.objects.select_for_update().get(pk=project.pk)


# --- projects -------------------------------------------------------------------------------------------


@transaction.atomic
def project_create(*, data: dict[str, Any], is_template: bool = False) -> Project:
    project = Project(calendar=data.get("calendar") or calendar_default(), is_template=is_template)
    fields_apply(project, data, [f for f in PROJECT_FIELDS if f != "calendar"])
    project.full_clean()
    _check_date_window(project, "deadline_on", project.deadline_on)
    project.save()
    project_schedule_recalculate(project=project)
    return project


@transaction.atomic
def project_update(*, project: Project, data: dict[str, Any]) -> Project:
    project = _lock(project)
    fields = fields_apply(project, data, PROJECT_FIELDS)
    project.full_clean()
    _check_date_window(project, "deadline_on", project.deadline_on)
    status_override_check(project=project, override=project.status_date_override)
    project.save(update_fields=[*fields, "updated_at"])
    project_schedule_recalculate(project=project)
    return project


@transaction.atomic
def project_close_out(
    *, project: Project, csat: int | None, nps: int | None, comment: str, confirm_open_tasks: bool = False,
    maintenance: MaintenancePlan | None = None, actor: User | None = None,
) -> Project:  # fmt: skip
    """Complete the project and record the client's satisfaction (CSAT 1-5, NPS 0-10; None: not asked).

    With tasks not done, only when the caller confirms it after being told how many are open. With `maintenance`,
    the client's maintenance series is created in the same transaction (docs/specs/one-schedule.md §5): a clash
    or a bad first date refuses the whole close-out, and nothing is booked.
    """
    project = _lock(project)
    if not project.can_close_out:
        raise ValidationError(CLOSEOUT_STATUS_MSG, code="status")
    scheduled = session_selectors.scheduled_sessions(project=project)
    if scheduled:  # the client would otherwise get stray project visits after close-out (OS16)
        listed = "; ".join(session_selectors.session_text(s) for s in scheduled)
        raise ValidationError(CLOSEOUT_SESSIONS_MSG, code="sessions_scheduled", params={"sessions": listed})
    open_tasks = open_task_count(project=project)
    if open_tasks and not confirm_open_tasks:
        count = f"{open_tasks} task is" if open_tasks == 1 else f"{open_tasks} tasks are"
        error = ValidationError(CLOSEOUT_OPEN_TASKS_MSG, code="open_tasks", params={"count": count})
        raise ValidationError({"confirm_open_tasks": error})
    project.status = Project.Status.COMPLETED
    project.completed_at = timezone.now()
    project.csat, project.nps, project.closeout_comment = csat, nps, comment
    project.full_clean()
    fields = ["status", "completed_at", "csat", "nps", "closeout_comment", "updated_at"]
    if maintenance is not None:
        project.followup_series = maintenance_start(project=project, plan=maintenance, actor=actor)
        fields.append("followup_series")
    project.save(update_fields=fields)
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
    fields_apply(task, data, TASK_FIELDS)
    if task.parent is not None and task.parent.project_id != project.pk:
        raise ValidationError({"parent": "Choose a phase of this project."}, code="other_project")
    if "position" not in data:
        task.position = Task.objects.filter(project=project, parent=task.parent).count() + 1
    if task.parent is not None and task.parent.constraint_kind:
        raise ValidationError({"parent": TASK_SUMMARY_CONSTRAINT_MSG}, code="summary_constraint")
    task.full_clean()
    _check_date_window(project, "constraint_on", task.constraint_on)
    task_actuals_apply(task=task)
    task.save()
    if assignees is not None:
        task.assignees.set(assignees)
    project_schedule_recalculate(project=project)
    return task


@transaction.atomic
def task_update(*, task: Task, data: dict[str, Any], assignees: list[User] | None = None) -> Task:
    _lock(task.project)
    fields = fields_apply(task, data, TASK_FIELDS)
    _check_parent(task, task.parent)
    if task.parent is not None and task.parent.project_id != task.project_id:
        raise ValidationError({"parent": "Choose a phase of this project."}, code="other_project")
    if task.constraint_kind and Task.objects.filter(parent=task).exists():
        raise ValidationError({"constraint_kind": TASK_SUMMARY_CONSTRAINT_MSG}, code="summary_constraint")
    task.full_clean()
    _check_date_window(task.project, "constraint_on", task.constraint_on)
    fields = sorted({*fields, *task_actuals_apply(task=task)})
    task.save(update_fields=fields)
    if assignees is not None:
        task.assignees.set(assignees)
    project_schedule_recalculate(project=task.project)
    return task


@transaction.atomic
def task_delete(*, task: Task, cancel_sessions: bool = False, actor: User | None = None) -> None:
    """Delete a task and its sub-tasks; refused when any of them has logged time (time is history), and while
    sessions are scheduled unless the caller asks to cancel them first (their hours are freed at once)."""
    project = _lock(task.project)
    subtree = _subtree_ids(task)
    if TimeEntry.objects.filter(task_id__in=subtree).exists():
        raise ValidationError(TASK_HAS_TIME_MSG, code="has_time", params={"task": task.name})
    scheduled = session_selectors.scheduled_sessions(task_ids=subtree)
    if scheduled and not cancel_sessions:
        listed = "; ".join(session_selectors.session_text(s) for s in scheduled)
        raise ValidationError(
            TASK_HAS_SESSIONS_MSG, code="has_sessions", params={"task": task.name, "sessions": listed}
        )
    for session in scheduled:
        appointment_cancel(appointment=session.appointment, actor=actor)
    WorkSession.objects.filter(task_id__in=subtree).delete()  # only cancelled ones are left: nothing was logged
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

    A milestone shows on the day its predecessor finishes (docs/specs/scheduling.md §2.1), so dropping one on a
    day means "finish no earlier than" that day: SNET would show it a working day early.
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
    _check_date_window(task.project, "start_on", task.constraint_on)
    task.save(update_fields=fields)
    project_schedule_recalculate(project=task.project)
    return task


@transaction.atomic
def task_progress_set(*, task: Task, progress_pct: int) -> Task:
    """Progress moves the plan: the status run re-schedules what is left (docs/specs/one-schedule.md §1)."""
    if not 0 <= progress_pct <= 100:
        raise ValidationError("Progress is a percentage from 0 to 100.", code="progress")
    _lock(task.project)
    task.progress_pct = progress_pct
    if progress_pct < 100 and task.status == Task.Status.DONE:
        task.status = Task.Status.DOING
    if progress_pct < 100 and task.actual_finish is not None:
        task.actual_finish = None
    task.save(update_fields=sorted({"progress_pct", "status", *task_actuals_apply(task=task)}))
    project_schedule_recalculate(project=task.project)
    return task


@transaction.atomic
def task_status_set(*, task: Task, status: str) -> Task:
    """Kanban move. Moving a card to done sets its progress to 100 %; moving it back keeps the progress, except
    that a reopened task at 100 % drops to 99 % (100 % means finished to the status run)."""
    if status not in Task.Status.values:
        raise ValidationError("Unknown status.", code="status")
    _lock(task.project)
    task.status = status
    fields = ["status"]
    if status == Task.Status.DONE and task.progress_pct != 100:
        task.progress_pct = 100
        fields.append("progress_pct")
    if status != Task.Status.DONE and task.progress_pct == 100:
        task.progress_pct = 99
        fields.append("progress_pct")
    task.save(update_fields=sorted({*fields, *task_actuals_apply(task=task)}))
    project_schedule_recalculate(project=task.project)
    return task


# --- dependencies ---------------------------------------------------------------------------------------


@transaction.atomic
def dependency_add(*, pred: Task, succ: Task, kind: str = Dependency.Kind.FS, lag_wd: int = 0) -> Dependency:
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
        if getattr(exc, "code", None) == "invalid_link" and (pred.is_summary or succ.is_summary):
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
    today = business_today()
    if worked_on > today:
        error = ValidationError(TIME_IN_FUTURE_MSG, code="future", params={"today": today.strftime("%a %b %-d")})
        raise ValidationError({"worked_on": error})
    entry = TimeEntry(task=task, organizer=organizer, worked_on=worked_on, minutes=minutes, note=note, created_by=actor)
    entry.full_clean()
    entry.save()
    return entry


# --- templates ------------------------------------------------------------------------------------------


@transaction.atomic
def project_copy(
    *, source: Project, name: str, start_on: date, client: Any = None, lead: User | None = None, as_template: bool
) -> Project:
    """Copy the WBS, durations, constraints (shifted by working days), on-site flags, checklists (unticked), links
    and lags to a new project.

    Used both to save a project as a template and to start a project from one.
    """
    status = Project.Status.PROPOSED if as_template else Project.Status.PLANNED
    copy = Project.objects.create(
        client=client, name=name, kind=source.kind, status=status,
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
            estimate_hours=original.estimate_hours, notes=original.notes, on_site=original.on_site,
        )  # fmt: skip
    # The steps come along unticked: a template's checklist is what makes it worth reusing (T40).
    TaskChecklistItem.objects.bulk_create(
        TaskChecklistItem(task=mapping[i.task_id], text=i.text, position=i.position)
        for i in TaskChecklistItem.objects.filter(task__project=source).order_by("task_id", "position", "pk")
    )
    Dependency.objects.bulk_create(
        [
            Dependency(project=copy, pred=mapping[d.pred_id], succ=mapping[d.succ_id], kind=d.kind, lag_wd=d.lag_wd)
            for d in Dependency.objects.filter(project=source)
        ]
    )
    project_schedule_recalculate(project=copy)
    return copy
