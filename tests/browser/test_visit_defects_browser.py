"""Visit defects in real Chromium on a phone (docs/specs/defects.md T3, T4, T21): My day refuses to finish a
visit before it starts, asks before completing with unticked checklist items, and shows what the van lacked.

The clock is frozen at fixed dates (time_machine moves the live server's clock too: it runs in this process),
so the tests never depend on today's date.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from operations.models import Appointment
from operations.services import visits as services
from tests.browser.conftest import PHONE
from tests.clients.factories import ClientFactory, ContactFactory, SiteFactory
from tests.operations.factories import AppointmentTypeFactory

NY = ZoneInfo("America/New_York")
DAY = date(2027, 3, 2)  # a Tuesday

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser_context_args(timezone_id="America/New_York", locale="en-US"),
]


def at(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(DAY, time(hour, minute), tzinfo=NY)


def juniper_visit(organizer) -> Appointment:
    client = ClientFactory(name="Juniper household")
    ContactFactory(client=client, is_primary=True, email="juniper@example.net")
    return services.appointment_book(
        client=client, site=SiteFactory(client=client, time_zone="America/New_York"),
        appointment_type=AppointmentTypeFactory(), organizers=[organizer], starts=at(10), ends=at(12),
        allow_outside_hours=True,
    )  # fmt: skip


def test_T3_T4_my_day_refuses_early_completion_and_confirms_open_items(app, make_user, artifacts):
    organizer = make_user("organizer", "Maya")
    page = app.page
    page.set_viewport_size(PHONE)
    with time_machine.travel(at(7), tick=True) as clock:
        visit = juniper_visit(organizer)
        app.log_in(organizer.email)
        app.goto(f"/schedule/my-day/?date={DAY.isoformat()}")
        card = page.locator(f"#visit-{visit.pk}")
        card.get_by_role("button", name="Complete").click()
        app.assert_healthy()
        expect(page.get_by_role("alert")).to_contain_text("it can be marked completed only once it has started")
        expect(card.locator("[data-status]")).to_have_text("Scheduled")
        card.get_by_role("button", name="Start").click()
        expect(page.get_by_role("alert")).to_contain_text("it can be started from 09:00")
        assert app.no_horizontal_overflow()

        clock.move_to(at(10, 5))
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
