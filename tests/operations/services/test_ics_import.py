"""ICS import (issue 15 part 4, docs/specs/recurrence.md R20): plan, clashes, one transaction, UIDs remembered."""

from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from operations.models import Appointment, ImportedEvent, RecurringSeries
from operations.services import ics_import
from operations.services import visits as visit_services
from tests.clients.factories import ClientFactory, SiteFactory
from tests.operations.factories import AppointmentTypeFactory, organizer_ny, utc

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")
NOW = utc(2025, 10, 1, 4)  # 2025-10-01 00:00 New York


def calendar(*events: str, extra: str = "") -> bytes:
    body = "\n".join(f"BEGIN:VEVENT\n{e.strip()}\nEND:VEVENT" for e in events)
    return f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n{extra}{body}\nEND:VCALENDAR\n".replace(
        "\n", "\r\n"
    ).encode()


SERIES = """UID:closet@example.com
SUMMARY:Closet reset
DTSTART;TZID=America/New_York:20251007T090000
DTEND;TZID=America/New_York:20251007T110000
RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=8"""
R20_OVERRIDE = """UID:closet@example.com
SUMMARY:Closet reset
RECURRENCE-ID;RANGE=THISANDFUTURE;TZID=America/New_York:20251111T090000
DTSTART;TZID=America/New_York:20251111T100000
DTEND;TZID=America/New_York:20251111T123000"""


@pytest.fixture
def ctx():
    client = ClientFactory(name="Hudson family")
    return {
        "client": client,
        "site": SiteFactory(client=client, time_zone="America/New_York"),
        "type": AppointmentTypeFactory(default_travel_min=0),
        "organizer": organizer_ny(email="import@example.com"),
    }


def plan(ctx, data):
    return ics_import.ics_plan(
        data=data, site=ctx["site"], organizers=[ctx["organizer"]], default_duration_min=60, travel_min=0, now=NOW
    )


def confirm(ctx, data):
    return ics_import.ics_import_confirm(
        data=data, client=ctx["client"], site=ctx["site"], appointment_type=ctx["type"],
        organizers=[ctx["organizer"]], actor=None, now=NOW, allow_outside_hours=True,
    )  # fmt: skip


def starts():
    return sorted(Appointment.objects.exclude(status="cancelled").values_list("starts", "ends"))


def test_R20_import_with_range_thisandfuture_moves_nov_11_on_to_10_00_12_30(ctx):
    planned = plan(ctx, calendar(SERIES, R20_OVERRIDE))
    assert [s.words for s in planned.series] == [
        "Weekly on Tuesday, until 11 November 2025",
        "Weekly on Tuesday, 3 times",
    ]
    result = confirm(ctx, calendar(SERIES, R20_OVERRIDE))
    assert (result.series, result.visits) == (2, 0)
    rows = starts()
    assert len(rows) == 8 and rows[4] == (utc(2025, 11, 4, 14), utc(2025, 11, 4, 16))
    assert rows[5:] == [
        (utc(2025, 11, 11, 15), utc(2025, 11, 11, 17, 30)),
        (utc(2025, 11, 18, 15), utc(2025, 11, 18, 17, 30)),
        (utc(2025, 11, 25, 15), utc(2025, 11, 25, 17, 30)),
    ]


def test_exdate_rdate_moved_and_cancelled_instances(ctx):
    data = calendar(
        SERIES + "\nEXDATE;TZID=America/New_York:20251014T090000\nRDATE;TZID=America/New_York:20251016T090000",
        """UID:closet@example.com
SUMMARY:Closet reset
RECURRENCE-ID;TZID=America/New_York:20251021T090000
DTSTART;TZID=America/New_York:20251022T140000
DTEND;TZID=America/New_York:20251022T160000""",
        """UID:closet@example.com
SUMMARY:Closet reset
RECURRENCE-ID;TZID=America/New_York:20251028T090000
DTSTART;TZID=America/New_York:20251028T090000
STATUS:CANCELLED""",
    )
    confirm(ctx, data)
    days = [(s.astimezone(NY).month, s.astimezone(NY).day, s.astimezone(NY).hour) for s, _e in starts()]
    assert days == [(10, 7, 9), (10, 16, 9), (10, 22, 14), (11, 4, 9), (11, 11, 9), (11, 18, 9), (11, 25, 9)]


def test_importing_the_same_file_twice_creates_nothing_twice(ctx):
    data = calendar(SERIES, "UID:once@example.com\nSUMMARY:Garage\nDTSTART:20251020T150000Z\nDTEND:20251020T160000Z")
    confirm(ctx, data)
    counts = (RecurringSeries.objects.count(), Appointment.objects.count(), ImportedEvent.objects.count())
    again = plan(ctx, data)
    assert not again.series and not again.visits and len(again.skipped) == 2
    assert confirm(ctx, data).series == 0
    assert (RecurringSeries.objects.count(), Appointment.objects.count(), ImportedEvent.objects.count()) == counts


def test_preview_lists_every_clash_by_name_and_time_and_confirm_writes_nothing(ctx):
    other = ClientFactory(name="Rivera household")
    visit_services.appointment_book(
        client=other, site=SiteFactory(client=other), appointment_type=AppointmentTypeFactory(name="Garage purge"),
        organizers=[ctx["organizer"]], starts=utc(2025, 10, 14, 14), ends=utc(2025, 10, 14, 15),
    )  # fmt: skip
    planned = plan(ctx, calendar(SERIES))
    assert [(c.starts, c.existing) for c in planned.clashes] == [
        (utc(2025, 10, 14, 13), "Rivera household · Garage purge")
    ]
    with pytest.raises(ValidationError) as exc:
        confirm(ctx, calendar(SERIES))
    assert exc.value.code == "double_booked" and "Rivera household" in exc.value.messages[0]
    assert not RecurringSeries.objects.exists() and not ImportedEvent.objects.exists()


@pytest.mark.parametrize(
    ("data", "code", "message"),
    [
        (b"X" * (10 * 1024 * 1024), "too_big", "too large"),
        (calendar(extra="BEGIN:VTODO\nUID:t\nSUMMARY:todo\nEND:VTODO\n"), "no_events", "no events"),
        (calendar("UID:m@x\nSUMMARY:Mars\nDTSTART;TZID=Mars/Olympus:20251111T090000\nDTEND;TZID=Mars/Olympus:20251111T100000"),
         "unknown_tzid", "Mars/Olympus"),
        (calendar(SERIES.replace("COUNT=8", "UNTIL=20251111T090000")), "bad_rule", "must be in UTC"),
        (b"this is not a calendar", "unreadable", "not a calendar file"),
    ],
)  # fmt: skip
def test_bad_files_are_refused_at_the_file_field_and_nothing_is_written(ctx, data, code, message):
    with pytest.raises(ValidationError) as exc:
        confirm(ctx, data)
    [error] = exc.value.error_dict["file"]
    assert error.code == code and message in error.messages[0]
    assert not Appointment.objects.exists() and not ImportedEvent.objects.exists()


def test_past_all_day_and_cancelled_events_are_listed_as_skipped(ctx):
    planned = plan(
        ctx,
        calendar(
            "UID:old@x\nSUMMARY:Old\nDTSTART:20240101T150000Z\nDTEND:20240101T160000Z",
            "UID:day@x\nSUMMARY:Holiday\nDTSTART;VALUE=DATE:20251020",
            "UID:gone@x\nSUMMARY:Gone\nSTATUS:CANCELLED\nDTSTART:20251020T150000Z\nDTEND:20251020T160000Z",
        ),
    )
    assert not planned.visits and len(planned.skipped) == 3
    assert any("Holiday" in s and "all-day" in s for s in planned.skipped)


def test_a_floating_one_off_is_the_sites_wall_time(ctx):
    planned = plan(ctx, calendar("UID:f@x\nSUMMARY:Float\nDTSTART:20251020T090000\nDTEND:20251020T100000"))
    assert planned.visits[0].starts == utc(2025, 10, 20, 13)


def test_two_overlapping_events_of_the_calendar_itself_are_a_clash(ctx):
    planned = plan(
        ctx,
        calendar(
            "UID:a@x\nSUMMARY:Attic\nDTSTART:20251020T150000Z\nDTEND:20251020T170000Z",
            "UID:b@x\nSUMMARY:Basement\nDTSTART:20251020T160000Z\nDTEND:20251020T180000Z",
        ),
    )
    assert [(c.summary, c.existing) for c in planned.clashes] == [("Basement", "Attic (also in this calendar)")]
