"""Reads operations answers for project work sessions and the capacity view (docs/specs/one-schedule.md §3-§4).

Each is one query whatever the number of rows, so the unbooked-work list and the capacity view keep a constant
query count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time

from django.db.models import DurationField, ExpressionWrapper, F, Func, IntegerField, QuerySet, Subquery
from django.db.models.functions import Cast, Coalesce, Extract, Floor

from accounts.models import OrganizerProfile, User, WorkingHours
from operations.models import Appointment, OrganizerBlock, TimeOff


def session_booked_minutes(*, appointment_ids: Iterable[int] | QuerySet) -> dict[int, int]:
    """Organizer-minutes still booked per appointment: length × organizers, for visits not yet done
    (scheduled or confirmed, flagged or not). Cancelled, completed and no-show ones book nothing."""
    booked: dict[int, int] = {}
    rows = OrganizerBlock.objects.filter(
        appointment_id__in=appointment_ids, status=OrganizerBlock.Status.ACTIVE,
        appointment__status__in=Appointment.UPCOMING_STATUSES,
    ).values_list("appointment_id", "starts", "ends")  # fmt: skip
    for appointment_id, starts, ends in rows:
        booked[appointment_id] = booked.get(appointment_id, 0) + int((ends - starts).total_seconds() // 60)
    return booked


def booked_minutes_subquery(appointment_ids: QuerySet) -> Coalesce:
    """`session_booked_minutes` summed over `appointment_ids` as one SQL expression, for annotating each row of an
    outer query (the ids query refers to the outer row with OuterRef): lists can then filter and order on booked
    time in the database and read only the page they show. Each block counts whole minutes, as above."""
    length = ExpressionWrapper(F("ends") - F("starts"), output_field=DurationField())
    minutes = Cast(Floor(Extract(length, "epoch") / 60), IntegerField())
    blocks = (
        OrganizerBlock.objects.filter(
            appointment_id__in=appointment_ids,
            status=OrganizerBlock.Status.ACTIVE,
            appointment__status__in=Appointment.UPCOMING_STATUSES,
        )  # fmt: skip
        .order_by()
        # SUM as a plain function: an aggregate over the whole subquery, with no GROUP BY for Django to add.
        .annotate(m=Func(minutes, function="SUM", output_field=IntegerField()))
        .values("m")
    )
    return Coalesce(Subquery(blocks, output_field=IntegerField()), 0)


@dataclass(frozen=True)
class OrganizerHours:
    organizer: User
    tz: str
    hours: dict[int, tuple[time, time]]  # weekday -> (start, end), local


def organizers_with_hours(*, organizer_ids: Iterable[int] | None = None) -> list[OrganizerHours]:
    """Active organizers (or these) with their zone and weekly template: two queries."""
    people = User.objects.filter(role=User.Role.ORGANIZER, is_active=True)
    if organizer_ids is not None:
        people = people.filter(pk__in=list(organizer_ids))
    profiles = {
        p.user_id: p for p in OrganizerProfile.objects.filter(user__in=people).select_related("user")
    }  # fmt: skip
    hours: dict[int, dict[int, tuple[time, time]]] = {}
    for wh in WorkingHours.objects.filter(profile__in=list(profiles.values())).select_related("profile"):
        hours.setdefault(wh.profile.user_id, {})[wh.weekday] = (wh.starts_at, wh.ends_at)
    rows = [OrganizerHours(p.user, p.time_zone, hours.get(uid, {})) for uid, p in profiles.items()]
    return sorted(rows, key=lambda r: (r.organizer.first_name, r.organizer.last_name, r.organizer.pk))


def approved_time_off(*, organizer_ids: Iterable[int], start: datetime, end: datetime) -> list[TimeOff]:
    return list(
        TimeOff.objects.filter(
            organizer_id__in=list(organizer_ids), status=TimeOff.Status.APPROVED, starts__lt=end, ends__gt=start
        )
    )


@dataclass(frozen=True)
class BusyItem:
    """One busy block for capacity: a visit or session of one organizer (time off is not an item)."""

    organizer_id: int
    appointment_id: int
    category: str
    label: str
    starts: datetime
    ends: datetime
    blocked_until: datetime


def busy_items(*, organizer_ids: Iterable[int], start: datetime, end: datetime) -> list[BusyItem]:
    """Active visit and session blocks starting in [start, end) with their category, in one query (plain values:
    thousands of rows, no model instances)."""
    rows = (
        OrganizerBlock.objects.filter(
            organizer_id__in=list(organizer_ids),
            kind=OrganizerBlock.Kind.APPOINTMENT,
            status=OrganizerBlock.Status.ACTIVE,
            starts__gte=start,
            starts__lt=end,
        )  # fmt: skip
        .exclude(appointment__status__in=Appointment.CANCELLED_STATUSES)
        .order_by("starts", "organizer_id")
        .values_list(
            "organizer_id",
            "appointment_id",
            "appointment__category",
            "appointment__title",
            "appointment__client__name",
            "starts",
            "ends",
            "blocked_until",
        )  # fmt: skip
    )
    return [BusyItem(o, a, cat, title or client, s, e, b) for o, a, cat, title, client, s, e, b in rows]
