"""Edits of a plan through projects.services: each recalculates the schedule, and a refused one changes nothing."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from projects import services
from projects.models import Dependency, Task
from tests.support.projects import smith_shared, worked_task
from tests.support.shared_rows import fresh_copy

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def _smith_rows(django_db_setup, django_db_blocker):
    yield from smith_shared(django_db_blocker, status_date_source="override")


@pytest.fixture
def smith(_smith_rows, db):
    """The worked example, built once for this module (tests/support/projects.py)."""
    return fresh_copy(_smith_rows["smith"])


def test_example_3_cycle_is_refused_and_nothing_changes(smith):
    before = Dependency.objects.filter(project=smith).count()
    with pytest.raises(ValidationError) as exc:
        services.dependency_add(pred=worked_task(smith, "K"), succ=worked_task(smith, "A"))
    assert exc.value.code == "cycle"
    assert "Client sign-off" in exc.value.messages[0] and "Walkthrough" in exc.value.messages[0]
    assert Dependency.objects.filter(project=smith).count() == before


def test_example_4_summary_link_is_refused_with_a_hint(smith):
    with pytest.raises(ValidationError) as exc:
        services.dependency_add(pred=worked_task(smith, "P2"), succ=worked_task(smith, "K"), kind="SS")
    assert exc.value.code == "invalid_link"
    assert "Declutter & pack" in exc.value.messages[0] and "milestone" in exc.value.messages[0]
    assert not Dependency.objects.filter(pred=worked_task(smith, "P2")).exists()


def test_deleting_the_holiday_moves_the_finish(smith):
    services.calendar_update(calendar=smith.calendar, workdays=[0, 1, 2, 3, 4], holidays=[])
    smith.refresh_from_db()
    assert smith.finish_on == date(2026, 6, 19)


def test_gantt_move_sets_snet_and_pushes_successors(smith):
    services.task_reschedule(task=worked_task(smith, "G"), start_on=date(2026, 6, 18))
    g, i = worked_task(smith, "G"), worked_task(smith, "I")
    assert (g.constraint_kind, g.start_on) == ("SNET", date(2026, 6, 18))
    assert i.start_on == date(2026, 6, 22)


def test_deadline_before_finish_gives_negative_float(smith):
    services.project_update(project=smith, data={"deadline_on": date(2026, 6, 18)})
    smith.refresh_from_db()
    assert smith.min_total_float == -1  # deadline Thu 06-18 is finish point 14; the plan finishes at 15


def test_task_with_time_cannot_be_deleted(smith, organizer_a, owner):
    a = worked_task(smith, "A")
    services.time_entry_add(task=a, organizer=organizer_a, actor=owner, worked_on=date(2026, 6, 1), minutes=90)
    with pytest.raises(ValidationError):
        services.task_delete(task=a)
    assert Task.objects.filter(pk=a.pk).exists()
