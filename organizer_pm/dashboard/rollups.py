"""The nightly KPI rollup (docs/specs/kpis.md §3): each app stores the components it owns; this module runs them
together, one local day of the business zone per transaction.

- One transaction per day: a worker killed half-way leaves that day's old rows or its new rows, never a mix.
- `pg_advisory_xact_lock` first in each transaction: two runs never interleave on a day; the second waits and then
  writes the same values (every write is an upsert), so running twice changes nothing (K4).
- The nightly run takes the closed local days: yesterday and the 6 before it (late edits happen).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from billing import rollups as billing_rollups
from operations import localtime
from operations import rollups as ops_rollups
from projects import rollups as projects_rollups

LOCK_KEY = 0x4B_50_49_01  # "KPI" 1: one advisory-lock number for the rollup, whichever app asks


def rollup_day(day: date) -> None:
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        redo_ids = billing_rollups.redo_visit_ids(day=day)
        ops_rollups.ops_rollup_day(day=day, redo_visit_ids=redo_ids)
        ops_rollups.stock_rollup_day(day=day)
        billing_rollups.revenue_rollup_day(day=day)
        projects_rollups.survey_rollup_day(day=day)


def closed_days(now: datetime) -> list[date]:
    """The trailing window of closed local days, oldest first (stock values chain from the day before)."""
    yesterday = localtime.local_yesterday(now, settings.BUSINESS_TIME_ZONE)
    back = settings.KPI_RECOMPUTE_DAYS
    return [yesterday - timedelta(days=n) for n in range(back - 1, -1, -1)]


def rollup_range(start: date, end: date, *, progress: Callable[[date], None] | None = None) -> int:
    """Roll up every local day from `start` to `end` inclusive, oldest first; returns the number of days."""
    billing_rollups.prepare()
    day, count = start, 0
    while day <= end:
        rollup_day(day)
        count += 1
        if progress is not None:
            progress(day)
        day += timedelta(days=1)
    return count


def rollup_nightly(now: datetime | None = None) -> list[str]:
    days = closed_days(now or timezone.now())
    rollup_range(days[0], days[-1])
    return [d.isoformat() for d in days]
