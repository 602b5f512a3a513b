"""The pure local-day helpers: a local day in UTC, 23 and 25 hours long on the DST changes."""

from datetime import UTC, date, datetime, timedelta

from operations.localtime import local_day_bounds, local_yesterday


def test_a_local_day_is_24_hours_in_utc_on_an_ordinary_day():
    start, end = local_day_bounds(date(2027, 3, 2), "America/New_York")
    assert (start, end) == (datetime(2027, 3, 2, 5, tzinfo=UTC), datetime(2027, 3, 3, 5, tzinfo=UTC))


def test_the_spring_forward_day_has_23_hours_and_the_fall_back_day_25():
    spring = local_day_bounds(date(2027, 3, 14), "America/New_York")
    fall = local_day_bounds(date(2027, 11, 7), "America/New_York")
    assert spring[1] - spring[0] == timedelta(hours=23) and fall[1] - fall[0] == timedelta(hours=25)


def test_yesterday_is_the_local_day_that_ended_last():
    # 03:30 UTC on March 3 is still March 2 in New York: the day that ended last there is March 1.
    assert local_yesterday(datetime(2027, 3, 3, 3, 30, tzinfo=UTC), "America/New_York") == date(2027, 3, 1)
