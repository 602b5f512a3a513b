"""Thin Celery tasks: load, call a service, done. Names are explicit so queued messages survive refactors.

The reminder tasks (`operations.dispatch_due_reminders`, `operations.send_reminder`) are idempotent and run with
acks_late and reject_on_worker_lost: a worker killed mid-task gets the message back instead of losing it, and
the database attempt counter (REMINDER_MAX_ATTEMPTS) stops a message that kills its worker every time. They never
use eta or countdown: a reminder waits in the database until it is due (see operations/reminders.py).
"""

from datetime import datetime, timedelta

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from operations import reminders
from operations.services import inventory, series

REMINDER_TASK_OPTIONS = {"acks_late": True, "reject_on_worker_lost": True}


@shared_task(name="operations.dispatch_due_reminders", expires=55, **REMINDER_TASK_OPTIONS)
def dispatch_due_reminders(limit: int | None = None) -> int:
    """Beat, every 60 s: claim the due reminders and publish one send_reminder per row. A tick older than 55 s
    is dropped; the next one catches up (the rows wait in the database)."""
    return reminders.reminders_dispatch(publish=_queue_send, limit=limit or reminders.BATCH_SIZE)


def _queue_send(reminder_id: int, claim: datetime) -> object:
    """How the dispatcher hands a claimed reminder over: one send_reminder message through the broker."""
    return send_reminder.delay(reminder_id=reminder_id, claim=claim.isoformat())


@shared_task(
    name="operations.send_reminder",
    autoretry_for=(OperationalError,),  # the database blinked; the row is unchanged and the claim still held
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=3,
    **REMINDER_TASK_OPTIONS,
)
def send_reminder(reminder_id: int, claim: str) -> str:
    """Send one claimed reminder. `claim` is the ISO claim time; a message whose claim is stale is a no-op."""
    return reminders.reminder_send(reminder_id=reminder_id, claim=datetime.fromisoformat(claim))


@shared_task(
    name="operations.materialize_series",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def materialize_series() -> int:
    return series.series_materialize_all(now=timezone.now()).added


@shared_task(
    name="operations.inventory_nightly",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def inventory_nightly() -> dict[str, int]:
    """Hourly and idempotent: snapshot yesterday's (business-local) stock, and email the low-stock list once a
    day. Running in UTC with local dates computed here avoids beat's DST crontab problems."""
    yesterday = inventory.business_yesterday(now=timezone.now())
    rows = inventory.snapshot_take(local_date=yesterday)
    emailed = inventory.low_stock_notify(local_date=yesterday + timedelta(days=1))
    return {"snapshot_rows": rows, "low_stock_emailed": int(emailed)}
