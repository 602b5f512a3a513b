"""Shared by the projects tests: the worked example's tasks by key or name, a chain plan of any size, and a
query counter for the constant-query-count checks."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects import demo, planning, services
from projects.models import Dependency, Project, Task
from tests.clients.factories import ClientFactory
from tests.projects.factories import DependencyFactory, TaskFactory

NAMES = {key: name for key, name, _duration, _parent in demo.WORKED_EXAMPLE_TASKS}


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
