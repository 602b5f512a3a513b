"""Shared values and helpers for the recurrence engine tests (docs/specs/recurrence.md)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from operations.recurrence import (
    MAX_WINDOW,
    Occurrence,
    RecurrenceRule,
    expand_occurrences,
    local_to_utc,
    parse_rrule,
    utc_to_local,
)

NY = "America/New_York"
BERLIN = "Europe/Berlin"
TWO_HOURS = timedelta(hours=2)
R1_START = datetime(2025, 10, 7, 9, 0)
TUESDAYS = parse_rrule("FREQ=WEEKLY;BYDAY=TU")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def starts(occurrences: list[Occurrence]) -> list[datetime]:
    return [o.starts for o in occurrences]


def expand(
    rule: RecurrenceRule,
    local_start: datetime,
    tz: str = NY,
    *,
    window_start: datetime | None = None,
    days: int = 366,
    exdates: Iterable[datetime] = (),
    rdates: Iterable[datetime] = (),
) -> list[Occurrence]:
    """Expand over ``days`` from ``window_start``, by default a day before the series start."""
    low = window_start or local_to_utc(local_start, tz) - timedelta(days=1)
    high = low + timedelta(days=days)
    return expand_occurrences(rule, local_start, tz, low, high, duration=TWO_HOURS, exdates=exdates, rdates=rdates)


def local_dates(occurrences: list[Occurrence], tz: str = NY) -> list[date]:
    return [utc_to_local(o.starts, tz).date() for o in occurrences]


def on(year: int, month: int, *days: int) -> list[date]:
    """``on(1997, 9, 2, 4)`` is 2 and 4 September 1997: the RFC lists dates this way."""
    return [date(year, month, day) for day in days]


def every_day(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def rfc_dates(text: str, dtstart: datetime, through: date, *, exdates: Iterable[datetime] = ()) -> list[date]:
    """Expand an RFC 5545 example (DTSTART in New York) up to the end of ``through``, window by window.

    Every visit must be at 09:00 New York time, EDT or EST as the RFC shows; the dates are returned.
    """
    rule = parse_rrule(text)
    low = local_to_utc(dtstart, NY)
    end = local_to_utc(datetime.combine(through + timedelta(days=1), time(0)), NY)
    occurrences: list[Occurrence] = []
    while low < end:
        high = min(low + MAX_WINDOW, end)
        occurrences += expand_occurrences(rule, dtstart, NY, low, high, duration=TWO_HOURS, exdates=exdates)
        low = high
    walls = [utc_to_local(o.starts, NY) for o in occurrences]
    assert {wall.time() for wall in walls} <= {time(9)}
    return [wall.date() for wall in walls]
