"""Plan pages: the task table, task and link forms, baselines and time entries."""

from datetime import date

import pytest
from django.urls import reverse

from projects import services
from projects.forms import CONSTRAINT_NEEDS_DATE_MSG
from projects.models import Dependency, Task, TimeEntry
from tests.support.projects import count_queries, plan_with, smith_shared, task_named
from tests.support.shared_rows import fresh_copy

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def _smith_rows(django_db_setup, django_db_blocker):
    yield from smith_shared(django_db_blocker, status_date_source="override", with_organizer=True)


@pytest.fixture
def smith(_smith_rows, db):
    """The worked example, built once for this module (tests/support/projects.py)."""
    return fresh_copy(_smith_rows["smith"])


@pytest.fixture
def organizer_a(_smith_rows, db):
    """Organizer A, built with the example and assigned to "Moving day" (tests/projects/views/conftest.py)."""
    return fresh_copy(_smith_rows["organizer_a"])


@pytest.mark.parametrize("name", ["projects:project_detail", "projects:gantt_data", "projects:project_tasks"])
def test_query_count_does_not_grow_with_tasks(client, owner, name):
    client.force_login(owner)
    small, large = plan_with(10), plan_with(200)
    assert count_queries(client, reverse(name, kwargs={"pk": small.pk})) == count_queries(
        client, reverse(name, kwargs={"pk": large.pk})
    )


def test_task_table_explains_the_driving_predecessor(client, owner, smith):
    client.force_login(owner)
    body = client.get(reverse("projects:project_tasks", kwargs={"pk": smith.pk})).content.decode()
    assert "Order packing supplies (FS +2)" in body


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "duration_wd": 1}, "required"),
        ({"name": "T", "duration_wd": -2}, "greater than or equal to 0"),
        ({"name": "T", "duration_wd": 1, "constraint_kind": "SNET"}, CONSTRAINT_NEEDS_DATE_MSG),
        ({"name": "T", "duration_wd": 1, "progress_pct": 150}, "less than or equal to 100"),
        ({"name": "T", "duration_wd": 1, "constraint_kind": "XYZ", "constraint_on": "2026-06-02"}, "valid choice"),
    ],
)
def test_task_form_bad_input_saves_nothing(client, owner, smith, data, message):
    client.force_login(owner)
    before = Task.objects.count()
    base = {"estimate_hours": "0", "progress_pct": 0, "status": "todo"}
    response = client.post(reverse("projects:task_create", kwargs={"pk": smith.pk}), base | data)
    assert response.status_code == 200 and message in response.content.decode()
    assert Task.objects.count() == before


def test_task_cannot_be_moved_under_its_own_subtask(client, owner, smith):
    client.force_login(owner)
    phase = task_named(smith, "Planning")
    child = task_named(smith, "Book movers & vendors")
    data = {"name": "Planning", "parent": child.pk, "duration_wd": 0, "estimate_hours": "0", "progress_pct": 0,
            "status": "todo"}  # fmt: skip
    response = client.post(reverse("projects:task_edit", kwargs={"pk": smith.pk, "task_pk": phase.pk}), data)
    assert response.status_code == 200 and "under itself" in response.content.decode()
    phase.refresh_from_db()
    assert phase.parent is None


def test_dependency_form_refuses_a_cycle_with_a_message(client, owner, smith):
    client.force_login(owner)
    a = task_named(smith, "Walkthrough & inventory")
    k = task_named(smith, "Client sign-off")
    url = reverse("projects:dependency_create", kwargs={"pk": smith.pk, "task_pk": a.pk})
    response = client.post(url, {"pred": k.pk, "kind": "FS", "lag_wd": 0}, follow=True)
    assert "loop" in response.content.decode()
    assert not Dependency.objects.filter(pred=k, succ=a).exists()


def test_dependency_form_rejects_a_huge_lag(client, owner, smith):
    client.force_login(owner)
    a, b = task_named(smith, "Walkthrough & inventory"), task_named(smith, "Donation pickup")
    url = reverse("projects:dependency_create", kwargs={"pk": smith.pk, "task_pk": b.pk})
    response = client.post(url, {"pred": a.pk, "kind": "FS", "lag_wd": 9999}, follow=True)
    assert "less than or equal to 365" in response.content.decode()
    assert not Dependency.objects.filter(pred=a, succ=b).exists()


def test_baseline_save_and_variance_page(client, owner, smith):
    client.force_login(owner)
    response = client.post(reverse("projects:baseline_list", kwargs={"pk": smith.pk}), {"name": "Agreed"})
    assert response.status_code == 302
    services.task_reschedule(task=task_named(smith, "Moving day"), start_on=date(2026, 6, 18))
    page = client.get(response["Location"]).content.decode()
    assert "Agreed" in page


def test_baseline_form_requires_a_name(client, owner, smith):
    client.force_login(owner)
    response = client.post(reverse("projects:baseline_list", kwargs={"pk": smith.pk}), {"name": ""})
    assert response.status_code == 200 and not smith.baselines.exists()


def test_time_entry_by_assigned_organizer(client, organizer_a, smith):
    client.force_login(organizer_a)
    g = task_named(smith, "Moving day")
    response = client.post(
        reverse("projects:time_entries", kwargs={"pk": smith.pk}),
        {"task": g.pk, "organizer": organizer_a.pk, "worked_on": "2026-06-16", "hours": "2.5", "note": ""},
    )
    assert response.status_code == 302
    assert TimeEntry.objects.get().minutes == 150


@pytest.mark.parametrize(
    "change",
    [{"hours": "0"}, {"hours": "25"}, {"worked_on": "yesterday"}, {"task": "unassigned"}, {"organizer": "other"}],
)
def test_time_entry_bad_input_saves_nothing(client, organizer_a, organizer_b, smith, change):
    client.force_login(organizer_a)
    data = {"task": task_named(smith, "Moving day").pk, "organizer": organizer_a.pk, "worked_on": "2026-06-16",
            "hours": "1", "note": ""} | change  # fmt: skip
    if data["task"] == "unassigned":
        data["task"] = task_named(smith, "Walkthrough & inventory").pk
    if data["organizer"] == "other":
        data["organizer"] = organizer_b.pk
    response = client.post(reverse("projects:time_entries", kwargs={"pk": smith.pk}), data)
    assert response.status_code == 200
    assert not TimeEntry.objects.exists()


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [("gantt", "gantt"), ("https://evil.example/", "tasks"), ("//evil.example/x", "tasks"), ("", "tasks")],
)
def test_dependency_delete_follows_only_a_local_next(client, owner, smith, next_url, expected):
    client.force_login(owner)
    link = Dependency.objects.filter(project=smith).first()
    targets = {
        "gantt": reverse("projects:gantt", kwargs={"pk": smith.pk}),
        "tasks": reverse("projects:project_tasks", kwargs={"pk": smith.pk}),
    }
    url = reverse("projects:dependency_delete", kwargs={"pk": smith.pk, "dep_pk": link.pk})
    response = client.post(url, {"next": targets.get(next_url, next_url)})
    assert response.status_code == 302 and response["Location"] == targets[expected]
    assert not Dependency.objects.filter(pk=link.pk).exists()
