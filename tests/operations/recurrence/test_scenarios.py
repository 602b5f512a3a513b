"""Acceptance scenarios R1-R18 of docs/specs/recurrence.md, the pure parts.

Scenario tests start with their id and assert the document's values.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from dateutil import rrule as du

from operations.recurrence import (
    FLOATING_UNTIL_MSG,
    MAX_WINDOW,
    FloatingUntilError,
    Frequency,
    OffPatternStartError,
    RecurrenceRule,
    Weekday,
    WindowTooLargeError,
    check_local_start,
    expand_occurrences,
    format_rrule,
    local_to_utc,
    materialization_window,
    normalize_local_start,
    parse_rrule,
    resolve_zone,
    split_series,
    utc_to_local,
)
from tests.operations.recurrence.support import (
    BERLIN,
    NY,
    R1_START,
    TUESDAYS,
    TWO_HOURS,
    expand,
    local_dates,
    starts,
    utc,
)

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
