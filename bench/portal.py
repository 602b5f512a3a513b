"""Benchmark: the client portal's pages for a client with three years of visits, among 200 clients.

Run: `.venv/bin/python bench/portal.py` (its own database, `bench_portal`, on the app's PostgreSQL server: the
embedded one or DATABASE_URL's; seeded once, `--reseed` seeds again). Target (docs/specs/portal.md): the portal
home at most 150 ms at p95.

The fixture: 10 organizers, 200 clients with a site, a primary contact and a portal user each; every client has
visits every two weeks for three years back and three months ahead (about 90 visits a client, 18,000 in all,
bulk-created), two organizers on each visit.

Measured through Django's test client in-process (real middleware, templates, ORM), signed in as one client's
portal user (Django's login, which starts the portal session clock as the code sign-in does): p50 / p95 of 50
requests after 5 warm-ups, and the SQL queries of one request. The query count is compared with a client that
has a single visit: equal counts mean no query per visit. Results go to docs/PERFORMANCE.md by hand.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

# bench/ must not be on the path: bench/calendar.py would shadow the standard library's calendar module.
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

DB = "bench_portal"
CLIENTS, ORGANIZERS = 200, 10
NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)
RUNS = 50


def use_database(*, reseed: bool) -> None:
    settings.DATABASES["default"]["TEST"]["NAME"] = DB
    connections["default"].creation.create_test_db(verbosity=0, autoclobber=True, keepdb=not reseed)


def seed() -> None:
    from accounts.services import user_create
    from clients import portal_services
    from clients.models import Client as Customer
    from clients.models import Contact, Site
    from operations.models import Appointment, AppointmentType

    if Customer.all_objects.count() >= CLIENTS:
        return
    owner = user_create(actor=None, email="bench-owner@example.com", role="owner", password=None)
    organizers = [
        user_create(
            actor=None,
            email=f"org{n}@example.com",
            role="organizer",
            password=None,
            first_name=f"Org{n}",
            last_name="Surname",
        )  # fmt: skip
        for n in range(ORGANIZERS)
    ]
    atype = AppointmentType.objects.create(name="Organizing session")
    clients = Customer.objects.bulk_create(Customer(name=f"Client {n:03d}") for n in range(CLIENTS + 1))
    Site.objects.bulk_create(Site(client=c, label="Home", street=f"{n} Elm Row", city="Montclair")
                             for n, c in enumerate(clients))  # fmt: skip
    contacts = Contact.objects.bulk_create(
        Contact(client=c, name=f"Contact {n}", email=f"contact{n}@example.org", is_primary=True)
        for n, c in enumerate(clients)
    )
    for contact in contacts:
        portal_services.portal_invite(actor=owner, contact=contact)
    sites = {s.client_id: s for s in Site.objects.all()}
    rows, who = [], []
    for n, client in enumerate(clients[:CLIENTS]):
        first = NOW - timedelta(days=3 * 365) + timedelta(hours=n % 48)
        for k in range(0, 3 * 365 + 90, 14):
            starts = first + timedelta(days=k)
            done = starts < NOW
            rows.append(Appointment(client=client, site=sites[client.pk], appointment_type=atype, starts=starts,
                                    ends=starts + timedelta(hours=3), blocked_until=starts + timedelta(hours=3),
                                    status="completed" if done else "scheduled"))  # fmt: skip
            who.append((organizers[n % ORGANIZERS], organizers[(n + 1) % ORGANIZERS]))
    single, starts = clients[CLIENTS], NOW + timedelta(days=9)
    ends = starts + timedelta(hours=3)
    rows.append(Appointment(client=single, site=sites[single.pk], appointment_type=atype, starts=starts, ends=ends,
                            blocked_until=ends))  # fmt: skip
    who.append((organizers[0], organizers[1]))
    made = Appointment.objects.bulk_create(rows, batch_size=5000)
    through = Appointment.organizers.through
    through.objects.bulk_create(
        [through(appointment_id=a.pk, user_id=o.pk) for a, pair in zip(made, who, strict=True) for o in pair],
        batch_size=5000,
    )


def measure(client: Client, url: str) -> tuple[float, float, int]:
    for _ in range(5):
        assert client.get(url).status_code == 200, url
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], len(queries)


def signed_in(email: str) -> Client:
    from accounts.models import User

    browser = Client()
    browser.force_login(User.objects.get(email=email))
    return browser


def main() -> None:
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.SECURE_SSL_REDIRECT = False
    use_database(reseed="--reseed" in sys.argv)
    started = time.perf_counter()
    seed()
    from operations.models import Appointment

    print(f"seeded in {time.perf_counter() - started:.1f} s: {Appointment.objects.count()} visits")
    busy, single = signed_in("contact0@example.org"), signed_in(f"contact{CLIENTS}@example.org")
    visit = Appointment.objects.filter(client__name="Client 000", starts__gt=datetime.now(UTC)).order_by("starts")[0]
    single_visit = Appointment.objects.get(client__name=f"Client {CLIENTS:03d}")
    pages = [
        ("portal home", "/portal/", "/portal/"),
        ("visits (upcoming and the last 20)", "/portal/visits/", "/portal/visits/"),
        ("one visit", f"/portal/visits/{visit.pk}/", f"/portal/visits/{single_visit.pk}/"),
        ("bills", "/portal/bills/", "/portal/bills/"),
    ]
    print("| page | p50 ms | p95 ms | queries | queries (one-visit client) |")
    print("|---|---:|---:|---:|---:|")
    for label, url, single_url in pages:
        p50, p95, queries = measure(busy, url)
        _, _, single_queries = measure(single, single_url)
        print(f"| {label} | {p50:.1f} | {p95:.1f} | {queries} | {single_queries} |", flush=True)


if __name__ == "__main__":
    main()
