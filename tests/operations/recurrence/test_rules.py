"""Rules as RRULE text and from the schedule form."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from operations.recurrence import (
    FloatingUntilError,
    Frequency,
    InvalidRuleError,
    NthWeekday,
    RecurrenceError,
    RecurrenceRule,
    RuleEnd,
    RulePattern,
    UnsupportedRuleError,
    Weekday,
    build_rule,
    format_rrule,
    parse_rrule,
    resolve_zone,
)
from tests.operations.recurrence.support import (
    NY,
    expand,
    local_dates,
    utc,
)

# --- Rules: text -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "FREQ=WEEKLY;BYDAY=TU",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;COUNT=10",
        "FREQ=WEEKLY;BYDAY=TU;UNTIL=20251111T135959Z",
        "FREQ=MONTHLY;BYDAY=2TU",
        "FREQ=MONTHLY;INTERVAL=3;BYDAY=-1FR",
        "FREQ=MONTHLY;BYMONTHDAY=-1",
        "FREQ=MONTHLY;BYMONTHDAY=15;COUNT=6",
        "FREQ=WEEKLY",
        "FREQ=MONTHLY",
    ],
)
def test_format_rrule_round_trips_canonical_text(text: str) -> None:
    assert format_rrule(parse_rrule(text)) == text


def test_parse_rrule_accepts_prefix_lower_case_default_wkst_and_unsorted_days() -> None:
    rule = parse_rrule("rrule:freq=weekly;byday=FR,MO;wkst=MO;")

    assert rule == RecurrenceRule(Frequency.WEEKLY, weekdays=(Weekday.MO, Weekday.FR))


@pytest.mark.parametrize(
    "text",
    [
        "FREQ=DAILY",
        "FREQ=YEARLY;BYMONTH=3",
        "FREQ=WEEKLY;BYDAY=TU;BYSETPOS=1",
        "FREQ=WEEKLY;BYDAY=TU;WKST=SU",
        "FREQ=MONTHLY;BYDAY=TU",
        "FREQ=MONTHLY;BYDAY=1TU,3TU",
        "FREQ=MONTHLY;BYDAY=5TU",
        "FREQ=MONTHLY;BYDAY=-2FR",
        "FREQ=MONTHLY;BYMONTHDAY=1,15",
        "FREQ=MONTHLY;BYMONTHDAY=-2",
        "FREQ=MONTHLY;BYDAY=2FR;BYMONTHDAY=13",
    ],
)
def test_parse_rrule_accepts_what_issue_15_opened(text: str) -> None:
    assert format_rrule(parse_rrule(text)) == text


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        # Issue 15 opened every other rule this test used to refuse: see test_parse_rrule_accepts_what_issue_15_opened.
        ("FREQ=WEEKLY;BYDAY=TU;BYHOUR=9", "BYHOUR"),
        ("FREQ=DAILY;BYMINUTE=0,30", "BYMINUTE"),
        ("FREQ=DAILY;BYSECOND=5", "BYSECOND"),
        ("FREQ=HOURLY;INTERVAL=3", "hourly schedules"),
        ("FREQ=MINUTELY;INTERVAL=15;COUNT=6", "minutely schedules"),
        ("FREQ=SECONDLY", "secondly schedules"),
    ],
)
def test_parse_rrule_rejects_what_the_form_cannot_express(text: str, fragment: str) -> None:
    with pytest.raises(UnsupportedRuleError, match=fragment) as caught:
        parse_rrule(text)

    assert isinstance(caught.value, ValueError)
    assert caught.value.field == "rrule"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("FREQ=WEEKLY;BYDAY", "NAME=VALUE"),
        ("BYDAY=TU", "needs FREQ"),
        ("FREQ=FORTNIGHTLY", "not a repeat frequency"),
        ("FREQ=WEEKLY;FOO=1", "FOO is not"),
        ("FREQ=WEEKLY;BYDAY=TU;BYDAY=WE", "twice"),
        ("FREQ=WEEKLY;BYDAY=XX", "not a day of the week"),
        ("FREQ=WEEKLY;BYDAY=2TU", "position"),
        ("FREQ=WEEKLY;BYMONTHDAY=3", "day of the month"),
        ("FREQ=WEEKLY;INTERVAL=0", "at least 1"),
        ("FREQ=WEEKLY;INTERVAL=two", "whole number"),
        ("FREQ=WEEKLY;COUNT=0", "at least 1"),
        ("FREQ=WEEKLY;COUNT=3;UNTIL=20251111T135959Z", "not both"),
        ("FREQ=WEEKLY;UNTIL=tomorrow", "Cannot read the end"),
        ("FREQ=MONTHLY;BYMONTHDAY=32", "between 1 and 31"),
        ("FREQ=MONTHLY;BYDAY=0TU", "first to fourth"),
        ("DTSTART:20251007T090000\nRRULE:FREQ=WEEKLY", "start date is stored separately"),
    ],
)
def test_parse_rrule_rejects_malformed_text(text: str, fragment: str) -> None:
    with pytest.raises(InvalidRuleError, match=fragment) as caught:
        parse_rrule(text)

    assert not isinstance(caught.value, UnsupportedRuleError)


def test_parse_rrule_reads_date_only_until_as_end_of_local_day() -> None:
    rule = parse_rrule("FREQ=WEEKLY;BYDAY=TU;UNTIL=20251021", tz=NY)

    assert rule.until == utc(2025, 10, 22, 3, 59, 59)


def test_rule_normalizes_until_to_utc_and_days_to_sorted_unique() -> None:
    rule = RecurrenceRule(
        Frequency.WEEKLY,
        weekdays=(Weekday.FR, Weekday.MO, Weekday.FR),
        until=datetime(2025, 10, 21, 9, 0, 0, 500, tzinfo=resolve_zone(NY)),
    )

    assert rule.weekdays == (Weekday.MO, Weekday.FR)
    assert rule.until == utc(2025, 10, 21, 13)
    assert rule.until.tzinfo is UTC


def test_rule_rejects_naive_until() -> None:
    with pytest.raises(FloatingUntilError):
        RecurrenceRule(Frequency.WEEKLY, until=datetime(2025, 10, 21, 9, 0))


# --- Rules: form -------------------------------------------------------------------------------------------------


def test_build_rule_every_two_weeks_on_weekdays_after_n_visits() -> None:
    rule = build_rule(pattern=RulePattern.WEEKLY, tz=NY, interval=2, weekdays=[3, 0], ends=RuleEnd.AFTER_COUNT, count=8)

    assert format_rrule(rule) == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;COUNT=8"


def test_build_rule_monthly_by_last_day() -> None:
    rule = build_rule(pattern="monthly_by_date", tz=NY, month_day=-1, weekdays=[1])

    assert format_rrule(rule) == "FREQ=MONTHLY;BYMONTHDAY=-1"


def test_build_rule_monthly_by_nth_weekday() -> None:
    rule = build_rule(pattern=RulePattern.MONTHLY_BY_WEEKDAY, tz=NY, nth=-1, weekday=Weekday.FR)

    assert rule.nth_weekday == NthWeekday(-1, Weekday.FR)
    assert format_rrule(rule) == "FREQ=MONTHLY;BYDAY=-1FR"


def test_build_rule_ends_on_date_includes_visits_on_that_local_day() -> None:
    rule = build_rule(pattern=RulePattern.WEEKLY, tz=NY, weekdays=[1], ends=RuleEnd.ON_DATE, end_on=date(2025, 10, 21))

    assert rule.until == utc(2025, 10, 22, 3, 59, 59)
    assert local_dates(expand(rule, datetime(2025, 10, 7, 23, 30)))[-1] == date(2025, 10, 21)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"pattern": RulePattern.WEEKLY}, "weekdays"),
        ({"pattern": RulePattern.WEEKLY, "weekdays": [7]}, "weekdays"),
        ({"pattern": RulePattern.WEEKLY, "weekdays": [1], "interval": 0}, "interval"),
        ({"pattern": RulePattern.MONTHLY_BY_DATE}, "month_day"),
        ({"pattern": RulePattern.MONTHLY_BY_WEEKDAY, "weekday": 1}, "nth"),
        ({"pattern": RulePattern.MONTHLY_BY_WEEKDAY, "nth": 5, "weekday": 1}, "nth"),
        ({"pattern": RulePattern.MONTHLY_BY_WEEKDAY, "nth": 2}, "weekday"),
        ({"pattern": RulePattern.WEEKLY, "weekdays": [1], "ends": RuleEnd.ON_DATE}, "end_on"),
        ({"pattern": RulePattern.WEEKLY, "weekdays": [1], "ends": RuleEnd.AFTER_COUNT}, "count"),
        ({"pattern": RulePattern.WEEKLY, "weekdays": [1], "ends": RuleEnd.AFTER_COUNT, "count": 0}, "count"),
    ],
)
def test_build_rule_reports_the_form_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(RecurrenceError) as caught:
        build_rule(tz=NY, **kwargs)  # type: ignore[arg-type]

    assert caught.value.field == field
