from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from operations import recurrence
from operations.models import Appointment, CalendarFeed, RecurringSeries, TimeOff
from operations.services import series as series_services
from operations.services import visits as services
from tests.clients.factories import ClientFactory, ContactFactory, SiteFactory
from tests.operations.factories import AppointmentTypeFactory, organizer_ny, utc

pytestmark = pytest.mark.django_db
NY = ZoneInfo("America/New_York")


@pytest.fixture(autouse=True)
def _mid_february_2027():
    """Bookings are checked against "now" (horizon, past visits): pin it, so the tests never age."""
    with time_machine.travel(utc(2027, 2, 15, 12), tick=True):
        yield


@pytest.fixture
def ctx():
    client = ClientFactory(name="Hudson family")
    ContactFactory(client=client, is_primary=True, email="hudson@example.net")
    return {
        "client": client,
        "site": SiteFactory(client=client, time_zone="America/New_York", entry_code="2468"),
        "type": AppointmentTypeFactory(),
        "organizer": organizer_ny(email="feed@example.com"),
    }


def booking_data(ctx, **extra):
    return {
        "client": ctx["client"].pk, "site": ctx["site"].pk, "appointment_type": ctx["type"].pk,
        "organizers": [ctx["organizer"].pk], "day": "2027-03-02", "start_time": "09:00", "duration_min": "120",
        "travel_min": "0", "repeat": "none", "interval": "1", "ends": "never", "end_on": "", "count": "", "notes": "",
    } | extra  # fmt: skip


def test_office_books_a_one_off_visit(client, office, ctx):
    client.force_login(office)
    response = client.post(reverse("operations:appointment_create"), booking_data(ctx))
    visit = Appointment.objects.get()
    assert response.status_code == 302 and visit.starts == utc(2027, 3, 2, 14)


def test_office_books_a_weekly_series_ending_after_4_visits(client, office, ctx):
    client.force_login(office)
    data = booking_data(ctx, repeat="weekly", weekdays=["1"], ends="after", count="4")
    response = client.post(reverse("operations:appointment_create"), data)
    assert response.status_code == 302
    assert Appointment.objects.count() == 4 and "COUNT=4" in RecurringSeries.objects.get().rrule


def test_double_booking_through_the_form_is_a_409_with_a_message(client, office, ctx):
    client.force_login(office)
    client.post(reverse("operations:appointment_create"), booking_data(ctx))
    response = client.post(reverse("operations:appointment_create"), booking_data(ctx, start_time="10:00"))
    # T17: nothing was "just taken"; the message names the clash (09:00-11:00 in the site's zone) instead.
    assert response.status_code == 409 and "has Hudson family 09:00–11:00" in response.content.decode()
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"repeat": "yearly"}, "valid choice"),
        ({"repeat": "weekly", "weekdays": ["1"], "interval": "0"}, "greater than or equal to 1"),
        ({"repeat": "weekly", "weekdays": ["1"], "ends": "after", "count": ""}, "visits"),
        ({"repeat": "weekly", "weekdays": ["2"]}, "Wednesday 3 March 2027"),
        ({"duration_min": "5"}, "greater than or equal to 15"),
        ({"day": "2027-02-30"}, "valid date"),
        ({"start_time": "25:00"}, "valid time"),
        ({"site": "other"}, "Choose one of this client"),
        ({"organizers": []}, "required"),
    ],
)
def test_booking_form_bad_input_saves_nothing(client, office, ctx, extra, message):
    if extra.get("site") == "other":
        extra = {"site": SiteFactory().pk}
    client.force_login(office)
    response = client.post(reverse("operations:appointment_create"), booking_data(ctx, **extra))
    assert response.status_code == 200
    assert message.lower() in response.content.decode().lower()
    assert not Appointment.objects.exists() and not RecurringSeries.objects.exists()


def test_R9_booking_a_series_off_its_pattern_names_the_right_date(client, office, ctx):
    client.force_login(office)
    # 2027-03-02 is a Tuesday; asking for Wednesdays must not book a Tuesday.
    response = client.post(reverse("operations:appointment_create"), booking_data(ctx, repeat="weekly", weekdays=["2"]))
    assert (
        response.status_code == 200
        and "the first matching visit is Wednesday 3 March 2027" in response.content.decode()
    )
    assert not Appointment.objects.exists()


def test_calendar_move_refuses_a_conflict_with_409(client, office, ctx):
    first = services.appointment_book(
        client=ctx["client"], site=ctx["site"], appointment_type=ctx["type"], organizers=[ctx["organizer"]],
        starts=utc(2027, 3, 2, 14), ends=utc(2027, 3, 2, 16),
    )  # fmt: skip
    second = services.appointment_book(
        client=ctx["client"], site=ctx["site"], appointment_type=ctx["type"], organizers=[ctx["organizer"]],
        starts=utc(2027, 3, 2, 18), ends=utc(2027, 3, 2, 19),
    )  # fmt: skip
    client.force_login(office)
    url = reverse("operations:calendar_move", kwargs={"pk": second.pk})
    response = client.post(url, {"start": "2027-03-02T15:00:00Z", "end": "2027-03-02T16:00:00Z"})
    assert response.status_code == 409 and response.json()["code"] == "double_booked"
    second.refresh_from_db()
    assert second.starts == utc(2027, 3, 2, 18) and first.starts == utc(2027, 3, 2, 14)
    ok = client.post(url, {"start": "2027-03-02T16:00:00Z", "end": "2027-03-02T17:00:00Z"})
    assert ok.status_code == 200


@pytest.mark.parametrize(
    "data", [{"start": "2027-03-02T16:00:00Z", "end": "2027-03-02T15:00:00Z"}, {"start": "soon", "end": "later"}]
)
def test_calendar_move_bad_input_is_400(client, office, ctx, data):
    visit = services.appointment_book(
        client=ctx["client"], site=ctx["site"], appointment_type=ctx["type"], organizers=[ctx["organizer"]],
        starts=utc(2027, 3, 2, 14), ends=utc(2027, 3, 2, 16),
    )  # fmt: skip
    client.force_login(office)
    response = client.post(reverse("operations:calendar_move", kwargs={"pk": visit.pk}), data)
    assert response.status_code == 400
    visit.refresh_from_db()
    assert visit.starts == utc(2027, 3, 2, 14)


def test_R16_a_400_day_calendar_window_is_refused(client, office):
    client.force_login(office)
    url = reverse("operations:calendar_events") + "?start=2027-01-01T00:00:00Z&end=2028-02-05T00:00:00Z"
    assert client.get(url).status_code == 400


def test_calendar_events_query_count_does_not_grow_with_visits(client, office, ctx):
    def book_days(first, n):
        for day in range(first, first + n):
            services.appointment_book(
                client=ctx["client"], site=ctx["site"], appointment_type=ctx["type"], organizers=[ctx["organizer"]],
                starts=utc(2027, 3, 1, 14) + timedelta(days=day), ends=utc(2027, 3, 1, 15) + timedelta(days=day),
            )  # fmt: skip

    client.force_login(office)
    url = reverse("operations:calendar_events") + "?start=2027-03-01T00:00:00Z&end=2027-04-30T00:00:00Z"
    book_days(0, 3)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(url).json()) == 3
    book_days(3, 30)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(url).json()) == 33
    assert len(many) == len(few)


def test_organizer_calendar_shows_only_their_visits(client, ctx):
    other = organizer_ny(email="other@example.com")
    services.appointment_book(
        client=ctx["client"], site=ctx["site"], appointment_type=ctx["type"], organizers=[other],
        starts=utc(2027, 3, 2, 14), ends=utc(2027, 3, 2, 15),
    )  # fmt: skip
    client.force_login(ctx["organizer"])
    url = reverse("operations:calendar_events") + "?start=2027-03-01T00:00:00Z&end=2027-03-31T00:00:00Z"
    assert client.get(url).json() == []


def test_my_day_shows_the_entry_code_of_own_visits(client, ctx):
    services.appointment_book(
        client=ctx["client"], site=ctx["site"], appointment_type=ctx["type"], organizers=[ctx["organizer"]],
        starts=utc(2027, 3, 2, 14), ends=utc(2027, 3, 2, 16),
    )  # fmt: skip
    client.force_login(ctx["organizer"])
    body = client.get(reverse("operations:my_day") + "?date=2027-03-02").content.decode()
    assert "Hudson family" in body and "2468" in body


def test_day_action_complete_from_my_day(client, ctx):
    visit = services.appointment_book(
        client=ctx["client"], site=ctx["site"], appointment_type=ctx["type"], organizers=[ctx["organizer"]],
        starts=utc(2027, 3, 2, 14), ends=utc(2027, 3, 2, 16),
    )  # fmt: skip
    url = reverse("operations:appointment_day_action", kwargs={"pk": visit.pk})
    with time_machine.travel(utc(2027, 3, 2, 15, 50), tick=True):  # a visit completes once started (T3)
        client.force_login(ctx["organizer"])
        # Its checklist is unticked: the organizer confirms completing anyway (T4).
        client.post(url, {"action": "complete", "notes": "Garage done", "next": "/schedule/my-day/", "confirmed": "on"})
    visit.refresh_from_db()
    assert visit.status == "completed" and "Garage done" in visit.outcome_notes and visit.actual_end


def test_checklist_toggle_answers_htmx_with_the_partial(client, ctx):
    visit = services.appointment_book(
        client=ctx["client"], site=ctx["site"], appointment_type=ctx["type"], organizers=[ctx["organizer"]],
        starts=utc(2027, 3, 2, 14), ends=utc(2027, 3, 2, 16),
    )  # fmt: skip
    client.force_login(ctx["organizer"])
    url = reverse("operations:appointment_checklist", kwargs={"pk": visit.pk})
    response = client.post(url, {"index": "1", "done": "on"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "bi-check2-square" in response.content.decode()
    visit.refresh_from_db()
    assert visit.checklist[1]["done"] is True
    assert client.post(url, {"index": "99", "done": "on"}).status_code == 400


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"starts": "2027-03-02T10:00", "ends": "2027-03-02T09:00", "reason": ""}, "end after it starts"),
        ({"starts": "tomorrow", "ends": "2027-03-02T09:00", "reason": ""}, "valid date"),
        ({"starts": "2027-03-02T10:00", "ends": "2027-03-02T11:00", "reason": "x" * 201}, "at most 200"),
    ],
)
def test_time_off_form_bad_input(client, ctx, data, message):
    client.force_login(ctx["organizer"])
    response = client.post(reverse("operations:time_off"), data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not TimeOff.objects.exists()


def test_time_off_request_then_approval_blocks_the_time(client, office, ctx):
    client.force_login(ctx["organizer"])
    client.post(
        reverse("operations:time_off"), {"starts": "2027-03-02T10:00", "ends": "2027-03-02T12:00", "reason": ""}
    )
    entry = TimeOff.objects.get()
    client.force_login(office)
    client.post(reverse("operations:time_off_decide", kwargs={"pk": entry.pk}), {"decision": "approve"})
    entry.refresh_from_db()
    assert entry.status == "approved" and entry.blocks.filter(status="active").exists()


def test_appointment_type_form_bad_input(client, owner):
    client.force_login(owner)  # the rate field is the owner's (T11)
    response = client.post(
        reverse("operations:appointment_type_create"),
        {"name": "", "default_duration_min": "5", "default_travel_min": "-1", "billable_rate": "-3"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"name", "default_duration_min", "default_travel_min", "billable_rate"} <= set(errors)


def test_reschedule_this_visit_through_the_form(client, office, ctx):
    visit = services.appointment_book(
        client=ctx["client"], site=ctx["site"], appointment_type=ctx["type"], organizers=[ctx["organizer"]],
        starts=utc(2027, 3, 2, 14), ends=utc(2027, 3, 2, 16),
    )  # fmt: skip
    client.force_login(office)
    response = client.post(
        reverse("operations:appointment_edit", kwargs={"pk": visit.pk}),
        {
            "scope": "this",
            "day": "2027-03-03",
            "start_time": "10:00",
            "duration_min": "90",
            "organizers": [ctx["organizer"].pk],
        },  # fmt: skip
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.starts, visit.ends) == (utc(2027, 3, 3, 15), utc(2027, 3, 3, 16, 30))


# --- ICS ------------------------------------------------------------------------------------------------


def r1_series(ctx, now):
    series, _ = series_services.series_create(
        client=ctx["client"], site=ctx["site"], appointment_type=ctx["type"], organizers=[ctx["organizer"]],
        local_start=datetime(2025, 10, 7, 9), rule=recurrence.parse_rrule("FREQ=WEEKLY;BYDAY=TU"),
        duration_min=120, travel_min=0, actor=None, now=now,
    )  # fmt: skip
    return series


def feed_url(organizer):
    feed, _ = CalendarFeed.objects.get_or_create(organizer=organizer)
    return reverse("operations:ics_feed", kwargs={"token": feed.token})


def test_R19_ics_feed_has_refresh_hints_vtimezone_and_local_dtstart(client, ctx):
    now = utc(2025, 10, 1, 4)
    r1_series(ctx, now)
    with time_machine.travel(now, tick=False):
        response = client.get(feed_url(ctx["organizer"]))
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/calendar")
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in body and "X-PUBLISHED-TTL:PT1H" in body
    assert "TZID:America/New_York" in body and "DTSTART;TZID=America/New_York:20251104T090000" in body
    events = recurring_ical_events.of(icalendar.Calendar.from_ical(response.content)).between(
        datetime(2025, 11, 4), datetime(2025, 11, 12)
    )
    assert sorted(e["DTSTART"].dt.isoformat() for e in events) == [
        "2025-11-04T09:00:00-05:00", "2025-11-11T09:00:00-05:00",
    ]  # fmt: skip
    assert "2468" not in body  # never an entry code


def test_ics_feed_expands_to_exactly_the_apps_visits_over_90_days(client, ctx):
    now = utc(2025, 10, 1, 4)
    series = r1_series(ctx, now)
    moved = Appointment.objects.get(series=series, original_start=utc(2025, 10, 14, 13))
    services.appointment_reschedule(
        appointment=moved, starts=utc(2025, 10, 15, 17), ends=utc(2025, 10, 15, 19), now=now
    )
    cancelled = Appointment.objects.get(series=series, original_start=utc(2025, 10, 21, 13))
    services.appointment_cancel(appointment=cancelled, now=now)
    with time_machine.travel(now, tick=False):
        response = client.get(feed_url(ctx["organizer"]))
    events = recurring_ical_events.of(icalendar.Calendar.from_ical(response.content)).between(
        now, now + timedelta(days=90)
    )
    from_feed = sorted((e["DTSTART"].dt, e["DTEND"].dt) for e in events)
    app = sorted(
        Appointment.objects.filter(starts__lt=now + timedelta(days=90))
        .exclude(status__in=["cancelled", "late_cancelled"])
        .values_list("starts", "ends")
    )
    assert from_feed == app
    assert (utc(2025, 10, 15, 17), utc(2025, 10, 15, 19)) in from_feed  # R11: the moved visit
    assert len({e["UID"] for e in events}) == len(events)


def test_regenerating_the_feed_revokes_the_old_url(client, ctx):
    old = feed_url(ctx["organizer"])
    client.force_login(ctx["organizer"])
    client.post(reverse("operations:feed_regenerate"))
    client.logout()
    assert client.get(old).status_code == 404
    assert client.get(feed_url(ctx["organizer"])).status_code == 200


def test_the_feed_page_makes_no_link_on_get_and_its_button_makes_one(client, ctx):
    client.force_login(ctx["organizer"])
    page = client.get(reverse("operations:feed_settings")).content.decode()
    assert "Create my feed link" in page and not CalendarFeed.objects.exists()  # a GET never writes
    client.post(reverse("operations:feed_regenerate"))
    feed = CalendarFeed.objects.get(organizer=ctx["organizer"])
    page = client.get(reverse("operations:feed_settings")).content.decode()
    assert reverse("operations:ics_feed", kwargs={"token": feed.token}) in page


def test_unknown_feed_token_is_404(client):
    assert client.get(reverse("operations:ics_feed", kwargs={"token": "nope"})).status_code == 404


def test_feed_uids_are_stable_between_requests(client, ctx):
    services.appointment_book(
        client=ctx["client"], site=ctx["site"], appointment_type=ctx["type"], organizers=[ctx["organizer"]],
        starts=utc(2027, 3, 2, 14), ends=utc(2027, 3, 2, 16),
    )  # fmt: skip
    now = utc(2027, 2, 20)
    with time_machine.travel(now, tick=False):
        first = icalendar.Calendar.from_ical(client.get(feed_url(ctx["organizer"])).content)
    with time_machine.travel(now + timedelta(hours=1), tick=False):
        second = icalendar.Calendar.from_ical(client.get(feed_url(ctx["organizer"])).content)
    uids = [str(e["UID"]) for e in first.walk("VEVENT")]
    assert uids == [str(e["UID"]) for e in second.walk("VEVENT")] and len(uids) == 1


def test_a_free_slot_link_prefills_the_booking_in_the_sites_zone(client, office, ctx):
    la_site = SiteFactory(client=ctx["client"], time_zone="America/Los_Angeles")
    ctx["site"].delete()
    client.force_login(office)
    url = reverse("operations:appointment_create") + (
        f"?start=2027-03-02T12%3A00%3A00-05%3A00&organizer={ctx['organizer'].pk}&client={ctx['client'].pk}"
    )
    form = client.get(url).context["form"]
    assert form.initial["site"] == la_site.pk
    assert (str(form.initial["day"]), str(form.initial["start_time"])) == ("2027-03-02", "09:00:00")


def test_visit_page_shows_the_visit_in_its_site_zone(client, office, ctx):
    visit = services.appointment_book(
        client=ctx["client"], site=ctx["site"], appointment_type=ctx["type"], organizers=[ctx["organizer"]],
        starts=utc(2027, 3, 2, 14), ends=utc(2027, 3, 2, 16),
    )  # fmt: skip
    client.force_login(office)
    body = client.get(visit.get_absolute_url()).content.decode()
    assert "09:00–11:00" in body and "America/New_York" in body


def test_T49_a_refusal_tied_to_a_field_is_a_400_not_a_server_error(client, office, ctx, monkeypatch):
    """docs/specs/defects.md T49: a service error raised for a field has no `code`; the calendar drag read it."""
    from django.core.exceptions import ValidationError

    visit = services.appointment_book(
        client=ctx["client"], site=ctx["site"], appointment_type=ctx["type"], organizers=[ctx["organizer"]],
        starts=utc(2027, 3, 2, 14), ends=utc(2027, 3, 2, 16),
    )  # fmt: skip

    def refuse(**kwargs):
        raise ValidationError({"starts": ValidationError("Not then.", code="nope")})

    monkeypatch.setattr(services, "appointment_reschedule", refuse)
    client.force_login(office)
    url = reverse("operations:calendar_move", kwargs={"pk": visit.pk})
    response = client.post(url, {"start": "2027-03-02T15:00:00Z", "end": "2027-03-02T16:00:00Z"})
    assert response.status_code == 400 and response.json() == {"error": "Not then.", "code": None}
