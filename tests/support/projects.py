"""Shared by the projects tests: the worked example (built per test, or once per module), its tasks by key or
name, a chain plan of any size, and a query counter for the constant-query-count checks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from itertools import pairwise
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from projects import demo, planning, services
from projects.models import Dependency, Project, Task
from tests.clients.factories import ClientFactory
from tests.projects.factories import DependencyFactory, TaskFactory
from tests.support import people
from tests.support.shared_rows import shared_rows

NAMES = {key: name for key, name, _duration, _parent in demo.WORKED_EXAMPLE_TASKS}


def smith_build(organizer: Any = None) -> Project:
    """docs/specs/scheduling.md's worked example "Smith home move", scheduled by the services. With `organizer`
    (the views' version), that organizer is assigned to "Moving day" only."""
    project = demo.worked_example_create(client=ClientFactory())
    if organizer is not None:
        Task.objects.get(project=project, name="Moving day").assignees.add(organizer)
    return project


def smith_shared(django_db_blocker: Any, *, status_date_source: str, with_organizer: bool = False) -> Iterator[Any]:
    """The worked example built once for a module, for a module-scoped fixture to `yield from` (building it costs
    about a second, and most projects tests start from it). Each test takes a `fresh_copy` of the rows and runs
    in its own savepoint (tests/support/shared_rows.py), so it starts from the example as built, as it did when
    the example was built for it alone.

    `status_date_source` is the STATUS_DATE_SOURCE the module's tests build it under (their autouse fixtures
    set it per test, after this is built). With `with_organizer`, organizer A is built too and assigned as the
    views' version is; the module then takes `organizer_a` from the rows as well."""

    def build() -> dict[str, Any]:
        organizer = people.user_build("organizer") if with_organizer else None
        project = smith_build(organizer)
        rows = {"smith": Project.objects.get(pk=project.pk)}  # a fresh instance: cheaper to deep-copy per test
        return rows | ({"organizer_a": organizer.__class__.objects.get(pk=organizer.pk)} if organizer else {})

    with override_settings(STATUS_DATE_SOURCE=status_date_source):
        yield from shared_rows(django_db_blocker, build)


def task_named(project: Project, name: str) -> Task:
    return Task.objects.get(project=project, name=name)


def worked_task(project: Project, key: str) -> Task:
    """A task of the worked example by its key in docs/specs/scheduling.md ("A", "P2", ...)."""
    return task_named(project, NAMES[key])


def plan_with(n_tasks: int) -> Project:
    """A project with one phase holding a chain of `n_tasks` tasks, scheduled, with a baseline."""
    project = services.project_create(
        data={"client": ClientFactory(), "name": f"Plan {n_tasks}", "start_on": date(2026, 6, 1), "deadline_on": None}
    )
    phase = services.task_create(project=project, data={"name": "Phase", "duration_wd": 0})
    tasks = [
        TaskFactory.build(project=project, parent=phase, name=f"T{i}", duration_wd=1 + i % 3, position=i)
        for i in range(n_tasks)
    ]
    Task.objects.bulk_create(tasks)
    Dependency.objects.bulk_create(
        [DependencyFactory.build(project=project, pred=pred, succ=succ) for pred, succ in pairwise(tasks)]
    )
    planning.project_schedule_recalculate(project=project)
    services.baseline_save(project=project, name="B", actor=None)
    return project


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx)
