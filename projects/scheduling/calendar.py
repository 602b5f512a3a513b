"""Working-day calendar: converts between dates and points on the scheduler's working-day axis.

The axis (docs/specs/scheduling.md §2.1) numbers working days 0, 1, 2, ... from the project start date, snapped forward
to a working day. A point ``k`` is both "start of working day k" and "end of working day k - 1", so a task
occupies the half-open interval ``[ES, EF)`` and its inclusive finish date is ``day(EF - 1)``.

Every conversion is O(log h) for h holidays (O(h log h) in the worst case for ``day``), whatever the
distance from the project start:

- ``W(t)``, the number of working *weekdays* before day ``t`` (days counted from Monday 0001-01-01, so
  ``t % 7`` is the weekday), is ``(t // 7) * m + prefix[t % 7]`` for ``m`` working weekdays per week.
- ``C(t) = W(t) - H(t)`` counts real working days before ``t``, where ``H(t)`` is the number of holidays
  that fall on a working weekday before ``t`` (a bisection in the sorted holiday list). Holidays on days
  off change nothing and are dropped up front.
- A date's point is ``C(t) - C(start)``; the inverse, ``day``, solves ``C(t) = k`` by a monotone
  fixed-point iteration over the number of holidays skipped (see ``_nth_working_day``).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

MONDAY_TO_FRIDAY: frozenset[int] = frozenset({0, 1, 2, 3, 4})

NO_WORKDAY_MSG = "A calendar needs at least one working weekday."
BAD_WEEKDAY_MSG = "Working weekdays are date.weekday() numbers from 0 (Monday) to 6 (Sunday), not {value!r}."


@dataclass(frozen=True)
class WorkCalendar:
    """Working weekdays plus non-working dates, anchored at the project start.

    ``workdays`` holds ``date.weekday()`` numbers (0 = Monday). ``holidays`` may be any collection of dates; it
    is stored as a frozenset so that equal calendars compare and hash equal. Raises ``ValueError`` when no
    weekday is working or a weekday number is out of range.
    """

    start: date
    workdays: Collection[int] = MONDAY_TO_FRIDAY
    holidays: Collection[date] = ()

    # Derived lookup tables, filled in __post_init__; they take no part in equality or repr.
    _prefix: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _sorted_workdays: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _holiday_days: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _holiday_set: frozenset[int] = field(init=False, repr=False, compare=False)
    _base: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        workdays = frozenset(self.workdays)
        if not workdays:
            raise ValueError(NO_WORKDAY_MSG)
        for value in workdays:
            if value not in range(7):
                raise ValueError(BAD_WEEKDAY_MSG.format(value=value))
        holidays = frozenset(self.holidays)
        # The dataclass is frozen so that calendars can be shared and hashed; normalising the inputs and
        # caching the lookup tables here is the only mutation it ever sees.
        object.__setattr__(self, "workdays", workdays)
        object.__setattr__(self, "holidays", holidays)
        object.__setattr__(self, "_prefix", tuple(sum(1 for w in workdays if w < r) for r in range(8)))
        object.__setattr__(self, "_sorted_workdays", tuple(sorted(workdays)))
        # A holiday on a day off removes nothing, so only holidays on working weekdays are kept.
        holiday_days = sorted(_day_number(d) for d in holidays if d.weekday() in workdays)
        object.__setattr__(self, "_holiday_days", tuple(holiday_days))
        object.__setattr__(self, "_holiday_set", frozenset(holiday_days))
        object.__setattr__(self, "_base", self._working_days_before(_day_number(self.start)))

    # -- conversions ---------------------------------------------------------------------------------------

    def day(self, point: int) -> date:
        """Return the working day with index ``point`` (negative points are working days before the start)."""
        return date.fromordinal(self._nth_working_day(point + self._base) + 1)

    def startpt(self, d: date) -> int:
        """Return the index of the first working day on or after ``d`` (a start point)."""
        return self._working_days_before(_day_number(d)) - self._base

    def finpt(self, d: date) -> int:
        """Return the index of the last working day on or before ``d``, plus one ("finished by the end of d")."""
        return self._working_days_before(_day_number(d) + 1) - self._base

    def start_date(self, es: int, duration: int | None = None) -> date:
        """Return the displayed start date of a task starting at point ``es``.

        That is ``day(es)``, except for a milestone (``duration == 0``), whose start is shown on its one
        displayed date (see ``finish_date``), as the worked example's table does.
        """
        if duration == 0:
            return self.finish_date(es, 0)
        return self.day(es)

    def finish_date(self, ef: int, duration: int) -> date:
        """Return the inclusive finish date shown to users for a task ending at point ``ef``.

        A task with a duration ends on ``day(ef - 1)``. A milestone (``duration == 0``) shows on the day its
        predecessor finishes, ``day(ef - 1)``, when ``ef > 0``; at or before the project start it shows on
        ``day(ef)``, so a milestone at point 0 appears on the project's first working day.
        """
        if duration == 0 and ef <= 0:
            return self.day(ef)
        return self.day(ef - 1)

    def is_workday(self, d: date) -> bool:
        """Return whether ``d`` is a working day of this calendar."""
        t = _day_number(d)
        return t % 7 in self.workdays and t not in self._holiday_set

    # -- internals -----------------------------------------------------------------------------------------

    def _working_days_before(self, t: int) -> int:
        """C(t): working days strictly before day number ``t``, counted from day number 0."""
        weeks, weekday = divmod(t, 7)
        return weeks * len(self._sorted_workdays) + self._prefix[weekday] - bisect_left(self._holiday_days, t)

    def _nth_working_day(self, k: int) -> int:
        """Return the day number of the k-th (0-based) working day, the t with C(t) = k that is working.

        With ``j`` holidays skipped, the answer is the (k + j)-th working weekday. Start from j = 0 and set j to
        the number of holidays up to that weekday until it stops changing: j never overshoots the true count and
        only grows, so the loop ends on the answer after at most (holidays + 1) steps.
        """
        weekdays = self._sorted_workdays
        per_week = len(weekdays)
        skipped = 0
        while True:
            weeks, rank = divmod(k + skipped, per_week)
            t = weeks * 7 + weekdays[rank]
            holidays_so_far = bisect_right(self._holiday_days, t)
            if holidays_so_far == skipped:
                return t
            skipped = holidays_so_far


def _day_number(d: date) -> int:
    """Days since Monday 0001-01-01, so that ``_day_number(d) % 7 == d.weekday()``."""
    return d.toordinal() - 1
