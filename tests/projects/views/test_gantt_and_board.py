"""The Gantt's JSON endpoints and the Kanban board: every answer is the server's schedule."""

import pytest
from django.urls import reverse

from projects.models import Dependency
from tests.support.projects import plan_with, smith_shared, task_named
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


def test_gantt_payload_has_every_task_and_the_critical_ones(client, owner, smith):
    client.force_login(owner)
    payload = client.get(reverse("projects:gantt_data", kwargs={"pk": smith.pk})).json()
    assert len(payload["data"]) == 14
    critical = {row["text"] for row in payload["data"] if row["is_critical"] and row["type"] != "project"}
    assert critical == {"Walkthrough & inventory", "Order packing supplies", "Pack non-essentials",
                        "Pack essentials", "Moving day", "Unpack & set up", "Client sign-off"}  # fmt: skip
    k = next(r for r in payload["data"] if r["text"] == "Client sign-off")
    assert (k["type"], k["start_date"], k["end_date"]) == ("milestone", "2026-06-22", "2026-06-22")
    i = next(r for r in payload["data"] if r["text"] == "Unpack & set up")
    assert (i["start_date"], i["end_date"]) == ("2026-06-17", "2026-06-23")  # end is exclusive
    assert {link["type"] for link in payload["links"]} == {"0", "1", "2", "3"}
    assert payload["project"]["holidays"] == ["2026-06-19"]


def test_gantt_move_answers_with_the_new_schedule(client, owner, smith):
    client.force_login(owner)
    g = task_named(smith, "Moving day")
    url = reverse("projects:gantt_task_update", kwargs={"pk": smith.pk, "task_pk": g.pk})
    payload = client.post(url, {"start_on": "2026-06-18"}).json()
    unpack = next(r for r in payload["data"] if r["text"] == "Unpack & set up")
    assert unpack["start_date"] == "2026-06-22"


def test_gantt_cycle_link_is_refused_with_400_and_nothing_changes(client, owner, smith):
    client.force_login(owner)
    before = Dependency.objects.count()
    response = client.post(
        reverse("projects:gantt_link_create", kwargs={"pk": smith.pk}),
        {
            "source": task_named(smith, "Client sign-off").pk,
            "target": task_named(smith, "Walkthrough & inventory").pk,
            "type": "0",
        },
    )
    assert response.status_code == 400
    assert "loop" in response.json()["error"]
    assert Dependency.objects.count() == before


def test_gantt_link_to_a_task_of_another_project_is_404(client, owner, smith):
    other = plan_with(2)
    client.force_login(owner)
    response = client.post(
        reverse("projects:gantt_link_create", kwargs={"pk": smith.pk}),
        {
            "source": task_named(smith, "Moving day").pk,
            "target": other.tasks.filter(is_summary=False).first().pk,
            "type": "0",
        },
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("data", "status"),
    [({"duration_wd": "-1"}, 400), ({"start_on": "not a date"}, 400), ({"progress_pct": "101"}, 400)],
)
def test_gantt_task_update_bad_input_changes_nothing(client, owner, smith, data, status):
    client.force_login(owner)
    g = task_named(smith, "Moving day")
    response = client.post(reverse("projects:gantt_task_update", kwargs={"pk": smith.pk, "task_pk": g.pk}), data)
    assert response.status_code == status and response.json()["error"]
    g.refresh_from_db()
    assert (g.duration_wd, g.constraint_kind, g.progress_pct) == (1, "", 0)


def test_kanban_move_by_assigned_organizer(client, organizer_a, smith):
    client.force_login(organizer_a)
    g = task_named(smith, "Moving day")
    response = client.post(
        reverse("projects:kanban_move", kwargs={"pk": smith.pk, "task_pk": g.pk}), {"status": "done"}
    )
    assert response.status_code == 200 and response.json()["counts"]["done"] == 1
    g.refresh_from_db()
    assert (g.status, g.progress_pct) == ("done", 100)


def test_kanban_move_of_an_unassigned_task_is_forbidden_to_an_organizer(client, organizer_a, smith):
    client.force_login(organizer_a)
    a = task_named(smith, "Walkthrough & inventory")
    response = client.post(
        reverse("projects:kanban_move", kwargs={"pk": smith.pk, "task_pk": a.pk}), {"status": "done"}
    )
    assert response.status_code == 403
    a.refresh_from_db()
    assert a.status == "todo"
