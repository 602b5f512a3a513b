"""The booking form's cadences, RRULE text, live preview and site list (issue 15 part 3, defect T18)."""

import pytest
import time_machine
from django.urls import reverse

from operations.models import Appointment, RecurringSeries
from tests.clients.factories import ClientFactory, SiteFactory
from tests.operations.factories import AppointmentTypeFactory, organizer_ny, utc

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mid_february_2027():
    with time_machine.travel(utc(2027, 2, 15, 12), tick=True):
        yield


@pytest.fixture
def ctx():
    client = ClientFactory(name="Hudson family")
    return {
        "client": client,
        "site": SiteFactory(client=client, time_zone="America/New_York"),
        "type": AppointmentTypeFactory(),
        "organizer": organizer_ny(email="cadence@example.com"),
    }


def data(ctx, **extra):
    return {
        "client": ctx["client"].pk, "site": ctx["site"].pk, "appointment_type": ctx["type"].pk,
        "organizers": [ctx["organizer"].pk], "day": "2027-03-02", "start_time": "09:00", "duration_min": "60",
        "travel_min": "0", "repeat": "none", "interval": "1", "ends": "after", "end_on": "", "count": "4",
        "notes": "", "rrule": "", "second_day": "",
    } | extra  # fmt: skip


@pytest.mark.parametrize(
    ("extra", "rrule", "first_four"),
    [
        ({"repeat": "weekly", "weekdays": ["1", "3"], "interval": "2"}, "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;COUNT=4",
         [(3, 2), (3, 4), (3, 16), (3, 18)]),
        ({"repeat": "twice_monthly", "second_day": "16"}, "FREQ=MONTHLY;BYMONTHDAY=2,16;COUNT=4",
         [(3, 2), (3, 16), (4, 2), (4, 16)]),
        ({"repeat": "monthly_nth", "positions": ["1", "3"]}, "FREQ=MONTHLY;BYDAY=1TU,3TU;COUNT=4",
         [(3, 2), (3, 16), (4, 6), (4, 20)]),
        ({"repeat": "monthly_nth", "day": "2027-03-26", "positions": ["-1"]}, "FREQ=MONTHLY;BYDAY=-1FR;COUNT=4",
         [(3, 26), (4, 30)]),
        ({"repeat": "monthly_date", "interval": "3"}, "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=2;COUNT=4",
         [(3, 2)]),
        ({"repeat": "daily"}, "FREQ=DAILY;COUNT=4", [(3, 2), (3, 3), (3, 4), (3, 5)]),
        ({"repeat": "yearly_months", "months": ["3", "10"]}, "FREQ=YEARLY;BYMONTH=3,10;COUNT=4",
         [(3, 2)]),
        ({"repeat": "custom", "rrule": "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2;COUNT=4", "day": "2027-03-30"},
         "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2;COUNT=4", [(3, 30), (4, 29)]),
    ],
)  # fmt: skip
def test_each_cadence_books_its_series(client, office, ctx, extra, rrule, first_four):
    """The visits listed are those inside the 90-day horizon (to 16 May 2027)."""
    client.force_login(office)
    response = client.post(reverse("operations:appointment_create"), data(ctx, **extra))
    assert response.status_code == 302, response.context["form"].errors
    assert RecurringSeries.objects.get().rrule == rrule
    days = [(s.month, s.day) for s in Appointment.objects.order_by("starts").values_list("starts", flat=True)]
    assert days == first_four


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"repeat": "custom", "rrule": "FREQ=WEEKLY;=TU"}, "rrule", "expected NAME=VALUE"),
        ({"repeat": "custom", "rrule": "FREQ=WEEKLY;UNTIL=20270301T000000Z"}, "rrule", "before its first visit"),
        ({"repeat": "custom", "rrule": "FREQ=WEEKLY;COUNT=0"}, "rrule", "at least 1"),
        ({"repeat": "custom", "rrule": "FREQ=MONTHLY;BYMONTHDAY=32"}, "rrule", "not 32"),
        ({"repeat": "custom", "rrule": "FREQ=MONTHLY;BYDAY=TU;BYSETPOS=0"}, "rrule", "not 0"),
        ({"repeat": "custom", "rrule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "day": "2027-03-02"}, "rrule",
         "no visit in the five years"),
        ({"repeat": "custom", "rrule": "FREQ=HOURLY;INTERVAL=3"}, "rrule", "at most daily"),
        ({"repeat": "custom", "rrule": "FREQ=DAILY;BYHOUR=9,15"}, "rrule", "one visit a day"),
        ({"repeat": "custom", "rrule": ""}, "rrule", "Enter the repeat rule"),
        ({"repeat": "twice_monthly", "second_day": ""}, "second_day", "second date"),
        ({"repeat": "monthly_nth", "positions": ["1", "2", "3"]}, "positions", "one or two"),
        ({"repeat": "yearly_months"}, "months", "at least one month"),
        ({"repeat": "weekly", "weekdays": ["1"], "ends": "on_date", "end_on": "2027-03-01"}, "end_on", "ends"),
        ({"repeat": "weekly", "weekdays": ["2"]}, "day", "Wednesday 3 March 2027"),
    ],
)  # fmt: skip
def test_bad_repeat_input_is_refused_at_its_field_and_nothing_is_written(client, office, ctx, extra, field, message):
    client.force_login(office)
    response = client.post(reverse("operations:appointment_create"), data(ctx, **extra))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message.lower() in " ".join(errors[field]).lower(), errors
    assert "__all__" not in errors
    assert not Appointment.objects.exists() and not RecurringSeries.objects.exists()


def test_the_preview_lists_the_next_ten_visits_in_words_and_writes_nothing(client, office, ctx):
    client.force_login(office)
    params = data(ctx, repeat="monthly_nth", positions=["1", "3"], ends="never", count="")
    response = client.get(reverse("operations:booking_preview"), params, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "Monthly on the first and third Tuesday" in html
    assert html.count("<li>") == 10 and "Tue 2 Mar 2027 09:00" in html and "Tue 20 Jul 2027 09:00" in html
    assert "America/New_York" in html
    assert not RecurringSeries.objects.exists()


def test_the_preview_says_what_is_wrong_with_the_rule(client, office, ctx):
    client.force_login(office)
    response = client.get(reverse("operations:booking_preview"), data(ctx, repeat="custom", rrule="FREQ=SOMETIMES"))
    assert "is not a repeat frequency" in response.content.decode()


def test_T18_sites_are_the_chosen_clients_and_labelled_with_it(client, office, ctx):
    other = SiteFactory(client=ClientFactory(name="Other household"))
    client.force_login(office)
    html = client.get(reverse("operations:booking_sites"), {"client": ctx["client"].pk}).content.decode()
    assert f'value="{ctx["site"].pk}"' in html and "Hudson family · " in html
    assert f'value="{other.pk}"' not in html
    page = client.get(reverse("operations:appointment_create") + f"?client={ctx['client'].pk}").content.decode()
    assert "Hudson family · " in page and "Other household" not in page.split('id="id_site"')[1].split("</select>")[0]
    assert 'data-show-when="repeat:weekly"' in page  # the repeat controls show only for their cadence


def test_T18_a_site_of_another_client_is_refused_at_the_site_field(client, office, ctx):
    other = SiteFactory(client=ClientFactory(name="Other household"))
    client.force_login(office)
    response = client.post(reverse("operations:appointment_create"), data(ctx, site=other.pk))
    assert "site" in response.context["form"].errors and not Appointment.objects.exists()


def test_rule_in_words_on_the_visit_page_and_in_the_calendar_events(client, office, ctx):
    client.force_login(office)
    client.post(reverse("operations:appointment_create"), data(ctx, repeat="weekly", weekdays=["1", "3"]))
    visit = Appointment.objects.order_by("starts").first()
    page = client.get(visit.get_absolute_url()).content.decode()
    assert "Weekly on Tuesday and Thursday, 4 times" in page
    url = reverse("operations:calendar_events") + "?start=2027-03-01T00:00:00Z&end=2027-03-31T00:00:00Z"
    events = client.get(url).json()
    assert events[0]["extendedProps"]["repeats"] == "Weekly on Tuesday and Thursday, 4 times"
