"""The pure rule of when a visit's actions on the day are accepted (docs/specs/defects.md T3, T24)."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from operations import visit_rules
from operations.models import Appointment

START = datetime(2027, 3, 2, 14, tzinfo=UTC)
STATUSES = [s.value for s in Appointment.Status]
minutes = st.integers(min_value=-3 * 24 * 60, max_value=3 * 24 * 60).map(lambda m: timedelta(minutes=m))


def test_T24_the_rules_statuses_are_the_models():
    assert set(Appointment.UPCOMING_STATUSES) == visit_rules.UPCOMING
    for allowed, new_status in visit_rules.PROGRESS.values():
        assert set(allowed) | {new_status} <= set(STATUSES)


@given(
    status=st.sampled_from(STATUSES),
    now=minutes,
    started=st.one_of(st.none(), minutes),
    early=st.integers(min_value=0, max_value=240).map(lambda m: timedelta(minutes=m)),
)
def test_T24_an_action_is_listed_by_its_status_and_open_exactly_from_its_opening(status, now, started, early):
    now, actual_start = START + now, (START + started if started is not None else None)
    actions = visit_rules.day_actions(status=status, starts=START, actual_start=actual_start, now=now, early=early)
    assert [a.action for a in actions] == [a for a in visit_rules.ACTIONS if visit_rules.status_allows(a, status)]
    for a in actions:
        assert a.open_now == (a.opens is None or now >= a.opens)
        if a.action == "start":
            assert a.opens == START - early  # "Start" opens the configured minutes before
        elif a.action == "client_cancel":
            assert a.opens is None  # a client may cancel any time ahead
        else:  # nothing is finished before it starts (its actual start once started early)
            assert a.opens == (actual_start or START)
        later = visit_rules.day_actions(
            status=status, starts=START, actual_start=actual_start, now=now + timedelta(days=1), early=early
        )
        assert not a.open_now or next(b for b in later if b.action == a.action).open_now  # once open, open


def test_T24_a_scheduled_visit_tomorrow_offers_only_client_cancelled():
    actions = visit_rules.day_actions(
        status="scheduled", starts=START, actual_start=None, now=START - timedelta(days=1), early=timedelta(hours=1)
    )
    assert [(a.action, a.open_now) for a in actions] == [
        ("start", False), ("complete", False), ("client_cancel", True), ("no_show", False)
    ]  # fmt: skip
