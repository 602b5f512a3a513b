"""Billing under concurrency with real PostgreSQL transactions (threads, each with its own connection), and the
beat task on a real Celery worker (never eager)."""

import threading
import time
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection

from billing import charges, invoices
from billing.models import Charge, Counter, Invoice, PackageEntry
from billing.tasks import charges_sync as charges_sync_task
from tests.billing.world import build_world, ny, sell_package, visit

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]


def _together(*calls):
    """Run the calls at the same moment in threads with their own database connections; return results/errors."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - reported to the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_P14_concurrent_charges_sync_creates_one_charge_and_one_drawdown():
    world = build_world()
    sell_package(world, world.carol, on=ny(2026, 6, 1, 9))
    visit(world.carol, world.organizing, [world.alice], ny(2026, 6, 2, 9), ny(2026, 6, 2, 12))
    results = _together(*[lambda: charges.charges_sync_client(client=world.carol)] * 3)
    assert sorted(results) == [0, 0, 1]
    assert Charge.objects.filter(client=world.carol).count() == 1
    assert PackageEntry.objects.filter(kind="drawdown").count() == 1


def test_P14_two_batch_runs_create_one_invoice():
    world = build_world()
    visit(world.carol, world.organizing, [world.alice], ny(2026, 6, 2, 9), ny(2026, 6, 2, 12))
    results = _together(
        lambda: invoices.invoice_create(client=world.carol, creation_key="batch-1"),
        lambda: invoices.invoice_create(client=world.carol, creation_key="batch-2"),
    )
    made = [r for r in results if isinstance(r, Invoice)]
    refused = [r for r in results if not isinstance(r, Invoice)]
    assert len(made) == 1 and len(refused) == 1 and refused[0].code == "nothing_to_invoice"
    assert Invoice.objects.count() == 1


def test_P9_two_users_issuing_at_once_get_consecutive_numbers():
    world = build_world()
    Counter.objects.create(name="invoice-2026", value=41)
    drafts = []
    for day in (2, 3):
        visit(world.carol, world.organizing, [world.alice], ny(2026, 6, day, 9), ny(2026, 6, day, 12))
        drafts.append(invoices.invoice_create(client=world.carol, creation_key=f"d{day}"))
    results = _together(*[lambda d=d: invoices.invoice_issue(invoice=d, now=ny(2026, 6, 5, 9)) for d in drafts])
    assert sorted(r.number for r in results) == ["2026-0042", "2026-0043"]


def test_beat_runs_charges_sync_on_a_real_worker(celery_worker_real):
    assert settings.CELERY_BEAT_SCHEDULE["billing-charges-sync"]["task"] == "billing.charges_sync"
    assert settings.CELERY_BEAT_SCHEDULE["billing-charges-sync"]["schedule"] <= 10 * 60
    world = build_world()
    visit(world.carol, world.organizing, [world.alice], ny(2026, 6, 2, 9), ny(2026, 6, 2, 12))
    charges_sync_task.delay()
    deadline = time.monotonic() + 20
    while not Charge.objects.filter(client=world.carol).exists():
        assert time.monotonic() < deadline, "the worker did not run the task"
        time.sleep(0.1)
    assert Charge.objects.get(client=world.carol).amount == Decimal("270.00")
    charges_sync_task.delay()  # a rerun writes nothing
    charges_sync_task.delay()
    time.sleep(1)
    assert Charge.objects.filter(client=world.carol).count() == 1
