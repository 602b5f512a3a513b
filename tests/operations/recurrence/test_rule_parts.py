"""Rule parts issue 15 opened: lists, positions, WKST, BYSETPOS, daily, yearly (docs/specs/recurrence-rfc5545.md)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from dateutil import rrule as du

from operations.recurrence import (
    Frequency,
    InvalidRuleError,
    NthWeekday,
    OffPatternStartError,
    RecurrenceRule,
    Weekday,
    format_rrule,
    normalize_local_start,
    parse_rrule,
    resolve_zone,
    split_series,
    utc_to_local,
)
from tests.operations.recurrence.support import NY, expand, local_dates, starts, utc


@pytest.mark.parametrize(
    "text",
    [
        "FREQ=DAILY;INTERVAL=2;BYMONTH=1,7;BYDAY=MO,FR;BYMONTHDAY=1,-1;COUNT=5",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=SU",
        "FREQ=MONTHLY;BYDAY=1SU,3SU,-2SU,-1SU",
        "FREQ=MONTHLY;BYDAY=MO,1FR;BYSETPOS=1,-1",
        "FREQ=YEARLY;BYMONTH=4,10;BYWEEKNO=14,-1;BYYEARDAY=100,-1;BYDAY=MO",
        "FREQ=YEARLY;BYDAY=20MO,-53SU;UNTIL=20301231T235959Z",
    ],
)
def test_canonical_text_of_every_part_round_trips(text: str) -> None:
    assert format_rrule(parse_rrule(text)) == text


def test_lists_are_sorted_in_reading_order_and_deduplicated() -> None:
    rule = parse_rrule("FREQ=MONTHLY;BYMONTHDAY=-1,15,1,15;BYDAY=-1SU,1SU,3TU")

    assert rule.month_days == (1, 15, -1)
    assert rule.nth_weekdays == (NthWeekday(1, Weekday.SU), NthWeekday(3, Weekday.TU), NthWeekday(-1, Weekday.SU))
    assert format_rrule(rule) == "FREQ=MONTHLY;BYDAY=1SU,3TU,-1SU;BYMONTHDAY=1,15,-1"


def test_one_element_shorthands_match_the_lists() -> None:
    assert RecurrenceRule(Frequency.MONTHLY, month_day=15) == RecurrenceRule(Frequency.MONTHLY, month_days=(15,))
    assert parse_rrule("FREQ=MONTHLY;BYDAY=2TU").nth_weekday == NthWeekday(2, Weekday.TU)
    assert parse_rrule("FREQ=MONTHLY;BYDAY=1TU,3TU").nth_weekday is None
    assert parse_rrule("FREQ=MONTHLY;BYMONTHDAY=1,15").month_day is None


def test_a_shorthand_that_disagrees_with_its_list_is_refused() -> None:
    with pytest.raises(InvalidRuleError, match="disagree"):
        RecurrenceRule(Frequency.MONTHLY, month_day=2, month_days=(1, 15))


def test_daily_keeps_the_wall_clock_across_spring_forward() -> None:
    occurrences = expand(parse_rrule("FREQ=DAILY;COUNT=4"), datetime(2026, 3, 6, 9, 0), days=10)

    assert starts(occurrences) == [utc(2026, 3, 6, 14), utc(2026, 3, 7, 14), utc(2026, 3, 8, 13), utc(2026, 3, 9, 13)]


def test_daily_count_is_used_before_exdates() -> None:
    rule = parse_rrule("FREQ=DAILY;COUNT=5")  # a move week: five days

    occurrences = expand(rule, datetime(2026, 6, 1, 8, 0), exdates=[datetime(2026, 6, 3, 8, 0)])

    assert local_dates(occurrences) == [date(2026, 6, 1), date(2026, 6, 2), date(2026, 6, 4), date(2026, 6, 5)]


def test_yearly_closet_swap_in_april_and_october() -> None:
    rule = parse_rrule("FREQ=YEARLY;BYMONTH=4,10;BYMONTHDAY=1")

    dates = local_dates(expand(rule, datetime(2026, 4, 1, 10, 0), days=366))

    assert dates == [date(2026, 4, 1), date(2026, 10, 1)]


def test_weekly_bysetpos_picks_among_the_whole_week_as_rfc_5545_says() -> None:
    # The week of Wednesday 7 January 2026 has Monday 5, Wednesday 7, Friday 9: the second is Wednesday 7.
    # dateutil alone would build that first week from Wednesday on and pick Friday 9.
    rule = parse_rrule("FREQ=WEEKLY;BYDAY=MO,WE,FR;BYSETPOS=2")
    start = datetime(2026, 1, 7, 9, 0)
    plain = du.rrulestr(format_rrule(rule), dtstart=start.replace(tzinfo=resolve_zone(NY)))

    assert local_dates(expand(rule, start, days=15)) == [date(2026, 1, 7), date(2026, 1, 14)]
    assert plain[0].date() == date(2026, 1, 9)  # type: ignore[index]
    assert normalize_local_start(rule, datetime(2026, 1, 6, 9, 0), NY) == start


def test_wkst_decides_which_weeks_an_every_other_week_rule_skips() -> None:
    start = datetime(1997, 8, 5, 9, 0)

    monday_weeks = expand(parse_rrule("FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU"), start)
    sunday_weeks = expand(parse_rrule("FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU"), start)

    assert [d.day for d in local_dates(monday_weeks)] == [5, 10, 19, 24]
    assert [d.day for d in local_dates(sunday_weeks)] == [5, 17, 19, 31]


def test_split_keeps_count_for_a_rule_with_two_positions() -> None:
    rule = parse_rrule("FREQ=MONTHLY;BYDAY=1TU,3TU;COUNT=6")
    start = datetime(2026, 1, 6, 9, 0)
    visits = expand(rule, start)

    split = split_series(rule, start, NY, split_at=visits[2].original_start)

    assert split.visits_before == 2
    assert split.new_rule == parse_rrule("FREQ=MONTHLY;BYDAY=1TU,3TU;COUNT=4")
    assert split.new_local_start == utc_to_local(visits[2].original_start, NY)
    assert starts(expand(split.new_rule, split.new_local_start)) == starts(visits[2:])


def test_a_move_off_a_rule_the_engine_cannot_rewrite_asks_for_the_new_pattern() -> None:
    rule = parse_rrule("FREQ=MONTHLY;BYDAY=1TU,3TU")
    start = datetime(2026, 1, 6, 9, 0)

    with pytest.raises(OffPatternStartError):
        split_series(rule, start, NY, split_at=utc(2026, 2, 3, 14), new_local_start=datetime(2026, 2, 4, 9, 0))

    moved = split_series(
        rule,
        start,
        NY,
        split_at=utc(2026, 2, 3, 14),
        new_local_start=datetime(2026, 2, 4, 9, 0),
        new_pattern=parse_rrule("FREQ=MONTHLY;BYDAY=1WE,3WE"),
    )
    assert format_rrule(moved.new_rule) == "FREQ=MONTHLY;BYDAY=1WE,3WE"
