"""The demo shows the status run and the client timeline (docs/specs/one-schedule.md §1, §5)."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from projects.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_demo_plan_is_planned_as_of_today_and_the_client_timeline_shows_it(client):
    call_command("load_demo", stdout=io.StringIO())
    project = Project.objects.get(name="Smith home move", is_template=False)
    assert project.tasks.filter(is_behind=True).exists() and project.schedule_as_of is not None
    client.force_login(User.objects.get(email="owner@example.com"))
    detail = client.get(project.get_absolute_url()).content.decode()
    assert "Planned as of" in detail and "behind" in detail
    timeline = client.get(reverse("dashboard:client_timeline", kwargs={"pk": project.client_id})).content.decode()
    assert "Smith home move, active, forecast finish" in timeline
