"""Recurring visits in real Chromium at 390 px and 1280 px: the booking form's cadences with the live preview
(issue 15 part 3, defect T18) and the ICS import (upload, preview, confirm; issue 15 part 4)."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from operations.models import Appointment, ImportedEvent, RecurringSeries
from tests.browser.conftest import DESKTOP, PHONE
from tests.clients.factories import ClientFactory, SiteFactory
from tests.operations.factories import AppointmentTypeFactory

NY = ZoneInfo("America/New_York")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser_context_args(timezone_id="America/New_York", locale="en-US"),
]


def first_tuesday_ahead() -> date:
    """The first Tuesday of a month at least three weeks away (bookable, never in the past)."""
    today = timezone.now().astimezone(NY).date()
    month = (today + timedelta(weeks=3)).replace(day=1)
    month = month if month > today + timedelta(weeks=3) else (month + timedelta(days=32)).replace(day=1)
    return month + timedelta(days=(1 - month.weekday()) % 7)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_T18_choose_a_cadence_see_the_preview_and_book(app, make_user, artifacts, viewport):
    office = make_user("office", "Frank")
    make_user("organizer", "Maya")
    AppointmentTypeFactory(name="Closet reset", default_duration_min=60, default_travel_min=0)
    client = ClientFactory(name="Juniper household")
    site = SiteFactory(client=client, label="Home", time_zone="America/New_York")
    SiteFactory(client=ClientFactory(name="Oakridge household"), label="Office")
    day = first_tuesday_ahead()
    page = app.page
    page.set_viewport_size(viewport)
    app.log_in(office.email)

    app.goto("/schedule/visits/new/")
    expect(page.get_by_label("Weekday positions", exact=False).first).to_be_hidden()  # T18: no repeat, no controls
    with page.expect_response(lambda r: "/visits/new/sites/" in r.url):
        page.locator("#id_client").select_option(label="Juniper household")
    # T18: the site list is swapped for the client's sites, labelled with the client.
    expect(page.locator("#id_site option")).to_have_count(2)  # the empty choice and Home
    page.get_by_label("Site").select_option(str(site.pk))
    expect(page.locator("#id_site option:checked")).to_contain_text("Juniper household · ")
    page.get_by_label("Appointment type").select_option(label="Closet reset")
    page.get_by_label("Maya").check()
    page.get_by_label("Date (first visit)").fill(day.isoformat())
    page.get_by_label("Start time").fill("10:00")
    page.locator("#id_repeat").select_option("monthly_nth")
    page.get_by_role("checkbox", name="first", exact=True).check()
    page.get_by_role("checkbox", name="third", exact=True).check()
    preview = page.get_by_test_id("repeat-preview")
    expect(preview).to_contain_text("Monthly on the first and third Tuesday")
    expect(preview.locator("li")).to_have_count(10)
    expect(preview.locator("li").first).to_contain_text(f"{day.day} ")
    assert app.no_horizontal_overflow()
    page.screenshot(path=artifacts / f"T18_booking_cadence_{viewport['width']}.png", full_page=True)
    page.get_by_role("button", name="Book", exact=True).click()

    expect(page.get_by_role("alert").filter(has_text="Recurring visits booked")).to_be_visible()
    app.assert_healthy()
    series = RecurringSeries.objects.get()
    assert series.rrule == "FREQ=MONTHLY;BYDAY=1TU,3TU"
    first = Appointment.objects.order_by("starts").first()
    assert first.starts.astimezone(NY).date() == day and first.starts.astimezone(NY).hour == 10


ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:kitchen@example.com\r\n"
    "SUMMARY:Kitchen reset\r\nDTSTART;TZID=America/New_York:{start}T100000\r\n"
    "DTEND;TZID=America/New_York:{start}T110000\r\nRRULE:FREQ=WEEKLY;COUNT=3;WKST=SU\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_upload_a_calendar_preview_and_confirm(app, make_user, artifacts, viewport, tmp_path):
    office = make_user("office", "Frank")
    make_user("organizer", "Maya")
    AppointmentTypeFactory(name="Closet reset", default_duration_min=60, default_travel_min=0)
    client = ClientFactory(name="Juniper household")
    site = SiteFactory(client=client, label="Home", time_zone="America/New_York")
    day = first_tuesday_ahead()
    path = tmp_path / "juniper.ics"
    path.write_text(ICS.format(start=f"{day:%Y%m%d}"))
    page = app.page
    page.set_viewport_size(viewport)
    app.log_in(office.email)

    app.goto("/schedule/visits/import/")
    page.get_by_label("Calendar file (.ics)").set_input_files(str(path))
    with page.expect_response(lambda r: "/visits/new/sites/" in r.url):
        page.locator("#id_client").select_option(label="Juniper household")
    expect(page.locator("#id_site option")).to_have_count(2)
    page.get_by_label("Site").select_option(str(site.pk))
    page.get_by_label("Appointment type").select_option(label="Closet reset")
    page.get_by_label("Maya").check()
    page.get_by_role("button", name="Preview").click()
    app.assert_healthy()
    preview = page.get_by_test_id("import-preview")
    expect(preview).to_contain_text("Kitchen reset")
    expect(preview).to_contain_text("Weekly on Tuesday, 3 times")
    assert not Appointment.objects.exists()
    assert app.no_horizontal_overflow()
    page.screenshot(path=artifacts / f"ics_import_preview_{viewport['width']}.png", full_page=True)
    page.get_by_role("button", name="Confirm import").click()

    expect(page.get_by_role("alert").filter(has_text="Imported 1 series")).to_be_visible()
    app.assert_healthy()
    assert Appointment.objects.count() == 3
    assert ImportedEvent.objects.filter(uid="kitchen@example.com").exists()
