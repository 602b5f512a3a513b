"""Celery runs for real: never eagerly, and a task round-trips through a broker and a worker."""

import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.tasks import clear_expired_sessions
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


def test_C7_one_beat_in_utc_and_nightly_work_uses_business_local_days(settings):
    from operations.services import inventory
    from organizer_pm.dashboard.management.commands import devserver

    assert settings.CELERY_TIMEZONE == "UTC" and app.conf.timezone == "UTC"
    source = Path(devserver.__file__).read_text()
    assert source.count('"beat": [') == 1  # make run starts exactly one beat process
    settings.BUSINESS_TIME_ZONE = "America/New_York"
    # Just after local midnight on the day after the 25-hour day (fall back) and the 23-hour day (spring forward).
    assert inventory.business_yesterday(now=datetime(2025, 11, 3, 5, 30, tzinfo=UTC)) == date(2025, 11, 2)
    assert inventory.business_yesterday(now=datetime(2026, 3, 9, 4, 30, tzinfo=UTC)) == date(2026, 3, 8)
    # Just before local midnight, yesterday is still the day before.
    assert inventory.business_yesterday(now=datetime(2025, 11, 3, 4, 30, tzinfo=UTC)) == date(2025, 11, 1)


@pytest.mark.django_db
def test_C8_nightly_rollup_rerun_is_idempotent():
    from operations.models import InventorySnapshot, Item
    from operations.services import inventory

    item = Item.objects.create(sku="C8", name="Rollup bins")
    inventory.stock_move(item=item, qty=4, from_location=inventory.virtual_location("supplier"),
                         to_location=inventory.warehouse(), reason="receipt", actor=None, unit_cost="2.50")  # fmt: skip
    day = date(2030, 1, 1)
    inventory.snapshot_take(local_date=day)
    first = list(InventorySnapshot.objects.values_list("local_date", "item", "location", "qty", "value"))
    inventory.snapshot_take(local_date=day)
    assert list(InventorySnapshot.objects.values_list("local_date", "item", "location", "qty", "value")) == first
    assert first[0][3:] == (4, 10)
