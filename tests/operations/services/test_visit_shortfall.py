"""T21 (docs/specs/defects.md): stock never blocks completing a visit. What the location holds is consumed, the
rest is recorded on the reservation as a shortfall, and office resolves it (count or transfer, then take it
from stock, or cancel it)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from operations.models import Allocation, StockLevel, StockMove
from operations.selectors import inventory as stock_selectors
from operations.services import inventory
from operations.services import visits as services
from tests.operations.factories import utc
from tests.support.inventory import level, receive

pytestmark = pytest.mark.django_db
DONE = utc(2027, 3, 2, 16)  # the end of the `stock` fixture's visit


@pytest.fixture
def short(stock):
    """8 bins reserved in a van of 10; a count then finds only 5, so the van lacks 3 of the visit's 8."""
    receive(stock["item"], 10, "2.00", stock["van"])
    allocation = inventory.allocation_create(
        appointment=stock["visit"], item=stock["item"], location=stock["van"], qty=8
    )
    inventory.stock_count(item=stock["item"], location=stock["van"], counted=5, actor=None)
    return stock | {"allocation": allocation}


def test_T21_completing_consumes_what_is_on_hand_and_records_the_shortfall(short):
    services.appointment_progress(appointment=short["visit"], action="complete", now=DONE)
    short["visit"].refresh_from_db()
    assert short["visit"].status == "completed"
    used = StockMove.objects.get(appointment=short["visit"], reason="consume")
    assert used.qty == 5 and level(short["item"], short["van"]) == 0
    row = StockLevel.objects.get(item=short["item"], location=short["van"])
    assert row.allocated == 0
    allocation = Allocation.objects.get(pk=short["allocation"].pk)
    assert (allocation.status, allocation.short_qty) == ("consumed", Decimal("3"))
    assert list(stock_selectors.open_shortfalls()) == [allocation]
    assert list(stock_selectors.visit_shortfalls(visit=short["visit"])) == [allocation]


def test_T21_a_van_with_nothing_left_still_completes(short):
    inventory.stock_count(item=short["item"], location=short["van"], counted=0, actor=None)
    services.appointment_progress(appointment=short["visit"], action="complete", now=DONE)
    assert Allocation.objects.get(pk=short["allocation"].pk).short_qty == 8
    assert not StockMove.objects.filter(appointment=short["visit"], reason="consume").exists()


def test_T21_office_takes_the_shortfall_from_stock_after_a_transfer(short):
    services.appointment_progress(appointment=short["visit"], action="complete", now=DONE)
    allocation = Allocation.objects.get(pk=short["allocation"].pk)
    with pytest.raises(ValidationError) as exc:  # the van is still empty: count or transfer first
        inventory.allocation_shortfall_resolve(allocation=allocation, take=True, actor=None)
    assert exc.value.code == "insufficient_stock"
    receive(short["item"], 5, "2.00")
    inventory.stock_transfer(
        item=short["item"], qty=3, from_location=short["warehouse"], to_location=short["van"], actor=None
    )
    move = inventory.allocation_shortfall_resolve(allocation=allocation, take=True, actor=None)
    assert move is not None and move.qty == 3 and move.appointment_id == short["visit"].pk
    assert level(short["item"], short["van"]) == 0
    assert list(stock_selectors.open_shortfalls()) == []


def test_T21_office_cancels_the_shortfall(short):
    services.appointment_progress(appointment=short["visit"], action="complete", now=DONE)
    allocation = Allocation.objects.get(pk=short["allocation"].pk)
    assert inventory.allocation_shortfall_resolve(allocation=allocation, take=False, actor=None) is None
    assert list(stock_selectors.open_shortfalls()) == []
    with pytest.raises(ValidationError):
        inventory.allocation_shortfall_resolve(allocation=allocation, take=False, actor=None)
