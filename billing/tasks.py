"""Thin Celery tasks with explicit names: beat keeps charges current and expires packages (both idempotent)."""

from celery import shared_task


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
