"""Close-out with maintenance and the client timeline (docs/specs/one-schedule.md §5, OS16) in real Chromium, at
390 px and 1280 px. Dates are placed relative to today: the project finished a few weeks ago."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from projects import services
from projects.dates import business_today
from projects.models import Project
from tests.browser.conftest import DESKTOP, PHONE
from tests.clients.factories import ClientFactory, SiteFactory
from tests.operations.factories import AppointmentTypeFactory, organizer_ny

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def finished(make_user):
    """An active garage project whose one task is done (finished three weeks ago), a visit type and Olivia."""
    owner = make_user("owner", "Priya")
    olivia = organizer_ny(first_name="Olivia", last_name="Stone", email="olivia.browser@example.com")
    client = ClientFactory(name="Garcia household")
    SiteFactory(client=client)
    start = business_today() - timedelta(days=42)
    project = services.project_create(
        data={"client": client, "name": "Garage reset", "status": Project.Status.ACTIVE, "start_on": start}
    )
    task = services.task_create(project=project, data={"name": "Sort and shelve", "duration_wd": 3})
    services.task_update(
        task=task,
        data={"progress_pct": 100, "actual_start": start, "actual_finish": business_today() - timedelta(days=21)},
    )
    tidy = AppointmentTypeFactory(name="Maintenance tidy", default_duration_min=120, default_travel_min=30)
    return owner, olivia, project, tidy


def test_OS16_close_out_with_maintenance_then_the_client_timeline(app, finished, artifacts):
    owner, olivia, project, tidy = finished
    app.log_in(owner.email)
    page = app.page
    page.set_viewport_size(DESKTOP)
    app.goto(f"/projects/{project.pk}/close-out/")
    section = page.locator("#start-maintenance")
    expect(section).to_contain_text("Start maintenance")
    expect(section).to_contain_text("Actual finish:")
    page.screenshot(path=artifacts / "OS16_closeout_desktop.png", full_page=True)

    page.set_viewport_size(PHONE)
    app.goto(f"/projects/{project.pk}/close-out/")
    assert app.no_horizontal_overflow()
    page.select_option("#id_csat", "5")
    page.select_option("#id_nps", "9")
    page.check("#id_maintenance")
    page.select_option("#id_appointment_type", str(tidy.pk))
    page.select_option("#id_repeat", "monthly_nth")
    page.select_option("#id_nth", "2")
    page.select_option("#id_weekday", "1")
    page.fill("#id_start_time", "10:00")
    page.locator(f"input[name=organizers][value='{olivia.pk}']").check()
    page.screenshot(path=artifacts / "OS16_closeout_phone.png", full_page=True)
    page.get_by_role("button", name="Complete project").click()
    expect(page.locator(".alert-success, .alert-info").first).to_contain_text("Maintenance visits are booked")
    app.assert_healthy()

    for size, name in ((PHONE, "phone"), (DESKTOP, "desktop")):
        page.set_viewport_size(size)
        app.goto(f"/clients/{project.client_id}/")
        timeline = page.locator("#client-timeline")
        expect(timeline).to_contain_text("Monthly on the second Tuesday 10:00–12:00, Olivia, next")
        expect(timeline).to_contain_text("Garage reset, completed")
        expect(timeline.locator("[data-kind=visit]").first).to_contain_text("Maintenance tidy 10:00")
        assert app.no_horizontal_overflow()
        page.screenshot(path=artifacts / f"OS16_client_timeline_{name}.png", full_page=True)
