"""T34 (docs/specs/defects.md): the task page offers session booking only to those who may book (office and
owner); a lead organizer, who may edit the plan, gets no link that answers 403."""

from __future__ import annotations

import pytest
from django.urls import reverse

from projects import demo
from tests.clients.factories import ClientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def leaf(organizer_a):
    project = demo.worked_example_create(client=ClientFactory(), lead=organizer_a)
    return project, project.tasks.filter(is_summary=False).order_by("wbs_code").first()


def _links(project, task):
    return (
        reverse("projects:session_book", args=[project.pk, task.pk]),
        reverse("projects:session_slots", args=[project.pk, task.pk]),
    )


def test_T34_a_lead_organizer_gets_no_booking_link_that_answers_403(client, organizer_a, leaf):
    project, task = leaf
    client.force_login(organizer_a)
    page = client.get(reverse("projects:task_edit", args=[project.pk, task.pk]))
    assert page.status_code == 200  # the lead edits the plan
    body = page.content.decode()
    for url in _links(project, task):
        assert url not in body
        assert client.get(url).status_code == 403  # booking stays the office's
    assert "Book a session" not in body and "Find slots" not in body


@pytest.mark.parametrize("role", ["owner", "office"])
def test_T34_staff_still_book_from_the_task_page(client, role, request, leaf):
    project, task = leaf
    client.force_login(request.getfixturevalue(role))
    body = client.get(reverse("projects:task_edit", args=[project.pk, task.pk])).content.decode()
    for url in _links(project, task):
        assert url in body
        assert client.get(url).status_code == 200
