"""Batch invoicing as a Celery job with a progress bar (billing/batches.py): large batches go to the real worker
(never eager), the page polls a progress fragment, and a retried submit or a redelivered task makes nothing twice."""

import time
from datetime import timedelta

import pytest
from django.urls import reverse

from billing import batches
from billing.models import Invoice, InvoiceBatch
from billing.tasks import invoice_batch_run
from tests.accounts.factories import UserFactory
from tests.billing.world import _client, build_world, ny, visit


def ready_clients(world, count):
    clients = [world.carol, world.dan, *[_client(f"Batch client {i}") for i in range(count - 2)]]
    for n, who in enumerate(clients):
        start = ny(2026, 6, 2 + n % 20, 9)
        visit(who, world.organizing, [world.alice], start, start + timedelta(minutes=180))
    return clients


def wait_done(batch, timeout=60):
    deadline = time.monotonic() + timeout
    while InvoiceBatch.objects.get(pk=batch.pk).status != "done":
        assert time.monotonic() < deadline, "the worker did not finish the batch"
        time.sleep(0.2)
    batch.refresh_from_db()
    return batch


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(120)
def test_a_large_batch_runs_on_the_worker_with_progress_and_a_retry_makes_nothing_twice(
    celery_worker_real, client, settings
):
    settings.BILLING_BATCH_INLINE_MAX = 2
    world = build_world()
    ready_clients(world, 6)
    client.force_login(UserFactory(role="owner"))
    response = client.post(reverse("billing:invoice_batch"), {"creation_key": "june-batch"})
    batch = InvoiceBatch.objects.get(key="june-batch")
    assert response.status_code == 302 and response["Location"] == reverse("billing:batch_detail", args=[batch.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200 and b'id="batch-progress"' in page.content
    batch = wait_done(batch)
    assert (batch.total, batch.done, batch.made) == (6, 6, 6)
    assert Invoice.objects.filter(status="draft").count() == 6
    fragment = client.get(reverse("billing:batch_progress", args=[batch.pk]))
    assert b"6 of 6 clients" in fragment.content and b"hx-trigger" not in fragment.content  # polling stops
    again = client.post(reverse("billing:invoice_batch"), {"creation_key": "june-batch"})  # a retried submit
    assert again["Location"] == response["Location"]
    InvoiceBatch.objects.filter(pk=batch.pk).update(status="running", done=3)  # as if the worker died mid-run
    invoice_batch_run.delay(batch_id=batch.pk)  # the redelivered task
    batch = wait_done(batch)
    assert (batch.done, batch.made) == (6, 6) and Invoice.objects.count() == 6


def test_a_rerun_walks_the_same_clients_and_reuses_their_drafts(db, settings):
    world = build_world()
    ready_clients(world, 3)
    batch = batches.batch_start(batch_key="k")
    assert batches.batch_start(batch_key="k").pk == batch.pk
    first = batches.batch_run(batch_id=batch.pk)
    assert (first.status, first.total, first.made) == ("done", 3, 3)
    InvoiceBatch.objects.filter(pk=batch.pk).update(status="failed")
    second = batches.batch_run(batch_id=batch.pk)
    assert (second.status, second.total, second.made) == ("done", 3, 3) and Invoice.objects.count() == 3


def test_the_progress_fragment_polls_while_running(client, db):
    batch = InvoiceBatch.objects.create(key="p", status="running", total=200, done=50)
    client.force_login(UserFactory(role="owner"))
    fragment = client.get(reverse("billing:batch_progress", args=[batch.pk])).content
    assert b'hx-trigger="every 1s"' in fragment and b"50 of 200 clients" in fragment and b"width: 25%" in fragment
    client.force_login(UserFactory(role="office"))
    assert client.get(reverse("billing:batch_progress", args=[batch.pk])).status_code == 403
    assert client.get(reverse("billing:batch_detail", args=[batch.pk])).status_code == 403


def test_a_small_batch_still_runs_in_the_request(client, db):
    world = build_world()
    ready_clients(world, 2)
    client.force_login(UserFactory(role="owner"))
    response = client.post(reverse("billing:invoice_batch"), {"creation_key": "small"})
    assert response["Location"].startswith(reverse("billing:invoice_list"))
    assert Invoice.objects.count() == 2 and not InvoiceBatch.objects.exists()
