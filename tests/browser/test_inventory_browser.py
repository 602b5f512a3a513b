"""Supplies in real Chromium: a purchase order received into the warehouse, a transfer to a van, supplies used on
a visit from My day on a phone, the visit's and client's supply cost (htmx panels), and a draft order from the
low-stock list.

Every page is loaded through `app.goto()` or checked with `app.assert_healthy()` after a click, which asserts no
CSP violation (docs/specs/security.md SH11); the `page` fixture also fails the test on a CSP violation or uncaught error
later on, e.g. in an htmx swap (tests/browser/conftest.py). Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from operations.models import Item, Location, PurchaseOrder, StockLevel, StockMove, Supplier
from operations.services import inventory, purchasing
from operations.services import visits as services
from tests.browser.conftest import DESKTOP, PHONE
from tests.clients.factories import ClientFactory, ContactFactory, SiteFactory
from tests.operations.factories import AppointmentTypeFactory

NY = ZoneInfo("America/New_York")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser_context_args(timezone_id="America/New_York", locale="en-US"),
]


def level(item: Item, location: Location) -> Decimal:
    row = StockLevel.objects.filter(item=item, location=location).first()
    return row.qty if row else Decimal(0)


def test_stock_goes_from_a_purchase_order_to_a_van_to_a_visit_and_back_to_a_draft_order(app, make_user, artifacts):
    office = make_user("office", "Frank")
    maya = make_user("organizer", "Maya")
    supplier = Supplier.objects.create(name="Container Co")
    rolls = Item.objects.create(
        sku="LBL-R", name="Label roll", unit="roll", preferred_supplier=supplier, last_cost=Decimal("4.00"),
        reorder_min=30, reorder_max=100, reorder_multiple=12,
    )  # fmt: skip
    warehouse = inventory.warehouse()
    van = Location.objects.create(kind="van", name="Maya's van", organizer=maya)
    order = purchasing.po_mark_ordered(order=purchasing.po_create(supplier=supplier, lines=[(rolls, 30, "4.00")],
                                                                 actor=None))  # fmt: skip
    client = ClientFactory(name="Juniper household")
    ContactFactory(client=client, is_primary=True)
    site = SiteFactory(client=client, time_zone="America/New_York")
    day = timezone.now().astimezone(NY).date() + timedelta(days=14)
    visit = services.appointment_book(
        client=client, site=site, appointment_type=AppointmentTypeFactory(name="Organizing session"),
        organizers=[maya], starts=datetime.combine(day, time(10), tzinfo=NY),
        ends=datetime.combine(day, time(12), tzinfo=NY), allow_outside_hours=True,
    )  # fmt: skip
    page = app.page
    page.set_viewport_size(DESKTOP)
    app.log_in(office.email)

    # 1. The office receives the order into the warehouse.
    app.goto(f"/schedule/inventory/orders/{order.pk}/")
    page.get_by_role("link", name="Receive").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Receive {order}")
    app.assert_healthy()
    expect(page.get_by_label("LBL-R Label roll")).to_have_value("30")
    expect(page.get_by_label("Receive into")).to_have_value(str(warehouse.pk))
    page.get_by_role("button", name="Receive").click()
    expect(page.locator("[data-status]")).to_have_text("Received")
    app.assert_healthy()
    expect(page.locator('#po-lines [data-sku="LBL-R"] [data-received]')).to_have_text("30")
    page.screenshot(path=artifacts / "inventory_po_received.png", full_page=True)
    assert level(rolls, warehouse) == 30
    assert StockMove.objects.get(reason="receipt").unit_cost == Decimal("4.0000")

    # 2. ... and loads 12 rolls into Maya's van.
    page.get_by_role("navigation", name="Inventory").get_by_role("link", name="Transfer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Transfer stock")
    app.assert_healthy()
    page.get_by_label("SKU").fill("LBL-R")
    page.get_by_label("Quantity").fill("12")
    page.locator("#id_from_location").select_option(label="Warehouse")
    page.locator("#id_to_location").select_option(label="Maya's van")
    page.get_by_role("button", name="Transfer").click()
    expect(
        page.get_by_role("alert").filter(has_text="Moved 12 roll of Label roll from Warehouse to Maya's van.")
    ).to_be_visible()
    app.assert_healthy()
    assert (level(rolls, warehouse), level(rolls, van)) == (18, 12)

    # 3. Maya records what she used on her visit, from My day on her phone.
    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    app.log_in(maya.email)
    my_day = f"/schedule/my-day/?date={day.isoformat()}"
    app.goto(my_day)
    card = page.locator(f"#visit-{visit.pk}")
    card.get_by_role("link", name="Supplies used").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Supplies used")
    app.assert_healthy()
    assert app.no_horizontal_overflow()
    expect(page.locator('[data-sku="LBL-R"]')).to_contain_text("12 roll free")
    page.get_by_label("Label roll").fill("5")
    page.screenshot(path=artifacts / "inventory_consume_phone.png", full_page=True)
    page.get_by_role("button", name="Record supplies used").click()
    expect(page).to_have_url(app.url(my_day) + f"#visit-{visit.pk}")
    expect(page.get_by_role("alert").filter(has_text="Supplies used on this visit are recorded.")).to_be_visible()
    app.assert_healthy()
    assert level(rolls, van) == 7
    assert list(StockMove.objects.filter(reason="consume").values_list("qty", "appointment", "actor")) == [
        (Decimal(5), visit.pk, maya.pk)
    ]
    # Her van page shows what is left, and no costs.
    page.get_by_role("link", name="My van").click()
    expect(page.locator('[data-sku="LBL-R"] [data-qty]')).to_have_text("7")
    app.assert_healthy()
    assert "$" not in page.locator("main").inner_text()

    # 4. The office sees the supply cost on the visit and the client (htmx panels) ...
    page.context.clear_cookies()
    page.set_viewport_size(DESKTOP)
    app.log_in(office.email)
    app.goto(f"/schedule/visits/{visit.pk}/")
    expect(page.locator("#visit-supplies [data-job-cost]")).to_contain_text("Supply cost $20.00")
    app.assert_healthy()
    app.goto(f"/clients/{client.pk}/")
    expect(page.locator("#client-supplies [data-client-totals]")).to_contain_text("Supplies $20.00")
    app.assert_healthy()

    # 5. ... and the low-stock list: forecast 25 is below 30, so 84 rolls (7 packs of 12) up to 100.
    page.locator("#main-nav").get_by_role("link", name="Inventory").click()
    app.assert_healthy()
    page.get_by_role("navigation", name="Inventory").get_by_role("link", name="Low stock").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Low stock")
    app.assert_healthy()
    row = page.locator('[data-supplier="Container Co"] tr[data-sku="LBL-R"]')
    expect(row.locator("[data-suggest]")).to_have_text("84 roll")
    page.screenshot(path=artifacts / "inventory_low_stock.png", full_page=True)
    page.locator('[data-supplier="Container Co"]').get_by_role("button", name="Draft order").click()
    expect(page.locator("[data-status]")).to_have_text("Draft")
    app.assert_healthy()
    expect(page.locator('#po-lines [data-sku="LBL-R"] [data-ordered]')).to_have_text("84 roll")
    expect(page).to_have_url(re.compile(r"/schedule/inventory/orders/\d+/$"))
    page.screenshot(path=artifacts / "inventory_draft_po.png", full_page=True)
    draft = PurchaseOrder.objects.get(status="draft")
    assert draft.lines.get().qty_ordered == 84 and draft.created_by == office
