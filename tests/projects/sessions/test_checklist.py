"""Editing a task's checklist (docs/specs/one-schedule.md §2.2, OS18) and copying it with the project (T40)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects import services as project_services
from projects.models import Project, Task, TaskChecklistItem
from projects.sessions import checklist, services
from tests.clients.factories import ClientFactory


def _texts(task: Task) -> list[str]:
    return list(TaskChecklistItem.objects.filter(task=task).order_by("position", "pk").values_list("text", flat=True))


def _positions(task: Task) -> list[int]:
    return list(
        TaskChecklistItem.objects.filter(task=task).order_by("position", "pk").values_list("position", flat=True)
    )


def test_OS18_add_reword_move_and_remove_steps(w):
    task = w.t["C"]
    for text in ("Sort the closet", "  Label   the boxes ", "Drop off donations"):
        checklist.checklist_item_add(task=task, text=text)
    assert _texts(task) == ["Sort the closet", "Label the boxes", "Drop off donations"]
    label = TaskChecklistItem.objects.get(task=task, text="Label the boxes")
    services.checklist_toggle(item=label, actor=w.olivia, done=True)
    checklist.checklist_item_rename(item=label, text="Label the boxes by room")
    label.refresh_from_db()
    assert (label.text, label.done_by) == ("Label the boxes by room", w.olivia)  # a reworded step stays ticked
    checklist.checklist_item_move(item=label, direction="up")
    assert _texts(task) == ["Label the boxes by room", "Sort the closet", "Drop off donations"]
    checklist.checklist_item_move(item=TaskChecklistItem.objects.get(task=task, position=0), direction="up")
    assert _texts(task)[0] == "Label the boxes by room"  # the first step cannot go higher
    checklist.checklist_item_rename(
        item=TaskChecklistItem.objects.get(task=task, position=2), text="Drop off at Goodwill"
    )
    checklist.checklist_item_remove(item=TaskChecklistItem.objects.get(task=task, text="Sort the closet"))
    assert (_texts(task), _positions(task)) == (["Label the boxes by room", "Drop off at Goodwill"], [0, 1])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("   ", "Write the step"),
        ("x" * 201, "under 200 characters (this one has 201)"),
        ("sort the CLOSET", "“sort the CLOSET” is already on this checklist."),
    ],
)
def test_OS18_bad_steps_are_refused_and_nothing_is_written(w, text, message):
    task = w.t["C"]
    checklist.checklist_item_add(task=task, text="Sort the closet")
    with pytest.raises(ValidationError) as err:
        checklist.checklist_item_add(task=task, text=text)
    assert message in " ".join(err.value.messages)
    assert _texts(task) == ["Sort the closet"]


def test_OS18_phases_closed_projects_and_full_lists_take_no_steps(w):
    summary = Task.objects.filter(project=w.project, is_summary=True).first()
    if summary is not None:
        with pytest.raises(ValidationError, match="phase"):
            checklist.checklist_item_add(task=summary, text="Anything")
    task = w.t["D"]
    for n in range(checklist.MAX_ITEMS):
        TaskChecklistItem.objects.create(task=task, text=f"Step {n}", position=n)
    with pytest.raises(ValidationError, match="at most 50 steps"):
        checklist.checklist_item_add(task=task, text="One too many")
    Project.objects.filter(pk=w.project.pk).update(status=Project.Status.COMPLETED)
    with pytest.raises(ValidationError, match="closed"):
        checklist.checklist_item_add(task=w.t["C"], text="Late step")
    assert TaskChecklistItem.objects.filter(task=w.t["C"]).count() == 0


def test_OS18_the_page_adds_a_step_and_keeps_a_refused_one_as_typed(w, client):
    client.force_login(w.priya)
    url = reverse("projects:task_checklist", args=[w.project.pk, w.t["C"].pk])
    assert client.post(url, {"action": "add", "text": "Sort the closet"})["Location"] == url
    refused = client.post(url, {"action": "add", "text": "x" * 230})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "under 200 characters (this one has 230)" in page and 'value="' + "x" * 230 + '"' in page
    item = TaskChecklistItem.objects.get(task=w.t["C"])
    reworded = client.post(url, {"action": "rename", "item": item.pk, "text": ""})
    assert reworded.status_code == 400 and "Write the step" in reworded.content.decode()
    assert client.post(url, {"action": "remove"}).status_code == 400  # which step?
    other = TaskChecklistItem.objects.create(task=w.t["D"], text="Someone else's", position=0)
    assert client.post(url, {"action": "remove", "item": other.pk}).status_code == 404
    assert client.post(url, {"action": "explode", "item": item.pk}).status_code == 400
    assert _texts(w.t["C"]) == ["Sort the closet"] and _texts(w.t["D"]) == ["Someone else's"]
    edit = client.get(reverse("projects:task_edit", args=[w.project.pk, w.t["C"].pk])).content.decode()
    assert "Sort the closet" in edit and "Edit steps" in edit


def test_OS18_the_lead_organizer_may_edit_and_other_organizers_may_not(w, client):
    url = reverse("projects:task_checklist", args=[w.project.pk, w.t["C"].pk])
    client.force_login(w.olivia)
    assert client.get(url).status_code == 403
    Project.objects.filter(pk=w.project.pk).update(lead=w.olivia)
    assert client.get(url).status_code == 200


def test_T40_a_project_copy_keeps_on_site_flags_and_the_checklists_unticked(w):
    checklist.checklist_item_add(task=w.t["C"], text="Sort the closet")
    item = checklist.checklist_item_add(task=w.t["C"], text="Label the boxes")
    TaskChecklistItem.objects.filter(pk=item.pk).update(done_by=w.olivia)
    copy = project_services.project_copy(
        source=w.project, name="Copy", start_on=w.project.start_on, client=ClientFactory(), as_template=False
    )
    copied = {t.name: t for t in Task.objects.filter(project=copy)}
    assert copied[w.t["B"].name].on_site is False  # B is off-site work in fixture W
    assert _texts(copied[w.t["C"].name]) == ["Sort the closet", "Label the boxes"]
    assert not TaskChecklistItem.objects.filter(task__project=copy, done_by__isnull=False).exists()
