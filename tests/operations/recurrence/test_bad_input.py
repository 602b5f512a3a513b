"""Bad rules get a clear message, a ValueError subclass and the form field (docs/specs/recurrence-rfc5545.md)."""

from __future__ import annotations

import time as clock
from datetime import datetime

import pytest

from operations.recurrence import (
    FLOATING_UNTIL_MSG,
    EmptySeriesError,
    EndsBeforeStartError,
    FloatingUntilError,
    InvalidRuleError,
    NoVisitSoonError,
    RecurrenceError,
    UnsupportedRuleError,
    check_local_start,
    normalize_local_start,
    parse_rrule,
)
from tests.operations.recurrence.support import NY, expand


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("FREQ=WEEKLY;=TU", "NAME=VALUE"),
        ("FREQ=WEEKLY;BYDAY=", "NAME=VALUE"),
        ("FREQ=WEEKLY BYDAY=TU", "'WEEKLY BYDAY=TU' is not a repeat frequency"),
        ("FREQ=WEEKLY;BYDAY=TU=WE", "'TU=WE' is not a day of the week"),
        ("FREQ=DAILY;COUNT=ten", "COUNT must be a whole number"),
        ("FREQ=MONTHLY;BYMONTHDAY=1,,15", "BYMONTHDAY must be a whole number"),
        ("FREQ=WEEKLY;BYDAY=TUE", "not a day of the week"),
        ("FREQ=WEEKLY;WKST=XX", "WKST must be a day of the week"),
        ("FREQ=WEEKLY;UNTIL=2025-10-21", "Cannot read the end"),
    ],
)
def test_malformed_rrule_text_is_refused_with_a_clear_message(text: str, fragment: str) -> None:
    with pytest.raises(InvalidRuleError, match=fragment) as caught:
        parse_rrule(text)

    assert caught.value.field == "rrule"
    assert not isinstance(caught.value, UnsupportedRuleError)


def test_until_before_dtstart_is_refused() -> None:
    rule = parse_rrule("FREQ=DAILY;UNTIL=20251001T000000Z")

    with pytest.raises(EndsBeforeStartError, match="ends .* before its first visit starts") as caught:
        check_local_start(rule, datetime(2025, 10, 7, 9, 0), NY)

    assert isinstance(caught.value, EmptySeriesError)
    assert "Tuesday 7 October 2025 09:00" in str(caught.value)
    assert caught.value.field == "until"


def test_count_zero_is_refused() -> None:
    with pytest.raises(InvalidRuleError, match="number of visits must be at least 1"):
        parse_rrule("FREQ=DAILY;COUNT=0")


@pytest.mark.parametrize(
    "text", ["FREQ=MONTHLY;BYMONTHDAY=32", "FREQ=MONTHLY;BYMONTHDAY=-32", "FREQ=YEARLY;BYMONTHDAY=0"]
)
def test_bymonthday_out_of_range_is_refused(text: str) -> None:
    with pytest.raises(InvalidRuleError, match="between 1 and 31"):
        parse_rrule(text)


def test_bysetpos_zero_is_refused() -> None:
    with pytest.raises(InvalidRuleError, match="BYSETPOS must be between 1 and 366.*not 0"):
        parse_rrule("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=0")


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", datetime(2026, 1, 1, 9, 0)),
        ("FREQ=MONTHLY;BYMONTH=4,6,9,11;BYMONTHDAY=31", datetime(2026, 1, 1, 9, 0)),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", datetime(2026, 1, 1, 9, 0)),
        ("FREQ=DAILY;INTERVAL=7;BYDAY=MO", datetime(2026, 1, 6, 9, 0)),  # every 7 days from a Tuesday
        ("FREQ=WEEKLY;BYDAY=MO,TU;BYSETPOS=3", datetime(2026, 1, 6, 9, 0)),
        ("FREQ=YEARLY;BYWEEKNO=1;BYMONTH=7", datetime(2026, 1, 6, 9, 0)),
        # Valid and not impossible: 29 February falls on a Monday in 2044, more than five years away.
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO", datetime(2026, 1, 1, 9, 0)),
    ],
)
def test_rule_with_no_visit_in_its_first_five_years_is_refused_quickly(text: str, start: datetime) -> None:
    rule = parse_rrule(text)
    began = clock.perf_counter()

    with pytest.raises(NoVisitSoonError, match="no visit in the five years from") as caught:
        normalize_local_start(rule, start, NY)
    # Iterating the rule would take dateutil to the year 9999 (13 s for the daily one); nothing here does.
    assert expand(rule, start) == []

    assert clock.perf_counter() - began < 2
    assert caught.value.field == "rrule"


def test_a_rule_whose_first_visit_is_within_five_years_is_accepted() -> None:
    # 29 February 2028 is a Tuesday: two years away.
    rule = parse_rrule("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=TU")

    assert normalize_local_start(rule, datetime(2026, 1, 1, 9, 0), NY) == datetime(2028, 2, 29, 9, 0)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("FREQ=HOURLY", "hourly schedules"),
        ("FREQ=MINUTELY;INTERVAL=15", "minutely schedules"),
        ("FREQ=SECONDLY", "secondly schedules"),
        ("FREQ=DAILY;BYHOUR=9,14", "BYHOUR is not supported: a schedule has one visit a day"),
    ],
)
def test_sub_daily_rules_are_refused(text: str, fragment: str) -> None:
    with pytest.raises(UnsupportedRuleError, match=fragment):
        parse_rrule(text)


def test_floating_until_without_a_zone_is_refused_when_dtstart_has_one() -> None:
    # The series start always has the site's zone, so RFC 5545 wants UNTIL in UTC; parsing without the zone refuses.
    with pytest.raises(FloatingUntilError, match=FLOATING_UNTIL_MSG.split(" (")[0]) as caught:
        parse_rrule("FREQ=DAILY;UNTIL=20251021T090000")

    assert caught.value.field == "rrule"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("FREQ=MONTHLY;BYDAY=6MO", "in a month must be 1 to 5"),
        ("FREQ=YEARLY;BYMONTH=3;BYDAY=-6SU", "in a month must be 1 to 5"),
        ("FREQ=YEARLY;BYDAY=54MO", "in a year must be 1 to 53"),
        ("FREQ=DAILY;BYDAY=1MO", "daily schedule cannot use a position"),
        ("FREQ=YEARLY;BYWEEKNO=20;BYDAY=1MO", "BYWEEKNO the days cannot carry a position"),
        ("FREQ=MONTHLY;BYWEEKNO=20", "only be used in a yearly schedule"),
        ("FREQ=MONTHLY;BYYEARDAY=100", "BYYEARDAY cannot be used in a daily, weekly or monthly"),
        ("FREQ=YEARLY;BYYEARDAY=367", "day of the year must be between 1 and 366"),
        ("FREQ=YEARLY;BYWEEKNO=54", "week number must be between 1 and 53"),
        ("FREQ=YEARLY;BYMONTH=13", "month must be between 1 and 12"),
        ("FREQ=MONTHLY;BYSETPOS=1", "BYSETPOS picks among the days another BY part lists"),
        ("FREQ=FORTNIGHTLY", "not a repeat frequency"),
    ],
)
def test_values_rfc_5545_forbids_are_refused(text: str, fragment: str) -> None:
    with pytest.raises(InvalidRuleError, match=fragment) as caught:
        parse_rrule(text)

    assert isinstance(caught.value, RecurrenceError)
    assert isinstance(caught.value, ValueError)
    assert caught.value.field == "rrule"
