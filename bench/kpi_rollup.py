"""Benchmark: the nightly KPI rollup of one closed day, a year's backfill, and the owner dashboard reading it.

Run: `.venv/bin/python bench/kpi_rollup.py` (its own database `bench_kpi` on the app's PostgreSQL server; seeded
once, `--reseed` seeds again). The data: 20 organizers with 8-hour weekdays, 600 clients, one year (2025) of
visits, 3 per organizer and weekday (about 15,600) with cancellations, late cancellations, no-shows and redos, and
one consume move on each completed visit.

Timed (wall clock, `time.perf_counter`, medians and p95):
- `rollup_day` of 30 spread days, after one warm-up (each in its own transaction, as the beat task runs it);
- billing's charges sync that each run starts with (on a freshly seeded database it creates every charge; on
  later runs it only checks);
- `rollup_range` over the whole year (the backfill, that sync included), once; the 5-year figure is the sync
  plus 5 × the rest (a day's work does not grow with history: its queries are bounded by the day or 90 days);
- the owner home through Django's test client over a week, a year and the whole stored range: p50 / p95 of 20
  requests after 3 warm-ups, and the query count of one request.

Prints a Markdown table for docs/PERFORMANCE.md.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "organizer_pm.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

DB = "bench_kpi"
YEAR = (date(2025, 1, 1), date(2025, 12, 31))
ORGANIZERS, CLIENTS = 20, 600


def use_database(name: str, *, reseed: bool) -> None:
    connections["default"].close()
    settings.DATABASES["default"]["NAME"] = "organizer_pm"
    settings.DATABASES["default"]["TEST"]["NAME"] = name
    connections["default"].creation.create_test_db(verbosity=0, autoclobber=True, keepdb=not reseed)


def seed() -> None:
    from accounts.models import User
    from accounts.services import organizer_profile_ensure
    from billing.models import RedoLink
    from clients.models import Client as ClientModel
    from clients.models import Site
    from operations.models import Appointment, AppointmentType, Item, Location, StockMove

    if User.objects.filter(email="owner@bench.example").exists():
        return
    rng = random.Random(7)
    User.objects.create(email="owner@bench.example", role="owner", first_name="Owner")
    people = []
    for n in range(ORGANIZERS):
        user = User.objects.create(email=f"o{n}@bench.example", role="organizer", first_name=f"Org{n}")
        organizer_profile_ensure(user=user)
        people.append(user)
    clients = ClientModel.objects.bulk_create(
        [ClientModel(name=f"Client {n}", status="active") for n in range(CLIENTS)]
    )
    sites = Site.objects.bulk_create([Site(client=c, street="1 Main St", city="Springfield") for c in clients])
    kind = AppointmentType.objects.create(name="Organizing session")
    zone = settings.BUSINESS_TIME_ZONE
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(zone)
    visits, owners = [], []
    day = YEAR[0]
    while day <= YEAR[1]:
        if day.weekday() < 5:
            for person in people:
                for slot in range(3):
                    starts = datetime.combine(day, datetime.min.time(), tzinfo=tz) + timedelta(hours=8 + 3 * slot)
                    status = rng.choices(
                        ["completed", "cancelled", "late_cancelled", "no_show"], weights=[85, 7, 5, 3]
                    )[0]
                    c = rng.randrange(CLIENTS)
                    visits.append(Appointment(
                        client=clients[c], site=sites[c], appointment_type=kind, starts=starts,
                        ends=starts + timedelta(hours=2), blocked_until=starts + timedelta(hours=2), status=status,
                    ))  # fmt: skip
                    owners.append(person)
        day += timedelta(days=1)
    Appointment.objects.bulk_create(visits, batch_size=5000)
    through = Appointment.organizers.through
    through.objects.bulk_create(
        [through(appointment_id=v.pk, user_id=p.pk) for v, p in zip(visits, owners, strict=True)], batch_size=10000
    )
    done = [v for v in visits if v.status == "completed"]
    RedoLink.objects.bulk_create([RedoLink(visit=v, redo_of=done[i - 1]) for i, v in enumerate(done) if i % 40 == 39])
    warehouse = Location.objects.create(kind="warehouse", name="Warehouse")
    consumed = Location.objects.get_or_create(kind="consumed", defaults={"name": "Used on jobs"})[0]
    item = Item.objects.create(sku="BOX", name="Box")
    StockMove.objects.bulk_create(
        [StockMove(item=item, qty=Decimal("1"), unit_cost=Decimal("4.50"), from_location=warehouse,
                   to_location=consumed, reason="consume", appointment=v) for v in done],
        batch_size=5000,
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def main() -> None:
    from organizer_pm.dashboard import rollups

    use_database(DB, reseed="--reseed" in sys.argv)
    setup_test_environment()
    seed()
    from billing import rollups as billing_rollups

    rows = []
    sync = timed(billing_rollups.prepare) / 1000  # billing's charges_sync, run once before each backfill
    rows.append(("charges sync before a run (s; the first run on fresh data syncs every visit)", sync, sync, "—"))
    rng = random.Random(3)
    days = sorted(YEAR[0] + timedelta(days=rng.randrange(365)) for _ in range(30))
    rollups.rollup_day(days[0])
    one_day = [timed(lambda d=d: rollups.rollup_day(d)) for d in days]
    rows.append(("rollup of one closed day", statistics.median(one_day), p95(one_day), "—"))
    backfill = timed(lambda: rollups.rollup_range(*YEAR)) / 1000
    rows.append(("backfill of one year (s)", backfill, backfill, "—"))
    five = sync + 5 * (backfill - sync)  # one sync per run; the days' work grows with the number of days
    rows.append(("backfill of five years, estimated (s)", five, five, "—"))
    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email="owner@bench.example"))
    for label, query in (
        ("owner home, one week", "window=custom&start=2025-06-02&end=2025-06-08"),
        ("owner home, one year", "window=custom&start=2025-01-01&end=2025-12-31"),
        ("owner home, 2021-2025 (one year stored)", "window=custom&start=2021-01-01&end=2025-12-31"),
    ):
        for _ in range(3):
            client.get("/?" + query)
        times = [timed(lambda q=query: client.get("/?" + q)) for _ in range(20)]
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/?" + query).status_code == 200
        rows.append((label, statistics.median(times), p95(times), str(len(captured.captured_queries))))
    load = os.getloadavg()[0]
    print(f"\nMachine: {os.cpu_count()} cores; load average {load:.1f} at the end ({datetime.now(UTC):%H:%M}Z)\n")
    print("| What | p50 (ms) | p95 (ms) | queries |")
    print("|---|---|---|---|")
    for label, p50, high, queries in rows:
        print(f"| {label} | {p50:.1f} | {high:.1f} | {queries} |")


if __name__ == "__main__":
    main()
