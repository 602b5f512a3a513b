"""Zones, expansion windows, series starts and the next visit."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from operations.recurrence import (
    EmptySeriesError,
    InvalidStartError,
    InvalidWindowError,
    Occurrence,
    UnknownTimeZoneError,
    WallTimeKind,
    classify_wall_time,
    expand_occurrences,
    next_occurrence,
    normalize_local_start,
    parse_rrule,
    resolve_zone,
)
from tests.operations.recurrence.support import (
    NY,
    R1_START,
    TUESDAYS,
    TWO_HOURS,
    starts,
    utc,
)

# --- Zones, windows, starts --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "", "localtime", "../etc/passwd", "america/new_york"])
def test_resolve_zone_rejects_unknown_names(name: str) -> None:
    with pytest.raises(UnknownTimeZoneError, match="IANA"):
        resolve_zone(name)


def test_expand_rejects_unknown_zone() -> None:
    with pytest.raises(UnknownTimeZoneError):
        expand_occurrences(TUESDAYS, R1_START, "Eastern", utc(2025, 10, 1), utc(2025, 11, 1), duration=TWO_HOURS)


@pytest.mark.parametrize(
    ("low", "high"),
    [
        (datetime(2025, 10, 1), utc(2025, 11, 1)),
        (utc(2025, 11, 1), utc(2025, 10, 1)),
    ],
)
def test_expand_rejects_naive_or_reversed_window(low: datetime, high: datetime) -> None:
    with pytest.raises(InvalidWindowError):
        expand_occurrences(TUESDAYS, R1_START, NY, low, high, duration=TWO_HOURS)


@pytest.mark.parametrize("bad_start", [datetime(2025, 10, 7, 13, tzinfo=UTC), datetime(2025, 10, 7, 9, 0, 0, 1)])
def test_expand_rejects_aware_or_fractional_local_start(bad_start: datetime) -> None:
    with pytest.raises(InvalidStartError):
        expand_occurrences(TUESDAYS, bad_start, NY, utc(2025, 10, 1), utc(2025, 11, 1), duration=TWO_HOURS)


def test_window_is_half_open_on_the_start_instant() -> None:
    occurrences = expand_occurrences(
        TUESDAYS, R1_START, NY, utc(2025, 10, 7, 13), utc(2025, 10, 14, 13), duration=TWO_HOURS
    )

    assert starts(occurrences) == [utc(2025, 10, 7, 13)]


def test_normalize_raises_when_until_cuts_every_visit() -> None:
    rule = parse_rrule("FREQ=WEEKLY;BYDAY=TU;UNTIL=20251010T000000Z")

    with pytest.raises(EmptySeriesError):
        normalize_local_start(rule, datetime(2025, 10, 8, 9, 0), NY)


@pytest.mark.parametrize(
    ("wall", "kind"),
    [
        (datetime(2026, 3, 8, 2, 30), WallTimeKind.NONEXISTENT),
        (datetime(2025, 11, 2, 1, 30), WallTimeKind.AMBIGUOUS),
        (datetime(2025, 11, 2, 9, 0), WallTimeKind.NORMAL),
    ],
)
def test_classify_wall_time(wall: datetime, kind: WallTimeKind) -> None:
    assert classify_wall_time(wall, NY) is kind


def test_next_occurrence_skips_started_and_cancelled_visits() -> None:
    found = next_occurrence(
        TUESDAYS,
        R1_START,
        NY,
        after=utc(2025, 10, 14, 13),
        duration=TWO_HOURS,
        exdates=[datetime(2025, 10, 21, 9, 0)],
    )

    assert found == Occurrence(utc(2025, 10, 28, 13), utc(2025, 10, 28, 13), utc(2025, 10, 28, 15))


def test_next_occurrence_is_none_after_the_series_ends() -> None:
    rule = parse_rrule("FREQ=WEEKLY;BYDAY=TU;COUNT=2")

    assert next_occurrence(rule, R1_START, NY, after=utc(2025, 10, 14, 13), duration=TWO_HOURS) is None
