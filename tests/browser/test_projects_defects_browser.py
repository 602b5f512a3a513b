"""The projects defects of docs/specs/defects.md (T5-T9, T16, T22) on their pages, in real Chromium.

Same worked example and page checks as tests/browser/test_projects_gantt_browser.py; server-side checks of the
same rules are in tests/projects/test_defects.py. No test depends on today's date: where "today" matters, the
data is placed relative to it.
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import expect

from projects import services
from projects.dates import business_today
from projects.models import Project, Task, TimeEntry
from tests.browser.conftest import PHONE
from tests.clients.factories import ClientFactory
from tests.support.projects import NAMES
from tests.support.projects_browser import (
    DAY_WIDTH,
    assert_no_csp_violation,
    bar,
    center,
    mouse_drag,
    open_gantt,
    owner_and_worked_example,
    payload_dates,
    show_task,
    task_ids,
    wait_for_repaint,
)
from tests.support.projects_browser import renders as render_count

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The ::before label a stacked table cell shows on phones (the pseudo-element's text is not in innerText).
CELL_LABELS = """table => [...table.querySelectorAll('tbody tr:first-child td[data-label]')]
  .filter(td => getComputedStyle(td).display !== 'none')
  .map(td => getComputedStyle(td, '::before').content)"""


@pytest.fixture
def smith(make_user):
    return owner_and_worked_example(make_user)


def test_T22_a_drag_the_schedule_overrides_says_why_next_to_the_bar(app, smith, artifacts):
    owner, project = smith
    app.log_in(owner.email)
    page = open_gantt(app, project)
    g = task_ids(page)[NAMES["G"]]  # Moving day, Tue Jun 16, right after Pack essentials finishes
    show_task(page, g)
    day = page.evaluate(DAY_WIDTH)
    start = center(bar(page, g).bounding_box())
    before = render_count(page)
    with page.expect_response(lambda r: r.request.method == "POST" and f"/gantt/tasks/{g}/" in r.url) as answer:
        mouse_drag(page, start, (start[0] - 2 * day, start[1]))  # two days earlier than Pack essentials allows
    assert answer.value.status == 200
    assert parse_qs(answer.value.request.post_data) == {"start_on": ["2026-06-14"]}
    wait_for_repaint(page, before)

    reason = f"{NAMES['G']} starts after {NAMES['F']} finishes: move or unlink {NAMES['F']} first"
    assert payload_dates(page)[NAMES["G"]] == ("2026-06-16", "2026-06-17")  # snapped back
    note = page.locator("#gantt .gantt-drive-note")
    expect(note).to_have_count(1)
    expect(note).to_have_text(reason)
    expect(note).to_be_visible()
    # Next to the moved bar: on its row, to its right.
    note_box, bar_box = note.bounding_box(), bar(page, g).bounding_box()
    assert abs((note_box["y"] + note_box["height"] / 2) - (bar_box["y"] + bar_box["height"] / 2)) < bar_box["height"]
    assert note_box["x"] >= bar_box["x"] + bar_box["width"] - 1
    expect(page.locator("#gantt-notice")).to_have_text(reason)
    expect(page.locator("#gantt-message")).to_be_hidden()
    page.screenshot(path=artifacts / "T22_gantt_drag_reason.png")

    # The task's page gives the same reason.
    app.goto(f"/projects/{project.pk}/tasks/{g}/edit/")
    expect(page.locator("#task-driver")).to_contain_text(reason)
    assert_no_csp_violation(page)


def test_T16_project_tabs_scroll_with_a_visible_affordance_on_phones(app, smith, artifacts):
    owner, project = smith
    app.log_in(owner.email)
    page = app.page
    page.set_viewport_size(PHONE)
    app.goto(f"/projects/{project.pk}/")
    tabs = page.get_by_role("list", name="Project sections")
    expect(tabs).to_be_visible()
    assert app.no_horizontal_overflow()
    # The tabs do not fit at 390 px: they scroll inside their row, which shows a shadow at the edge with more.
    assert tabs.evaluate("el => el.scrollWidth > el.clientWidth + 8")
    assert "radial-gradient" in tabs.evaluate("el => getComputedStyle(el).backgroundImage")
    assert tabs.evaluate("el => getComputedStyle(el).overflowX") == "auto"
    page.screenshot(path=artifacts / "T16_project_tabs_phone.png")
    # The last tab is reachable by scrolling the row, and works.
    time_tab = tabs.get_by_role("link", name="Time")
    time_tab.scroll_into_view_if_needed()
    time_tab.click()
    expect(page).to_have_url(app.url(f"/projects/{project.pk}/time/"))
    app.assert_healthy()
    assert app.no_horizontal_overflow()
    assert_no_csp_violation(page)


def test_T16_project_list_labels_its_values_on_phones(app, smith, artifacts):
    owner, _project = smith
    app.log_in(owner.email)
    page = app.page
    page.set_viewport_size(PHONE)
    app.goto("/projects/")
    table = page.locator("table.table-stack")
    labels = table.evaluate(CELL_LABELS)
    assert labels[:6] == ['"Client"', '"Status"', '"Start"', '"Finish"', '"Deadline"', '"Hours"'], labels
    assert app.no_horizontal_overflow()
    page.screenshot(path=artifacts / "T16_project_list_phone.png", full_page=True)
    assert_no_csp_violation(page)


def test_T9_an_active_project_past_its_finish_is_flagged_behind(app, smith, artifacts):
    owner, _project = smith
    today = business_today()
    late = services.project_create(
        data={"client": ClientFactory(), "name": "Attic clear-out", "status": Project.Status.ACTIVE,
              "start_on": today - timedelta(days=60)}
    )  # fmt: skip
    services.task_create(project=late, data={"name": "Sort boxes", "duration_wd": 5})
    app.log_in(owner.email)
    page = app.page
    page.set_viewport_size(PHONE)
    app.goto("/projects/?at_risk=1")
    row = page.locator("table.table-stack tbody tr", has_text="Attic clear-out")
    expect(row.locator("td[data-label='Risk']")).to_contain_text("behind")
    page.screenshot(path=artifacts / "T9_behind_phone.png", full_page=True)


def test_T8_close_out_needs_chosen_scores_and_confirms_open_tasks(app, smith):
    owner, project = smith
    app.log_in(owner.email)
    page = app.page
    app.goto(f"/projects/{project.pk}/close-out/")
    csat, nps = page.get_by_label("Client satisfaction"), page.get_by_label("How likely to recommend us")
    expect(csat).to_have_value("")
    expect(nps).to_have_value("")
    expect(page.locator("#closeout-open-tasks")).to_contain_text("11 tasks are not done yet")
    page.get_by_role("button", name="Complete project").click()
    app.assert_healthy()
    expect(page.get_by_text("Choose a score", exact=False)).to_have_count(2)

    csat.select_option("4")
    nps.select_option(label="Not asked")
    page.get_by_label("Complete anyway: 11 tasks are not done yet").check()
    page.get_by_role("button", name="Complete project").click()
    expect(page).to_have_url(app.url(f"/projects/{project.pk}/"))
    expect(page.get_by_text("CSAT 4/5 · NPS not asked")).to_be_visible()
    project.refresh_from_db()
    assert (project.status, project.csat, project.nps) == (Project.Status.COMPLETED, 4, None)


def test_T5_a_huge_task_duration_is_a_field_error(app, smith):
    owner, project = smith
    app.log_in(owner.email)
    page = app.page
    app.goto(f"/projects/{project.pk}/tasks/new/")
    page.get_by_label("Name").fill("Forever")
    page.get_by_label("Duration (working days)").fill("999999999")
    page.get_by_role("button", name="Save").click()
    app.assert_healthy()
    expect(page.locator("#id_duration_wd")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.get_by_text("less than or equal to 3650")).to_be_visible()
    assert not Task.objects.filter(name="Forever").exists()


def test_T6_the_task_table_shows_a_phase_s_rolled_up_span(app, smith):
    owner, project = smith
    app.log_in(owner.email)
    app.goto(f"/projects/{project.pk}/tasks/")
    phase = Task.objects.get(project=project, name=NAMES["P2"])
    expect(app.page.locator(f"#task-table tr[data-task='{phase.pk}'] td").nth(2)).to_have_text("10")


def test_T7_time_dated_after_today_is_refused_on_the_form(app, smith, make_user):
    owner, project = smith
    organizer = make_user("organizer", "Maya")
    app.log_in(owner.email)
    page = app.page
    app.goto(f"/projects/{project.pk}/time/")
    worked_on = page.get_by_label("Worked on")
    assert worked_on.get_attribute("max") == business_today().isoformat()
    page.get_by_label("Task").select_option(str(Task.objects.get(project=project, name=NAMES["G"]).pk))
    page.get_by_label("Organizer").select_option(str(organizer.pk))
    worked_on.fill("2099-01-01")
    page.get_by_label("Hours").fill("1")
    page.get_by_role("button", name="Log time").click()
    app.assert_healthy()
    expect(page.get_by_text("only be logged for today or earlier")).to_be_visible()
    assert not TimeEntry.objects.exists()
