"""The organizer's ICS feed: one VEVENT per materialized visit (no RRULE masters, docs/specs/recurrence.md).

Times carry their site's TZID with VTIMEZONE blocks, each transition date on its own RDATE line: ical.js
(Thunderbird) reads only the first value of a multi-value RDATE line (docs/specs/defects.md T1). UIDs are
stable (appt-<uuid>@<domain>); SEQUENCE grows with each change. Cancelled visits are left out of the feed
(ICS_CANCELLED = "drop"): a subscribed calendar replaces its copy with every refresh, so the visit disappears
there too. No notes and no entry codes are ever written.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from django.conf import settings
from icalendar import Calendar, Event

from accounts.models import User
from operations.models import Appointment


def feed_calendar(*, organizer: User, visits: Iterable[Appointment], now: datetime) -> bytes:
    domain = urlparse(settings.SITE_URL).hostname or "organizer-pm"
    calendar = Calendar()
    calendar.add("prodid", "-//organizer_pm//visits//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"Visits of {organizer}")
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    starts: list[date] = []
    for visit in visits:
        if visit.is_cancelled:
            continue
        starts.append(visit.starts.date())
        zone = ZoneInfo(visit.site.time_zone)
        event = Event()
        event.add("uid", f"appt-{visit.uid}@{domain}")
        event.add("dtstamp", now)
        event.add("dtstart", visit.starts.astimezone(zone))
        event.add("dtend", visit.ends.astimezone(zone))
        event.add("sequence", visit.sequence)
        if visit.category == Appointment.Category.PROJECT_SESSION:
            event.add("summary", f"Project · {visit.title}")
            event.add("categories", ["Project work"])
        else:
            event.add("summary", f"{visit.appointment_type.name}: {visit.client.name}")
        event.add("location", visit.site.one_line_address)
        event.add("description", f"{settings.SITE_URL}{visit.get_absolute_url()}")
        event.add("status", "CONFIRMED")
        event.add("last-modified", visit.updated_at)
        calendar.add_component(event)
    if starts:
        # Transitions from a year before the first visit to a year after the last: enough for every event, and
        # not the library's fixed 1970-2038 span (a feed outliving 2038 would lose its rules).
        calendar.add_missing_timezones(
            first_date=date(min(starts).year - 1, 1, 1), last_date=date(max(starts).year + 2, 1, 1)
        )
        _one_rdate_per_line(calendar)
    return bytes(calendar.to_ical())


def feed_etag(body: bytes) -> str:
    """A strong ETag from the feed's content without its DTSTAMP lines (they change on every request): a client
    or site renamed changes it as surely as a visit moved. Calendar apps that send it back in If-None-Match get
    a 304 while nothing changed (docs/specs/defects.md T14)."""
    lines = [line for line in body.splitlines() if not line.startswith(b"DTSTAMP")]
    return '"' + hashlib.sha256(b"\n".join(lines)).hexdigest()[:32] + '"'


def _one_rdate_per_line(calendar: Calendar) -> None:
    for zone in calendar.walk("VTIMEZONE"):
        for rule in zone.subcomponents:
            lines = rule.get("RDATE")
            if not lines:
                continue
            moments = [when.dt for line in (lines if isinstance(lines, list) else [lines]) for when in line.dts]
            del rule["RDATE"]
            for moment in moments:
                rule.add("rdate", moment)
