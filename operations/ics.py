"""The organizer's ICS feed: one VEVENT per materialized visit (no RRULE masters, OPERATIONS.md §1.2 rule 10).

Times carry their site's TZID with VTIMEZONE blocks; UIDs are stable (appt-<uuid>@<domain>); SEQUENCE grows with
each change. Cancelled visits are left out of the feed (ICS_CANCELLED = "drop"): a subscribed calendar replaces
its copy with every refresh, so the visit disappears there too. No notes and no entry codes are ever written.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
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
    for visit in visits:
        if visit.is_cancelled:
            continue
        zone = ZoneInfo(visit.site.time_zone)
        event = Event()
        event.add("uid", f"appt-{visit.uid}@{domain}")
        event.add("dtstamp", now)
        event.add("dtstart", visit.starts.astimezone(zone))
        event.add("dtend", visit.ends.astimezone(zone))
        event.add("sequence", visit.sequence)
        event.add("summary", f"{visit.appointment_type.name}: {visit.client.name}")
        event.add("location", visit.site.one_line_address)
        event.add("description", f"{settings.SITE_URL}{visit.get_absolute_url()}")
        event.add("status", "CONFIRMED")
        event.add("last-modified", visit.updated_at)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())
