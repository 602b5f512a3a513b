"""Two people editing one task's checklist at once (docs/specs/one-schedule.md §2.2, OS18): real concurrent
transactions on PostgreSQL. In its own module: it commits, so it cannot share fixture W's module rows."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection

from projects.models import TaskChecklistItem
from projects.sessions import checklist
from tests.projects.sessions import world as w_world


@pytest.mark.django_db(transaction=True)
def test_OS18_two_people_adding_at_once_get_distinct_positions():
    w = w_world.build()
    task = w.t["C"]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def add(text: str) -> None:
        try:
            barrier.wait(timeout=10)
            checklist.checklist_item_add(task=task, text=text)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=add, args=(t,)) for t in ("First", "Second")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    rows = TaskChecklistItem.objects.filter(task=task).order_by("position")
    assert sorted(rows.values_list("text", flat=True)) == ["First", "Second"]
    assert list(rows.values_list("position", flat=True)) == [0, 1]
