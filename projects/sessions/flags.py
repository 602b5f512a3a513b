"""Window flags of scheduled work sessions (docs/specs/one-schedule.md §2): recomputed by every status run
(`projects.planning.project_schedule_recalculate`) and hourly from beat, so a past session still not completed
becomes "awaiting completion" without any edit. A flag only labels a session: nothing is moved or cancelled.

Imports only models and read modules, so the status run can call it (the session services import planning).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from operations.models import Appointment
from projects.dates import business_today
from projects.models import Project, WorkSession
from projects.sessions import selectors


def session_flags_refresh(*, project: Project, now: datetime | None = None, today: date | None = None) -> int:
    """Recompute the window flag of every scheduled session of the project from the stored schedule. Never moves
    or cancels a session. Returns how many flags changed. `today` (what "past" means for awaiting completion)
    defaults to the business zone's today at `now`; the status run passes its status date."""
    today = today or business_today(now=now or timezone.now())
    sessions = list(
        WorkSession.objects.filter(
            task__project_id=project.pk, appointment__status__in=Appointment.UPCOMING_STATUSES
        ).select_related("task", "appointment__site")
    )
    if not sessions:  # most status runs: no query for the calendar either
        return 0
    project = Project.objects.select_related("calendar").get(pk=project.pk)
    calendar = selectors.calendars_for([project])[project.pk]
    changed = []
    for session in sessions:
        day = session.appointment.starts.astimezone(ZoneInfo(session.appointment.site.time_zone)).date()
        flag = selectors.window_flag(
            local_day=day, window=selectors.task_window(session.task, calendar), today=today, upcoming=True
        )
        if flag != session.window_flag:
            session.window_flag = flag
            changed.append(session)
    WorkSession.objects.bulk_update(changed, fields=["window_flag"])
    return len(changed)


def session_flags_refresh_all(*, now: datetime | None = None) -> int:
    projects = Project.objects.filter(is_template=False).exclude(status__in=Project.CLOSED_STATUSES)
    return sum(
        session_flags_refresh(project=p, now=now) for p in projects.filter(tasks__sessions__isnull=False).distinct()
    )
