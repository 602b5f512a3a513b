from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects import demo, planning, services
from projects.forms import CONSTRAINT_NEEDS_DATE_MSG, DEADLINE_BEFORE_START_MSG
from projects.models import Dependency, Project, Task, TimeEntry
from tests.clients.factories import ClientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def smith(organizer_a):
    project = demo.worked_example_create(client=ClientFactory(), lead=None)
    Task.objects.get(project=project, name="Moving day").assignees.add(organizer_a)
    return project


def task(project, name):
    return Task.objects.get(project=project, name=name)


def plan_with(n_tasks):
    project = services.project_create(
        data={"client": ClientFactory(), "name": f"Plan {n_tasks}", "start_on": date(2026, 6, 1), "deadline_on": None}
    )
    phase = services.task_create(project=project, data={"name": "Phase", "duration_wd": 0})
    previous = None
    tasks = [
        Task(project=project, parent=phase, name=f"T{i}", duration_wd=1 + i % 3, position=i) for i in range(n_tasks)
    ]
    Task.objects.bulk_create(tasks)
    deps = []
    for t in tasks:
        if previous is not None:
            deps.append(Dependency(project=project, pred=previous, succ=t))
        previous = t
    Dependency.objects.bulk_create(deps)
    planning.project_schedule_recalculate(project=project)
    services.baseline_save(project=project, name="B", actor=None)
    return project


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx)


@pytest.mark.parametrize("name", ["projects:project_detail", "projects:gantt_data", "projects:project_tasks"])
def test_query_count_does_not_grow_with_tasks(client, owner, name):
    client.force_login(owner)
    small, large = plan_with(10), plan_with(200)
    assert count_queries(client, reverse(name, kwargs={"pk": small.pk})) == count_queries(
        client, reverse(name, kwargs={"pk": large.pk})
    )


def test_project_list_query_count_does_not_grow_with_projects(client, owner):
    client.force_login(owner)
    plan_with(10)
    few = count_queries(client, reverse("projects:project_list"))
    for _ in range(5):
        plan_with(10)
    assert count_queries(client, reverse("projects:project_list")) == few


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
    g = task(smith, "Moving day")
    url = reverse("projects:gantt_task_update", kwargs={"pk": smith.pk, "task_pk": g.pk})
    payload = client.post(url, {"start_on": "2026-06-18"}).json()
    unpack = next(r for r in payload["data"] if r["text"] == "Unpack & set up")
    assert unpack["start_date"] == "2026-06-22"


def test_gantt_cycle_link_is_refused_with_400_and_nothing_changes(client, owner, smith):
    client.force_login(owner)
    before = Dependency.objects.count()
    response = client.post(
        reverse("projects:gantt_link_create", kwargs={"pk": smith.pk}),
        {"source": task(smith, "Client sign-off").pk, "target": task(smith, "Walkthrough & inventory").pk, "type": "0"},
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
            "source": task(smith, "Moving day").pk,
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
    g = task(smith, "Moving day")
    response = client.post(reverse("projects:gantt_task_update", kwargs={"pk": smith.pk, "task_pk": g.pk}), data)
    assert response.status_code == status and response.json()["error"]
    g.refresh_from_db()
    assert (g.duration_wd, g.constraint_kind, g.progress_pct) == (1, "", 0)


def test_kanban_move_by_assigned_organizer(client, organizer_a, smith):
    client.force_login(organizer_a)
    g = task(smith, "Moving day")
    response = client.post(
        reverse("projects:kanban_move", kwargs={"pk": smith.pk, "task_pk": g.pk}), {"status": "done"}
    )
    assert response.status_code == 200 and response.json()["counts"]["done"] == 1
    g.refresh_from_db()
    assert (g.status, g.progress_pct) == ("done", 100)


def test_kanban_move_of_an_unassigned_task_is_forbidden_to_an_organizer(client, organizer_a, smith):
    client.force_login(organizer_a)
    a = task(smith, "Walkthrough & inventory")
    response = client.post(
        reverse("projects:kanban_move", kwargs={"pk": smith.pk, "task_pk": a.pk}), {"status": "done"}
    )
    assert response.status_code == 403
    a.refresh_from_db()
    assert a.status == "todo"


def test_organizer_sees_projects_they_lead_or_work_on_only(client, organizer_a, organizer_b, smith):
    led = services.project_create(
        data={"client": ClientFactory(), "name": "Led by B", "start_on": date(2026, 6, 1), "lead": organizer_b}
    )
    client.force_login(organizer_a)
    body = client.get(reverse("projects:project_list")).content.decode()
    assert smith.name in body and led.name not in body
    client.force_login(organizer_b)
    body = client.get(reverse("projects:project_list")).content.decode()
    assert led.name in body and smith.name not in body


def test_lead_organizer_edits_the_plan(client, organizer_b):
    project = services.project_create(
        data={"client": ClientFactory(), "name": "Led", "start_on": date(2026, 6, 1), "lead": organizer_b}
    )
    client.force_login(organizer_b)
    response = client.post(
        reverse("projects:task_create", kwargs={"pk": project.pk}),
        {"name": "Sort", "duration_wd": 2, "estimate_hours": "4", "progress_pct": 0, "status": "todo"},
    )
    assert response.status_code == 302 and project.tasks.filter(name="Sort").exists()


def test_money_is_shown_to_the_owner_only(client, owner, office, smith):
    url = reverse("projects:project_detail", kwargs={"pk": smith.pk})
    client.force_login(owner)
    assert "Labour cost" in client.get(url).content.decode()
    client.force_login(office)
    body = client.get(url).content.decode()
    assert "Labour cost" not in body and "9000" not in body
    assert "budget_amount" not in client.get(reverse("projects:project_edit", kwargs={"pk": smith.pk})).content.decode()


def test_at_risk_filter(client, owner, smith):
    client.force_login(owner)
    calm = plan_with(3)
    services.project_update(project=smith, data={"deadline_on": date(2026, 6, 18)})
    body = client.get(reverse("projects:project_list") + "?at_risk=1").content.decode()
    assert smith.name in body and calm.name not in body and "negative float" in body


# --- forms and bad input --------------------------------------------------------------------------------


def project_data(**extra):
    return {"client": ClientFactory().pk, "name": "Garage", "kind": "garage", "status": "planned",
            "start_on": "2026-07-01", "deadline_on": "", "lead": "", "budget_hours": "10", "budget_amount": "500",
            "scope_notes": "", "blackout_days": ""} | extra  # fmt: skip


def test_project_create_saves(client, owner):
    client.force_login(owner)
    response = client.post(reverse("projects:project_create"), project_data(blackout_days="2026-07-03"))
    project = Project.objects.get(name="Garage")
    assert response.status_code == 302 and project.blackout_days == [date(2026, 7, 3)]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"start_on": ""}, "required"),
        ({"deadline_on": "2026-06-01"}, DEADLINE_BEFORE_START_MSG),
        ({"budget_hours": "-1"}, "greater than or equal to 0"),
        ({"blackout_days": "July 3"}, "YYYY-MM-DD"),
        ({"name": "x" * 201}, "at most 200"),
        ({"client": "999999"}, "valid choice"),
    ],
)
def test_project_form_bad_input_saves_nothing(client, owner, extra, message):
    client.force_login(owner)
    response = client.post(reverse("projects:project_create"), project_data(**extra))
    assert response.status_code == 200 and message in response.content.decode()
    assert not Project.objects.filter(is_template=False).exists()


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
    phase = task(smith, "Planning")
    child = task(smith, "Book movers & vendors")
    data = {"name": "Planning", "parent": child.pk, "duration_wd": 0, "estimate_hours": "0", "progress_pct": 0,
            "status": "todo"}  # fmt: skip
    response = client.post(reverse("projects:task_edit", kwargs={"pk": smith.pk, "task_pk": phase.pk}), data)
    assert response.status_code == 200 and "under itself" in response.content.decode()
    phase.refresh_from_db()
    assert phase.parent is None


def test_dependency_form_refuses_a_cycle_with_a_message(client, owner, smith):
    client.force_login(owner)
    a = task(smith, "Walkthrough & inventory")
    k = task(smith, "Client sign-off")
    url = reverse("projects:dependency_create", kwargs={"pk": smith.pk, "task_pk": a.pk})
    response = client.post(url, {"pred": k.pk, "kind": "FS", "lag_wd": 0}, follow=True)
    assert "loop" in response.content.decode()
    assert not Dependency.objects.filter(pred=k, succ=a).exists()


def test_dependency_form_rejects_a_huge_lag(client, owner, smith):
    client.force_login(owner)
    a, b = task(smith, "Walkthrough & inventory"), task(smith, "Donation pickup")
    url = reverse("projects:dependency_create", kwargs={"pk": smith.pk, "task_pk": b.pk})
    response = client.post(url, {"pred": a.pk, "kind": "FS", "lag_wd": 9999}, follow=True)
    assert "less than or equal to 365" in response.content.decode()
    assert not Dependency.objects.filter(pred=a, succ=b).exists()


def test_time_entry_by_assigned_organizer(client, organizer_a, smith):
    client.force_login(organizer_a)
    g = task(smith, "Moving day")
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
    data = {"task": task(smith, "Moving day").pk, "organizer": organizer_a.pk, "worked_on": "2026-06-16",
            "hours": "1", "note": ""} | change  # fmt: skip
    if data["task"] == "unassigned":
        data["task"] = task(smith, "Walkthrough & inventory").pk
    if data["organizer"] == "other":
        data["organizer"] = organizer_b.pk
    response = client.post(reverse("projects:time_entries", kwargs={"pk": smith.pk}), data)
    assert response.status_code == 200
    assert not TimeEntry.objects.exists()


@pytest.mark.parametrize("data", [{"csat": "6", "nps": "5"}, {"csat": "3", "nps": "11"}, {"csat": "", "nps": ""}])
def test_closeout_form_bad_input(client, owner, smith, data):
    client.force_login(owner)
    response = client.post(reverse("projects:project_closeout", kwargs={"pk": smith.pk}), data)
    assert response.status_code == 200
    smith.refresh_from_db()
    assert smith.status == "active" and smith.csat is None


def test_closeout_completes(client, owner, smith):
    client.force_login(owner)
    response = client.post(
        reverse("projects:project_closeout", kwargs={"pk": smith.pk}), {"csat": "5", "nps": "10", "comment": "Great"}
    )
    assert response.status_code == 302
    smith.refresh_from_db()
    assert (smith.status, smith.csat, smith.nps) == ("completed", 5, 10)


def test_start_from_template(client, owner):
    demo.templates_create()
    template = Project.objects.get(is_template=True, name="Garage reset")
    client.force_login(owner)
    response = client.post(
        reverse("projects:project_from_template"),
        {"template": template.pk, "client": ClientFactory().pk, "name": "Lee garage", "start_on": "2026-08-03"},
    )
    project = Project.objects.get(name="Lee garage")
    assert response.status_code == 302 and project.tasks.count() == 6 and project.start_on == date(2026, 8, 3)
    assert project.dependencies.count() == template.dependencies.count()


@pytest.mark.parametrize(
    "data", [{"template": "", "client": "", "name": "", "start_on": ""}, {"start_on": "31/12/2026"}]
)
def test_from_template_bad_input(client, owner, data):
    demo.templates_create()
    client.force_login(owner)
    before = Project.objects.count()
    response = client.post(reverse("projects:project_from_template"), data)
    assert response.status_code == 200 and Project.objects.count() == before


def test_calendar_edit_reschedules(client, owner, smith):
    client.force_login(owner)
    response = client.post(reverse("projects:calendar_edit"), {"workdays": [0, 1, 2, 3, 4], "holidays": ""})
    assert response.status_code == 302
    smith.refresh_from_db()
    assert smith.finish_on == date(2026, 6, 19)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"workdays": [], "holidays": ""}, "required"),
        ({"workdays": [0], "holidays": "Christmas 2026-12-25"}, "Line 1"),
        ({"workdays": [0], "holidays": "2026-12-25 X\n2026-12-25 Y"}, "listed twice"),
        ({"workdays": [9], "holidays": ""}, "valid choice"),
    ],
)
def test_calendar_form_bad_input(client, owner, smith, data, message):
    client.force_login(owner)
    response = client.post(reverse("projects:calendar_edit"), data)
    assert response.status_code == 200 and message in response.content.decode()
    smith.refresh_from_db()
    assert smith.finish_on == date(2026, 6, 22)


def test_baseline_save_and_variance_page(client, owner, smith):
    client.force_login(owner)
    response = client.post(reverse("projects:baseline_list", kwargs={"pk": smith.pk}), {"name": "Agreed"})
    assert response.status_code == 302
    services.task_reschedule(task=task(smith, "Moving day"), start_on=date(2026, 6, 18))
    page = client.get(response["Location"]).content.decode()
    assert "Agreed" in page


def test_baseline_form_requires_a_name(client, owner, smith):
    client.force_login(owner)
    response = client.post(reverse("projects:baseline_list", kwargs={"pk": smith.pk}), {"name": ""})
    assert response.status_code == 200 and not smith.baselines.exists()


def test_task_table_explains_the_driving_predecessor(client, owner, smith):
    client.force_login(owner)
    body = client.get(reverse("projects:project_tasks", kwargs={"pk": smith.pk})).content.decode()
    assert "Order packing supplies (FS +2)" in body
