"""Work sessions in real Chromium at 390 px and 1280 px (docs/specs/one-schedule.md OS11, OS12, OS15): the
calendar shows a session beside a visit, labelled in words; My day's session card loads its task, ticks the
shared checklist and completes the session; the capacity view flags an overloaded week and drills down."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from playwright.sync_api import expect

from projects import services as project_services
from projects.models import Task, TaskChecklistItem, TimeEntry
from projects.sessions import services as session_services
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_operations_browser import BROWSER_ZONE, at, book, household, open_calendar, weekday_ahead
from tests.operations.factories import AppointmentTypeFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser_context_args(timezone_id=BROWSER_ZONE, locale="en-US"),
]


def _scene(make_user):
    office = make_user("office", "Priya")
    olivia, sam = make_user("organizer", "Olivia"), make_user("organizer", "Sam")
    day = weekday_ahead(weeks=3, weekday=2)  # a Wednesday
    client, site = household("Smith household", street="5 Elm Street")
    project = project_services.project_create(
        data={"client": client, "name": "Smith home move", "start_on": day - timedelta(days=2), "status": "active"}
    )
    task = project_services.task_create(
        project=project, data={"name": "Declutter & donate", "duration_wd": 4}, assignees=[olivia, sam]
    )
    Task.objects.filter(pk=task.pk).update(estimate_hours=Decimal(24), notes="Client keeps all books")
    task.refresh_from_db()
    for i, text in enumerate(["Sort keep/donate/discard", "Photograph donations"]):
        TaskChecklistItem.objects.create(task=task, text=text, position=i)
    kind = AppointmentTypeFactory(name="Tidy", default_duration_min=120, default_travel_min=30, checklist="")
    book(*household("Jones household"), kind, olivia, at(day, 9))
    session = session_services.task_session_book(
        task=task, starts=at(day, 11, 30), ends=at(day, 15, 30), organizers=[olivia, sam], confirm_outside_window=True
    )
    return office, olivia, sam, day, task, session


def test_OS11_OS12_calendar_and_my_day_session_card_then_complete(app, make_user, artifacts):
    office, olivia, sam, day, task, session = _scene(make_user)
    page = app.page
    page.set_viewport_size(DESKTOP)
    app.log_in(olivia.email)
    page = open_calendar(app, day)
    link = page.locator("#calendar a[href^='/projects/sessions/']", has_text="Project · Smith home move")
    expect(link).to_be_visible()
    expect(page.locator("#calendar a[href^='/schedule/visits/']", has_text="Jones household")).to_be_visible()
    page.screenshot(path=artifacts / "OS11_calendar_desktop.png", full_page=True)

    page.set_viewport_size(PHONE)
    with time_machine.travel(at(day, 15, 40), tick=True):  # a session is completed once it has started (T3)
        page.context.clear_cookies()  # the session above expires before the travelled-to day
        app.log_in(olivia.email)
        app.goto(f"/schedule/my-day/?date={day.isoformat()}")
        expect(page.locator("article")).to_have_count(2)
        card = page.locator(f"#visit-{session.appointment_id}")
        expect(card).to_contain_text("Project work")
        expect(card.locator(".session-card")).to_contain_text("With Sam")
        expect(card.locator(".session-card")).to_contain_text("Client keeps all books")
        with page.expect_response(lambda r: "/checklist/" in r.url):
            card.get_by_role("button", name="Sort keep/donate/discard").click()
        expect(card.get_by_role("button", name="Sort keep/donate/discard")).to_have_attribute("aria-pressed", "true")
        assert app.no_horizontal_overflow()
        page.screenshot(path=artifacts / "OS11_my_day_phone.png", full_page=True)
        card.get_by_role("link", name="Complete session").click()
        app.assert_healthy()
        page.get_by_label("Minutes worked by Sam").fill("210")
        page.get_by_role("button", name="Complete session").click()
        app.assert_healthy()
        expect(page.get_by_role("alert").filter(has_text="Session completed")).to_be_visible()
        expect(page.locator(f"#visit-{session.appointment_id} [data-status]")).to_have_text("Completed")
        assert app.no_horizontal_overflow()
    assert sorted(TimeEntry.objects.filter(task=task).values_list("minutes", flat=True)) == [210, 240]
    item = TaskChecklistItem.objects.get(text="Sort keep/donate/discard")
    assert item.done_by == olivia


def test_OS15_capacity_view_warns_and_drills_down(app, make_user, artifacts):
    office, olivia, sam, day, task, session = _scene(make_user)
    monday = day - timedelta(days=day.weekday())
    year, week, _ = monday.isocalendar()
    label = f"{year}-W{week:02d}"
    Task.objects.filter(pk=task.pk).update(estimate_hours=Decimal(200))  # far more than a week can hold
    page = app.page
    app.log_in(office.email)
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        app.goto(f"/projects/capacity/?week={label}")
        row = page.locator(f"#capacity-table tr[data-organizer='{olivia.pk}']")
        expect(row).to_contain_text("over by")
        expect(page.locator("#capacity-table")).to_contain_text("overallocated")
        assert app.no_horizontal_overflow()
    page.screenshot(path=artifacts / "OS15_capacity_phone.png", full_page=True)
    page.set_viewport_size(DESKTOP)
    row.locator("td").first.get_by_role("link").click()
    app.assert_healthy()
    expect(page.get_by_role("heading", level=1)).to_contain_text(label)
    expect(page.locator(f"[data-day='{day.isoformat()}']")).to_contain_text("Jones household")
    expect(page.locator(f"[data-day='{day.isoformat()}']")).to_contain_text("Project session")


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_OS18_office_edits_a_task_checklist(app, make_user, artifacts, size):
    office, _olivia, _sam, _day, task, _session = _scene(make_user)
    page = app.page
    page.set_viewport_size(size)
    app.log_in(office.email)
    app.goto(f"/projects/{task.project_id}/tasks/{task.pk}/edit/")
    page.locator("#task-checklist").get_by_role("link", name="Edit steps").click()
    app.assert_healthy()
    page.get_by_label("New step").fill("Label the donation boxes")
    page.get_by_role("button", name="Add step").click()
    items = page.locator("#checklist-items > li")
    expect(items).to_have_count(3)
    expect(items.nth(2).locator("input[name=text]")).to_have_value("Label the donation boxes")
    page.get_by_role("button", name="Move “Label the donation boxes” up").click()
    expect(items.nth(1).locator("input[name=text]")).to_have_value("Label the donation boxes")
    page.get_by_label("New step").fill("photograph DONATIONS")
    page.get_by_role("button", name="Add step").click()
    expect(page.locator("#checklist-add .invalid-feedback")).to_contain_text("already on this checklist")
    expect(page.get_by_label("New step")).to_have_value("photograph DONATIONS")  # kept as typed
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Remove “Sort keep/donate/discard”").click()
    expect(items).to_have_count(2)
    if size == PHONE:
        assert app.no_horizontal_overflow()
    page.screenshot(path=artifacts / f"OS18_checklist_{size['width']}.png", full_page=True)
    assert list(TaskChecklistItem.objects.filter(task=task).values_list("text", flat=True)) == [
        "Label the donation boxes", "Photograph donations",
    ]  # fmt: skip
