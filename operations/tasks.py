"""Thin Celery tasks: load, call a service, done. Names are explicit so queued messages survive refactors."""

from celery import shared_task
from django.db import OperationalError


@shared_task(name="operations.dispatch_due_reminders", acks_late=True, reject_on_worker_lost=True, expires=55)
def dispatch_due_reminders() -> dict[str, int]:
    from operations import reminders

    return reminders.reminders_dispatch()


@shared_task(
    name="operations.materialize_series",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def materialize_series() -> int:
    from django.utils import timezone

    from operations import services

    return services.series_materialize_all(now=timezone.now()).added
