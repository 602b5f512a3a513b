"""The client page's visits panel: repeating visits in words (docs/specs/recurrence-rfc5545.md), the next
visits in the site's zone, scoped like every client object (a foreign client is a 404)."""

from datetime import datetime

import pytest
import time_machine
from django.urls import reverse

from operations import recurrence
from operations.services import series as series_services
from tests.clients.factories import ClientFactory, SiteFactory
from tests.operations.factories import AppointmentTypeFactory, organizer_ny, utc

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mid_february_2027():
    with time_machine.travel(utc(2027, 2, 15, 12), tick=True):
        yield


@pytest.fixture
def household():
    client = ClientFactory(name="Hudson family")
    organizer = organizer_ny(email="panel@example.com", first_name="Maya")
    series_services.series_create(
        client=client, site=SiteFactory(client=client, time_zone="America/Los_Angeles"),
        appointment_type=AppointmentTypeFactory(name="Maintenance"), organizers=[organizer],
        local_start=datetime(2027, 3, 2, 9), rule=recurrence.parse_rrule("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH"),
        duration_min=120, travel_min=0, actor=None, now=utc(2027, 2, 15, 12), allow_outside_hours=True,
    )  # fmt: skip
    return client, organizer


def panel(client, pk):
    return client.get(reverse("operations:client_visits_panel", kwargs={"pk": pk}))


def test_staff_see_the_series_in_words_and_the_next_visits_in_the_sites_zone(client, office, household):
    client.force_login(office)
    body = panel(client, household[0].pk).content.decode()
    assert "Every 2 weeks on Tuesday and Thursday" in body
    assert "Tue Mar 2, 09:00" in body  # 09:00 in Los Angeles, whatever the viewer's zone
    assert "Maya" in body


def test_the_booked_organizer_sees_it_another_organizer_gets_404(client, household, organizer_b):
    client_obj, organizer = household
    client.force_login(organizer)
    assert "Every 2 weeks" in panel(client, client_obj.pk).content.decode()
    client.force_login(organizer_b)
    assert panel(client, client_obj.pk).status_code == 404


def test_a_client_without_visits_says_so(client, office, client_a):
    client.force_login(office)
    assert "No upcoming visits." in panel(client, client_a.pk).content.decode()
