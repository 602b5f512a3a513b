"""Edits by scope through the visit's edit page: the page it redirects to still exists (T2); a move the pattern
cannot follow asks for the new rule at the day field (docs/specs/recurrence.md, docs/specs/defects.md)."""

from datetime import datetime

import pytest
import time_machine
from django.urls import reverse

from operations import recurrence
from operations.models import Appointment, RecurringSeries
from operations.services import series as series_services
from tests.clients.factories import ClientFactory, SiteFactory
from tests.operations.factories import AppointmentTypeFactory, organizer_ny, utc

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mid_february_2027():
    with time_machine.travel(utc(2027, 2, 15, 12), tick=True):
        yield


@pytest.fixture
def series():
    client = ClientFactory(name="Hudson family")
    made, _ = series_services.series_create(
        client=client, site=SiteFactory(client=client, time_zone="America/New_York"),
        appointment_type=AppointmentTypeFactory(), organizers=[organizer_ny(email="edit@example.com")],
        local_start=datetime(2027, 3, 2, 9), rule=recurrence.parse_rrule("FREQ=WEEKLY;BYDAY=TU"), duration_min=120,
        travel_min=0, actor=None, now=utc(2027, 2, 15, 12),
    )  # fmt: skip
    return made


def edit(client, visit, **extra):
    data = {"scope": "following", "day": "2027-03-16", "start_time": "10:00", "duration_min": "120", "rrule": ""}
    return client.post(reverse("operations:appointment_edit", kwargs={"pk": visit.pk}), data | extra)


@pytest.mark.parametrize("scope", ["following", "all"])
def test_T2_series_edits_redirect_to_the_edited_visit_which_still_opens(client, office, series, scope):
    client.force_login(office)
    visit = Appointment.objects.get(series=series, original_start=utc(2027, 3, 16, 13))
    ids = set(Appointment.objects.values_list("pk", flat=True))
    response = edit(client, visit, scope=scope)
    assert response.status_code == 302 and response.url == visit.get_absolute_url()
    assert client.get(response.url).status_code == 200
    visit.refresh_from_db()
    assert visit.starts == utc(2027, 3, 16, 14) and visit.sequence == 1
    assert ids <= set(Appointment.objects.values_list("pk", flat=True))


def test_moving_the_day_moves_the_weekly_pattern(client, office, series):
    client.force_login(office)
    visit = Appointment.objects.get(series=series, original_start=utc(2027, 3, 16, 13))
    assert edit(client, visit, day="2027-03-17", start_time="09:00").status_code == 302
    visit.refresh_from_db()
    assert visit.starts == utc(2027, 3, 17, 13) and "BYDAY=WE" in visit.series.rrule


def test_a_move_the_pattern_cannot_follow_asks_for_the_rule_at_the_day_field(client, office):
    client.force_login(office)
    made, _ = series_services.series_create(
        client=(c := ClientFactory()), site=SiteFactory(client=c, time_zone="America/New_York"),
        appointment_type=AppointmentTypeFactory(), organizers=[organizer_ny(email="twice@example.com")],
        local_start=datetime(2027, 3, 1, 9), rule=recurrence.parse_rrule("FREQ=MONTHLY;BYMONTHDAY=1,15"),
        duration_min=120, travel_min=0, actor=None, now=utc(2027, 2, 15, 12),
    )  # fmt: skip
    visit = Appointment.objects.get(series=made, original_start=utc(2027, 3, 15, 13))
    response = edit(client, visit, day="2027-03-16", start_time="09:00")
    assert response.status_code == 200
    form = response.context["form"]
    assert "does not fit the schedule" in form.errors["day"][0] and "1st and 15th" in form.errors["day"][0]
    assert RecurringSeries.objects.count() == 1
    response = edit(client, visit, day="2027-03-16", start_time="09:00", rrule="FREQ=MONTHLY;BYMONTHDAY=2,16")
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.starts == utc(2027, 3, 16, 13)


@pytest.mark.parametrize(
    ("rrule", "message"),
    [("FREQ=MONTHLY;BYMONTHDAY=32", "not 32"), ("FREQ=WEEKLY;COUNT=3", "Leave out COUNT"), ("nonsense", "NAME=VALUE")],
)
def test_a_bad_new_rule_is_refused_at_its_field(client, office, series, rrule, message):
    client.force_login(office)
    visit = Appointment.objects.get(series=series, original_start=utc(2027, 3, 16, 13))
    response = edit(client, visit, rrule=rrule)
    assert response.status_code == 200 and message in response.context["form"].errors["rrule"][0]
    assert RecurringSeries.objects.count() == 1
