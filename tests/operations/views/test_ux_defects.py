"""Defects of docs/specs/defects.md on the organizers' time pages: T17 (double-booking message), T19 (site time
on calendar events) and T14's feed part (If-None-Match answers 304)."""

from unittest import mock

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from clients.models import Client
from operations.models import Appointment, CalendarFeed, TimeOff
from operations.services import visits as services
from tests.clients.factories import ClientFactory, SiteFactory
from tests.operations.factories import AppointmentTypeFactory, organizer_ny, utc

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mid_february_2027():
    with time_machine.travel(utc(2027, 2, 15, 12), tick=True):
        yield


@pytest.fixture
def ctx():
    """Maya Chen (New York, 09:00-17:00) has the Nguyen household 10:00-12:00 on Tue 2 March 2027; the Hudson
    family's Seattle site is to be booked."""
    maya = organizer_ny(email="maya@example.com", first_name="Maya", last_name="Chen")
    nguyen = ClientFactory(name="Nguyen household")
    nguyen_site = SiteFactory(client=nguyen, time_zone="America/New_York")
    hudson = ClientFactory(name="Hudson family")
    kind = AppointmentTypeFactory(default_duration_min=60)
    busy = services.appointment_book(
        client=nguyen, site=nguyen_site, appointment_type=kind, organizers=[maya],
        starts=utc(2027, 3, 2, 15), ends=utc(2027, 3, 2, 17),
    )  # fmt: skip
    return {
        "maya": maya, "kind": kind, "busy": busy, "nguyen_site": nguyen_site, "hudson": hudson,
        "hudson_site": SiteFactory(client=hudson, time_zone="America/New_York"),
    }  # fmt: skip


def booking_data(ctx, **extra):
    return {
        "client": ctx["hudson"].pk, "site": ctx["hudson_site"].pk, "appointment_type": ctx["kind"].pk,
        "organizers": [ctx["maya"].pk], "day": "2027-03-02", "start_time": "11:00", "duration_min": "60",
        "travel_min": "0", "repeat": "none", "interval": "1", "ends": "never", "end_on": "", "count": "", "notes": "",
    } | extra  # fmt: skip


CLASH = "Maya Chen has Nguyen household 10:00–12:00"
FREE = "Free that day for Maya Chen: 12:00, 12:30, 13:00, 13:30."


def test_T17_booking_form_names_the_clash_and_offers_the_next_free_slots(client, office, ctx):
    client.force_login(office)
    response = client.post(reverse("operations:appointment_create"), booking_data(ctx))
    page = response.content.decode()
    assert response.status_code == 409
    assert CLASH in page and FREE in page
    assert "just taken" not in page
    assert Appointment.objects.count() == 1


def test_T17_free_slots_skip_later_visits_and_travel_and_fall_back_to_earlier_ones(client, office, ctx):
    services.appointment_book(
        client=ctx["hudson"], site=ctx["hudson_site"], appointment_type=ctx["kind"], organizers=[ctx["maya"]],
        starts=utc(2027, 3, 2, 17, 30), ends=utc(2027, 3, 2, 21), travel_min=30,
    )  # fmt: skip
    client.force_login(office)
    # 11:00 clashes with Nguyen; 12:30-16:00 (+ travel to 16:30) is Hudson's; 16:30-17:00 is too short for 60 min,
    # so only the morning is left: 09:00 (09:30 would end at 10:30, inside Nguyen's visit).
    response = client.post(reverse("operations:appointment_create"), booking_data(ctx))
    page = response.content.decode()
    assert "Free that day for Maya Chen: 09:00." in page


def test_T17_time_off_and_a_full_day_are_named(ctx):
    off = TimeOff.objects.create(organizer=ctx["maya"], starts=utc(2027, 3, 2, 17), ends=utc(2027, 3, 2, 22))
    services.time_off_approve(time_off=off)
    with pytest.raises(ValidationError) as exc:
        services.appointment_book(
            client=ctx["hudson"], site=ctx["hudson_site"], appointment_type=ctx["kind"], organizers=[ctx["maya"]],
            starts=utc(2027, 3, 2, 18), ends=utc(2027, 3, 2, 21, 30),
        )  # fmt: skip
    message = exc.value.messages[0]
    assert exc.value.code == "double_booked"
    assert "Maya Chen is off 12:00–17:00" in message
    assert "Maya Chen has no free 210-minute slot left that day." in message


def test_T17_calendar_drag_refusal_names_the_clash_in_the_sites_zone(client, office, ctx):
    # The Seattle site: the drag is refused in the site's time (07:00-09:00 there), not the server's or UTC.
    seattle = SiteFactory(client=ctx["hudson"], time_zone="America/Los_Angeles")
    later = services.appointment_book(
        client=ctx["hudson"], site=seattle, appointment_type=ctx["kind"], organizers=[ctx["maya"]],
        starts=utc(2027, 3, 2, 19), ends=utc(2027, 3, 2, 20),
    )  # fmt: skip
    client.force_login(office)
    url = reverse("operations:calendar_move", kwargs={"pk": later.pk})
    response = client.post(url, {"start": "2027-03-02T16:00:00Z", "end": "2027-03-02T17:00:00Z"})
    body = response.json()
    assert response.status_code == 409 and body["code"] == "double_booked"
    assert "Maya Chen has Nguyen household 07:00–09:00" in body["error"]
    # The visit being moved does not count against itself: 11:00 Seattle (its own slot) is offered.
    assert "Free that day for Maya Chen: 09:00, 09:30, 10:00, 10:30." in body["error"]
    assert "just taken" not in body["error"]


def test_T17_reschedule_form_names_the_clash(client, office, ctx):
    later = services.appointment_book(
        client=ctx["hudson"], site=ctx["hudson_site"], appointment_type=ctx["kind"], organizers=[ctx["maya"]],
        starts=utc(2027, 3, 2, 19), ends=utc(2027, 3, 2, 20),
    )  # fmt: skip
    client.force_login(office)
    data = {"scope": "this", "day": "2027-03-02", "start_time": "11:00", "duration_min": "60"}
    response = client.post(reverse("operations:appointment_edit", kwargs={"pk": later.pk}), data)
    page = response.content.decode()
    assert response.status_code == 409
    assert CLASH in page and FREE in page


def test_T17_a_genuine_race_still_says_just_taken_and_names_the_winner(ctx):
    """The check saw nothing (the other booking had not committed yet); the exclusion constraint refused."""
    real = services.busy_conflicts
    seen = []

    def first_call_sees_nothing(**kwargs):
        seen.append(kwargs)
        return [] if len(seen) == 1 else real(**kwargs)

    with (
        mock.patch.object(services, "busy_conflicts", side_effect=first_call_sees_nothing),
        pytest.raises(ValidationError) as exc,
    ):
        services.appointment_book(
            client=ctx["hudson"], site=ctx["hudson_site"], appointment_type=ctx["kind"],
            organizers=[ctx["maya"]], starts=utc(2027, 3, 2, 16), ends=utc(2027, 3, 2, 17),
        )  # fmt: skip
    message = exc.value.messages[0]
    assert exc.value.code == "double_booked"
    assert message.startswith("That slot was just taken: " + CLASH)
    assert FREE in message


# --- T14 (the feed's part): If-None-Match ------------------------------------------------------------------


def test_T14_ics_feed_answers_a_matching_if_none_match_with_304_and_no_body(client, ctx):
    feed = CalendarFeed.objects.create(organizer=ctx["maya"])
    url = reverse("operations:ics_feed", kwargs={"token": feed.token})
    first = client.get(url)
    etag = first["ETag"]
    assert first.status_code == 200 and etag.startswith('"') and b"Nguyen household" in first.content

    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    assert client.get(url, headers={"If-None-Match": f'"other", W/{etag}'}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"stale"'}).status_code == 200


def test_T14_ics_feed_etag_changes_with_what_the_feed_says(client, ctx):
    feed = CalendarFeed.objects.create(organizer=ctx["maya"])
    url = reverse("operations:ics_feed", kwargs={"token": feed.token})
    etag = client.get(url)["ETag"]
    services.appointment_reschedule(appointment=ctx["busy"], starts=utc(2027, 3, 2, 14), ends=utc(2027, 3, 2, 16))
    moved = client.get(url, headers={"If-None-Match": etag})
    assert moved.status_code == 200 and moved["ETag"] != etag and b"Nguyen household" in moved.content
    Client.objects.filter(pk=ctx["busy"].client_id).update(name="Nguyen family")
    renamed = client.get(url, headers={"If-None-Match": moved["ETag"]})
    assert renamed.status_code == 200 and b"Nguyen family" in renamed.content
    assert renamed["ETag"] != moved["ETag"]  # a version-only ETag missed this: apps kept the old name


# --- T19: the site's time on calendar events ----------------------------------------------------------------


def test_T19_calendar_events_carry_the_sites_zone_and_local_time(client, office, ctx):
    seattle = SiteFactory(client=ctx["hudson"], time_zone="America/Los_Angeles")
    services.appointment_book(
        client=ctx["hudson"], site=seattle, appointment_type=ctx["kind"], organizers=[ctx["maya"]],
        starts=utc(2027, 3, 2, 17), ends=utc(2027, 3, 2, 18), allow_outside_hours=True,
    )  # fmt: skip
    client.force_login(office)
    url = reverse("operations:calendar_events")
    events = client.get(url, {"start": "2027-03-01T00:00:00Z", "end": "2027-03-08T00:00:00Z"}).json()
    props = {e["title"].split(" ·")[0]: e["extendedProps"] for e in events}
    assert props["Hudson family"]["siteTimeZone"] == "America/Los_Angeles"
    assert props["Hudson family"]["siteStart"] == "2027-03-02T09:00:00-08:00"
    assert props["Hudson family"]["siteZoneAbbr"] == "PST" and props["Hudson family"]["siteTime"] == "09:00–10:00"
    assert props["Nguyen household"]["siteStart"] == "2027-03-02T10:00:00-05:00"
