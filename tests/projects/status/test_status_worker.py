"""OS17 on a real Celery worker (never eager): the beat task re-runs a plan whose "today" has moved, once."""

import time
from datetime import timedelta

from projects import demo
from projects.dates import business_today
from projects.models import Project
from projects.tasks import status_refresh
from tests.clients.factories import ClientFactory


def test_OS17_the_beat_task_slides_a_stale_plan_on_a_real_worker(celery_worker_real, settings):
    settings.STATUS_DATE_SOURCE = "today"
    project = demo.worked_example_create(client=ClientFactory())
    today = business_today()
    Project.objects.filter(pk=project.pk).update(schedule_as_of=today - timedelta(days=1))  # last run: yesterday
    status_refresh.delay()
    deadline = time.monotonic() + 20
    while Project.objects.get(pk=project.pk).schedule_as_of != today:
        assert time.monotonic() < deadline, "the worker did not run the task"
        time.sleep(0.1)
    stamp = Project.objects.get(pk=project.pk).updated_at
    status_refresh.delay()  # a second run the same day changes nothing
    time.sleep(1)
    assert Project.objects.get(pk=project.pk).updated_at == stamp
