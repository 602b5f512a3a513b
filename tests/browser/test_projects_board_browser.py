"""The project board (Kanban), an organizer's read-only plan, and screenshots, in real Chromium.

Same worked example and page checks as tests/browser/test_projects_gantt_browser.py.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import expect

from projects.models import Task
from tests.browser.conftest import DESKTOP, PHONE
from tests.support.projects import NAMES
from tests.support.projects_browser import (
    DAY_WIDTH,
    assert_no_csp_violation,
    bar,
    bar_left_matches,
    center,
    mouse_drag,
    open_gantt,
    owner_and_worked_example,
    payload_dates,
    show_task,
    task_ids,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def smith(make_user):
    return owner_and_worked_example(make_user)


# --- Kanban -------------------------------------------------------------------------------------------------


def test_kanban_drag_to_done_and_the_select_fallback(app, smith):
    owner, project = smith
    app.log_in(owner.email)
    app.goto(f"/projects/{project.pk}/board/")
    page = app.page
    expect(page.locator("[data-count='todo']")).to_have_text("11")  # the leaves; phases are not cards
    expect(page.locator("[data-count='done']")).to_have_text("0")

    card = page.locator("article.kanban-card", has_text=NAMES["A"])
    done = page.locator("[data-drop='done']")
    with page.expect_response(lambda r: r.request.method == "POST" and "/board/" in r.url) as answer:
        # Drop near the top of the column: aiming at its middle would scroll the (tall) board mid-gesture.
        card.drag_to(done, target_position={"x": 40, "y": 24})
    assert answer.value.ok
    assert parse_qs(answer.value.request.post_data) == {"status": ["done"]}
    expect(done.locator("article.kanban-card")).to_have_count(1)
    expect(done).to_contain_text(NAMES["A"])
    expect(page.locator("[data-count='done']")).to_have_text("1")
    expect(page.locator("[data-count='todo']")).to_have_text("10")
    expect(card.locator("select.kanban-select")).to_have_value("done")
    expect(page.locator("#kanban-message")).to_be_hidden()
    task = Task.objects.get(project=project, name=NAMES["A"])
    assert (task.status, task.progress_pct) == ("done", 100)

    # The select is the keyboard and phone alternative to dragging.
    other = page.locator("article.kanban-card", has_text=NAMES["B"])
    with page.expect_response(lambda r: r.request.method == "POST" and "/board/" in r.url) as answer:
        other.locator("select.kanban-select").select_option("doing")
    assert answer.value.ok
    expect(page.locator("[data-drop='doing']")).to_contain_text(NAMES["B"])
    expect(page.locator("[data-count='doing']")).to_have_text("1")
    expect(page.locator("[data-count='todo']")).to_have_text("9")
    assert Task.objects.get(project=project, name=NAMES["B"]).status == "doing"

    page.reload()
    app.assert_healthy()
    expect(page.locator("[data-drop='done']")).to_contain_text(NAMES["A"])
    expect(page.locator("[data-count='done']")).to_have_text("1")
    assert_no_csp_violation(page)


def test_an_organizer_gets_a_read_only_gantt_and_moves_only_own_cards(app, smith, make_user):
    """Anna is assigned to "Moving day" but does not lead the project: she sees the plan, cannot change it,
    and may move only her own card on the board; the server refuses the others and the card goes back."""
    owner, project = smith
    anna = make_user("organizer", "Anna")
    Task.objects.get(project=project, name=NAMES["G"]).assignees.add(anna)
    app.log_in(anna.email)
    page = open_gantt(app, project)
    expect(page.locator("#gantt")).to_have_class(re.compile(r"\bgantt-readonly\b"))
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    g = task_ids(page)[NAMES["G"]]
    show_task(page, g)
    start = center(bar(page, g).bounding_box())
    page.mouse.move(*start)
    expect(bar(page, g).locator(".gantt_link_control .gantt_link_point").first).to_be_hidden()
    before = payload_dates(page)
    mouse_drag(page, start, (start[0] + 2 * page.evaluate(DAY_WIDTH), start[1]))
    page.wait_for_timeout(300)
    assert posts == []
    assert payload_dates(page) == before
    assert bar_left_matches(page, g, date(2026, 6, 16))

    app.goto(f"/projects/{project.pk}/board/")
    own = page.locator("article.kanban-card", has_text=NAMES["G"])
    with page.expect_response(lambda r: r.request.method == "POST" and "/board/" in r.url) as answer:
        own.locator("select.kanban-select").select_option("doing")
    assert answer.value.ok
    expect(page.locator("[data-drop='doing']")).to_contain_text(NAMES["G"])
    expect(page.locator("[data-count='doing']")).to_have_text("1")

    other = page.locator("article.kanban-card", has_text=NAMES["A"])
    with page.expect_response(lambda r: r.request.method == "POST" and "/board/" in r.url) as answer:
        other.locator("select.kanban-select").select_option("done")
    assert answer.value.status == 403
    message = page.locator("#kanban-message")
    expect(message).to_be_visible()
    expect(message).to_contain_text("assigned to you")
    expect(page.locator("[data-drop='todo']")).to_contain_text(NAMES["A"])  # back where it was
    expect(other.locator("select.kanban-select")).to_have_value("todo")
    expect(page.locator("[data-count='done']")).to_have_text("0")
    assert Task.objects.get(project=project, name=NAMES["A"]).status == "todo"
    assert_no_csp_violation(page)


# --- screenshots --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("label", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_gantt_and_overview_screenshots(app, smith, artifacts, label, viewport):
    owner, project = smith
    page = app.page
    page.set_viewport_size(viewport)
    app.log_in(owner.email)

    open_gantt(app, project)
    expect(page.locator("#gantt .gantt_task_line[data-task-id]")).to_have_count(14)
    # Phones get a narrower grid with the names only; the chart scrolls inside its box, not the page.
    columns = page.locator("#gantt .gantt_grid_head_cell").count()
    assert columns == (1 if label == "phone" else 4), columns
    assert app.no_horizontal_overflow()
    page.screenshot(path=artifacts / f"gantt_{label}.png", full_page=True)

    app.goto(f"/projects/{project.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(project.name)
    expect(page.locator("#planned-finish")).to_have_text("Mon Jun 22, 2026")
    assert app.no_horizontal_overflow()
    page.screenshot(path=artifacts / f"overview_{label}.png", full_page=True)
    assert_no_csp_violation(page)
