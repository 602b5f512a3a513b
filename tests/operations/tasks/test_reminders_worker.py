"""Reminders against the real stack: `celery -A organizer_pm worker` processes (prefork, -c 1) on Redis, killed
with SIGKILL or cut off from Redis (docs/specs/security.md SR3, SR4, SR6, SR8, SR10; docs/specs/reminders-and-celery.md
C2; the issue's acceptance criteria).

Each test runs its own redis-server on a free port (never the shared one on 6379), and its workers use the test
database and a file-backed fake provider (tests/support/reminder_worker_settings.py and reminder_provider.py) so
deliveries made by a separate, killed process can be counted. The provider dedupes on the idempotency key, as a real
provider with idempotency does: "exactly once" below is exactly once in effect, on top of at-least-once sending.
Transport options as docs/specs/security.md: visibility timeout 5 s, restore sweep every 1 s.
"""

import json
import os
import socket
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from operations.models import Reminder
from tests.support import reminder_provider as provider
from tests.support.reminder_support import (
    BASE_DIR,
    book,
    extra_reminders,
    far_visit,
    private_redis,
    publisher,
    queue_is_empty,
    redis_server_available,
    require_stoppable_redis,
    statuses,
    tick,
    wait_for,
    worker_processes,
    world,
)

VISIBILITY_TIMEOUT = 5

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]


class SharedRedis:
    """DB 5 of the shared Redis (REDIS_URL), used only when no redis-server binary is installed. Never stopped."""

    def __init__(self, url: str) -> None:
        import redis

        self.url = url.rsplit("/", 1)[0] + "/5"
        redis.Redis.from_url(self.url).flushdb()

    def stop(self) -> None:
        raise AssertionError("the shared Redis is never stopped")

    start = stop


@pytest.fixture
def broker(tmp_path):
    if redis_server_available():
        with private_redis(tmp_path / "redis") as server:
            yield server
    elif settings.REDIS_URL:
        yield SharedRedis(settings.REDIS_URL)
    else:
        pytest.skip("needs Redis: set REDIS_URL or install redis-server")


@pytest.fixture
def provider_dir(tmp_path, settings):
    settings.SMS_BACKEND = "tests.support.reminder_provider.FileSmsBackend"
    settings.EMAIL_BACKEND = "tests.support.reminder_provider.FileEmailBackend"
    settings.REMINDER_PROVIDER_DIR = str(tmp_path / "provider")
    return provider.prepare(tmp_path / "provider")


@pytest.fixture
def workers(broker, provider_dir, tmp_path):
    with worker_processes(broker_url=broker.url, provider_dir=provider_dir, log_path=tmp_path / "worker.log") as start:
        yield start


def due_now(count: int, prefix: str) -> list[Reminder]:
    return extra_reminders(far_visit(world()), count, send_at=timezone.now(), prefix=prefix)


def attempts(reminder: Reminder) -> int:
    reminder.refresh_from_db()
    return reminder.attempts


def all_sent(prefix: str, count: int) -> bool:
    found = statuses(prefix)
    return len(found) == count and set(found.values()) == {"sent"}


# --- R3, R4: SIGKILL mid-send ------------------------------------------------------------------------------------


def test_SR3_killing_the_pool_child_mid_send_redelivers_within_10_s_and_sends_once(broker, provider_dir, workers):
    [reminder] = due_now(1, "r3")
    (provider_dir / "hang_before").touch()
    worker = workers()
    with publisher(broker.url) as beat:
        tick(beat)
    [child] = wait_for(lambda: provider.hung_pids(provider_dir), timeout=20, what="the send to hang")
    assert attempts(reminder) == 1
    worker.kill_child(child)
    killed = time.monotonic()
    wait_for(lambda: all_sent("r3", 1), timeout=10, what="the redelivered send")
    assert time.monotonic() - killed < 10
    assert attempts(reminder) == 2
    assert list(provider.deliveries(provider_dir)) == [str(reminder.idempotency_key)]
    assert len(provider.calls(provider_dir)) == 2  # the killed try never reached "accepted"


def test_SR4_killing_the_whole_worker_redelivers_to_a_new_worker_and_sends_once(broker, provider_dir, workers):
    [reminder] = due_now(1, "r4")
    (provider_dir / "hang_before").touch()
    first = workers()
    with publisher(broker.url) as beat:
        tick(beat)
    wait_for(lambda: provider.hung_pids(provider_dir), timeout=20, what="the send to hang")
    first.kill()
    killed = time.monotonic()
    workers()
    wait_for(lambda: all_sent("r4", 1), timeout=VISIBILITY_TIMEOUT + 10, what="the restored send")
    assert time.monotonic() - killed < VISIBILITY_TIMEOUT + 10
    assert attempts(reminder) == 2
    assert list(provider.deliveries(provider_dir)) == [str(reminder.idempotency_key)]


def test_SR4_a_worker_sigkilled_mid_batch_and_restarted_delivers_every_due_reminder_exactly_once(
    broker, provider_dir, workers
):
    """The acceptance criterion. The worst kill point: the third send of five hangs *after* the provider accepted
    it, so the restarted worker sends it again and only the provider's idempotency keeps it to one delivery."""
    rows = due_now(5, "batch")
    (provider_dir / "hang_after").write_text("3")
    first = workers()
    with publisher(broker.url) as beat:
        tick(beat)
        wait_for(lambda: provider.hung_pids(provider_dir), timeout=20, what="the third send to hang")
        first.kill()
        assert list(statuses("batch").values()).count("sent") == 2
        workers()
        wait_for(lambda: all_sent("batch", 5), timeout=VISIBILITY_TIMEOUT + 15, what="every reminder sent")
        tick(beat)  # a later tick finds nothing more to do
        wait_for(lambda: queue_is_empty(broker.url), timeout=10, what="the queue to drain")
    keys = {str(r.idempotency_key) for r in rows}
    assert set(provider.deliveries(provider_dir)) == keys  # every due reminder delivered exactly once ...
    sent_keys = [c["idempotency_key"] for c in provider.calls(provider_dir)]
    assert len(sent_keys) == 6 and set(sent_keys) == keys  # ... although one was sent twice
    assert sorted(attempts(r) for r in rows) == [1, 1, 1, 1, 2]


# --- R6, C2: Redis down ---------------------------------------------------------------------------------------------


def test_SR6_with_redis_stopped_booking_succeeds_and_the_reminder_goes_out_once_redis_is_back(
    broker, provider_dir, workers, settings
):
    require_stoppable_redis()
    settings.REMINDER_CLIENT_OFFSETS_HOURS = [48]
    workers()
    broker.stop()
    with publisher(broker.url) as beat:
        started = time.monotonic()
        with pytest.raises(BrokerError):
            tick(beat)  # beat cannot publish while Redis is down ...
        assert time.monotonic() - started < 5
        start = (timezone.now() + timedelta(hours=47)).replace(second=0, microsecond=0)
        visit = book(world(), start)  # ... but booking needs no broker (the service call the view makes)
        reminder = Reminder.objects.get(appointment=visit, kind="48h")
        assert reminder.status == "pending" and reminder.send_at <= timezone.now()
        broker.start()
        tick(beat)  # the first tick once Redis is back
        wait_for(lambda: all_sent("48h", 1), timeout=30, what="the reminder to be sent")
    assert list(provider.deliveries(provider_dir)) == [str(reminder.idempotency_key)]
    assert len(provider.calls(provider_dir)) == 1


def test_C2_with_redis_down_past_the_visit_start_the_reminder_expires_unsent(broker, provider_dir, workers, settings):
    require_stoppable_redis()
    settings.REMINDER_CLIENT_OFFSETS_HOURS = [48]
    workers()
    broker.stop()
    visit = book(world(), timezone.now() + timedelta(seconds=2))
    reminder = Reminder.objects.get(appointment=visit, kind="48h")
    wait_for(lambda: timezone.now() > visit.starts, timeout=5, what="the visit to start")
    broker.start()
    with publisher(broker.url) as beat:
        tick(beat)
        wait_for(lambda: Reminder.objects.get(pk=reminder.pk).status == "expired", timeout=30, what="expiry")
    assert provider.calls(provider_dir) == []


# --- R8: poison -----------------------------------------------------------------------------------------------------


def test_SR8_a_send_that_kills_its_worker_every_time_ends_failed_after_max_attempts(broker, provider_dir, workers):
    """The worker runs with REMINDER_MAX_ATTEMPTS=3 (production: 5) to keep the test short; the guard is the same."""
    max_attempts = 3
    [reminder] = due_now(1, "r8")
    (provider_dir / "crash").touch()
    worker = workers(extra_env={"REMINDER_TEST_MAX_ATTEMPTS": str(max_attempts)})
    with publisher(broker.url) as beat:
        tick(beat)
    wait_for(lambda: Reminder.objects.get(pk=reminder.pk).status == "failed", timeout=40, what="the poison guard")
    wait_for(lambda: queue_is_empty(broker.url), timeout=10, what="the message to be acknowledged")
    reminder.refresh_from_db()
    assert reminder.attempts == max_attempts
    assert len(provider.calls(provider_dir)) == max_attempts
    assert any("ERROR" in line and "reminder_failed" in line for line in worker.log().splitlines())
    time.sleep(1.5)  # no further redelivery: the loop has ended
    assert len(provider.calls(provider_dir)) == max_attempts


# --- R10: a broker that accepts connections and never answers ------------------------------------------------------

PUBLISH = """
import json, time
import django
django.setup()
from organizer_pm.celery import app
from operations.tasks import dispatch_due_reminders
started = time.monotonic()
try:
    dispatch_due_reminders.delay()
    outcome = "returned"
except Exception as exc:
    outcome = type(exc).__module__ + "." + type(exc).__name__
print(json.dumps({"elapsed": time.monotonic() - started, "outcome": outcome,
                  "socket_timeout": app.conf.broker_transport_options.get("socket_timeout")}))
"""


@pytest.mark.django_db(transaction=False)
def test_SR10_publishing_to_a_black_holed_broker_gives_up_within_socket_timeout_plus_1_s():
    with socket.socket() as black_hole:
        black_hole.bind(("127.0.0.1", 0))
        black_hole.listen(16)  # the kernel completes the handshake; nobody ever reads or answers
        port = black_hole.getsockname()[1]
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("CELERY_BROKER")},
            "DJANGO_SETTINGS_MODULE": "organizer_pm.settings",
            "REDIS_URL": f"redis://127.0.0.1:{port}/0",
        }
        done = subprocess.run(
            [sys.executable, "-c", PUBLISH], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=45
        )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["socket_timeout"] == 5  # the production setting, read from organizer_pm/settings.py
    assert result["outcome"] == "kombu.exceptions.OperationalError"
    assert result["elapsed"] <= result["socket_timeout"] + 1
