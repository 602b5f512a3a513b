"""Pure arithmetic for the capacity view (docs/specs/one-schedule.md §4): no Django, no database.

`spread_evenly` divides whole minutes over days so the parts sum exactly to the total; the earliest days take
the remainder one minute each. `task_window` turns a task's stored schedule points into its window of points.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date


def spread_evenly(total: int, days: Sequence[date]) -> dict[date, int]:
    """`total` minutes over `days` (in order): equal shares, remainders one minute at a time to the earliest."""
    if total < 0:
        raise ValueError("total must not be negative")
    if not days:
        return {}
    share, rest = divmod(total, len(days))
    out: dict[date, int] = {}
    for i, day in enumerate(days):
        out[day] = out.get(day, 0) + share + (1 if i < rest else 0)
    return out


def split_among(total: int, people: int) -> list[int]:
    """`total` minutes split among `people` (n > 0): equal shares, remainders to the first ones."""
    if people <= 0:
        raise ValueError("people must be positive")
    share, rest = divmod(total, people)
    return [share + (1 if i < rest else 0) for i in range(people)]


def window_points(*, es: int, ef: int, lf: int, milestone: bool) -> tuple[int, int]:
    """First and last working-day point of a task's window: `es` … `max(lf, ef) − 1` for work, and the
    displayed early and late dates for a milestone (`max(ef, 1) − 1` … `max(lf, ef, 1) − 1`)."""
    if milestone:
        return max(ef, 1) - 1, max(lf, ef, 1) - 1
    return es, max(lf, ef) - 1


def ceil_to_step(minutes: int, step: int) -> int:
    """Round `minutes` up to a whole number of `step`s."""
    return -(-minutes // step) * step
