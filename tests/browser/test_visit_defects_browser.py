"""Visit defects in real Chromium on a phone (docs/specs/defects.md T3, T4, T11, T21, T24): My day offers no way
to finish a visit before it starts and says when each action opens, asks before completing with unticked
checklist items, and shows what the van lacked; office resolves that shortfall and never sees an appointment
type's billable rate.

The clock is frozen at fixed dates (time_machine moves the live server's clock too: it runs in this process),
so the tests never depend on today's date.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from operations.models import Allocation, Appointment
from operations.services import inventory
from operations.services import visits as services
from tests.browser.conftest import DESKTOP, PHONE
from tests.clients.factories import ClientFactory, ContactFactory, SiteFactory
from tests.operations.factories import AppointmentTypeFactory, ItemFactory
from tests.support.inventory import receive

NY = ZoneInfo("America/New_York")
DAY = date(2027, 3, 2)  # a Tuesday

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser_context_args(timezone_id="America/New_York", locale="en-US"),
]


def at(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(DAY, time(hour, minute), tzinfo=NY)


def juniper_visit(organizer, start: datetime | None = None) -> Appointment:
    client = ClientFactory(name="Juniper household")
    ContactFactory(client=client, is_primary=True, email="juniper@example.net")
    start = start or at(10)
    return services.appointment_book(
        client=client, site=SiteFactory(client=client, time_zone="America/New_York"),
        appointment_type=AppointmentTypeFactory(), organizers=[organizer], starts=start,
        ends=start + timedelta(hours=2), allow_outside_hours=True,
    )  # fmt: skip


def test_T3_T4_T24_my_day_offers_no_early_completion_and_confirms_open_items(app, make_user, artifacts):
    organizer = make_user("organizer", "Maya")
    page = app.page
    page.set_viewport_size(PHONE)
    with time_machine.travel(at(7), tick=True) as clock:
        visit = juniper_visit(organizer)
        app.log_in(organizer.email)
        app.goto(f"/schedule/my-day/?date={DAY.isoformat()}")
        card = page.locator(f"#visit-{visit.pk}")
        # T24: what the service would refuse (T3) is not offered; the card says when it opens.
        for name in ("Start", "Complete", "No-show"):
            expect(card.get_by_role("button", name=name, exact=True)).to_have_count(0)
        expect(card.locator("[data-opens]")).to_have_text("Start opens at 09:00. Complete and No-show open at 10:00.")
        expect(card.locator("[data-status]")).to_have_text("Scheduled")
        assert app.no_horizontal_overflow()

        clock.move_to(at(10, 5))
        page.reload()
        card.get_by_role("button", name="Mark done: Donation bags out").click()
        expect(card.get_by_role("button", name="Mark not done: Donation bags out")).to_be_visible()
        card.get_by_role("button", name="Start").click()
        expect(card.locator("[data-status]")).to_have_text("In progress")
        card.get_by_label("Notes").fill("Kitchen done")
        card.get_by_role("button", name="Complete").click()
        app.assert_healthy()
        expect(page.get_by_role("heading", level=1)).to_have_text("Complete with open checklist items?")
        expect(page.locator("[data-open-items] li")).to_have_text(["Photos before", "Photos after"])
        assert app.no_horizontal_overflow()
        page.screenshot(path=artifacts / "T4_confirm_open_items_phone.png", full_page=True)
        page.get_by_role("button", name="Complete anyway").click()
        expect(card.locator("[data-status]")).to_have_text("Completed")
        visit.refresh_from_db()
        assert visit.checklist_left_open == ["Photos before", "Photos after"]
        assert "Kitchen done" in visit.outcome_notes


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_T24_my_day_for_tomorrow_offers_no_complete_or_no_show(app, make_user, artifacts, viewport):
    organizer = make_user("organizer", "Maya")
    page = app.page
    page.set_viewport_size(PHONE if viewport == "phone" else DESKTOP)
    with time_machine.travel(at(16) - timedelta(days=1), tick=True):  # the afternoon before
        visit = juniper_visit(organizer)
        app.log_in(organizer.email)
        app.goto("/schedule/my-day/")
        page.get_by_role("link", name="Next day").click()
        app.assert_healthy()
        expect(page.get_by_role("heading", level=1)).to_have_text("Tuesday, Mar 2")
        card = page.locator(f"#visit-{visit.pk}")
        expect(card).to_contain_text("10:00–12:00 · Juniper household")
        for name in ("Start", "Complete", "No-show", "Needs redo"):
            expect(card.get_by_role("button", name=name, exact=True)).to_have_count(0)
        expect(card.get_by_role("button", name="Client cancelled")).to_be_visible()  # allowed ahead of time
        expect(card.locator("[data-opens]")).to_have_text("Start opens at 09:00. Complete and No-show open at 10:00.")
        expect(card.locator("[data-opens]")).to_be_visible()
        assert app.no_horizontal_overflow()
        page.screenshot(path=artifacts / f"T24_my_day_tomorrow_{viewport}.png", full_page=True)


def test_T26_no_show_and_client_cancelled_ask_first_on_a_phone(app, make_user, artifacts):
    organizer = make_user("organizer", "Maya")
    page = app.page
    page.set_viewport_size(PHONE)
    asked: list[str] = []

    def answer_no(dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", answer_no)
    with time_machine.travel(at(10, 5), tick=True):
        visit = juniper_visit(organizer)
        app.log_in(organizer.email)
        app.goto(f"/schedule/my-day/?date={DAY.isoformat()}")
        card = page.locator(f"#visit-{visit.pk}")
        card.get_by_role("button", name="No-show").click()
        card.get_by_role("button", name="Client cancelled").click()
        assert asked == [
            "Record Juniper household as a no-show? A no-show fee may be charged. You cannot undo this.",
            "Record that Juniper household cancelled this visit? Its time is freed, its reminders stop and a late "
            "cancellation may be charged. You cannot undo this.",
        ]
        expect(card.locator("[data-status]")).to_have_text("Scheduled")  # both dismissed: nothing was sent
        visit.refresh_from_db()
        assert visit.status == "scheduled"
        assert app.no_horizontal_overflow()

        card.get_by_role("button", name="Start").click()  # the other actions ask nothing
        expect(card.locator("[data-status]")).to_have_text("In progress")
        page.locator(f"#visit-{visit.pk}").get_by_role("button", name="Needs redo").click()
        expect(page.locator(f"#visit-{visit.pk} [data-status]")).to_have_text("Needs redo")
        assert len(asked) == 2

        page.remove_listener("dialog", answer_no)
        page.once("dialog", lambda dialog: dialog.accept())
        other = juniper_visit(organizer, start=at(15))
        page.reload()
        page.locator(f"#visit-{other.pk}").get_by_role("button", name="Client cancelled").click()
        expect(page.get_by_role("alert").filter(has_text="Visit updated.")).to_be_visible()
        app.assert_healthy()
        other.refresh_from_db()
        assert other.status == "late_cancelled"  # confirmed: recorded, inside the late-cancel window


def short_van(organizer, visit) -> None:
    """8 bins reserved for the visit from a van of 10, then a count finds 5: the van lacks 3."""
    item = ItemFactory(sku="BIN-L", name="Large bin", unit="each")
    van = inventory.van_for(organizer)
    receive(item, 10, "2.00", van)
    inventory.allocation_create(appointment=visit, item=item, location=van, qty=8)
    inventory.stock_count(item=item, location=van, counted=5, actor=None)


def test_T21_a_short_van_does_not_block_completion_and_the_organizer_is_told(app, make_user):
    organizer = make_user("organizer", "Maya")
    page = app.page
    page.set_viewport_size(PHONE)
    with time_machine.travel(at(11, 50), tick=True):
        visit = juniper_visit(organizer)
        short_van(organizer, visit)
        app.log_in(organizer.email)
        app.goto(f"/schedule/my-day/?date={DAY.isoformat()}")
        page.locator(f"#visit-{visit.pk}").get_by_role("button", name="Complete").click()
        page.get_by_role("button", name="Complete anyway").click()
        app.assert_healthy()
        expect(page.locator(f"#visit-{visit.pk} [data-status]")).to_have_text("Completed")
        expect(page.get_by_role("alert").filter(has_text="Not in stock")).to_contain_text("3 each Large bin")
        assert app.no_horizontal_overflow()


def test_T21_office_resolves_the_stock_discrepancy_on_a_phone(app, make_user, artifacts):
    organizer = make_user("organizer", "Maya")
    office = make_user("office", "Frank")
    page = app.page
    page.set_viewport_size(PHONE)
    with time_machine.travel(at(12, 30), tick=True):
        visit = juniper_visit(organizer)
        short_van(organizer, visit)
        services.appointment_progress(appointment=visit, action="complete", actor=organizer)
        app.log_in(office.email)
        app.goto("/schedule/inventory/reorder/")
        section = page.locator("#shortfalls")
        expect(section.get_by_role("heading")).to_have_text("Stock discrepancies")
        expect(section).to_contain_text("3 each Large bin short in")
        expect(section).to_contain_text("Juniper household")
        assert app.no_horizontal_overflow()
        page.screenshot(path=artifacts / "T21_stock_discrepancies_phone.png", full_page=True)
        section.get_by_role("button", name="Take from stock").click()
        expect(page.get_by_role("alert")).to_contain_text("Not enough Large bin")
        page.locator("#shortfalls").get_by_role("button", name="Cancel allocation").click()
        expect(page.get_by_role("alert")).to_contain_text("Shortfall of Large bin cancelled.")
        expect(page.locator("#shortfalls")).to_have_count(0)
    assert Allocation.objects.get(appointment=visit).short_resolution == "cancelled"


@pytest.mark.parametrize(("role", "sees_rate"), [("office", False), ("owner", True)])
def test_T11_only_the_owner_sees_the_billable_rate_field(app, make_user, role, sees_rate):
    user = make_user(role, "Pat")
    kind = AppointmentTypeFactory(billable_rate="85.00")
    app.page.set_viewport_size(PHONE)
    app.log_in(user.email)
    app.goto(f"/schedule/types/{kind.pk}/edit/")
    expect(app.page.get_by_label("Billable rate")).to_have_count(1 if sees_rate else 0)
    expect(app.page.get_by_label("Name")).to_have_value("Organizing session")
    assert app.no_horizontal_overflow()


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_T27_the_visit_page_starts_a_visit_like_my_day(app, make_user, artifacts, viewport):
    organizer = make_user("organizer", "Maya")
    page = app.page
    page.set_viewport_size(PHONE if viewport == "phone" else DESKTOP)
    with time_machine.travel(at(9, 50), tick=True):  # Start is open, Complete not yet
        visit = juniper_visit(organizer)
        app.log_in(organizer.email)
        app.goto(f"/schedule/visits/{visit.pk}/")
        card = page.locator("#on-the-day")
        expect(card.get_by_role("link", name="Map")).to_be_visible()
        expect(card.get_by_role("button", name="Complete", exact=True)).to_have_count(0)
        expect(card.locator("[data-opens]")).to_have_text("Complete and No-show open at 10:00.")
        assert app.no_horizontal_overflow()
        page.screenshot(path=artifacts / f"T27_visit_page_{viewport}.png", full_page=True)
        card.get_by_role("button", name="Start", exact=True).click()
        app.assert_healthy()
        expect(page.locator(".badge", has_text="In progress")).to_be_visible()
