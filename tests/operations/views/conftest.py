"""Fixtures of the operations page tests: receipts land in a temporary media folder; `w` is the inventory
pages' world (two organizers with a van and a visit each, a supplier, two items, the warehouse)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from operations.services import inventory
from tests.operations.factories import ItemFactory, LocationFactory, SupplierFactory, utc
from tests.support.inventory import book


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def w(users, client_a, client_b):
    anna, ben = users["organizer"], users["organizer_b"]
    supplier = SupplierFactory(name="Container Co")
    return SimpleNamespace(
        **users,
        anna=anna,
        ben=ben,
        client_a=client_a,
        client_b=client_b,
        supplier=supplier,
        bins=ItemFactory(sku="BIN-L", name="Large bin", unit="each", preferred_supplier=supplier),
        rolls=ItemFactory(sku="LBL-R", name="Label roll", unit="roll", preferred_supplier=supplier),
        warehouse=inventory.warehouse(),
        van_a=LocationFactory(kind="van", name="Anna's van", organizer=anna),
        van_b=LocationFactory(kind="van", name="Ben's van", organizer=ben),
        visit_a=book(client_a, anna, utc(2030, 1, 8, 15)),
        visit_b=book(client_b, ben, utc(2030, 1, 8, 15)),
    )
