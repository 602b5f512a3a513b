"""Stock under real concurrent transactions: no oversell, no deadlock, the ledger always matches the levels."""

from decimal import Decimal

import pytest

from operations.models import StockLevel, StockMove
from operations.selectors import inventory as inventory_selectors
from operations.services import inventory
from tests.operations.factories import ItemFactory, LocationFactory
from tests.support.races import run_together

REPETITIONS = 40


def qty(item, location):
    return StockLevel.objects.get(item=item, location=location).qty


def receive(item, n, location):
    inventory.stock_move(item=item, qty=n, from_location=inventory.virtual_location("supplier"), to_location=location,
                         reason="receipt", actor=None, unit_cost="1.00")  # fmt: skip


def consume(item, n, location):
    return lambda: inventory.stock_move(
        item=item, qty=n, from_location=location, to_location=inventory.virtual_location("consumed"),
        reason="consume", actor=None,
    )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_I2_two_concurrent_consumptions_of_3_from_5_give_one_success():
    van = LocationFactory(kind="van", name="Race van")
    for n in range(REPETITIONS):
        item = ItemFactory(sku=f"BIN-{n}", name="Bin")
        receive(item, 5, van)
        results = sorted(run_together(consume(item, 3, van), consume(item, 3, van)))
        assert results == ["insufficient_stock", "ok"]
        assert qty(item, van) == 2 and StockMove.objects.filter(item=item, reason="consume").count() == 1
    assert inventory_selectors.inventory_audit() == []


@pytest.mark.django_db(transaction=True)
def test_twenty_consumers_of_one_unit_from_five_leave_five_successes_and_zero(settings):
    van = LocationFactory(kind="van", name="Storm van")
    for n in range(REPETITIONS):
        item = ItemFactory(sku=f"ROLL-{n}", name="Roll")
        receive(item, 5, van)
        results = run_together(*[consume(item, 1, van) for _ in range(20)])
        assert results.count("ok") == 5 and results.count("insufficient_stock") == 15, results
        assert qty(item, van) == 0
        assert inventory_selectors.inventory_audit() == []


@pytest.mark.django_db(transaction=True)
def test_I4_opposing_transfers_never_deadlock():
    warehouse = inventory.warehouse()
    van = LocationFactory(kind="van", name="Swap van")
    for n in range(REPETITIONS):
        item = ItemFactory(sku=f"LBL-{n}", name="Label roll")
        receive(item, 10, warehouse)
        receive(item, 10, van)
        results = run_together(
            lambda item=item: inventory.stock_transfer(
                item=item, qty=2, from_location=warehouse, to_location=van, actor=None
            ),
            lambda item=item: inventory.stock_transfer(
                item=item, qty=3, from_location=van, to_location=warehouse, actor=None
            ),
        )
        assert results == ["ok", "ok"]
        assert (qty(item, warehouse), qty(item, van)) == (Decimal(11), Decimal(9))
    assert inventory_selectors.inventory_audit() == []
