"""Pure free-slot arithmetic (docs/specs/booking.md §3): working windows per local day, minus busy time.

No Django here: the booking services pass the organizer's weekly hours, zone, busy intervals and "now".
Windows are built per *local* day and converted to UTC one by one, so a DST day gets its real hours
(B11: 09:00-17:00 New York is 13:00Z-21:00Z on 2025-10-31 and 14:00Z-22:00Z on 2025-11-03).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

Interval = tuple[datetime, datetime]  # half-open [start, end), aware


@dataclass(frozen=True)
class SlotRequest:
    duration: timedelta
    travel_after: timedelta = timedelta(0)
    step: timedelta = timedelta(minutes=30)
    min_notice: timedelta = timedelta(0)


def working_windows(hours: Mapping[int, tuple[time, time]], tz: str, first_day: date, last_day: date) -> list[Interval]:
    """UTC windows for each local day in [first_day, last_day] that has working hours (weekday 0 = Monday)."""
    zone = ZoneInfo(tz)
    windows = []
    day = first_day
    while day <= last_day:
        interval = hours.get(day.weekday())
        if interval is not None:
            start = datetime.combine(day, interval[0], tzinfo=zone).astimezone(UTC)
            end = datetime.combine(day, interval[1], tzinfo=zone).astimezone(UTC)
            if end > start:
                windows.append((start, end))
        day += timedelta(days=1)
    return windows


def overlaps(a: Interval, b: Interval) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def inside_any(interval: Interval, windows: Iterable[Interval]) -> bool:
    return any(w[0] <= interval[0] and interval[1] <= w[1] for w in windows)


def free_slots(
    windows: Iterable[Interval], busy: Iterable[Interval], request: SlotRequest, now: datetime
) -> list[datetime]:
    """Starts t, stepped from each window's start, such that [t, t+duration) lies in the window,
    [t, t+duration+travel) overlaps no busy [starts, blocked_until), and t >= now + min_notice."""
    busy_sorted = sorted(busy)
    earliest = now + request.min_notice
    result: list[datetime] = []
    for window_start, window_end in sorted(windows):
        t = window_start
        while t + request.duration <= window_end:
            candidate = (t, t + request.duration + request.travel_after)
            if t >= earliest and not any(overlaps(candidate, b) for b in busy_sorted if b[0] < candidate[1]):
                result.append(t)
            t += request.step
    return result
