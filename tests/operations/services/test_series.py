"""docs/specs/recurrence.md scenarios that need the database: materialization, edits by scope, outbox rows."""

from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from operations import recurrence
from operations.models import Appointment, RecurringSeries, Reminder
from operations.services import series as series_services
from operations.services import visits as services
from tests.clients.factories import ClientFactory, ContactFactory, SiteFactory
from tests.operations.factories import AppointmentTypeFactory, ReminderFactory, organizer_ny, utc

pytestmark = pytest.mark.django_db

NOW = utc(2025, 10, 1, 4)  # 2025-10-01 00:00 New York


@pytest.fixture
def ctx():
    client = ClientFactory()
    ContactFactory(client=client, is_primary=True, email="client@example.net", preferred_channel="email")
    return {
        "client": client,
        "site": SiteFactory(client=client, time_zone="America/New_York"),
        "type": AppointmentTypeFactory(),
        "organizer": organizer_ny(email="series@example.com"),
    }


def make_series(ctx, rrule="FREQ=WEEKLY;BYDAY=TU", start=datetime(2025, 10, 7, 9), duration=120, now=NOW, **kw):
    series, _report = series_services.series_create(
        client=ctx["client"], site=ctx["site"], appointment_type=ctx["type"], organizers=[ctx["organizer"]],
        local_start=start, rule=recurrence.parse_rrule(rrule), duration_min=duration, travel_min=0, actor=None,
        now=now, **kw,
    )  # fmt: skip
    return series


def starts(series):
    return list(Appointment.objects.filter(series=series).order_by("starts").values_list("starts", flat=True))


def visit_on(series, original):
    return Appointment.objects.get(series=series, original_start=original)


def test_R1_materialized_visits_keep_wall_time_across_fall_back(ctx):
    series = make_series(ctx)
    rows = starts(series)
    assert utc(2025, 10, 28, 13) in rows and utc(2025, 11, 4, 14) in rows and utc(2025, 11, 11, 14) in rows
    assert visit_on(series, utc(2025, 11, 4, 14)).ends == utc(2025, 11, 4, 16)


def test_R10_ambiguous_local_time_is_stored_as_the_first_occurrence_not_parsed_by_postgresql(ctx):
    with pytest.raises(ValidationError) as exc:
        make_series(ctx, rrule="FREQ=WEEKLY;BYDAY=SU", start=datetime(2025, 10, 26, 1, 30), duration=60)
    assert exc.value.code == "outside_hours"
    series = make_series(
        ctx, rrule="FREQ=WEEKLY;BYDAY=SU", start=datetime(2025, 10, 26, 1, 30), duration=60, allow_outside_hours=True
    )
    assert utc(2025, 11, 2, 5, 30) in starts(series)  # 01:30 EDT; PostgreSQL would have parsed 06:30Z


def test_R15_horizon_materializes_12_rows_and_the_next_day_adds_dec_30_once(ctx):
    series = make_series(ctx)
    assert len(starts(series)) == 12
    assert starts(series)[0] == utc(2025, 10, 7, 13) and starts(series)[-1] == utc(2025, 12, 23, 14)
    next_day = NOW + timedelta(days=1)
    assert series_services.series_materialize(series=series, now=next_day).added == 1
    assert starts(series)[-1] == utc(2025, 12, 30, 14)
    assert series_services.series_materialize(series=series, now=next_day).added == 0


def test_R9_a_first_visit_off_the_pattern_is_refused_and_nothing_is_saved(ctx):
    with pytest.raises(ValidationError) as exc:
        make_series(ctx, start=datetime(2025, 10, 8, 9))
    assert "starts" in exc.value.message_dict and "Oct" in exc.value.message_dict["starts"][0]
    assert not RecurringSeries.objects.exists() and not Appointment.objects.exists()


def test_series_with_a_clash_books_nothing(ctx):
    services.appointment_book(
        client=ctx["client"], site=ctx["site"], appointment_type=ctx["type"], organizers=[ctx["organizer"]],
        starts=utc(2025, 10, 21, 13), ends=utc(2025, 10, 21, 14),
    )  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        make_series(ctx)
    assert exc.value.code == "double_booked" and "Oct 21" in exc.value.messages[0]
    assert not RecurringSeries.objects.exists()


def test_nightly_materialization_reports_a_clash_and_never_double_books(ctx, caplog):
    series = make_series(ctx)
    services.appointment_book(
        client=ctx["client"], site=ctx["site"], appointment_type=ctx["type"], organizers=[ctx["organizer"]],
        starts=utc(2025, 12, 30, 14), ends=utc(2025, 12, 30, 15),
    )  # fmt: skip
    report = series_services.series_materialize(series=series, now=NOW + timedelta(days=1))
    assert report.added == 0 and report.conflicts == [utc(2025, 12, 30, 14)]
    assert "series_conflict" in caplog.text


def test_R11_moving_one_visit_keeps_its_recurrence_id(ctx):
    series = make_series(ctx)
    visit = visit_on(series, utc(2025, 10, 14, 13))
    services.appointment_reschedule(
        appointment=visit, starts=utc(2025, 10, 15, 17), ends=utc(2025, 10, 15, 19), now=NOW
    )
    visit.refresh_from_db()
    assert (visit.original_start, visit.starts, visit.is_exception) == (
        utc(2025, 10, 14, 13),
        utc(2025, 10, 15, 17),
        True,
    )
    series_services.series_materialize(series=series, now=NOW)
    assert not Appointment.objects.filter(series=series, starts=utc(2025, 10, 14, 13)).exists()


def test_R12_cancelled_visit_is_an_exdate_and_never_comes_back(ctx):
    series = make_series(ctx)
    visit = visit_on(series, utc(2025, 10, 21, 13))
    services.appointment_cancel(appointment=visit, now=NOW)
    series.refresh_from_db()
    visit.refresh_from_db()
    assert visit.status == "cancelled" and "2025-10-21T09:00:00" in series.exdates
    series_services.series_materialize(series=series, now=NOW)
    assert Appointment.objects.filter(series=series, original_start=utc(2025, 10, 21, 13)).count() == 1


def test_R13_this_and_following_splits_an_open_ended_series(ctx):
    series = make_series(ctx)
    earlier = visit_on(series, utc(2025, 10, 7, 13))
    services.appointment_progress(appointment=earlier, action="complete", now=utc(2025, 10, 7, 15))
    split_visit = visit_on(series, utc(2025, 11, 11, 14))
    new = series_services.series_change_from(
        appointment=split_visit, local_time=time(10), duration_min=120, actor=None, now=NOW
    )
    series.refresh_from_db()
    assert "UNTIL=20251111T135959Z" in series.rrule
    assert starts(series)[-1] == utc(2025, 11, 4, 14)
    assert datetime.fromisoformat(new.local_start) == datetime(2025, 11, 11, 10)
    assert starts(new)[:3] == [utc(2025, 11, 11, 15), utc(2025, 11, 18, 15), utc(2025, 11, 25, 15)]
    earlier.refresh_from_db()
    assert earlier.status == "completed" and earlier.starts == utc(2025, 10, 7, 13)


def test_R14_this_and_following_with_count_keeps_ten_visits(ctx):
    series = make_series(ctx, rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=10")
    assert len(starts(series)) == 10
    split_visit = visit_on(series, utc(2025, 11, 11, 14))
    new = series_services.series_change_from(
        appointment=split_visit, local_time=time(10), duration_min=120, actor=None, now=NOW
    )
    series.refresh_from_db()
    assert "UNTIL=20251111T135959Z" in series.rrule and len(starts(series)) == 5
    assert "COUNT=5" in new.rrule
    assert starts(new) == [utc(2025, 11, 11, 15), utc(2025, 11, 18, 15), utc(2025, 11, 25, 15),
                           utc(2025, 12, 2, 15), utc(2025, 12, 9, 15)]  # fmt: skip
    assert Appointment.objects.filter(series__in=[series, new]).count() == 10


def test_R17_all_future_visits_move_and_the_exception_stays(ctx):
    series = make_series(ctx)
    moved = visit_on(series, utc(2025, 10, 14, 13))
    services.appointment_reschedule(
        appointment=moved, starts=utc(2025, 10, 15, 17), ends=utc(2025, 10, 15, 19), now=NOW
    )
    new = series_services.series_change_all(series=series, local_time=time(10), duration_min=120, actor=None, now=NOW)
    moved.refresh_from_db()
    assert moved.starts == utc(2025, 10, 15, 17) and moved.is_exception
    assert all(s.astimezone(recurrence.resolve_zone("America/New_York")).hour == 10 for s in starts(new))


def test_C1_booking_writes_the_reminder_in_the_same_transaction(ctx, settings):
    settings.REMINDER_CLIENT_OFFSETS_HOURS = [24]
    visit = services.appointment_book(
        client=ctx["client"], site=ctx["site"], appointment_type=ctx["type"], organizers=[ctx["organizer"]],
        starts=utc(2025, 11, 5, 14), ends=utc(2025, 11, 5, 16), now=NOW,
    )  # fmt: skip
    reminder = Reminder.objects.get(appointment=visit, kind="24h")
    assert reminder.send_at == utc(2025, 11, 4, 14) and reminder.status == "pending"
    assert reminder.recipient == "client@example.net"


def test_C1_a_refused_booking_leaves_no_reminder(ctx):
    first = services.appointment_book(
        client=ctx["client"], site=ctx["site"], appointment_type=ctx["type"], organizers=[ctx["organizer"]],
        starts=utc(2025, 11, 5, 14), ends=utc(2025, 11, 5, 16),
    )  # fmt: skip
    with pytest.raises(ValidationError):
        services.appointment_book(
            client=ctx["client"], site=ctx["site"], appointment_type=ctx["type"], organizers=[ctx["organizer"]],
            starts=utc(2025, 11, 5, 15), ends=utc(2025, 11, 5, 16),
        )  # fmt: skip
    assert set(Reminder.objects.values_list("appointment_id", flat=True)) == {first.pk}


def test_C5_reminder_kind_is_unique_and_a_move_updates_it_in_place(ctx, settings):
    settings.REMINDER_CLIENT_OFFSETS_HOURS = [24]
    visit = services.appointment_book(
        client=ctx["client"], site=ctx["site"], appointment_type=ctx["type"], organizers=[ctx["organizer"]],
        starts=utc(2025, 11, 5, 14), ends=utc(2025, 11, 5, 16),
    )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        ReminderFactory(appointment=visit, kind="24h", recipient="x@example.com", send_at=utc(2025, 11, 4))
    reminder = Reminder.objects.get(appointment=visit, kind="24h")
    services.appointment_reschedule(appointment=visit, starts=utc(2025, 11, 6, 14), ends=utc(2025, 11, 6, 16), now=NOW)
    moved = Reminder.objects.get(appointment=visit, kind="24h")
    assert moved.pk == reminder.pk and moved.send_at == utc(2025, 11, 5, 14)


def test_cancelling_a_visit_cancels_its_pending_reminders(ctx):
    visit = services.appointment_book(
        client=ctx["client"], site=ctx["site"], appointment_type=ctx["type"], organizers=[ctx["organizer"]],
        starts=utc(2025, 11, 5, 14), ends=utc(2025, 11, 5, 16), now=NOW,
    )  # fmt: skip
    services.appointment_cancel(appointment=visit, now=NOW)
    assert set(Reminder.objects.filter(appointment=visit).values_list("status", flat=True)) == {"cancelled"}


def test_client_cancelling_inside_the_window_is_a_late_cancellation(ctx):
    visit = services.appointment_book(
        client=ctx["client"], site=ctx["site"], appointment_type=ctx["type"], organizers=[ctx["organizer"]],
        starts=utc(2025, 11, 5, 14), ends=utc(2025, 11, 5, 16),
    )  # fmt: skip
    services.appointment_cancel(appointment=visit, by_client=True, now=utc(2025, 11, 5, 2))
    visit.refresh_from_db()
    assert visit.status == "late_cancelled"


def test_day_actions_record_actual_times(ctx):
    visit = services.appointment_book(
        client=ctx["client"], site=ctx["site"], appointment_type=ctx["type"], organizers=[ctx["organizer"]],
        starts=utc(2025, 11, 5, 14), ends=utc(2025, 11, 5, 16),
    )  # fmt: skip
    services.appointment_progress(appointment=visit, action="start", now=utc(2025, 11, 5, 14, 5))
    services.appointment_progress(appointment=visit, action="complete", now=utc(2025, 11, 5, 15, 50))
    visit.refresh_from_db()
    assert (visit.status, visit.actual_start, visit.actual_end) == (
        "completed",
        utc(2025, 11, 5, 14, 5),
        utc(2025, 11, 5, 15, 50),
    )
    with pytest.raises(ValidationError):
        services.appointment_progress(appointment=visit, action="no_show")


def test_reminder_email_shows_the_visit_in_its_site_zone(ctx, settings, mailoutbox):
    from operations import reminders

    settings.REMINDER_CLIENT_OFFSETS_HOURS = [24]
    services.appointment_book(
        client=ctx["client"], site=ctx["site"], appointment_type=ctx["type"], organizers=[ctx["organizer"]],
        starts=utc(2025, 11, 5, 14), ends=utc(2025, 11, 5, 16), now=NOW,
    )  # fmt: skip
    now = utc(2025, 11, 4, 15)
    reminder = Reminder.objects.get(kind="24h")
    assert reminders.reminders_claim_due(now=now) == [reminder.pk]
    reminder.refresh_from_db()
    assert reminders.reminder_send(reminder_id=reminder.pk, claim=reminder.claimed_at, now=now) == "sent"
    [email] = [m for m in mailoutbox if m.to == ["client@example.net"]]
    assert "9:00 AM" in email.subject and "9:00 AM – 11:00 AM" in email.body


def test_T2_this_and_following_keeps_the_rows_that_continue(ctx):
    series = make_series(ctx)
    before = {v.original_start: (v.pk, v.uid, v.sequence) for v in Appointment.objects.filter(series=series)}
    split_visit = visit_on(series, utc(2025, 11, 11, 14))
    new = series_services.series_change_from(
        appointment=split_visit, local_time=time(10), duration_min=120, actor=None, now=NOW
    )
    kept = Appointment.objects.get(pk=split_visit.pk)
    assert kept.uid == split_visit.uid and kept.series_id == new.pk and kept.starts == utc(2025, 11, 11, 15)
    assert kept.sequence == before[utc(2025, 11, 11, 14)][2] + 1 and not kept.is_exception
    for original in (utc(2025, 11, 18, 14), utc(2025, 12, 23, 14)):
        pk, uid, seq = before[original]
        row = Appointment.objects.get(pk=pk)
        assert (row.uid, row.sequence, row.series_id) == (uid, seq + 1, new.pk)
        assert row.starts == original + timedelta(hours=1)
    assert Appointment.objects.filter(series__in=[series, new]).count() == 12  # nothing deleted, nothing doubled


def test_T2_all_visits_keeps_rows_moves_the_day_and_the_visit_page_still_opens(ctx):
    series = make_series(ctx)
    ids = set(Appointment.objects.filter(series=series).values_list("pk", flat=True))
    visit = visit_on(series, utc(2025, 10, 14, 13))
    new = series_services.series_change_all(
        series=series, local_time=time(9), duration_min=120, actor=None, now=NOW, day_shift_days=1
    )
    assert "BYDAY=WE" in new.rrule  # the pattern follows the move
    assert set(Appointment.objects.filter(series=new).values_list("pk", flat=True)) == ids
    visit.refresh_from_db()
    assert visit.starts == utc(2025, 10, 15, 13) and visit.original_start == utc(2025, 10, 15, 13)


def test_T2_a_cancelled_visit_stays_cancelled_after_the_split(ctx):
    series = make_series(ctx)
    cancelled = visit_on(series, utc(2025, 11, 18, 14))
    services.appointment_cancel(appointment=cancelled, now=NOW)
    new = series_services.series_change_from(
        appointment=visit_on(series, utc(2025, 11, 11, 14)), local_time=time(10), duration_min=120, actor=None,
        now=NOW,
    )  # fmt: skip
    cancelled.refresh_from_db()
    assert cancelled.series_id == new.pk and cancelled.status == "cancelled"
    assert "2025-11-18T10:00:00" in new.exdates
    series_services.series_materialize(series=new, now=NOW)
    assert Appointment.objects.filter(series=new, original_start=utc(2025, 11, 18, 15)).count() == 1


def test_a_move_the_pattern_cannot_follow_asks_for_the_new_rule(ctx):
    series = make_series(ctx, rrule="FREQ=MONTHLY;BYMONTHDAY=7,21", start=datetime(2025, 10, 7, 9))
    visit = visit_on(series, utc(2025, 10, 21, 13))
    with pytest.raises(ValidationError) as exc:
        series_services.series_change_from(
            appointment=visit,
            local_time=time(9),
            duration_min=120,
            actor=None,
            now=NOW,
            new_day=datetime(2025, 10, 22).date(),
        )
    assert exc.value.error_dict["day"][0].code == "pattern_ambiguous"
    assert "Monthly on the 7th and 21st" in exc.value.messages[0]
    series.refresh_from_db()
    assert series.rrule == "FREQ=MONTHLY;BYMONTHDAY=7,21"
    new = series_services.series_change_from(
        appointment=visit, local_time=time(9), duration_min=120, actor=None, now=NOW,
        new_day=datetime(2025, 10, 22).date(), new_pattern=recurrence.parse_rrule("FREQ=MONTHLY;BYMONTHDAY=8,22"),
    )  # fmt: skip
    visit.refresh_from_db()
    assert visit.series_id == new.pk and visit.starts == utc(2025, 10, 22, 13)


@pytest.mark.parametrize(
    ("rrule", "start"),
    [
        ("FREQ=MONTHLY;BYMONTHDAY=7,21;COUNT=6", datetime(2025, 10, 7, 9)),
        ("FREQ=MONTHLY;BYDAY=1TU,3TU;COUNT=6", datetime(2025, 10, 7, 9)),
        ("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2;COUNT=4", datetime(2025, 10, 30, 9)),
        ("FREQ=DAILY;COUNT=5", datetime(2025, 10, 7, 9)),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;WKST=SU;COUNT=6", datetime(2025, 10, 7, 9)),
    ],
)
def test_this_and_following_works_for_every_accepted_rule(ctx, rrule, start):
    series = make_series(ctx, rrule=rrule, start=start, duration=60)
    rows = list(Appointment.objects.filter(series=series).order_by("original_start"))
    new = series_services.series_change_from(
        appointment=rows[1], local_time=time(11), duration_min=60, actor=None, now=NOW
    )
    after = list(Appointment.objects.filter(series__in=[series, new]).order_by("original_start"))
    assert [r.pk for r in after] == [r.pk for r in rows]  # the same rows, none added, none lost
    zone = recurrence.resolve_zone("America/New_York")
    assert [(r.starts.astimezone(zone).date(), r.starts.astimezone(zone).hour) for r in after[1:]] == [
        (r.starts.astimezone(zone).date(), 11) for r in rows[1:]
    ]
    assert f"COUNT={recurrence.parse_rrule(rrule).count - 1}" in new.rrule  # COUNT semantics kept
