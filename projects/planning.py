"""The adapter between the project rows and the pure CPM engine in `projects.scheduling`.

Reading: the working calendar of a project as the engine's WorkCalendar (`engine_calendar`), and the engine's
input from Task and Dependency rows (`plan_input`). Writing: `project_schedule_recalculate` runs the engine and
stores its results on the rows (WBS codes, dates, floats, critical flags, driving links) with one bulk_update.

Services call `project_schedule_recalculate` inside the transaction of every edit; selectors read the stored
results and use only `engine_calendar` from here, to count working days between stored dates.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date
from typing import cast

from django.core.exceptions import ValidationError

from projects import scheduling, status
from projects.dates import project_status_date
from projects.models import Dependency, Holiday, Project, Task
from projects.scheduling.model import ConstraintKind, LinkKind
from projects.sessions import flags

DEPENDENCY_CYCLE_MSG = "This link would make a loop: %(tasks)s. Nothing was changed."
PLAN_OUT_OF_RANGE_MSG = (
    "This change would put the plan's dates beyond the calendar (before year 1 or after 9999). "
    "Shorten durations or lags, or move constraint dates closer to the project start. Nothing was changed."
)
# A constraint of these kinds bounds the task's start; the others bound its finish.
START_POINT_KINDS = {Task.ConstraintKind.SNET, Task.ConstraintKind.SNLT, Task.ConstraintKind.MSO}
SCHEDULE_FIELDS = [
    "is_summary", "wbs_code", "es", "ef", "ls", "lf", "total_float", "free_float", "is_critical",
    "start_on", "finish_on", "late_start_on", "late_finish_on", "driving_link_id",
    "plan_es", "plan_ef", "is_behind", "is_start_overdue", "is_out_of_sequence",
]  # fmt: skip
PROJECT_SCHEDULE_FIELDS = ["finish_on", "min_total_float", "schedule_as_of", "is_late", "late_by"]


def engine_calendar(project: Project) -> scheduling.WorkCalendar:
    """The project's working days: its calendar's weekdays, minus the calendar's holidays and its blackouts."""
    holidays = set(Holiday.objects.filter(calendar_id=project.calendar_id).values_list("date", flat=True))
    holidays.update(project.blackout_days or [])
    return scheduling.WorkCalendar(project.start_on, workdays=frozenset(project.calendar.workdays), holidays=holidays)


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


def _engine_link(dep: Dependency) -> scheduling.Link:
    return scheduling.Link(dep.pred_id, dep.succ_id, kind=cast(LinkKind, dep.kind), lag=dep.lag_wd)


def plan_input(project: Project, tasks: list[Task], deps: list[Dependency]) -> PlanInput:
    """The engine's tasks, links, calendar and deadline point for these rows of `project`."""
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
    deadline = calendar.finpt(project.deadline_on) if project.deadline_on else None
    return PlanInput(engine_tasks, [_engine_link(d) for d in deps], calendar, deadline)


def _wbs_codes(tasks: list[Task]) -> dict[int, str]:
    """Outline numbers ("2", "2.1", ...) from the parent links, siblings ordered by position."""
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


def progress_input(tasks: list[Task], calendar: scheduling.WorkCalendar) -> dict[Hashable, status.Progress]:
    """Each started or done leaf's progress, with its actual dates as points."""
    progress: dict[Hashable, status.Progress] = {}
    for t in tasks:
        if t.is_done:
            start = calendar.startpt(t.actual_start) if t.actual_start else None
            finish = calendar.finpt(t.actual_finish) if t.actual_finish else None
            progress[t.pk] = status.Progress(100, start, finish)
        elif t.progress_pct > 0:
            progress[t.pk] = status.Progress(
                t.progress_pct, calendar.startpt(t.actual_start) if t.actual_start else None
            )
    return progress


def project_schedule_recalculate(*, project: Project) -> None:
    """Run the status run (docs/specs/one-schedule.md §1) over the project's rows and store the results.

    The plan is scheduled as of the project's status date (projects.dates.project_status_date): done tasks
    where they happened, started ones for their remaining duration, nothing unfinished before the status date.
    Raises ValidationError (code "cycle" or "invalid_link") naming the tasks involved; callers run inside a
    transaction, so the edit that caused it rolls back.
    """
    tasks = list(Task.objects.filter(project=project))
    deps = list(Dependency.objects.filter(project=project))
    changed, changed_deps = schedule_apply(project=project, tasks=tasks, deps=deps)
    # Write only the rows whose schedule changed: an edit usually moves a few tasks, and bulk_update's
    # CASE expressions cost time per row and field.
    if changed:
        Task.objects.bulk_update(changed, fields=SCHEDULE_FIELDS)
    if changed_deps:
        Dependency.objects.bulk_update(changed_deps, fields=["is_critical"])
    project.save(update_fields=[*PROJECT_SCHEDULE_FIELDS, "updated_at"])
    # Windows may have moved: the sessions' flags follow now, not at the next hourly refresh (T41).
    flags.session_flags_refresh(project=project, today=project_status_date(project))


def schedule_apply(
    *, project: Project, tasks: list[Task], deps: list[Dependency]
) -> tuple[list[Task], list[Dependency]]:
    """The status run over rows in memory: sets the schedule fields on `project`, `tasks` and `deps` without
    saving, and returns the tasks and links whose stored values changed. Bulk loaders (load_scale) store the
    rows themselves; everything else goes through project_schedule_recalculate."""
    names = {t.pk: f"“{t.name}”" for t in tasks}
    plan = plan_input(project, tasks, deps)
    as_of = project_status_date(project)
    try:
        result = status.status_run(
            plan.tasks,
            plan.links,
            progress_input(tasks, plan.calendar),
            status_point=plan.calendar.startpt(as_of),
            deadline=plan.deadline,
        )
    except scheduling.CycleError as exc:
        path = " → ".join(names[cast(int, pk)] for pk in [*exc.cycle, exc.cycle[0]])
        raise ValidationError(DEPENDENCY_CYCLE_MSG, code="cycle", params={"tasks": path}) from exc
    except scheduling.LinkError as exc:
        raise ValidationError(_named(str(exc), names), code="invalid_link") from exc
    if not _dates_in_range(plan.calendar, result):
        # Each input is bounded (docs/specs/defects.md T5), but enough long tasks in a row could still run past
        # year 9999: refuse the edit rather than fail with a server error.
        raise ValidationError(PLAN_OUT_OF_RANGE_MSG, code="out_of_range")
    return _apply(project, tasks, deps, plan, result, as_of)


def _dates_in_range(calendar: scheduling.WorkCalendar, result: status.StatusSchedule) -> bool:
    """Whether every point the schedule will turn into a date has one (dates end at years 1 and 9999)."""
    points = [p for r in result.tasks.values() for p in (r.es, r.ef, r.ls, r.lf, r.plan_es, r.plan_ef)]
    points.append(result.finish)
    try:
        # day() grows with the point, so the two extremes decide; finish dates use the point before EF.
        calendar.day(min(points) - 1)
        calendar.day(max(points))
    except (ValueError, OverflowError):
        return False
    return True


def _apply(
    project: Project,
    tasks: list[Task],
    deps: list[Dependency],
    plan: PlanInput,
    result: status.StatusSchedule,
    as_of: date,
) -> tuple[list[Task], list[Dependency]]:
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
        task.plan_es, task.plan_ef = r.plan_es, r.plan_ef
        task.is_behind, task.is_start_overdue, task.is_out_of_sequence = r.behind, r.start_overdue, r.out_of_sequence
        task.finish_on = calendar.finish_date(r.ef, span)
        task.late_finish_on = calendar.finish_date(r.lf, r.lf - r.ls)
        # A milestone shows on the day its predecessor finishes (docs/specs/scheduling.md §2.1): one date, not two.
        milestone = span == 0 and not task.is_summary
        task.start_on = task.finish_on if milestone else calendar.start_date(r.es)
        task.late_start_on = task.late_finish_on if milestone else calendar.start_date(r.ls)
        if not task.is_summary:
            # What happened is shown as it happened (docs/specs/one-schedule.md §1, after the run).
            if task.actual_start and (task.is_done or task.progress_pct > 0):
                task.start_on = task.actual_start
            if task.actual_finish and task.is_done:
                task.finish_on = task.actual_finish
        task.driving_link_id = driving.get(task.pk)
    _summary_dates(tasks, by_id, parents)
    changed = [t for t in tasks if tuple(getattr(t, f) for f in SCHEDULE_FIELDS) != before[t.pk]]
    changed_deps = []
    for dep in deps:
        critical = _link_critical(result, dep)
        if critical != dep.is_critical:
            dep.is_critical = critical
            changed_deps.append(dep)
    floats = [r.total_float for t in tasks if t.pk not in parents and (r := result.tasks[t.pk]).total_float is not None]
    project.finish_on = calendar.finish_date(result.finish, result.finish) if tasks else project.start_on
    if tasks and all(t.is_done for t in tasks if t.pk not in parents):
        project.finish_on = max((t.finish_on for t in tasks if t.finish_on), default=project.finish_on)
    project.min_total_float = min(floats, default=0)
    project.schedule_as_of = as_of
    project.late_by = result.late_by
    project.is_late = result.late_by > 0
    return changed, changed_deps


def _summary_dates(tasks: list[Task], by_id: dict[int, Task], parents: set[int]) -> None:
    """A phase shows the earliest start and the latest finish of its leaves (actual dates included)."""
    bounds: dict[int, tuple[date, date]] = {}
    for task in tasks:
        if task.pk in parents or task.start_on is None or task.finish_on is None:
            continue
        node = task.parent_id
        while node is not None:
            low, high = bounds.get(node, (task.start_on, task.finish_on))
            bounds[node] = (min(low, task.start_on), max(high, task.finish_on))
            node = by_id[node].parent_id
    for pk, (low, high) in bounds.items():
        by_id[pk].start_on, by_id[pk].finish_on = low, high


def _link_critical(result: status.StatusSchedule, dep: Dependency) -> bool:
    """A link is critical when it joins two critical tasks without slack (done tasks are never critical)."""
    pred, succ = result.tasks[dep.pred_id], result.tasks[dep.succ_id]
    if not (pred.critical and succ.critical):
        return False
    return _slack(dep, pred, succ) <= 0


def _slack(dep: Dependency, pred: status.TaskStatus, succ: status.TaskStatus) -> int:
    return {
        "FS": succ.es - dep.lag_wd - pred.ef,
        "SS": succ.es - dep.lag_wd - pred.es,
        "FF": succ.ef - dep.lag_wd - pred.ef,
        "SF": succ.ef - dep.lag_wd - pred.es,
    }[dep.kind]


def _driving_links(
    tasks: list[Task], deps: list[Dependency], result: status.StatusSchedule, by_id: dict[int, Task]
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
                if _slack(dep, result.tasks[dep.pred_id], me) == 0:
                    driving[task.pk] = dep.pk
                    break
            node = by_id.get(node.parent_id) if node.parent_id else None
    return driving
