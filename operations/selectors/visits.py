"""Reads of visits, scoped by user, with the joins the calendar, My day and the feed need (constant queries)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from accounts import access
from accounts.models import OrganizerProfile, User, WorkingHours
from clients.models import Site
from operations import availability, localtime
from operations.models import Appointment, AppointmentType, CalendarFeed, OrganizerBlock, Reminder, TimeOff
from operations.recurrence_text import describe_stored


def appointment_list_for_user(*, user: Any) -> QuerySet[Appointment]:
    """Staff see every visit; an organizer sees the visits they are booked on."""
    visits = Appointment.objects.all()
    if access.is_staff_role(user):
        return visits
    if access.is_organizer(user):
        return visits.filter(organizers=user)
    return visits.none()


def appointment_get_for_user(*, user: Any, pk: int) -> Appointment:
    """The visit if `user` may see it, else Http404 (never 403: ids must not leak)."""
    return get_object_or_404(
        appointment_list_for_user(user=user).select_related("client", "site", "appointment_type", "series"), pk=pk
    )


def _with_people(visits: QuerySet[Appointment]) -> QuerySet[Appointment]:
    return visits.select_related("client", "site", "appointment_type", "series").prefetch_related(
        Prefetch(
            "organizers",
            queryset=User.objects.select_related("organizer_profile").order_by("first_name"),
            to_attr="people",
        )
    )


URL_PK = "2147483647"  # a placeholder id no real row has, replaced per event


def _url_template(name: str) -> str:
    return reverse(name, kwargs={"pk": int(URL_PK)})


def _people_of(visit_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """(name, colour) of each visit's organizers, ordered by first name as the calendar lists them; one query."""
    rows = (
        Appointment.organizers.through.objects.filter(appointment_id__in=visit_ids)
        .order_by("user__first_name", "user__last_name", "user__email", "user_id")
        .values_list("appointment_id", "user__first_name", "user__last_name", "user__email",
                     "user__organizer_profile__colour")
    )  # fmt: skip
    people: dict[int, list[tuple[str, str]]] = {}
    for visit_id, first, last, email, colour in rows:
        name = f"{first} {last}".strip() or email  # what str(user) shows
        people.setdefault(visit_id, []).append((name, colour or NO_COLOUR))
    return people


NO_COLOUR = "#6c757d"
EVENT_FIELDS = (
    "pk", "starts", "ends", "status", "client__name", "appointment_type__name", "site__time_zone", "series_id",
    "series__rrule", "series__tz", "series__local_start", "category", "title", "link_url",
)  # fmt: skip


def calendar_events(
    *, user: Any, start: datetime, end: datetime, organizer_ids: list[int] | None = None
) -> list[dict[str, Any]]:
    """FullCalendar events for [start, end): title, times in UTC, the first organizer's colour, and whether the
    viewer may drag it. Two queries whatever the number of visits.

    A week of 20 organizers is ~500 events, so rows are read as plain values (no model instances), each URL is
    reversed once and each series described once: 0.6 s became well under 0.1 s on the scale data set
    (docs/PERFORMANCE.md)."""
    visits = (
        appointment_list_for_user(user=user)
        .filter(starts__lt=end, ends__gt=start)
        .exclude(status__in=Appointment.CANCELLED_STATUSES)
    )
    if organizer_ids:
        visits = visits.filter(organizers__in=organizer_ids).distinct()
    can_move = access.is_staff_role(user)
    detail_url, move_url = _url_template("operations:appointment_detail"), _url_template("operations:calendar_move")
    rows = list(visits.order_by("starts", "pk").values(*EVENT_FIELDS))
    people = _people_of([row["pk"] for row in rows])
    repeats: dict[int, str] = {}
    events = []
    for row in rows:
        pk, series = row["pk"], row["series_id"]
        who = people.get(pk, [])
        colour = who[0][1] if who else NO_COLOUR
        if series is not None and series not in repeats:
            repeats[series] = describe_stored(
                row["series__rrule"], tz=row["series__tz"], local_start=row["series__local_start"]
            )
        session = row["category"] == Appointment.Category.PROJECT_SESSION
        events.append(
            {
                "id": str(pk),
                # Sessions say so in words, not by colour alone (docs/specs/one-schedule.md §2).
                "title": f"Project · {row['title']}"
                if session
                else f"{row['client__name']} · {row['appointment_type__name']}",
                "classNames": ["ev-session" if session else "ev-visit"],
                "start": row["starts"].isoformat(),
                "end": row["ends"].isoformat(),
                "backgroundColor": colour,
                "borderColor": colour,
                "url": row["link_url"] if session and row["link_url"] else detail_url.replace(URL_PK, str(pk)),
                "editable": can_move and row["status"] in Appointment.UPCOMING_STATUSES,
                "extendedProps": {
                    "status": row["status"],
                    "category": row["category"],
                    "organizers": [name for name, _ in who],
                    "moveUrl": move_url.replace(URL_PK, str(pk)),
                    **_zone_times(row["site__time_zone"], row["starts"], row["ends"]),
                    # The series' rule in words, for the tooltip (docs/specs/recurrence-rfc5545.md §5).
                    "repeats": repeats[series] if series is not None else "",
                },
            }
        )
    return events


def _zone_times(time_zone: str, starts: datetime, ends: datetime) -> dict[str, str]:
    """The visit in its site's zone, for calendar.js to show next to the viewer's time when the two differ
    (docs/specs/defects.md T19): "09:00 PT (site)" on a Seattle visit seen from New York."""
    zone = ZoneInfo(time_zone)
    local_start, local_end = starts.astimezone(zone), ends.astimezone(zone)
    return {
        "siteTimeZone": time_zone,
        "siteZoneAbbr": local_start.tzname() or time_zone,
        "siteStart": local_start.isoformat(),
        "siteTime": f"{local_start:%H:%M}–{local_end:%H:%M}",
    }


def organizers_with_colours() -> list[tuple[User, str]]:
    people = User.objects.filter(role=User.Role.ORGANIZER, is_active=True).select_related("organizer_profile")
    return [(u, getattr(getattr(u, "organizer_profile", None), "colour", "#6c757d")) for u in people]


# --- free slots -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FreeSlot:
    organizer: User
    starts: datetime
    local: datetime


def free_slots(
    *, appointment_type: AppointmentType, date_from: date, date_to: date, organizer: User | None = None,
    now: datetime | None = None,
) -> list[FreeSlot]:  # fmt: skip
    """Slots where the organizer(s) work and are free for the type's duration plus its travel buffer, at least
    the minimum notice from now (docs/specs/booking.md, B10). Shown in each organizer's own zone."""
    now = now or timezone.now()
    people = [organizer] if organizer else list(User.objects.filter(role=User.Role.ORGANIZER, is_active=True))
    profiles = {p.user_id: p for p in OrganizerProfile.objects.filter(user__in=people)}
    hours: dict[int, dict[int, tuple[Any, Any]]] = {}
    for wh in WorkingHours.objects.filter(profile__user__in=people).select_related("profile"):
        hours.setdefault(wh.profile.user_id, {})[wh.weekday] = (wh.starts_at, wh.ends_at)
    range_start = datetime.combine(date_from - timedelta(days=1), datetime.min.time()).replace(tzinfo=ZoneInfo("UTC"))
    range_end = datetime.combine(date_to + timedelta(days=2), datetime.min.time()).replace(tzinfo=ZoneInfo("UTC"))
    busy: dict[int, list[tuple[datetime, datetime]]] = {}
    for block in OrganizerBlock.objects.filter(
        organizer__in=people, status=OrganizerBlock.Status.ACTIVE, starts__lt=range_end, blocked_until__gt=range_start
    ):
        busy.setdefault(block.organizer_id, []).append((block.starts, block.blocked_until))
    request = availability.SlotRequest(
        duration=timedelta(minutes=appointment_type.default_duration_min),
        travel_after=timedelta(minutes=appointment_type.default_travel_min),
        step=timedelta(minutes=settings.SLOT_STEP_MINUTES),
        min_notice=timedelta(minutes=settings.MIN_BOOKING_NOTICE_MINUTES),
    )
    slots = []
    for person in people:
        profile = profiles.get(person.pk)
        if profile is None:
            continue
        windows = availability.working_windows(hours.get(person.pk, {}), profile.time_zone, date_from, date_to)
        zone = ZoneInfo(profile.time_zone)
        for start in availability.free_slots(windows, busy.get(person.pk, []), request, now):
            slots.append(FreeSlot(person, start, start.astimezone(zone)))
    return sorted(slots, key=lambda s: (s.starts, s.organizer.pk))


@dataclass(frozen=True)
class Clash:
    """What blocks a requested slot, in words: "Maya Chen has Nguyen household 10:00–12:00" (T17)."""

    organizer: User
    text: str


def slot_clashes(*, blocks: list[OrganizerBlock], tz: str) -> list[Clash]:
    """Name each busy block that overlaps a request, times in `tz` (the site's zone, as the form is typed)."""
    zone = ZoneInfo(tz)
    visits = {
        v.pk: v for v in Appointment.objects.filter(pk__in=[b.appointment_id for b in blocks if b.appointment_id])
        .select_related("client")
    }  # fmt: skip
    clashes = []
    for block in sorted(blocks, key=lambda b: (b.starts, b.organizer_id)):
        span = f"{block.starts.astimezone(zone):%H:%M}–{block.ends.astimezone(zone):%H:%M}"
        visit = visits.get(block.appointment_id) if block.appointment_id else None
        what = f"has {visit.client.name} {span}" if visit else f"is off {span}"
        if block.blocked_until > block.ends:
            what += f" (travel until {block.blocked_until.astimezone(zone):%H:%M})"
        clashes.append(Clash(block.organizer, f"{block.organizer} {what}"))
    return clashes


def free_starts_that_day(
    *, organizers: list[User], starts: datetime, duration: timedelta, travel: timedelta, tz: str,
    exclude_appointment_id: int | None = None, limit: int = 4, now: datetime | None = None,
    step_min: int | None = None, notice_min: int | None = None,
) -> list[datetime]:  # fmt: skip
    """The next starts on the same local day (in `tz`) when every one of `organizers` works and is free for
    duration + travel, from the free-slot finder; earlier ones that day only when none is left after `starts`.
    Step and notice default to the visit settings (work sessions pass their own)."""
    zone = ZoneInfo(tz)
    day = starts.astimezone(zone).date()
    day_start, day_end = localtime.local_day_bounds(day, tz)
    request = availability.SlotRequest(
        duration=duration, travel_after=travel, step=timedelta(minutes=step_min or settings.SLOT_STEP_MINUTES),
        min_notice=timedelta(minutes=settings.MIN_BOOKING_NOTICE_MINUTES if notice_min is None else notice_min),
    )  # fmt: skip
    common: set[datetime] | None = None
    for person in organizers:
        profile = OrganizerProfile.objects.filter(user=person).first()
        if profile is None:
            return []
        hours = {wh.weekday: (wh.starts_at, wh.ends_at) for wh in WorkingHours.objects.filter(profile=profile)}
        # The organizer's working days around the site's day: their zone may put it on another local date.
        windows = availability.working_windows(
            hours, profile.time_zone, day - timedelta(days=1), day + timedelta(days=1)
        )
        blocks = OrganizerBlock.objects.filter(
            organizer=person, status=OrganizerBlock.Status.ACTIVE, starts__lt=day_end + duration + travel,
            blocked_until__gt=day_start,
        )  # fmt: skip
        if exclude_appointment_id is not None:
            blocks = blocks.exclude(appointment_id=exclude_appointment_id)
        busy = [(b.starts, b.blocked_until) for b in blocks]
        found = {
            t for t in availability.free_slots(windows, busy, request, now or timezone.now())
            if day_start <= t < day_end
        }  # fmt: skip
        common = found if common is None else common & found
    ordered = sorted(common or ())
    later = [t for t in ordered if t >= starts]
    return (later or ordered)[:limit]


# --- other lists ----------------------------------------------------------------------------------------


def appointment_types() -> QuerySet[AppointmentType]:
    return AppointmentType.objects.all()


def appointment_type_get(*, pk: int) -> AppointmentType:
    return get_object_or_404(AppointmentType, pk=pk)


def checklist_open_items(*, visit: Appointment) -> list[str]:
    """The visit's checklist items not ticked yet, read fresh (the organizer may have ticked some meanwhile)."""
    checklist = Appointment.objects.filter(pk=visit.pk).values_list("checklist", flat=True).first() or []
    return [item["text"] for item in checklist if not item.get("done")]


def visit_reminders(*, visit: Appointment) -> QuerySet[Reminder]:
    """The visit's reminder rows in sending order (shown to staff on the visit page)."""
    return visit.reminders.order_by("send_at")


def time_off_for_user(*, user: Any) -> QuerySet[TimeOff]:
    entries = TimeOff.objects.select_related("organizer").order_by("-starts")
    if access.is_staff_role(user):
        return entries
    return entries.filter(organizer=user)


def time_off_get_for_user(*, user: Any, pk: int) -> TimeOff:
    return get_object_or_404(time_off_for_user(user=user), pk=pk)


def feed_for_user(*, user: Any) -> CalendarFeed | None:
    """The organizer's feed, or None before they asked for one (a read never creates it)."""
    return CalendarFeed.objects.filter(organizer=user).first()


def feed_visits(*, token: str, now: datetime) -> tuple[CalendarFeed, list[Appointment]]:
    """The feed's owner and the visits in [now - ICS_PAST_DAYS, now + horizon], cancelled ones included."""
    feed = get_object_or_404(CalendarFeed.objects.select_related("organizer"), token=token)
    window_start = now - timedelta(days=settings.ICS_PAST_DAYS)
    window_end = now + timedelta(days=settings.MATERIALIZATION_HORIZON_DAYS)
    visits = (
        Appointment.objects.filter(organizers=feed.organizer, starts__gte=window_start, starts__lt=window_end)
        .select_related("client", "site", "appointment_type")
        .order_by("starts")
    )
    return feed, list(visits)


def booking_time_zone(*, site: Site | None, organizer_id: int | None) -> str:
    """The zone a booking's wall time is in: the site's; without a site, the organizer's; else the business's."""
    if site is not None:
        return site.time_zone
    profile = OrganizerProfile.objects.filter(user_id=organizer_id).first() if organizer_id else None
    return profile.time_zone if profile else settings.BUSINESS_TIME_ZONE


@dataclass(frozen=True)
class ClientSeries:
    series_id: int
    words: str
    appointment_type: str
    next_visit: Appointment | None


def client_visits_panel_for_user(*, user: Any, client_id: int, limit: int = 5) -> tuple[list[ClientSeries], list]:
    """The client page's visits panel: the client's repeating visits in words and the next visits the user may
    see (an organizer sees the series and visits they are booked on). Built here as plain data: the clients app
    does not import operations, so the panel is loaded with hx-get."""
    now = timezone.now()
    upcoming = list(
        _with_people(appointment_list_for_user(user=user).filter(client_id=client_id, starts__gte=now))
        .exclude(status__in=Appointment.CANCELLED_STATUSES)
        .order_by("starts")[:200]
    )
    rows: dict[int, ClientSeries] = {}
    for visit in upcoming:
        series = visit.series
        if series is not None and series.pk not in rows:
            rows[series.pk] = ClientSeries(
                series_id=series.pk,
                words=describe_stored(series.rrule, tz=series.tz, local_start=series.local_start),
                appointment_type=visit.appointment_type.name,
                next_visit=visit,
            )
    return list(rows.values()), upcoming[:limit]
