"""Recurring series: create one (all its visits up to the horizon or none), extend them nightly, and change
"this and following" or "all upcoming" visits (the series is split; past visits never change).

Rules: docs/specs/recurrence.md. The rule arithmetic is the pure engine operations.recurrence; each visit is
booked through operations.services.visits.appointment_book, so a series obeys the same booking discipline.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from clients.models import Client, Site
from operations import recurrence, recurrence_text
from operations.models import Appointment, AppointmentType, OrganizerBlock, RecurringSeries
from operations.services import visits as visit_services
from operations.services.visits import SITE_OF_OTHER_CLIENT_MSG, appointment_book, check_start_ahead, lock_organizers

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
                if getattr(exc, "code", None) == "double_booked":
                    report.conflicts.append(occurrence.starts)
                elif getattr(exc, "code", None) == "outside_hours":
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
    exdates: Sequence[datetime] = (), refuse_past: bool = False,
) -> tuple[RecurringSeries, MaterializeReport]:  # fmt: skip
    """Create a recurring series in the site's zone and book its visits up to the horizon, all or nothing.

    The first visit must be on the pattern (R9: OffPatternStartError suggests the right date). ``exdates`` are
    naive local wall times never to book (an imported calendar's EXDATEs and cancelled instances).
    `refuse_past`: a person chose the first visit's time (the booking form), so it must lie ahead of `now` (T47);
    an imported series may have begun long ago (its past occurrences are simply not booked)."""
    if site.client_id != client.pk:
        raise ValidationError({"site": SITE_OF_OTHER_CLIENT_MSG}, code="site")
    tz = site.time_zone
    if refuse_past:
        check_start_ahead(starts=recurrence.local_to_utc(local_start.replace(tzinfo=None), tz), now=now, tz=tz)
    try:
        recurrence.check_local_start(rule, local_start, tz)
    except recurrence.RecurrenceError as exc:
        raise ValidationError({"starts": str(exc)}, code="off_pattern") from exc
    series = RecurringSeries.objects.create(
        client=client, site=site, appointment_type=appointment_type, tz=tz, local_start=local_start.isoformat(),
        duration_min=duration_min, travel_min=travel_min, rrule=recurrence.format_rrule(rule), notes=notes,
        created_by=actor, exdates=sorted({x.replace(tzinfo=None).isoformat() for x in exdates}),
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


PATTERN_AMBIGUOUS_MSG = (
    "Moving this visit to %(day)s does not fit the schedule (%(rule)s), and the new pattern cannot be worked out "
    "from one move. Give the new repeat rule, or change this visit only."
)
NO_VISIT_AFTER_MOVE_MSG = "After this move the schedule has no visits left: %(reason)s"


def _split_error(exc: recurrence.RecurrenceError, series: RecurringSeries, new_local: datetime) -> ValidationError:
    """A split the engine refuses, as a form error on the day (or on the new rule when one was given)."""
    if isinstance(exc, recurrence.OffPatternStartError):
        rule_words = recurrence_text.describe_rule(
            _series_rule(series), tz=series.tz, local_start=datetime.fromisoformat(series.local_start)
        )
        day = f"{recurrence.Weekday(new_local.weekday()).label} {new_local.day} "
        day += f"{recurrence_text.MONTH_NAMES[new_local.month - 1]} {new_local.year}"
        return ValidationError(
            {"day": ValidationError(PATTERN_AMBIGUOUS_MSG, code="pattern_ambiguous",
                                    params={"day": day, "rule": rule_words})}
        )  # fmt: skip
    if isinstance(exc, recurrence.EmptySeriesError):
        return ValidationError(
            {"day": ValidationError(NO_VISIT_AFTER_MOVE_MSG, code="empty_series", params={"reason": str(exc)})}
        )
    field_name = "rrule" if getattr(exc, "field", None) in ("rrule", "new_pattern") else "day"
    return ValidationError({field_name: ValidationError(str(exc), code="invalid_rule")})


def _instances(rule: recurrence.RecurrenceRule, local_start: datetime, tz: str, start: datetime) -> list[datetime]:
    """The rule's instants (EXDATEs not applied) in [start, start + 366 days): the rows of a horizon at most."""
    return [
        o.original_start
        for o in recurrence.expand_occurrences(
            rule, local_start, tz, start, start + recurrence.MAX_WINDOW, duration=timedelta(0)
        )
    ]


def _pair_occurrences(
    old: list[datetime], new: list[datetime], shift: timedelta, tz: str, *, by_position: bool
) -> dict[datetime, datetime]:
    """Which old occurrence continues as which new one (T2: those rows are kept).

    The same pattern (a new time, or a day move the pattern follows) pairs the k-th following visit with the
    k-th: that is what COUNT keeps too. A pattern the user typed pairs only visits that land exactly where the
    move puts them; the others are genuinely gone or genuinely new.
    """
    if by_position:
        return dict(zip(old, new, strict=False))
    targets = set(new)
    moved = {o: recurrence.local_to_utc(recurrence.utc_to_local(o, tz).replace(tzinfo=None) + shift, tz) for o in old}
    return {o: m for o, m in moved.items() if m in targets}


@transaction.atomic
def series_change_from(
    *, appointment: Appointment, local_time: time, duration_min: int, actor: User | None, now: datetime,
    new_day: date | None = None, new_pattern: recurrence.RecurrenceRule | None = None,
) -> RecurringSeries:  # fmt: skip
    """ "This and following" from this visit: split the series (Google style) and return the series that now
    holds this visit and the ones after it.

    The old series ends one second before this occurrence (UNTIL = T - 1 s); the new one starts at T with the new
    time, day (``new_day``: the pattern follows the move where that is unambiguous, else ``new_pattern`` is
    needed) and ``COUNT = remaining`` (R14). Visits that continue to exist keep their rows, ids and feed UIDs,
    with sequence + 1 (T2); cancelled ones move with their exclusion; exceptions keep their own times; past and
    completed visits never change.
    """
    if appointment.series_id is None or appointment.original_start is None:
        raise ValidationError("This visit is not part of a series.", code="not_series")
    series = RecurringSeries.objects.select_for_update().get(pk=appointment.series_id)
    split_at = appointment.original_start
    old_local = datetime.fromisoformat(series.local_start)
    old_rule = _series_rule(series)
    split_wall = recurrence.utc_to_local(split_at, series.tz).replace(tzinfo=None)
    new_local_start = datetime.combine(new_day or split_wall.date(), time(local_time.hour, local_time.minute))
    try:
        split = recurrence.split_series(
            old_rule, old_local, series.tz, split_at=split_at, new_local_start=new_local_start,
            new_pattern=new_pattern, exdates=[datetime.fromisoformat(x) for x in series.exdates],
        )  # fmt: skip
    except recurrence.RecurrenceError as exc:
        raise _split_error(exc, series, new_local_start) from exc
    new_start_utc = recurrence.local_to_utc(split.new_local_start, series.tz)
    pairs = _pair_occurrences(
        _instances(old_rule, old_local, series.tz, split_at),
        _instances(split.new_rule, split.new_local_start, series.tz, new_start_utc),
        split.new_local_start - split_wall,
        series.tz,
        by_position=new_pattern is None,
    )
    # Cancelled visits stay cancelled and exceptions keep their own rows (on the old series): either way the
    # occurrence each pairs with is excluded from the new series, so it is never booked twice.
    excluded = {recurrence.local_to_utc(datetime.fromisoformat(x), series.tz) for x in series.exdates}
    exceptions = Appointment.objects.filter(series=series, original_start__gte=split_at, is_exception=True)
    excluded |= {x for x in exceptions.values_list("original_start", flat=True) if x is not None}
    new_exdates = {recurrence.utc_to_local(pairs[x], series.tz).replace(tzinfo=None) for x in excluded if x in pairs}
    if new_pattern is not None:
        new_exdates |= set(split.new_exdates)
    new_series = _split_off(series, split, sorted(new_exdates), duration_min=duration_min, actor=actor)
    _carry_rows(series=series, target=new_series, split_at=split_at, pairs=pairs, duration_min=duration_min, now=now)
    series_materialize(series=new_series, now=now, strict=True)
    return new_series


def _split_off(
    series: RecurringSeries, split: recurrence.SeriesSplit, new_exdates: list[datetime], *, duration_min: int,
    actor: User | None,
) -> RecurringSeries:  # fmt: skip
    """End the series before T and create the child series that holds T and the visits after it."""
    series.rrule = recurrence.format_rrule(split.old_rule)
    series.exdates = [x.isoformat() for x in split.old_exdates]
    series.sequence += 1
    series.save(update_fields=["rrule", "exdates", "sequence"])
    new_series = RecurringSeries.objects.create(
        client=series.client, site=series.site, appointment_type=series.appointment_type, tz=series.tz,
        local_start=split.new_local_start.isoformat(), duration_min=duration_min, travel_min=series.travel_min,
        rrule=recurrence.format_rrule(split.new_rule), parent_series=series, notes=series.notes, created_by=actor,
        exdates=[x.isoformat() for x in new_exdates],
    )  # fmt: skip
    new_series.organizers.set(series.organizers.all())
    return new_series


def _carry_rows(
    *, series: RecurringSeries, target: RecurringSeries, split_at: datetime, pairs: dict[datetime, datetime],
    duration_min: int, now: datetime,
) -> None:  # fmt: skip
    """Move the upcoming rows from T on to the new series, as the same rows (T2).

    Their busy blocks are released first, so one visit moving onto another's old slot is not a clash with
    itself; each is then re-checked and re-blocked by the booking service (a clash with anyone else aborts the
    whole edit). Exceptions keep their own time and stay where they are. A row whose occurrence is gone is
    cancelled, so its links still open.
    """
    movable = list(
        Appointment.objects.select_for_update()
        .filter(series=series, original_start__gte=split_at, starts__gte=now, is_exception=False)
        .exclude(status=Appointment.Status.COMPLETED)
        .order_by("original_start")
    )
    OrganizerBlock.objects.filter(appointment__in=movable).update(status=OrganizerBlock.Status.CANCELLED)
    for row in movable:
        new_original = pairs.get(row.original_start) if row.original_start else None
        if new_original is None:
            if row.is_upcoming:
                visit_services.appointment_cancel(appointment=row, now=now)
            continue
        Appointment.objects.filter(pk=row.pk).update(series=target, original_start=new_original)
        if row.is_cancelled:
            continue  # it stays cancelled; its exclusion moved with it
        ends = new_original + timedelta(minutes=duration_min)
        try:
            visit_services.appointment_reschedule(
                appointment=row, starts=new_original, ends=ends, allow_outside_hours=True, now=now
            )
        except ValidationError as exc:
            if getattr(exc, "code", None) != "double_booked":
                raise
            first = new_original.astimezone(ZoneInfo(series.tz)).strftime("%a %b %-d %H:%M")
            raise ValidationError(
                SERIES_CONFLICT_MSG, code="double_booked", params={"count": 1, "first": first}
            ) from exc
        # The booking service marks a moved series visit as an exception; this one still follows its rule.
        Appointment.objects.filter(pk=row.pk).update(is_exception=False)


def series_change_all(
    *, series: RecurringSeries, local_time: time, duration_min: int, actor: User | None, now: datetime,
    day_shift_days: int = 0, new_pattern: recurrence.RecurrenceRule | None = None,
) -> RecurringSeries:  # fmt: skip
    """ "All visits" = this and following from the next visit that has not started (past ones never change).

    ``day_shift_days`` moves every visit by that many days (the edited visit's move)."""
    upcoming = (
        Appointment.objects.filter(series=series, starts__gt=now, is_exception=False)
        .exclude(status__in=[*Appointment.CANCELLED_STATUSES, Appointment.Status.COMPLETED])
        .order_by("original_start")
        .first()
    )
    if upcoming is None:
        raise ValidationError("This series has no upcoming visit to change.", code="no_upcoming")
    assert upcoming.original_start is not None
    new_day = None
    if day_shift_days:
        wall = recurrence.utc_to_local(upcoming.original_start, series.tz)
        new_day = wall.date() + timedelta(days=day_shift_days)
    return series_change_from(
        appointment=upcoming, local_time=local_time, duration_min=duration_min, actor=actor, now=now,
        new_day=new_day, new_pattern=new_pattern,
    )  # fmt: skip
