"""Shared values and helpers for the recurrence engine tests (docs/specs/recurrence.md)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from operations.recurrence import (
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
