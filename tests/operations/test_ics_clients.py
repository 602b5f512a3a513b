"""T1: the ICS feed reads the same in every widely used calendar client (docs/specs/defects.md T1).

ical.js (Thunderbird) reads only the first value of an RDATE line, so a VTIMEZONE that lists many transition
dates on one line puts summer visits an hour late there. The feed is read here by ical.js itself (node) and by
Python's icalendar; both must give exactly the database's instants for a series crossing both DST changes.
"""

import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import icalendar
import pytest

from operations import ics, recurrence
from operations.models import Appointment
from operations.services import series as services
from tests.clients.factories import ClientFactory, SiteFactory
from tests.operations.factories import AppointmentTypeFactory, organizer_ny, utc

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
READER = ROOT / "tests" / "support" / "icaljs_events.mjs"


def _series(ctx, local_start, now):
    services.series_create(
        client=ctx["client"], site=ctx["site"], appointment_type=ctx["type"], organizers=[ctx["organizer"]],
        local_start=local_start, rule=recurrence.parse_rrule("FREQ=WEEKLY;BYDAY=TU,FR"),
        duration_min=120, travel_min=0, actor=None, now=now,
    )  # fmt: skip


@pytest.fixture
def feed_body():
    client = ClientFactory(name="Hudson family")
    ctx = {
        "client": client,
        "site": SiteFactory(client=client, time_zone="America/New_York"),
        "type": AppointmentTypeFactory(),
        "organizer": organizer_ny(email="feed@example.com"),
    }
    # Two series whose 90-day windows cover the March and the November change of 2027.
    _series(ctx, datetime(2027, 2, 2, 9), now=utc(2027, 2, 1, 12))
    _series(ctx, datetime(2027, 10, 5, 9), now=utc(2027, 10, 1, 12))
    visits = Appointment.objects.select_related("site", "client", "appointment_type").order_by("starts")
    body = ics.feed_calendar(organizer=ctx["organizer"], visits=visits, now=utc(2027, 2, 1, 12))
    expected = {(v.uid, v.starts, v.ends) for v in visits}
    return body, expected


def _uid(text: str) -> str:
    return text.removeprefix("appt-").split("@")[0]


def test_T1_every_vtimezone_rdate_line_holds_one_date(feed_body):
    body, _ = feed_body
    calendar = icalendar.Calendar.from_ical(body)
    for zone in calendar.walk("VTIMEZONE"):
        for rule in zone.subcomponents:
            rdates = rule.get("RDATE")
            for line in rdates if isinstance(rdates, list) else [rdates] if rdates else []:
                assert len(line.dts) == 1


def test_T1_icalendar_reads_every_event_at_the_database_instants(feed_body):
    body, expected = feed_body
    events = icalendar.Calendar.from_ical(body).walk("VEVENT")
    got = {(_uid(str(e["UID"])), e["DTSTART"].dt.astimezone(UTC), e["DTEND"].dt.astimezone(UTC)) for e in events}
    assert {(str(u), s, e) for u, s, e in expected} == got
    summer = [s for _, s, _ in got if s.month in (4, 5)]
    assert summer and all(s.hour == 13 for s in summer)  # 09:00 EDT


@pytest.mark.skipif(not shutil.which("node"), reason="node not installed")
def test_T1_ical_js_reads_every_event_at_the_database_instants(feed_body):
    assert (ROOT / "node_modules" / "ical.js").is_dir(), "run `npm ci` (make test does) for ical.js"
    body, expected = feed_body
    result = subprocess.run(["node", str(READER)], input=body, capture_output=True, check=True, cwd=ROOT, timeout=60)
    events = json.loads(result.stdout)
    got = {
        (_uid(e["uid"]), datetime.fromtimestamp(e["start"] / 1000, UTC), datetime.fromtimestamp(e["end"] / 1000, UTC))
        for e in events
    }
    assert {(str(u), s, e) for u, s, e in expected} == got
