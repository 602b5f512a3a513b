"""docs/specs/booking.md booking scenarios B1-B12 on real PostgreSQL."""

from datetime import date, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from operations import availability
from operations.models import Appointment, OrganizerBlock
from operations.services import visits as services
from tests.clients.factories import ClientFactory, SiteFactory
from tests.operations.factories import AppointmentTypeFactory, organizer_ny, utc

pytestmark = pytest.mark.django_db

# Tuesday 2025-11-04 in New York (EST, UTC-5).
NINE = utc(2025, 11, 4, 14)


def at(hour, minute=0):
    return NINE + timedelta(hours=hour - 9, minutes=minute)


@pytest.fixture
def ctx():
    client = ClientFactory()
    return {
        "client": client,
        "site": SiteFactory(client=client, time_zone="America/New_York"),
        "type": AppointmentTypeFactory(),
        "o1": organizer_ny(email="o1@example.com"),
        "o2": organizer_ny(email="o2@example.com"),
    }


def book(ctx, start, end, *organizers, travel=0):
    return services.appointment_book(
        client=ctx["client"], site=ctx["site"], appointment_type=ctx["type"],
        organizers=list(organizers) or [ctx["o1"]], starts=start, ends=end, travel_min=travel,
    )  # fmt: skip


def test_B1_back_to_back_is_accepted(ctx):
    book(ctx, at(9), at(11))
    book(ctx, at(11), at(12))
    assert Appointment.objects.count() == 2


def test_B2_overlap_is_refused_as_double_booked(ctx):
    book(ctx, at(9), at(11))
    with pytest.raises(ValidationError) as exc:
        book(ctx, at(10, 30), at(11, 30))
    assert exc.value.code == "double_booked"
    assert Appointment.objects.count() == 1


def test_B2_database_raises_23P01_and_full_clean_double_booked(ctx):
    first = book(ctx, at(9), at(11))
    block = OrganizerBlock(
        organizer=ctx["o1"], kind="appointment", appointment=first, starts=at(10, 30), ends=at(11, 30),
        blocked_until=at(11, 30),
    )  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        block.full_clean()
    assert [e.code for errors in exc.value.error_dict.values() for e in errors] == ["double_booked"]
    with pytest.raises(IntegrityError) as db_exc, transaction.atomic():
        block.save()
    assert db_exc.value.__cause__.pgcode == "23P01"


def test_B3_another_organizer_is_free(ctx):
    book(ctx, at(9), at(11))
    book(ctx, at(10, 30), at(11, 30), ctx["o2"])
    assert Appointment.objects.count() == 2


def test_B4_cancel_frees_the_slot_and_uncancel_is_then_refused(ctx):
    first = book(ctx, at(9), at(11))
    services.appointment_cancel(appointment=first, now=utc(2025, 11, 1))
    book(ctx, at(9, 30), at(10, 30))
    with pytest.raises(ValidationError) as exc:
        services.appointment_uncancel(appointment=first)
    assert exc.value.code == "double_booked"
    first.refresh_from_db()
    assert first.status == "cancelled"


def test_B5_travel_buffer_blocks_the_next_half_hour(ctx):
    first = book(ctx, at(9), at(11), travel=30)
    assert first.blocked_until == at(11, 30)
    with pytest.raises(ValidationError):
        book(ctx, at(11), at(12))
    book(ctx, at(11, 30), at(12, 30))


def test_B5_buffer_arithmetic_inside_the_constraint_is_rejected_by_postgresql(ctx):
    sql = (
        "ALTER TABLE operations_organizerblock ADD CONSTRAINT buffer_in_constraint EXCLUDE USING gist "
        "(organizer_id WITH =, tstzrange(starts, ends + interval '30 minutes', '[)') WITH &&)"
    )
    with pytest.raises(Exception) as exc, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert exc.value.__cause__.pgcode == "42P17"


def test_B7_moving_onto_its_own_old_slot_is_accepted(ctx):
    first = book(ctx, at(9), at(11))
    services.appointment_reschedule(appointment=first, starts=at(9, 30), ends=at(11, 30), now=utc(2025, 11, 1))
    first.refresh_from_db()
    assert first.starts == at(9, 30)
    assert OrganizerBlock.objects.get(appointment=first).blocked_until == at(11, 30)


def test_SC4_moving_onto_another_visit_is_refused_and_times_stay(ctx):
    book(ctx, at(9), at(11))
    second = book(ctx, at(12), at(13))
    with pytest.raises(ValidationError):
        services.appointment_reschedule(appointment=second, starts=at(10), ends=at(11), now=utc(2025, 11, 1))
    second.refresh_from_db()
    assert second.starts == at(12)


def test_B8_two_organizers_are_booked_both_or_neither(ctx):
    book(ctx, at(9), at(11), ctx["o2"])
    with pytest.raises(ValidationError):
        book(ctx, at(10), at(12), ctx["o1"], ctx["o2"])
    assert not OrganizerBlock.objects.filter(organizer=ctx["o1"]).exists()
    assert Appointment.objects.count() == 1


def test_B9_approved_time_off_blocks_bookings(ctx):
    off = services.time_off_request(organizer=ctx["o1"], starts=at(15), ends=at(17), reason="dentist")
    services.time_off_approve(time_off=off)
    with pytest.raises(ValidationError):
        book(ctx, at(14), at(16))


def test_time_off_cannot_be_approved_over_booked_visits(ctx):
    book(ctx, at(9), at(11))
    off = services.time_off_request(organizer=ctx["o1"], starts=at(10), ends=at(12))
    with pytest.raises(ValidationError):
        services.time_off_approve(time_off=off)
    off.refresh_from_db()
    assert off.status == "requested"


def test_booking_outside_working_hours_needs_confirmation(ctx):
    with pytest.raises(ValidationError) as exc:
        services.appointment_book(
            client=ctx["client"], site=ctx["site"], appointment_type=ctx["type"], organizers=[ctx["o1"]],
            starts=at(18), ends=at(19),
        )  # fmt: skip
    assert exc.value.code == "outside_hours"
    services.appointment_book(
        client=ctx["client"], site=ctx["site"], appointment_type=ctx["type"], organizers=[ctx["o1"]],
        starts=at(18), ends=at(19), allow_outside_hours=True,
    )  # fmt: skip


def test_booking_assigns_the_organizer_to_the_client(ctx):
    book(ctx, at(9), at(11))
    assert ctx["client"].assignments.filter(organizer=ctx["o1"]).exists()


def test_booking_copies_the_checklist(ctx):
    visit = book(ctx, at(9), at(11))
    assert [item["text"] for item in visit.checklist] == ["Photos before", "Donation bags out", "Photos after"]


WORKDAY = {d: (time(9), time(17)) for d in range(7)}


@pytest.mark.parametrize(
    ("duration", "travel", "now", "notice", "expected"),
    [
        (120, 0, None, 0, ["12:30", "13:00"]),
        (120, 30, None, 0, ["12:30"]),
        (60, 0, None, 0, ["09:00", "12:30", "13:00", "13:30", "14:00"]),
        (60, 0, (12, 45), 60, ["14:00"]),
    ],
)
def test_B10_free_slots(duration, travel, now, notice, expected):
    windows = availability.working_windows(WORKDAY, "America/New_York", date(2025, 11, 4), date(2025, 11, 4))
    busy = [(at(10), at(12, 30)), (at(15), at(17))]
    request = availability.SlotRequest(
        duration=timedelta(minutes=duration),
        travel_after=timedelta(minutes=travel),
        min_notice=timedelta(minutes=notice),
    )
    slots = availability.free_slots(windows, busy, request, now=at(*now) if now else utc(2025, 11, 1))
    local = [s.astimezone(__import__("zoneinfo").ZoneInfo("America/New_York")).strftime("%H:%M") for s in slots]
    assert local == expected


def test_B11_dst_working_window():
    fri = availability.working_windows(WORKDAY, "America/New_York", date(2025, 10, 31), date(2025, 10, 31))
    mon = availability.working_windows(WORKDAY, "America/New_York", date(2025, 11, 3), date(2025, 11, 3))
    assert fri == [(utc(2025, 10, 31, 13), utc(2025, 10, 31, 21))]
    assert mon == [(utc(2025, 11, 3, 14), utc(2025, 11, 3, 22))]


def test_B12_btree_gist_is_installed_by_migrations():
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension WHERE extname = 'btree_gist'")
        assert cursor.fetchone() == ("btree_gist",)
