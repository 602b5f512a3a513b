"""Batch invoicing as a Celery job with progress (docs/specs/billing.md §5): one draft per client with unbilled
charges, each in its own transaction, keyed `<batch key>:<client>` exactly like the in-request batch, so a
redelivered task, a retried submit or a second worker never makes a client's draft twice."""

from __future__ import annotations

import contextlib
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from billing import charges, invoices, rates
from billing.models import Invoice, InvoiceBatch
from billing.watermarks import Changes
from clients.models import Client

logger = logging.getLogger("organizer_pm.billing")
Status = InvoiceBatch.Status
PROGRESS_EVERY = 5  # clients between two progress writes (a bar of 200 clients moves in 2.5 % steps)


def ready_client_ids() -> list[int]:
    """Clients with unbilled charges or with work not charged yet (each invoice_create charges it first)."""
    return charges.clients_to_invoice()


def client_key(batch_key: str, client_id: int) -> str:
    return f"{batch_key[:40]}:{client_id}"


@transaction.atomic
def batch_start(*, batch_key: str, actor: User | None = None) -> InvoiceBatch:
    """The job row for this key (created once; a retried submit gets the same job back)."""
    batch, _ = InvoiceBatch.objects.get_or_create(key=batch_key[:64], defaults={"created_by": actor})
    return batch


def batch_run(*, batch_id: int) -> InvoiceBatch:
    """The job's body; safe to run again (redelivery, retry after a failure): drafts already made are found by
    their key, and progress is rewritten, not added to."""
    with transaction.atomic():
        batch = InvoiceBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status == Status.DONE:
            return batch
        if not batch.client_ids:
            # Clients with unbilled charges or changed work; invoice_create syncs its client (incrementally) in
            # its own transaction, so a client is synced once per batch.
            batch.client_ids = charges.clients_to_invoice()
        batch.status, batch.total, batch.error = Status.RUNNING, len(batch.client_ids), ""
        batch.save(update_fields=["status", "client_ids", "total", "error"])
    clients = Client.all_objects.in_bulk(batch.client_ids)
    # The changed sources of every client read once (6 queries), instead of once per client inside its sync.
    at, shared = timezone.now(), rates.Shared()
    changes = charges.changes_of_all()
    try:
        for done, client_id in enumerate(batch.client_ids, start=1):
            client = clients.get(client_id)
            # A client billed meanwhile by someone else has nothing to add (ValidationError "nothing to invoice").
            with contextlib.suppress(ValidationError):
                if client is not None:
                    invoices.invoice_create(client=client, creation_key=client_key(batch.key, client_id),
                                            actor=batch.created_by, known=changes.get(client_id, Changes()),
                                            known_at=at, shared=shared)  # fmt: skip
            if done % PROGRESS_EVERY == 0 or done == len(batch.client_ids):  # progress without a write per client
                InvoiceBatch.objects.filter(pk=batch.pk).update(done=done)
    except Exception as exc:
        logger.exception("invoice_batch_failed id=%s", batch.pk)
        InvoiceBatch.objects.filter(pk=batch.pk).update(
            status=Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:500]
        )
        raise
    made = Invoice.objects.filter(creation_key__in=[client_key(batch.key, c) for c in batch.client_ids]).count()
    InvoiceBatch.objects.filter(pk=batch.pk).update(status=Status.DONE, made=made, finished_at=timezone.now())
    batch.refresh_from_db()
    return batch
