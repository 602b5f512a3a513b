"""Defects of docs/specs/defects.md in real Chromium at 390 px: T19 (the site's time on calendar events), T17 (the
double-booking message on the booking form), T25 (its free times are links that fill the form) and T16
(inventory sub-tabs). The browser runs in New York time;
every date is fixed (no test depends on today's date)."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from operations.models import Appointment, Item, Location, Supplier
from operations.services import inventory, purchasing
from operations.services import visits as services
from tests.browser.conftest import DESKTOP, PHONE
from tests.clients.factories import ClientFactory, SiteFactory
from tests.operations.factories import AppointmentTypeFactory

BROWSER_ZONE = "America/New_York"
NY = ZoneInfo(BROWSER_ZONE)
SEATTLE = ZoneInfo("America/Los_Angeles")
DAY = date(2030, 3, 5)  # a Tuesday, far enough ahead to be bookable for years
READY = "#calendar[data-ready='1']"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser_context_args(timezone_id=BROWSER_ZONE, locale="en-US"),
]


def book(name: str, zone: str, organizer, starts: datetime, kind=None):
    client = ClientFactory(name=name)
    site = SiteFactory(client=client, time_zone=zone)
    kind = kind or AppointmentTypeFactory(name="Organizing session", default_duration_min=120, default_travel_min=0)
    return services.appointment_book(
        client=client, site=site, appointment_type=kind, organizers=[organizer], starts=starts,
        allow_outside_hours=True,
    )  # fmt: skip


def event(page: Page, text: str):
    return page.locator("#calendar a[href^='/schedule/visits/']", has_text=text)


def fits(page: Page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth") <= page.viewport_size["width"]


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_T19_calendar_shows_the_sites_time_when_it_differs_from_the_viewers(app, make_user, artifacts, viewport):
    office = make_user("office", "Frank")
    maya = make_user("organizer", "Maya")
    book("Seattle household", "America/Los_Angeles", maya, datetime.combine(DAY, time(9), tzinfo=SEATTLE))
    book("Brooklyn household", "America/New_York", maya, datetime.combine(DAY, time(15), tzinfo=NY))
    page = app.page
    page.set_viewport_size(PHONE if viewport == "phone" else DESKTOP)
    app.log_in(office.email)
    app.goto(f"/schedule/calendar/?date={DAY.isoformat()}")
    expect(page.locator(READY)).to_have_count(1)

    seattle, brooklyn = event(page, "Seattle household"), event(page, "Brooklyn household")
    if viewport == "phone":  # the list view: its time column is outside the link
        expect(page.get_by_role("listitem", name="Seattle household", exact=False)).to_contain_text("12:00 – 14:00")
    else:
        expect(seattle).to_contain_text("12:00")  # the viewer's (New York) time ...
    expect(seattle).to_contain_text("09:00 PT (site)")  # ... and the site's, said as such
    expect(brooklyn).to_be_visible()
    expect(brooklyn).not_to_contain_text("(site)")  # same zone as the viewer: nothing to add
    label = seattle.locator(".oc-site-time")
    expect(label).to_be_visible()
    box, outer = label.bounding_box(), seattle.bounding_box()
    assert box and outer and box["x"] + box["width"] <= outer["x"] + outer["width"] + 1  # not cut off
    assert fits(page)
    page.screenshot(path=artifacts / f"T19_calendar_site_time_{viewport}.png", full_page=True)
    if viewport == "desktop":  # the month grid's one-line events say it too
        page.get_by_role("tablist", name="Change view").get_by_role("tab", name="Month view").click()
        expect(event(page, "Seattle household")).to_contain_text("09:00 PT (site)")
        expect(event(page, "Brooklyn household")).not_to_contain_text("(site)")
        assert fits(page)
        page.screenshot(path=artifacts / "T19_calendar_site_time_month.png", full_page=True)


def test_T17_the_reschedule_form_names_the_clash_and_the_free_times_on_a_phone(app, make_user, artifacts):
    office = make_user("office", "Frank")
    maya = make_user("organizer", "Maya")  # Mon-Fri 09:00-17:00 New York
    book("Nguyen household", "America/New_York", maya, datetime.combine(DAY, time(10), tzinfo=NY))
    later = book("Hudson family", "America/New_York", maya, datetime.combine(DAY, time(14), tzinfo=NY))
    page = app.page
    page.set_viewport_size(PHONE)
    app.log_in(office.email)
    app.goto(f"/schedule/visits/{later.pk}/edit/")
    page.get_by_label("Start time").fill("11:00")
    page.get_by_role("button", name="Save").click()
    app.assert_healthy()
    alert = page.locator(".alert-danger, .invalid-feedback, .errorlist").filter(has_text="Nguyen household")
    expect(alert.first).to_be_visible()
    expect(alert.first).to_contain_text("Maya has Nguyen household 10:00–12:00")
    expect(alert.first).to_contain_text("Free that day for Maya: 12:00, 12:30, 13:00, 13:30.")
    expect(alert.first).not_to_contain_text("just taken")
    assert fits(page)
    page.screenshot(path=artifacts / "T17_reschedule_clash_phone.png", full_page=True)


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_T25_a_free_time_offered_after_a_clash_fills_the_booking_form(app, make_user, artifacts, viewport):
    office = make_user("office", "Frank")
    maya = make_user("organizer", "Maya")  # Mon-Fri 09:00-17:00 New York
    book("Nguyen household", "America/New_York", maya, datetime.combine(DAY, time(10), tzinfo=NY))  # 10:00-12:00
    AppointmentTypeFactory(name="Closet reset", default_duration_min=60, default_travel_min=0)
    hudson = ClientFactory(name="Hudson family")
    site = SiteFactory(client=hudson, label="Home", time_zone="America/New_York")
    page = app.page
    page.set_viewport_size(PHONE if viewport == "phone" else DESKTOP)
    app.log_in(office.email)
    app.goto("/schedule/visits/new/")
    with page.expect_response(lambda r: "/visits/new/sites/" in r.url):
        page.locator("#id_client").select_option(label="Hudson family")
    page.get_by_label("Site").select_option(str(site.pk))
    page.get_by_label("Appointment type").select_option(label="Closet reset")
    page.get_by_label("Maya").check()
    page.get_by_label("Date (first visit)").fill(DAY.isoformat())
    page.get_by_label("Start time").fill("11:00")
    page.get_by_label("Duration (minutes)").fill("90")
    page.get_by_label("Notes").fill("Side door; bring bins")
    page.get_by_role("button", name="Book", exact=True).click()
    app.assert_healthy()

    alert = page.get_by_role("alert").filter(has_text="Nguyen household")
    expect(alert).to_contain_text("Maya has Nguyen household 10:00–12:00")
    free = alert.locator("[data-free-times]").get_by_role("link")
    expect(free.first).to_have_text("12:00–13:30")
    assert fits(page)
    page.screenshot(path=artifacts / f"T25_free_times_{viewport}.png", full_page=True)
    free.first.click()
    app.assert_healthy()
    expect(page.get_by_label("Start time")).to_have_value("12:00")
    expect(page.get_by_label("Date (first visit)")).to_have_value(DAY.isoformat())
    expect(page.get_by_label("Duration (minutes)")).to_have_value("90")
    expect(page.locator("#id_client option:checked")).to_have_text("Hudson family")
    expect(page.locator("#id_site option:checked")).to_contain_text("Hudson family · ")
    expect(page.locator("#id_appointment_type option:checked")).to_have_text("Closet reset")
    expect(page.get_by_label("Maya")).to_be_checked()
    expect(page.get_by_label("Notes")).to_have_value("Side door; bring bins")
    expect(page.get_by_role("alert")).to_have_count(0)
    assert Appointment.objects.filter(client=hudson).count() == 0  # following the link wrote nothing
    page.get_by_role("button", name="Book", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text="Visit booked.")).to_be_visible()
    visit = Appointment.objects.get(client=hudson)
    assert visit.starts.astimezone(NY) == datetime.combine(DAY, time(12), tzinfo=NY)
    assert visit.notes == "Side door; bring bins" and (visit.ends - visit.starts).total_seconds() == 90 * 60


# --- T16: inventory sub-tabs on a phone ---------------------------------------------------------------------

# Elements sticking out past the right edge of the screen, unless inside something that scrolls sideways on
# purpose (a .table-responsive) or clips on purpose: "nothing cut off" in a form a test can check.
CUT_OFF = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = el => { for (let a = el.parentElement; a; a = a.parentElement) {
    const s = getComputedStyle(a); if (['auto', 'scroll', 'hidden', 'clip'].includes(s.overflowX)) return true; }
    return false; };
  return [...document.querySelectorAll('main *')].filter(el => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.right > width + 1 && !scrolls(el);
  }).map(el => el.tagName + '.' + el.className + ': ' + (el.textContent || '').trim().slice(0, 40));
}"""
INVENTORY_TABS = ["Stock", "Ledger", "Transfer", "Count", "Orders", "Low stock", "Valuation", "Locations", "Suppliers"]


@pytest.fixture
def stocked(make_user):
    office = make_user("office", "Frank")
    maya = make_user("organizer", "Maya")
    supplier = Supplier.objects.create(name="Container Co")
    item = Item.objects.create(
        sku="LBL-R", name="Label roll with an unusually long descriptive name", unit="roll",
        preferred_supplier=supplier, last_cost=Decimal("4.00"), reorder_min=30, reorder_max=100, reorder_multiple=12,
    )  # fmt: skip
    van = Location.objects.create(kind="van", name="Maya's van", organizer=maya)
    order = purchasing.po_create(supplier=supplier, lines=[(item, 30, "4.00")], actor=None)
    inventory.warehouse()
    return {"office": office, "item": item, "van": van, "order": order, "supplier": supplier}


def test_T16_inventory_sub_tabs_collapse_into_a_menu_and_no_inventory_page_is_cut_off(app, stocked, artifacts):
    page = app.page
    page.set_viewport_size(PHONE)
    app.log_in(stocked["office"].email)
    pages = {
        "stock": "/schedule/inventory/",
        "item": f"/schedule/inventory/items/{stocked['item'].pk}/",
        "item_edit": f"/schedule/inventory/items/{stocked['item'].pk}/edit/",
        "item_new": "/schedule/inventory/items/new/",
        "item_import": "/schedule/inventory/items/import/",
        "suppliers": "/schedule/inventory/suppliers/",
        "supplier_edit": f"/schedule/inventory/suppliers/{stocked['supplier'].pk}/edit/",
        "locations": "/schedule/inventory/locations/",
        "location": f"/schedule/inventory/locations/{stocked['van'].pk}/",
        "location_edit": f"/schedule/inventory/locations/{stocked['van'].pk}/edit/",
        "moves": "/schedule/inventory/moves/",
        "transfer": "/schedule/inventory/transfer/",
        "count": "/schedule/inventory/count/",
        "valuation": "/schedule/inventory/valuation/",
        "orders": "/schedule/inventory/orders/",
        "order_new": "/schedule/inventory/orders/new/",
        "order": f"/schedule/inventory/orders/{stocked['order'].pk}/",
        "reorder": "/schedule/inventory/reorder/",
    }
    for name, path in pages.items():
        app.goto(path)
        assert fits(page), f"{name}: the page scrolls sideways"
        assert page.evaluate(CUT_OFF) == [], f"{name}: cut off at the right edge"
        assert "{#" not in page.locator("main").inner_text(), f"{name}: template comment shown"
        menu = page.locator("[data-inventory-menu]")
        if menu.count():
            tabs = page.locator("[data-inventory-tabs]")
            expect(tabs).to_be_hidden()  # no strip running off the edge on a phone
            button = menu.get_by_role("button")
            expect(button).to_be_visible()
            box = button.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        page.screenshot(path=artifacts / f"T16_inventory_{name}_phone.png", full_page=True)

    # The menu names where you are and reaches every section, each fully on screen.
    app.goto("/schedule/inventory/valuation/")
    nav = page.get_by_role("navigation", name="Inventory")
    button = nav.get_by_role("button")
    expect(button).to_contain_text("Valuation")
    button.click()
    for label in INVENTORY_TABS:
        link = nav.get_by_role("link", name=label, exact=True)
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], label
    expect(nav.get_by_role("link", name="Valuation", exact=True)).to_have_attribute("aria-current", "page")
    page.screenshot(path=artifacts / "T16_inventory_menu_open_phone.png", full_page=True)
    nav.get_by_role("link", name="Suppliers", exact=True).click()
    app.assert_healthy()
    expect(page.get_by_role("navigation", name="Inventory").get_by_role("button")).to_contain_text("Suppliers")


def test_T16_inventory_tabs_wrap_rather_than_run_off_a_tablet(app, stocked, artifacts):
    page = app.page
    page.set_viewport_size({"width": 600, "height": 900})
    app.log_in(stocked["office"].email)
    app.goto("/schedule/inventory/")
    tabs = page.locator("[data-inventory-tabs]")
    expect(tabs).to_be_visible()
    for label in INVENTORY_TABS:
        box = tabs.get_by_role("link", name=label, exact=True).bounding_box()
        assert box and box["x"] + box["width"] <= 600, label
    assert fits(page) and page.evaluate(CUT_OFF) == []
    page.screenshot(path=artifacts / "T16_inventory_tabs_600.png", full_page=True)
