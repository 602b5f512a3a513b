"""Celery runs for real: never eagerly, and a task round-trips through a broker and a worker."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from organizer_pm.accounts.tasks import clear_expired_sessions
from organizer_pm.celery import app


def test_eager_mode_is_off():
    assert app.conf.task_always_eager is False
    assert getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False) is False


def test_tasks_ack_late_and_survive_lost_workers():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.task_serializer == "json" and app.conf.accept_content == ["json"]


def test_beat_schedule_names_registered_tasks():
    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks


@pytest.mark.django_db(transaction=True)
def test_clear_expired_sessions_round_trips_through_a_real_worker(celery_worker_real):
    expired = SessionStore()
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(expire_date=timezone.now() - timedelta(days=1))
    live = SessionStore()
    live.create()

    clear_expired_sessions.delay()

    deadline = time.monotonic() + 20
    while Session.objects.filter(session_key=expired.session_key).exists():
        assert time.monotonic() < deadline, "the worker did not run the task"
        time.sleep(0.1)
    assert Session.objects.filter(session_key=live.session_key).exists()
