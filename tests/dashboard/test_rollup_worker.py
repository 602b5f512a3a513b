"""The rollup through the real stack: the beat task on a real worker, and a process killed with SIGKILL in the
middle of a day's transaction (docs/specs/kpis.md §4, faults)."""

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from operations.models import Appointment, OpsDaily
from organizer_pm.dashboard import rollups
from organizer_pm.dashboard.tasks import kpi_rollup_nightly
from tests.dashboard.kpi_world import build_world

BASE_DIR = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]

KILLED_RUN = """
import os, sys, time
import django
from django.conf import settings
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "organizer_pm.settings")
settings.DATABASES["default"]["NAME"] = sys.argv[1]  # the test database, before any connection exists
django.setup()
from datetime import date
from django.db import connection
from organizer_pm.dashboard import rollups

def stall(**kwargs):  # operations has written its rows inside the open transaction: now die here
    open(sys.argv[2], "w").write(connection.settings_dict["NAME"])
    time.sleep(60)

rollups.billing_rollups.revenue_rollup_day = stall
rollups.rollup_day(date(2025, 11, 4))
"""


def rows_of(day):
    return sorted((r.organizer_id or 0, r.completed, r.billable_min) for r in OpsDaily.objects.filter(local_date=day))


def test_the_nightly_task_runs_on_a_real_worker(celery_worker_real):
    build_world()
    days = rollups.closed_days(timezone.now())
    kpi_rollup_nightly.delay()  # no result backend: watch the rows appear
    deadline = time.monotonic() + 60
    while OpsDaily.objects.filter(organizer__isnull=True, local_date__in=days).count() < len(days):
        assert time.monotonic() < deadline, "the worker did not roll up the trailing days"
        time.sleep(0.2)
    assert len(days) == 7


def test_K10_a_process_killed_mid_rollup_leaves_the_previous_values(tmp_path):
    world = build_world()
    day = date(2025, 11, 4)
    rollups.rollup_day(day)
    old = rows_of(day)
    Appointment.objects.filter(pk=world.jobs["J2"].pk).update(status="cancelled")
    marker = tmp_path / "written"
    env = {**os.environ, "PYTHONPATH": str(BASE_DIR)}
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_RUN, connection.settings_dict["NAME"], str(marker)], cwd=BASE_DIR, env=env
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert proc.poll() is None, "the rollup process ended before the kill"
            assert time.monotonic() < deadline
            time.sleep(0.1)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert marker.read_text() == connection.settings_dict["NAME"]  # it wrote to this very database
    assert rows_of(day) == old  # the killed transaction never committed: the old day, whole
    rollups.rollup_day(day)
    assert rows_of(day) != old
