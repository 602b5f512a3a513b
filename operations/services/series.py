"""Recurring series: create one (all its visits up to the horizon or none), extend them nightly, and change
"this and following" or "all upcoming" visits (the series is split; past visits never change).

Rules: docs/specs/recurrence.md. The rule arithmetic is the pure engine operations.recurrence; each visit is
booked through operations.services.visits.appointment_book, so a series obeys the same booking discipline.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from clients.models import Client, Site
from operations import recurrence
from operations.models import Appointment, AppointmentType, RecurringSeries
from operations.services.visits import SITE_OF_OTHER_CLIENT_MSG, appointment_book, lock_organizers

logger = logging.getLogger("organizer_pm.operations")

SERIES_CONFLICT_MSG = (
    "%(count)s visit(s) of this series clash with existing bookings, first on %(first)s. Nothing was booked."
)
SERIES_OUTSIDE_HOURS_MSG = (
    "%(count)s visit(s) of this series fall outside working hours, first on %(first)s. Confirm “book outside "
    "working hours” to book anyway."
)


def horizon_days() -> int:
    return int(settings.MATERIALIZATION_HORIZON_DAYS)


@dataclass
class MaterializeReport:
    added: int = 0
    conflicts: list[datetime] = field(default_factory=list)
    outside_hours: list[datetime] = field(default_factory=list)


def _series_rule(series: RecurringSeries) -> recurrence.RecurrenceRule:
    return recurrence.parse_rrule(series.rrule)


def _series_occurrences(series: RecurringSeries, window_start: datetime, window_end: datetime) -> list[Any]:
    return recurrence.expand_occurrences(
        _series_rule(series), datetime.fromisoformat(series.local_start), series.tz, window_start, window_end,
        duration=timedelta(minutes=series.duration_min),
        exdates=[datetime.fromisoformat(x) for x in series.exdates],
    )  # fmt: skip


def series_materialize(
    *, series: RecurringSeries, now: datetime, strict: bool = False, allow_outside_hours: bool = True
) -> MaterializeReport:
    """Insert the series' missing visits up to now + horizon; idempotent (unique series + original_start).

    Each visit is booked in its own savepoint. With strict=True (creating a series) any clash aborts the
    whole series; otherwise (the nightly run) a clash is logged and reported, never double-booked.
    """
    report = MaterializeReport()
    with transaction.atomic():
        series = RecurringSeries.objects.select_for_update().get(pk=series.pk)
        window_start, window_end = recurrence.materialization_window(now, horizon_days=horizon_days(), tz=series.tz)
        existing = set(Appointment.objects.filter(series=series).values_list("original_start", flat=True))
        organizers = list(series.organizers.all())
        for occurrence in _series_occurrences(series, window_start, window_end):
            if occurrence.original_start in existing or occurrence.starts < now:
                continue
            try:
                with transaction.atomic():
                    appointment_book(
                        client=series.client, site=series.site, appointment_type=series.appointment_type,
                        organizers=organizers, starts=occurrence.starts, ends=occurrence.ends,
                        travel_min=series.travel_min, notes=series.notes, series=series,
                        original_start=occurrence.original_start, allow_outside_hours=allow_outside_hours,
                    )  # fmt: skip
            except ValidationError as exc:
                if exc.code == "double_booked":
                    report.conflicts.append(occurrence.starts)
                elif exc.code == "outside_hours":
                    report.outside_hours.append(occurrence.starts)
                else:
                    raise
                continue
            report.added += 1
        for problems, message, code in (
            (report.conflicts, SERIES_CONFLICT_MSG, "double_booked"),
            (report.outside_hours, SERIES_OUTSIDE_HOURS_MSG, "outside_hours"),
        ):
            if strict and problems:
                first = problems[0].astimezone(ZoneInfo(series.tz)).strftime("%a %b %-d %H:%M")
                raise ValidationError(message, code=code, params={"count": len(problems), "first": first})
    for clash in report.conflicts:
        logger.warning("series_conflict series=%s starts=%s", series.pk, clash.isoformat())
    return report


@transaction.atomic
def series_create(
    *, client: Client, site: Site, appointment_type: AppointmentType, organizers: Sequence[User],
    local_start: datetime, rule: recurrence.RecurrenceRule, duration_min: int, travel_min: int,
    actor: User | None, now: datetime, notes: str = "", allow_outside_hours: bool = False,
) -> tuple[RecurringSeries, MaterializeReport]:  # fmt: skip
    """Create a recurring series in the site's zone and book its visits up to the horizon, all or nothing.

    The first visit must be on the pattern (R9: OffPatternStartError suggests the right date)."""
    if site.client_id != client.pk:
        raise ValidationError({"site": SITE_OF_OTHER_CLIENT_MSG}, code="site")
    tz = site.time_zone
    try:
        recurrence.check_local_start(rule, local_start, tz)
    except recurrence.RecurrenceError as exc:
        raise ValidationError({"starts": str(exc)}, code="off_pattern") from exc
    series = RecurringSeries.objects.create(
        client=client, site=site, appointment_type=appointment_type, tz=tz, local_start=local_start.isoformat(),
        duration_min=duration_min, travel_min=travel_min, rrule=recurrence.format_rrule(rule), notes=notes,
        created_by=actor,
    )  # fmt: skip
    series.organizers.set(lock_organizers(organizers))
    report = series_materialize(series=series, now=now, strict=True, allow_outside_hours=allow_outside_hours)
    return series, report


def series_materialize_all(*, now: datetime) -> MaterializeReport:
    """The nightly run: extend every series whose rule is not over (idempotent; safe to run twice)."""
    total = MaterializeReport()
    for series in RecurringSeries.objects.all().iterator():
        report = series_materialize(series=series, now=now)
        total.added += report.added
        total.conflicts += report.conflicts
    return total


@transaction.atomic
def series_change_from(
    *, appointment: Appointment, local_time: time, duration_min: int, actor: User | None, now: datetime,
) -> RecurringSeries:  # fmt: skip
    """ "This and following" from this visit: split the series (Google style) and book the new series.

    The old series ends one second before this occurrence; exception rows at or after it are kept; the other
    future rows are removed and rebooked by the new series (COUNT = the remaining visits, R14).
    """
    if appointment.series_id is None or appointment.original_start is None:
        raise ValidationError("This visit is not part of a series.", code="not_series")
    series = RecurringSeries.objects.select_for_update().get(pk=appointment.series_id)
    split_at = appointment.original_start
    old_local = datetime.fromisoformat(series.local_start)
    new_local_start = recurrence.utc_to_local(split_at, series.tz).replace(tzinfo=None)
    new_local_start = new_local_start.replace(hour=local_time.hour, minute=local_time.minute, second=0)
    split = recurrence.split_series(
        _series_rule(series), old_local, series.tz, split_at=split_at, new_local_start=new_local_start,
        exdates=[datetime.fromisoformat(x) for x in series.exdates],
    )  # fmt: skip
    series.rrule = recurrence.format_rrule(split.old_rule)
    series.sequence += 1
    series.save(update_fields=["rrule", "sequence"])
    future = Appointment.objects.filter(series=series, original_start__gte=split_at, is_exception=False)
    movable = future.filter(starts__gte=now).exclude(status=Appointment.Status.COMPLETED)
    Appointment.objects.filter(pk__in=movable.values("pk")).delete()
    new_series = RecurringSeries.objects.create(
        client=series.client, site=series.site, appointment_type=series.appointment_type, tz=series.tz,
        local_start=split.new_local_start.isoformat(), duration_min=duration_min, travel_min=series.travel_min,
        rrule=recurrence.format_rrule(split.new_rule), parent_series=series, notes=series.notes, created_by=actor,
        exdates=[x.isoformat() for x in split.new_exdates],
    )  # fmt: skip
    new_series.organizers.set(series.organizers.all())
    # Exceptions at or after the split keep their own times; they now belong to the new series' future.
    series_materialize(series=new_series, now=now, strict=True)
    return new_series


def series_change_all(
    *, series: RecurringSeries, local_time: time, duration_min: int, actor: User | None, now: datetime
) -> RecurringSeries:
    """ "All visits" = this and following from the next visit that has not started (past ones never change)."""
    upcoming = (
        Appointment.objects.filter(series=series, starts__gt=now, is_exception=False)
        .exclude(status__in=[*Appointment.CANCELLED_STATUSES, Appointment.Status.COMPLETED])
        .order_by("original_start")
        .first()
    )
    if upcoming is None:
        raise ValidationError("This series has no upcoming visit to change.", code="no_upcoming")
    return series_change_from(
        appointment=upcoming, local_time=local_time, duration_min=duration_min, actor=actor, now=now
    )
