"""Writes for a task's checklist: the steps every session of the task shows and organizers tick on site
(docs/specs/one-schedule.md §2.2). Staff and the project's lead edit it from the task; ticking is
`services.checklist_toggle`.

Each write locks the task row first, so two people editing the same list at once keep positions 0..n-1 without
gaps or repeats.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from projects.models import Project, Task, TaskChecklistItem

MAX_ITEMS = 50
SUMMARY_MSG = "A phase has no checklist of its own: add the steps to its tasks."
CLOSED_MSG = "This project is closed: its checklists can no longer change."
EMPTY_MSG = "Write the step, e.g. “Label the donation boxes”."
TOO_LONG_MSG = "Keep a step under %(limit)d characters (this one has %(length)d)."
DUPLICATE_MSG = "“%(text)s” is already on this checklist."
FULL_MSG = "A task holds at most %(limit)d steps; split the task or merge steps."
MOVES = {"up": -1, "down": 1}


def _locked(task: Task) -> list[TaskChecklistItem]:
    """Lock the task (the list's owner) and return its items in order."""
    locked = Task.objects.select_for_update().select_related("project").get(pk=task.pk)
    if locked.is_summary:
        raise ValidationError(SUMMARY_MSG, code="summary")
    if locked.project.status in Project.CLOSED_STATUSES:
        raise ValidationError(CLOSED_MSG, code="closed")
    return list(TaskChecklistItem.objects.filter(task=locked).order_by("position", "pk"))


def _clean_text(text: str, items: list[TaskChecklistItem], *, editing: TaskChecklistItem | None = None) -> str:
    text = " ".join(text.split())
    limit = TaskChecklistItem._meta.get_field("text").max_length or 200
    if not text:
        raise ValidationError({"text": ValidationError(EMPTY_MSG, code="empty")})
    if len(text) > limit:
        error = ValidationError(TOO_LONG_MSG, code="too_long", params={"limit": limit, "length": len(text)})
        raise ValidationError({"text": error})
    if any(i.text.casefold() == text.casefold() and i.pk != getattr(editing, "pk", None) for i in items):
        raise ValidationError({"text": ValidationError(DUPLICATE_MSG, code="duplicate", params={"text": text})})
    return text


def _renumber(items: list[TaskChecklistItem]) -> None:
    changed = []
    for position, item in enumerate(items):
        if item.position != position:
            item.position = position
            changed.append(item)
    TaskChecklistItem.objects.bulk_update(changed, ["position"])


@transaction.atomic
def checklist_item_add(*, task: Task, text: str) -> TaskChecklistItem:
    """Add a step at the end of the task's checklist."""
    items = _locked(task)
    text = _clean_text(text, items)
    if len(items) >= MAX_ITEMS:
        raise ValidationError(FULL_MSG, code="full", params={"limit": MAX_ITEMS})
    _renumber(items)
    return TaskChecklistItem.objects.create(task=task, text=text, position=len(items))


@transaction.atomic
def checklist_item_rename(*, item: TaskChecklistItem, text: str) -> TaskChecklistItem:
    """Reword a step; a tick already given stays (the step is the same step, better worded)."""
    items = _locked(item.task)
    item.text = _clean_text(text, items, editing=item)
    item.save(update_fields=["text"])
    return item


@transaction.atomic
def checklist_item_remove(*, item: TaskChecklistItem) -> None:
    items = _locked(item.task)
    gone = item.pk
    item.delete()  # clears item.pk
    _renumber([i for i in items if i.pk != gone])


@transaction.atomic
def checklist_item_move(*, item: TaskChecklistItem, direction: str) -> None:
    """Move a step one place up or down; at either end nothing changes."""
    items = _locked(item.task)
    index = next(n for n, i in enumerate(items) if i.pk == item.pk)
    target = index + MOVES[direction]
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
    _renumber(items)
