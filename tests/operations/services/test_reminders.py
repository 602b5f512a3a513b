"""Reminder outbox: SR1, SR2, SR5, SR7-SR9 (docs/specs/security.md) and C2-C4, C6, C9, C10 (reminders-and-celery.md).

Service-level tests drive the dispatcher tick by tick with explicit times (the send is handed over inline instead
of through the broker); C3 runs the real tasks through a real in-process worker (thread pool). The scenarios that
kill worker processes or stop Redis are in test_reminders_worker.py.
"""

import ast
import logging
import os
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connection
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from operations import reminders
from operations.models import Reminder
from operations.services import visits as services
from operations.tasks import dispatch_due_reminders
from organizer_pm.celery import app
from tests.operations.factories import utc
from tests.support import reminder_provider as provider
from tests.support.reminder_support import (
    app_on_broker,
    book,
    broker_for_tests,
    extra_reminders,
    far_visit,
    statuses,
    wait_for,
    world,
)

VISIT = utc(2025, 11, 5, 14)  # 09:00 New York; with a 24 h offset the reminder is due 2025-11-04 14:00Z
DUE = utc(2025, 11, 4, 14)


@pytest.fixture
def provider_dir(tmp_path, settings):
    settings.SMS_BACKEND = "tests.support.reminder_provider.FileSmsBackend"
    settings.EMAIL_BACKEND = "tests.support.reminder_provider.FileEmailBackend"
    settings.REMINDER_PROVIDER_DIR = str(tmp_path / "provider")
    settings.REMINDER_CLIENT_OFFSETS_HOURS = [24]
    return provider.prepare(tmp_path / "provider")


def inline(now: datetime):
    """Hand a claimed row straight to the send step, as the send task does, at the tick's time."""
    return lambda reminder_id, claim: reminders.reminder_send(reminder_id=reminder_id, claim=claim, now=now)


def tick(now: datetime, limit: int = reminders.BATCH_SIZE) -> int:
    return reminders.reminders_dispatch(now=now, limit=limit, publish=inline(now))


def visit_reminder(now_visit=VISIT):
    visit = book(world(), now_visit)
    return visit, Reminder.objects.get(appointment=visit, kind="24h")


# --- R1, R2: no duplicates ------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_SR1_two_dispatchers_running_concurrently_send_each_reminder_once(provider_dir, settings):
    settings.REMINDER_CLIENT_OFFSETS_HOURS = []  # only the rows made here
    visit = book(world(), VISIT)
    rows = extra_reminders(visit, 12, send_at=DUE, prefix="r1")
    now = DUE + timedelta(minutes=1)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def dispatcher() -> None:
        try:
            barrier.wait(timeout=10)
            while tick(now, limit=3):  # small batches, so the two overlap claim after claim
                pass
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test thread below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors and not any(t.is_alive() for t in threads)
    keys = [c["idempotency_key"] for c in provider.calls(provider_dir)]
    assert sorted(keys) == sorted(str(r.idempotency_key) for r in rows)  # 12 calls, one per reminder
    assert set(statuses("r1").values()) == {"sent"}


@pytest.mark.django_db
def test_SR2_sending_a_reminder_twice_sends_it_once(provider_dir):
    _visit, reminder = visit_reminder()
    now = DUE + timedelta(minutes=1)
    [claimed] = reminders.reminders_claim_due(now=now)
    assert reminders.reminder_send(reminder_id=claimed, claim=now, now=now) == "sent"
    assert reminders.reminder_send(reminder_id=claimed, claim=now, now=now) == "skipped"  # duplicate delivery
    assert tick(now + timedelta(minutes=1)) == 0
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == ("sent", 1)
    assert len(provider.calls(provider_dir)) == 1


# --- R5 / C6: static checks -------------------------------------------------------------------------------------

REMINDER_TASKS = {"operations.dispatch_due_reminders", "operations.send_reminder"}
SKIP_DIRS = {".venv", "venv", "var", "node_modules", ".git", "static", "staticfiles", "test-artifacts", "build"}


def test_SR5_every_reminder_task_acks_late_and_is_requeued_when_its_worker_dies():
    app.loader.import_default_modules()
    found = {name for name in app.tasks if name.startswith("operations.") and "reminder" in name}
    assert found == REMINDER_TASKS
    for name in found:
        task = app.tasks[name]
        assert task.acks_late is True, name
        assert task.reject_on_worker_lost is True, name
    assert app.tasks["operations.dispatch_due_reminders"].expires == 55
    beat = {entry["task"]: entry for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert beat["operations.dispatch_due_reminders"]["schedule"] == 60
    assert beat["operations.dispatch_due_reminders"]["options"]["expires"] == 55
    assert "operations.send_reminder" not in beat  # sends are only ever published by the dispatcher


def _python_files():
    base = Path(settings.BASE_DIR)
    for root, dirs, files in os.walk(base):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        yield from (Path(root) / name for name in sorted(files) if name.endswith(".py"))


def test_C6_SR5_no_code_schedules_a_task_with_eta_or_countdown():
    """No `apply_async(eta=...)`, no `countdown=` anywhere in the code base: on Redis a message held longer than
    the visibility timeout runs again and again. Reminders wait in the database instead."""
    offenders = []
    base = Path(settings.BASE_DIR)
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Call):
                offenders += [
                    f"{path.relative_to(base)}:{node.lineno} {kw.arg}="
                    for kw in node.keywords
                    if kw.arg in ("eta", "countdown")
                ]
    assert offenders == []


def test_C6_automatic_retries_never_wait_longer_than_five_minutes():
    app.loader.import_default_modules()
    for name, task in app.tasks.items():
        if name.startswith("celery."):
            continue
        assert task.default_retry_delay <= 300, name
        backoff = getattr(task, "retry_backoff", False)  # set by autoretry_for
        if backoff and task.max_retries:
            factor = 1 if backoff is True else int(backoff)
            assert min(getattr(task, "retry_backoff_max", 600), factor * 2 ** (task.max_retries - 1)) <= 300, name


# --- R7: the visit changed after the claim -----------------------------------------------------------------------


@pytest.mark.django_db
def test_SR7_a_visit_cancelled_after_the_claim_sends_nothing_and_the_reminder_is_cancelled(provider_dir):
    visit, reminder = visit_reminder()
    now = DUE + timedelta(minutes=1)
    assert reminders.reminders_claim_due(now=now) == [reminder.pk]
    services.appointment_cancel(appointment=visit, now=now)
    assert reminders.reminder_send(reminder_id=reminder.pk, claim=now, now=now) == "skipped"
    reminder.refresh_from_db()
    assert reminder.status == "cancelled"
    assert provider.calls(provider_dir) == []


@pytest.mark.django_db
def test_SR7_a_visit_moved_after_the_claim_sends_nothing_now_and_the_reminder_waits_for_the_new_time(provider_dir):
    visit, reminder = visit_reminder()
    now = DUE + timedelta(minutes=1)
    old_key = reminder.idempotency_key
    assert reminders.reminders_claim_due(now=now) == [reminder.pk]
    services.appointment_reschedule(
        appointment=visit, starts=VISIT + timedelta(days=1), ends=VISIT + timedelta(days=1, hours=2), now=now
    )
    assert reminders.reminder_send(reminder_id=reminder.pk, claim=now, now=now) == "skipped"
    reminder.refresh_from_db()
    assert (reminder.status, reminder.send_at, reminder.claimed_at) == ("pending", DUE + timedelta(days=1), None)
    assert reminder.idempotency_key != old_key  # new text, new key: the provider must not drop it as a duplicate
    assert provider.calls(provider_dir) == []
    assert tick(now + timedelta(hours=2)) == 0  # not due yet
    assert tick(DUE + timedelta(days=1, minutes=1)) == 1
    reminder.refresh_from_db()
    assert reminder.status == "sent"
    assert [c["idempotency_key"] for c in provider.calls(provider_dir)] == [str(reminder.idempotency_key)]


@pytest.mark.django_db
def test_SR7_a_move_while_the_provider_is_called_keeps_the_row_pending_for_the_new_time(provider_dir, monkeypatch):
    visit, reminder = visit_reminder()
    now = DUE + timedelta(minutes=1)
    deliver = reminders._deliver

    def deliver_while_the_visit_moves(row, **kwargs):
        services.appointment_reschedule(
            appointment=visit, starts=VISIT + timedelta(days=1), ends=VISIT + timedelta(days=1, hours=2), now=now
        )
        return deliver(row, **kwargs)

    monkeypatch.setattr(reminders, "_deliver", deliver_while_the_visit_moves)
    [claimed] = reminders.reminders_claim_due(now=now)
    assert reminders.reminder_send(reminder_id=claimed, claim=now, now=now) == "superseded"
    reminder.refresh_from_db()
    assert (reminder.status, reminder.send_at) == ("pending", DUE + timedelta(days=1))


# --- SR8, SR9: provider failures ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_SR8_a_provider_failing_every_time_ends_failed_after_max_attempts_with_an_error_logged(provider_dir, caplog):
    _visit, reminder = visit_reminder()
    (provider_dir / "fail_next").write_text("1000")
    now = DUE
    for _ in range(30):  # a tick every minute for half an hour: far more ticks than tries
        now += timedelta(minutes=1)
        tick(now)
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == ("failed", settings.REMINDER_MAX_ATTEMPTS)
    assert len(provider.calls(provider_dir)) == settings.REMINDER_MAX_ATTEMPTS
    assert "ProviderTransientError" in reminder.last_error
    assert any(r.levelno == logging.ERROR and "reminder_failed" in r.getMessage() for r in caplog.records)


@pytest.mark.django_db
def test_SR8_a_claim_redelivered_after_max_attempts_is_failed_without_calling_the_provider(provider_dir, caplog):
    _visit, reminder = visit_reminder()
    now = DUE + timedelta(minutes=1)
    [claimed] = reminders.reminders_claim_due(now=now)
    Reminder.objects.filter(pk=claimed).update(attempts=settings.REMINDER_MAX_ATTEMPTS)  # it crashed every time
    assert reminders.reminder_send(reminder_id=claimed, claim=now, now=now) == "failed"
    reminder.refresh_from_db()
    assert reminder.status == "failed"
    assert provider.calls(provider_dir) == []
    assert any(r.levelno == logging.ERROR and "reminder_failed" in r.getMessage() for r in caplog.records)


@pytest.mark.django_db
def test_SR9_two_transient_errors_then_success_send_once_after_three_attempts_with_backoff(provider_dir):
    _visit, reminder = visit_reminder()
    (provider_dir / "fail_next").write_text("2")
    start = DUE + timedelta(minutes=1)
    ticks = [(start, 1), (start + timedelta(seconds=30), 0), (start + timedelta(minutes=1), 1)]
    ticks += [(start + timedelta(minutes=2), 0), (start + timedelta(minutes=3), 1), (start + timedelta(minutes=9), 0)]
    for now, claimed in ticks:  # backoff: 1 min after the first failure, 2 min after the second
        assert tick(now) == claimed, now
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == ("sent", 3)
    assert len(provider.calls(provider_dir)) == 3
    assert list(provider.deliveries(provider_dir)) == [str(reminder.idempotency_key)]


def test_SR9_the_retry_backoff_doubles_per_try():
    assert [reminders.retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]


# --- C2, C4: outages and crashes -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_C2_a_reminder_held_up_by_an_outage_is_sent_once_at_the_first_tick_after_it(provider_dir):
    _visit, reminder = visit_reminder()
    assert tick(utc(2025, 11, 4, 13, 54)) == 0  # last tick before the outage (13:55Z-14:20Z): not due yet
    assert tick(utc(2025, 11, 4, 14, 21)) == 1  # first tick after it
    assert tick(utc(2025, 11, 4, 14, 22)) == 0
    reminder.refresh_from_db()
    assert (reminder.status, reminder.sent_at) == ("sent", utc(2025, 11, 4, 14, 21))
    assert len(provider.calls(provider_dir)) == 1


@pytest.mark.django_db
def test_C2_an_outage_past_the_visit_start_expires_the_reminder_unsent(provider_dir):
    visit, reminder = visit_reminder()
    assert tick(VISIT + timedelta(minutes=5)) == 2  # the client's reminder and the organizer's evening one
    assert set(Reminder.objects.filter(appointment=visit).values_list("status", flat=True)) == {"expired"}
    assert provider.calls(provider_dir) == []


@pytest.mark.django_db
def test_C4_a_crash_between_send_and_mark_is_resent_after_the_lease_and_deduplicated_by_the_provider(provider_dir):
    _visit, reminder = visit_reminder()
    now = DUE + timedelta(minutes=1)
    (provider_dir / "crash_after_accept").touch()
    with pytest.raises(provider.SimulatedCrash):
        tick(now)
    (provider_dir / "crash_after_accept").unlink()
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == ("sending", 1)
    assert tick(now + timedelta(minutes=settings.REMINDER_LEASE_MINUTES - 1)) == 0  # within the lease: nothing
    assert len(provider.calls(provider_dir)) == 1
    assert tick(now + timedelta(minutes=settings.REMINDER_LEASE_MINUTES, seconds=1)) == 1  # lease over: re-claimed
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == ("sent", 2)
    assert len(provider.calls(provider_dir)) == 2  # sent twice (at least once) ...
    assert list(provider.deliveries(provider_dir)) == [str(reminder.idempotency_key)]  # ... delivered once


@pytest.mark.django_db
def test_SR6_a_tick_that_cannot_publish_puts_its_claims_back_to_pending(provider_dir, settings):
    settings.REMINDER_CLIENT_OFFSETS_HOURS = []  # only the rows made here
    visit = book(world(), VISIT)
    extra_reminders(visit, 3, send_at=DUE, prefix="r6")
    now = DUE + timedelta(minutes=1)
    published = []

    def broker_goes_down(reminder_id, claim):
        if published:
            raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        published.append(reminder_id)

    with pytest.raises(BrokerError):
        reminders.reminders_dispatch(now=now, publish=broker_goes_down)
    assert sorted(statuses("r6").values()) == ["pending", "pending", "sending"]
    assert tick(now + timedelta(minutes=1)) == 2  # the next tick takes the two that were put back at once


# --- C3: concurrent dispatchers through a real worker --------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(60)
def test_C3_six_dispatchers_on_four_threads_deliver_20_distinct_reminders_and_leave_1_pending(provider_dir, tmp_path):
    visit = far_visit(world())
    now = timezone.now()
    due = extra_reminders(visit, 20, send_at=now, prefix="c3")
    [later] = extra_reminders(visit, 1, send_at=now + timedelta(hours=1), prefix="c3-later")
    with (
        broker_for_tests(tmp_path / "redis") as url,
        app_on_broker(app, url),
        start_worker(app, pool="threads", concurrency=4, perform_ping_check=False, shutdown_timeout=20),
    ):
        for _ in range(6):
            dispatch_due_reminders.delay(limit=5)
        wait_for(
            lambda: Reminder.objects.filter(pk__in=[r.pk for r in due], status="sent").count() == 20,
            timeout=40,
            what="20 reminders sent",
        )
    keys = [c["idempotency_key"] for c in provider.calls(provider_dir)]
    assert len(keys) == 20 and set(keys) == {str(r.idempotency_key) for r in due}
    later.refresh_from_db()
    assert later.status == "pending"


# --- C9, C10: the test harness and the configuration -------------------------------------------------------------


def test_C9_start_worker_without_the_ping_task_fails_its_ping_check():
    bare = Celery("c9", broker="memory://", set_as_current=False)
    bare.finalize()
    bare.tasks.pop("celery.ping", None)  # registered only by importing celery.contrib.testing.tasks
    with pytest.raises(AssertionError), start_worker(bare, perform_ping_check=True):
        pass


def test_C10_eager_mode_is_off_and_the_broker_matches_the_environment():
    assert app.conf.task_always_eager is False
    assert getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False) is False
    if settings.REDIS_URL:
        assert settings.CELERY_BROKER_URL == settings.REDIS_URL
        assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["socket_timeout"] > 0
    else:
        assert settings.CELERY_BROKER_URL == "filesystem://"
        folders = [v for k, v in settings.CELERY_BROKER_TRANSPORT_OPTIONS.items() if "folder" in k]
        assert len(folders) == 4
        assert all(Path(f).is_relative_to(Path(settings.VAR_DIR) / "celery") for f in folders)
