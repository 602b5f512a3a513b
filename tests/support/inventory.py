"""Helpers for the inventory tests: booking a visit, receiving stock, reading a level, building the pages' POST
data, counting a page's queries."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from operations.models import StockLevel
from operations.services import inventory
from operations.services import visits as services
from tests.operations.factories import AppointmentTypeFactory

D = Decimal


def book(client_obj, organizer, starts):
    return services.appointment_book(
        client=client_obj, site=client_obj.sites.get(), appointment_type=AppointmentTypeFactory(),
        organizers=[organizer], starts=starts, ends=starts.replace(hour=starts.hour + 2), allow_outside_hours=True,
    )  # fmt: skip


def receive(item, qty, cost, location=None):
    """A receipt from the suppliers into `location` (the warehouse by default) at `cost`."""
    return inventory.stock_move(
        item=item, qty=qty, from_location=inventory.virtual_location("supplier"),
        to_location=location or inventory.warehouse(), reason="receipt", actor=None, unit_cost=cost,
    )  # fmt: skip


def level(item, location):
    row = StockLevel.objects.filter(item=item, location=location).first()
    return row.qty if row else D(0)


def consume_url(visit):
    return reverse("operations:visit_consume", kwargs={"pk": visit.pk})


def consume_data(lines, *, key=None, location=None, **extra):
    data = {"idempotency_key": str(key or uuid.uuid4()), **extra}
    if location is not None:
        data["location"] = location.pk
    for item, qty in lines.items():
        data[f"qty_{item.pk}"] = str(qty)
    return data


def body(response):
    return response.content.decode()


def allocate_url(visit):
    return reverse("operations:visit_allocate", kwargs={"pk": visit.pk})


def purchase_url(visit):
    return reverse("operations:purchase_create", kwargs={"pk": visit.pk})


def purchase_data(receipt=None, name="receipt.jpg", content_type="image/jpeg", **extra):
    data = {"description": "Drawer dividers", "store": "Container Store", "cost": "24.00", "markup_pct": "15",
            "idempotency_key": str(uuid.uuid4())}  # fmt: skip
    if receipt is not None:
        data["receipt"] = SimpleUploadedFile(name, receipt, content_type=content_type)
    return data | extra


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)
