"""Project pages: list, visibility, money, forms, close-out, templates and the working calendar."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from projects import demo, services
from projects.forms import DEADLINE_BEFORE_START_MSG
from projects.models import Project, WorkCalendar
from tests.clients.factories import ClientFactory
from tests.support.projects import count_queries, plan_with

pytestmark = pytest.mark.django_db


def test_project_list_query_count_does_not_grow_with_projects(client, owner):
    client.force_login(owner)
    plan_with(10)
    few = count_queries(client, reverse("projects:project_list"))
    for _ in range(5):
        plan_with(10)
    assert count_queries(client, reverse("projects:project_list")) == few


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
    calm = plan_with(3)
    services.project_update(project=smith, data={"deadline_on": date(2026, 6, 18)})
    # On the plans' first day: later, both would also be overdue (docs/specs/defects.md T9).
    with time_machine.travel(datetime(2026, 6, 1, 12, tzinfo=UTC), tick=False):
        client.force_login(owner)
        body = client.get(reverse("projects:project_list") + "?at_risk=1").content.decode()
    assert smith.name in body and calm.name not in body and "negative float" in body


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
        reverse("projects:project_closeout", kwargs={"pk": smith.pk}),
        {"csat": "5", "nps": "10", "comment": "Great", "confirm_open_tasks": "on"},
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


def test_calendar_page_get_writes_nothing(client, owner):
    client.force_login(owner)
    response = client.get(reverse("projects:calendar_edit"))
    assert response.status_code == 200
    assert not WorkCalendar.objects.exists()  # the business calendar is created by its first save
    checked = response.context["form"].initial["workdays"]
    assert list(checked) == [0, 1, 2, 3, 4]
    client.post(reverse("projects:calendar_edit"), {"workdays": [0, 1, 2], "holidays": "2026-12-25 Christmas"})
    calendar = WorkCalendar.objects.get(is_default=True)
    assert calendar.workdays == [0, 1, 2] and calendar.holidays.get().name == "Christmas"
    initial = client.get(reverse("projects:calendar_edit")).context["form"].initial
    assert initial == {"workdays": [0, 1, 2], "holidays": "2026-12-25 Christmas"}
