"""Run the parts of the scale data set in order, wipe a database first when asked, and backfill the rollups."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction

from accounts.models import User
from clients.models import Client
from organizer_pm.dashboard.scale import money, people, projects, stock, visits
from organizer_pm.dashboard.scale.plan import Plan, World

NOT_EMPTY_MSG = (
    "This database already holds clients or users ({clients} clients, {users} users): load_scale builds a whole "
    "business and refuses to mix it with existing rows. Run it again with --wipe to erase every row of the app "
    "and rebuild, or point DATABASE_URL at an empty database."
)
PARTS: list[tuple[str, Callable[[Plan, World], None]]] = [
    ("people and clients", people.build),
    ("series, visits and busy blocks", visits.build),
    ("stock ledger and levels", stock.build),
    ("projects (scheduled by the engine)", projects.build),
    ("charges, invoices and payments", money.build),
]


def is_empty() -> tuple[int, int] | None:
    clients, users = Client.all_objects.count(), User.objects.count()
    return None if clients == 0 and users == 0 else (clients, users)


def wipe() -> None:
    """TRUNCATE every table of this project's own apps (and, through CASCADE, what references them)."""
    root = Path(settings.BASE_DIR).resolve()
    tables = []
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if root in path.parents and ".venv" not in path.parts:
            tables += [m._meta.db_table for m in config.get_models(include_auto_created=True) if m._meta.managed]
    with connection.cursor() as cursor:
        # Inside a transaction (a test), deferred foreign-key checks must fire before their tables are truncated.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        names = ", ".join(connection.ops.quote_name(t) for t in sorted(set(tables)))
        cursor.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # rows are written parents-last (tasks before links)


def backfill(plan: Plan, out: Callable[[str], None]) -> None:
    """Roll up every closed day of the data set (the KPI dashboards read the daily tables)."""
    first, last = plan.today - timedelta(days=365 * plan.years), plan.today - timedelta(days=1)
    out(f"backfilling rollups {first} .. {last}")
    call_command("kpi_backfill", first.isoformat(), last.isoformat())


def load(plan: Plan, *, out: Callable[[str], None], do_wipe: bool) -> World:
    if (held := is_empty()) is not None:
        if not do_wipe:
            raise ValueError(NOT_EMPTY_MSG.format(clients=held[0], users=held[1]))
        out(f"wiping {held[0]} clients, {held[1]} users and everything else of the app")
        wipe()
    world = World()
    started = time.perf_counter()
    with transaction.atomic():
        for label, build in PARTS:
            t0 = time.perf_counter()
            build(plan, world)
            out(f"{label}: {time.perf_counter() - t0:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    world.counts["seconds"] = round(time.perf_counter() - started)
    return world
