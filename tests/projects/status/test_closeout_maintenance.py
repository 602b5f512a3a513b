"""OS16, the maintenance part (docs/specs/one-schedule.md §5, §6): the close-out form starts the client's
maintenance series through the operations series service; bad rules and dates are refused with nothing written."""

from datetime import UTC, date, datetime, time

import pytest
import time_machine
from django.urls import reverse

from operations.models import Appointment, RecurringSeries
from operations.services.visits import appointment_book
from projects import planning
from projects.models import Project, Task
from tests.clients.factories import SiteFactory
from tests.operations.factories import AppointmentTypeFactory, organizer_ny, utc
from tests.support.projects import smith_shared, worked_task
from tests.support.shared_rows import fresh_copy

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def _smith_rows(django_db_setup, django_db_blocker):
    yield from smith_shared(django_db_blocker, status_date_source="override")


@pytest.fixture
def smith(_smith_rows, db):
    """The worked example, built once for this module (tests/support/projects.py)."""
    return fresh_copy(_smith_rows["smith"])


CLOSE_OUT = datetime(2026, 6, 30, 21, tzinfo=UTC)  # Tue 17:00 EDT


@pytest.fixture
def finished(smith, settings):
    """Fixture W with every task done, K (the sign-off) on Mon 06-29."""
    settings.STATUS_DATE_SOURCE = "today"
    SiteFactory(client=smith.client, label="Home")
    for task in Task.objects.filter(project=smith, is_summary=False):
        task.progress_pct, task.status = 100, Task.Status.DONE
        task.actual_start, task.actual_finish = task.start_on, task.finish_on
        task.save()
    Task.objects.filter(pk=worked_task(smith, "K").pk).update(
        actual_start=date(2026, 6, 29), actual_finish=date(2026, 6, 29)
    )
    with time_machine.travel(CLOSE_OUT, tick=False):
        planning.project_schedule_recalculate(project=smith)
    smith.refresh_from_db()
    return smith


@pytest.fixture
def olivia(db):
    return organizer_ny(first_name="Olivia", email="olivia.os16@example.com")


@pytest.fixture
def tidy(db):
    return AppointmentTypeFactory(name="Maintenance tidy", default_duration_min=120, default_travel_min=30)


def form_data(finished, tidy, olivia, **extra):
    return {
        "csat": "5", "nps": "9", "comment": "", "maintenance": "on", "appointment_type": tidy.pk,
        "site": finished.client.sites.first().pk, "repeat": "monthly_nth", "nth": "2", "weekday": "1",
        "month_day": "", "interval": "", "first_day": "", "start_time": "10:00", "organizers": [olivia.pk],
        "ends": "never", "end_on": "", "count": "",
    } | extra  # fmt: skip


def close_out(client, owner, project, data):
    client.force_login(owner)
    with time_machine.travel(CLOSE_OUT, tick=False):
        return client.post(reverse("projects:project_closeout", kwargs={"pk": project.pk}), data)


def test_OS16_close_out_starts_monthly_maintenance_on_the_second_tuesday(client, owner, finished, tidy, olivia):
    assert finished.finish_on == date(2026, 6, 29)
    response = close_out(client, owner, finished, form_data(finished, tidy, olivia))
    assert response.status_code == 302
    finished.refresh_from_db()
    assert finished.status == Project.Status.COMPLETED
    series = finished.followup_series
    assert series is not None and "BYDAY=2TU" in series.rrule and series.client_id == finished.client_id
    assert series.local_start == "2026-07-14T10:00:00"  # the first 2nd Tuesday after Mon 06-29
    visits = list(Appointment.objects.filter(series=series).order_by("starts"))
    assert [(v.starts, v.ends, v.blocked_until) for v in visits] == [
        (utc(2026, 7, 14, 14), utc(2026, 7, 14, 16), utc(2026, 7, 14, 16, 30)),
        (utc(2026, 8, 11, 14), utc(2026, 8, 11, 16), utc(2026, 8, 11, 16, 30)),
        (utc(2026, 9, 8, 14), utc(2026, 9, 8, 16), utc(2026, 9, 8, 16, 30)),
    ]  # 90-day horizon: Mon 2026-09-28 17:00 EDT
    assert [list(v.organizers.all()) for v in visits] == [[olivia]] * 3


def test_OS16_a_clash_is_reported_and_nothing_is_written(client, owner, finished, tidy, olivia):
    with time_machine.travel(datetime(2026, 6, 1, 12, tzinfo=UTC), tick=False):
        appointment_book(
            client=finished.client, site=finished.client.sites.first(), appointment_type=tidy, organizers=[olivia],
            starts=utc(2026, 8, 11, 15), ends=utc(2026, 8, 11, 16), travel_min=0,
        )  # fmt: skip
    response = close_out(client, owner, finished, form_data(finished, tidy, olivia))
    assert response.status_code == 200
    assert "clash with existing bookings, first on Tue Aug 11 10:00" in response.content.decode()
    finished.refresh_from_db()
    assert finished.status == Project.Status.ACTIVE and finished.followup_series is None
    assert not RecurringSeries.objects.exists() and Appointment.objects.count() == 1


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"first_day": "2026-06-29"}, "must be after the project&#x27;s actual finish (Mon 2026-06-29)"),
        ({"first_day": "2026-07-15"}, "does not match the schedule"),  # off the pattern: the next match is named
        ({"repeat": "monthly_date", "month_day": ""}, "Choose the day of the month."),
        ({"ends": "on_date", "end_on": ""}, "date"),
        ({"ends": "after_count", "count": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"start_time": "", "organizers": []}, "Required to start maintenance visits."),
    ],
    ids=["on-finish", "off-pattern", "no-day", "no-end-date", "zero-count", "missing"],
)
def test_close_out_maintenance_bad_input_writes_nothing(client, owner, finished, tidy, olivia, extra, message):
    response = close_out(client, owner, finished, form_data(finished, tidy, olivia, **extra))
    assert response.status_code == 200
    body = response.content.decode()
    i = body.find("invalid-feedback")
    assert message in body, body[i : i + 400]
    finished.refresh_from_db()
    assert finished.status == Project.Status.ACTIVE and finished.followup_series is None
    assert not RecurringSeries.objects.exists() and not Appointment.objects.exists()


def test_close_out_without_maintenance_still_works(client, owner, finished):
    response = close_out(client, owner, finished, {"csat": "4", "nps": "9", "comment": ""})
    assert response.status_code == 302
    finished.refresh_from_db()
    assert finished.status == Project.Status.COMPLETED and finished.followup_series is None


def test_the_close_out_form_shows_the_maintenance_section(client, owner, finished):
    client.force_login(owner)
    body = client.get(reverse("projects:project_closeout", kwargs={"pk": finished.pk})).content.decode()
    assert "Start maintenance" in body and "Actual finish: Mon 2026-06-29" in body
    assert time(10).strftime("%H:%M") in body


# --- the client page as one timeline (composed in organizer_pm.dashboard.timeline) ---------------------------


def timeline(client, user, project):
    client.force_login(user)
    with time_machine.travel(CLOSE_OUT, tick=False):
        return client.get(reverse("dashboard:client_timeline", kwargs={"pk": project.client_id}))


def test_OS16_the_client_timeline_shows_the_project_and_its_maintenance(client, owner, office, finished, tidy, olivia):
    from tests.billing.world import issue_all, visit

    close_out(client, owner, finished, form_data(finished, tidy, olivia))
    site_visit = visit(finished.client, tidy, [olivia], utc(2026, 6, 2, 14), utc(2026, 6, 2, 16))
    issue_all(finished.client, key="os16", now=utc(2026, 6, 3, 14))
    body = timeline(client, owner, finished).content.decode()
    assert "Smith home move, completed Mon 2026-06-29" in body
    assert "Monthly on the second Tuesday 10:00–12:00, Olivia, next" in body and "Tue 2026-07-14" in body
    ahead, before = body.split(">Ahead<")[1].split(">Before<")
    assert "Maintenance tidy 10:00" in ahead  # Jul 14, Aug 11, Sep 8
    assert ahead.count('data-kind="visit"') == 3
    assert f"/schedule/visits/{site_visit.pk}/" in before and "Invoice " in before
    office_body = timeline(client, office, finished).content.decode()
    assert "Smith home move" in office_body and "Invoice " not in office_body  # invoices are the billers'


def test_the_client_timeline_is_scoped_like_the_client_page(client, finished, tidy, olivia, owner, organizer_b):
    close_out(client, owner, finished, form_data(finished, tidy, olivia))
    mine = timeline(client, olivia, finished)  # booking the series assigned Olivia to the client
    assert mine.status_code == 200 and "Monthly on the second Tuesday" in mine.content.decode()
    assert "Smith home move" not in mine.content.decode()  # she neither leads nor works on the project
    assert timeline(client, organizer_b, finished).status_code == 404
    client.force_login(owner)
    assert client.get(reverse("dashboard:client_timeline", kwargs={"pk": 999_999})).status_code == 404
