"""Thin Celery tasks with explicit names: beat keeps charges current and expires packages (both idempotent)."""

from datetime import datetime

from celery import shared_task
from django.db import OperationalError


@shared_task(name="billing.charges_sync", expires=290, acks_late=True, reject_on_worker_lost=True)
def charges_sync() -> int:
    """Beat, every 5 minutes: derive charges from finished work for every client (a rerun writes nothing)."""
    from billing import charges

    return charges.charges_sync()


@shared_task(name="billing.packages_expire", acks_late=True, reject_on_worker_lost=True)
def packages_expire() -> int:
    """Beat, hourly: packages past their expiry lose the remaining minutes (once per package)."""
    from django.utils import timezone

    from billing import packages, rates

    return packages.packages_expire(today=rates.local_date(timezone.now()))


@shared_task(name="billing.dispatch_invoice_emails", expires=55, acks_late=True, reject_on_worker_lost=True)
def dispatch_invoice_emails() -> int:
    """After a request queues an e-mail, and from beat every minute: claim queued invoice e-mails and publish one
    send per row (the rows wait in the database, never in the broker)."""
    from billing import mailing

    return mailing.invoice_emails_dispatch(publish=_queue_send)


def _queue_send(email_id: int, claim: datetime) -> object:
    return send_invoice_email.delay(email_id=email_id, claim=claim.isoformat())


@shared_task(
    name="billing.send_invoice_email", acks_late=True, reject_on_worker_lost=True,
    autoretry_for=(OperationalError,), retry_backoff=True, retry_backoff_max=60, max_retries=3,
)  # fmt: skip
def send_invoice_email(email_id: int, claim: str) -> str:
    """Send one claimed invoice e-mail; a redelivered or stale message sends nothing."""
    from billing import mailing

    return mailing.invoice_email_send(email_id=email_id, claim=datetime.fromisoformat(claim))


@shared_task(
    name="billing.invoice_batch_run", acks_late=True, reject_on_worker_lost=True,
    autoretry_for=(OperationalError,), retry_backoff=True, retry_backoff_max=60, max_retries=3,
)  # fmt: skip
def invoice_batch_run(batch_id: int) -> int:
    """ "Create drafts for all" for a large batch; rerunning it makes nothing twice. Returns the drafts made."""
    from billing import batches

    return batches.batch_run(batch_id=batch_id).made


@shared_task(name="billing.dispatch_notices", expires=55, acks_late=True, reject_on_worker_lost=True)
def dispatch_notices() -> int:
    """Beat, every minute: e-mail the owner the notices written since (a package running low), once each."""
    from billing import notices

    return notices.notices_dispatch()
