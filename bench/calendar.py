"""Benchmark: the week calendar JSON and My day with 20 organizers and one year of visits.

Run: `.venv/bin/python bench/calendar.py` (uses its own database, `bench_organizer_pm`, on the same PostgreSQL
server as the app: the embedded one, or DATABASE_URL's). It seeds once (about 15,600 visits), then measures each
page through Django's test client, in-process, with the real middleware, templates and ORM:

- p50 / p95 of 50 requests after 5 warm-ups;
- the number of SQL queries of one request, for a week with 1 visit per organizer and for the full load, side by
  side: the counts must be equal (no query per visit).

Results go to docs/PERFORMANCE.md by hand (the script prints a Markdown table).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Run as a script, Python puts bench/ first on sys.path, where this file would shadow the standard library's
# `calendar` module for everything imported below. Put the repository root there instead.
BENCH_DIR = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(BENCH_DIR.parent))

import statistics  # noqa: E402
import time  # noqa: E402
from datetime import UTC, date, datetime, timedelta  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "organizer_pm.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

BENCH_DB = "bench_organizer_pm"
ORGANIZERS = 20
VISITS_PER_DAY = 3
WEEK_START = date(2027, 3, 1)  # a Monday inside the seeded year


def use_bench_database() -> None:
    settings.DATABASES["default"]["TEST"]["NAME"] = BENCH_DB  # keep the other TEST defaults (CHARSET, ...)
    connections["default"].creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True)


def seed() -> None:
    from accounts.models import User
    from accounts.services import organizer_profile_ensure, user_create
    from operations.models import Appointment, AppointmentType, OrganizerBlock
    from tests.clients.factories import ClientFactory, SiteFactory

    if Appointment.objects.count() > 10_000:
        return
    kind, _ = AppointmentType.objects.get_or_create(name="Bench session", defaults={"default_duration_min": 120})
    user_create(actor=None, email="bench-office@example.com", role="office", password=None)
    organizers = []
    for n in range(ORGANIZERS):
        user = User.objects.create(email=f"bench{n}@example.com", role="organizer", first_name=f"Org{n}")
        organizer_profile_ensure(user=user)
        organizers.append(user)
    clients = [ClientFactory() for _ in range(40)]
    sites = [SiteFactory(client=c, time_zone="America/New_York") for c in clients]
    visits, owners = [], []
    day = date(2026, 9, 1)
    while day < date(2027, 9, 1):
        if day.weekday() < 5:
            for i, organizer in enumerate(organizers):
                for slot in range(VISITS_PER_DAY):
                    starts = datetime(day.year, day.month, day.day, 13 + slot * 3, tzinfo=UTC)
                    site = sites[(i + slot) % len(sites)]
                    visits.append(Appointment(client_id=site.client_id, site=site, appointment_type=kind,
                                              starts=starts, ends=starts + timedelta(hours=2),
                                              blocked_until=starts + timedelta(hours=2, minutes=30)))  # fmt: skip
                    owners.append(organizer)
        day += timedelta(days=1)
    Appointment.objects.bulk_create(visits, batch_size=2000)
    through = Appointment.organizers.through
    through.objects.bulk_create(
        [through(appointment_id=v.pk, user_id=o.pk) for v, o in zip(visits, owners, strict=True)], batch_size=5000
    )
    OrganizerBlock.objects.bulk_create(
        [OrganizerBlock(organizer=o, kind="appointment", appointment=v, starts=v.starts, ends=v.ends,
                        blocked_until=v.blocked_until) for v, o in zip(visits, owners, strict=True)],
        batch_size=5000,
    )  # fmt: skip


def measure(client: Client, url: str, runs: int = 50) -> tuple[float, float, int]:
    for _ in range(5):
        assert client.get(url).status_code == 200
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], len(queries)


def main() -> None:
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.SECURE_SSL_REDIRECT = False
    use_bench_database()
    started = time.perf_counter()
    seed()
    from accounts.models import User
    from operations.models import Appointment

    print(f"seeded in {time.perf_counter() - started:.1f} s: {Appointment.objects.count()} visits")
    office = User.objects.get(email="bench-office@example.com")
    organizer = User.objects.get(email="bench0@example.com")
    staff, own = Client(), Client()
    staff.force_login(office)
    own.force_login(organizer)
    week = (
        reverse("operations:calendar_events")
        + f"?start={WEEK_START.isoformat()}T00:00:00Z&end={(WEEK_START + timedelta(days=7)).isoformat()}T00:00:00Z"
    )
    sparse_week = week.replace("2027-03-01", "2027-08-30").replace("2027-03-08", "2027-08-31")
    rows = [
        ("week calendar JSON, all 20 organizers (300 visits)", staff, week),
        ("week calendar JSON, one day (60 visits)", staff, sparse_week),
        ("My day, one organizer (3 visits)", own, reverse("operations:my_day") + "?date=2027-03-02"),
    ]
    print("| page | p50 ms | p95 ms | queries |")
    print("|---|---:|---:|---:|")
    for label, client, url in rows:
        p50, p95, queries = measure(client, url)
        print(f"| {label} | {p50:.1f} | {p95:.1f} | {queries} |")


if __name__ == "__main__":
    main()
