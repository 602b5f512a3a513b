"""The adapter between the project rows and the pure CPM engine in `projects.scheduling`.

Reading: the working calendar of a project as the engine's WorkCalendar (`engine_calendar`), and the engine's
input from Task and Dependency rows (`plan_input`). Writing: `project_schedule_recalculate` runs the engine and
stores its results on the rows (WBS codes, dates, floats, critical flags, driving links) with one bulk_update.

Services call `project_schedule_recalculate` inside the transaction of every edit; selectors read the stored
results and use only `engine_calendar` from here, to count working days between stored dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import cast

from django.core.exceptions import ValidationError

from projects import scheduling
from projects.models import Dependency, Holiday, Project, Task
from projects.scheduling.model import ConstraintKind, LinkKind

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
]  # fmt: skip


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


def project_schedule_recalculate(*, project: Project) -> None:
    """Run the CPM engine over the project's rows and store the results (one bulk_update).

    Raises ValidationError (code "cycle" or "invalid_link") naming the tasks involved; callers run inside a
    transaction, so the edit that caused it rolls back.
    """
    tasks = list(Task.objects.filter(project=project))
    deps = list(Dependency.objects.filter(project=project))
    names = {t.pk: f"“{t.name}”" for t in tasks}
    plan = plan_input(project, tasks, deps)
    try:
        result = scheduling.schedule(plan.tasks, plan.links, deadline=plan.deadline)
    except scheduling.CycleError as exc:
        path = " → ".join(names[cast(int, pk)] for pk in [*exc.cycle, exc.cycle[0]])
        raise ValidationError(DEPENDENCY_CYCLE_MSG, code="cycle", params={"tasks": path}) from exc
    except scheduling.LinkError as exc:
        raise ValidationError(_named(str(exc), names), code="invalid_link") from exc
    if not _dates_in_range(plan.calendar, result):
        # Each input is bounded (docs/specs/defects.md T5), but enough long tasks in a row could still run past
        # year 9999: refuse the edit rather than fail with a server error.
        raise ValidationError(PLAN_OUT_OF_RANGE_MSG, code="out_of_range")
    _store(project, tasks, deps, plan, result)


def _dates_in_range(calendar: scheduling.WorkCalendar, result: scheduling.Schedule) -> bool:
    """Whether every point the schedule will turn into a date has one (dates end at years 1 and 9999)."""
    points = [p for r in result.tasks.values() for p in (r.es, r.ef, r.ls, r.lf)] + [result.finish]
    try:
        # day() grows with the point, so the two extremes decide; finish dates use the point before EF.
        calendar.day(min(points) - 1)
        calendar.day(max(points))
    except (ValueError, OverflowError):
        return False
    return True


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
        # A milestone shows on the day its predecessor finishes (docs/specs/scheduling.md §2.1): one date, not two.
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
        critical = result.is_critical_link(_engine_link(dep))
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
