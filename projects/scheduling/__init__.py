"""Pure-Python critical-path scheduling engine (docs/specs/scheduling.md §2).

It imports nothing from Django or the apps.

Usage::

    calendar = WorkCalendar(date(2026, 6, 1), holidays=(date(2026, 6, 19),))
    result = schedule([Task("A", duration=2), Task("B", duration=3)], [Link("A", "B")])
    result.tasks["B"].es                 # 2: a point on the working-day axis
    calendar.start_date(result.tasks["B"].es)   # date(2026, 6, 3)

``engine`` holds the algorithm and explains it; ``calendar`` converts between dates and points.
"""

from .calendar import WorkCalendar
from .engine import schedule
from .model import Constraint, CycleError, Link, LinkError, Schedule, ScheduledTasks, Task, TaskResult

__all__ = [
    "Constraint",
    "CycleError",
    "Link",
    "LinkError",
    "Schedule",
    "ScheduledTasks",
    "Task",
    "TaskResult",
    "WorkCalendar",
    "schedule",
]
