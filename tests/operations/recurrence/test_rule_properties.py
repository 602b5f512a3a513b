"""Properties over every rule the engine accepts (hypothesis): dateutil agrees, starts normalise, text round-trips.

test_properties.py holds the older properties over the schedule form's rules; these draw from all of RFC 5545 at
daily frequency or coarser, impossible combinations included (30 February), which must come out empty.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dateutil import rrule as du
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from operations.recurrence import (
    EmptySeriesError,
    Frequency,
    NthWeekday,
    RecurrenceRule,
    Weekday,
    check_local_start,
    format_rrule,
    next_occurrence,
    normalize_local_start,
    parse_rrule,
    resolve_zone,
    utc_to_local,
)
from tests.operations.recurrence.support import TWO_HOURS, expand, starts

ZONES = ["America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "America/Santiago", "Asia/Kolkata"]
PROPERTY_SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MONTH_DAYS = [1, 2, 7, 13, 15, 28, 29, 30, 31, -1, -2, -3]


@st.composite
def any_rules(draw: st.DrawFn) -> RecurrenceRule:
    freq = draw(st.sampled_from(list(Frequency)))
    yearly, weekly = freq is Frequency.YEARLY, freq is Frequency.WEEKLY
    months = draw(st.sets(st.integers(1, 12), max_size=3)) if draw(st.booleans()) else set()
    weekdays = draw(st.sets(st.sampled_from(list(Weekday)), max_size=5))
    nths: set[NthWeekday] = set()
    if freq in (Frequency.MONTHLY, Frequency.YEARLY) and draw(st.booleans()):
        positions = st.sampled_from([1, 2, 3, 4, -1, -2] + ([20, 52] if yearly and not months else []))
        nths = draw(st.sets(st.builds(NthWeekday, positions, st.sampled_from(list(Weekday))), max_size=2))
    month_days = set() if weekly or draw(st.booleans()) else draw(st.sets(st.sampled_from(MONTH_DAYS), max_size=3))
    year_days = draw(st.sets(st.sampled_from([1, 60, 100, 200, 366, -1]), max_size=2)) if yearly else set()
    week_numbers = set()
    if yearly and not nths and draw(st.booleans()):
        week_numbers = draw(st.sets(st.sampled_from([1, 10, 20, 52, 53, -1]), min_size=1, max_size=2))
    named = months or weekdays or nths or month_days or year_days or week_numbers
    set_positions = draw(st.sets(st.sampled_from([1, 2, 3, -1, -2]), max_size=2)) if named else set()
    end = draw(st.sampled_from(["never", "count", "until"]))
    return RecurrenceRule(
        freq,
        interval=draw(st.integers(1, 3)),
        weekdays=tuple(weekdays),
        nth_weekdays=tuple(nths),
        month_days=tuple(month_days),
        months=tuple(months),
        year_days=tuple(year_days),
        week_numbers=tuple(week_numbers),
        set_positions=tuple(set_positions),
        wkst=draw(st.sampled_from(list(Weekday))),
        count=draw(st.integers(1, 40)) if end == "count" else None,
        until=draw(st.datetimes(datetime(2021, 1, 1), datetime(2030, 1, 1), timezones=st.just(UTC)))
        if end == "until"
        else None,
    )


local_starts = st.builds(
    datetime.combine,
    st.dates(datetime(2021, 1, 1).date(), datetime(2028, 12, 31).date()),
    st.sampled_from([datetime(2000, 1, 1, h, m).time() for h, m in ((0, 0), (2, 30), (9, 0), (23, 45))]),
)


def _normalized(rule: RecurrenceRule, local_start: datetime, tz: str) -> datetime:
    try:
        return normalize_local_start(rule, local_start, tz)
    except EmptySeriesError:
        # No visit in five years (or cut by UNTIL): the engine lists nothing for it.
        assert expand(rule, local_start, tz) == []
        assume(False)
        raise


@PROPERTY_SETTINGS
@given(rule=any_rules())
def test_any_rule_text_round_trips(rule: RecurrenceRule) -> None:
    text = format_rrule(rule)

    assert parse_rrule(text) == rule
    assert format_rrule(parse_rrule(text)) == text


@PROPERTY_SETTINGS
@given(rule=any_rules(), local_start=local_starts, tz=st.sampled_from(ZONES))
def test_expansion_is_what_dateutil_gives_for_the_same_text(
    rule: RecurrenceRule, local_start: datetime, tz: str
) -> None:
    # Except BYSETPOS in a weekly rule: dateutil picks among a partial first week, the engine (and RFC 5545)
    # among the whole week (test_rule_parts.py shows the difference).
    assume(not (rule.freq is Frequency.WEEKLY and rule.set_positions))
    start = _normalized(rule, local_start, tz)
    zone = resolve_zone(tz)
    end = start + timedelta(days=365)
    oracle = du.rrulestr(format_rrule(rule), dtstart=start.replace(tzinfo=zone))

    expected = []
    for aware in oracle:  # type: ignore[attr-defined]
        if aware.replace(tzinfo=None) >= end - timedelta(days=1):
            break
        expected.append(aware.astimezone(UTC))

    got = [i for i in starts(expand(rule, start, tz)) if utc_to_local(i, tz) < end - timedelta(days=1)]
    assert got == expected


@PROPERTY_SETTINGS
@given(rule=any_rules(), local_start=local_starts, tz=st.sampled_from(ZONES))
def test_normalizing_any_start_changes_no_visit(rule: RecurrenceRule, local_start: datetime, tz: str) -> None:
    start = _normalized(rule, local_start, tz)

    check_local_start(rule, start, tz)
    window_start = start.replace(tzinfo=resolve_zone(tz)).astimezone(UTC) - timedelta(days=1)
    visits = expand(rule, start, tz, window_start=window_start)
    assert visits == expand(rule, local_start, tz, window_start=window_start)
    assert visits[0].starts.astimezone(resolve_zone(tz)).replace(tzinfo=None) == start


@PROPERTY_SETTINGS
@given(rule=any_rules(), local_start=local_starts, tz=st.sampled_from(ZONES), data=st.data())
def test_at_most_one_visit_a_day_and_count_is_used_before_exdates(
    rule: RecurrenceRule, local_start: datetime, tz: str, data: st.DataObject
) -> None:
    start = _normalized(rule, local_start, tz)
    visits = expand(rule, start, tz)
    days = [utc_to_local(i, tz).date() for i in starts(visits)]
    assert len(days) == len(set(days))

    removed = data.draw(st.sets(st.sampled_from(visits))) if visits else set()
    kept = expand(rule, start, tz, exdates=[utc_to_local(o.starts, tz) for o in removed])
    assert kept == [o for o in visits if o not in removed]


@PROPERTY_SETTINGS
@given(rule=any_rules(), local_start=local_starts, tz=st.sampled_from(ZONES), years=st.integers(1, 6))
def test_a_window_years_after_the_start_lists_what_dateutil_lists_there(
    rule: RecurrenceRule, local_start: datetime, tz: str, years: int
) -> None:
    # The engine starts an uncounted rule at the window's period instead of replaying the whole series.
    assume(not (rule.freq is Frequency.WEEKLY and rule.set_positions))
    start = _normalized(rule, local_start, tz)
    zone = resolve_zone(tz)
    low_wall = start + timedelta(days=365 * years + 17)
    low = low_wall.replace(tzinfo=zone).astimezone(UTC)
    high = low + timedelta(days=200)
    oracle = du.rrulestr(format_rrule(rule), dtstart=start.replace(tzinfo=zone))
    padded = oracle.between(low - timedelta(days=2), high + timedelta(days=2), inc=True)  # type: ignore[attr-defined]

    got = expand(rule, start, tz, window_start=low, days=200)

    assert starts(got) == [i for i in (a.astimezone(UTC) for a in padded) if low <= i < high]


@PROPERTY_SETTINGS
@given(rule=any_rules(), local_start=local_starts, tz=st.sampled_from(ZONES), data=st.data())
def test_next_occurrence_is_the_following_visit(
    rule: RecurrenceRule, local_start: datetime, tz: str, data: st.DataObject
) -> None:
    start = _normalized(rule, local_start, tz)
    visits = expand(rule, start, tz)
    assume(len(visits) >= 2)
    index = data.draw(st.integers(0, len(visits) - 2))

    found = next_occurrence(rule, start, tz, after=visits[index].starts, duration=TWO_HOURS)

    assert found == visits[index + 1]
