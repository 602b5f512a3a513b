"""Keeping charges current (docs/specs/billing.md "Keeping charges current"): pages never write, they show work
not charged yet as pending; "Update charges", invoicing and beat sync; a sync reads only what changed since the
client's watermark, and edits after invoicing still become adjustments (P15)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing import charges, watermarks
from billing.models import Charge, ChargeSyncMark
from operations.models import Appointment
from tests.accounts.factories import UserFactory
from tests.billing.world import issue_all, ny, sync, visit
from tests.clients.factories import ClientFactory, SiteFactory

D = Decimal
WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture
def owner(db):
    return UserFactory(role="owner", email="owner@sync.example")


def _age(client, *, hours=1):
    """The client's work and its last sync `hours` old: outside the sync's reread overlap."""
    Appointment.objects.filter(client=client).update(updated_at=F("updated_at") - timedelta(hours=hours))
    ChargeSyncMark.objects.filter(client=client).update(synced_at=F("synced_at") - timedelta(minutes=30 * hours))


def _writes(queries):
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]


def test_P14_get_pages_write_nothing_and_show_finished_work_as_pending(client, world, owner):
    visit(world.carol, world.organizing, [world.alice], ny(2026, 6, 2, 9), ny(2026, 6, 2, 12))
    client.force_login(owner)
    pages = [reverse("billing:ready"), reverse("billing:client_billing_panel", args=[world.carol.pk]),
             reverse("billing:invoice_create", args=[world.carol.pk]), reverse("billing:finance")]  # fmt: skip
    with CaptureQueriesContext(connection) as ctx:
        bodies = [client.get(url).content.decode() for url in pages]
    assert _writes(ctx.captured_queries) == []
    assert not Charge.objects.exists() and not ChargeSyncMark.objects.exists()
    assert "+1 pending" in bodies[0] and "Update charges" in bodies[0]
    assert "1 finished item not charged yet" in bodies[1]
    assert "priced and added when the draft is created" in bodies[2]


def test_P14_update_charges_charges_the_pending_work_once(client, world, owner):
    visit(world.carol, world.organizing, [world.alice], ny(2026, 6, 2, 9), ny(2026, 6, 2, 12))
    visit(world.dan, world.organizing, [world.alice], ny(2026, 6, 3, 9), ny(2026, 6, 3, 12))
    client.force_login(owner)
    response = client.post(reverse("billing:charges_update"), {"client": world.carol.pk})
    assert response.status_code == 302
    assert list(Charge.objects.values_list("client_id", "amount")) == [(world.carol.pk, D("270.00"))]
    assert watermarks.pending_counts() == {world.dan.pk: 1}
    assert client.post(reverse("billing:charges_update")).status_code == 302  # every client with changed work
    assert Charge.objects.count() == 2 and watermarks.pending_counts() == {}
    client.post(reverse("billing:charges_update"))
    assert Charge.objects.count() == 2
    page = client.get(reverse("billing:ready")).content.decode()
    assert "pending" not in page and "$270.00" in page and "$255.00" in page


def test_P14_update_charges_for_a_missing_client_is_404(client, world, owner):
    client.force_login(owner)
    assert client.post(reverse("billing:charges_update"), {"client": 999999}).status_code == 404


def test_P15_an_old_visit_edited_after_invoicing_is_found_by_the_watermark(world):
    v = visit(world.carol, world.organizing, [world.alice], ny(2026, 5, 12, 9), ny(2026, 5, 12, 12, 30))
    sync(world.carol)
    issue_all(world.carol, key="p15", now=ny(2026, 5, 13, 9))
    _age(world.carol)
    assert charges.clients_to_sync() == []  # beat has nothing to do
    v.refresh_from_db()
    v.actual_end = ny(2026, 5, 12, 13, 5)
    v.save()
    assert watermarks.pending_counts() == {world.carol.pk: 1}
    assert charges.clients_to_sync() == [world.carol.pk]
    charges.charges_sync()
    adjustment = Charge.objects.get(kind="adjustment")
    assert adjustment.amount == D("67.50") and adjustment.minutes_billed == 45
    assert charges.charges_sync_client(client=world.carol) == 0  # rerun inside the overlap: nothing new


def test_a_sync_rereads_only_the_changed_visits(world):
    old = visit(world.carol, world.organizing, [world.alice], ny(2026, 5, 1, 9), ny(2026, 5, 1, 12))
    sync(world.carol)
    _age(world.carol)
    Appointment.objects.filter(pk=old.pk).update(actual_end=ny(2026, 5, 1, 14))  # a raw edit: no updated_at
    new = visit(world.carol, world.organizing, [world.alice], ny(2026, 5, 2, 9), ny(2026, 5, 2, 12))
    found = watermarks.changed_sources(client_id=world.carol.pk, overlap=watermarks.OVERLAP, finished_only=False)
    assert found[world.carol.pk].visits == {new.pk}
    sync(world.carol)
    assert Charge.objects.get(visit=old).amount == D("270.00")  # not reread: only saves move updated_at


def test_a_visit_that_is_no_longer_finished_loses_its_unbilled_charge(world):
    v = visit(world.carol, world.organizing, [world.alice], ny(2026, 5, 1, 9), ny(2026, 5, 1, 12),
              status="late_cancelled")  # fmt: skip
    assert sync(world.carol)[0].amount > 0
    _age(world.carol)
    v.refresh_from_db()
    v.status = "cancelled"
    v.save()
    assert watermarks.pending_counts() == {}  # not finished: nothing to charge, but the sync rereads it
    assert [c.amount for c in sync(world.carol)] == [D("0.00")]


def test_P14_the_ready_page_costs_the_same_queries_for_three_clients_as_for_one(client, world, owner):
    client.force_login(owner)
    visit(world.carol, world.organizing, [world.alice], ny(2026, 6, 2, 9), ny(2026, 6, 2, 12))
    sync(world.carol)
    visit(world.carol, world.organizing, [world.alice], ny(2026, 6, 3, 9), ny(2026, 6, 3, 12))

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("billing:ready")).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for n in range(2):
        other = ClientFactory(name=f"Other {n}")
        SiteFactory(client=other)
        visit(other, world.organizing, [world.alice], ny(2026, 6, 4 + n, 9), ny(2026, 6, 4 + n, 12))
        sync(other)
        visit(other, world.organizing, [world.alice], ny(2026, 6, 10 + n, 9), ny(2026, 6, 10 + n, 12))
    assert count() == few


def test_beat_moves_the_watermark_of_clients_with_nothing_changed(world):
    visit(world.carol, world.organizing, [world.alice], ny(2026, 6, 2, 9), ny(2026, 6, 2, 12))
    charges.charges_sync()
    _age(world.carol)
    old = ChargeSyncMark.objects.get(client=world.carol).synced_at
    assert charges.charges_sync() == 0
    assert ChargeSyncMark.objects.get(client=world.carol).synced_at > old
    assert ChargeSyncMark.objects.filter(client=world.dan).exists()  # no work at all: marked too
