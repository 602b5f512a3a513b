"""T11 (docs/specs/defects.md): labour rates are the owner's. Office edits appointment types but never sees or
saves their billable rate; the owner still does."""

from decimal import Decimal

import pytest
from django.urls import reverse

from operations.models import AppointmentType
from tests.operations.factories import AppointmentTypeFactory

pytestmark = pytest.mark.django_db


def type_data(**extra):
    return {
        "name": "Organizing session", "default_duration_min": "120", "default_travel_min": "30",
        "checklist": "Photos before", "is_active": "on",
    } | extra  # fmt: skip


def test_T11_office_neither_sees_nor_saves_the_billable_rate(client, office):
    kind = AppointmentTypeFactory(billable_rate=Decimal("85.00"))
    url = reverse("operations:appointment_type_edit", kwargs={"pk": kind.pk})
    client.force_login(office)
    body = client.get(url).content.decode()
    assert "billable_rate" not in body and "85.00" not in body
    response = client.post(url, type_data(name="Deep declutter", billable_rate="1.00"))
    assert response.status_code == 302
    kind.refresh_from_db()
    assert kind.name == "Deep declutter" and kind.billable_rate == Decimal("85.00")


def test_T11_office_creates_a_type_without_a_rate(client, office):
    client.force_login(office)
    client.post(reverse("operations:appointment_type_create"), type_data(name="Move-in", billable_rate="999"))
    assert AppointmentType.objects.get(name="Move-in").billable_rate == Decimal("0")


def test_T11_owner_still_sees_and_saves_the_billable_rate(client, owner):
    kind = AppointmentTypeFactory(billable_rate=Decimal("85.00"))
    url = reverse("operations:appointment_type_edit", kwargs={"pk": kind.pk})
    client.force_login(owner)
    assert 'name="billable_rate"' in client.get(url).content.decode()
    client.post(url, type_data(billable_rate="95.50"))
    kind.refresh_from_db()
    assert kind.billable_rate == Decimal("95.50")
