"""The capacity view, organizer × ISO week (docs/specs/one-schedule.md §4, OS15)."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import User
from projects.sessions import capacity, services
from projects.sessions.spread import ceil_to_step, split_among, spread_evenly, window_points
from tests.projects.sessions.world import NOW, at

W26 = date(2026, 6, 22)


def _after_os13(w):
    services.task_session_reschedule(
        session=w.sessions["G"], starts=at(date(2026, 6, 24), 9), ends=at(date(2026, 6, 24), 17), now=NOW
    )
    User.objects.filter(pk=w.max.pk).update(is_active=False)  # the OS15 table shows Olivia and Sam
    return capacity.capacity(monday=W26, weeks=2, now=NOW)


def _h(minutes):
    return minutes / 60


def test_OS15_capacity_week_26(w):
    view = _after_os13(w)
    assert [capacity.iso_week_label(m) for m in view.mondays] == ["2026-W26", "2026-W27"]
    olivia, sam = view.rows
    assert olivia.organizer.first_name == "Olivia" and sam.organizer.first_name == "Sam"
    o, s, total = olivia.weeks[0], sam.weeks[0], view.totals[0]
    assert tuple(_h(x) for x in (o.available, o.visits, o.sessions, o.travel, o.demand)) == (32, 5, 14, 2, 12)
    assert (round(o.utilization, 1), round(o.load, 1), o.overallocated, o.over_hours) == (59.4, 103.1, True, "1.0")
    assert tuple(_h(x) for x in (s.available, s.visits, s.sessions, s.travel, s.demand)) == (40, 0, 14, 1, 16)
    assert (round(s.utilization, 1), round(s.load, 1), s.overallocated) == (35.0, 77.5, False)
    assert tuple(_h(x) for x in (total.available, total.visits, total.sessions, total.travel, total.demand)) == (
        72, 5, 28, 3, 28,
    )  # fmt: skip
    assert (round(total.utilization, 1), round(total.load, 1), view.over_counts[0]) == (45.8, 88.9, 1)
    assert not total.overallocated  # a healthy total hides Olivia: hence the count beside it


def test_OS15_week_27_and_the_day_drill_down(w):
    view = _after_os13(w)
    olivia, sam = view.rows
    assert (_h(olivia.weeks[1].demand), _h(sam.weeks[1].demand)) == (13, 8)  # I 12 h + K 1 h; I 8 h
    thu = olivia.days[date(2026, 6, 25)]
    assert tuple(_h(x) for x in (thu.available, thu.visits, thu.travel, thu.demand)) == (8, 3, 0.5, 12)
    items = [(i.kind, i.label, _h(i.minutes)) for i in olivia.items if i.day == date(2026, 6, 25)]
    unbooked_i = f"Smith home move · {w.t['I'].wbs_code} Unpack & set up (unbooked)"
    assert items == [("visit", "Lee household", 3), ("demand", unbooked_i, 12)]


def test_OS15_overallocation_threshold_and_travel_are_settings(w, settings):
    settings.CAPACITY_TRAVEL_IN_LOAD = False
    o = _after_os13(w).rows[0].weeks[0]
    assert (o.load_minutes, o.overallocated) == (31 * 60, False)
    settings.CAPACITY_TRAVEL_IN_LOAD = True
    settings.CAPACITY_OVERALLOCATION_PCT = 110
    assert not o.overallocated


def test_OS15_capacity_weeks_default_to_the_setting(w, settings):
    settings.CAPACITY_WEEKS = 3
    assert len(capacity.capacity(now=NOW).mondays) == 3


def test_OS15_capacity_keeps_a_constant_query_count(w, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        capacity.capacity(monday=W26, weeks=8, now=NOW)


# --- the pure spreading arithmetic ----------------------------------------------------------------------


@given(st.integers(0, 10_000), st.lists(st.dates(), min_size=1, max_size=30, unique=True))
def test_OS15_spreading_keeps_every_minute(total, days):
    days = sorted(days)
    parts = spread_evenly(total, days)
    assert sum(parts.values()) == total
    assert max(parts.values()) - min(parts.values()) <= 1
    assert [parts[d] for d in days] == sorted((parts[d] for d in days), reverse=True)  # remainders go first


@given(st.integers(0, 10_000), st.integers(1, 12))
def test_OS15_splitting_among_assignees_keeps_every_minute(total, people):
    shares = split_among(total, people)
    assert sum(shares) == total and max(shares) - min(shares) <= 1


def test_OS15_windows_and_steps():
    assert window_points(es=7, ef=11, lf=11, milestone=False) == (7, 10)
    assert window_points(es=20, ef=20, lf=20, milestone=True) == (19, 19)
    assert ceil_to_step(721, 30) == 750 and ceil_to_step(720, 30) == 720
    with pytest.raises(ValueError):
        spread_evenly(-1, [date(2026, 6, 1)])
