"""Stock services: inventory scenarios I1-I13 (docs/specs/inventory.md) on real PostgreSQL. The reads (reorder
suggestions, job cost, audit) are in tests/operations/selectors/test_inventory.py."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from operations import csv_import
from operations.models import InventorySnapshot, Item, Location, PurchaseOrder, StockLevel, StockMove
from operations.selectors import inventory as inventory_selectors
from operations.selectors import job_cost as job_costs
from operations.services import inventory, purchasing
from operations.services import visits as services
from tests.operations.factories import ItemFactory, LocationFactory, SupplierFactory, utc
from tests.support.inventory import level, receive

D = Decimal


pytestmark = pytest.mark.django_db


class TestI1LedgerInvariant(HypothesisTestCase):
    """I1: after any sequence of receipts, transfers, consumptions and counts, levels equal the ledger."""

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        st.lists(
            st.tuples(st.sampled_from(["receive", "to_van", "to_warehouse", "consume", "count"]), st.integers(1, 9)),
            max_size=15,
        )
    )
    def test_I1_levels_equal_the_ledger_and_never_go_negative(self, operations):
        item = ItemFactory(sku="P-1", name="Property item")
        warehouse, van = inventory.warehouse(), LocationFactory(kind="van", name="Prop van")
        consumed = inventory.virtual_location("consumed")
        for op, n in operations:
            try:
                if op == "receive":
                    receive(item, n, "1.50")
                elif op == "to_van":
                    inventory.stock_transfer(item=item, qty=n, from_location=warehouse, to_location=van, actor=None)
                elif op == "to_warehouse":
                    inventory.stock_transfer(item=item, qty=n, from_location=van, to_location=warehouse, actor=None)
                elif op == "consume":
                    inventory.stock_move(
                        item=item, qty=n, from_location=van, to_location=consumed, reason="consume", actor=None
                    )
                else:
                    inventory.stock_count(item=item, location=van, counted=n, actor=None)
            except ValidationError as exc:
                assert exc.code == "insufficient_stock"
        assert inventory_selectors.inventory_audit() == []
        assert all(lv.qty >= 0 for lv in StockLevel.objects.all())
        totals = D("0")
        for location in Location.objects.all():
            totals += sum((m.qty for m in StockMove.objects.filter(to_location=location)), D("0"))
            totals -= sum((m.qty for m in StockMove.objects.filter(from_location=location)), D("0"))
        assert totals == 0


def test_I3_a_direct_sql_update_below_zero_hits_the_check(stock):
    receive(stock["item"], 5, "1")
    with pytest.raises(IntegrityError) as exc, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE operations_stocklevel SET qty = qty - 10")
    assert "stock_nonnegative" in str(exc.value)


def test_moves_are_append_only_in_the_database(stock):
    move = receive(stock["item"], 5, "1")
    with pytest.raises(Exception) as exc, transaction.atomic():
        StockMove.objects.filter(pk=move.pk).update(qty=6)
    assert "stock_move_append_only" in str(exc.value) or "Cannot" in str(exc.value)


def test_I5_same_idempotency_key_records_one_move(stock):
    receive(stock["item"], 5, "1", stock["van"])
    kwargs = {"appointment": stock["visit"], "item": stock["item"], "qty": 2, "location": stock["van"],
              "actor": stock["organizer"], "idempotency_key": "key-1"}  # fmt: skip
    first = inventory.stock_consume(**kwargs)
    second = inventory.stock_consume(**kwargs)
    assert first.pk == second.pk and level(stock["item"], stock["van"]) == 3


def test_I6_allocation_limits_available_and_completion_consumes_it(stock):
    receive(stock["item"], 25, "1")
    inventory.allocation_create(appointment=stock["visit"], item=stock["item"], location=stock["warehouse"], qty=10)
    row = StockLevel.objects.get(item=stock["item"], location=stock["warehouse"])
    assert row.available == 15
    with pytest.raises(ValidationError):
        inventory.allocation_create(appointment=stock["visit"], item=stock["item"], location=stock["warehouse"], qty=16)
    services.appointment_progress(appointment=stock["visit"], action="complete", now=utc(2027, 3, 2, 16))
    row.refresh_from_db()
    assert (row.qty, row.allocated) == (15, 0)


def test_I8_average_cost(stock):
    item = stock["item"]
    receive(item, 100, "0.10")
    receive(item, 100, "0.14")
    consumed = inventory.virtual_location("consumed")
    move = inventory.stock_move(
        item=item, qty=150, from_location=stock["warehouse"], to_location=consumed, reason="consume", actor=None
    )
    item.refresh_from_db()
    assert move.value == D("18.00") and item.avg_cost == D("0.12")
    assert (level(item, stock["warehouse"]) * item.avg_cost).quantize(D("0.01")) == D("6.00")
    receive(item, 50, "0.20")
    item.refresh_from_db()
    assert item.avg_cost == D("0.16")


def test_I9_fifo_cost(stock, settings):
    settings.INVENTORY_COSTING = "fifo"
    item = stock["item"]
    receive(item, 100, "0.10")
    receive(item, 100, "0.14")
    consumed = inventory.virtual_location("consumed")
    move = inventory.stock_move(
        item=item, qty=150, from_location=stock["warehouse"], to_location=consumed, reason="consume", actor=None
    )
    assert move.value == D("17.00")
    layer = item.cost_layers.get(remaining_qty__gt=0)
    assert (layer.remaining_qty, layer.unit_cost, layer.remaining_qty * layer.unit_cost) == (50, D("0.14"), D("7.00"))


def test_I10_count_books_the_difference_at_average_cost(stock):
    item = stock["rolls"]
    receive(item, 9, "4.50", stock["van"])
    move = inventory.stock_count(item=item, location=stock["van"], counted=7, actor=None)
    assert (move.qty, move.to_location.kind, move.unit_cost) == (2, "adjustment", D("4.50"))
    assert level(item, stock["van"]) == 7


def test_I11_consuming_more_than_the_van_holds_says_what_is_there(stock):
    receive(stock["rolls"], 7, "4.50", stock["van"])
    with pytest.raises(ValidationError) as exc:
        inventory.stock_consume(appointment=stock["visit"], item=stock["rolls"], qty=8, location=stock["van"],
                                actor=stock["organizer"])  # fmt: skip
    assert exc.value.code == "insufficient_stock" and "7 roll" in exc.value.messages[0]
    assert level(stock["rolls"], stock["van"]) == 7


def test_organizers_consume_only_from_their_own_van(stock):
    other_van = LocationFactory(kind="van", name="Someone else's van")
    receive(stock["rolls"], 5, "4.50", other_van)
    with pytest.raises(ValidationError) as exc:
        inventory.stock_consume(appointment=stock["visit"], item=stock["rolls"], qty=1, location=other_van,
                                actor=stock["organizer"])  # fmt: skip
    assert exc.value.code == "not_own_van"


def test_reversal_corrects_a_move_and_the_job_cost(stock):
    receive(stock["rolls"], 10, "4.50", stock["van"])
    move = inventory.stock_consume(appointment=stock["visit"], item=stock["rolls"], qty=2, location=stock["van"],
                                   actor=stock["organizer"])  # fmt: skip
    inventory.stock_reverse(move=move, actor=None)
    assert level(stock["rolls"], stock["van"]) == 10 and job_costs.job_cost(appointment=stock["visit"]).supplies == 0
    with pytest.raises(ValidationError):
        inventory.stock_reverse(move=move, actor=None)


def test_I13_nightly_snapshot_is_an_idempotent_upsert(stock):
    receive(stock["rolls"], 9, "4.50", stock["van"])
    assert inventory.snapshot_take(local_date=date(2027, 3, 2)) >= 1
    first = list(InventorySnapshot.objects.values_list("local_date", "item", "location", "qty", "value"))
    inventory.snapshot_take(local_date=date(2027, 3, 2))
    assert list(InventorySnapshot.objects.values_list("local_date", "item", "location", "qty", "value")) == first
    assert InventorySnapshot.objects.get(location=stock["van"]).value == D("40.50")


def test_purchase_order_receipt_flow(stock):
    supplier = SupplierFactory(name="Label Supply")
    po = purchasing.po_create(supplier=supplier, lines=[(stock["rolls"], 10, "4.00")], actor=None)
    purchasing.po_mark_ordered(order=po)
    line = po.lines.get()
    purchasing.po_receive(order=po, quantities={line.pk: 4}, actor=None)
    po.refresh_from_db()
    assert po.status == "partly_received" and level(stock["rolls"], stock["warehouse"]) == 4
    with pytest.raises(ValidationError):
        purchasing.po_receive(order=po, quantities={line.pk: 7}, actor=None)
    purchasing.po_receive(order=po, quantities={line.pk: 6}, actor=None)
    po.refresh_from_db()
    assert po.status == PurchaseOrder.Status.RECEIVED and level(stock["rolls"], stock["warehouse"]) == 10


def test_csv_import_is_all_or_nothing_and_idempotent(db):
    good = b"sku,name,unit,category,supplier,cost,reorder_min,reorder_max,reorder_multiple\n" + b"".join(
        f"SKU-{n},Item {n},each,bins,Acme,1.25,5,20,5\n".encode() for n in range(100)
    )
    bad = good.replace(b"SKU-56,Item 56,each,bins,Acme,1.25", b"SKU-56,Item 56,each,bins,Acme,abc")
    imported, errors = csv_import.items_import_csv(data=bad)
    assert imported == 0 and [(e.row, e.column) for e in errors] == [(58, "cost")]
    assert not Item.objects.exists()
    assert csv_import.items_import_csv(data=good) == (100, [])
    assert csv_import.items_import_csv(data=good) == (100, [])
    assert Item.objects.count() == 100


def test_low_stock_email_goes_out_once_a_day(stock, mailoutbox, owner):
    Item.objects.filter(pk=stock["rolls"].pk).update(reorder_min=5, reorder_max=10, reorder_multiple=1)
    assert inventory.low_stock_notify(local_date=date(2027, 3, 2)) is True
    assert inventory.low_stock_notify(local_date=date(2027, 3, 2)) is False
    assert len(mailoutbox) == 1 and "LBL-R" in mailoutbox[0].body and owner.email in mailoutbox[0].to


@pytest.mark.django_db(transaction=True)
def test_inventory_nightly_task_runs_on_a_real_worker(celery_worker_real, mailoutbox):
    import time

    from accounts.services import user_create
    from operations.models import LowStockNotice
    from operations.tasks import inventory_nightly

    user_create(actor=None, email="office-night@example.com", role="office", password=None)
    ItemFactory(sku="NIGHT", name="Night bins", reorder_min=5, reorder_max=10)
    inventory_nightly.delay()
    deadline = time.monotonic() + 20
    while not LowStockNotice.objects.exists():
        assert time.monotonic() < deadline, "the worker did not run the nightly task"
        time.sleep(0.1)
    inventory_nightly.delay()  # a second tick the same day sends nothing more
    time.sleep(1)
    assert LowStockNotice.objects.count() == 1


def test_a_receipt_cannot_be_reversed(stock):
    move = receive(stock["rolls"], 5, "4.50")
    with pytest.raises(ValidationError) as exc:
        inventory.stock_reverse(move=move, actor=None)
    assert exc.value.code == "receipt" and level(stock["rolls"], stock["warehouse"]) == 5


def test_a_retry_with_a_used_key_returns_the_first_move_even_when_stock_ran_out(stock):
    receive(stock["rolls"], 2, "4.50", stock["van"])
    kwargs = {"appointment": stock["visit"], "item": stock["rolls"], "qty": 2, "location": stock["van"],
              "actor": stock["organizer"], "idempotency_key": "retry-key"}  # fmt: skip
    first = inventory.stock_consume(**kwargs)
    assert inventory.stock_consume(**kwargs).pk == first.pk
