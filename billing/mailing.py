"""Invoice e-mails through a transactional outbox, as reminders do (docs/specs/reminders-and-celery.md).

1. `invoice_email_queue` writes an `InvoiceEmail` row in the caller's transaction: a rolled-back request leaves
   none, and the request makes no broker call (the view asks for a dispatch after commit; beat also ticks).
2. `invoice_emails_dispatch` claims pending rows with FOR UPDATE SKIP LOCKED (pending -> sending, `claimed_at` =
   the tick's time, the claim token) and publishes one `billing.send_invoice_email(id, claim)` per row. A claim
   whose message was lost is claimed again after the lease (BILLING_EMAIL_LEASE_MINUTES).
3. `invoice_email_send` counts the try in its own committed transaction, renders the PDF, sends with the row's
   idempotency key, and marks the row sent only while it still holds the claim. A redelivered or duplicate
   message finds the row sent (or claimed by someone else) and sends nothing.

Exactly once in effect: a crash after the provider accepted the message and before "sent" commits makes the
retry send again with the same Idempotency-Key, which a provider that dedupes drops. Tries are capped
(BILLING_EMAIL_MAX_ATTEMPTS) so a message that kills its worker every time ends `failed`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import User
from billing import conf, documents
from billing.models import Invoice, InvoiceEmail

logger = logging.getLogger("organizer_pm.billing")

BATCH_SIZE = 50
RETRY_AFTER = timedelta(minutes=1)  # a failed try waits at least one beat tick
Publish = Callable[[int, datetime], object]
Status = InvoiceEmail.Status


def default_recipient(invoice: Invoice) -> str:
    contact = invoice.client.contacts.filter(is_primary=True).exclude(email="").first()
    contact = contact or invoice.client.contacts.exclude(email="").first()
    return contact.email if contact else ""


@transaction.atomic
def invoice_email_queue(
    *, invoice: Invoice, recipient: str, creation_key: str, actor: User | None = None
) -> InvoiceEmail:
    """Queue the invoice's e-mail: the row is the message, written in the caller's transaction. Retrying with the
    same key returns the same row, so a double-submitted form sends one e-mail."""
    found = InvoiceEmail.objects.filter(creation_key=creation_key).first()
    if found is not None:
        return found
    if invoice.status in (Invoice.Status.DRAFT, Invoice.Status.VOID):
        raise ValidationError("Only an issued invoice can be e-mailed.", code="not_issued")
    try:
        validate_email(recipient)
    except ValidationError:
        raise ValidationError({"recipient": "Enter a valid e-mail address."}, code="recipient") from None
    return InvoiceEmail.objects.create(invoice=invoice, recipient=recipient, creation_key=creation_key,
                                       created_by=actor)  # fmt: skip


def _lease() -> timedelta:
    return timedelta(minutes=int(conf.get("BILLING_EMAIL_LEASE_MINUTES")))


def invoice_emails_claim(*, now: datetime, limit: int = BATCH_SIZE) -> list[int]:
    """pending -> sending with `claimed_at = now`; concurrent callers never get the same row (SKIP LOCKED)."""
    ready = Q(status=Status.PENDING) & (Q(claimed_at__isnull=True) | Q(claimed_at__lte=now - RETRY_AFTER))
    lease_expired = Q(status=Status.SENDING, claimed_at__lt=now - _lease())
    with transaction.atomic():
        ids = list(
            InvoiceEmail.objects.select_for_update(skip_locked=True)
            .filter(ready | lease_expired)
            .order_by("pk")
            .values_list("pk", flat=True)[:limit]
        )
        InvoiceEmail.objects.filter(pk__in=ids).update(status=Status.SENDING, claimed_at=now)
    return ids


def invoice_emails_dispatch(*, publish: Publish, now: datetime | None = None, limit: int = BATCH_SIZE) -> int:
    """Claim a batch and hand each row to `publish(id, claim)`. If publishing fails, the rows not handed over go
    back to pending at once and the error propagates (nothing is lost)."""
    now = now or timezone.now()
    ids = invoice_emails_claim(now=now, limit=limit)
    for done, email_id in enumerate(ids):
        try:
            publish(email_id, now)
        except Exception:
            InvoiceEmail.objects.filter(pk__in=ids[done:], status=Status.SENDING, claimed_at=now).update(
                status=Status.PENDING, claimed_at=None
            )
            raise
    return len(ids)


def invoice_email_send(*, email_id: int, claim: datetime, now: datetime | None = None) -> str:
    """The send task's body; safe to run any number of times. Returns "sent", "retry", "failed", "skipped" (this
    message no longer holds the claim: already sent or re-claimed) or "superseded" (claim lost while sending)."""
    now = now or timezone.now()
    held = InvoiceEmail.objects.filter(pk=email_id, status=Status.SENDING, claimed_at=claim)
    max_attempts = int(conf.get("BILLING_EMAIL_MAX_ATTEMPTS"))
    with transaction.atomic():
        email = held.select_for_update(of=("self",)).select_related("invoice__client").first()
        if email is None:
            return "skipped"
        if email.attempts >= max_attempts:
            logger.error("invoice_email_failed id=%s attempts=%s reason=attempts_exhausted", email.pk, email.attempts)
            held.update(status=Status.FAILED, last_error="Gave up: the send kept failing or crashing.")
            return "failed"
        email.attempts += 1  # committed before sending: a try that kills the worker still counts
        email.save(update_fields=["attempts"])
    try:
        _deliver(email)
    except Exception as exc:  # noqa: BLE001 - any provider failure is recorded and retried, then failed
        final = email.attempts >= max_attempts
        logger.warning("invoice_email_send_failed id=%s attempt=%s error=%s", email.pk, email.attempts,
                       type(exc).__name__)  # fmt: skip
        held.update(status=Status.FAILED if final else Status.PENDING, last_error=f"{type(exc).__name__}: {exc}"[:500])
        return "failed" if final else "retry"
    if not held.update(status=Status.SENT, sent_at=now):
        logger.warning("invoice_email_claim_lost id=%s", email.pk)
        return "superseded"
    return "sent"


def _deliver(email: InvoiceEmail) -> None:
    invoice = email.invoice
    context = {"invoice": invoice, "business": conf.get("BILLING_BUSINESS_NAME")}
    key = str(email.idempotency_key)
    message = EmailMessage(
        subject=render_to_string("billing/emails/invoice_subject.txt", context).strip(),
        body=render_to_string("billing/emails/invoice_body.txt", context),
        to=[email.recipient],
        headers={"Idempotency-Key": key, "X-Idempotency-Key": key},
    )
    message.attach(documents.invoice_pdf_filename(invoice), documents.invoice_pdf(invoice), "application/pdf")
    message.send()
