"""The day actions' pages (docs/specs/defects.md T3, T4, T21): clear refusals before a visit starts, a
confirmation naming unticked checklist items, and the supplies a completion could not take from the van."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from operations.models import Allocation, Appointment
from operations.services import inventory
from operations.services import visits as services
from tests.clients.factories import ClientFactory, ContactFactory, SiteFactory
from tests.operations.factories import AppointmentTypeFactory, ItemFactory, organizer_ny, utc
from tests.support.inventory import receive

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


@pytest.fixture
def short_visit(visit):
    """A visit with 8 bins reserved from a van whose count later found 5."""
    item = ItemFactory(sku="BIN-L", name="Large bin", unit="each")
    van = inventory.van_for(visit.organizers.get())
    receive(item, 10, "2.00", van)
    inventory.allocation_create(appointment=visit, item=item, location=van, qty=8)
    inventory.stock_count(item=item, location=van, counted=5, actor=None)
    return visit


def test_T21_completion_with_a_short_van_completes_and_tells_the_organizer(client, short_visit):
    response = act(client, short_visit, START + timedelta(hours=2), action="complete", confirmed="on")
    body = response.content.decode()
    assert Appointment.objects.get(pk=short_visit.pk).status == "completed"
    assert "Not in stock, so not recorded as used: 3 each Large bin" in body


def test_T21_office_sees_the_discrepancy_and_cancels_it(client, office, short_visit):
    act(client, short_visit, START + timedelta(hours=2), action="complete", confirmed="on")
    client.force_login(office)
    page = client.get(reverse("operations:reorder")).content.decode()
    assert "Stock discrepancies" in page and "3 each Large bin" in page and "Hudson family" in page
    shortfall = Allocation.objects.get(appointment=short_visit)
    url = reverse("operations:shortfall_resolve", kwargs={"pk": shortfall.pk})
    response = client.post(url, {"resolution": "take"}, follow=True)  # the van is still empty
    assert "Not enough Large bin" in response.content.decode()
    client.post(url, {"resolution": "cancel"})
    shortfall.refresh_from_db()
    assert shortfall.short_resolution == "cancelled"
    assert "Stock discrepancies" not in client.get(reverse("operations:reorder")).content.decode()


def test_T21_organizers_cannot_resolve_discrepancies(client, short_visit):
    act(client, short_visit, START + timedelta(hours=2), action="complete", confirmed="on")
    shortfall = Allocation.objects.get(appointment=short_visit)
    url = reverse("operations:shortfall_resolve", kwargs={"pk": shortfall.pk})
    assert client.post(url, {"resolution": "cancel"}).status_code == 403
