"""Shared by the projects browser tests: the worked example for its owner, and the Gantt chart's hooks.

The chart (static/js/gantt.js on dhtmlx-gantt 10) signals each finished repaint and exposes its payload; these
helpers wait on those signals and drive real mouse gestures on the chart's own elements.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from playwright.sync_api import Locator, Page, expect

from projects import demo, services
from projects.models import Project
from tests.browser.conftest import READ_CSP
from tests.clients.factories import ClientFactory
from tests.support.projects import NAMES

CRITICAL_PATH = [NAMES[key] for key in "AEDFGIK"]  # docs/specs/scheduling.md §3, Example 1

# The chart signals each finished repaint: data-ready="1" and a growing data-renders counter.
READY = "#gantt[data-ready='1']"
RENDERS = "() => Number(document.getElementById('gantt').dataset.renders)"
REPAINTED = (
    "n => { const g = document.getElementById('gantt');"
    " return g.dataset.ready === '1' && Number(g.dataset.renders) > n; }"
)
PAYLOAD = "() => organizerGantt.payload()"
# Pixels per day at the current zoom.
DAY_WIDTH = "() => gantt.posFromDate(new Date(2026, 5, 2)) - gantt.posFromDate(new Date(2026, 5, 1))"
# Before a gesture, bring the bar into view: the timeline scrolls (dhtmlx autoscrolls when a drag nears its
# edge, so start well inside it), then the page, so the bar sits mid-viewport. (Playwright's own scrolling
# does not apply: milestone bars are `visibility: hidden` boxes around a visible diamond.)
SHOW_TASK = """id => {
  gantt.scrollTo(Math.max(0, gantt.posFromDate(gantt.getTask(id).start_date) - 200), null);
  const rect = document.querySelector(`#gantt .gantt_task_line[data-task-id='${id}']`).getBoundingClientRect();
  window.scrollBy(0, rect.top + rect.height / 2 - window.innerHeight / 2);
}"""


def owner_and_worked_example(make_user: Any) -> tuple[Any, Project]:
    """The owner (who may edit every plan) and the worked example, scheduled by the server as of its first day (its
    own status date), so that the dates these tests drag and read never depend on today's."""
    owner = make_user("owner", "Olivia")
    project = demo.worked_example_create(client=ClientFactory(name="Smith household"), lead=owner)
    project = services.project_update(project=project, data={"status_date_override": project.start_on})
    return owner, project


def open_gantt(app, project: Project) -> Page:
    app.goto(f"/projects/{project.pk}/gantt/")
    expect(app.page.locator(READY)).to_have_count(1)
    return app.page


def task_ids(page: Page) -> dict[str, int]:
    return {row["text"]: row["id"] for row in page.evaluate(PAYLOAD)["data"]}


def bar(page: Page, task_id: int) -> Locator:
    return page.locator(f"#gantt .gantt_task_line[data-task-id='{task_id}']")


def show_task(page: Page, task_id: int) -> None:
    page.evaluate(SHOW_TASK, task_id)


def center(box: dict) -> tuple[float, float]:
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def renders(page: Page) -> int:
    return page.evaluate(RENDERS)


def wait_for_repaint(page: Page, after: int) -> None:
    page.wait_for_function(REPAINTED, arg=after)


def payload_dates(page: Page) -> dict[str, tuple[str, str]]:
    """Start and (exclusive) end per task name, as the chart holds them from the server."""
    return {row["text"]: (row["start_date"], row["end_date"]) for row in page.evaluate(PAYLOAD)["data"]}


def bar_left_matches(page: Page, task_id: int, day: date) -> bool:
    """The bar is drawn from `day` (its left edge is that day's position on the timeline)."""
    return page.evaluate(
        """([id, y, m, d]) => {
          const el = document.querySelector(`#gantt .gantt_task_line[data-task-id='${id}']`);
          return Math.abs(parseFloat(el.style.left) - gantt.posFromDate(new Date(y, m - 1, d))) < 1;
        }""",
        [task_id, day.year, day.month, day.day],
    )


def mouse_drag(page: Page, start: tuple[float, float], end: tuple[float, float], steps: int = 12) -> None:
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*end, steps=steps)
    page.mouse.up()


def assert_no_csp_violation(page: Page) -> None:
    assert page.evaluate(READ_CSP) == [], page.evaluate(READ_CSP)
