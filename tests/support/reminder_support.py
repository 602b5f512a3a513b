"""Helpers for the reminder tests: a world to book in, a private Redis, real worker processes, a publisher.

Every process started here is started by the test and stopped by it, by its own id, also when the test fails.
The machine's shared Redis is never stopped: tests that stop Redis run their own redis-server on a free port.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import kombu.pools
import psutil
import pytest
import redis
from celery import Celery
from django.conf import settings
from django.db import connection
from django.utils import timezone

from operations.models import Appointment, Reminder
from operations.services import visits as services
from tests.clients.factories import ClientFactory, ContactFactory, SiteFactory
from tests.operations.factories import AppointmentTypeFactory, ReminderFactory, organizer_ny

BASE_DIR = Path(settings.BASE_DIR)
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
TEST_TRANSPORT_OPTIONS = {"socket_timeout": 5, "socket_connect_timeout": 5}


def wait_for(predicate: Callable[[], Any], *, timeout: float, what: str, every: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(every)


def die_with_parent() -> None:
    """preexec_fn: on Linux, SIGKILL the child if the test process dies (say, a hard timeout), so no worker or
    Redis started by a test outlives it."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- the world: a client who wants text messages, an organizer, bookings ---------------------------------------


def world(channel: str = "sms") -> dict[str, Any]:
    client = ClientFactory()
    ContactFactory(client=client, is_primary=True, preferred_channel=channel, email="client@example.net")
    return {
        "client": client,
        "site": SiteFactory(client=client, time_zone="America/New_York"),
        "type": AppointmentTypeFactory(),
        "organizer": organizer_ny(email=f"org-{uuid.uuid4().hex[:8]}@example.com"),
    }


def book(w: dict[str, Any], starts: datetime, minutes: int = 60) -> Appointment:
    """Booked 30 days before the visit (or now, if that is earlier), as visits usually are: its reminders are
    written while their send time is still ahead (one already due at booking is never sent, defect T10)."""
    return services.appointment_book(
        client=w["client"], site=w["site"], appointment_type=w["type"], organizers=[w["organizer"]],
        starts=starts, ends=starts + timedelta(minutes=minutes), allow_outside_hours=True,
        now=min(timezone.now(), starts - timedelta(days=30)),
    )  # fmt: skip


def extra_reminders(appointment: Appointment, count: int, *, send_at: datetime, prefix: str = "t") -> list[Reminder]:
    """More SMS reminders on one visit (kinds t-0, t-1, ...): rows the dispatcher treats like any other."""
    return [
        ReminderFactory(
            appointment=appointment,
            kind=f"{prefix}-{n}",
            channel=Reminder.Channel.SMS,
            recipient=f"+1212555{n:04d}",
            send_at=send_at - timedelta(seconds=n),
        )  # fmt: skip
        for n in range(count)
    ]


def far_visit(w: dict[str, Any]) -> Appointment:
    """A visit 30 days ahead: its own reminders are not due, and it never expires during a test."""
    start = (timezone.now() + timedelta(days=30)).replace(minute=0, second=0, microsecond=0)
    return book(w, start)


def statuses(prefix: str) -> dict[str, str]:
    return dict(Reminder.objects.filter(kind__startswith=prefix).values_list("kind", "status"))


# --- Redis ------------------------------------------------------------------------------------------------------


def redis_server_available() -> bool:
    return os.access(REDIS_SERVER, os.X_OK)


class RedisServer:
    """A private redis-server on a free loopback port: no persistence, noeviction. stop() and start() again on
    the same port simulate an outage (everything in it is lost, as with a restarted cache-only Redis)."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        try:
            return bool(redis.Redis(port=self.port, socket_timeout=0.5, socket_connect_timeout=0.5).ping())
        except redis.exceptions.RedisError:
            return False

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        with open(self.workdir / "redis.log", "ab") as log:
            self.proc = subprocess.Popen(
                [
                    REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                    "--maxmemory-policy", "noeviction", "--dir", str(self.workdir),
                ],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=die_with_parent,
            )  # fmt: skip
        wait_for(self.ping, timeout=10, what="redis-server to answer PING")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc = None


@contextmanager
def private_redis(workdir: Path) -> Iterator[RedisServer]:
    server = RedisServer(workdir)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@contextmanager
def broker_for_tests(workdir: Path) -> Iterator[str]:
    """The broker for an in-process worker: memory:// without REDIS_URL (as tests/conftest.py does); with it, a
    private redis-server, or DB 5 of the shared one when no redis-server binary is installed."""
    if not settings.REDIS_URL:
        yield "memory://"
    elif redis_server_available():
        with private_redis(workdir) as server:
            yield server.url
    else:
        url = settings.REDIS_URL.rsplit("/", 1)[0] + "/5"
        redis.Redis.from_url(url).flushdb()
        yield url


def require_stoppable_redis() -> None:
    if not redis_server_available():
        pytest.skip(f"needs its own redis-server to stop and restart ({REDIS_SERVER} not found)")


@contextmanager
def publisher(url: str) -> Iterator[Celery]:
    """A separate Celery client that publishes to `url`, as beat would (the project app is left alone)."""
    app = Celery("reminder-tests", broker=url, set_as_current=False)
    app.conf.broker_transport_options = TEST_TRANSPORT_OPTIONS
    app.conf.broker_connection_retry = False
    try:
        yield app
    finally:
        app.close()


def tick(app: Celery, **kwargs: Any) -> None:
    """One beat tick: publish the dispatcher."""
    app.send_task("operations.dispatch_due_reminders", kwargs=kwargs)


def queue_is_empty(url: str) -> bool:
    client = redis.Redis.from_url(url)
    return client.llen("celery") == 0 and client.hlen("unacked") == 0


# --- the global Celery app on another broker (in-process workers) ----------------------------------------------


def _reset_pools(app: Celery) -> None:
    pool = app._pool
    if pool is not None:
        pool.force_close_all()
        app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None and amqp._producer_pool is not None:
        amqp._producer_pool.force_close_all()
        amqp._producer_pool = None
    # kombu keeps producer pools in a process-wide registry keyed by connection: a closed one would be handed
    # out again to the next app using the same broker URL ("Acquire on closed pool").
    kombu.pools.reset()


@contextmanager
def app_on_broker(app: Celery, url: str) -> Iterator[Celery]:
    saved = (app.conf.broker_url, app.conf.broker_transport_options, app.conf.result_backend)
    _reset_pools(app)
    app.conf.broker_url = url
    memory = url.startswith("memory")
    app.conf.broker_transport_options = {"polling_interval": 0.1} if memory else TEST_TRANSPORT_OPTIONS
    app.conf.result_backend = None
    try:
        yield app
    finally:
        _reset_pools(app)
        app.conf.broker_url, app.conf.broker_transport_options, app.conf.result_backend = saved


# --- real worker processes ---------------------------------------------------------------------------------------


class WorkerProcess:
    """`celery -A organizer_pm worker --pool=prefork -c 1` in its own session (process group), on the test
    database, the given broker, and the file-backed fake provider (tests/support/reminder_worker_settings.py)."""

    def __init__(
        self, *, broker_url: str, provider_dir: Path, log_path: Path, extra_env: dict[str, str] | None = None
    ) -> None:
        self.broker_url, self.provider_dir, self.log_path = broker_url, provider_dir, log_path
        self.extra_env = extra_env or {}
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_offset = 0

    def start(self, *, ready_timeout: float = 30) -> WorkerProcess:
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("CELERY_BROKER_URL", "CELERY_BROKER_READ_URL", "CELERY_BROKER_WRITE_URL")
        }
        env.update(
            DJANGO_SETTINGS_MODULE="tests.support.reminder_worker_settings",
            REMINDER_TEST_DB_NAME=str(connection.settings_dict["NAME"]),
            REMINDER_BROKER_URL=self.broker_url,
            REMINDER_PROVIDER_DIR=str(self.provider_dir),
            PYTHONPATH=os.pathsep.join(filter(None, [str(BASE_DIR), env.get("PYTHONPATH", "")])),
        )
        env.update(self.extra_env)
        self.log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [
                    sys.executable, "-m", "celery", "-A", "organizer_pm", "worker", "--pool=prefork", "--concurrency=1",
                    "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
                    f"--hostname=reminders-{uuid.uuid4().hex[:8]}@%h",
                ],
                cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                preexec_fn=die_with_parent,
            )  # fmt: skip
        wait_for(self._ready, timeout=ready_timeout, what=f"the worker to be ready (log: {self.log_path})", every=0.1)
        return self

    def _ready(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise AssertionError(f"the worker exited with {self.proc.returncode}:\n{self.log()}")
        return " ready." in self.log(since=self.log_offset)

    def log(self, since: int = 0) -> str:
        return self.log_path.read_bytes()[since:].decode(errors="replace") if self.log_path.exists() else ""

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def kill_child(self, pid: int) -> None:
        """SIGKILL one pool child, after checking it is a child of this worker."""
        assert psutil.Process(pid).ppid() == self.pid, f"{pid} is not a pool child of worker {self.pid}"
        os.kill(pid, signal.SIGKILL)

    def kill(self) -> None:
        """SIGKILL the whole worker: the main process and its pool children (its own process group). Only while
        the main process is not yet reaped, so the group id cannot have been reused by anything else."""
        if self.proc is not None and self.proc.returncode is None:
            with suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.proc = None


@contextmanager
def worker_processes(**kwargs: Any) -> Iterator[Callable[..., WorkerProcess]]:
    """Yields a factory of started workers; kills every one of them on the way out."""
    started: list[WorkerProcess] = []

    def start(**extra: Any) -> WorkerProcess:
        worker = WorkerProcess(**kwargs, **extra)
        started.append(worker)
        return worker.start()

    try:
        yield start
    finally:
        for worker in started:
            worker.kill()
