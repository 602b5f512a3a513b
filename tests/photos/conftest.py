"""Photo tests: a media root per test, and a visit for organizer A (client cA) and one for B (client cB)."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def book(client_obj, organizer, day: int = 8):
    from operations.services import visits as visit_services
    from tests.operations.factories import AppointmentTypeFactory

    return visit_services.appointment_book(
        client=client_obj, site=client_obj.sites.get(), appointment_type=AppointmentTypeFactory(),
        organizers=[organizer], starts=datetime(2030, 1, day, 15, tzinfo=UTC),
        ends=datetime(2030, 1, day, 17, tzinfo=UTC), allow_outside_hours=True,
    )  # fmt: skip


@pytest.fixture
def w(users, client_a, client_b):
    return SimpleNamespace(
        **users, client_a=client_a, client_b=client_b,
        visit_a=book(client_a, users["organizer"]), visit_b=book(client_b, users["organizer_b"]),
    )  # fmt: skip
