"""The day actions' pages (docs/specs/defects.md T3, T4, T21): clear refusals before a visit starts, a
confirmation naming unticked checklist items, and the supplies a completion could not take from the van."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

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
        appointment_type=AppointmentTypeFactory(), organizers=[organizer_ny(email="pages@example.com")],
        starts=START, ends=START + timedelta(hours=2),
    )  # fmt: skip


def act(client, visit, at, **data):
    url = reverse("operations:appointment_day_action", kwargs={"pk": visit.pk})
    with time_machine.travel(at, tick=False):
        client.force_login(visit.organizers.get())
        return client.post(url, {"next": "/schedule/my-day/?date=2027-03-02"} | data, follow=True)


def test_T3_completing_a_future_visit_is_refused_with_a_clear_message(client, visit):
    body = act(client, visit, START - timedelta(days=6), action="complete").content.decode()
    assert "This visit starts Tue Mar 2 at 09:00: it can be marked completed only once it has started." in body
    assert Appointment.objects.get(pk=visit.pk).status == "scheduled"


def test_T4_complete_with_open_items_shows_them_and_completes_once_confirmed(client, visit):
    services.appointment_checklist_toggle(appointment=visit, index=1, done=True)
    response = act(client, visit, START + timedelta(hours=2), action="complete", notes="Garage done")
    body = response.content.decode()
    assert response.status_code == 200 and "Complete with open checklist items?" in body
    assert "Photos before" in body and "Photos after" in body and "Donation bags out" not in body
    assert Appointment.objects.get(pk=visit.pk).status == "scheduled"

    act(client, visit, START + timedelta(hours=2), action="complete", notes="Garage done", confirmed="on")
    visit.refresh_from_db()
    assert visit.status == "completed" and "Garage done" in visit.outcome_notes
    assert visit.checklist_left_open == ["Photos before", "Photos after"]
    with time_machine.travel(START + timedelta(hours=2), tick=False):
        page = client.get(visit.get_absolute_url()).content.decode()
    assert "Left open at completion: Photos before; Photos after" in page
