"""Real concurrent transactions on PostgreSQL: two staff book the same slot at the same moment."""

from datetime import timedelta

import pytest

from operations.models import Appointment, OrganizerBlock
from operations.services import visits as services
from tests.clients.factories import ClientFactory, SiteFactory
from tests.operations.factories import AppointmentTypeFactory, organizer_ny, utc
from tests.support.races import run_together

REPETITIONS = 40


@pytest.mark.django_db(transaction=True)
def test_B6_two_simultaneous_bookings_give_one_success_and_one_clean_refusal_40_times():
    client = ClientFactory()
    site = SiteFactory(client=client, time_zone="America/New_York")
    kind = AppointmentTypeFactory()
    organizer = organizer_ny(email="race@example.com")
    outcomes = []
    for day in range(REPETITIONS):
        start = utc(2025, 11, 4, 19) + timedelta(days=day)  # 14:00 New York

        def book(offset, start=start):
            return lambda: services.appointment_book(
                client=client, site=site, appointment_type=kind, organizers=[organizer],
                starts=start + timedelta(minutes=offset), ends=start + timedelta(minutes=60 + offset), travel_min=0,
            )  # fmt: skip

        outcomes.append(sorted(run_together(book(0), book(30))))
    assert outcomes == [["double_booked", "ok"]] * REPETITIONS
    assert Appointment.objects.count() == REPETITIONS
    assert OrganizerBlock.objects.count() == REPETITIONS
