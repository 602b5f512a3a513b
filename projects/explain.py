"""Why the schedule put a task where it is, in words, from the stored schedule (reads only, like selectors).

`projects.planning` stores each task's driving link (the incoming link, on the task or a phase above it, that
leaves it no slack). From it, and from the task's constraint and the project start, these functions say what
holds the task and what would let it move (docs/specs/defects.md T22, docs/specs/scheduling.md §2.5).
"""

from __future__ import annotations

from datetime import date

from projects.models import Dependency, Task
from projects.planning import engine_calendar


def _days(n: int) -> str:
    return f"{n} working day{'' if n == 1 else 's'}"


def _link_sentence(dep: Dependency) -> str:
    """ "Pack kitchen starts after Declutter kitchen finishes", for each link kind, with its lag or lead."""
    finish_to = dep.kind in (Dependency.Kind.FS, Dependency.Kind.FF)
    event = f"{dep.pred.name} {'finishes' if finish_to else 'starts'}"
    if dep.lag_wd:
        event = f"{_days(abs(dep.lag_wd))} {'after' if dep.lag_wd > 0 else 'before'} {event}"
    if dep.kind in (Dependency.Kind.FS, Dependency.Kind.SS):
        joint = "" if dep.lag_wd else ("after " if dep.kind == Dependency.Kind.FS else "when ")
        return f"{dep.succ.name} starts {joint}{event}"
    return f"{dep.succ.name} cannot finish {'until' if dep.lag_wd else 'before'} {event}"


def driving_reason(*, task: Task) -> str:
    """What sets the task's early dates, and what would let it move earlier."""
    dep = task.driving_link
    if dep is not None:
        sentence = _link_sentence(dep)
        if dep.succ_id != task.pk:  # the link ends at a phase above the task
            sentence = f"{task.name} is in {dep.succ.name}, and {sentence}"
        return f"{sentence}: move or unlink {dep.pred.name} first"
    if task.is_summary:
        return f"{task.name} is a phase: its dates follow the tasks inside it; move those to move it"
    if task.constraint_kind and task.es > 0:
        when = task.constraint_on.strftime("%a %b %-d") if task.constraint_on else ""
        return (
            f"{task.name} is held by its constraint ({task.get_constraint_kind_display().lower()} {when}): "
            "change or clear the constraint first"
        )
    project = task.project
    if task.es > 0 and project.schedule_as_of and project.schedule_as_of > project.start_on:
        # The status run holds unfinished work at the status date (docs/specs/one-schedule.md §1).
        when = project.schedule_as_of.strftime("%a %b %-d")
        return f"{task.name} is not done, and unfinished work is planned from the status date ({when}) on"
    start = project.start_on.strftime("%a %b %-d")
    return f"{task.name} starts with the project ({start}): it cannot start before the project's start date"


def move_refusal(*, task: Task, requested_on: date) -> str | None:
    """After a Gantt drag to `requested_on`: why the schedule kept the task later, or None if it went there.

    A milestone dropped on a day is asked to finish by that day; any other task to start on it (the first
    working day on or after it).
    """
    calendar = engine_calendar(task.project)
    if task.duration_wd == 0 and not task.is_summary:
        overridden = task.ef > calendar.finpt(requested_on)
    else:
        overridden = task.es > calendar.startpt(requested_on)
    return driving_reason(task=task) if overridden else None


def task_with_driver(task: Task) -> Task:
    """The task re-read with what `driving_reason` needs (its project, and its driving link's two ends)."""
    return Task.objects.select_related("project__calendar", "driving_link__pred", "driving_link__succ").get(pk=task.pk)
