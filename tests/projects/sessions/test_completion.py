"""Completing a session writes time per organizer once and proposes progress (OS12); close-out and task
deletion respect scheduled sessions (OS14, OS16)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum

from operations.models import Appointment, OrganizerBlock
from operations.services import visits as op_visits
from projects import services as project_services
from projects.models import Task, TimeEntry, WorkSession
from projects.sessions import selectors, services
from tests.operations.factories import AppointmentTypeFactory
from tests.projects.sessions.world import NOW, at

AFTER = datetime(2026, 6, 10, 16, 0, tzinfo=ZoneInfo("America/New_York"))


def _book_os8(w):
    plan = selectors.session_proposals(task=w.t["C"], organizers=[w.olivia, w.sam], now=NOW)
    return services.task_sessions_book_selected(
        task=w.t["C"], organizers=[w.olivia, w.sam], slots=[(p.starts, p.ends) for p in plan.proposals], now=NOW
    )


def _complete(w, wed, **kw):
    return services.task_session_complete(
        session=wed, minutes={w.olivia: 240, w.sam: 210}, actor=w.olivia, now=AFTER, **kw
    )


def test_OS12_completing_writes_time_for_two_organizers_once(w):
    wed = _book_os8(w)[0]
    result = _complete(w, wed)
    entries = TimeEntry.objects.filter(task=w.t["C"]).order_by("organizer__first_name")
    assert [(e.organizer.first_name, e.worked_on, e.minutes, e.source) for e in entries] == [
        ("Olivia", date(2026, 6, 10), 240, "session"), ("Sam", date(2026, 6, 10), 210, "session"),
    ]  # fmt: skip
    blocks = OrganizerBlock.objects.filter(appointment=wed.appointment).order_by("organizer__first_name")
    assert [b.worked_minutes for b in blocks] == [240, 210]
    assert sum(b.worked_minutes for b in blocks) == entries.aggregate(m=Sum("minutes"))["m"] == 450
    hours = selectors.hours_for_tasks([w.t["C"]])[w.t["C"].pk]
    assert (hours.logged, hours.booked, hours.unbooked) == (450, 16 * 60, 30)
    assert w.t["C"].pk in {r.task.pk for r in selectors.unbooked_work()}
    c = Task.objects.get(pk=w.t["C"].pk)
    assert (result.progress, c.progress_pct, c.actual_start) == (31, 31, date(2026, 6, 10))
    assert Appointment.objects.get(pk=wed.appointment_id).status == "completed"
    again = _complete(w, wed)
    assert again.created is False
    assert TimeEntry.objects.filter(task=w.t["C"]).count() == 2
    assert TimeEntry.objects.filter(task=w.t["C"]).aggregate(m=Sum("minutes"))["m"] == 450


def test_OS12_task_finished_sets_100_and_the_actual_finish(w):
    wed = _book_os8(w)[0]
    _complete(w, wed, task_finished=True)
    c = Task.objects.get(pk=w.t["C"].pk)
    assert (c.progress_pct, c.status, c.actual_finish) == (100, "done", date(2026, 6, 10))


def test_OS12_a_chosen_progress_is_kept_but_never_lowered(w, settings):
    wed = _book_os8(w)[0]
    Task.objects.filter(pk=w.t["C"].pk).update(progress_pct=40)
    with pytest.raises(ValidationError) as err:
        _complete(w, wed, progress=35)
    assert "below the recorded 40" in " ".join(err.value.messages)
    assert not TimeEntry.objects.filter(task=w.t["C"]).exists()
    assert _complete(w, wed, progress=45).progress == 45


def test_OS12_the_proposal_can_be_turned_off(w, settings):
    settings.SESSION_PROGRESS_PROPOSAL = False
    wed = _book_os8(w)[0]
    assert _complete(w, wed).progress == 0


@pytest.mark.parametrize(
    ("minutes", "code"), [(-5, "minutes_negative"), (240 + 61, "minutes_over"), (25 * 60, "minutes_too_many")]
)
def test_OS12_bad_minutes_are_refused_and_nothing_is_written(w, minutes, code):
    wed = _book_os8(w)[0]
    with pytest.raises(ValidationError) as err:
        services.task_session_complete(session=wed, minutes={w.olivia: minutes, w.sam: 200}, now=AFTER)
    assert err.value.error_dict["minutes"][0].code == code
    assert not TimeEntry.objects.filter(task=w.t["C"]).exists()
    assert Appointment.objects.get(pk=wed.appointment_id).status == "scheduled"
    assert not OrganizerBlock.objects.filter(appointment=wed.appointment, worked_minutes__isnull=False).exists()


def test_OS12_over_the_tolerance_is_recorded_once_confirmed(w):
    wed = _book_os8(w)[0]
    result = services.task_session_complete(
        session=wed, minutes={w.olivia: 301, w.sam: 240}, confirm_over=True, now=AFTER
    )
    assert sorted(e.minutes for e in result.entries) == [240, 301]


def test_OS12_the_completion_tolerance_is_a_setting(w, settings):
    settings.SESSION_COMPLETION_TOLERANCE_MINUTES = 120
    wed = _book_os8(w)[0]
    result = services.task_session_complete(session=wed, minutes={w.olivia: 301, w.sam: 240}, now=AFTER)
    assert result.created


def test_OS12_zero_minutes_means_did_not_attend(w):
    wed = _book_os8(w)[0]
    services.task_session_complete(session=wed, minutes={w.olivia: 240, w.sam: 0}, now=AFTER)
    assert list(TimeEntry.objects.filter(task=w.t["C"]).values_list("organizer__first_name", flat=True)) == ["Olivia"]
    assert sorted(
        OrganizerBlock.objects.filter(appointment=wed.appointment).values_list("worked_minutes", flat=True)
    ) == [0, 240]


def test_OS14_deleting_a_task_with_a_scheduled_session_is_refused_then_cancel_and_delete(w):
    with pytest.raises(ValidationError) as err:
        project_services.task_delete(task=w.t["H"])
    assert err.value.code == "has_sessions" and "Wed 06-17 09:00" in err.value.messages[0]
    project_services.task_delete(task=w.t["H"], cancel_sessions=True)
    assert not Task.objects.filter(pk=w.t["H"].pk).exists()
    kind = AppointmentTypeFactory(name="Max hour", default_travel_min=0)
    visit = op_visits.appointment_book(
        client=w.client, site=w.site, appointment_type=kind, organizers=[w.max],
        starts=at(date(2026, 6, 17), 9), ends=at(date(2026, 6, 17), 10), now=NOW,
    )  # fmt: skip
    assert visit.pk


def test_OS14_deleting_a_task_with_logged_time_is_refused(w):
    with pytest.raises(ValidationError) as err:
        project_services.task_delete(task=w.t["A"])
    assert err.value.code == "has_time"


def test_OS16_close_out_is_refused_while_a_session_is_scheduled(w):
    with pytest.raises(ValidationError) as err:
        project_services.project_close_out(project=w.project, csat=5, nps=10, comment="", confirm_open_tasks=True)
    assert err.value.code == "sessions_scheduled"
    assert "Wed 06-17 09:00" in err.value.messages[0]
    for session in WorkSession.objects.filter(task__project=w.project):
        services.task_session_cancel(session=session, now=NOW)
    project = project_services.project_close_out(project=w.project, csat=5, nps=10, comment="", confirm_open_tasks=True)
    assert project.status == "completed"
