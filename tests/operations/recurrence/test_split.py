""" "This and following": splitting a series (R13, R14)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from operations.recurrence import (
    InvalidRuleError,
    NotAnOccurrenceError,
    OffPatternStartError,
    count_occurrences_before,
    format_rrule,
    parse_rrule,
    remaining_count,
    split_series,
    split_until,
)
from tests.operations.recurrence.support import (
    NY,
    R1_START,
    TUESDAYS,
    expand,
    local_dates,
    utc,
)

# --- Split -------------------------------------------------------------------------------------------------------


def test_split_until_is_one_second_before_the_split_visit() -> None:
    assert split_until(utc(2025, 11, 11, 14)) == utc(2025, 11, 11, 13, 59, 59)


def test_remaining_count_counts_exdated_visits_as_used() -> None:
    rule = parse_rrule("FREQ=WEEKLY;BYDAY=TU;COUNT=10")

    assert count_occurrences_before(rule, R1_START, NY, utc(2025, 11, 11, 14)) == 5
    assert remaining_count(rule, R1_START, NY, utc(2025, 11, 11, 14)) == 5
    assert remaining_count(TUESDAYS, R1_START, NY, utc(2025, 11, 11, 14)) is None


def test_split_carries_cancelled_future_visits_to_the_new_series() -> None:
    rule = parse_rrule("FREQ=WEEKLY;BYDAY=TU;COUNT=10")
    exdates = [datetime(2025, 10, 14, 9, 0), datetime(2025, 11, 25, 9, 0)]

    split = split_series(
        rule, R1_START, NY, split_at=utc(2025, 11, 11, 14), new_local_start=datetime(2025, 11, 11, 10), exdates=exdates
    )

    assert split.visits_before == 5
    assert split.old_exdates == (datetime(2025, 10, 14, 9, 0),)
    assert split.new_exdates == (datetime(2025, 11, 25, 10, 0),)
    old_visits = expand(split.old_rule, R1_START, exdates=split.old_exdates)
    new_visits = expand(split.new_rule, split.new_local_start, exdates=split.new_exdates)
    assert len(old_visits) + len(new_visits) == 8  # 10 minus the two cancelled visits, as before the split


def test_split_to_another_weekday_rewrites_byday() -> None:
    split = split_series(
        parse_rrule("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"),
        R1_START,
        NY,
        split_at=utc(2025, 11, 4, 14),
        new_local_start=datetime(2025, 11, 5, 9, 0),
    )

    assert format_rrule(split.new_rule) == "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"
    assert local_dates(expand(split.new_rule, split.new_local_start, days=30)) == [
        date(2025, 11, 5),
        date(2025, 11, 19),
        date(2025, 12, 3),
    ]


def test_split_monthly_nth_weekday_follows_the_move() -> None:
    split = split_series(
        parse_rrule("FREQ=MONTHLY;BYDAY=2TU"),
        datetime(2026, 1, 13, 9, 0),
        NY,
        split_at=utc(2026, 3, 10, 13),
        new_local_start=datetime(2026, 3, 26, 9, 0),
    )

    assert format_rrule(split.new_rule) == "FREQ=MONTHLY;BYDAY=4TH"


def test_split_lists_exdates_that_do_not_fit_the_new_pattern() -> None:
    split = split_series(
        TUESDAYS,
        R1_START,
        NY,
        split_at=utc(2025, 11, 11, 14),
        new_pattern=parse_rrule("FREQ=MONTHLY;BYDAY=2TU"),
        exdates=[datetime(2025, 11, 18, 9, 0)],
    )

    assert split.new_exdates == ()
    assert split.unmapped_exdates == (datetime(2025, 11, 18, 9, 0),)


def test_split_rejects_an_instant_that_is_not_a_visit() -> None:
    with pytest.raises(NotAnOccurrenceError, match="Tuesday 11 November 2025 10:00"):
        split_series(TUESDAYS, R1_START, NY, split_at=utc(2025, 11, 11, 15))


def test_split_rejects_a_new_start_off_the_given_pattern() -> None:
    with pytest.raises(OffPatternStartError):
        split_series(
            TUESDAYS,
            R1_START,
            NY,
            split_at=utc(2025, 11, 11, 14),
            new_local_start=datetime(2025, 11, 12, 9, 0),
            new_pattern=TUESDAYS,
        )


def test_split_rejects_a_new_pattern_with_its_own_end() -> None:
    with pytest.raises(InvalidRuleError, match="inherits"):
        split_series(
            TUESDAYS, R1_START, NY, split_at=utc(2025, 11, 11, 14), new_pattern=parse_rrule("FREQ=WEEKLY;COUNT=3")
        )
