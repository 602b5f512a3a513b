"""Visits in real Chromium: the free-slot finder and booking form, the calendar (FullCalendar 7) and My day.

The calendar (static/js/calendar.js) only paints the server's events and turns a drag into one POST; the tests
use real mouse gestures on the events (found by their title text: FullCalendar 7's class names are hashed,
they change per build) and check the message, the database and the repainted calendar. The browser runs in
New York time, so the calendar shows the same wall times as the organizers' working hours. Every page is
loaded through `app.goto()` or checked with `app.assert_healthy()`, which asserts no CSP violation (docs/specs
SH11); the `page` fixture also fails a test on a CSP violation or uncaught error later on (during a drag, an htmx
swap), see tests/browser/conftest.py.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from operations.models import Appointment
from operations.services import visits as services
from tests.browser.conftest import DESKTOP, PHONE, READ_CSP
from tests.clients.factories import ClientFactory, ContactFactory, SiteFactory
from tests.operations.factories import AppointmentTypeFactory

BROWSER_ZONE = "America/New_York"
NY = ZoneInfo(BROWSER_ZONE)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser_context_args(timezone_id=BROWSER_ZONE, locale="en-US"),
]

READY = "#calendar[data-ready='1']"
EVENTS = (
    "() => organizerCalendar.getEvents().map(e => ({id: e.id, title: e.title,"
    " start: e.start.toISOString(), end: e.end.toISOString(), editable: e.startEditable}))"
)
MOVES = "() => Number(document.getElementById('calendar').dataset.moves || 0)"
# The server answered move number n+1 and the calendar has finished any reload that followed it.
SETTLED = (
    "n => { const c = document.getElementById('calendar');"
    " return Number(c.dataset.moves || 0) > n && !c.hasAttribute('aria-busy'); }"
)


# --- helpers ------------------------------------------------------------------------------------------------


def weekday_ahead(weeks: int = 3, weekday: int = 1) -> date:
    """A weekday (Monday=0) at least `weeks` weeks from today in New York: always bookable, never in the past."""
    day = timezone.now().astimezone(NY).date() + timedelta(weeks=weeks)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=NY)


def iso(moment: datetime) -> str:
    """A UTC instant as JavaScript's Date.toISOString() writes it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def household(name: str, **site) -> tuple:
    client = ClientFactory(name=name)
    ContactFactory(client=client, is_primary=True, name=f"{name.split()[0]} Contact", phone="+12125550100")
    return client, SiteFactory(client=client, **site)


def book(client, site, kind, organizer, starts: datetime, **kwargs) -> Appointment:
    return services.appointment_book(
        client=client, site=site, appointment_type=kind, organizers=[organizer], starts=starts,
        allow_outside_hours=True, **kwargs,
    )  # fmt: skip


def open_calendar(app, day: date) -> Page:
    app.goto(f"/schedule/calendar/?date={day.isoformat()}")
    page = app.page
    expect(page.locator(READY)).to_have_count(1)
    return page


def calendar_event(page: Page, text: str) -> Locator:
    """An event on the calendar, found by its title text (FullCalendar renders an event with a url as <a>)."""
    return page.locator("#calendar a[href^='/schedule/visits/']", has_text=text)


def view_tab(page: Page, name: str) -> Locator:
    """FullCalendar 7's view switcher is a tablist ("Month view", "Week view", ...)."""
    return page.get_by_role("tablist", name="Change view").get_by_role("tab", name=f"{name} view")


def assert_no_csp_violation(page: Page) -> None:
    assert page.evaluate(READ_CSP) == [], page.evaluate(READ_CSP)


# --- 1. Free slots -> recurring booking -> calendar ---------------------------------------------------------


def test_office_books_a_weekly_series_from_the_free_slot_finder(app, make_user, artifacts):
    office = make_user("office", "Frank")
    organizer = make_user("organizer", "Maya")  # Mon-Fri 09:00-17:00 in New York
    kind = AppointmentTypeFactory(name="Organizing session", default_duration_min=120, default_travel_min=30)
    client, site = household("Juniper household", label="Home", street="12 Juniper Lane")
    household("Oakridge household", label="Office", street="9 Oak Ridge")  # another client's site in the list
    day = weekday_ahead(weeks=3, weekday=1)  # a Tuesday
    page = app.page
    page.set_viewport_size(DESKTOP)
    app.log_in(office.email)

    app.goto("/schedule/free-slots/")
    page.get_by_label("Appointment type").select_option(label="Organizing session")
    page.get_by_label("From").fill(day.isoformat())
    page.get_by_label("To").fill(day.isoformat())
    page.get_by_label("Organizer").select_option(label="Maya")
    page.get_by_label("Client", exact=True).select_option(label="Juniper household")
    page.get_by_role("button", name="Search").click()
    app.assert_healthy()
    slots = page.locator("#slot-list [data-slot]")
    # 09:00 .. 15:00 every 30 minutes: a two-hour visit must end by 17:00.
    expect(slots).to_have_count(13)
    expect(slots.first).to_contain_text(f"{day:%a %b} {day.day} 09:00")
    expect(slots.first).to_contain_text("Maya")
    page.screenshot(path=artifacts / "free_slots_desktop.png", full_page=True)

    slot = slots.filter(has_text=f"{day.day} 10:00")
    slot.get_by_text("Book").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Book a visit")
    app.assert_healthy()
    expect(page.get_by_label("Client")).to_have_value(str(client.pk))
    expect(page.get_by_label("Appointment type")).to_have_value(str(kind.pk))
    expect(page.get_by_label("Maya")).to_be_checked()
    expect(page.get_by_label("Date (first visit)")).to_have_value(day.isoformat())
    expect(page.get_by_label("Start time")).to_have_value("10:00")
    page.get_by_label("Site").select_option(str(site.pk))
    page.get_by_label("Repeat").select_option("weekly")
    page.get_by_label("Ends").select_option("after")
    page.get_by_label("Number of visits").fill("4")
    page.get_by_label("Number of visits").press("Tab")  # the change event asks for the preview
    # Book once the preview has answered: its swap moves the button, and a click during the swap can miss it.
    expect(page.get_by_test_id("repeat-preview")).to_contain_text("4 times")
    page.get_by_role("button", name="Book", exact=True).click()

    expect(page).to_have_url(app.url(f"/schedule/calendar/?date={day.isoformat()}"))
    app.assert_healthy()
    expect(page.get_by_role("alert").filter(has_text="Recurring visits booked")).to_contain_text("4 in the next")
    visits = list(Appointment.objects.filter(client=client).order_by("starts"))
    assert len(visits) == 4
    assert [v.starts.astimezone(NY) for v in visits] == [at(day + timedelta(weeks=n), 10) for n in range(4)]
    assert {v.site_id for v in visits} == {site.pk}
    assert all(list(v.organizers.all()) == [organizer] for v in visits)
    assert len({v.series_id for v in visits}) == 1

    # The week view of the first visit's week shows it, in the organizer's colour, at 10:00-12:00.
    expect(page.locator(READY)).to_have_count(1)
    expect(view_tab(page, "Week")).to_have_attribute("aria-selected", "true")
    title = "Juniper household · Organizing session"
    event = calendar_event(page, title)
    expect(event).to_have_count(1)
    expect(event).to_be_visible()
    expect(event).to_contain_text("10:00")
    shown = page.evaluate(EVENTS)
    assert [(e["title"], e["start"]) for e in shown] == [(title, iso(visits[0].starts))]
    page.screenshot(path=artifacts / "calendar_week_desktop.png", full_page=True)

    # The next week holds the second visit; the month view those in its six weeks.
    page.get_by_role("button", name="Next Week").click()
    expect(calendar_event(page, title)).to_have_count(1)
    view_tab(page, "Month").click()
    expect(view_tab(page, "Month")).to_have_attribute("aria-selected", "true")
    start, end = page.evaluate("() => [organizerCalendar.view.activeStart, organizerCalendar.view.activeEnd]")
    expected = sorted(str(v.pk) for v in visits if start <= v.starts < end)
    assert len(expected) >= 2  # six weeks from the first visit's month: at least two of the four
    page.wait_for_function("n => organizerCalendar.getEvents().length === n", arg=len(expected))
    assert sorted(e["id"] for e in page.evaluate(EVENTS)) == expected
    assert_no_csp_violation(page)


# --- 2. A conflicting drag is refused ------------------------------------------------------------------------


def drag(page: Page, event: Locator, dy: float, per_hour: float) -> None:
    """Press on the event near its top (away from the bottom resizer) and move it `dy` pixels down.

    The press is in the middle of the event's second 15-minute snap cell (22.5 minutes in), so a move by whole
    quarter hours lands in the middle of the target cell too, never on a boundary between two cells. (Pressed
    in the first cell, within about 10 px of the event's top, FullCalendar 7.1 measured the move a quarter hour
    short.)"""
    box = event.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + per_hour * 3 / 8
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, y + dy / 2, steps=8)
    page.mouse.move(x, y + dy, steps=8)
    page.mouse.up()


def test_a_drag_onto_a_busy_time_is_refused_with_the_servers_message(app, make_user):
    office = make_user("office", "Frank")
    organizer = make_user("organizer", "Maya")
    kind = AppointmentTypeFactory(name="Organizing session", default_duration_min=120, default_travel_min=0)
    day = weekday_ahead(weeks=3, weekday=2)  # a Wednesday
    alder = book(*household("Alder household"), kind, organizer, at(day, 10))
    birch = book(*household("Birchwood household"), kind, organizer, at(day, 14))
    before = {v.pk: (v.starts, v.ends) for v in (alder, birch)}
    page = app.page
    page.set_viewport_size({"width": 1280, "height": 1100})  # the whole time grid fits: no auto-scroll mid-drag
    app.log_in(office.email)
    page = open_calendar(app, day)

    first, second = calendar_event(page, "Alder household"), calendar_event(page, "Birchwood household")
    expect(first).to_be_visible()
    expect(second).to_be_visible()
    expect(page.locator("#calendar-message")).to_be_hidden()
    top, bottom = first.bounding_box(), second.bounding_box()
    assert top and bottom
    per_hour = (bottom["y"] - top["y"]) / 4  # 10:00 -> 14:00
    # Drag Birchwood (14:00) up by three and a half hours, onto 10:30: Maya is with Alder then.
    moves = page.evaluate(MOVES)
    with page.expect_response(lambda r: f"/visits/{birch.pk}/move/" in r.url) as answer:
        drag(page, second, -3.5 * per_hour, per_hour)
    assert answer.value.status == 409
    assert answer.value.json()["code"] == "double_booked"
    page.wait_for_function(SETTLED, arg=moves)

    message = page.locator("#calendar-message")
    expect(message).to_be_visible()
    expect(message).to_contain_text("has Alder household 10:00–12:00")  # T17: the clash is named
    expect(message).to_contain_text("Maya")
    expect(message).to_have_attribute("role", "alert")
    for visit in (alder, birch):
        visit.refresh_from_db()
        assert (visit.starts, visit.ends) == before[visit.pk]
    # The event went back to 14:00 on the calendar too.
    events = {e["title"].split(" ·")[0]: e for e in page.evaluate(EVENTS)}
    assert events["Birchwood household"]["start"] == iso(birch.starts)
    expect(second).to_contain_text("14:00")
    back, still = second.bounding_box(), first.bounding_box()  # the time grid may have scrolled
    assert back and still and abs((back["y"] - still["y"]) - (bottom["y"] - top["y"])) < 2

    # A drag to a free time (14:00 -> 13:00, within working hours) is saved and hides the message.
    moves = page.evaluate(MOVES)
    with page.expect_response(lambda r: f"/visits/{birch.pk}/move/" in r.url) as answer:
        drag(page, second, -per_hour, per_hour)
    assert answer.value.status == 200, answer.value.text()
    page.wait_for_function(SETTLED, arg=moves)
    expect(message).to_be_hidden()
    birch.refresh_from_db()
    assert birch.starts.astimezone(NY) == at(day, 13)
    assert birch.ends.astimezone(NY) == at(day, 15)
    expect(second).to_contain_text("13:00")

    # Outside Maya's working hours (13:00 -> 18:00): the server's 400 message, and the event goes back again.
    moves = page.evaluate(MOVES)
    with page.expect_response(lambda r: f"/visits/{birch.pk}/move/" in r.url) as answer:
        drag(page, second, 5 * per_hour, per_hour)
    assert answer.value.status == 400
    assert answer.value.json()["code"] == "outside_hours"
    page.wait_for_function(SETTLED, arg=moves)
    expect(message).to_contain_text("does not work at that time")
    expect(second).to_contain_text("13:00")
    birch.refresh_from_db()
    assert birch.starts.astimezone(NY) == at(day, 13)
    assert_no_csp_violation(page)


def test_organizer_filter_refetches_and_an_organizer_cannot_drag(app, make_user):
    office = make_user("office", "Frank")
    maya, noah = make_user("organizer", "Maya"), make_user("organizer", "Noah")
    kind = AppointmentTypeFactory(name="Organizing session", default_duration_min=60, default_travel_min=0)
    day = weekday_ahead(weeks=4, weekday=3)
    book(*household("Alder household"), kind, maya, at(day, 10))
    book(*household("Birchwood household"), kind, noah, at(day, 10))
    page = app.page
    app.log_in(office.email)
    page = open_calendar(app, day)
    expect(calendar_event(page, "Alder household")).to_be_visible()
    expect(calendar_event(page, "Birchwood household")).to_be_visible()

    with page.expect_response(lambda r: "/calendar/events/" in r.url) as request:
        page.get_by_label("Noah").uncheck()
    assert f"organizer={maya.pk}" in request.value.url and f"organizer={noah.pk}" not in request.value.url
    expect(calendar_event(page, "Birchwood household")).to_have_count(0)
    expect(calendar_event(page, "Alder household")).to_be_visible()
    page.get_by_label("Maya").uncheck()  # nobody chosen: nothing shown (and no request for "everyone")
    expect(calendar_event(page, "Alder household")).to_have_count(0)
    page.get_by_label("Noah").check()
    expect(calendar_event(page, "Birchwood household")).to_be_visible()

    # Clicking an event opens the visit.
    calendar_event(page, "Birchwood household").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Birchwood household")
    app.assert_healthy()

    # Maya sees only her own visit, without a filter, and cannot drag it.
    page.context.clear_cookies()
    app.log_in(maya.email)
    page = open_calendar(app, day)
    expect(page.locator("[data-organizer]")).to_have_count(0)
    expect(calendar_event(page, "Alder household")).to_be_visible()
    expect(calendar_event(page, "Birchwood household")).to_have_count(0)
    assert [e["editable"] for e in page.evaluate(EVENTS)] == [False]


# --- 3. My day on a phone ------------------------------------------------------------------------------------


def test_organizer_completes_a_visit_in_my_day_on_a_phone(app, make_user, artifacts):
    organizer = make_user("organizer", "Maya")
    other = make_user("organizer", "Noah")
    kind = AppointmentTypeFactory(name="Organizing session", default_duration_min=120, default_travel_min=0)
    day = weekday_ahead(weeks=3, weekday=3)  # a Thursday
    client, site = household(
        "Juniper household", street="12 Juniper Lane", entry_code="2468#", parking="Driveway on the left",
    )  # fmt: skip
    visit = book(client, site, kind, organizer, at(day, 10))
    book(*household("Birchwood household", entry_code="8642"), kind, other, at(day, 10))  # not Maya's
    with time_machine.travel(at(day, 10, 5), tick=True):  # visits are started and completed on the day (T3)
        organizer_works_through_the_visit(app, organizer, visit, day, artifacts)


def organizer_works_through_the_visit(app, organizer, visit, day, artifacts):
    page = app.page
    page.set_viewport_size(PHONE)
    app.log_in(organizer.email)

    app.goto(f"/schedule/my-day/?date={day.isoformat()}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{day:%A, %b} {day.day}")
    card = page.locator(f"#visit-{visit.pk}")
    expect(card).to_contain_text("10:00–12:00 · Juniper household")
    expect(card.locator(".entry-code")).to_have_text("2468#")
    expect(card.locator(".entry-code")).to_be_visible()
    expect(page.locator("article")).to_have_count(1)
    assert "Birchwood" not in page.content() and "8642" not in page.content()
    assert app.no_horizontal_overflow()

    # Tick a checklist item: htmx swaps the list in place.
    with page.expect_response(lambda r: r.url.endswith(f"/visits/{visit.pk}/checklist/")) as swap:
        card.get_by_role("button", name="Mark done: Photos before").click()
    assert swap.value.request.headers.get("hx-request") == "true"
    expect(card.get_by_role("button", name="Mark not done: Photos before")).to_have_attribute("aria-pressed", "true")
    expect(card.get_by_role("button", name="Mark done: Donation bags out")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/my-day/\?date="))  # no page load
    visit.refresh_from_db()
    assert [item["done"] for item in visit.checklist] == [True, False, False]

    card.get_by_role("button", name="Start").click()
    expect(page.locator(f"#visit-{visit.pk} [data-status]")).to_have_text("In progress")
    app.assert_healthy()
    expect(page).to_have_url(app.url(f"/schedule/my-day/?date={day.isoformat()}"))
    page.locator(f"#visit-{visit.pk}").get_by_label("Notes").fill("Garage half done; bags by the door.")
    page.locator(f"#visit-{visit.pk}").get_by_role("button", name="Complete").click()
    page.get_by_role("button", name="Complete anyway").click()  # two checklist items are unticked (T4)
    expect(page.locator(f"#visit-{visit.pk} [data-status]")).to_have_text("Completed")
    app.assert_healthy()
    expect(page.get_by_role("alert").filter(has_text="Visit updated.")).to_be_visible()
    card = page.locator(f"#visit-{visit.pk}")
    expect(card.get_by_role("button", name="Start")).to_have_count(0)
    expect(card.get_by_role("button", name="Mark not done: Photos before")).to_be_visible()

    visit.refresh_from_db()
    assert visit.status == Appointment.Status.COMPLETED
    assert visit.actual_start is not None and visit.actual_end is not None
    assert visit.actual_start <= visit.actual_end <= timezone.now()
    assert "bags by the door" in visit.outcome_notes
    assert app.no_horizontal_overflow()
    page.screenshot(path=artifacts / "my_day_phone.png", full_page=True)


def week_spanning(boundary: str) -> date:
    """A Tuesday at least three weeks ahead whose Monday-first week crosses a year end or a month end.

    The calendar's title is longest on such weeks ("Dec 28, 2026 – Jan 3, 2027"); the test picks them
    explicitly so that it checks the same thing on whatever date it runs (defect T15).
    """
    day = weekday_ahead(weeks=3, weekday=1)
    while True:
        monday = day - timedelta(days=day.weekday())
        sunday = monday + timedelta(days=6)
        if (boundary == "year" and monday.year != sunday.year) or (
            boundary == "month" and monday.month != sunday.month and monday.year == sunday.year
        ):
            return day
        day += timedelta(weeks=1)


@pytest.mark.parametrize("boundary", ["year", "month"])
def test_T15_calendar_on_a_phone_opens_as_a_list_and_fits_every_week(app, make_user, artifacts, boundary):
    office = make_user("office", "Frank")
    organizer = make_user("organizer", "Maya")
    kind = AppointmentTypeFactory(name="Organizing session", default_duration_min=120, default_travel_min=0)
    day = week_spanning(boundary)
    book(*household("Alder household"), kind, organizer, at(day, 9))
    book(*household("Birchwood household"), kind, organizer, at(day + timedelta(days=1), 13, 30))
    page = app.page
    # The browser's clock stands in the week shown, so "today" is highlighted there as it would be for a user.
    page.clock.set_system_time(at(day, 8))
    page.set_viewport_size(PHONE)
    app.log_in(office.email)
    page = open_calendar(app, day)

    expect(view_tab(page, "List")).to_have_attribute("aria-selected", "true")
    expect(calendar_event(page, "Alder household")).to_be_visible()
    expect(calendar_event(page, "Birchwood household")).to_contain_text("13:30")
    assert app.no_horizontal_overflow()
    page.screenshot(path=artifacts / f"T15_calendar_list_phone_{boundary}.png", full_page=True)
    view_tab(page, "Day").click()
    expect(view_tab(page, "Day")).to_have_attribute("aria-selected", "true")
    expect(calendar_event(page, "Alder household")).to_be_visible()
    assert app.no_horizontal_overflow()


# --- 4. SH11: no CSP violation on the visit pages ---------------------------------------------------------------


def test_SH11_visit_pages_load_without_csp_violations(app, make_user):
    """`app.goto` asserts no CSP violation, Bootstrap and htmx; the calendar is checked again once painted."""
    office = make_user("office", "Frank")
    organizer = make_user("organizer", "Maya")
    kind = AppointmentTypeFactory(name="Organizing session", default_duration_min=120, default_travel_min=0)
    day = weekday_ahead(weeks=3, weekday=4)
    client, site = household("Juniper household", entry_code="2468#")
    visit = book(client, site, kind, organizer, at(day, 10))
    page = app.page
    app.log_in(office.email)

    open_calendar(app, day)
    expect(calendar_event(page, "Juniper household")).to_be_visible()
    for name in ("Month", "Day", "List"):
        view_tab(page, name).click()
        expect(view_tab(page, name)).to_have_attribute("aria-selected", "true")
        expect(calendar_event(page, "Juniper household")).to_be_visible()
    assert_no_csp_violation(page)
    query = f"appointment_type={kind.pk}&date_from={day}&date_to={day + timedelta(days=6)}&client={client.pk}"
    app.goto(f"/schedule/free-slots/?{query}")
    expect(page.locator("#slot-list [data-slot]").first).to_be_visible()
    app.goto(f"/schedule/visits/new/?start={day}T14:00&organizer={organizer.pk}&appointment_type={kind.pk}")
    app.goto(visit.get_absolute_url())
    expect(page.locator(".entry-code")).to_have_text("2468#")
    app.goto(f"/schedule/visits/{visit.pk}/edit/")

    page.context.clear_cookies()
    app.log_in(organizer.email)
    app.goto(f"/schedule/my-day/?date={day.isoformat()}")
    expect(page.locator(f"#visit-{visit.pk}")).to_be_visible()
    open_calendar(app, day)
    expect(calendar_event(page, "Juniper household")).to_be_visible()
    assert_no_csp_violation(page)
