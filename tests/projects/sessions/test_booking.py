"""Booking work sessions through the operations booking service (docs/specs/one-schedule.md §2, OS9, OS13, OS14)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from operations.models import Appointment, OrganizerBlock
from operations.services import visits as op_visits
from projects.models import Project, Task, WorkSession
from projects.planning import project_schedule_recalculate
from projects.sessions import selectors, services
from tests.operations.factories import AppointmentTypeFactory
from tests.projects.sessions.world import NOW, at, blocks_of


def _book(w, key, who, day, h1, h2, m1=0, m2=0, **kw):
    return services.task_session_book(
        task=w.t[key], starts=at(day, h1, m1), ends=at(day, h2, m2), organizers=who, now=NOW, **kw
    )


def test_OS9_a_session_overlapping_a_visit_is_refused_for_everyone(w):
    before = OrganizerBlock.objects.count()
    with pytest.raises(ValidationError) as err:
        _book(w, "C", [w.olivia, w.sam], date(2026, 6, 10), 11, 15)
    assert err.value.code == "double_booked"
    assert "Jones household" in " ".join(err.value.messages)
    assert OrganizerBlock.objects.count() == before  # nothing for Sam either (all or nothing)
    assert not WorkSession.objects.filter(task=w.t["C"]).exists()


def test_OS9_a_visit_cannot_overlap_a_session_back_to_back_is_fine(w):
    _book(w, "C", [w.olivia, w.sam], date(2026, 6, 11), 9, 13)
    session_block = [b for b in blocks_of(w.sam) if b.starts == at(date(2026, 6, 11), 9)][0]
    assert session_block.blocked_until == at(date(2026, 6, 11), 13, 30)
    kind = AppointmentTypeFactory(name="One hour", default_travel_min=0, default_duration_min=60)
    with pytest.raises(ValidationError) as err:
        op_visits.appointment_book(
            client=w.client, site=w.site, appointment_type=kind, organizers=[w.sam],
            starts=at(date(2026, 6, 11), 12, 30), ends=at(date(2026, 6, 11), 13, 30), now=NOW,
        )  # fmt: skip
    assert err.value.code == "double_booked"
    visit = op_visits.appointment_book(
        client=w.client, site=w.site, appointment_type=kind, organizers=[w.sam],
        starts=at(date(2026, 6, 11), 13, 30), ends=at(date(2026, 6, 11), 14, 30), now=NOW,
    )  # fmt: skip
    assert visit.category == Appointment.Category.VISIT


def test_OS9_a_session_is_a_visit_of_category_project_session_with_title_and_link(w):
    session = _book(w, "C", [w.olivia, w.sam], date(2026, 6, 11), 9, 13)
    appt = session.appointment
    assert appt.category == "project_session"
    assert appt.title == f"Smith home move · {w.t['C'].wbs_code} Declutter & donate"
    assert appt.link_url == f"/projects/sessions/{appt.pk}/"
    assert session.window_flag == "in_window"
    assert sorted(b.organizer_id for b in appt.blocks.all()) == sorted([w.olivia.pk, w.sam.pk])


def test_OS13_a_session_booked_before_the_plan_moved_is_kept_and_flagged(w):
    g = w.sessions["G"]
    assert g.window_flag == "before_window"
    assert g.appointment.status == "scheduled"
    assert services.session_flags_refresh(project=w.project, now=NOW) == 0  # nothing moves, flags already right
    assert [s.pk for s in selectors.flagged_sessions(project=w.project)] == [g.pk]
    hours = selectors.hours_for_tasks([w.t["G"]])[w.t["G"].pk]
    assert (hours.booked, hours.unbooked) == (16 * 60, 0)


def test_OS13_rescheduling_into_the_window_clears_the_flag(w):
    g = services.task_session_reschedule(
        session=w.sessions["G"], starts=at(date(2026, 6, 24), 9), ends=at(date(2026, 6, 24), 17), now=NOW
    )
    assert g.window_flag == "in_window"
    assert g.appointment.starts == at(date(2026, 6, 24), 9)
    assert selectors.flagged_sessions(project=w.project) == []


def test_OS14_outside_the_window_asks_then_books_flagged_and_cancel_returns_the_hours(w):
    with pytest.raises(ValidationError) as err:
        _book(w, "I", [w.olivia], date(2026, 6, 18), 9, 13)
    assert err.value.code == "outside_window"
    assert "earliest start Thu 06-25" in err.value.messages[0]
    session = _book(w, "I", [w.olivia], date(2026, 6, 18), 9, 13, confirm_outside_window=True)
    assert session.window_flag == "before_window"
    assert selectors.hours_for_tasks([w.t["I"]])[w.t["I"].pk].unbooked == 44 * 60
    services.task_session_cancel(session=session, now=NOW)
    assert selectors.hours_for_tasks([w.t["I"]])[w.t["I"].pk].unbooked == 48 * 60


def test_OS14_refresh_flags_a_past_unfinished_session_awaiting_completion(w):
    later = datetime(2026, 6, 18, 8, 0, tzinfo=ZoneInfo("America/New_York"))
    assert services.session_flags_refresh(project=w.project, now=later) >= 1
    h = WorkSession.objects.get(pk=w.sessions["H"].pk)
    assert h.window_flag == "awaiting_completion"
    assert h.appointment.status == "scheduled"  # still booked, never cancelled or moved


# --- bad input: a clear error and nothing written ---------------------------------------------------------


def _nothing_written(w, fn):
    before = (Appointment.objects.count(), OrganizerBlock.objects.count(), WorkSession.objects.count())
    with pytest.raises(ValidationError) as err:
        fn()
    assert (Appointment.objects.count(), OrganizerBlock.objects.count(), WorkSession.objects.count()) == before
    return err.value


def test_OS9_session_on_two_local_days_is_refused(w):
    err = _nothing_written(
        w, lambda: services.task_session_book(
            task=w.t["C"], starts=at(date(2026, 6, 11), 16), ends=at(date(2026, 6, 12), 10),
            organizers=[w.olivia, w.sam], now=NOW,
        ),
    )  # fmt: skip
    assert err.code == "two_days"


def test_OS9_session_for_a_non_assignee_is_refused(w):
    err = _nothing_written(w, lambda: _book(w, "C", [w.olivia, w.max], date(2026, 6, 11), 9, 13))
    assert err.code == "not_assignee" and "Max Moreau" in err.messages[0]


def test_OS9_session_on_a_done_task_is_refused(w):
    err = _nothing_written(w, lambda: _book(w, "A", [w.olivia], date(2026, 6, 11), 9, 13))
    assert err.code == "done"


def test_OS9_session_on_an_off_site_task_is_refused(w):
    err = _nothing_written(w, lambda: _book(w, "B", [w.priya], date(2026, 6, 11), 9, 13))
    assert err.code == "off_site"


def test_OS9_session_in_a_closed_project_is_refused(w):
    Project.objects.filter(pk=w.project.pk).update(status=Project.Status.COMPLETED)
    err = _nothing_written(w, lambda: _book(w, "C", [w.olivia, w.sam], date(2026, 6, 11), 9, 13))
    assert err.code == "closed"


def test_OS9_session_across_a_dst_change_is_refused(w):
    Task.objects.filter(pk=w.t["C"].pk).update(es=7, ef=400, lf=400)  # a window far enough to reach November
    w.t["C"].refresh_from_db()
    zone = ZoneInfo("America/New_York")
    starts = datetime(2026, 11, 1, 0, 30, tzinfo=zone)  # EDT; 02:00 falls back to 01:00 EST
    ends = datetime(2026, 11, 1, 4, 0, tzinfo=zone)
    err = _nothing_written(
        w, lambda: services.task_session_book(
            task=w.t["C"], starts=starts, ends=ends, organizers=[w.olivia, w.sam], now=NOW, allow_outside_hours=True,
        ),
    )  # fmt: skip
    assert err.code == "dst_change" and "clock change" in err.messages[0]


def test_OS9_one_session_per_task_per_day(w, settings):
    _book(w, "C", [w.olivia, w.sam], date(2026, 6, 11), 9, 11)
    err = _nothing_written(w, lambda: _book(w, "C", [w.olivia, w.sam], date(2026, 6, 11), 13, 15))
    assert err.code == "per_day"
    settings.SESSION_MAX_PER_TASK_PER_DAY = 2
    assert _book(w, "C", [w.olivia, w.sam], date(2026, 6, 11), 13, 15).pk


def test_OS13_the_hourly_flag_refresh_is_scheduled_and_idempotent(w):
    from django.conf import settings

    from organizer_pm.celery import app
    from projects.sessions import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["session-flags-refresh"]
    assert (entry["task"], entry["schedule"]) == ("projects.session_flags_refresh", 3600)
    app.loader.import_default_modules()
    assert "projects.session_flags_refresh" in app.tasks
    later = datetime(2026, 6, 18, 8, 0, tzinfo=ZoneInfo("America/New_York"))
    assert services.session_flags_refresh_all(now=later) >= 1
    assert services.session_flags_refresh_all(now=later) == 0  # a second run the same day changes nothing
    assert tasks.session_flags_refresh.name == "projects.session_flags_refresh"


def test_T41_a_plan_edit_flags_sessions_at_once_not_at_the_next_hourly_refresh(w):
    g = services.task_session_reschedule(
        session=w.sessions["G"], starts=at(date(2026, 6, 24), 9), ends=at(date(2026, 6, 24), 17), now=NOW
    )
    assert g.window_flag == "in_window"
    Project.objects.filter(pk=w.project.pk).update(status_date_override=date(2026, 6, 10))  # fixture W's day
    with transaction.atomic():
        project_schedule_recalculate(project=Project.objects.get(pk=w.project.pk))
    g.refresh_from_db()
    assert g.window_flag == "in_window"  # the same plan as stored: nothing to flag
    # Packing (D, which F finishes a day after) takes a week longer: moving day's window now starts after 06-24.
    with transaction.atomic():
        Task.objects.filter(pk=w.t["D"].pk).update(duration_wd=F("duration_wd") + 5)
        project_schedule_recalculate(project=Project.objects.get(pk=w.project.pk))
    g.refresh_from_db()
    assert g.window_flag == "before_window"
    assert g.appointment.starts == at(date(2026, 6, 24), 9)  # flagged, never moved
