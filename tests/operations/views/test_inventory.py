"""Stock pages: every role, bad input on every form, transfers and counts (I10, I11 through the views), valuation
(I8), CSV import, and constant query counts on the list pages."""

from __future__ import annotations

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from operations.forms import inventory as forms
from operations.models import (
    Item,
    Location,
    StockLevel,
    StockMove,
    Supplier,
)
from operations.services import inventory, purchasing
from tests.operations.factories import LocationFactory, utc
from tests.support.inventory import (
    body,
    book,
    consume_url,
    count_queries,
    level,
    receive,
)

pytestmark = pytest.mark.django_db


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


# --- query counts ---------------------------------------------------------------------------------------


def grow(items, locations, tag, *, also_at):
    new_locations = [LocationFactory(kind="van", name=f"Van {tag}{n}") for n in range(locations)]
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
