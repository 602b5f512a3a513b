"""From project to maintenance (docs/specs/one-schedule.md §5): the close-out form's *Start maintenance* part.

The rule arithmetic is operations' pure recurrence engine; the series is created by the operations series
service (visits booked to the horizon with busy blocks, all or nothing, clashes reported by date). The close-out
service (projects.services.project_close_out) calls `maintenance_start` inside its own transaction, so a clash
leaves the project open and nothing booked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from operations import recurrence
from operations.services import series as series_services
from projects.models import Project

FIRST_VISIT_AFTER_FINISH_MSG = "The first maintenance visit must be after the project's actual finish (%(day)s)."
NO_OCCURRENCE_MSG = "This rule has no visit after the project's actual finish. Choose another rule or end."
NO_SITE_MSG = "The client has no site to visit. Add one on the client page first."
SITE_OF_OTHER_CLIENT_MSG = "Choose one of this project's client's sites."


@dataclass(frozen=True)
class MaintenancePlan:
    """The form's cleaned *Start maintenance* part. ``first_day`` None: the rule's first day after the finish."""

    appointment_type: Any
    site: Any
    rule: recurrence.RecurrenceRule
    start_time: time
    organizers: list[Any]
    first_day: date | None = None
    notes: str = ""


def actual_finish(project: Project) -> date:
    """The day the work ended: the latest finish on the plan (the status run shows done tasks' actual dates)."""
    return project.finish_on or project.start_on


def first_visit_day(*, rule: recurrence.RecurrenceRule, tz: str, start_time: time, after: date) -> date | None:
    """The rule's first local day strictly after `after` (the default first visit; OS16: Tue 07-14)."""
    anchor = datetime.combine(after + timedelta(days=1), start_time)
    after_instant = recurrence.local_to_utc(datetime.combine(after, time.max).replace(microsecond=0), tz)
    occurrence = recurrence.next_occurrence(rule, anchor, tz, after=after_instant, duration=timedelta(0))
    if occurrence is None:
        return None
    return occurrence.starts.astimezone(recurrence.resolve_zone(tz)).date()


def maintenance_start(*, project: Project, plan: MaintenancePlan, actor: Any, now: datetime | None = None) -> Any:
    """Create the client's maintenance series through the operations series service; returns the series.

    Raises ValidationError with the form's field names: a first day on or before the actual finish, a rule with
    no visit after it, a first day off the rule's pattern, or clashing visits ("N visit(s) clash …, first on …":
    reported, never dropped).
    """
    now = now or timezone.now()
    site = plan.site
    if site is None or project.client is None:
        raise ValidationError({"site": NO_SITE_MSG}, code="no_site")
    if site.client_id != project.client_id:
        raise ValidationError({"site": SITE_OF_OTHER_CLIENT_MSG}, code="site")
    finish = actual_finish(project)
    day = plan.first_day
    if day is None:
        day = first_visit_day(rule=plan.rule, tz=site.time_zone, start_time=plan.start_time, after=finish)
        if day is None:
            raise ValidationError({"repeat": NO_OCCURRENCE_MSG}, code="no_occurrence")
    elif day <= finish:
        error = ValidationError(
            FIRST_VISIT_AFTER_FINISH_MSG, code="before_finish", params={"day": f"{finish:%a %Y-%m-%d}"}
        )
        raise ValidationError({"first_day": error})
    try:
        series, _report = series_services.series_create(
            client=project.client, site=site, appointment_type=plan.appointment_type, organizers=plan.organizers,
            local_start=datetime.combine(day, plan.start_time), rule=plan.rule,
            duration_min=plan.appointment_type.default_duration_min,
            travel_min=plan.appointment_type.default_travel_min, actor=actor, now=now,
            notes=plan.notes or f"Maintenance after {project.name}",
        )  # fmt: skip
    except ValidationError as exc:
        raise _on_maintenance_fields(exc) from exc
    return series


def _on_maintenance_fields(exc: ValidationError) -> ValidationError:
    """The series service names its own fields (starts); the close-out form calls the first visit first_day."""
    if hasattr(exc, "error_dict"):
        renamed = {("first_day" if k == "starts" else k): v for k, v in exc.error_dict.items()}
        return ValidationError(renamed)
    return exc
