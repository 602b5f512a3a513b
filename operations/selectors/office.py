"""What the office needs on its home page (docs/specs/kpis.md §4): today's visits per organizer, visits nobody
is on or nobody confirmed, conflicts and flagged work, reminders that failed or are overdue, low stock and open
purchase orders. Counts and short lists; every query is bounded."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from operations import localtime
from operations.models import Appointment, PurchaseOrder, Reminder, TimeOff
from operations.selectors import purchasing

LIST_LIMIT = 20
UNCONFIRMED_DAYS = 2  # scheduled visits starting this soon should have been confirmed
FLAGGED_DAYS = 14


@dataclass
class OrganizerToday:
    organizer: User | None  # None: visits nobody is on
    visits: list[Appointment] = field(default_factory=list)


def _with_people(visits: QuerySet[Appointment]) -> QuerySet[Appointment]:
    return visits.select_related("client", "appointment_type").prefetch_related(
        Prefetch("organizers", queryset=User.objects.order_by("first_name"), to_attr="people")
    )


def today_by_organizer(*, day: date) -> list[OrganizerToday]:
    start, end = localtime.local_day_bounds(day, settings.BUSINESS_TIME_ZONE)
    groups: dict[int | None, OrganizerToday] = {}
    for visit in _with_people(Appointment.objects.filter(starts__gte=start, starts__lt=end)).order_by("starts"):
        for person in visit.people or [None]:  # type: ignore[attr-defined]  # to_attr prefetch
            key = person.pk if person else None
            groups.setdefault(key, OrganizerToday(person)).visits.append(visit)
    return sorted(groups.values(), key=lambda g: (g.organizer is None, str(g.organizer or "")))


def unassigned_or_unconfirmed(*, now: datetime) -> dict[str, list[Appointment]]:
    upcoming = Appointment.objects.filter(starts__gte=now, status__in=Appointment.UPCOMING_STATUSES)
    nobody = upcoming.annotate(
        has_people=Exists(Appointment.organizers.through.objects.filter(appointment_id=OuterRef("pk")))
    ).filter(has_people=False)
    soon = upcoming.filter(status=Appointment.Status.SCHEDULED, starts__lt=now + timedelta(days=UNCONFIRMED_DAYS))
    return {
        "unassigned": list(_with_people(nobody).order_by("starts")[:LIST_LIMIT]),
        "unconfirmed": list(_with_people(soon).order_by("starts")[:LIST_LIMIT]),
    }


def conflicts_and_flags(*, now: datetime) -> dict[str, list[Any]]:
    """Upcoming visits overlapping time off someone asked for; visits flagged for a redo, left with checklist items
    open, or still in progress long after their end."""
    requested = TimeOff.objects.filter(status=TimeOff.Status.REQUESTED, ends__gt=now)
    clashes = []
    by_person: dict[int, list[TimeOff]] = defaultdict(list)
    for off in requested.select_related("organizer"):
        by_person[off.organizer_id].append(off)
    if by_person:
        visits = Appointment.objects.filter(
            organizers__in=list(by_person), starts__gte=now, status__in=Appointment.UPCOMING_STATUSES
        ).distinct()
        for visit in _with_people(visits).order_by("starts")[:200]:
            for person in visit.people:  # type: ignore[attr-defined]
                for off in by_person.get(person.pk, []):
                    if visit.starts < off.ends and visit.ends > off.starts:
                        clashes.append({"visit": visit, "organizer": person, "time_off": off})
    recent = now - timedelta(days=FLAGGED_DAYS)
    flagged = Appointment.objects.filter(starts__gte=recent).filter(
        Q(status=Appointment.Status.NEEDS_REDO)
        | Q(status=Appointment.Status.IN_PROGRESS, ends__lt=now - timedelta(hours=2))
        | (Q(status=Appointment.Status.COMPLETED) & ~Q(checklist_left_open=[]))
    )
    return {"conflicts": clashes[:LIST_LIMIT], "flagged": list(_with_people(flagged).order_by("-starts")[:LIST_LIMIT])}


def reminder_problems(*, now: datetime) -> dict[str, Any]:
    failed = Reminder.objects.filter(status=Reminder.Status.FAILED, send_at__gte=now - timedelta(days=7))
    overdue = Reminder.objects.filter(status=Reminder.Status.PENDING, send_at__lt=now - timedelta(minutes=10))
    return {
        "failed": list(failed.select_related("appointment__client").order_by("-send_at")[:LIST_LIMIT]),
        "failed_count": failed.count(),
        "pending_count": overdue.count(),
    }


def stock_problems() -> dict[str, Any]:
    suggestions = purchasing.reorder_suggestions()
    open_orders = PurchaseOrder.objects.filter(status__in=PurchaseOrder.OPEN_STATUSES)
    return {
        "low_stock": suggestions[:LIST_LIMIT],
        "low_stock_count": len(suggestions),
        "open_orders": list(open_orders.select_related("supplier").order_by("-created_at")[:LIST_LIMIT]),
        "open_orders_count": open_orders.count(),
    }


def office_home(*, now: datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    today = now.astimezone(localtime.ZoneInfo(settings.BUSINESS_TIME_ZONE)).date()
    return {
        "today": today,
        "today_by_organizer": today_by_organizer(day=today),
        **unassigned_or_unconfirmed(now=now),
        **conflicts_and_flags(now=now),
        "reminders": reminder_problems(now=now),
        "stock": stock_problems(),
    }


def organizer_week(*, user: Any, day: date) -> dict[str, Any]:
    """Hours booked and completed this week (Monday to Sunday, business days) for one organizer: their own
    visits only."""
    monday = day - timedelta(days=day.weekday())
    start, _ = localtime.local_day_bounds(monday, settings.BUSINESS_TIME_ZONE)
    _, end = localtime.local_day_bounds(monday + timedelta(days=6), settings.BUSINESS_TIME_ZONE)
    visits = Appointment.objects.filter(organizers=user, starts__gte=start, starts__lt=end).exclude(
        status__in=(*Appointment.CANCELLED_STATUSES, Appointment.Status.NO_SHOW)
    )
    booked = completed = 0
    for visit in visits.only("starts", "ends", "actual_start", "actual_end", "status"):
        minutes = int((visit.ends - visit.starts).total_seconds() // 60)
        booked += minutes
        if visit.status in (Appointment.Status.COMPLETED, Appointment.Status.NEEDS_REDO):
            if visit.actual_start and visit.actual_end:
                minutes = int((visit.actual_end - visit.actual_start).total_seconds() // 60)
            completed += minutes
    return {"monday": monday, "sunday": monday + timedelta(days=6), "booked_min": booked, "completed_min": completed}
