"""Every write to one-off visits: booking, moving, cancelling, statuses on the day, time off, the feed token.
Recurring series (creating, materializing, "this and following") are in operations.services.series.

Booking discipline (docs/specs/booking.md): lock the organizer rows in primary-key order, check for conflicts,
write one busy block per organizer, and map the exclusion constraint's errors (23P01, and the 40P01 deadlock
PostgreSQL can report while checking it) to the same "slot just taken" ValidationError. Reminders are outbox
rows written in the same transaction (operations.reminders).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from accounts.models import User, WorkingHours
from clients.models import Client, ClientAssignment, Site
from operations import recurrence, reminders, visit_rules
from operations.models import (
    Appointment,
    AppointmentType,
    CalendarFeed,
    OrganizerBlock,
    RecurringSeries,
    TimeOff,
    new_feed_token,
)
from operations.selectors import visits as visit_selectors
from operations.services import inventory

DOUBLE_BOOKED_MSG = "That slot was just taken: %(who)s is busy then. Pick another time."
CLASH_MSG = "%(clash)s. %(free)s"  # T17: a plain conflict names what is there; nothing was "just taken"
RACE_CLASH_MSG = "That slot was just taken: %(clash)s. %(free)s"
FREE_THAT_DAY_MSG = "Free that day for %(who)s: %(starts)s."
NOTHING_FREE_THAT_DAY_MSG = "%(who)s has no free %(minutes)s-minute slot left that day."
OUTSIDE_HOURS_MSG = "%(who)s does not work at that time. Confirm “book outside working hours” to book anyway."
NO_ORGANIZER_MSG = "Choose at least one organizer."
NOT_ORGANIZER_MSG = "Only active organizers can be booked."
SITE_OF_OTHER_CLIENT_MSG = "The site must belong to the client."
ENDS_BEFORE_START_MSG = "The visit must end after it starts."
PAST_VISIT_MSG = "Past and completed visits are not changed."
STATUS_CHANGE_MSG = "A %(status)s visit cannot be changed to %(new)s."
TIME_OFF_CONFLICT_MSG = "This time off overlaps booked visits; reassign them first."
NOT_STARTED_MSG = "This visit starts %(when)s: it can be marked %(new)s only once it has started."
OPEN_CHECKLIST_MSG = "These checklist items are not ticked: %(items)s. Complete the visit anyway?"
PAST_START_MSG = "That time has passed: choose a time after %(now)s."
TOO_EARLY_TO_START_MSG = "This visit starts %(when)s: it can be started from %(earliest)s."


def _double_booked(
    organizers: Sequence[User], starts: datetime, ends: datetime, blocked_until: datetime, tz: str,
    appointment: Appointment | None, conflicts: Sequence[OrganizerBlock] | None = None, race: bool = False,
) -> ValidationError:  # fmt: skip
    """Name the clash and offer the next free starts that day (docs/specs/defects.md T17). A race whose winner
    cannot be read (yet) keeps the plain message."""
    if conflicts is None:
        conflicts = busy_conflicts(
            organizer_ids=[o.pk for o in organizers], starts=starts, blocked_until=blocked_until,
            appointment=appointment,
        )  # fmt: skip
    if not conflicts:
        return ValidationError(DOUBLE_BOOKED_MSG, code="double_booked", params={"who": ", ".join(map(str, organizers))})
    clashes = visit_selectors.slot_clashes(blocks=list(conflicts), tz=tz)
    free = visit_selectors.free_starts_that_day(
        organizers=list(organizers), starts=starts, duration=ends - starts, travel=blocked_until - ends, tz=tz,
        exclude_appointment_id=appointment.pk if appointment is not None else None,
    )  # fmt: skip
    who = ", ".join(map(str, organizers))
    zone = ZoneInfo(tz)
    free_text = (
        FREE_THAT_DAY_MSG % {"who": who, "starts": ", ".join(f"{t.astimezone(zone):%H:%M}" for t in free)}
        if free
        else NOTHING_FREE_THAT_DAY_MSG % {"who": who, "minutes": int((ends - starts).total_seconds() // 60)}
    )
    # free_starts is not in the message's words: the forms turn each into a link that refills them (T25).
    return ValidationError(
        RACE_CLASH_MSG if race else CLASH_MSG, code="double_booked",
        params={"clash": "; ".join(c.text for c in clashes), "free": free_text, "free_starts": free},
    )  # fmt: skip


def clash_free_starts(exc: ValidationError) -> list[datetime]:
    """The free starts a "double_booked" refusal offers (the free-slot finder's, T17), for links (T25)."""
    params = getattr(exc, "params", None) or {}
    return list(params.get("free_starts", [])) if getattr(exc, "code", None) == "double_booked" else []


def lock_organizers(organizers: Sequence[User]) -> list[User]:
    """Lock in primary-key order (inside a transaction): two bookings for the same people queue up instead of
    deadlocking."""
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
            tz = appointment.site.time_zone
            raise _double_booked(
                organizers, appointment.starts, appointment.ends, appointment.blocked_until, tz, appointment, race=True
            ) from exc
        raise


def _check_slot(
    organizers: Sequence[User], starts: datetime, ends: datetime, blocked_until: datetime,
    appointment: Appointment | None, allow_outside_hours: bool, tz: str | None = None,
) -> None:  # fmt: skip
    if ends <= starts:
        raise ValidationError(ENDS_BEFORE_START_MSG, code="ends_before_start")
    conflicts = busy_conflicts(
        organizer_ids=[o.pk for o in organizers], starts=starts, blocked_until=blocked_until, appointment=appointment
    )
    if conflicts:
        tz = tz or (appointment.site.time_zone if appointment is not None else settings.BUSINESS_TIME_ZONE)
        raise _double_booked(organizers, starts, ends, blocked_until, tz, appointment, conflicts)
    if not allow_outside_hours:
        outside = [o for o in organizers if not working_hours_contain(organizer=o, starts=starts, ends=ends)]
        if outside:
            raise ValidationError(OUTSIDE_HOURS_MSG, code="outside_hours", params={"who": ", ".join(map(str, outside))})


def check_start_ahead(*, starts: datetime, now: datetime, tz: str) -> None:
    """A time a person chooses for a visit lies ahead of now (T47, docs/specs/defects.md): moving or booking a
    visit into the past would free or take time that is gone and send reminders too late. What happened is
    recorded on the visit (start, complete, no-show), never by moving it. The message names now in `tz`."""
    if starts < now:
        local = now.astimezone(ZoneInfo(tz))
        raise ValidationError(PAST_START_MSG, code="past_start", params={"now": f"{local:%a %b %-d, %H:%M %Z}"})


def _assign_to_client(client: Client, organizers: Sequence[User]) -> None:
    """Organizers booked for a client may open that client (clients' access helper reads these rows)."""
    for organizer in organizers:
        ClientAssignment.objects.get_or_create(client=client, organizer=organizer)


@transaction.atomic
def appointment_book(
    *, client: Client, site: Site, appointment_type: AppointmentType, organizers: Sequence[User], starts: datetime,
    ends: datetime | None = None, travel_min: int | None = None, notes: str = "", actor: User | None = None,
    allow_outside_hours: bool = False, series: RecurringSeries | None = None, original_start: datetime | None = None,
    now: datetime | None = None, category: str = Appointment.Category.VISIT, title: str = "", link_url: str = "",
    refuse_past: bool = False,
) -> Appointment:  # fmt: skip
    """Book a visit for one or more organizers: all of them or none (one transaction). A project work session
    comes through here too (category "project_session", with the caller's title and link).

    Raises ValidationError "double_booked" when any organizer is busy (also under a race), "outside_hours"
    unless allowed, or field errors for bad input. `now` (default: the clock) decides which reminders are
    already too late to send. `refuse_past`: a person is choosing the time (the booking form, a project session),
    so a start before `now` is refused as "past_start" (T47); the demo and calendar imports write visits that
    have already happened and leave it off.
    """
    if site.client_id != client.pk:
        raise ValidationError({"site": SITE_OF_OTHER_CLIENT_MSG}, code="site")
    if refuse_past:
        check_start_ahead(starts=starts, now=now or timezone.now(), tz=site.time_zone)
    locked = lock_organizers(organizers)
    ends = ends or starts + timedelta(minutes=appointment_type.default_duration_min)
    travel = appointment_type.default_travel_min if travel_min is None else travel_min
    blocked_until = ends + timedelta(minutes=travel)
    _check_slot(locked, starts, ends, blocked_until, None, allow_outside_hours, tz=site.time_zone)
    appointment = Appointment(
        client=client, site=site, appointment_type=appointment_type, starts=starts, ends=ends,
        blocked_until=blocked_until, notes=notes, created_by=actor, series=series, original_start=original_start,
        category=category, title=title, link_url=link_url,
        checklist=[{"text": item, "done": False} for item in appointment_type.checklist_items()],
    )  # fmt: skip
    appointment.full_clean(validate_constraints=False)
    appointment.save()
    appointment.organizers.set(locked)
    _write_blocks(appointment, locked)
    _assign_to_client(client, locked)
    reminders.reminders_write(appointment=appointment, now=now)
    return appointment


@transaction.atomic
def appointment_reschedule(
    *, appointment: Appointment, starts: datetime, ends: datetime, actor: User | None = None,
    organizers: Sequence[User] | None = None, allow_outside_hours: bool = False, now: datetime | None = None,
) -> Appointment:  # fmt: skip
    """Move this one visit (and/or change its organizers). A series visit becomes an exception; its
    original_start never changes. Moving onto its own old slot is fine (its blocks are excluded). A new start
    before now is refused (T47); a visit already under way may keep its start while its end or people change."""
    now = now or timezone.now()
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.status == Appointment.Status.COMPLETED or appointment.ends <= now:
        raise ValidationError(PAST_VISIT_MSG, code="past")
    if starts != appointment.starts:
        check_start_ahead(starts=starts, now=now, tz=appointment.site.time_zone)
    people = list(organizers) if organizers is not None else list(appointment.organizers.all())
    locked = lock_organizers(people)
    travel = appointment.blocked_until - appointment.ends
    _check_slot(locked, starts, ends, ends + travel, appointment, allow_outside_hours)
    appointment.starts, appointment.ends, appointment.blocked_until = starts, ends, ends + travel
    appointment.is_exception = appointment.series_id is not None
    appointment.sequence += 1
    appointment.save(update_fields=["starts", "ends", "blocked_until", "is_exception", "sequence", "updated_at"])
    appointment.organizers.set(locked)
    _write_blocks(appointment, locked)
    _assign_to_client(appointment.client, locked)
    reminders.reminders_write(appointment=appointment, now=now)
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
    if not appointment.is_upcoming:
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
    reminders.reminders_write(appointment=appointment, now=now)
    return appointment


@transaction.atomic
def appointment_uncancel(*, appointment: Appointment, actor: User | None = None) -> Appointment:
    """Restore a cancelled one-off visit; fails with "double_booked" if its slot was re-booked (B4)."""
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if not appointment.is_cancelled:
        return appointment
    locked = lock_organizers(list(appointment.organizers.all()))
    _check_slot(locked, appointment.starts, appointment.ends, appointment.blocked_until, appointment, True)
    appointment.status = Appointment.Status.SCHEDULED
    appointment.save(update_fields=["status", "updated_at"])
    _write_blocks(appointment, locked)
    reminders.reminders_write(appointment=appointment)
    return appointment


# --- statuses on the day ------------------------------------------------------------------------------


@transaction.atomic
def appointment_progress(
    *, appointment: Appointment, action: str, actor: User | None = None, notes: str = "", now: datetime | None = None,
    ask_if_items_open: bool = False,
) -> Appointment:  # fmt: skip
    """Start / complete / no-show / needs-redo. Start and complete record the actual times.

    Completing records the checklist items left unticked (T4). With `ask_if_items_open` it raises
    "open_checklist" naming them instead, so the page can ask the organizer to confirm; the confirmed request
    completes anyway."""
    now = now or timezone.now()
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    new_status = visit_rules.PROGRESS[action][1]
    if not visit_rules.status_allows(action, appointment.status):
        raise ValidationError(
            STATUS_CHANGE_MSG, code="status",
            params={"status": appointment.get_status_display().lower(), "new": new_status.replace("_", " ")},
        )  # fmt: skip
    _check_not_early(appointment, action, new_status, now)
    fields = ["status", "updated_at"]
    appointment.status = new_status
    if action == "start":
        appointment.actual_start = now
        fields.append("actual_start")
    if action == "complete":
        left_open = [item["text"] for item in appointment.checklist if not item.get("done")]
        if left_open and ask_if_items_open:
            raise ValidationError(OPEN_CHECKLIST_MSG, code="open_checklist", params={"items": "; ".join(left_open)})
        appointment.actual_start = appointment.actual_start or appointment.starts
        appointment.actual_end = max(now, appointment.actual_start)  # never before the start (T3)
        appointment.checklist_left_open = left_open
        fields += ["actual_start", "actual_end", "checklist_left_open"]
    if notes:
        appointment.outcome_notes = (appointment.outcome_notes + "\n" + notes).strip()
        fields.append("outcome_notes")
    appointment.save(update_fields=fields)
    if new_status == Appointment.Status.COMPLETED:
        inventory.allocations_consume(appointment=appointment, actor=actor)  # reserved supplies were used (I6)
    reminders.reminders_write(appointment=appointment, now=now)
    return appointment


def _check_not_early(appointment: Appointment, action: str, new_status: str, now: datetime) -> None:
    """Nothing is finished before it starts (T3, docs/specs/defects.md); when each action opens is
    operations.visit_rules' (T24), which the pages offer the actions by."""
    opens = visit_rules.opens_at(
        action, starts=appointment.starts, actual_start=appointment.actual_start,
        early=timedelta(minutes=settings.VISIT_START_EARLY_MINUTES),
    )  # fmt: skip
    if opens is None or now >= opens:
        return
    zone = ZoneInfo(appointment.site.time_zone)
    when = appointment.starts.astimezone(zone).strftime("%a %b %-d at %H:%M")
    if action == "start":
        raise ValidationError(
            TOO_EARLY_TO_START_MSG, code="too_early",
            params={"when": when, "earliest": opens.astimezone(zone).strftime("%H:%M")},
        )  # fmt: skip
    raise ValidationError(NOT_STARTED_MSG, code="too_early", params={"when": when, "new": new_status.replace("_", " ")})


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


# --- time off -----------------------------------------------------------------------------------------


def time_off_request(*, organizer: User, starts: datetime, ends: datetime, reason: str = "") -> TimeOff:
    if ends <= starts:
        raise ValidationError(ENDS_BEFORE_START_MSG, code="ends_before_start")
    return TimeOff.objects.create(organizer=organizer, starts=starts, ends=ends, reason=reason)


@transaction.atomic
def time_off_approve(*, time_off: TimeOff) -> TimeOff:
    """Approving writes a busy block; it fails while the organizer has visits in that time (B9's mirror)."""
    time_off = TimeOff.objects.select_for_update().get(pk=time_off.pk)
    locked = lock_organizers([time_off.organizer])
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
