"""Purchase orders and reordering through the pages (I7): drafts, receiving in parts at the PO cost, bad input."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from operations.forms import inventory as forms
from operations.models import Item, PurchaseOrder, StockMove
from operations.services import inventory, purchasing
from tests.support.inventory import (
    body,
    level,
    receive,
)

pytestmark = pytest.mark.django_db
D = Decimal


# --- purchase orders and reordering ---------------------------------------------------------------------


def po_data(supplier, lines):
    data = {"supplier": supplier.pk, "lines-TOTAL_FORMS": "3", "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "50"}  # fmt: skip
    for n, (sku, qty, cost) in enumerate(lines):
        data |= {f"lines-{n}-item": sku, f"lines-{n}-qty": qty, f"lines-{n}-unit_cost": cost}
    return data


def test_office_drafts_orders_receives_in_parts_at_the_po_cost(client, w):
    client.force_login(w.office)
    response = client.post(reverse("operations:po_create"), po_data(w.supplier, [("LBL-R", "10", "4.00")]))
    order = PurchaseOrder.objects.get()
    assert response.status_code == 302 and order.status == "draft"
    client.post(reverse("operations:po_mark_ordered", kwargs={"pk": order.pk}))
    line = order.lines.get()
    receive_url = reverse("operations:po_receive", kwargs={"pk": order.pk})
    client.post(receive_url, {"location": w.warehouse.pk, f"line_{line.pk}": "4"})
    order.refresh_from_db()
    assert order.status == "partly_received" and level(w.rolls, w.warehouse) == 4
    client.post(receive_url, {"location": w.warehouse.pk, f"line_{line.pk}": "6"})
    order.refresh_from_db()
    assert order.status == "received" and level(w.rolls, w.warehouse) == 10
    assert set(StockMove.objects.filter(po_line=line).values_list("unit_cost", flat=True)) == {D("4.0000")}


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([], forms.NO_LINES_MSG),
        ([("NOPE", "3", "1")], "No active item has the SKU “NOPE”."),
        ([("LBL-R", "0", "1")], inventory.QTY_POSITIVE_MSG),
        ([("LBL-R", "-5", "1")], inventory.QTY_POSITIVE_MSG),
        ([("LBL-R", "5", "-1")], "greater than or equal to 0"),
        ([("", "5", "1")], "Enter the SKU"),
    ],
)
def test_purchase_order_form_refuses_bad_lines(client, w, lines, message):
    client.force_login(w.office)
    response = client.post(reverse("operations:po_create"), po_data(w.supplier, lines))
    assert response.status_code == 400 and message in body(response) and not PurchaseOrder.objects.exists()


@pytest.mark.parametrize(
    ("qty", "message", "status"),
    [("-1", forms.NEGATIVE_MSG, 400), ("0", "Enter a quantity to receive.", 400),
     ("11", "Receiving 11 would exceed the 10 still open on Label roll.", 400)],
)  # fmt: skip
def test_receiving_refuses_bad_quantities(client, w, qty, message, status):
    order = purchasing.po_mark_ordered(order=purchasing.po_create(supplier=w.supplier, lines=[(w.rolls, 10, "4")],
                                                                 actor=None))  # fmt: skip
    client.force_login(w.office)
    data = {"location": w.warehouse.pk, f"line_{order.lines.get().pk}": qty}
    response = client.post(reverse("operations:po_receive", kwargs={"pk": order.pk}), data)
    assert response.status_code == status and message in body(response) and not StockMove.objects.exists()


def test_a_draft_order_cannot_be_received_and_a_received_one_not_cancelled(client, w):
    order = purchasing.po_create(supplier=w.supplier, lines=[(w.rolls, 10, "4")], actor=None)
    client.force_login(w.office)
    assert "only an ordered or partly received" in body(client.get(reverse("operations:po_receive", args=[order.pk])))
    purchasing.po_mark_ordered(order=order)
    purchasing.po_receive(order=order, quantities={order.lines.get().pk: 10}, actor=None)
    response = client.post(reverse("operations:po_cancel", kwargs={"pk": order.pk}), follow=True)
    assert "A received order cannot be cancelled." in body(response)


def test_I7_low_stock_list_and_one_click_draft_po(client, w):
    Item.objects.filter(pk=w.bins.pk).update(reorder_min=20, reorder_max=100, reorder_multiple=12, last_cost=2)
    receive(w.bins, 25, "1", w.warehouse)
    inventory.allocation_create(appointment=w.visit_a, item=w.bins, location=w.warehouse, qty=10)
    client.force_login(w.office)
    page = body(client.get(reverse("operations:reorder")))
    assert 'data-sku="BIN-L"' in page and "96 each" in page and 'data-sku="LBL-R"' not in page
    response = client.post(reverse("operations:po_draft"), {"supplier": w.supplier.pk})
    order = PurchaseOrder.objects.get()
    assert response["Location"] == reverse("operations:po_detail", kwargs={"pk": order.pk})
    assert (order.status, order.lines.get().qty_ordered) == ("draft", 96)
    again = client.post(reverse("operations:po_draft"), {"supplier": w.supplier.pk}, follow=True)
    assert "Nothing to order from Container Co" in body(again) and PurchaseOrder.objects.count() == 1
