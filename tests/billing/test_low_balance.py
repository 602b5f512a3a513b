"""The low-balance alert of hour packages (docs/specs/billing.md "Packages", P3): one notice per downward crossing
of the client's package minutes below the threshold, re-armed by a top-up, never doubled by two drawdowns at
once, and e-mailed to the owner once through the notices outbox."""

import threading
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection, transaction

from billing import money as bm
from billing import notices, packages
from billing.models import BillingNotice, Charge, PackageProduct
from tests.accounts.factories import UserFactory
from tests.billing.world import build_world, ny, sell_package, sync, visit


def _hours(world, client, day, minutes):
    visit(client, world.organizing, [world.alice], ny(2026, 6, day, 8), ny(2026, 6, day, 8 + minutes // 60,
          minutes % 60))  # fmt: skip
    sync(client)


def test_P3_one_notice_per_crossing_and_a_top_up_rearms_it(world, mailoutbox):
    UserFactory(role="owner", email="owner@low.example")
    first = sell_package(world, world.carol, on=ny(2026, 6, 1, 9))
    for day, minutes in ((2, 240), (3, 300), (4, 270), (5, 240)):  # 1200 -> 150: crosses 240 once
        _hours(world, world.carol, day, minutes)
    assert BillingNotice.objects.count() == 1
    _hours(world, world.carol, 6, 60)  # billed 180 (the minimum): 150 -> 0, still below: no second notice
    assert BillingNotice.objects.count() == 1
    top_up = PackageProduct.objects.create(name="Top-up", minutes=300, price=Decimal("425.00"), low_balance_minutes=240)
    world.package = top_up
    sell_package(world, world.carol, key="top-up", on=ny(2026, 6, 7, 9))  # 0 + 300 >= 240: re-armed
    _hours(world, world.carol, 8, 180)  # 300 -> 120: a second crossing
    assert [n.package_id for n in BillingNotice.objects.order_by("pk")][0] == first.pk
    assert BillingNotice.objects.count() == 2
    assert notices.notices_dispatch() == 2
    assert [m.to for m in mailoutbox] == [["owner@low.example"]] * 2
    assert "Carol" in mailoutbox[0].subject and bm.minutes_text(120) in mailoutbox[1].body
    assert mailoutbox[0].extra_headers["Idempotency-Key"].startswith("billing-notice-")
    assert notices.notices_dispatch() == 0 and len(mailoutbox) == 2  # sent once


def test_the_notices_outbox_is_dispatched_by_beat_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["billing-dispatch-notices"]
    assert entry["task"] == "billing.dispatch_notices" and entry["schedule"] <= 60


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(120)
def test_P3_two_drawdowns_at_once_write_one_notice():
    world = build_world()
    world.package = PackageProduct.objects.create(name="5 h", minutes=300, price=Decimal("425.00"),
                                                  low_balance_minutes=240)  # fmt: skip
    sell_package(world, world.carol, on=ny(2026, 6, 1, 9))
    day = ny(2026, 6, 2, 9).date()
    made = [
        Charge.objects.create(client=world.carol, kind="visit_time", source_key=f"race:{n}", amount=0,
                              service_date=day, description="race")
        for n in range(2)
    ]  # fmt: skip
    barrier = threading.Barrier(2)
    errors = []

    def draw(charge):
        try:
            barrier.wait()
            with transaction.atomic():
                packages.draw(client=world.carol, minutes=100, on=charge.service_date, charge=charge)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=draw, args=(c,)) for c in made]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert packages.client_balance(world.carol, ny(2026, 6, 2, 9).date()) == 100  # 300 - 100 - 100
    assert BillingNotice.objects.count() == 1


@pytest.mark.timeout(120)
def test_a_real_worker_sends_each_notice_once(celery_worker_real, mailoutbox):
    import time

    from billing.tasks import dispatch_notices

    UserFactory(role="owner", email="owner@worker.example")
    world = build_world()
    sell_package(world, world.carol, on=ny(2026, 6, 1, 9))
    _hours(world, world.carol, 2, 600)
    _hours(world, world.carol, 3, 405)  # 600 -> 195: one crossing
    assert BillingNotice.objects.filter(sent_at__isnull=True).count() == 1
    for _ in range(3):  # a redelivered or repeated tick sends nothing more
        dispatch_notices.delay()
    deadline = time.monotonic() + 20
    while BillingNotice.objects.filter(sent_at__isnull=True).exists():
        assert time.monotonic() < deadline, "the worker did not send the notice"
        time.sleep(0.1)
    time.sleep(1)
    assert [m.to for m in mailoutbox] == [["owner@worker.example"]]
