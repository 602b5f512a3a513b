"""The status run stored on the rows, through the services (docs/specs/one-schedule.md §1, §6: OS1, OS2, OS4,
OS17), the status date's rules, the beat task, and the flags in words on the pages."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.conf import settings as django_settings
from django.urls import reverse

from projects import services
from projects.models import Project, Task
from projects.progress import STATUS_BEFORE_ACTUALS_MSG, projects_status_refresh
from projects.tasks import status_refresh
from tests.support.projects import smith_shared, worked_task
from tests.support.shared_rows import fresh_copy

pytestmark = pytest.mark.django_db
WED_0610_NOON = datetime(2026, 6, 10, 16, tzinfo=UTC)  # 12:00 EDT
THU_0611_0100 = datetime(2026, 6, 11, 5, tzinfo=UTC)  # 01:00 EDT: the first beat run after local midnight


@pytest.fixture(scope="module", autouse=True)
def _smith_rows(django_db_setup, django_db_blocker):
    yield from smith_shared(django_db_blocker, status_date_source="today")


@pytest.fixture
def smith(_smith_rows, db):
    """The worked example, built once for this module (tests/support/projects.py), planned as of today as
    `plan_as_of_today` sets for every test here."""
    return fresh_copy(_smith_rows["smith"])


@pytest.fixture(autouse=True)
def plan_as_of_today(settings):
    settings.STATUS_DATE_SOURCE = "today"


def record_os1_progress(smith):
    """Fixture W on Wed 06-10: A done (Mon 06-01 - Tue 06-02), E half done since Wed 06-03."""
    a, e = worked_task(smith, "A"), worked_task(smith, "E")
    services.task_update(
        task=a, data={"progress_pct": 100, "actual_start": date(2026, 6, 1), "actual_finish": date(2026, 6, 2)}
    )
    services.task_update(task=e, data={"progress_pct": 50, "actual_start": date(2026, 6, 3)})


@pytest.fixture
def os1(smith):
    with time_machine.travel(WED_0610_NOON, tick=False):
        record_os1_progress(smith)
    smith.refresh_from_db()
    return smith


def spans(project, keys):
    return {k: (worked_task(project, k).es, worked_task(project, k).ef) for k in keys}


def test_OS1_the_status_run_is_stored_on_the_rows(os1):
    assert os1.schedule_as_of == date(2026, 6, 10)
    assert os1.finish_on == date(2026, 6, 29)
    a, e, c, d = (worked_task(os1, k) for k in "AECD")
    assert (a.es, a.ef, a.total_float, a.free_float, a.is_critical) == (0, 2, None, None, False)
    assert (a.start_on, a.finish_on) == (date(2026, 6, 1), date(2026, 6, 2))
    assert (e.es, e.ef, e.total_float, e.is_critical) == (7, 8, 0, True)
    assert (e.start_on, e.finish_on) == (date(2026, 6, 3), date(2026, 6, 10))  # shown from its actual start
    assert (c.start_on, c.finish_on, c.total_float) == (date(2026, 6, 10), date(2026, 6, 15), 0)
    assert (d.start_on, d.finish_on) == (date(2026, 6, 15), date(2026, 6, 22))
    assert spans(os1, "BFHGIJK") == {
        "B": (7, 10), "F": (14, 16), "H": (11, 12), "G": (16, 17), "I": (17, 20), "J": (13, 17), "K": (20, 20),
    }  # fmt: skip
    p1 = worked_task(os1, "P1")
    assert (p1.total_float, p1.start_on) == (0, date(2026, 6, 1))


def test_OS2_a_deadline_makes_the_project_late_with_its_days(os1):
    with time_machine.travel(WED_0610_NOON, tick=False):
        services.project_update(project=os1, data={"deadline_on": date(2026, 6, 26)})
    os1.refresh_from_db()
    assert (os1.is_late, os1.late_by, os1.min_total_float) == (True, 1, -1)
    assert worked_task(os1, "K").total_float == -1 and worked_task(os1, "B").total_float == 5


def test_OS4_flags_are_stored_and_shown_in_words(client, owner, os1):
    flagged = {t.name: t for t in Task.objects.filter(project=os1, is_summary=False)}
    behind = {name for name, t in flagged.items() if t.is_behind}
    assert behind == {worked_task(os1, k).name for k in "BCEH"}
    assert [t.name for t in flagged.values() if t.is_start_overdue] == [worked_task(os1, "D").name]
    client.force_login(owner)
    table = client.get(reverse("projects:project_tasks", kwargs={"pk": os1.pk})).content.decode()
    assert ">behind<" in table and ">start overdue<" in table and "Planned as of Wed Jun 10, 2026" in table
    detail = client.get(os1.get_absolute_url()).content.decode()
    assert "4 tasks behind" in detail and "1 task start overdue" in detail
    gantt = client.get(reverse("projects:gantt_data", kwargs={"pk": os1.pk})).json()
    flags = {row["text"]: row["flags"] for row in gantt["data"]}
    assert flags[worked_task(os1, "D").name] == ["start overdue"] and gantt["project"]["as_of"] == "2026-06-10"


def test_OS4_the_project_list_says_late_and_behind(client, owner, os1):
    with time_machine.travel(WED_0610_NOON, tick=False):
        services.project_update(project=os1, data={"deadline_on": date(2026, 6, 26)})
    client.force_login(owner)
    body = client.get(reverse("projects:project_list") + "?at_risk=1").content.decode()
    assert os1.name in body and "late by 1 working day<" in body and ">behind<" in body


def test_OS17_the_plan_slides_by_itself_and_a_second_run_changes_nothing(os1):
    with time_machine.travel(THU_0611_0100, tick=False):
        assert status_refresh() == 1  # the beat task's body, in-process
        os1.refresh_from_db()
        assert os1.schedule_as_of == date(2026, 6, 11)
        assert spans(os1, "ECDFGIK") == {
            "E": (8, 9), "C": (8, 12), "D": (11, 16), "F": (15, 17), "G": (17, 18), "I": (18, 21), "K": (21, 21),
        }  # fmt: skip
        assert os1.finish_on == date(2026, 6, 30)
        assert projects_status_refresh() == 0


def test_OS17_closed_projects_templates_and_pinned_plans_are_left_alone(os1):
    services.project_update(project=os1, data={"status_date_override": date(2026, 6, 10)})
    with time_machine.travel(THU_0611_0100, tick=False):
        assert projects_status_refresh() == 0
    Project.objects.filter(pk=os1.pk).update(status=Project.Status.COMPLETED, status_date_override=None)
    with time_machine.travel(THU_0611_0100, tick=False):
        assert projects_status_refresh() == 0


def test_a_status_date_override_plans_as_of_that_day(smith):
    services.project_update(project=smith, data={"status_date_override": date(2026, 12, 1)})
    smith.refresh_from_db()
    assert smith.schedule_as_of == date(2026, 12, 1) and smith.finish_on == date(2026, 12, 21)  # OS3


def test_a_status_date_before_recorded_actuals_is_a_form_error(client, owner, os1):
    client.force_login(owner)
    url = reverse("projects:project_edit", kwargs={"pk": os1.pk})
    data = {
        "client": os1.client_id, "name": os1.name, "kind": os1.kind, "status": os1.status, "start_on": "2026-06-01",
        "deadline_on": "", "lead": "", "budget_hours": "120", "budget_amount": "9000", "scope_notes": "",
        "blackout_days": "", "status_date_override": "2026-06-02",
    }  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "The status date cannot be before work already recorded" in body and "Wed 2026-06-03" in body
    os1.refresh_from_db()
    assert os1.status_date_override is None and os1.schedule_as_of == date(2026, 6, 10)
    assert STATUS_BEFORE_ACTUALS_MSG.startswith("The status date")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"progress_pct": 50, "actual_start": date(2026, 5, 29)}, "actual_start", "before the project start"),
        (
            {"progress_pct": 100, "actual_start": date(2026, 6, 5), "actual_finish": date(2026, 6, 4)},
            "actual_finish",
            "before the actual start",
        ),
        ({"progress_pct": 50, "actual_start": date(2026, 6, 12)}, "actual_start", "after the status date"),
    ],
)
def test_bad_actual_dates_are_refused_and_nothing_is_written(smith, data, field, message):
    from django.core.exceptions import ValidationError

    task = worked_task(smith, "C")
    with time_machine.travel(WED_0610_NOON, tick=False), pytest.raises(ValidationError) as caught:
        services.task_update(task=task, data=data)
    assert message in " ".join(caught.value.message_dict[field])
    task.refresh_from_db()
    assert (task.progress_pct, task.actual_start, task.actual_finish) == (0, None, None)


def test_progress_fills_the_actual_dates_and_moves_the_plan(smith):
    task = worked_task(smith, "A")
    with time_machine.travel(WED_0610_NOON, tick=False):
        services.task_progress_set(task=task, progress_pct=100)
    task.refresh_from_db()
    assert (task.actual_start, task.actual_finish, task.total_float) == (date(2026, 6, 10), date(2026, 6, 10), None)
    with time_machine.travel(WED_0610_NOON, tick=False):
        services.task_status_set(task=task, status=Task.Status.DOING)
    task.refresh_from_db()
    assert task.actual_finish is None and task.total_float is not None


def test_settings_defaults_and_the_beat_entry():
    assert django_settings.STATUS_REFRESH_SECONDS == 3600
    entry = django_settings.CELERY_BEAT_SCHEDULE["projects-status-refresh"]
    assert entry["task"] == "projects.status_refresh" and entry["schedule"] == django_settings.STATUS_REFRESH_SECONDS


def test_status_date_source_override_keeps_the_plan_as_entered(settings, smith):
    settings.STATUS_DATE_SOURCE = "override"
    services.project_update(project=smith, data={"name": smith.name})
    smith.refresh_from_db()
    assert smith.schedule_as_of == date(2026, 6, 1) and smith.finish_on == date(2026, 6, 22)
    settings.STATUS_DATE_SOURCE = "today"
    with time_machine.travel(WED_0610_NOON, tick=False):
        services.project_update(project=smith, data={"name": smith.name})
    smith.refresh_from_db()
    assert smith.schedule_as_of == date(2026, 6, 10)


def test_the_task_form_refuses_an_actual_finish_before_the_start_and_saves_nothing(client, owner, smith):
    task = worked_task(smith, "C")
    client.force_login(owner)
    data = {
        "name": task.name, "parent": task.parent_id, "duration_wd": 4, "estimate_hours": "0", "progress_pct": 100,
        "status": "done", "actual_start": "2026-06-05", "actual_finish": "2026-06-04",
    }  # fmt: skip
    with time_machine.travel(WED_0610_NOON, tick=False):
        response = client.post(reverse("projects:task_edit", kwargs={"pk": smith.pk, "task_pk": task.pk}), data)
    assert response.status_code == 200 and "The actual finish cannot be before the actual start." in (
        response.content.decode()
    )
    task.refresh_from_db()
    assert (task.progress_pct, task.status, task.actual_start, task.actual_finish) == (0, "todo", None, None)


def test_the_task_table_and_a_refused_drag_name_the_status_date(client, owner, os1):
    from projects import explain

    client.force_login(owner)
    table = client.get(reverse("projects:project_tasks", kwargs={"pk": os1.pk})).content.decode()
    assert "the status date" in table and "its actual dates" in table
    c = explain.task_with_driver(worked_task(os1, "C"))  # held at Wed 06-10 by the status date, not by A
    assert explain.move_refusal(task=c, requested_on=date(2026, 6, 2)) == (
        f"{c.name} is not done, and unfinished work is planned from the status date (Wed Jun 10) on"
    )


def test_OS5_the_task_page_offers_to_mark_the_unstarted_predecessor_done(client, owner, smith):
    c = worked_task(smith, "C")
    with time_machine.travel(WED_0610_NOON, tick=False):
        services.task_update(
            task=c, data={"progress_pct": 100, "actual_start": date(2026, 6, 2), "actual_finish": date(2026, 6, 5)}
        )
    c.refresh_from_db()
    assert c.is_out_of_sequence and (c.es, c.ef) == (1, 5)
    client.force_login(owner)
    with time_machine.travel(WED_0610_NOON, tick=False):
        body = client.get(reverse("projects:task_edit", kwargs={"pk": smith.pk, "task_pk": c.pk})).content.decode()
    a = worked_task(smith, "A")
    assert "Out of sequence" in body and f"edit “{a.name}”" in body.replace("&amp;", "&")
    assert reverse("projects:task_edit", kwargs={"pk": smith.pk, "task_pk": a.pk}) in body
