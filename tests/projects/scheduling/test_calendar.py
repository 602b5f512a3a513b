"""WorkCalendar: the working-day axis of docs/specs/scheduling.md §2.1, checked against the example and a
day-by-day count."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from projects.scheduling import WorkCalendar
from tests.projects.scheduling.support import SMITH_CALENDAR

# The working-day index of Example 1 (Mon 2026-06-01 start, holiday Fri 06-19).
SMITH_INDEX = [1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 15, 16, 17, 18, 22, 23, 24, 25, 26, 29]


def june(day: int) -> date:
    return date(2026, 6, day)


@pytest.mark.parametrize(("point", "day"), list(enumerate(SMITH_INDEX)))
def test_calendar_numbers_working_days_as_in_the_worked_example(point, day):
    assert SMITH_CALENDAR.day(point) == june(day)
    assert SMITH_CALENDAR.startpt(june(day)) == point
    assert SMITH_CALENDAR.finpt(june(day)) == point + 1


@pytest.mark.parametrize(
    ("day", "startpt", "finpt"),
    [
        (june(19), 14, 14),  # the holiday: starts Monday 22 (14), "finished by" means by Thursday 18 (13 + 1)
        (june(6), 5, 5),  # Saturday: starts Monday (5), finished by Friday (4 + 1)
        (june(7), 5, 5),  # Sunday
        (date(2026, 5, 31), 0, 0),  # the Sunday before the start
        (date(2026, 5, 27), -3, -2),  # a Wednesday before the start
    ],
)
def test_calendar_converts_off_days_and_early_dates_to_points(day, startpt, finpt):
    assert SMITH_CALENDAR.startpt(day) == startpt
    assert SMITH_CALENDAR.finpt(day) == finpt


@pytest.mark.parametrize(("point", "day"), [(-1, date(2026, 5, 29)), (-5, date(2026, 5, 25)), (-6, date(2026, 5, 22))])
def test_calendar_counts_negative_points_back_from_the_start(point, day):
    assert SMITH_CALENDAR.day(point) == day


def test_calendar_skips_holidays_before_the_start():
    calendar = WorkCalendar(june(1), holidays=(date(2026, 5, 25), date(2026, 5, 29)))

    assert calendar.day(-1) == date(2026, 5, 28)
    assert calendar.day(-4) == date(2026, 5, 22)
    assert calendar.startpt(date(2026, 5, 25)) == -3


def test_calendar_snaps_a_weekend_start_forward_to_monday():
    calendar = WorkCalendar(date(2026, 5, 30))

    assert calendar.day(0) == june(1)
    assert calendar.startpt(date(2026, 5, 30)) == 0
    assert calendar.finpt(date(2026, 5, 30)) == 0


def test_calendar_snaps_a_holiday_start_forward():
    calendar = WorkCalendar(june(19), holidays=(june(19),))

    assert calendar.day(0) == june(22)
    assert calendar.day(-1) == june(18)


def test_calendar_honours_custom_working_weekdays():
    tuesday_to_saturday = WorkCalendar(june(1), workdays=frozenset({1, 2, 3, 4, 5}))

    assert [tuesday_to_saturday.day(p) for p in range(6)] == [june(d) for d in (2, 3, 4, 5, 6, 9)]
    assert tuesday_to_saturday.startpt(june(7)) == 5  # Sunday -> Tuesday 9
    assert not tuesday_to_saturday.is_workday(june(8))
    assert tuesday_to_saturday.is_workday(june(6))


def test_calendar_with_every_weekday_working_counts_calendar_days():
    every_day = WorkCalendar(june(1), workdays=range(7))

    assert every_day.day(30) == date(2026, 7, 1)
    assert every_day.day(-365) == date(2025, 6, 1)


def test_calendar_with_one_working_weekday_counts_weeks():
    mondays = WorkCalendar(june(3), workdays={0})

    assert mondays.day(0) == june(8)
    assert mondays.day(52) == date(2027, 6, 7)
    assert mondays.day(-1) == june(1)


def test_calendar_ignores_holidays_on_days_off():
    with_weekend_holiday = WorkCalendar(june(1), holidays=(june(6), june(7)))

    assert with_weekend_holiday.day(5) == june(8)
    assert with_weekend_holiday == WorkCalendar(june(1), holidays=[june(7), june(6)])


def test_calendar_reaches_far_points_without_drifting():
    # Counted day by day: 1000 working days (two holidays skipped) either side of the start.
    calendar = WorkCalendar(june(1), holidays=(date(2026, 12, 25), date(2027, 1, 1)))

    assert calendar.day(1000) == date(2030, 4, 3)
    assert calendar.startpt(date(2030, 4, 3)) == 1000
    assert calendar.day(-1000) == date(2022, 8, 1)


@pytest.mark.parametrize(
    ("ef", "duration", "shown"),
    [
        (15, 3, june(22)),  # a task: its last working day
        (15, 0, june(22)),  # a milestone: the day its predecessor finishes
        (1, 0, june(1)),
        (0, 0, june(1)),  # a milestone at the project start shows on day 0
        (-1, 0, date(2026, 5, 29)),  # before the start (negative float): the start of that working day
        (0, 2, date(2026, 5, 29)),  # a task finishing at point 0 ended the working day before the start
    ],
)
def test_calendar_shows_inclusive_finish_dates(ef, duration, shown):
    assert SMITH_CALENDAR.finish_date(ef, duration) == shown


def test_calendar_shows_a_milestone_start_on_its_one_date():
    assert SMITH_CALENDAR.start_date(15) == june(23)
    assert SMITH_CALENDAR.start_date(15, 3) == june(23)
    assert SMITH_CALENDAR.start_date(15, 0) == june(22)


def test_calendar_is_a_hashable_value():
    a = WorkCalendar(june(1), workdays={0, 1, 2, 3, 4}, holidays=[june(19)])
    b = WorkCalendar(june(1), holidays=(june(19),))

    assert a == b
    assert hash(a) == hash(b)
    assert a.holidays == frozenset({june(19)})


@pytest.mark.parametrize("workdays", [frozenset(), frozenset({7}), frozenset({-1, 0})])
def test_calendar_rejects_impossible_working_weekdays(workdays):
    with pytest.raises(ValueError):
        WorkCalendar(june(1), workdays=workdays)


# -- properties against a day-by-day count ---------------------------------------------------------------------

calendars = st.builds(
    lambda start, workdays, holiday_offsets: WorkCalendar(
        start, workdays=workdays, holidays=[start + timedelta(days=d) for d in holiday_offsets]
    ),
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    workdays=st.frozensets(st.integers(0, 6), min_size=1),
    holiday_offsets=st.lists(st.integers(-60, 60), max_size=12),
)


def working_days_around(calendar: WorkCalendar, span: int) -> tuple[list[date], int]:
    """Working days within `span` days of the start, counted one by one, and the index of point 0 in that list."""
    days = [calendar.start + timedelta(days=d) for d in range(-span, span + 1)]
    working = [d for d in days if d.weekday() in calendar.workdays and d not in calendar.holidays]
    zero = next(i for i, d in enumerate(working) if d >= calendar.start)
    return working, zero


@settings(max_examples=100, deadline=None)
@given(calendar=calendars, data=st.data())
def test_calendar_day_matches_a_day_by_day_count(calendar, data):
    working, zero = working_days_around(calendar, 130)
    point = data.draw(st.integers(-min(zero, 20), min(len(working) - zero - 1, 20)))

    assert calendar.day(point) == working[zero + point]


@settings(max_examples=100, deadline=None)
@given(calendar=calendars, offset=st.integers(-100, 100))
def test_calendar_startpt_and_finpt_match_a_day_by_day_count(calendar, offset):
    working, zero = working_days_around(calendar, 130)
    d = calendar.start + timedelta(days=offset)

    assert calendar.startpt(d) == sum(1 for w in working if w < d) - zero
    assert calendar.finpt(d) == sum(1 for w in working if w <= d) - zero


@settings(max_examples=100, deadline=None)
@given(calendar=calendars, point=st.integers(-500, 500))
def test_calendar_points_round_trip_through_dates(calendar, point):
    d = calendar.day(point)

    assert calendar.is_workday(d)
    assert calendar.startpt(d) == point
    assert calendar.finpt(d) == point + 1
    assert calendar.day(point + 1) > d
