"""Actions on the day (docs/specs/defects.md T3, T4, T21): nothing is finished before it starts, unticked
checklist items are confirmed and recorded, and stock never blocks completing a visit."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from operations.models import Appointment
from operations.services import visits as services
from tests.clients.factories import ClientFactory, ContactFactory, SiteFactory
from tests.operations.factories import AppointmentTypeFactory, organizer_ny, utc

pytestmark = pytest.mark.django_db

START = utc(2027, 3, 2, 14)  # 09:00 in New York


@pytest.fixture
def visit():
    client = ClientFactory(name="Hudson family")
    ContactFactory(client=client, is_primary=True, email="hudson@example.net")
    return services.appointment_book(
        client=client, site=SiteFactory(client=client, time_zone="America/New_York"),
        appointment_type=AppointmentTypeFactory(), organizers=[organizer_ny(email="day@example.com")],
        starts=START, ends=START + timedelta(hours=2),
    )  # fmt: skip


def progress(visit, action, now, **kwargs):
    return services.appointment_progress(appointment=visit, action=action, now=now, **kwargs)


@pytest.mark.parametrize("action", ["complete", "no_show"])
def test_T3_complete_and_no_show_are_refused_before_the_start(visit, action):
    with pytest.raises(ValidationError) as exc:
        progress(visit, action, START - timedelta(days=6))
    assert exc.value.code == "too_early"
    assert "starts Tue Mar 2 at 09:00" in exc.value.messages[0]
    visit.refresh_from_db()
    assert (visit.status, visit.actual_start, visit.actual_end) == ("scheduled", None, None)
    assert visit.reminders.filter(status="pending").exists()  # the reminders still go out


def test_T3_start_is_allowed_from_the_configured_minutes_before(visit, settings):
    settings.VISIT_START_EARLY_MINUTES = 30
    with pytest.raises(ValidationError) as exc:
        progress(visit, "start", START - timedelta(minutes=31))
    assert exc.value.code == "too_early" and "from 08:30" in exc.value.messages[0]
    progress(visit, "start", START - timedelta(minutes=30))
    visit.refresh_from_db()
    assert (visit.status, visit.actual_start) == ("in_progress", START - timedelta(minutes=30))


def test_T3_a_visit_started_early_completes_with_its_end_after_its_start(visit, settings):
    settings.VISIT_START_EARLY_MINUTES = 30
    progress(visit, "start", START - timedelta(minutes=20))
    progress(visit, "complete", START - timedelta(minutes=5))  # it has started: finishing is allowed
    visit.refresh_from_db()
    assert visit.status == "completed" and visit.actual_end >= visit.actual_start


def test_T3_complete_and_no_show_after_the_start(visit):
    progress(visit, "complete", START + timedelta(minutes=90))
    visit.refresh_from_db()
    assert (visit.actual_start, visit.actual_end) == (START, START + timedelta(minutes=90))
    progress(visit, "needs_redo", START + timedelta(hours=3))
    assert Appointment.objects.get(pk=visit.pk).status == "needs_redo"


def test_T3_needs_redo_is_refused_before_the_start(visit):
    Appointment.objects.filter(pk=visit.pk).update(status="completed")  # as the old code could leave it
    with pytest.raises(ValidationError) as exc:
        progress(visit, "needs_redo", START - timedelta(days=1))
    assert exc.value.code == "too_early"


def test_T3_client_cancelled_stays_allowed_ahead_of_time(visit):
    services.appointment_cancel(appointment=visit, by_client=True, now=START - timedelta(days=6))
    visit.refresh_from_db()
    assert visit.status == "cancelled"


def test_T3_the_database_refuses_an_actual_end_before_the_actual_start(visit):
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.filter(pk=visit.pk).update(actual_start=START, actual_end=START - timedelta(minutes=1))


def test_T4_completing_with_open_items_asks_first_and_names_them(visit):
    services.appointment_checklist_toggle(appointment=visit, index=0, done=True)
    with pytest.raises(ValidationError) as exc:
        progress(visit, "complete", START + timedelta(hours=2), ask_if_items_open=True)
    assert exc.value.code == "open_checklist"
    assert "Donation bags out" in exc.value.messages[0] and "Photos after" in exc.value.messages[0]
    assert "Photos before" not in exc.value.messages[0]
    assert Appointment.objects.get(pk=visit.pk).status == "scheduled"


def test_T4_a_confirmed_completion_records_the_items_left_open(visit):
    services.appointment_checklist_toggle(appointment=visit, index=0, done=True)
    progress(visit, "complete", START + timedelta(hours=2))
    visit.refresh_from_db()
    assert visit.status == "completed"
    assert visit.checklist_left_open == ["Donation bags out", "Photos after"]


def test_T4_a_finished_checklist_completes_without_asking(visit):
    for index in range(3):
        services.appointment_checklist_toggle(appointment=visit, index=index, done=True)
    progress(visit, "complete", START + timedelta(hours=2), ask_if_items_open=True)
    visit.refresh_from_db()
    assert (visit.status, visit.checklist_left_open) == ("completed", [])
