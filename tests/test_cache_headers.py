"""T14: nothing a signed-in user is shown may be kept by a browser or proxy cache (docs/specs/security.md).

A representative set of HTML and JSON pages for each staff role; public pages and static files keep their
own headers.
"""

import pytest
from django.urls import reverse

from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def urls(client_a, organizer_a):
    """Pages every staff role can open: the organizer's own client and project, so all of them answer 200."""
    project = ProjectFactory(client=client_a, lead=organizer_a)
    return [
        reverse("dashboard:home"),
        reverse("clients:client_list"),
        reverse("clients:client_detail", kwargs={"pk": client_a.pk}),
        reverse("operations:calendar_events") + "?start=2027-03-01T00:00:00Z&end=2027-03-08T00:00:00Z",
        reverse("projects:project_detail", kwargs={"pk": project.pk}),
        reverse("projects:gantt_data", kwargs={"pk": project.pk}),
        reverse("operations:inventory_list"),
        reverse("operations:my_day"),
    ]


@pytest.mark.parametrize("role", ["owner", "office", "organizer"])
def test_T14_signed_in_html_and_json_are_never_stored(client, users, urls, role):
    client.force_login(users[role])
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 403), url  # 403: a page this role may not open; not stored either
        assert "no-store" in response.get("Cache-Control", ""), url


def test_T14_at_least_json_and_html_were_checked_for_the_organizer(client, users, urls):
    """Guards the test above: the organizer really opens the JSON endpoints, not only 403s."""
    client.force_login(users["organizer"])
    responses = [client.get(url) for url in urls]
    kinds = {response["Content-Type"].split(";")[0] for response in responses if response.status_code == 200}
    assert kinds == {"text/html", "application/json"}


def test_T14_the_login_redirect_is_not_stored_either(client, users, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    users["office"].set_password("correct-horse-battery-staple-42")
    users["office"].save()
    response = client.post(
        reverse("account_login"), {"login": users["office"].email, "password": "correct-horse-battery-staple-42"}
    )
    assert response.status_code == 302
    assert "no-store" in response["Cache-Control"]
