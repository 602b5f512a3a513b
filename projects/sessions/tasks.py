"""Thin Celery task: recompute the window flags of scheduled sessions (hourly from beat; idempotent). A flag only
labels a session; nothing is ever moved or cancelled here (docs/specs/one-schedule.md §2)."""

from celery import shared_task

from projects.sessions import services


@shared_task(name="projects.session_flags_refresh", acks_late=True, reject_on_worker_lost=True, expires=3500)
def session_flags_refresh() -> int:
    return services.session_flags_refresh_all()
