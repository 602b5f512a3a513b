"""The project Gantt and board in real Chromium, on docs/specs/scheduling.md's worked example "Smith home move".

The chart (static/js/gantt.js on dhtmlx-gantt 10) only paints the server's payload and turns gestures into
POSTs; every answer repaints it. The tests use real mouse gestures on the chart's own elements and check the
answer, the repainted chart, the database and a reload. Every page is loaded through `app.goto()`, which
asserts no CSP violation (SECURITY.md H11); the `page` fixture also fails a test on any CSP violation or
uncaught error that happens later, e.g. during a drag (tests/browser/conftest.py).
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import Locator, Page, expect

from projects import demo
from projects.models import Dependency, Project, Task
from tests.browser.conftest import DESKTOP, PHONE, READ_CSP
from tests.clients.factories import ClientFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAMES = {key: name for key, name, _duration, _parent in demo.WORKED_EXAMPLE_TASKS}
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


# --- helpers ------------------------------------------------------------------------------------------------


@pytest.fixture
def smith(make_user):
    """The owner (who may edit every plan) and the worked example, scheduled by the server."""
    owner = make_user("owner", "Olivia")
    project = demo.worked_example_create(client=ClientFactory(name="Smith household"), lead=owner)
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


# --- Gantt --------------------------------------------------------------------------------------------------


def test_gantt_shows_every_task_and_paints_the_critical_path(app, smith):
    owner, project = smith
    app.log_in(owner.email)
    page = open_gantt(app, project)
    names = dict(Task.objects.filter(project=project).values_list("pk", "name"))

    bars = page.locator("#gantt .gantt_task_line[data-task-id]")
    expect(bars).to_have_count(14)
    assert sorted(int(i) for i in bars.evaluate_all("els => els.map(e => e.dataset.taskId)")) == sorted(names)
    expect(page.locator("#gantt .gantt_task_line.gantt_project")).to_have_count(3)  # the phases
    expect(bar(page, task_ids(page)[NAMES["K"]])).to_have_class(re.compile(r"\bgantt_milestone\b"))

    critical = page.locator("#gantt .gantt_task_line.gantt-critical").evaluate_all(
        "els => els.map(e => Number(e.dataset.taskId))"
    )
    assert sorted(names[i] for i in critical) == sorted(CRITICAL_PATH)

    # All 13 links; the critical ones (and only those) are red.
    expect(page.locator("#gantt .gantt_task_link[data-link-id]")).to_have_count(13)
    critical_links = page.locator("#gantt .gantt_task_link.gantt-critical-link").evaluate_all(
        "els => els.map(e => Number(e.dataset.linkId))"
    )
    expected = Dependency.objects.filter(project=project, is_critical=True).values_list("pk", flat=True)
    assert sorted(critical_links) == sorted(expected) and critical_links
    # Link types other than plain FS, and lags, are labelled on the chart.
    labels = page.locator("#gantt .gantt-link-label").all_inner_texts()
    assert sorted(labels) == sorted(["SS +1", "FS \u22121", "FS +2", "FF +1", "SF"])

    # Grid: WBS, name, start, working days; the milestone shows on Mon Jun 22.
    k_row = page.locator("#gantt .gantt_row", has_text=NAMES["K"])
    expect(k_row).to_contain_text("3.4")
    expect(k_row).to_contain_text("Mon Jun 22")
    i_row = page.locator("#gantt .gantt_row", has_text=NAMES["I"])
    expect(i_row.locator("[data-column-name='duration_wd']")).to_have_text("3")

    # Weekends and the Juneteenth holiday are shaded (day zoom).
    expect(page.locator("#gantt .gantt_task_cell.gantt-nonworking").first).to_be_attached()
    assert page.locator("#gantt .gantt_task_cell.gantt-holiday").count() == 14  # one cell per row
    assert_no_csp_violation(page)


def test_dragging_moving_day_two_working_days_later_moves_its_successors(app, smith):
    owner, project = smith
    app.log_in(owner.email)
    page = open_gantt(app, project)
    ids = task_ids(page)
    g, i = ids[NAMES["G"]], ids[NAMES["I"]]
    assert payload_dates(page)[NAMES["G"]] == ("2026-06-16", "2026-06-17")

    show_task(page, g)
    day = page.evaluate(DAY_WIDTH)
    start = center(bar(page, g).bounding_box())
    before = renders(page)
    with page.expect_response(lambda r: r.request.method == "POST" and f"/gantt/tasks/{g}/" in r.url) as answer:
        mouse_drag(page, start, (start[0] + 2 * day, start[1]))  # Tue 16 -> Thu 18: two working days
    assert answer.value.status == 200
    assert parse_qs(answer.value.request.post_data) == {"start_on": ["2026-06-18"]}
    wait_for_repaint(page, before)

    # The server moved the auto-scheduled successors; the chart repainted from its answer.
    expected = {
        NAMES["G"]: ("2026-06-18", "2026-06-19"),  # Thu 18
        NAMES["I"]: ("2026-06-22", "2026-06-25"),  # Mon 22 - Wed 24 (Fri 19 is a holiday)
        NAMES["K"]: ("2026-06-24", "2026-06-24"),  # the milestone shows on the day I finishes
    }
    dates = payload_dates(page)
    assert {name: dates[name] for name in expected} == expected
    assert bar_left_matches(page, g, date(2026, 6, 18))
    assert bar_left_matches(page, i, date(2026, 6, 22))
    expect(page.locator("#gantt-message")).to_be_hidden()

    rows = {t.name: t for t in Task.objects.filter(project=project)}
    assert (rows[NAMES["G"]].start_on, rows[NAMES["G"]].finish_on) == (date(2026, 6, 18), date(2026, 6, 18))
    assert (rows[NAMES["I"]].start_on, rows[NAMES["I"]].finish_on) == (date(2026, 6, 22), date(2026, 6, 24))
    assert rows[NAMES["K"]].start_on == date(2026, 6, 24)

    page.reload()
    expect(page.locator(READY)).to_have_count(1)
    app.assert_healthy()
    dates = payload_dates(page)
    assert {name: dates[name] for name in expected} == expected
    assert bar_left_matches(page, i, date(2026, 6, 22))
    expect(page.locator("#gantt .gantt_row", has_text=NAMES["K"])).to_contain_text("Wed Jun 24")
    assert_no_csp_violation(page)


def test_drawing_a_link_that_would_make_a_cycle_is_refused_and_changes_nothing(app, smith):
    owner, project = smith
    app.log_in(owner.email)
    page = open_gantt(app, project)
    page.get_by_role("button", name="Week").click()  # the whole plan fits: both ends of the link are visible
    expect(page.get_by_role("button", name="Week")).to_have_attribute("aria-pressed", "true")
    ids = task_ids(page)
    k, a = ids[NAMES["K"]], ids[NAMES["A"]]
    links_before = Dependency.objects.filter(project=project).count()
    payload_before = page.evaluate(PAYLOAD)

    # Hovering a bar shows its link handles: from the milestone's finish to A's start (finish-to-start).
    page.locator("#gantt").evaluate("el => el.scrollIntoView({block: 'start'})")  # both rows in view
    page.mouse.move(*center(bar(page, k).bounding_box()))
    handle = bar(page, k).locator(".gantt_link_control.task_right .gantt_link_point")
    expect(handle).to_be_visible()
    source = center(handle.bounding_box())
    before = renders(page)
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/gantt/links/")) as answer:
        page.mouse.move(*source)
        page.mouse.down()
        page.mouse.move(*center(bar(page, a).bounding_box()), steps=15)
        target = bar(page, a).locator(".gantt_link_control.task_left .gantt_link_point")
        expect(target).to_be_visible()
        page.mouse.move(*center(target.bounding_box()), steps=5)
        page.mouse.up()
    assert answer.value.status == 400
    assert parse_qs(answer.value.request.post_data) == {
        "source": [str(k)],
        "target": [str(a)],
        "type": ["0"],
        "lag": ["0"],
    }
    wait_for_repaint(page, before)

    message = page.locator("#gantt-message")
    expect(message).to_be_visible()
    expect(message).to_contain_text("loop")
    expect(message).to_contain_text(NAMES["K"])
    assert Dependency.objects.filter(project=project).count() == links_before == 13
    after = page.evaluate(PAYLOAD)
    assert after["links"] == payload_before["links"] and after["data"] == payload_before["data"]
    expect(page.locator("#gantt .gantt_task_link[data-link-id]")).to_have_count(13)
    assert_no_csp_violation(page)


def test_resizing_setting_progress_and_removing_a_link_are_sent_to_the_server(app, smith):
    owner, project = smith
    app.log_in(owner.email)
    page = open_gantt(app, project)
    ids = task_ids(page)
    b, j = ids[NAMES["B"]], ids[NAMES["J"]]
    day = page.evaluate(DAY_WIDTH)

    # Resize: drag the finish of "Storage unit rental" (Thu Jun 11 - Tue Jun 16, 4 working days) one day later.
    show_task(page, j)
    page.mouse.move(*center(bar(page, j).bounding_box()))
    handle = bar(page, j).locator(".gantt_task_drag.task_right")
    expect(handle).to_be_visible()
    grip = center(handle.bounding_box())
    before = renders(page)
    with page.expect_response(lambda r: r.request.method == "POST" and f"/gantt/tasks/{j}/" in r.url) as answer:
        mouse_drag(page, grip, (grip[0] + day, grip[1]))
    assert answer.value.ok
    assert parse_qs(answer.value.request.post_data) == {"duration_wd": ["5"]}
    wait_for_repaint(page, before)
    # The start-to-finish link from I pins J's finish (Tue Jun 16), so the server starts it a day earlier.
    assert payload_dates(page)[NAMES["J"]] == ("2026-06-10", "2026-06-17")
    task = Task.objects.get(pk=j)
    assert (task.duration_wd, task.start_on, task.finish_on) == (5, date(2026, 6, 10), date(2026, 6, 16))

    # Progress: drag B's progress handle to about half of its bar.
    show_task(page, b)
    box = bar(page, b).bounding_box()
    page.mouse.move(*center(box))
    knob = bar(page, b).locator(".gantt_task_progress_drag")
    expect(knob).to_be_visible()
    start = center(knob.bounding_box())
    before = renders(page)
    with page.expect_response(lambda r: r.request.method == "POST" and f"/gantt/tasks/{b}/" in r.url) as answer:
        mouse_drag(page, start, (box["x"] + box["width"] / 2, start[1]))
    assert answer.value.ok
    sent = parse_qs(answer.value.request.post_data)
    assert list(sent) == ["progress_pct"] and 40 <= int(sent["progress_pct"][0]) <= 60, sent
    wait_for_repaint(page, before)
    assert Task.objects.get(pk=b).progress_pct == int(sent["progress_pct"][0])

    # Double-click a link, confirm: the link is removed (I -> J, start-to-finish).
    link = Dependency.objects.get(project=project, pred__name=NAMES["I"], succ__name=NAMES["J"])
    dialogs: list[str] = []

    def accept(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    show_task(page, j)
    segments = page.locator(f"#gantt .gantt_task_link[data-link-id='{link.pk}'] .gantt_line_wrapper")
    longest = max(range(segments.count()), key=lambda n: segments.nth(n).bounding_box()["height"])
    before = renders(page)
    url = f"/gantt/links/{link.pk}/delete/"
    with page.expect_response(lambda r: r.request.method == "POST" and url in r.url) as answer:
        page.mouse.dblclick(*center(segments.nth(longest).bounding_box()))
    assert answer.value.ok
    assert "start-to-finish" in dialogs[0] and NAMES["J"] in dialogs[0]
    wait_for_repaint(page, before)
    assert not Dependency.objects.filter(pk=link.pk).exists()
    expect(page.locator("#gantt .gantt_task_link[data-link-id]")).to_have_count(12)
    assert_no_csp_violation(page)


def test_task_names_with_markup_are_shown_as_text_in_the_gantt(app, smith):
    owner, project = smith
    name = '"><img src=x onerror=window.pwned=1>'
    Task.objects.filter(project=project, name=NAMES["B"]).update(name=name)
    app.log_in(owner.email)
    page = open_gantt(app, project)
    task_id = task_ids(page)[name]
    show_task(page, task_id)
    page.mouse.move(*center(bar(page, task_id).bounding_box()))  # the tooltip
    expect(page.locator(".gantt_tooltip")).to_contain_text(name)
    expect(page.locator("#gantt .gantt_row", has_text=name)).to_have_count(1)
    expect(page.locator("img[src='x']")).to_have_count(0)
    assert page.evaluate("() => typeof window.pwned") == "undefined"
    assert_no_csp_violation(page)


def test_dragging_a_milestone_puts_it_on_the_day_it_is_dropped(app, smith):
    owner, project = smith
    app.log_in(owner.email)
    page = open_gantt(app, project)
    k = task_ids(page)[NAMES["K"]]
    show_task(page, k)
    day = page.evaluate(DAY_WIDTH)
    start = center(bar(page, k).bounding_box())
    before = renders(page)
    with page.expect_response(lambda r: r.request.method == "POST" and f"/gantt/tasks/{k}/" in r.url) as answer:
        mouse_drag(page, start, (start[0] + day, start[1]))  # Mon Jun 22 -> Tue Jun 23
    assert parse_qs(answer.value.request.post_data) == {"start_on": ["2026-06-23"]}
    wait_for_repaint(page, before)
    assert payload_dates(page)[NAMES["K"]] == ("2026-06-23", "2026-06-23")


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
