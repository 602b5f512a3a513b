"""The project Gantt in real Chromium, on docs/specs/scheduling.md's worked example "Smith home move".

The chart (static/js/gantt.js on dhtmlx-gantt 10) only paints the server's payload and turns gestures into
POSTs; every answer repaints it. The tests use real mouse gestures on the chart's own elements and check the
answer, the repainted chart, the database and a reload. Every page is loaded through `app.goto()`, which
asserts no CSP violation (docs/specs/security.md, SH11); the `page` fixture also fails a test on any CSP
violation or uncaught error that happens later, e.g. during a drag (tests/browser/conftest.py).
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import expect

from projects.models import Dependency, Task
from tests.support.projects import NAMES
from tests.support.projects_browser import (
    CRITICAL_PATH,
    DAY_WIDTH,
    PAYLOAD,
    READY,
    assert_no_csp_violation,
    bar,
    bar_left_matches,
    center,
    mouse_drag,
    open_gantt,
    owner_and_worked_example,
    payload_dates,
    renders,
    show_task,
    task_ids,
    wait_for_repaint,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def smith(make_user):
    return owner_and_worked_example(make_user)


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
