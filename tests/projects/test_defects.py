"""The projects defects of docs/specs/defects.md: T5 (bounded inputs), T6 (summary durations), T7 (no future
time), T8 (close-out without default scores), T9 (at risk against today) and T22 (why a drag snapped back).

Browser checks of the same pages are in tests/browser/test_projects_defects_browser.py.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from html import escape
from html.parser import HTMLParser

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects import services
from projects.models import Project, Task, TimeEntry
from projects.progress import projects_status_refresh
from tests.clients.factories import ClientFactory
from tests.support.projects import NAMES, smith_shared, task_named
from tests.support.shared_rows import fresh_copy

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def _smith_rows(django_db_setup, django_db_blocker):
    yield from smith_shared(django_db_blocker, status_date_source="override")


@pytest.fixture
def smith(_smith_rows, db):
    """The worked example, built once for this module (tests/support/projects.py)."""
    return fresh_copy(_smith_rows["smith"])


TASK_BASE = {"estimate_hours": "0", "progress_pct": 0, "status": "todo"}
# Sunday Dec 6 2026, 03:00 UTC: still Saturday Dec 5 in the business zone (America/New_York).
EARLY_SUNDAY_UTC = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)
DECEMBER = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)


class _Rows(HTMLParser):
    """The task table's rows as {task id: [cell texts]}."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[int, list[str]] = {}
        self._row: list[str] | None = None
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr" and dict(attrs).get("data-task"):
            self._row = self.rows.setdefault(int(dict(attrs)["data-task"] or 0), [])
        elif tag == "td" and self._row is not None:
            self._row.append("")
            self._depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._row is not None:
            self._depth -= 1
        elif tag == "tr":
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._row is not None and self._depth:
            self._row[-1] += data.strip()


# --- T5 ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("duration", "status"), [("999999999", 200), ("5000", 200), ("3651", 200), ("3650", 302)])
def test_T5_task_durations_are_bounded_with_a_form_error(client, owner, smith, duration, status):
    client.force_login(owner)
    url = reverse("projects:task_create", kwargs={"pk": smith.pk})
    response = client.post(url, TASK_BASE | {"name": "Long", "duration_wd": duration})
    assert response.status_code == status
    if status == 200:
        assert "less than or equal to 3650" in response.content.decode()
        assert not Task.objects.filter(name="Long").exists()


def test_T5_constraint_dates_and_deadlines_lie_within_20_years_of_the_start(client, owner, smith):
    client.force_login(owner)
    url = reverse("projects:task_create", kwargs={"pk": smith.pk})
    for day in ("2090-01-02", "1990-06-01"):
        data = TASK_BASE | {"name": "Far", "duration_wd": 1, "constraint_kind": "SNET", "constraint_on": day}
        response = client.post(url, data)
        assert response.status_code == 200 and "within 20 years of the project start" in response.content.decode()
    assert not Task.objects.filter(name="Far").exists()
    with pytest.raises(ValidationError) as refused:
        services.project_update(project=smith, data={"deadline_on": date(2060, 1, 1)})
    assert "deadline_on" in refused.value.error_dict


@pytest.mark.parametrize(
    "data",
    [{"duration_wd": "999999999"}, {"duration_wd": "3651"}, {"start_on": "9999-12-30"}, {"start_on": "0001-01-03"}],
)
def test_T5_gantt_task_endpoint_refuses_out_of_range_input_with_a_message(client, owner, smith, data):
    client.force_login(owner)
    g = task_named(smith, NAMES["G"])
    url = reverse("projects:gantt_task_update", kwargs={"pk": smith.pk, "task_pk": g.pk})
    response = client.post(url, data)
    assert response.status_code == 400 and response.json()["error"]
    assert len(response.json()["data"]) == 14  # the schedule, to repaint from
    g.refresh_from_db()
    assert (g.duration_wd, g.constraint_kind) == (1, "")


def test_T5_gantt_link_endpoint_refuses_a_huge_lag(client, owner, smith):
    client.force_login(owner)
    a, g = task_named(smith, NAMES["A"]), task_named(smith, NAMES["G"])
    url = reverse("projects:gantt_link_create", kwargs={"pk": smith.pk})
    response = client.post(url, {"source": a.pk, "target": g.pk, "type": "0", "lag": "99999999"})
    assert response.status_code == 400 and response.json()["error"]


def test_T5_a_plan_running_past_the_calendar_is_refused_not_a_crash(client, owner):
    project = services.project_create(data={"client": ClientFactory(), "name": "Far", "start_on": date(9990, 1, 1)})
    with pytest.raises(ValidationError) as refused:
        services.task_create(project=project, data={"name": "Decade", "duration_wd": 3650})
    assert refused.value.code == "out_of_range"
    client.force_login(owner)
    url = reverse("projects:task_create", kwargs={"pk": project.pk})
    response = client.post(url, TASK_BASE | {"name": "Decade", "duration_wd": 3650})
    assert response.status_code == 200 and "beyond the calendar" in response.content.decode()
    assert not project.tasks.exists()


# --- T6 ----------------------------------------------------------------------------------------------------


def test_T6_summary_rows_show_their_rolled_up_span(client, owner, smith):
    client.force_login(owner)
    parser = _Rows()
    parser.feed(client.get(reverse("projects:project_tasks", kwargs={"pk": smith.pk})).content.decode())
    payload = client.get(reverse("projects:gantt_data", kwargs={"pk": smith.pk})).json()
    spans = {row["id"]: row["duration_wd"] for row in payload["data"]}
    phases = Task.objects.filter(project=smith, is_summary=True)
    assert phases.count() == 3
    for phase in phases:
        assert parser.rows[phase.pk][2] == str(phase.ef - phase.es) == str(spans[phase.pk]), phase.name
    assert parser.rows[task_named(smith, NAMES["P2"]).pk][2] == "10"  # the issue's 10-day phase, shown as 11


# --- T7 ----------------------------------------------------------------------------------------------------


def test_T7_time_cannot_be_logged_after_today_in_the_business_zone(client, owner, organizer_a, smith):
    g = task_named(smith, NAMES["G"])
    with time_machine.travel(EARLY_SUNDAY_UTC, tick=False):
        with pytest.raises(ValidationError) as refused:
            services.time_entry_add(task=g, organizer=owner, actor=owner, worked_on=date(2026, 12, 6), minutes=60)
        assert refused.value.error_dict["worked_on"][0].code == "future"
        services.time_entry_add(task=g, organizer=owner, actor=owner, worked_on=date(2026, 12, 5), minutes=60)

        client.force_login(owner)
        data = {"task": g.pk, "organizer": organizer_a.pk, "worked_on": "2030-01-01", "hours": "1", "note": ""}
        response = client.post(reverse("projects:time_entries", kwargs={"pk": smith.pk}), data)
    body = response.content.decode()
    assert response.status_code == 200 and "only be logged for today or earlier" in body
    assert list(TimeEntry.objects.values_list("worked_on", flat=True)) == [date(2026, 12, 5)]


# --- T8 ----------------------------------------------------------------------------------------------------


def test_T8_close_out_has_no_default_score(client, owner, smith):
    client.force_login(owner)
    url = reverse("projects:project_closeout", kwargs={"pk": smith.pk})
    body = client.get(url).content.decode()
    for name in ("csat", "nps"):  # the score selects (the maintenance part has selects of its own)
        block = body[body.index(f'name="{name}"') :]
        assert '<option value="" selected>' in block[: block.index("</select>")]
    assert "Not asked" in body
    response = client.post(url, {"comment": "", "confirm_open_tasks": "on"})
    assert response.status_code == 200 and response.content.decode().count("Choose a score") == 2
    smith.refresh_from_db()
    assert smith.status == Project.Status.ACTIVE


def test_T8_completing_with_open_tasks_asks_for_confirmation_naming_how_many(client, owner, smith):
    client.force_login(owner)
    url = reverse("projects:project_closeout", kwargs={"pk": smith.pk})
    assert "11 tasks are not done yet" in client.get(url).content.decode()
    response = client.post(url, {"csat": "5", "nps": "9", "comment": ""})
    assert response.status_code == 200 and "11 tasks are not done yet" in response.content.decode()
    smith.refresh_from_db()
    assert smith.status == Project.Status.ACTIVE and smith.csat is None

    response = client.post(url, {"csat": "not_asked", "nps": "9", "comment": "", "confirm_open_tasks": "on"})
    assert response.status_code == 302
    smith.refresh_from_db()
    assert (smith.status, smith.csat, smith.nps) == (Project.Status.COMPLETED, None, 9)
    assert "CSAT not asked" in client.get(smith.get_absolute_url()).content.decode()


def test_T8_a_project_with_every_task_done_completes_without_confirmation(owner, smith):
    Task.objects.filter(project=smith).update(status=Task.Status.DONE)
    services.project_close_out(project=smith, csat=4, nps=None, comment="")
    smith.refresh_from_db()
    assert (smith.status, smith.csat, smith.nps) == (Project.Status.COMPLETED, 4, None)


# --- T9 ----------------------------------------------------------------------------------------------------


def _at_risk(client) -> str:
    return client.get(reverse("projects:project_list") + "?at_risk=1").content.decode()


def test_T9_an_unfinished_june_project_is_behind_in_december(client, owner, smith, settings):
    # The status run replaced the interim "overdue" (docs/specs/one-schedule.md §1): the nightly refresh moves
    # the plan to today and flags what should have finished.
    settings.STATUS_DATE_SOURCE = "today"
    with time_machine.travel(DECEMBER, tick=False):
        assert projects_status_refresh() == 1
        client.force_login(owner)
        body = _at_risk(client)
    assert smith.name in body and ">behind<" in body


def test_T9_an_unfinished_task_that_should_have_finished_makes_the_project_behind(client, owner, settings):
    settings.STATUS_DATE_SOURCE = "today"
    with time_machine.travel(datetime(2026, 11, 30, 15, tzinfo=UTC), tick=False):
        project = services.project_create(
            data={"client": ClientFactory(), "name": "Running", "status": "active", "start_on": date(2026, 11, 30)}
        )
        short = services.task_create(project=project, data={"name": "Short", "duration_wd": 2})  # Nov 30 - Dec 1
        long = services.task_create(project=project, data={"name": "Long", "duration_wd": 30})
        services.task_progress_set(task=long, progress_pct=10)  # under way, so its start is not overdue
    with time_machine.travel(DECEMBER, tick=False):
        projects_status_refresh()
        client.force_login(owner)
        assert "Running" in _at_risk(client)
        services.task_status_set(task=short, status=Task.Status.DONE)
        assert "Running" not in _at_risk(client)


@pytest.mark.parametrize("status", [Project.Status.COMPLETED, Project.Status.CANCELLED])
def test_T9_completed_and_cancelled_projects_are_never_at_risk(client, owner, smith, status):
    services.baseline_save(project=smith, name="Agreed", actor=owner)
    services.project_update(project=smith, data={"deadline_on": date(2026, 6, 18)})  # late, negative float
    Project.objects.filter(pk=smith.pk).update(status=status, baseline_finish_on=date(2026, 6, 2), budget_hours=1)
    with time_machine.travel(DECEMBER, tick=False):
        client.force_login(owner)
        assert smith.name not in _at_risk(client)
        body = client.get(reverse("projects:project_list")).content.decode()
        detail = client.get(smith.get_absolute_url()).content.decode()
    assert smith.name in body
    for flag in ("behind", "start overdue", "negative float", "behind baseline", "over budget"):
        assert f">{flag}<" not in body
    assert ("working days behind" in detail) is (status == Project.Status.CANCELLED)


# --- T22 ---------------------------------------------------------------------------------------------------

MOVING_DAY_REASON = f"{NAMES['G']} starts after {NAMES['F']} finishes: move or unlink {NAMES['F']} first"


def test_T22_a_drag_the_schedule_overrides_is_answered_with_the_reason(client, owner, smith):
    client.force_login(owner)
    g = task_named(smith, NAMES["G"])  # Moving day, Tue Jun 16, after Pack essentials (FS)
    url = reverse("projects:gantt_task_update", kwargs={"pk": smith.pk, "task_pk": g.pk})
    response = client.post(url, {"start_on": "2026-06-11"})
    assert response.status_code == 200
    assert response.json()["notice"] == {"task": g.pk, "text": MOVING_DAY_REASON}
    row = next(r for r in response.json()["data"] if r["id"] == g.pk)
    assert row["start_date"] == "2026-06-16"

    # A move the schedule allows lands, and carries no notice.
    response = client.post(url, {"start_on": "2026-06-18"})
    assert response.status_code == 200 and "notice" not in response.json()


def test_T22_the_task_page_shows_the_same_reason(client, owner, smith):
    client.force_login(owner)
    g = task_named(smith, NAMES["G"])
    body = client.get(reverse("projects:task_edit", kwargs={"pk": smith.pk, "task_pk": g.pk})).content.decode()
    assert escape(MOVING_DAY_REASON) in body
    # The link into a phase drives the tasks inside it; links with a lag say so.
    i_task, d_task = task_named(smith, NAMES["I"]), task_named(smith, NAMES["D"])
    body = client.get(reverse("projects:task_edit", kwargs={"pk": smith.pk, "task_pk": d_task.pk})).content.decode()
    assert escape(f"{NAMES['D']} starts 2 working days after {NAMES['E']} finishes") in body
    body = client.get(reverse("projects:task_edit", kwargs={"pk": smith.pk, "task_pk": i_task.pk})).content.decode()
    assert escape(f"{NAMES['I']} starts after {NAMES['G']} finishes") in body
    phase = task_named(smith, NAMES["P2"])  # starts a day after the project, with the task inside it
    body = client.get(reverse("projects:task_edit", kwargs={"pk": smith.pk, "task_pk": phase.pk})).content.decode()
    assert escape(f"{NAMES['P2']} is a phase: its dates follow the tasks inside it") in body
