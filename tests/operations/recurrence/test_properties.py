"""Properties of the engine over the schedule form's rules (hypothesis)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from operations.recurrence import (
    EmptySeriesError,
    Frequency,
    NthWeekday,
    RecurrenceRule,
    WallTimeKind,
    Weekday,
    check_local_start,
    classify_wall_time,
    expand_occurrences,
    format_rrule,
    local_to_utc,
    normalize_local_start,
    parse_rrule,
    split_series,
    utc_to_local,
)
from tests.operations.recurrence.support import (
    TWO_HOURS,
    expand,
    starts,
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
