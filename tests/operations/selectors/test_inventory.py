"""Stock reads: reorder suggestions (I7), job cost (I12) and the ledger audit (docs/specs/inventory.md)."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from operations.models import Item, StockLevel
from operations.selectors import job_cost as job_costs
from operations.selectors import purchasing as purchasing_selectors
from operations.services import inventory, purchasing
from tests.operations.factories import SupplierFactory
from tests.support.inventory import receive

D = Decimal
pytestmark = pytest.mark.django_db


def test_I7_reorder_suggests_96_then_nothing_once_a_draft_po_exists(stock):
    item = stock["item"]
    supplier = SupplierFactory(name="Container Co")
    Item.objects.filter(pk=item.pk).update(
        reorder_min=20, reorder_max=100, reorder_multiple=12, preferred_supplier=supplier
    )
    receive(item, 25, "1")
    inventory.allocation_create(appointment=stock["visit"], item=item, location=stock["warehouse"], qty=10)
    [suggestion] = purchasing_selectors.reorder_suggestions()
    assert (suggestion.forecast, suggestion.qty) == (15, 96)
    po = purchasing.po_draft_from_suggestions(supplier=supplier, actor=None)
    assert po.lines.get().qty_ordered == 96
    assert purchasing_selectors.reorder_suggestions() == []


def test_I7_forecast_exactly_at_min_suggests_nothing():
    assert purchasing_selectors.reorder_qty(forecast=D(20), minimum=D(20), maximum=D(100), multiple=D(12)) == 0
    assert purchasing_selectors.reorder_qty(forecast=D(15), minimum=D(20), maximum=D(100), multiple=D(12)) == 96


def test_I12_supply_cost_per_job(stock):
    receive(stock["rolls"], 10, "4.50", stock["van"])
    receive(stock["item"], 10, "6.00", stock["van"])
    for item, qty in ((stock["rolls"], 2), (stock["item"], 3)):
        inventory.stock_consume(
            appointment=stock["visit"], item=item, qty=qty, location=stock["van"], actor=stock["organizer"]
        )
    assert job_costs.job_cost(appointment=stock["visit"]).supplies == D("27.00")


def test_inventory_audit_command_reports_a_tampered_level(stock):
    receive(stock["rolls"], 5, "4.50", stock["van"])
    call_command("inventory_audit")
    StockLevel.objects.filter(item=stock["rolls"]).update(qty=4)
    with pytest.raises(Exception, match="differ from the ledger"):
        call_command("inventory_audit")
