"""Rates and billable minutes of one organizer on one visit (pure math in billing.money)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q

from accounts.models import OrganizerProfile, User
from billing import conf
from billing import money as bm
from billing.models import ClientRate, RedoLink, TypePricing, VisitTime
from clients.models import Client
from operations.models import Appointment, AppointmentType


def local_date(moment: datetime) -> date:
    """A money document's date: the business-local date of an instant, never the UTC or server date."""
    return moment.astimezone(ZoneInfo(settings.BUSINESS_TIME_ZONE)).date()


@dataclass
class Shared:
    """What a batch reads once for all its clients: each appointment type's pricing and each organizer's default
    rate (neither depends on the client). Lives only as long as one batch run."""

    pricing: dict[int, TypePricing] = field(default_factory=dict)
    organizer_rates: dict[int, Decimal | None] = field(default_factory=dict)


@dataclass
class Book:
    """What one sync reads again and again, read once: rates and pricing as resolved, and the client's
    per-organizer times and redo links."""

    rates: dict[tuple[int, int, int], tuple[Decimal, str]] = field(default_factory=dict)
    pricing: dict[int, TypePricing] = field(default_factory=dict)
    times: dict[tuple[int, int], VisitTime] | None = None
    redo: dict[int, RedoLink] | None = None
    organizer_rates: dict[int, Decimal | None] = field(default_factory=dict)

    @classmethod
    def for_client(cls, client: Client, visits: Iterable[int] | None = None, shared: Shared | None = None) -> Book:
        """The book of a client's sync; `visits` limits the times and redo links read to those visits."""
        times_qs = VisitTime.objects.filter(visit__client=client)
        redo_qs = RedoLink.objects.filter(visit__client=client).select_related("redo_of")
        if visits is not None:
            times_qs, redo_qs = times_qs.filter(visit_id__in=list(visits)), redo_qs.filter(visit_id__in=list(visits))
        times = {(t.visit_id, t.organizer_id): t for t in times_qs}
        redo = {r.visit_id: r for r in redo_qs}
        if shared is None:
            return cls(times=times, redo=redo)
        return cls(times=times, redo=redo, pricing=shared.pricing, organizer_rates=shared.organizer_rates)


def pricing_of(appointment_type: AppointmentType, book: Book | None = None) -> TypePricing:
    if book is not None and appointment_type.pk in book.pricing:
        return book.pricing[appointment_type.pk]
    found = TypePricing.objects.filter(appointment_type=appointment_type).first()
    found = found or TypePricing(appointment_type=appointment_type)
    if book is not None:
        book.pricing[appointment_type.pk] = found
    return found


def minimum_of(pricing: TypePricing) -> int:
    if pricing.minimum_minutes is None:
        return int(conf.get("BILLING_DEFAULT_MINIMUM"))
    return pricing.minimum_minutes


def resolve_rate(
    *, client: Client, appointment_type: AppointmentType | None, organizer: User | None, book: Book | None = None
) -> tuple[Decimal, str]:
    """Client-specific (most specific row) > appointment type > organizer's default rate."""
    key = (client.pk, appointment_type.pk if appointment_type else 0, organizer.pk if organizer else 0)
    if book is not None and key in book.rates:
        return book.rates[key]
    rows = ClientRate.objects.filter(client=client)
    rows = rows.filter(Q(appointment_type=appointment_type) | Q(appointment_type__isnull=True))
    rows = rows.filter(Q(organizer=organizer) | Q(organizer__isnull=True))
    best = max(rows, key=lambda r: (r.appointment_type_id is not None, r.organizer_id is not None), default=None)
    found = bm.choose_rate(
        client_rate=best.rate if best else None,
        type_rate=appointment_type.billable_rate if appointment_type else None,
        organizer_rate=_organizer_rate(organizer, book),
    )
    if book is not None:
        book.rates[key] = found
    return found


def _organizer_rate(organizer: User | None, book: Book | None) -> Decimal | None:
    if organizer is None:
        return None
    if book is not None and organizer.pk in book.organizer_rates:
        return book.organizer_rates[organizer.pk]
    profile = OrganizerProfile.objects.filter(user=organizer).first()
    rate = profile.billable_rate if profile else None
    if book is not None:
        book.organizer_rates[organizer.pk] = rate
    return rate


@dataclass(frozen=True)
class WorkedTime:
    raw: int
    needs_review: bool  # no actual times were recorded: the scheduled times stand in


def worked_minutes(visit: Appointment, organizer: User, book: Book | None = None) -> WorkedTime:
    """The organizer's own recorded times, else the visit's actual times, else the schedule (to be reviewed)."""
    if book is not None and book.times is not None:
        own = book.times.get((visit.pk, organizer.pk))
    else:
        own = VisitTime.objects.filter(visit=visit, organizer=organizer).first()
    if own:
        return WorkedTime(bm.minutes_between(own.starts, own.ends), False)
    if visit.actual_start and visit.actual_end:
        return WorkedTime(bm.minutes_between(visit.actual_start, visit.actual_end), False)
    return WorkedTime(bm.minutes_between(visit.starts, visit.ends), True)


def round_and_minimum(raw: int, *, minimum: int) -> tuple[int, int]:
    return bm.billed_minutes(
        raw, increment=int(conf.get("BILLING_ROUNDING_INCREMENT")), mode=str(conf.get("BILLING_ROUNDING_MODE")),
        minimum=minimum,
    )  # fmt: skip
