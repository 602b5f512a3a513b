"""T47 (docs/specs/defects.md): the booking, edit and calendar-drag pages refuse a start that has passed, at the
start field, keep what was typed and write nothing; so does the office's answer to a portal reschedule request
(a project session's booking form: tests/projects/sessions/test_views.py)."""

import pytest
import time_machine
from django.urls import reverse

from operations.models import Appointment, OrganizerBlock, RecurringSeries, VisitChangeRequest
from operations.services import visits as services
from tests.clients.factories import ClientFactory, SiteFactory
from tests.operations.factories import AppointmentTypeFactory, organizer_ny, utc

pytestmark = pytest.mark.django_db
NOW = utc(2027, 2, 15, 17, 30)  # Mon Feb 15, 12:30 in New York
PASSED = "That time has passed: choose a time after Mon Feb 15, 12:30 EST."


@pytest.fixture(autouse=True)
def _monday_midday():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def ctx():
    client = ClientFactory(name="Hudson family")
    return {"client": client, "site": SiteFactory(client=client, time_zone="America/New_York"),
            "type": AppointmentTypeFactory(), "organizer": organizer_ny()}  # fmt: skip


def _booking(ctx, **extra):
    return {
        "client": ctx["client"].pk, "site": ctx["site"].pk, "appointment_type": ctx["type"].pk,
        "organizers": [ctx["organizer"].pk], "day": "2027-02-15", "start_time": "09:00", "duration_min": "120",
        "travel_min": "0", "repeat": "none", "interval": "1", "ends": "never", "end_on": "", "count": "",
        "notes": "Bring the label maker",
    } | extra  # fmt: skip


def _rows():
    return (Appointment.objects.count(), OrganizerBlock.objects.count(), RecurringSeries.objects.count())


@pytest.mark.parametrize("extra", [{}, {"repeat": "weekly", "weekdays": ["0"], "ends": "after", "count": "4"}])
def test_T47_booking_a_visit_or_a_series_this_morning_is_refused_at_the_start(client, office, ctx, extra):
    client.force_login(office)
    response = client.post(reverse("operations:appointment_create"), _booking(ctx, **extra))
    assert response.status_code == 200 and _rows() == (0, 0, 0)
    form = response.context["form"]
    assert form.errors["start_time"] == [PASSED] and not form.non_field_errors()
    html = response.content.decode()
    assert PASSED in html and 'value="09:00"' in html and "Bring the label maker" in html
    later = client.post(reverse("operations:appointment_create"), _booking(ctx, start_time="14:00"))
    assert later.status_code == 302


def test_T47_the_edit_form_and_a_calendar_drag_refuse_a_time_that_has_passed(client, office, ctx):
    visit = services.appointment_book(
        client=ctx["client"], site=ctx["site"], appointment_type=ctx["type"], organizers=[ctx["organizer"]],
        starts=utc(2027, 2, 17, 14), ends=utc(2027, 2, 17, 16),
    )  # fmt: skip
    client.force_login(office)
    url = reverse("operations:appointment_edit", kwargs={"pk": visit.pk})
    data = {"scope": "this", "day": "2027-02-15", "start_time": "10:00", "duration_min": "90",
            "organizers": [ctx["organizer"].pk]}  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 200 and response.context["form"].errors["start_time"] == [PASSED]
    assert 'value="10:00"' in response.content.decode() and 'value="2027-02-15"' in response.content.decode()
    drag = client.post(reverse("operations:calendar_move", kwargs={"pk": visit.pk}),
                       {"start": "2027-02-15T14:00:00Z", "end": "2027-02-15T16:00:00Z"})  # fmt: skip
    assert drag.status_code == 400 and drag.json() == {"error": PASSED, "code": "past_start"}
    visit.refresh_from_db()
    assert (visit.starts, visit.sequence) == (utc(2027, 2, 17, 14), 0)


def test_T47_the_office_cannot_accept_a_portal_request_into_the_past(client, office, ctx):
    visit = services.appointment_book(
        client=ctx["client"], site=ctx["site"], appointment_type=ctx["type"], organizers=[ctx["organizer"]],
        starts=utc(2027, 2, 17, 14), ends=utc(2027, 2, 17, 16),
    )  # fmt: skip
    change = VisitChangeRequest.objects.create(appointment=visit, kind="reschedule")
    client.force_login(office)
    response = client.post(
        reverse("portal_office:request_decide", kwargs={"pk": change.pk}),
        {"action": "accept", "day": "2027-02-15", "start_time": "08:00", "duration_min": "120"},
    )
    assert response.status_code == 200 and response.context["accept_form"].errors["start_time"] == [PASSED]
    change.refresh_from_db()
    visit.refresh_from_db()
    assert change.status == "pending" and visit.starts == utc(2027, 2, 17, 14)
