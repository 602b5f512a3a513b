"""Planned, booked, logged and unbooked hours; the unbooked-work list; find slots and book the chosen ones
(docs/specs/one-schedule.md §3: OS7, OS8, OS10)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from operations.models import Appointment, OrganizerBlock
from operations.selectors import visits as visit_selectors
from operations.services import visits as op_visits
from projects.models import WorkSession
from projects.sessions import selectors, services
from tests.operations.factories import AppointmentTypeFactory
from tests.projects.sessions.world import NOW, at


def test_OS7_hours_per_task(w):
    hours = selectors.hours_for_tasks(list(w.t.values()))
    u = {key: hours[t.pk].unbooked / 60 for key, t in w.t.items()}
    assert u == {"A": 0, "B": 0, "E": 0, "C": 24, "D": 24, "F": 0, "G": 0, "H": 1, "I": 48, "J": 3, "K": 1}
    assert hours[w.t["D"].pk].text == "40.0 | 16.0 | 0.0 | 24.0"
    assert hours[w.t["A"].pk].text == "4.0 | 0.0 | 4.0 | 0.0"


def test_OS7_unbooked_list_by_total_float(w):
    rows = selectors.unbooked_work()
    names = {t.pk: key for key, t in w.t.items()}
    assert [names[r.task.pk] for r in rows] == ["C", "D", "I", "K", "J", "H"]
    c = rows[0]
    assert (c.unbooked_text, c.window) == ("24.0", (date(2026, 6, 10), date(2026, 6, 15)))
    assert [a.first_name for a in c.assignees] == ["Olivia", "Sam"]


def test_OS7_unbooked_list_has_a_constant_query_count(w, django_assert_max_num_queries):
    with django_assert_max_num_queries(9):
        selectors.unbooked_work()


def _proposals(w):
    return selectors.session_proposals(task=w.t["C"], organizers=[w.olivia, w.sam], now=NOW)


def test_OS8_find_slots_for_C(w):
    plan = _proposals(w)
    assert plan.length == 240
    assert [(p.local_start.strftime("%a %m-%d %H:%M"), p.local_end.strftime("%H:%M")) for p in plan.proposals] == [
        ("Wed 06-10 11:30", "15:30"), ("Thu 06-11 09:00", "13:00"), ("Fri 06-12 09:00", "13:00"),
    ]  # fmt: skip
    assert (plan.covered, plan.left) == (1440, 0)


def test_OS8_book_selected_books_all_of_them(w):
    plan = _proposals(w)
    booked = services.task_sessions_book_selected(
        task=w.t["C"], organizers=[w.olivia, w.sam], slots=[(p.starts, p.ends) for p in plan.proposals], now=NOW
    )
    assert len(booked) == 3
    blocks = OrganizerBlock.objects.filter(appointment__work_session__task=w.t["C"]).order_by("starts", "organizer")
    assert blocks.count() == 6
    wed = blocks[0]
    assert (wed.starts, wed.ends, wed.blocked_until) == (
        at(date(2026, 6, 10), 11, 30),
        at(date(2026, 6, 10), 15, 30),
        at(date(2026, 6, 10), 16),
    )
    assert wed.starts.isoformat() == "2026-06-10T15:30:00+00:00"
    assert selectors.hours_for_tasks([w.t["C"]])[w.t["C"].pk].unbooked == 0
    assert w.t["C"].pk not in {r.task.pk for r in selectors.unbooked_work()}


def test_OS8_a_clash_on_the_third_proposal_books_none(w):
    plan = _proposals(w)
    kind = AppointmentTypeFactory(name="Quick", default_travel_min=0)
    op_visits.appointment_book(
        client=w.client, site=w.site, appointment_type=kind, organizers=[w.sam],
        starts=at(date(2026, 6, 12), 10), ends=at(date(2026, 6, 12), 11), now=NOW,
    )  # fmt: skip
    before = (Appointment.objects.count(), OrganizerBlock.objects.count())
    with pytest.raises(ValidationError) as err:
        services.task_sessions_book_selected(
            task=w.t["C"], organizers=[w.olivia, w.sam], slots=[(p.starts, p.ends) for p in plan.proposals], now=NOW
        )
    assert err.value.code == "double_booked"
    assert "proposal 3" in err.value.messages[0] and "Fri 06-12 09:00" in err.value.messages[0]
    assert (Appointment.objects.count(), OrganizerBlock.objects.count()) == before
    assert not WorkSession.objects.filter(task=w.t["C"]).exists()


def test_OS8_proposals_stop_at_the_window_and_say_what_is_left(w):
    plan = selectors.session_proposals(task=w.t["I"], organizers=[w.olivia, w.sam], now=NOW)
    # I's window is Thu 06-25 .. Mon 06-29. Thu: Olivia's Lee visit at 13:00 leaves no 4 h + travel; Fri: she is off.
    assert [p.local_start.strftime("%m-%d %H:%M") for p in plan.proposals] == ["06-29 09:00"]
    assert (plan.left, plan.left_text) == (48 * 60 - 240 * 2, "40.0")


def _book_os8(w):
    plan = _proposals(w)
    services.task_sessions_book_selected(
        task=w.t["C"], organizers=[w.olivia, w.sam], slots=[(p.starts, p.ends) for p in plan.proposals], now=NOW
    )


def _free(kind, who):
    slots = visit_selectors.free_slots(
        appointment_type=kind, date_from=date(2026, 6, 11), date_to=date(2026, 6, 11), organizer=who, now=NOW
    )
    return [s.local.strftime("%H:%M") for s in slots]


def test_OS10_the_free_slot_finder_skips_sessions(w):
    _book_os8(w)
    two = AppointmentTypeFactory(name="Two hours", default_duration_min=120, default_travel_min=0)
    one = AppointmentTypeFactory(name="One hour", default_duration_min=60, default_travel_min=0)
    assert _free(two, w.olivia) == ["13:30", "14:00", "14:30", "15:00"]
    assert _free(one, w.olivia) == ["13:30", "14:00", "14:30", "15:00", "15:30", "16:00"]
    visit = AppointmentTypeFactory(name="Visit with travel", default_duration_min=60, default_travel_min=30)
    op_visits.appointment_book(
        client=w.client, site=w.site, appointment_type=visit, organizers=[w.sam],
        starts=at(date(2026, 6, 11), 13, 30), now=NOW,
    )  # fmt: skip
    assert _free(two, w.sam) == ["15:00"]
