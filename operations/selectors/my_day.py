"""My day: an organizer's visits and sessions of one local day, and the actions on the day each offers now
(docs/specs/defects.md T24), by the rule the service refuses by (operations.visit_rules)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import quote_plus
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from accounts.models import OrganizerProfile
from clients.models import Contact
from operations import localtime, visit_rules
from operations.models import Appointment


@dataclass(frozen=True)
class DayOffer:
    """The actions on the day a page offers now, and when the others open (T24, docs/specs/defects.md)."""

    actions: frozenset[str]  # open now: the service accepts them (operations.visit_rules)
    waiting: tuple[str, ...]  # "Start opens at 08:45", in the site's zone

    @property
    def takes_notes(self) -> bool:
        """Notes go with start, complete, no-show and needs redo; "client cancelled" does not record them."""
        return bool(self.actions - {visit_rules.CLIENT_CANCEL})


def day_offer(
    *, visit: Appointment, now: datetime | None = None, offered: Collection[str] = visit_rules.ACTIONS
) -> DayOffer:
    """Which of the `offered` actions the visit's status allows, split into open now and not yet (a project
    session's card offers only "complete", which needs the minutes worked; its My day form the others)."""
    zone = ZoneInfo(visit.site.time_zone)
    actions = visit_rules.day_actions(
        status=visit.status, starts=visit.starts, actual_start=visit.actual_start, now=now or timezone.now(),
        early=timedelta(minutes=settings.VISIT_START_EARLY_MINUTES),
    )  # fmt: skip
    actions = [a for a in actions if a.action in offered]
    waiting: dict[datetime, list[str]] = {}
    for a in actions:
        if not a.open_now and a.opens is not None:
            waiting.setdefault(a.opens, []).append(a.label)
    day = visit.starts.astimezone(zone).date()
    texts = []
    for opens, labels in sorted(waiting.items()):
        local = opens.astimezone(zone)
        when = f"{local:%H:%M}" if local.date() == day else f"{local:%H:%M} on {local:%a %b} {local.day}"
        texts.append(f"{' and '.join(labels)} open{'s' if len(labels) == 1 else ''} at {when}")
    return DayOffer(frozenset(a.action for a in actions if a.open_now), tuple(texts))


SESSION_FORM_ACTIONS = tuple(a for a in visit_rules.ACTIONS if a != "complete")  # the card completes a session


@dataclass(frozen=True)
class DayVisit:
    visit: Appointment
    local_start: datetime
    local_end: datetime
    contact: Contact | None
    map_url: str
    offer: DayOffer


def my_day(*, user: Any, day: date | None = None, now: datetime | None = None) -> tuple[date, list[DayVisit]]:
    """The organizer's visits on one local day (their own zone), in order, with the site and primary contact,
    and the actions each offers at `now` (default: the clock)."""
    now = now or timezone.now()
    profile = OrganizerProfile.objects.filter(user=user).first()
    tz = profile.time_zone if profile else settings.BUSINESS_TIME_ZONE
    zone = ZoneInfo(tz)
    day = day or now.astimezone(zone).date()
    day_start, day_end = localtime.local_day_bounds(day, tz)
    visits = (
        Appointment.objects.filter(organizers=user, starts__lt=day_end, ends__gt=day_start)
        .exclude(status__in=Appointment.CANCELLED_STATUSES)
        .select_related("client", "site", "appointment_type")
        .prefetch_related(
            Prefetch("client__contacts", queryset=Contact.objects.filter(is_primary=True), to_attr="primary")
        )
        .order_by("starts")
    )
    rows = [
        _day_visit(
            visit,
            now=now,
            contact=next(iter(visit.client.primary), None),  # type: ignore[attr-defined]  # to_attr
            offered=SESSION_FORM_ACTIONS if visit.is_session else visit_rules.ACTIONS,
        )  # fmt: skip
        for visit in visits
    ]
    return day, rows


def _day_visit(visit: Appointment, *, now: datetime, contact: Contact | None, offered: Collection[str]) -> DayVisit:
    site_zone = ZoneInfo(visit.site.time_zone)
    return DayVisit(
        visit=visit,
        local_start=visit.starts.astimezone(site_zone),
        local_end=visit.ends.astimezone(site_zone),
        contact=contact,
        map_url="https://www.openstreetmap.org/search?query=" + quote_plus(visit.site.one_line_address),
        offer=day_offer(visit=visit, now=now, offered=offered),
    )


def visit_on_the_day(*, visit: Appointment, staff: bool, now: datetime | None = None) -> DayVisit:
    """The visit page's "On the day" card (T27): the same offer, contact and map link as My day. Staff record a
    client's cancellation from the page header, so the card leaves that one out for them."""
    offered = [a for a in visit_rules.ACTIONS if not (staff and a == visit_rules.CLIENT_CANCEL)]
    contact = Contact.objects.filter(client_id=visit.client_id, is_primary=True).order_by("pk").first()
    return _day_visit(visit, now=now or timezone.now(), contact=contact, offered=offered)
