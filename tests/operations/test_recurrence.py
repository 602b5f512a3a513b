"""Tests for the pure recurrence engine (OPERATIONS.md §1.4 R1-R20, the pure ones, plus properties).

No database: run with ``-p no:django``. Scenario tests start with their id and assert the document's values.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

import pytest
from dateutil import rrule as du
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from operations.recurrence import (
    FLOATING_UNTIL_MSG,
    MAX_WINDOW,
    EmptySeriesError,
    FloatingUntilError,
    Frequency,
    InvalidRuleError,
    InvalidStartError,
    InvalidWindowError,
    NotAnOccurrenceError,
    NthWeekday,
    Occurrence,
    OffPatternStartError,
    RecurrenceError,
    RecurrenceRule,
    RuleEnd,
    RulePattern,
    UnknownTimeZoneError,
    UnsupportedRuleError,
    WallTimeKind,
    Weekday,
    WindowTooLargeError,
    build_rule,
    check_local_start,
    classify_wall_time,
    count_occurrences_before,
    expand_occurrences,
    format_rrule,
    local_to_utc,
    materialization_window,
    next_occurrence,
    normalize_local_start,
    parse_rrule,
    remaining_count,
    resolve_zone,
    split_series,
    split_until,
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


# --- Acceptance scenarios ----------------------------------------------------------------------------------------


def test_R1_wall_clock_across_fall_back() -> None:
    by_day = {utc_to_local(o.starts, NY).date(): o for o in expand(TUESDAYS, R1_START, days=60)}

    assert by_day[date(2025, 10, 28)].starts == utc(2025, 10, 28, 13)
    assert by_day[date(2025, 11, 4)].starts == utc(2025, 11, 4, 14)
    assert by_day[date(2025, 11, 4)].ends == utc(2025, 11, 4, 16)
    assert by_day[date(2025, 11, 4)].original_start == utc(2025, 11, 4, 14)
    assert by_day[date(2025, 11, 11)].starts == utc(2025, 11, 11, 14)


def test_R2_europe_wall_clock_across_spring_forward() -> None:
    rule = parse_rrule("FREQ=WEEKLY;BYDAY=MO")

    occurrences = expand(rule, datetime(2026, 3, 23, 10, 0), BERLIN, days=14)

    assert starts(occurrences)[:2] == [utc(2026, 3, 23, 9), utc(2026, 3, 30, 8)]


def test_R3_until_is_inclusive() -> None:
    rule = parse_rrule("FREQ=WEEKLY;BYDAY=TU;UNTIL=20251021T130000Z")

    assert starts(expand(rule, R1_START)) == [utc(2025, 10, 7, 13), utc(2025, 10, 14, 13), utc(2025, 10, 21, 13)]


def test_R3_floating_until_is_rejected_without_a_zone() -> None:
    with pytest.raises(FloatingUntilError, match=FLOATING_UNTIL_MSG.split(" (")[0]):
        parse_rrule("FREQ=WEEKLY;BYDAY=TU;UNTIL=20251021T090000")


def test_R3_floating_until_is_normalized_to_utc_with_the_series_zone() -> None:
    rule = parse_rrule("FREQ=WEEKLY;BYDAY=TU;UNTIL=20251021T090000", tz=NY)

    assert rule.until == utc(2025, 10, 21, 13)
    assert format_rrule(rule) == "FREQ=WEEKLY;BYDAY=TU;UNTIL=20251021T130000Z"
    assert len(expand(rule, R1_START)) == 3


def test_R4_exdate_in_local_time_still_consumes_count() -> None:
    rule = parse_rrule("FREQ=WEEKLY;BYDAY=TU;COUNT=4")

    occurrences = expand(rule, R1_START, exdates=[datetime(2025, 10, 14, 9, 0)])

    assert starts(occurrences) == [utc(2025, 10, 7, 13), utc(2025, 10, 21, 13), utc(2025, 10, 28, 13)]


def test_R4_exdate_at_the_wrong_instant_removes_nothing() -> None:
    rule = parse_rrule("FREQ=WEEKLY;BYDAY=TU;COUNT=4")

    occurrences = expand(rule, R1_START, exdates=[utc(2025, 10, 14, 9)])

    assert len(occurrences) == 4
    assert utc(2025, 10, 14, 13) in starts(occurrences)


def test_R5_rdate_adds_a_visit_outside_count() -> None:
    rule = parse_rrule("FREQ=WEEKLY;BYDAY=TU;COUNT=4")

    occurrences = expand(rule, R1_START, exdates=[datetime(2025, 10, 14, 9, 0)], rdates=[datetime(2025, 10, 16, 9, 0)])

    assert starts(occurrences) == [
        utc(2025, 10, 7, 13),
        utc(2025, 10, 16, 13),
        utc(2025, 10, 21, 13),
        utc(2025, 10, 28, 13),
    ]


def test_R6_day_31_skips_short_months() -> None:
    rule = parse_rrule("FREQ=MONTHLY;BYMONTHDAY=31")

    dates = local_dates(expand(rule, datetime(2026, 1, 31, 9, 0)))[:4]

    assert dates == [date(2026, 1, 31), date(2026, 3, 31), date(2026, 5, 31), date(2026, 7, 31)]


def test_R6_last_day_of_month_lands_in_every_month() -> None:
    rule = parse_rrule("FREQ=MONTHLY;BYMONTHDAY=-1")

    dates = local_dates(expand(rule, datetime(2026, 1, 31, 9, 0)))[:4]

    assert dates == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]


def test_R7_second_tuesday_keeps_wall_clock() -> None:
    rule = parse_rrule("FREQ=MONTHLY;BYDAY=2TU")

    occurrences = expand(rule, datetime(2026, 1, 13, 9, 0))[:3]

    assert starts(occurrences) == [utc(2026, 1, 13, 14), utc(2026, 2, 10, 14), utc(2026, 3, 10, 13)]


def test_R8_every_four_weeks_is_not_monthly() -> None:
    rule = parse_rrule("FREQ=WEEKLY;INTERVAL=4")

    dates = local_dates(expand(rule, datetime(2026, 1, 6, 9, 0)))[:4]

    assert dates == [date(2026, 1, 6), date(2026, 2, 3), date(2026, 3, 3), date(2026, 3, 31)]


def test_R9_off_pattern_start_is_normalized_to_first_visit() -> None:
    assert normalize_local_start(TUESDAYS, datetime(2025, 10, 8, 9, 0), NY) == datetime(2025, 10, 14, 9, 0)


def test_R9_off_pattern_start_is_rejected_by_the_strict_check() -> None:
    with pytest.raises(OffPatternStartError) as caught:
        check_local_start(TUESDAYS, datetime(2025, 10, 8, 9, 0), NY)

    assert caught.value.suggested_local_start == datetime(2025, 10, 14, 9, 0)
    assert caught.value.field == "local_start"
    assert "Wednesday 8 October 2025" in str(caught.value)


def test_R9_expansion_never_yields_the_off_pattern_start() -> None:
    occurrences = expand(TUESDAYS, datetime(2025, 10, 8, 9, 0), days=30)

    assert occurrences[0].starts == utc(2025, 10, 14, 13)


EVERY_DAY = RecurrenceRule(Frequency.WEEKLY, weekdays=tuple(Weekday))  # "daily" in the supported subset


def test_R10_nonexistent_time_uses_offset_before_gap() -> None:
    occurrences = expand(EVERY_DAY, datetime(2026, 3, 6, 2, 30), days=5)
    on_gap_day = next(o for o in occurrences if o.starts.date() == date(2026, 3, 8))

    assert on_gap_day.starts == utc(2026, 3, 8, 7, 30)
    assert utc_to_local(on_gap_day.starts, NY) == datetime(2026, 3, 8, 3, 30)


def test_R10_ambiguous_time_is_the_first_occurrence() -> None:
    occurrences = expand(EVERY_DAY, datetime(2025, 10, 31, 1, 30), days=5)
    on_overlap_day = next(o for o in occurrences if o.starts.date() == date(2025, 11, 2))

    assert on_overlap_day.starts == utc(2025, 11, 2, 5, 30)
    assert local_to_utc(datetime(2025, 11, 2, 1, 30), NY) == utc(2025, 11, 2, 5, 30)


def test_R11_moved_visit_keeps_an_original_start_that_is_a_visit() -> None:
    # Pure part only: the row update and the re-materialization are Django-layer tests.
    assert utc(2025, 10, 14, 13) in starts(expand(TUESDAYS, R1_START, days=14))
    assert local_to_utc(datetime(2025, 10, 15, 13, 0), NY) == utc(2025, 10, 15, 17)


def test_R12_cancelled_visit_stays_out_of_re_expansion() -> None:
    # Pure part only: the status change and exdates write are Django-layer tests.
    occurrences = expand(TUESDAYS, R1_START, days=60, exdates=[datetime(2025, 10, 21, 9, 0)])

    assert utc(2025, 10, 21, 13) not in starts(occurrences)
    assert utc(2025, 10, 28, 13) in starts(occurrences)


def test_R13_this_and_following_on_open_ended_series() -> None:
    split = split_series(
        TUESDAYS, R1_START, NY, split_at=utc(2025, 11, 11, 14), new_local_start=datetime(2025, 11, 11, 10, 0)
    )

    assert format_rrule(split.old_rule) == "FREQ=WEEKLY;BYDAY=TU;UNTIL=20251111T135959Z"
    assert starts(expand(split.old_rule, R1_START))[-1] == utc(2025, 11, 4, 14)
    assert split.new_local_start == datetime(2025, 11, 11, 10, 0)
    assert split.new_rule == TUESDAYS
    new_visits = expand(split.new_rule, split.new_local_start, days=21)
    assert starts(new_visits) == [utc(2025, 11, 11, 15), utc(2025, 11, 18, 15), utc(2025, 11, 25, 15)]


def test_R14_this_and_following_with_count_keeps_the_total() -> None:
    rule = parse_rrule("FREQ=WEEKLY;BYDAY=TU;COUNT=10")

    split = split_series(
        rule, R1_START, NY, split_at=utc(2025, 11, 11, 14), new_local_start=datetime(2025, 11, 11, 10, 0)
    )

    old_visits = expand(split.old_rule, R1_START)
    new_visits = expand(split.new_rule, split.new_local_start)
    assert split.old_rule.until == utc(2025, 11, 11, 13, 59, 59)
    assert split.old_rule.count is None
    assert len(old_visits) == 5
    assert split.new_rule.count == 5
    assert local_dates(new_visits) == [
        date(2025, 11, 11),
        date(2025, 11, 18),
        date(2025, 11, 25),
        date(2025, 12, 2),
        date(2025, 12, 9),
    ]
    assert {utc_to_local(o.starts, NY).time() for o in new_visits} == {time(10, 0)}
    assert new_visits[-1].starts == utc(2025, 12, 9, 15)
    assert len(old_visits) + len(new_visits) == 10


def test_R15_horizon_window_lists_twelve_visits_then_one_more_next_day() -> None:
    # Pure part only: the row inserts and their idempotency are Django-layer tests.
    now = local_to_utc(datetime(2025, 10, 1, 0, 0), NY)
    low, high = materialization_window(now, horizon_days=90, tz=NY)

    first_run = expand_occurrences(TUESDAYS, R1_START, NY, low, high, duration=TWO_HOURS)
    next_low, next_high = materialization_window(now + timedelta(days=1), horizon_days=90, tz=NY)
    second_run = expand_occurrences(TUESDAYS, R1_START, NY, next_low, next_high, duration=TWO_HOURS)

    assert high == datetime(2025, 12, 30, 0, 0, tzinfo=resolve_zone(NY))
    assert len(first_run) == 12
    assert (local_dates(first_run)[0], local_dates(first_run)[-1]) == (date(2025, 10, 7), date(2025, 12, 23))
    assert set(starts(second_run)) - set(starts(first_run)) == {utc(2025, 12, 30, 14)}


def test_R16_window_over_366_days_is_refused_without_expanding() -> None:
    # The open-ended rule is never iterated: the window is checked first (the view maps the error to 400).
    low = utc(2025, 10, 1)

    with pytest.raises(WindowTooLargeError, match="400 days"):
        expand_occurrences(TUESDAYS, R1_START, NY, low, low + timedelta(days=400), duration=TWO_HOURS)

    assert len(expand_occurrences(TUESDAYS, R1_START, NY, low, low + MAX_WINDOW, duration=TWO_HOURS)) == 52


def test_R18_library_guard_nov_4_is_14z_through_rrule_text() -> None:
    rule = parse_rrule("RRULE:FREQ=WEEKLY;BYDAY=TU")

    occurrences = expand_occurrences(rule, R1_START, NY, utc(2025, 11, 4), utc(2025, 11, 5), duration=TWO_HOURS)

    assert starts(occurrences) == [utc(2025, 11, 4, 14)]


def test_R18_utc_dtstart_is_the_bug_the_engine_avoids() -> None:
    # What django-recurrence does (serialize DTSTART in UTC): the November visit drifts to 08:00 EST.
    drifting = du.rrule(du.WEEKLY, dtstart=utc(2025, 10, 7, 13), byweekday=du.TU, count=5)

    assert list(drifting)[-1] == utc(2025, 11, 4, 13)


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
    ("text", "fragment"),
    [
        ("FREQ=DAILY", "daily schedules"),
        ("FREQ=YEARLY;BYMONTH=3", "BYMONTH"),
        ("FREQ=WEEKLY;BYDAY=TU;BYSETPOS=1", "BYSETPOS"),
        ("FREQ=WEEKLY;BYDAY=TU;BYHOUR=9", "BYHOUR"),
        ("FREQ=WEEKLY;BYDAY=TU;WKST=SU", "WKST=MO"),
        ("FREQ=MONTHLY;BYDAY=TU", "every Tuesday"),
        ("FREQ=MONTHLY;BYDAY=1TU,3TU", "only one weekday position"),
        ("FREQ=MONTHLY;BYDAY=5TU", "not 5"),
        ("FREQ=MONTHLY;BYDAY=-2FR", "not -2"),
        ("FREQ=MONTHLY;BYMONTHDAY=1,15", "only one day of the month"),
        ("FREQ=MONTHLY;BYMONTHDAY=-2", "not -2"),
        ("FREQ=MONTHLY;BYMONTHDAY=13;BYDAY=2FR", "not both"),
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


# --- Properties --------------------------------------------------------------------------------------------------

ZONES = [
    "America/New_York",
    "Europe/Berlin",
    "Australia/Lord_Howe",  # 30-minute DST shift
    "America/Santiago",  # DST changes at midnight
    "America/St_Johns",
    "Asia/Kolkata",  # no DST
    "UTC",
]
PROPERTY_SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def patterns(draw: st.DrawFn) -> RecurrenceRule:
    if draw(st.booleans()):
        days = draw(st.sets(st.sampled_from(list(Weekday)), max_size=7))
        return RecurrenceRule(Frequency.WEEKLY, interval=draw(st.integers(1, 4)), weekdays=tuple(days))
    interval = draw(st.integers(1, 3))
    kind = draw(st.sampled_from(["date", "nth", "implicit"]))
    if kind == "date":
        month_day = draw(st.sampled_from([*range(1, 32), -1]))
        return RecurrenceRule(Frequency.MONTHLY, interval=interval, month_day=month_day)
    if kind == "nth":
        nth = NthWeekday(draw(st.sampled_from([1, 2, 3, 4, -1])), draw(st.sampled_from(list(Weekday))))
        return RecurrenceRule(Frequency.MONTHLY, interval=interval, nth_weekday=nth)
    return RecurrenceRule(Frequency.MONTHLY, interval=interval)


@st.composite
def rules(draw: st.DrawFn) -> RecurrenceRule:
    rule = draw(patterns())
    end = draw(st.sampled_from(["never", "count", "until"]))
    if end == "count":
        return RecurrenceRule(**{**_fields(rule), "count": draw(st.integers(1, 30))})
    if end == "until":
        until = draw(st.datetimes(datetime(2020, 1, 1), datetime(2032, 1, 1), timezones=st.just(UTC)))
        return RecurrenceRule(**{**_fields(rule), "until": until})
    return rule


def _fields(rule: RecurrenceRule) -> dict[str, object]:
    return {name: getattr(rule, name) for name in RecurrenceRule.__dataclass_fields__}


local_starts = st.builds(
    datetime.combine,
    st.dates(date(2020, 1, 1), date(2030, 12, 31)),
    st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45])),
)


@st.composite
def windows(draw: st.DrawFn, local_start: datetime, tz: str) -> tuple[datetime, datetime]:
    low = local_to_utc(local_start, tz) + timedelta(hours=draw(st.integers(-24 * 30, 24 * 500)))
    return low, low + timedelta(hours=draw(st.integers(0, 24 * 366)))


@PROPERTY_SETTINGS
@given(rule=rules(), local_start=local_starts, tz=st.sampled_from(ZONES), data=st.data())
def test_occurrences_keep_wall_time_are_increasing_and_inside_the_window(
    rule: RecurrenceRule, local_start: datetime, tz: str, data: st.DataObject
) -> None:
    low, high = data.draw(windows(local_start, tz))

    occurrences = expand_occurrences(rule, local_start, tz, low, high, duration=TWO_HOURS)

    instants = starts(occurrences)
    assert instants == sorted(set(instants))
    for occurrence in occurrences:
        assert low <= occurrence.starts < high
        assert occurrence.original_start == occurrence.starts
        assert occurrence.ends - occurrence.starts == TWO_HOURS
        shown = utc_to_local(occurrence.starts, tz)
        if shown.time() != local_start.time():
            nominal = datetime.combine(shown.date(), local_start.time())
            assert classify_wall_time(nominal, tz) is WallTimeKind.NONEXISTENT
            assert local_to_utc(nominal, tz) == occurrence.starts


@PROPERTY_SETTINGS
@given(
    rule=patterns().filter(lambda r: r.freq is Frequency.WEEKLY),
    count=st.integers(1, 12),
    local_start=local_starts,
    tz=st.sampled_from(ZONES),
)
def test_count_bounds_the_number_of_visits(rule: RecurrenceRule, count: int, local_start: datetime, tz: str) -> None:
    counted = RecurrenceRule(**{**_fields(rule), "count": count})
    start = normalize_local_start(counted, local_start, tz)

    # Weekly never skips a date, and 12 visits at most every 4 weeks fit in one 366-day window.
    assert len(expand(counted, start, tz)) == count


@PROPERTY_SETTINGS
@given(rule=rules(), local_start=local_starts, tz=st.sampled_from(ZONES), data=st.data())
def test_exdates_never_appear_and_remove_nothing_else(
    rule: RecurrenceRule, local_start: datetime, tz: str, data: st.DataObject
) -> None:
    everything = expand(rule, local_start, tz)
    removed = data.draw(st.sets(st.sampled_from(everything))) if everything else set()

    kept = expand(rule, local_start, tz, exdates=[utc_to_local(o.starts, tz) for o in removed])

    assert kept == [o for o in everything if o not in removed]


@PROPERTY_SETTINGS
@given(rule=rules())
def test_rrule_text_round_trips(rule: RecurrenceRule) -> None:
    text = format_rrule(rule)

    assert parse_rrule(text) == rule
    assert format_rrule(parse_rrule(text)) == text


@PROPERTY_SETTINGS
@given(rule=rules(), local_start=local_starts, tz=st.sampled_from(ZONES))
def test_normalizing_the_start_changes_no_visit(rule: RecurrenceRule, local_start: datetime, tz: str) -> None:
    try:
        start = normalize_local_start(rule, local_start, tz)
    except EmptySeriesError:
        assert expand(rule, local_start, tz) == []
        return

    check_local_start(rule, start, tz)
    assert expand(rule, start, tz, window_start=local_to_utc(local_start, tz)) == expand(
        rule, local_start, tz, window_start=local_to_utc(local_start, tz)
    )


@PROPERTY_SETTINGS
@given(rule=rules(), local_start=local_starts, tz=st.sampled_from(ZONES), data=st.data())
def test_split_without_changes_keeps_exactly_the_same_visits(
    rule: RecurrenceRule, local_start: datetime, tz: str, data: st.DataObject
) -> None:
    try:
        start = normalize_local_start(rule, local_start, tz)
    except EmptySeriesError:
        assume(False)
    everything = expand(rule, start, tz)
    assume(everything)
    split_at = data.draw(st.sampled_from(everything)).original_start
    exdates = [utc_to_local(o.starts, tz) for o in data.draw(st.sets(st.sampled_from(everything), max_size=3))]

    split = split_series(rule, start, tz, split_at=split_at, exdates=exdates)

    low = local_to_utc(start, tz) - timedelta(days=1)
    old = expand(split.old_rule, start, tz, window_start=low, exdates=split.old_exdates)
    new = expand(split.new_rule, split.new_local_start, tz, window_start=low, exdates=split.new_exdates)
    assert split.unmapped_exdates == ()
    assert starts(old) == [i for i in starts(everything) if i < split_at and utc_to_local(i, tz) not in exdates]
    assert sorted(starts(old) + starts(new)) == [o.starts for o in expand(rule, start, tz, exdates=exdates)]
