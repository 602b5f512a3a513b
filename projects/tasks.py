"""Thin Celery tasks of projects; names are explicit so queued messages survive refactors."""

from celery import shared_task
from django.db import OperationalError

from projects.progress import projects_status_refresh


@shared_task(
    name="projects.status_refresh",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def status_refresh() -> int:
    """Beat (settings.STATUS_REFRESH_SECONDS): re-run the plans whose business-zone "today" has moved.
    Idempotent; it runs in UTC and computes the local date itself, so DST never skips or repeats a day."""
    return projects_status_refresh()
