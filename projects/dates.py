"""Dates as the business sees them: today in the business's time zone, and the window of sane plan dates."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from projects.models import DATE_WINDOW_YEARS, Project


def business_today(*, now: datetime | None = None) -> date:
    """Today in settings.BUSINESS_TIME_ZONE, whatever the server's or the viewer's zone."""
    return (now or timezone.now()).astimezone(ZoneInfo(settings.BUSINESS_TIME_ZONE)).date()


def years_from(day: date, years: int) -> date:
    """The same day `years` later (earlier when negative); 29 February becomes the 28th; clamped to date's range."""
    year = day.year + years
    if not 1 <= year <= 9999:
        return date.max if years > 0 else date.min
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


def date_window(start_on: date) -> tuple[date, date]:
    """The first and last date a constraint or deadline may take in a project starting on `start_on`."""
    return years_from(start_on, -DATE_WINDOW_YEARS), years_from(start_on, DATE_WINDOW_YEARS)


STATUS_DATE_SOURCES = ("today", "override")


def project_status_date(project: Project) -> date:
    """The date the plan is scheduled "as of" (docs/specs/one-schedule.md §1).

    A template is always planned from its start. Otherwise the project's own status date if set; without one,
    today in the business zone when settings.STATUS_DATE_SOURCE is "today" (the default), or the project start
    (the plan as entered) when it is "override", for installations that only track progress by hand.
    """
    if project.is_template:
        return project.start_on
    if project.status_date_override is not None:
        return project.status_date_override
    if settings.STATUS_DATE_SOURCE == "override":
        return project.start_on
    return business_today()
