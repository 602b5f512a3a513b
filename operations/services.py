"""Every write to visits: booking, series and their materialization, edits by scope, cancellations, statuses.

Booking discipline (OPERATIONS.md §2.2): lock the organizer rows in primary-key order, check for conflicts,
write one busy block per organizer, and map the exclusion constraint's errors (23P01, and the 40P01 deadlock
PostgreSQL can report while checking it) to the same "slot just taken" ValidationError. Reminders are outbox
rows written in the same transaction (operations.reminders).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from accounts.models import User, WorkingHours
from clients.models import Client, ClientAssignment, Site
from operations import inventory, recurrence, reminders
from operations.models import (
    Appointment,
    AppointmentType,
    CalendarFeed,
    OrganizerBlock,
    RecurringSeries,
    TimeOff,
    new_feed_token,
)

logger = logging.getLogger("organizer_pm.operations")

DOUBLE_BOOKED_MSG = "That slot was just taken: %(who)s is busy then. Pick another time."
OUTSIDE_HOURS_MSG = "%(who)s does not work at that time. Confirm “book outside working hours” to book anyway."
NO_ORGANIZER_MSG = "Choose at least one organizer."
NOT_ORGANIZER_MSG = "Only active organizers can be booked."
SITE_OF_OTHER_CLIENT_MSG = "The site must belong to the client."
ENDS_BEFORE_START_MSG = "The visit must end after it starts."
PAST_VISIT_MSG = "Past and completed visits are not changed."
SERIES_CONFLICT_MSG = (
    "%(count)s visit(s) of this series clash with existing bookings, first on %(first)s. Nothing was booked."
)
SERIES_OUTSIDE_HOURS_MSG = (
    "%(count)s visit(s) of this series fall outside working hours, first on %(first)s. Confirm “book outside "
    "working hours” to book anyway."
)
STATUS_CHANGE_MSG = "A %(status)s visit cannot be changed to %(new)s."
TIME_OFF_CONFLICT_MSG = "This time off overlaps booked visits; reassign them first."

ACTIVE_STATUSES = {"scheduled", "confirmed", "in_progress", "completed", "no_show", "needs_redo"}


def _double_booked(organizers: Sequence[User]) -> ValidationError:
    return ValidationError(DOUBLE_BOOKED_MSG, code="double_booked", params={"who": ", ".join(map(str, organizers))})


def _lock_organizers(organizers: Sequence[User]) -> list[User]:
    """Lock in primary-key order: two bookings for the same people queue up instead of deadlocking."""
    ids = sorted({o.pk for o in organizers})
    locked = list(User.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    if not locked:
        raise ValidationError(NO_ORGANIZER_MSG, code="no_organizer")
    for user in locked:
        if user.role != User.Role.ORGANIZER or not user.is_active:
            raise ValidationError(NOT_ORGANIZER_MSG, code="not_organizer")
    return locked


def busy_conflicts(
    *, organizer_ids: Sequence[int], starts: datetime, blocked_until: datetime, appointment: Appointment | None = None
) -> list[OrganizerBlock]:
    blocks = OrganizerBlock.objects.filter(
        organizer_id__in=organizer_ids, status=OrganizerBlock.Status.ACTIVE, starts__lt=blocked_until,
        blocked_until__gt=starts,
    ).select_related("organizer")  # fmt: skip
    if appointment is not None and appointment.pk:
        blocks = blocks.exclude(appointment=appointment)
    return list(blocks)


def working_hours_contain(*, organizer: User, starts: datetime, ends: datetime) -> bool:
    """Whether [starts, ends) lies inside the organizer's working hours on that local day."""
    profile = getattr(organizer, "organizer_profile", None)
    if profile is None:
        return False
    zone = ZoneInfo(profile.time_zone)
    local_start, local_end = starts.astimezone(zone), ends.astimezone(zone)
    if local_start.date() != (local_end - timedelta(microseconds=1)).date():
        return False
    hours = WorkingHours.objects.filter(profile=profile, weekday=local_start.weekday()).first()
    if hours is None:
        return False
    return hours.starts_at <= local_start.time() and (local_end.time() <= hours.ends_at or local_end.time() == time(0))


def _write_blocks(appointment: Appointment, organizers: Sequence[User]) -> None:
    """Replace the appointment's blocks. The exclusion constraint is the final guard against overlaps."""
    status = OrganizerBlock.Status.CANCELLED if appointment.is_cancelled else OrganizerBlock.Status.ACTIVE
    try:
        with transaction.atomic():
            OrganizerBlock.objects.filter(appointment=appointment).delete()
            OrganizerBlock.objects.bulk_create(
                [
                    OrganizerBlock(
                        organizer=o,
                        kind=OrganizerBlock.Kind.APPOINTMENT,
                        appointment=appointment,
                        starts=appointment.starts,
                        ends=appointment.ends,
                        blocked_until=appointment.blocked_until,
                        status=status,
                    )  # fmt: skip
                    for o in organizers
                ]
            )
    except (IntegrityError, OperationalError) as exc:
        # 23P01 exclusion_violation, or 40P01 deadlock_detected "while checking exclusion constraint".
        if getattr(exc.__cause__, "pgcode", None) in ("23P01", "40P01"):
            raise _double_booked(organizers) from exc
        raise


def _check_slot(
    organizers: Sequence[User], starts: datetime, ends: datetime, blocked_until: datetime,
    appointment: Appointment | None, allow_outside_hours: bool,
) -> None:  # fmt: skip
    if ends <= starts:
        raise ValidationError(ENDS_BEFORE_START_MSG, code="ends_before_start")
    conflicts = busy_conflicts(
        organizer_ids=[o.pk for o in organizers], starts=starts, blocked_until=blocked_until, appointment=appointment
    )
    if conflicts:
        raise _double_booked(sorted({c.organizer for c in conflicts}, key=lambda u: u.pk))
    if not allow_outside_hours:
        outside = [o for o in organizers if not working_hours_contain(organizer=o, starts=starts, ends=ends)]
        if outside:
            raise ValidationError(OUTSIDE_HOURS_MSG, code="outside_hours", params={"who": ", ".join(map(str, outside))})


def _assign_to_client(client: Client, organizers: Sequence[User]) -> None:
    """Organizers booked for a client may open that client (clients' access helper reads these rows)."""
    for organizer in organizers:
        ClientAssignment.objects.get_or_create(client=client, organizer=organizer)


@transaction.atomic
def appointment_book(
    *, client: Client, site: Site, appointment_type: AppointmentType, organizers: Sequence[User], starts: datetime,
    ends: datetime | None = None, travel_min: int | None = None, notes: str = "", actor: User | None = None,
    allow_outside_hours: bool = False, series: RecurringSeries | None = None, original_start: datetime | None = None,
) -> Appointment:  # fmt: skip
    """Book a visit for one or more organizers: all of them or none (one transaction).

    Raises ValidationError "double_booked" when any organizer is busy (also under a race), "outside_hours"
    unless allowed, or field errors for bad input.
    """
    if site.client_id != client.pk:
        raise ValidationError({"site": SITE_OF_OTHER_CLIENT_MSG}, code="site")
    locked = _lock_organizers(organizers)
    ends = ends or starts + timedelta(minutes=appointment_type.default_duration_min)
    travel = appointment_type.default_travel_min if travel_min is None else travel_min
    blocked_until = ends + timedelta(minutes=travel)
    _check_slot(locked, starts, ends, blocked_until, None, allow_outside_hours)
    appointment = Appointment(
        client=client, site=site, appointment_type=appointment_type, starts=starts, ends=ends,
        blocked_until=blocked_until, notes=notes, created_by=actor, series=series, original_start=original_start,
        checklist=[{"text": item, "done": False} for item in appointment_type.checklist_items()],
    )  # fmt: skip
    appointment.full_clean(validate_constraints=False)
    appointment.save()
    appointment.organizers.set(locked)
    _write_blocks(appointment, locked)
    _assign_to_client(client, locked)
    reminders.reminders_write(appointment=appointment)
    return appointment


@transaction.atomic
def appointment_reschedule(
    *, appointment: Appointment, starts: datetime, ends: datetime, actor: User | None = None,
    organizers: Sequence[User] | None = None, allow_outside_hours: bool = False, now: datetime | None = None,
) -> Appointment:  # fmt: skip
    """Move this one visit (and/or change its organizers). A series visit becomes an exception; its
    original_start never changes. Moving onto its own old slot is fine (its blocks are excluded)."""
    now = now or timezone.now()
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.status == Appointment.Status.COMPLETED or appointment.ends <= now:
        raise ValidationError(PAST_VISIT_MSG, code="past")
    people = list(organizers) if organizers is not None else list(appointment.organizers.all())
    locked = _lock_organizers(people)
    travel = appointment.blocked_until - appointment.ends
    _check_slot(locked, starts, ends, ends + travel, appointment, allow_outside_hours)
    appointment.starts, appointment.ends, appointment.blocked_until = starts, ends, ends + travel
    appointment.is_exception = appointment.series_id is not None
    appointment.sequence += 1
    appointment.save(update_fields=["starts", "ends", "blocked_until", "is_exception", "sequence", "updated_at"])
    appointment.organizers.set(locked)
    _write_blocks(appointment, locked)
    _assign_to_client(appointment.client, locked)
    reminders.reminders_write(appointment=appointment)
    return appointment


def late_cancel_window() -> timedelta:
    return timedelta(hours=settings.LATE_CANCEL_HOURS)


@transaction.atomic
def appointment_cancel(
    *, appointment: Appointment, actor: User | None = None, by_client: bool = False, now: datetime | None = None
) -> Appointment:
    """Cancel this visit: its busy time is freed, its reminders are cancelled, and a series visit is added to
    the series' exdates so re-materialization never brings it back (R12). A client cancelling inside the
    late-cancel window is recorded as a late cancellation."""
    now = now or timezone.now()
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.status not in (Appointment.Status.SCHEDULED, Appointment.Status.CONFIRMED):
        raise ValidationError(
            STATUS_CHANGE_MSG,
            code="status",
            params={"status": appointment.get_status_display().lower(), "new": "cancelled"},
        )
    late = by_client and appointment.starts - now < late_cancel_window()
    appointment.status = Appointment.Status.LATE_CANCELLED if late else Appointment.Status.CANCELLED
    appointment.sequence += 1
    appointment.save(update_fields=["status", "sequence", "updated_at"])
    OrganizerBlock.objects.filter(appointment=appointment).update(status=OrganizerBlock.Status.CANCELLED)
    inventory.allocations_release(appointment=appointment)
    if appointment.series_id and appointment.original_start:
        series = RecurringSeries.objects.select_for_update().get(pk=appointment.series_id)
        wall = recurrence.utc_to_local(appointment.original_start, series.tz).replace(tzinfo=None).isoformat()
        if wall not in series.exdates:
            series.exdates = [*series.exdates, wall]
            series.save(update_fields=["exdates"])
    reminders.reminders_write(appointment=appointment)
    return appointment


@transaction.atomic
def appointment_uncancel(*, appointment: Appointment, actor: User | None = None) -> Appointment:
    """Restore a cancelled one-off visit; fails with "double_booked" if its slot was re-booked (B4)."""
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if not appointment.is_cancelled:
        return appointment
    locked = _lock_organizers(list(appointment.organizers.all()))
    _check_slot(locked, appointment.starts, appointment.ends, appointment.blocked_until, appointment, True)
    appointment.status = Appointment.Status.SCHEDULED
    appointment.save(update_fields=["status", "updated_at"])
    _write_blocks(appointment, locked)
    reminders.reminders_write(appointment=appointment)
    return appointment


# --- statuses on the day ------------------------------------------------------------------------------

ON_DAY_TRANSITIONS = {
    "start": ({"scheduled", "confirmed"}, "in_progress"),
    "complete": ({"scheduled", "confirmed", "in_progress"}, "completed"),
    "no_show": ({"scheduled", "confirmed"}, "no_show"),
    "needs_redo": ({"completed", "in_progress"}, "needs_redo"),
}


@transaction.atomic
def appointment_progress(
    *, appointment: Appointment, action: str, actor: User | None = None, notes: str = "", now: datetime | None = None
) -> Appointment:
    """Start / complete / no-show / needs-redo. Start and complete record the actual times."""
    now = now or timezone.now()
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    allowed, new_status = ON_DAY_TRANSITIONS[action]
    if appointment.status not in allowed:
        raise ValidationError(
            STATUS_CHANGE_MSG, code="status",
            params={"status": appointment.get_status_display().lower(), "new": new_status.replace("_", " ")},
        )  # fmt: skip
    fields = ["status", "updated_at"]
    appointment.status = new_status
    if action == "start":
        appointment.actual_start = now
        fields.append("actual_start")
    if action == "complete":
        appointment.actual_start = appointment.actual_start or appointment.starts
        appointment.actual_end = now
        fields += ["actual_start", "actual_end"]
    if notes:
        appointment.outcome_notes = (appointment.outcome_notes + "\n" + notes).strip()
        fields.append("outcome_notes")
    appointment.save(update_fields=fields)
    if new_status == Appointment.Status.COMPLETED:
        inventory.allocations_consume(appointment=appointment, actor=actor)  # reserved supplies were used (I6)
    reminders.reminders_write(appointment=appointment)
    return appointment


def appointment_checklist_toggle(*, appointment: Appointment, index: int, done: bool) -> Appointment:
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        items = list(appointment.checklist)
        if not 0 <= index < len(items):
            raise ValidationError("Unknown checklist item.", code="checklist")
        items[index] = {**items[index], "done": done}
        appointment.checklist = items
        appointment.save(update_fields=["checklist", "updated_at"])
    return appointment


# --- series -------------------------------------------------------------------------------------------


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
    series.organizers.set(_lock_organizers(organizers))
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
        .exclude(status__in=["cancelled", "late_cancelled", "completed"])
        .order_by("original_start")
        .first()
    )
    if upcoming is None:
        raise ValidationError("This series has no upcoming visit to change.", code="no_upcoming")
    return series_change_from(
        appointment=upcoming, local_time=local_time, duration_min=duration_min, actor=actor, now=now
    )


# --- time off -----------------------------------------------------------------------------------------


def time_off_request(*, organizer: User, starts: datetime, ends: datetime, reason: str = "") -> TimeOff:
    if ends <= starts:
        raise ValidationError(ENDS_BEFORE_START_MSG, code="ends_before_start")
    return TimeOff.objects.create(organizer=organizer, starts=starts, ends=ends, reason=reason)


@transaction.atomic
def time_off_approve(*, time_off: TimeOff) -> TimeOff:
    """Approving writes a busy block; it fails while the organizer has visits in that time (B9's mirror)."""
    time_off = TimeOff.objects.select_for_update().get(pk=time_off.pk)
    locked = _lock_organizers([time_off.organizer])
    if busy_conflicts(organizer_ids=[locked[0].pk], starts=time_off.starts, blocked_until=time_off.ends):
        raise ValidationError(TIME_OFF_CONFLICT_MSG, code="double_booked")
    try:
        with transaction.atomic():
            OrganizerBlock.objects.create(
                organizer=time_off.organizer, kind=OrganizerBlock.Kind.TIME_OFF, time_off=time_off,
                starts=time_off.starts, ends=time_off.ends, blocked_until=time_off.ends,
            )  # fmt: skip
    except (IntegrityError, OperationalError) as exc:
        raise ValidationError(TIME_OFF_CONFLICT_MSG, code="double_booked") from exc
    time_off.status = TimeOff.Status.APPROVED
    time_off.save(update_fields=["status"])
    return time_off


def time_off_decline(*, time_off: TimeOff) -> TimeOff:
    with transaction.atomic():
        OrganizerBlock.objects.filter(time_off=time_off).update(status=OrganizerBlock.Status.CANCELLED)
        time_off.status = TimeOff.Status.REJECTED
        time_off.save(update_fields=["status"])
    return time_off


def feed_regenerate(*, organizer: User) -> CalendarFeed:
    """A new secret token: the old feed URL stops working at once."""
    feed, created = CalendarFeed.objects.get_or_create(organizer=organizer)
    if not created:
        feed.token = new_feed_token()
        feed.save(update_fields=["token", "created_at"])
    return feed


def local_day_bounds(day: date, tz: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(tz)
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end
