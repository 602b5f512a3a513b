"""Inventory pages: every role, bad input on every form, I5/I6/I7/I8/I11/I12 through the views, uploads U1-U6,
supply cost on visits and clients, and constant query counts on the list pages."""

from __future__ import annotations

import io
import struct
import uuid
import zlib
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import ExifTags, Image

from operations import uploads
from operations.forms import inventory as forms
from operations.models import (
    Allocation,
    ClientPurchase,
    Item,
    Location,
    PurchaseOrder,
    StockLevel,
    StockMove,
    Supplier,
)
from operations.selectors import job_cost as job_costs
from operations.services import inventory, purchasing
from operations.services import visits as services
from tests.operations.factories import AppointmentTypeFactory, utc

pytestmark = pytest.mark.django_db
D = Decimal


# --- fixtures and helpers -------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def book(client_obj, organizer, starts):
    return services.appointment_book(
        client=client_obj, site=client_obj.sites.get(), appointment_type=AppointmentTypeFactory(),
        organizers=[organizer], starts=starts, ends=starts.replace(hour=starts.hour + 2), allow_outside_hours=True,
    )  # fmt: skip


def receive(item, qty, cost, location):
    return inventory.stock_move(
        item=item, qty=qty, from_location=inventory.virtual_location("supplier"), to_location=location,
        reason="receipt", actor=None, unit_cost=cost,
    )  # fmt: skip


def level(item, location):
    row = StockLevel.objects.filter(item=item, location=location).first()
    return row.qty if row else D(0)


@pytest.fixture
def w(users, client_a, client_b):
    anna, ben = users["organizer"], users["organizer_b"]
    supplier = Supplier.objects.create(name="Container Co")
    return SimpleNamespace(
        **users,
        anna=anna,
        ben=ben,
        client_a=client_a,
        client_b=client_b,
        supplier=supplier,
        bins=Item.objects.create(sku="BIN-L", name="Large bin", unit="each", preferred_supplier=supplier),
        rolls=Item.objects.create(sku="LBL-R", name="Label roll", unit="roll", preferred_supplier=supplier),
        warehouse=inventory.warehouse(),
        van_a=Location.objects.create(kind="van", name="Anna's van", organizer=anna),
        van_b=Location.objects.create(kind="van", name="Ben's van", organizer=ben),
        visit_a=book(client_a, anna, utc(2030, 1, 8, 15)),
        visit_b=book(client_b, ben, utc(2030, 1, 8, 15)),
    )


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


# --- roles ----------------------------------------------------------------------------------------------


def test_office_sees_stock_per_location_on_the_inventory_list(client, w):
    receive(w.bins, 10, "6.00", w.warehouse)
    receive(w.bins, 4, "6.00", w.van_a)
    client.force_login(w.office)
    response = client.get(reverse("operations:inventory_list"))
    assert response.status_code == 200
    text = body(response)
    assert "BIN-L" in text and "Warehouse: 10" in text and "Anna&#x27;s van: 4" in text


@pytest.mark.parametrize(
    "name",
    ["inventory_list", "valuation", "po_list", "reorder", "move_list", "stock_transfer", "stock_count", "po_create"],
)
def test_organizers_get_403_and_no_money_on_staff_pages(client, w, name):
    receive(w.bins, 10, "6.25", w.warehouse)
    client.force_login(w.anna)
    response = client.get(reverse(f"operations:{name}"))
    assert response.status_code == 403
    assert "6.25" not in body(response) and "62.50" not in body(response)


def test_organizer_sees_their_van_without_costs(client, w):
    receive(w.rolls, 7, "4.50", w.van_a)
    receive(w.bins, 3, "6.00", w.van_b)
    client.force_login(w.anna)
    response = client.get(reverse("operations:my_van"))
    text = body(response)
    assert response.status_code == 200 and "Label roll" in text and "Large bin" not in text
    assert "$" not in text.split("<main", 1)[1]


def test_organizer_gets_404_on_another_organizers_van(client, w):
    client.force_login(w.anna)
    assert client.get(reverse("operations:location_detail", kwargs={"pk": w.van_b.pk})).status_code == 404
    assert client.get(reverse("operations:location_detail", kwargs={"pk": w.warehouse.pk})).status_code == 404


def test_organizer_without_a_van_is_told_to_ask_the_office(client, w):
    w.van_a.organizer = None
    w.van_a.save(update_fields=["organizer"])
    client.force_login(w.anna)
    assert "No van is set up for you" in body(client.get(reverse("operations:my_van")))
    assert "No van is set up for you" in body(client.get(consume_url(w.visit_a)))
    assert not Location.objects.filter(organizer=w.anna).exists()  # a GET never creates a van


@pytest.mark.parametrize("role", ["owner", "office"])
def test_I8_valuation_shows_average_cost_value_per_location_and_total(client, w, role):
    receive(w.bins, 100, "0.10", w.warehouse)
    receive(w.bins, 100, "0.14", w.warehouse)
    inventory.stock_transfer(item=w.bins, qty=50, from_location=w.warehouse, to_location=w.van_a, actor=None)
    client.force_login(getattr(w, role))
    text = body(client.get(reverse("operations:valuation")))
    assert "$18.00" in text and "$6.00" in text and "$24.00" in text  # 150 and 50 at an average of 0.12


# --- catalogue and CSV import ---------------------------------------------------------------------------


def item_data(**extra):
    return {
        "sku": "HNG-V", "name": "Velvet hanger", "unit": "pack", "category": "hangers", "preferred_supplier": "",
        "last_cost": "3.20", "reorder_min": "10", "reorder_max": "40", "reorder_multiple": "5", "is_active": "on",
    } | extra  # fmt: skip


def test_office_adds_an_item(client, w):
    client.force_login(w.office)
    response = client.post(reverse("operations:item_create"), item_data())
    item = Item.objects.get(sku="HNG-V")
    assert response.status_code == 302 and response["Location"] == reverse("operations:item_detail", args=[item.pk])
    assert (item.reorder_min, item.reorder_max, item.avg_cost) == (10, 40, 0)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"reorder_min": "-1"}, "greater than or equal to 0"),
        ({"reorder_min": "50"}, forms.MAX_BELOW_MIN_MSG),
        ({"reorder_multiple": "0"}, "greater than or equal to 0.001"),
        ({"last_cost": "-2"}, "greater than or equal to 0"),
        ({"sku": "BIN-L"}, "already exists"),
        ({"name": ""}, "This field is required"),
        ({"category": "spaceships"}, "valid choice"),
    ],
)
def test_item_form_refuses_bad_input_and_saves_nothing(client, w, extra, message):
    client.force_login(w.office)
    response = client.post(reverse("operations:item_create"), item_data(**extra))
    assert response.status_code == 200 and message in body(response).replace("&quot;", '"').replace("&#x27;", "'")
    assert not Item.objects.filter(name="Velvet hanger").exists()


CSV_HEADER = b"sku,name,unit,category,supplier,cost,reorder_min,reorder_max,reorder_multiple\n"


def csv_upload(content, name="items.csv"):
    return {"file": SimpleUploadedFile(name, content, content_type="text/csv")}


def test_csv_import_creates_every_row(client, w):
    rows = b"".join(f"CSV-{n},Item {n},each,bins,Acme,1.25,5,20,5\n".encode() for n in range(30))
    client.force_login(w.office)
    response = client.post(reverse("operations:item_import"), csv_upload(CSV_HEADER + rows))
    assert response.status_code == 302 and Item.objects.filter(sku__startswith="CSV-").count() == 30


def test_csv_import_with_a_bad_row_lists_row_and_column_and_imports_nothing(client, w):
    rows = [f"CSV-{n},Item {n},each,bins,Acme,1.25,5,20,5\n" for n in range(10)]
    rows[6] = "CSV-6,Item 6,each,bins,Acme,abc,5,20,5\n"  # line 8 of the file
    rows[8] = "CSV-8,Item 8,each,rockets,Acme,1,5,20,5\n"  # line 10
    client.force_login(w.office)
    response = client.post(reverse("operations:item_import"), csv_upload(CSV_HEADER + "".join(rows).encode()))
    text = body(response)
    assert response.status_code == 400 and "Nothing was imported: 2 problems" in text
    assert "<td>8</td><td><code>cost</code></td>" in text and "<td>10</td><td><code>category</code></td>" in text
    assert not Item.objects.filter(sku__startswith="CSV-").exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (CSV_HEADER + b"X-1,Thing,each,bins,,1,0,0,1\n", "items.xlsx", forms.CSV_NOT_CSV_MSG),
        (b"\xff\xfe\x00s\x00k\x00u", "items.csv", "not UTF-8"),
        (b"code,title\nX,Y\n", "items.csv", "missing from the header row"),
    ],
)
def test_csv_import_refuses_files_that_are_not_a_utf8_csv(client, w, content, name, message):
    client.force_login(w.office)
    response = client.post(reverse("operations:item_import"), csv_upload(content, name))
    assert response.status_code == 400 and message in body(response)
    assert Item.objects.count() == 2


# --- transfers and counts -------------------------------------------------------------------------------


def transfer_data(w, **extra):
    data = {"item": "BIN-L", "qty": "4", "from_location": w.warehouse.pk, "to_location": w.van_a.pk,
            "idempotency_key": str(uuid.uuid4())}  # fmt: skip
    return data | extra


def test_office_transfers_from_the_warehouse_to_a_van(client, w):
    receive(w.bins, 10, "6.00", w.warehouse)
    client.force_login(w.office)
    response = client.post(reverse("operations:stock_transfer"), transfer_data(w))
    assert response.status_code == 302
    assert (level(w.bins, w.warehouse), level(w.bins, w.van_a)) == (6, 4)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"qty": "0"}, inventory.QTY_POSITIVE_MSG),
        ({"qty": "-3"}, inventory.QTY_POSITIVE_MSG),
        ({"qty": "lots"}, "Enter a number"),
        ({"item": "NOPE-1"}, "No active item has the SKU “NOPE-1”."),
        ({"to_location": "WAREHOUSE"}, forms.SAME_LOCATION_MSG),
        ({"idempotency_key": ""}, forms.KEY_MISSING_MSG),
    ],
)
def test_transfer_form_refuses_bad_input_and_moves_nothing(client, w, extra, message):
    receive(w.bins, 10, "6.00", w.warehouse)
    if extra.get("to_location") == "WAREHOUSE":
        extra["to_location"] = w.warehouse.pk
    client.force_login(w.office)
    response = client.post(reverse("operations:stock_transfer"), transfer_data(w, **extra))
    assert response.status_code == 200 and message in body(response)
    assert StockMove.objects.filter(reason="transfer").count() == 0 and level(w.bins, w.warehouse) == 10


def test_transfer_of_more_than_the_source_holds_is_a_409_that_says_what_is_there(client, w):
    receive(w.bins, 3, "6.00", w.warehouse)
    client.force_login(w.office)
    response = client.post(reverse("operations:stock_transfer"), transfer_data(w, qty="5"))
    assert response.status_code == 409 and "Not enough Large bin in Warehouse: 3 each available." in body(response)
    assert level(w.bins, w.warehouse) == 3


def test_I10_count_books_the_difference(client, w):
    receive(w.rolls, 9, "4.50", w.van_a)
    client.force_login(w.office)
    data = {"item": "LBL-R", "location": w.van_a.pk, "counted": "7"}
    response = client.post(reverse("operations:stock_count"), data)
    assert response.status_code == 302 and level(w.rolls, w.van_a) == 7
    assert StockMove.objects.get(reason="count_adjust").qty == 2


@pytest.mark.parametrize(
    ("extra", "message"),
    [({"counted": "-1"}, "A count cannot be negative."), ({"item": "ZZZ"}, "No active item has the SKU")],
)
def test_count_form_refuses_bad_input(client, w, extra, message):
    receive(w.rolls, 9, "4.50", w.van_a)
    client.force_login(w.office)
    response = client.post(reverse("operations:stock_count"), {"item": "LBL-R", "location": w.van_a.pk} | extra)
    assert response.status_code == 200 and message in body(response) and level(w.rolls, w.van_a) == 9


# --- supplies used on a visit (phone, organizers) -------------------------------------------------------


def test_organizer_records_supplies_used_from_their_van_and_returns_to_my_day(client, w):
    receive(w.rolls, 7, "4.50", w.van_a)
    receive(w.bins, 5, "6.00", w.van_a)
    client.force_login(w.anna)
    page = client.get(consume_url(w.visit_a))
    assert page.status_code == 200 and 'name="idempotency_key"' in body(page) and "Label roll" in body(page)
    next_url = reverse("operations:my_day") + "?date=2030-01-08#visit-1"
    response = client.post(consume_url(w.visit_a), consume_data({w.rolls: 2, w.bins: 3}, next=next_url))
    assert response.status_code == 302 and response["Location"] == next_url
    assert (level(w.rolls, w.van_a), level(w.bins, w.van_a)) == (5, 2)
    assert set(StockMove.objects.filter(reason="consume").values_list("appointment", "actor")) == {
        (w.visit_a.pk, w.anna.pk)
    }


def test_each_rendered_consume_form_carries_a_fresh_idempotency_key(client, w):
    receive(w.rolls, 7, "4.50", w.van_a)
    client.force_login(w.anna)
    keys = {body(client.get(consume_url(w.visit_a))).split('name="idempotency_key" value="')[1][:36] for _ in "ab"}
    assert len(keys) == 2 and all(uuid.UUID(k) for k in keys)


def test_I5_the_same_form_posted_twice_records_once_and_both_redirect_alike(client, w):
    receive(w.rolls, 7, "4.50", w.van_a)
    receive(w.bins, 5, "6.00", w.van_a)
    client.force_login(w.anna)
    data = consume_data({w.rolls: 2, w.bins: 1}, next="/schedule/my-day/")
    first = client.post(consume_url(w.visit_a), data)
    second = client.post(consume_url(w.visit_a), data)
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    assert StockMove.objects.filter(reason="consume").count() == 2
    assert (level(w.rolls, w.van_a), level(w.bins, w.van_a)) == (5, 4)


def test_I11_using_more_than_the_van_holds_is_refused_with_what_is_there_and_nothing_recorded(client, w):
    receive(w.rolls, 7, "4.50", w.van_a)
    receive(w.bins, 5, "6.00", w.van_a)
    client.force_login(w.anna)
    response = client.post(consume_url(w.visit_a), consume_data({w.bins: 1, w.rolls: 8}))
    assert response.status_code == 409
    assert "Not enough Label roll in Anna&#x27;s van: 7 roll available." in body(response)
    assert not StockMove.objects.filter(reason="consume").exists()  # the valid line is not kept either
    assert (level(w.rolls, w.van_a), level(w.bins, w.van_a)) == (7, 5)


@pytest.mark.parametrize(
    ("qty", "message"),
    [("-1", forms.NEGATIVE_MSG), ("0", forms.NOTHING_USED_MSG), ("", forms.NOTHING_USED_MSG), ("two", "number")],
)
def test_consume_form_refuses_bad_quantities(client, w, qty, message):
    receive(w.rolls, 7, "4.50", w.van_a)
    client.force_login(w.anna)
    response = client.post(consume_url(w.visit_a), consume_data({w.rolls: qty}))
    assert response.status_code == 400 and message in body(response)
    assert not StockMove.objects.filter(reason="consume").exists()


def test_consume_without_a_key_is_refused(client, w):
    receive(w.rolls, 7, "4.50", w.van_a)
    client.force_login(w.anna)
    data = consume_data({w.rolls: 1})
    del data["idempotency_key"]
    response = client.post(consume_url(w.visit_a), data)
    assert response.status_code == 400 and forms.KEY_MISSING_MSG in body(response)


def test_organizer_cannot_use_supplies_on_another_organizers_visit(client, w):
    receive(w.rolls, 7, "4.50", w.van_a)
    client.force_login(w.anna)
    response = client.post(consume_url(w.visit_b), consume_data({w.rolls: 1}))
    assert response.status_code == 404 and not StockMove.objects.filter(reason="consume").exists()


def test_organizer_cannot_take_from_another_van_by_posting_its_id(client, w):
    receive(w.rolls, 7, "4.50", w.van_b)
    client.force_login(w.anna)
    response = client.post(consume_url(w.visit_a), consume_data({w.rolls: 1}, location=w.van_b))
    assert response.status_code == 400  # the pick list is Anna's own (empty) van
    assert level(w.rolls, w.van_b) == 7 and not StockMove.objects.filter(reason="consume").exists()


def test_office_records_supplies_from_a_chosen_location(client, w):
    receive(w.bins, 5, "6.00", w.warehouse)
    client.force_login(w.office)
    assert "Anna&#x27;s van" in body(client.get(consume_url(w.visit_a)))  # the visit's organizer's van first
    response = client.post(consume_url(w.visit_a), consume_data({w.bins: 2}, location=w.warehouse))
    assert response.status_code == 302 and level(w.bins, w.warehouse) == 3


def test_organizer_undoes_their_own_entry_and_the_job_cost_follows(client, w):
    receive(w.rolls, 7, "4.50", w.van_a)
    move = inventory.stock_consume(appointment=w.visit_a, item=w.rolls, qty=2, location=w.van_a, actor=w.anna)
    client.force_login(w.anna)
    response = client.post(reverse("operations:move_reverse", kwargs={"pk": move.pk}))
    assert response.status_code == 302 and response["Location"] == w.visit_a.get_absolute_url()
    assert level(w.rolls, w.van_a) == 7 and job_costs.job_cost(appointment=w.visit_a).supplies == 0
    again = client.post(reverse("operations:move_reverse", kwargs={"pk": move.pk}), follow=True)
    assert "cannot be reversed here" in body(again) and StockMove.objects.filter(reason="reversal").count() == 1


def test_organizer_cannot_reverse_a_transfer_into_their_van(client, w):
    receive(w.rolls, 7, "4.50", w.warehouse)
    move = inventory.stock_transfer(item=w.rolls, qty=2, from_location=w.warehouse, to_location=w.van_a, actor=None)
    client.force_login(w.anna)
    assert client.post(reverse("operations:move_reverse", kwargs={"pk": move.pk})).status_code == 404


def test_office_reverses_a_transfer_from_the_ledger(client, w):
    receive(w.rolls, 7, "4.50", w.warehouse)
    move = inventory.stock_transfer(item=w.rolls, qty=2, from_location=w.warehouse, to_location=w.van_a, actor=None)
    client.force_login(w.office)
    ledger = reverse("operations:move_list")
    assert f'action="{reverse("operations:move_reverse", kwargs={"pk": move.pk})}"' in body(client.get(ledger))
    response = client.post(reverse("operations:move_reverse", kwargs={"pk": move.pk}), {"next": ledger})
    assert response.status_code == 302 and response["Location"] == ledger
    assert (level(w.rolls, w.warehouse), level(w.rolls, w.van_a)) == (7, 0)


def test_a_receipt_against_a_purchase_order_is_not_reversed_from_the_ledger(client, w):
    order = purchasing.po_mark_ordered(order=purchasing.po_create(supplier=w.supplier, lines=[(w.bins, 5, "2")],
                                                                 actor=None))  # fmt: skip
    [move] = purchasing.po_receive(order=order, quantities={order.lines.get().pk: 5}, actor=None)
    client.force_login(w.office)
    response = client.post(reverse("operations:move_reverse", kwargs={"pk": move.pk}), follow=True)
    assert "Record a count" in body(response) and level(w.bins, w.warehouse) == 5


# --- reservations ---------------------------------------------------------------------------------------


def allocate_url(visit):
    return reverse("operations:visit_allocate", kwargs={"pk": visit.pk})


def test_I6_office_reserves_supplies_and_more_than_is_free_is_refused(client, w):
    receive(w.bins, 25, "1", w.warehouse)
    client.force_login(w.office)
    data = {"item": "BIN-L", "location": w.warehouse.pk, "qty": "10"}
    assert client.post(allocate_url(w.visit_a), data).status_code == 302
    response = client.post(allocate_url(w.visit_a), data | {"qty": "16"})
    assert response.status_code == 409 and "Only 15 each of Large bin are free in Warehouse." in body(response)
    assert list(Allocation.objects.values_list("qty", flat=True)) == [10]


@pytest.mark.parametrize(
    ("extra", "message"),
    [({"qty": "0"}, inventory.QTY_POSITIVE_MSG), ({"qty": "-4"}, inventory.QTY_POSITIVE_MSG),
     ({"item": "GONE"}, "No active item has the SKU")],
)  # fmt: skip
def test_reservation_form_refuses_bad_input(client, w, extra, message):
    receive(w.bins, 25, "1", w.warehouse)
    client.force_login(w.office)
    response = client.post(allocate_url(w.visit_a), {"item": "BIN-L", "location": w.warehouse.pk} | extra)
    assert response.status_code == 400 and message in body(response) and not Allocation.objects.exists()


def test_organizers_cannot_reserve_supplies(client, w):
    receive(w.bins, 25, "1", w.warehouse)
    client.force_login(w.anna)
    data = {"item": "BIN-L", "location": w.warehouse.pk, "qty": "1"}
    assert client.post(allocate_url(w.visit_a), data).status_code == 403 and not Allocation.objects.exists()


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


# --- pass-through purchases and receipts (SECURITY.md U1-U6) --------------------------------------------


def purchase_url(visit):
    return reverse("operations:purchase_create", kwargs={"pk": visit.pk})


def jpeg_with_gps_and_rotation():
    image = Image.new("RGB", (40, 20), "red")
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # shown rotated 90° clockwise: 20 wide, 40 high
    exif[ExifTags.Base.Make] = "PhoneCo"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (40.0, 44.0, 54.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (73.0, 59.0, 0.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def png_header_only(width, height):
    """A tiny PNG whose header claims `width` x `height` pixels (a decompression bomb's shape)."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def purchase_data(receipt=None, name="receipt.jpg", content_type="image/jpeg", **extra):
    data = {"description": "Drawer dividers", "store": "Container Store", "cost": "24.00", "markup_pct": "15",
            "idempotency_key": str(uuid.uuid4())}  # fmt: skip
    if receipt is not None:
        data["receipt"] = SimpleUploadedFile(name, receipt, content_type=content_type)
    return data | extra


def test_U4_U6_receipt_is_stored_under_a_server_name_without_gps_and_upright(client, w):
    original = jpeg_with_gps_and_rotation()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the fixture has GPS
    client.force_login(w.anna)
    response = client.post(purchase_url(w.visit_a), purchase_data(original, name="../../etc/passwd.jpg.exe"))
    assert response.status_code == 302
    purchase = ClientPurchase.objects.get()
    assert purchase.receipt.name.startswith("receipts/") and purchase.receipt.name.endswith(".jpg")
    assert "passwd" not in purchase.receipt.name and len(purchase.receipt.name) == len("receipts/") + 32 + 4
    stored = Image.open(purchase.receipt.path)
    assert stored.format == "JPEG" and stored.size == (20, 40)
    exif = stored.getexif()
    assert not exif.get_ifd(ExifTags.IFD.GPSInfo) and ExifTags.Base.Make not in exif
    assert purchase.markup_pct == 0  # organizers record what they paid; the office prices it


def test_receipt_is_served_only_through_the_checked_view_as_an_attachment(client, w):
    client.force_login(w.anna)
    client.post(purchase_url(w.visit_a), purchase_data(jpeg_with_gps_and_rotation()))
    purchase = ClientPurchase.objects.get()
    response = client.get(reverse("operations:purchase_receipt", kwargs={"pk": purchase.pk}))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == f'attachment; filename="receipt-{purchase.pk}.jpg"'
    assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]
    client.force_login(w.ben)
    assert client.get(reverse("operations:purchase_receipt", kwargs={"pk": purchase.pk})).status_code == 404
    assert client.get("/media/" + purchase.receipt.name).status_code == 404  # Z13: no public MEDIA mapping


@pytest.mark.parametrize(
    ("content", "name", "content_type", "message"),
    [
        (b"<?php system($_GET['c']); ?>", "x.jpg", "image/jpeg", uploads.RECEIPT_NOT_IMAGE_MSG),  # U2
        (bytes(range(256)) * 40, "x.jpg", "image/jpeg", uploads.RECEIPT_NOT_IMAGE_MSG),  # U2 random bytes
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "r.svg", "image/svg+xml",
         uploads.RECEIPT_NOT_IMAGE_MSG),  # U5
        (b"<html><script>alert(1)</script></html>", "r.html", "text/html", uploads.RECEIPT_NOT_IMAGE_MSG),  # U5
        (png_header_only(30_000, 30_000), "bomb.png", "image/png", "The receipt image is too large"),  # U3
        (png_header_only(8_000, 6_000), "big.png", "image/png", "The receipt image is too large (48 megapixels)"),
    ],
    ids=["php", "random", "svg", "html", "bomb-30000", "over-pixel-cap"],
)  # fmt: skip
def test_U2_U3_U5_uploads_that_are_not_a_safe_image_are_refused_and_nothing_is_stored(
    client, w, settings, content, name, content_type, message
):
    client.force_login(w.anna)
    response = client.post(purchase_url(w.visit_a), purchase_data(content, name=name, content_type=content_type))
    assert response.status_code == 400 and message in body(response)
    assert not ClientPurchase.objects.exists()
    assert not (settings.MEDIA_ROOT / "receipts").exists()


def test_a_gif_is_refused_by_the_allowlist(client, w, settings):
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, format="GIF")
    client.force_login(w.anna)
    response = client.post(purchase_url(w.visit_a), purchase_data(out.getvalue(), name="r.gif"))
    assert response.status_code == 400 and uploads.RECEIPT_NOT_IMAGE_MSG in body(response)


def test_U1_an_oversize_receipt_is_refused(client, w, settings):
    settings.RECEIPT_MAX_BYTES = 2 * 1024 * 1024
    big = io.BytesIO()
    Image.effect_noise((1800, 1800), 100).convert("RGB").save(big, format="PNG")  # noise does not compress
    assert big.tell() > settings.RECEIPT_MAX_BYTES
    client.force_login(w.anna)
    response = client.post(purchase_url(w.visit_a), purchase_data(big.getvalue(), name="r.png"))
    assert response.status_code == 400 and "larger than 2 MB" in body(response)
    assert not ClientPurchase.objects.exists() and not (settings.MEDIA_ROOT / "receipts").exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [({"cost": "0"}, "Enter the amount paid"), ({"cost": "-3"}, "Enter the amount paid"),
     ({"description": ""}, "This field is required"), ({"markup_pct": "900"}, "less than or equal to 500")],
)  # fmt: skip
def test_purchase_form_refuses_bad_amounts(client, w, extra, message):
    client.force_login(w.office)
    response = client.post(purchase_url(w.visit_a), purchase_data(**extra))
    assert response.status_code == 400 and message in body(response) and not ClientPurchase.objects.exists()


def test_markup_is_set_by_the_office_only(client, w):
    client.force_login(w.office)
    assert 'name="markup_pct"' in body(client.get(purchase_url(w.visit_a)))
    client.post(purchase_url(w.visit_a), purchase_data())
    assert ClientPurchase.objects.get().billed == D("27.60")
    client.force_login(w.anna)
    assert 'name="markup_pct"' not in body(client.get(purchase_url(w.visit_a)))


def test_organizer_cannot_add_a_purchase_to_another_organizers_visit(client, w):
    client.force_login(w.anna)
    assert client.post(purchase_url(w.visit_b), purchase_data()).status_code == 404
    assert not ClientPurchase.objects.exists()


# --- supply cost on the visit and the client pages ------------------------------------------------------


def seed_job_costs(w):
    receive(w.rolls, 10, "4.50", w.van_a)
    receive(w.bins, 10, "6.00", w.van_a)
    for item, qty in ((w.rolls, 2), (w.bins, 3)):
        inventory.stock_consume(appointment=w.visit_a, item=item, qty=qty, location=w.van_a, actor=w.anna)
    purchasing.client_purchase_add(appointment=w.visit_a, description="Shelf liner", cost="10.00", markup_pct="20",
                                  receipt=None, actor=w.office)  # fmt: skip
    later = book(w.client_a, w.anna, utc(2030, 1, 15, 15))
    inventory.stock_consume(appointment=later, item=w.bins, qty=1, location=w.van_a, actor=w.anna)


def test_I12_visit_panel_shows_supply_cost_and_pass_through_totals_to_staff(client, w):
    seed_job_costs(w)
    client.force_login(w.office)
    text = body(client.get(reverse("operations:visit_supplies_panel", kwargs={"pk": w.visit_a.pk})))
    assert "Supply cost <strong>$27.00</strong>" in text
    assert "pass-through <strong>$10.00</strong>, billed <strong>$12.00</strong>" in text


def test_visit_panel_shows_organizers_what_was_used_but_no_money(client, w):
    seed_job_costs(w)
    client.force_login(w.anna)
    text = body(client.get(reverse("operations:visit_supplies_panel", kwargs={"pk": w.visit_a.pk})))
    assert "Label roll" in text and "Shelf liner" in text and "$" not in text and "Undo" in text


def test_client_panel_sums_the_visits_for_staff_and_hides_money_from_organizers(client, w):
    seed_job_costs(w)
    url = reverse("operations:client_supplies_panel", kwargs={"pk": w.client_a.pk})
    client.force_login(w.owner)
    text = body(client.get(url))
    assert "Supplies <strong>$33.00</strong>" in text and "billed <strong>$12.00</strong>" in text
    client.force_login(w.anna)
    text = body(client.get(url))
    assert "Large bin" in text and "$" not in text


def test_visit_client_and_my_day_pages_link_to_the_supplies(client, w):
    client.force_login(w.anna)
    visit_page = body(client.get(w.visit_a.get_absolute_url()))
    assert f'hx-get="{reverse("operations:visit_supplies_panel", kwargs={"pk": w.visit_a.pk})}"' in visit_page
    client_page = body(client.get(w.client_a.get_absolute_url()))
    assert f'hx-get="{reverse("operations:client_supplies_panel", kwargs={"pk": w.client_a.pk})}"' in client_page
    my_day = body(client.get(reverse("operations:my_day") + "?date=2030-01-08"))
    assert consume_url(w.visit_a) + "?next=" in my_day and reverse("operations:my_van") in my_day


# --- query counts ---------------------------------------------------------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def grow(items, locations, tag, *, also_at):
    new_locations = [Location.objects.create(kind="van", name=f"Van {tag}{n}") for n in range(locations)]
    new_items = Item.objects.bulk_create(Item(sku=f"Q{tag}-{n:03d}", name=f"Item {n}") for n in range(items))
    StockLevel.objects.bulk_create(
        StockLevel(item=i, location=loc, qty=3, allocated=1) for i in new_items for loc in [*new_locations, also_at]
    )
    supplier = Supplier.objects.first()
    purchasing.po_create(supplier=supplier, lines=[(i, 5, "1") for i in new_items[:5]], actor=None)


def test_inventory_list_query_count_does_not_grow_with_items_and_locations(client, w):
    client.force_login(w.office)
    url = reverse("operations:inventory_list")
    filtered = url + f"?location={w.van_a.pk}&category=other&q=Q"
    grow(2, 1, "a", also_at=w.van_a)
    few = (count_queries(client, url), count_queries(client, filtered))
    grow(45, 8, "b", also_at=w.van_a)
    assert Item.objects.count() == 49 and StockLevel.objects.count() == 2 * 2 + 45 * 9
    assert (count_queries(client, url), count_queries(client, filtered)) == few


def test_ledger_and_client_panel_query_counts_do_not_grow(client, w):
    client.force_login(w.office)
    panel = reverse("operations:client_supplies_panel", kwargs={"pk": w.client_a.pk})
    receive(w.bins, 500, "1", w.van_a)
    inventory.stock_consume(appointment=w.visit_a, item=w.bins, qty=1, location=w.van_a, actor=w.anna)
    few = (count_queries(client, reverse("operations:move_list")), count_queries(client, panel))
    for day in range(9, 14):
        visit = book(w.client_a, w.anna, utc(2030, 1, day, 15))
        for _ in range(3):
            inventory.stock_consume(appointment=visit, item=w.bins, qty=1, location=w.van_a, actor=w.anna)
        purchasing.client_purchase_add(appointment=visit, description="Hooks", cost="3", markup_pct=0, receipt=None,
                                      actor=w.office)  # fmt: skip
    assert (count_queries(client, reverse("operations:move_list")), count_queries(client, panel)) == few


def test_visit_panel_has_the_reserve_form_for_staff_only(client, w):
    panel = reverse("operations:visit_supplies_panel", kwargs={"pk": w.visit_a.pk})
    reserve = f'action="{allocate_url(w.visit_a)}"'
    client.force_login(w.office)
    assert reserve in body(client.get(panel))
    client.force_login(w.anna)
    assert reserve not in body(client.get(panel))


def test_a_retried_purchase_submit_records_one_purchase(client, w):
    client.force_login(w.anna)
    data = purchase_data()
    first = client.post(purchase_url(w.visit_a), data)
    second = client.post(purchase_url(w.visit_a), data)
    assert first.status_code == second.status_code == 302
    assert ClientPurchase.objects.filter(appointment=w.visit_a).count() == 1
