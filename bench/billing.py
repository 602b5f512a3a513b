"""Benchmark: batch invoicing one month for 200 clients (about 2,000 charges), and the ready-to-invoice page, a
client's billing tab and the finance page on five years of history for those 200 clients.

Run: `.venv/bin/python bench/billing.py` (its own database, `bench_billing`, on the app's PostgreSQL server: the
embedded one or DATABASE_URL's; seeded once, `--reseed` drops and seeds it again; `--batch-only` skips the
pages). Target: the month's batch in at most 10 s.

The fixture: 20 organizers, one hourly appointment type (minimum 180 min), 200 clients with a site each. History,
2021-11 to 2026-10 (60 months): two finished 3-hour visits per client per month (24,000 visits), their charges
derived by `charges_sync`, and one issued invoice per client and month holding them, paid in full by a payment
allocated to it (12,000 invoices, 24,000 lines, 12,000 payments), bulk-created with the same line values and
totals the services compute. The month to bill, 2026-11: ten finished visits per client (2,000 visits), not yet
charged.

Measured, through Django's test client in-process (real middleware, templates, ORM), as the owner:
- the batch: `billing.batches.batch_run` on a new job, i.e. what the Celery job runs: per client an incremental
  charges sync (derives the month's 2,000 charges) and one draft. Then the drafts are deleted and the batch run
  again (the charges already exist): both times are printed. Before the first run the month's charges are
  deleted (no line holds them) and its visits marked as saved now, i.e. after every client's last sync.
- p50 / p95 of 20 requests after 3 warm-ups (5 requests after 1 for a page slower than 1 s), and the SQL queries
  of one request, for each page: first with the month's visits finished and not charged yet (pages show them as
  pending; the script asserts that the pages wrote nothing), then with the month charged and not invoiced.

Results go to docs/PERFORMANCE.md by hand (the script prints a Markdown table).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
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
from django.urls import reverse  # noqa: E402

DB = os.environ.get("BENCH_DB", "bench_billing")  # another name keeps two checkouts' benches apart
CLIENTS, ORGANIZERS, MONTHS, HISTORY_VISITS, MONTH_VISITS = 200, 20, 60, 2, 10
FIRST_MONTH = date(2021, 11, 1)
BILL_MONTH = date(2026, 11, 1)
RUNS = 20


def use_database(name: str, *, reseed: bool) -> None:
    connections["default"].close()
    settings.DATABASES["default"]["NAME"] = "organizer_pm"
    settings.DATABASES["default"]["TEST"]["NAME"] = name
    connections["default"].creation.create_test_db(verbosity=0, autoclobber=True, keepdb=not reseed, serialize=False)


def month_add(day: date, months: int) -> date:
    total = day.year * 12 + day.month - 1 + months
    return date(total // 12, total % 12 + 1, 1)


def visits_for(clients, organizers, atype, month: date, per_client: int) -> None:
    """Finished 3-hour visits, ten clients per organizer, never overlapping for an organizer."""
    from operations.models import Appointment

    rows, who = [], []
    for n, client in enumerate(clients):
        organizer = organizers[n // (CLIENTS // ORGANIZERS)]
        for k in range(per_client):
            slot = (n % (CLIENTS // ORGANIZERS)) * per_client + k
            day, quarter = divmod(slot, 4)
            starts = datetime(month.year, month.month, 1 + day, 6 + 4 * quarter, tzinfo=UTC)
            ends = starts + timedelta(hours=3)
            rows.append(Appointment(client=client, site=client.site_cache, appointment_type=atype, starts=starts,
                                    ends=ends, blocked_until=ends, status="completed", actual_start=starts,
                                    actual_end=ends))  # fmt: skip
            who.append(organizer)
    made = Appointment.objects.bulk_create(rows, batch_size=5000)
    through = Appointment.organizers.through
    through.objects.bulk_create(
        [through(appointment_id=a.pk, user_id=o.pk) for a, o in zip(made, who, strict=True)], batch_size=5000
    )


def seed() -> None:
    from accounts.services import user_create
    from billing import charges, totals
    from billing.models import Allocation, Charge, Invoice, InvoiceLine, Payment, TypePricing
    from clients.models import Client as Customer
    from clients.models import Site
    from operations.models import AppointmentType

    if Customer.all_objects.exists():
        month_seed()
        return
    started = time.perf_counter()
    user_create(actor=None, email="bench-owner@example.com", role="owner", password=None)
    organizers = []
    for n in range(ORGANIZERS):
        user = user_create(actor=None, email=f"org{n}@example.com", role="organizer", password=None,
                           first_name=f"Org{n}")  # fmt: skip
        user.organizer_profile.billable_rate = Decimal(80 + n)
        user.organizer_profile.save()
        organizers.append(user)
    atype = AppointmentType.objects.create(name="Organizing session", billable_rate=Decimal("90.00"))
    TypePricing.objects.create(appointment_type=atype, pricing="hourly", minimum_minutes=180)
    clients = Customer.objects.bulk_create(Customer(name=f"Client {n:03d}") for n in range(CLIENTS))
    sites = Site.objects.bulk_create(Site(client=c, label="Home") for c in clients)
    for client, site in zip(clients, sites, strict=True):
        client.site_cache = site
    for m in range(MONTHS):
        visits_for(clients, organizers, atype, month_add(FIRST_MONTH, m), HISTORY_VISITS)
    print(f"history visits in {time.perf_counter() - started:.0f} s", flush=True)
    charges.charges_sync()
    print(f"history charges derived in {time.perf_counter() - started:.0f} s", flush=True)
    numbers = {}
    for client in clients:
        by_month: dict[date, list] = {}
        for charge in Charge.objects.filter(client=client).order_by("service_date", "pk"):
            by_month.setdefault(charge.service_date.replace(day=1), []).append(charge)
        invoices, lines = [], []
        for month, found in sorted(by_month.items()):
            issue = month_add(month, 1)
            numbers[issue.year] = numbers.get(issue.year, 0) + 1
            values = [totals.line_values(c) for c in found]
            subtotal = sum((v["amount"] for v in values), Decimal("0"))
            tax = sum((v["tax_amount"] for v in values), Decimal("0"))
            invoices.append(Invoice(client=client, status="paid", number=f"{issue.year}-{numbers[issue.year]:05d}",
                                    issue_date=issue, due_date=issue + timedelta(days=15),
                                    issued_at=datetime(issue.year, issue.month, 1, 15, tzinfo=UTC), subtotal=subtotal,
                                    tax_total=tax, total=subtotal + tax, amount_due=Decimal("0.00")))  # fmt: skip
            lines.append([(c, v) for c, v in zip(found, values, strict=True)])
        invoices = Invoice.objects.bulk_create(invoices)
        InvoiceLine.objects.bulk_create([
            InvoiceLine(invoice=inv, kind="charge", charge=c, locked=True, **v)
            for inv, pairs in zip(invoices, lines, strict=True) for c, v in pairs
        ])  # fmt: skip
        payments = Payment.objects.bulk_create(
            Payment(client=client, received_on=inv.issue_date + timedelta(days=10), amount=inv.total, method="check")
            for inv in invoices
        )
        Allocation.objects.bulk_create(
            Allocation(invoice=inv, payment=p, amount=inv.total, applied_on=p.received_on)
            for inv, p in zip(invoices, payments, strict=True)
        )
    from billing.models import Counter

    Counter.objects.bulk_create(Counter(name=f"invoice-{y}", value=v) for y, v in numbers.items())
    month_seed()
    print(f"seeded in {time.perf_counter() - started:.0f} s", flush=True)


def month_seed() -> None:
    """The month to bill: ten finished visits per client, once."""
    from accounts.models import User
    from clients.models import Client as Customer
    from operations.models import Appointment, AppointmentType

    if Appointment.objects.filter(starts__gte=datetime(BILL_MONTH.year, BILL_MONTH.month, 1, tzinfo=UTC)).exists():
        return
    clients = list(Customer.all_objects.order_by("pk").prefetch_related("sites"))
    for client in clients:
        client.site_cache = client.sites.all()[0]
    organizers = list(User.objects.filter(role="organizer").order_by("pk"))
    visits_for(clients, organizers, AppointmentType.objects.get(), BILL_MONTH, MONTH_VISITS)


def measure(client: Client, url: str, runs: int = RUNS) -> tuple[float, float, int]:
    """p50, p95 (of `runs`; 5 for a page slower than 1 s, whose p95 is then its slowest) and the query count."""
    for _ in range(3):
        started = time.perf_counter()
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        if time.perf_counter() - started > 1:
            runs = 5
            break
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return statistics.median(times), times[max(int(len(times) * 0.95) - 1, 0) if runs >= 20 else -1], len(queries)


def batch_seconds(key: str) -> tuple[float, int, int]:
    from billing import batches

    batch = batches.batch_start(batch_key=key)
    connection.queries_log.clear()  # the log keeps 9,000 queries: counted from empty, the count is exact below that
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        batch = batches.batch_run(batch_id=batch.pk)
    return time.perf_counter() - started, batch.made, queries.final_queries - queries.initial_queries


def drafts_delete() -> None:
    from billing import invoices
    from billing.models import Invoice, InvoiceBatch

    for draft in Invoice.objects.filter(status="draft"):
        invoices.invoice_delete_draft(invoice=draft)
    InvoiceBatch.objects.all().delete()


def month_unsynced() -> None:
    """The month as it stands when its visits have just been finished: no charges yet (none is on a line), the
    visits saved after every client's last charges sync."""
    from django.utils import timezone

    from billing.models import Charge, ChargeSyncMark
    from operations.models import Appointment

    Charge.objects.filter(service_date__gte=BILL_MONTH, lines__isnull=True).delete()
    month = datetime(BILL_MONTH.year, BILL_MONTH.month, 1, tzinfo=UTC)
    now = timezone.now()
    # The history was last saved long ago and synced an hour ago (a fresh seed has just written all of it, which
    # a sync would reread within its 10-minute overlap); the month's visits were finished since.
    Appointment.objects.filter(starts__lt=month, updated_at__gt=now - timedelta(days=1)).update(
        updated_at=now - timedelta(days=1)
    )
    ChargeSyncMark.objects.update(synced_at=now - timedelta(hours=1))
    Appointment.objects.filter(starts__gte=month).update(updated_at=now)
    with connection.cursor() as cursor:  # statistics as autovacuum would have them on a database in use
        cursor.execute("ANALYZE")


def pages_measure(client: Client, pages: list[tuple[str, str]], state: str) -> None:
    from billing.models import Charge, ChargeSyncMark

    before = (Charge.objects.count(), list(ChargeSyncMark.objects.order_by("pk").values_list("synced_at", flat=True)))
    for label, url in pages:
        p50, p95, queries = measure(client, url)
        print(f"| {label}, {state} | {p50:.0f} | {p95:.0f} | {queries} |", flush=True)
    after = (Charge.objects.count(), list(ChargeSyncMark.objects.order_by("pk").values_list("synced_at", flat=True)))
    assert before == after, "a GET page wrote"


def main() -> None:
    from accounts.models import User
    from billing import charges
    from billing.models import Charge, ChargeSyncMark, Invoice
    from clients.models import Client as Customer
    from operations.models import Appointment
    from tests.support import mfa

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.SECURE_SSL_REDIRECT = False
    use_database(DB, reseed="--reseed" in sys.argv)
    seed()
    drafts_delete()
    if not ChargeSyncMark.objects.exists():  # a database seeded before watermarks: one full sync, untimed
        started = time.perf_counter()
        charges.charges_sync()
        print(f"first full sync in {time.perf_counter() - started:.0f} s", flush=True)
    month_unsynced()
    print(
        f"{Customer.all_objects.count()} clients, {Appointment.objects.count()} visits, "
        f"{Charge.objects.count()} charges, {Invoice.objects.count()} invoices; load {os.getloadavg()[0]:.1f}"
    )
    client = Client()
    owner = User.objects.get(email="bench-owner@example.com")
    client.force_login(owner)
    session = client.session  # the owner must pass a second factor (RequireMFAMiddleware): the tests' stand-in
    mfa.mark_session_passed(session, owner)
    session.save()
    some = Customer.all_objects.order_by("pk")[CLIENTS // 2]
    pages = [
        ("ready to invoice", reverse("billing:ready")),
        ("client billing tab (5 years)", reverse("billing:client_billing_panel", args=[some.pk])),
        ("finance page (AR aging, 12 months, deferred, credit)", reverse("billing:finance")),
    ]  # fmt: skip
    print("| page | p50 ms | p95 ms | queries |")
    print("|---|---:|---:|---:|")
    batch_only = "--batch-only" in sys.argv
    if not batch_only:
        pages_measure(client, pages, "the month finished, not charged yet (pending)")
    first, made, queries = batch_seconds("bench-1")
    month = Charge.objects.filter(service_date__gte=BILL_MONTH).count()
    print(f"| batch, first run (sync + drafts): {made} drafts, {month} charges | {first:.2f} s | | {queries} |")
    drafts_delete()
    second, made, queries = batch_seconds("bench-2")
    print(f"| batch, charges already derived: {made} drafts | {second:.2f} s | | {queries} |", flush=True)
    drafts_delete()
    if not batch_only:
        pages_measure(client, pages[:2], "the month charged, not invoiced")
    print(f"load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
