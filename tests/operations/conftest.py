"""Fixtures shared by the operations tests."""

import pytest

from operations.services import inventory
from operations.services import visits as services
from tests.clients.factories import ClientFactory, SiteFactory
from tests.operations.factories import AppointmentTypeFactory, ItemFactory, organizer_ny, utc


@pytest.fixture
def stock(db):
    organizer = organizer_ny(email="van@example.com")
    client = ClientFactory()
    site = SiteFactory(client=client, time_zone="America/New_York")
    visit = services.appointment_book(
        client=client, site=site, appointment_type=AppointmentTypeFactory(), organizers=[organizer],
        starts=utc(2027, 3, 2, 14), ends=utc(2027, 3, 2, 16),
    )  # fmt: skip
    return {
        "item": ItemFactory(sku="BIN-L", name="Large bin", unit="each"),
        "rolls": ItemFactory(sku="LBL-R", name="Label roll", unit="roll"),
        "warehouse": inventory.warehouse(),
        "van": inventory.van_for(organizer),
        "organizer": organizer,
        "visit": visit,
    }
