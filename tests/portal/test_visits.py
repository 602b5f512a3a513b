"""Reschedule and cancel from the portal, and the office's answer (docs/specs/portal.md §4; SW11-SW13)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import Client as HttpClient
from django.utils import timezone

from operations import recurrence
from operations.models import Appointment, RecurringSeries, Reminder, VisitChangeRequest
from operations.services import portal as portal_services
from operations.services import series as series_services
from tests.operations.factories import AppointmentTypeFactory
from tests.support import portal
from tests.support.races import run_together

WINDOWS = {"preferred_1": "2031-03-04T10:00", "preferred_2": "2031-03-05T14:30", "note": "Mornings are best"}


@pytest.fixture
def frozen():
    """Time stands still, so "24 h ahead" means exactly that."""
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False):
        yield start


def _visit(client_a, organizer_a, hours, now):
    return portal.book_visit(client=client_a, organizer=organizer_a, starts=now + timedelta(hours=hours))


def test_W11_reschedule_request_outside_the_window(
    signed_in_p, frozen, client_a, organizer_a, office, django_capture_on_commit_callbacks
):
    visit = _visit(client_a, organizer_a, 72, frozen)
    url = f"/portal/visits/{visit.pk}/reschedule/"
    assert signed_in_p.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        first = signed_in_p.post(url, WINDOWS)
    assert first.status_code == 302 and first["Location"] == f"/portal/visits/{visit.pk}/"
    request = VisitChangeRequest.objects.get()
    assert (request.kind, request.status) == ("reschedule", "pending")
    assert request.preferred_windows == ["2031-03-04 10:00", "2031-03-05 14:30"]
    fresh = Appointment.objects.get(pk=visit.pk)
    assert (fresh.starts, fresh.ends) == (visit.starts, visit.ends)
    office_mail = [m for m in mail.outbox if m.to == [office.email]]
    assert len(office_mail) == 1 and "Reschedule request" in office_mail[0].subject
    with django_capture_on_commit_callbacks(execute=True):
        again = signed_in_p.post(url, WINDOWS)
    assert again.status_code == 302 and again["Location"] == f"/portal/visits/{visit.pk}/"
    assert VisitChangeRequest.objects.count() == 1
    assert len([m for m in mail.outbox if m.to == [office.email]]) == 1


def test_W11_exactly_the_window_ahead_is_free(signed_in_p, frozen, client_a, organizer_a):
    visit = _visit(client_a, organizer_a, 24, frozen)
    assert signed_in_p.post(f"/portal/visits/{visit.pk}/reschedule/", WINDOWS).status_code == 302
    assert VisitChangeRequest.objects.filter(appointment=visit, status="pending").count() == 1


def test_W11_bad_input_writes_nothing(signed_in_p, frozen, client_a, organizer_a):
    visit = _visit(client_a, organizer_a, 72, frozen)
    response = signed_in_p.post(f"/portal/visits/{visit.pk}/reschedule/", {"preferred_1": "next tuesday"})
    assert response.status_code == 200 and "Enter a valid date/time" in response.content.decode()
    assert not VisitChangeRequest.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_W11_double_submitted_request_makes_one(client_a, organizer_a, office):
    user = portal.portal_user_build(client=client_a, actor=office)
    visit = portal.book_visit(client=client_a, organizer=organizer_a, starts=portal.in_hours(72))

    def ask():
        portal_services.visit_reschedule_request(user=user, appointment_id=visit.pk, preferred_windows=["x"])

    assert run_together(ask, ask) == ["ok", "ok"]
    assert VisitChangeRequest.objects.filter(appointment=visit).count() == 1


def test_W11_office_accepts_through_the_booking_service(signed_in_p, frozen, client_a, organizer_a, office):
    visit = _visit(client_a, organizer_a, 72, frozen)
    signed_in_p.post(f"/portal/visits/{visit.pk}/reschedule/", WINDOWS)
    request = VisitChangeRequest.objects.get()
    client = HttpClient()
    client.force_login(office)
    listing = client.get("/portal-office/requests/")
    assert listing.status_code == 200 and client_a.name in listing.content.decode()
    new_local = (visit.starts + timedelta(days=2)).astimezone(ZoneInfo("America/New_York"))
    bad = client.post(f"/portal-office/requests/{request.pk}/", {"action": "accept", "day": "someday"})
    assert bad.status_code == 200 and VisitChangeRequest.objects.get().status == "pending"
    accepted = client.post(
        f"/portal-office/requests/{request.pk}/",
        {
            "action": "accept",
            "day": f"{new_local:%Y-%m-%d}",
            "start_time": f"{new_local:%H:%M}",
            "duration_min": 90,
            "allow_outside_hours": "on",
        },
    )
    assert accepted.status_code == 302
    moved = Appointment.objects.get(pk=visit.pk)
    assert moved.starts == (visit.starts + timedelta(days=2)).replace(
        second=0
    ) and moved.ends == moved.starts + timedelta(minutes=90)
    request.refresh_from_db()
    assert request.status == "accepted" and request.decided_by == office
    page = signed_in_p.get(f"/portal/visits/{visit.pk}/").content.decode()
    assert "Accepted" in page


def test_W11_office_declines_with_a_message(signed_in_p, frozen, client_a, organizer_a, office):
    visit = _visit(client_a, organizer_a, 72, frozen)
    signed_in_p.post(f"/portal/visits/{visit.pk}/reschedule/", WINDOWS)
    request = VisitChangeRequest.objects.get()
    client = HttpClient()
    client.force_login(office)
    empty = client.post(f"/portal-office/requests/{request.pk}/", {"action": "decline", "message": ""})
    assert empty.status_code == 200 and VisitChangeRequest.objects.get().status == "pending"
    client.post(f"/portal-office/requests/{request.pk}/", {"action": "decline", "message": "We are fully booked."})
    request.refresh_from_db()
    assert request.status == "declined"
    assert Appointment.objects.get(pk=visit.pk).starts == visit.starts
    assert "We are fully booked." in signed_in_p.get(f"/portal/visits/{visit.pk}/").content.decode()


def test_W12_reschedule_inside_the_window_is_refused(signed_in_p, frozen, client_a, organizer_a, settings):
    visit = _visit(client_a, organizer_a, 24, frozen - timedelta(seconds=1))  # 23 h 59 m 59 s ahead
    response = signed_in_p.post(f"/portal/visits/{visit.pk}/reschedule/", WINDOWS)
    body = response.content.decode()
    assert response.status_code == 409
    assert "until 24 hours before" in body and settings.PORTAL_BUSINESS_PHONE in body
    assert not VisitChangeRequest.objects.exists()
    assert Appointment.objects.get(pk=visit.pk).starts == visit.starts
    page = signed_in_p.get(f"/portal/visits/{visit.pk}/").content.decode()
    assert "/reschedule/" not in page and "/cancel/" in page


def test_W13_cancel_outside_the_window_excludes_the_series_occurrence(
    signed_in_p, frozen, client_a, organizer_a, office, django_capture_on_commit_callbacks
):
    zone = ZoneInfo("America/New_York")
    first_day = (frozen + timedelta(days=3)).astimezone(zone).date()
    series, _ = series_services.series_create(
        client=client_a, site=client_a.sites.get(), appointment_type=AppointmentTypeFactory(), organizers=[organizer_a],
        local_start=datetime(first_day.year, first_day.month, first_day.day, 10), duration_min=120, travel_min=0,
        rule=recurrence.parse_rrule("FREQ=WEEKLY"), actor=None, now=frozen, allow_outside_hours=True,
    )  # fmt: skip
    visit = Appointment.objects.filter(series=series).order_by("starts").first()
    assert Reminder.objects.filter(appointment=visit, status="pending").exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in_p.post(f"/portal/visits/{visit.pk}/cancel/", {})
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == "cancelled"
    wall = visit.original_start.astimezone(zone).replace(tzinfo=None).isoformat()
    assert wall in RecurringSeries.objects.get(pk=series.pk).exdates
    assert not Reminder.objects.filter(appointment=visit, status="pending").exists()
    assert Reminder.objects.filter(appointment=visit, status="cancelled").exists()
    cancel = VisitChangeRequest.objects.get()
    assert (cancel.kind, cancel.status, cancel.late) == ("cancel", "accepted", False)
    assert any(m.to == [office.email] and "Cancellation" in m.subject for m in mail.outbox)


def test_W13_late_cancel_needs_the_acknowledgement(
    signed_in_p, frozen, client_a, organizer_a, office, django_capture_on_commit_callbacks
):
    visit = _visit(client_a, organizer_a, 3, frozen)
    url = f"/portal/visits/{visit.pk}/cancel/"
    assert "late cancellation" in signed_in_p.get(url).content.decode()
    refused = signed_in_p.post(url, {})
    assert refused.status_code == 200 and "Tick the box" in refused.content.decode()
    assert Appointment.objects.get(pk=visit.pk).status == "scheduled"
    with django_capture_on_commit_callbacks(execute=True):
        done = signed_in_p.post(url, {"acknowledge_late": "on"})
    assert done.status_code == 302
    assert Appointment.objects.get(pk=visit.pk).status == "late_cancelled"
    assert VisitChangeRequest.objects.get().late is True
    assert any(m.to == [office.email] and "Late cancellation" in m.subject for m in mail.outbox)


def test_W13_started_visit_cannot_be_cancelled(signed_in_p, client_a, organizer_a):
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start - timedelta(hours=2), tick=False):
        visit = _visit(client_a, organizer_a, 2, start - timedelta(hours=2) - timedelta(minutes=1))
    response = signed_in_p.post(f"/portal/visits/{visit.pk}/cancel/", {"acknowledge_late": "on"})
    assert response.status_code == 409
    assert Appointment.objects.get(pk=visit.pk).status == "scheduled"
    assert not VisitChangeRequest.objects.exists()


def test_W13_the_service_refuses_a_start_reached_meanwhile(client_a, organizer_a, portal_p):
    from django.core.exceptions import ValidationError

    visit = portal.book_visit(client=client_a, organizer=organizer_a, starts=portal.in_hours(3))
    with pytest.raises(ValidationError) as refused:
        portal_services.visit_cancel_by_client(
            user=portal_p, appointment_id=visit.pk, acknowledge_late=True, now=visit.starts
        )
    assert refused.value.code == "started"


def test_T38_a_preferred_time_in_the_past_is_refused_and_the_input_kept(signed_in_p, frozen, client_a, organizer_a):
    """docs/specs/defects.md T38: "2020-01-01 10:00" was accepted and sent to the office."""
    visit = _visit(client_a, organizer_a, 72, frozen)
    url = f"/portal/visits/{visit.pk}/reschedule/"
    zone = ZoneInfo(visit.site.time_zone)
    an_hour_ago = (frozen - timedelta(hours=1)).astimezone(zone).strftime("%Y-%m-%dT%H:%M")
    posted = {"preferred_1": "2020-01-01T10:00", "preferred_2": an_hour_ago, "note": "Mornings are best"}
    response = signed_in_p.post(url, posted)
    body = response.content.decode()
    assert response.status_code == 200 and body.count("has already passed: choose a time ahead") == 2
    assert 'value="2020-01-01T10:00"' in body and "Mornings are best" in body  # what was typed stays
    assert not VisitChangeRequest.objects.exists()
    in_two_hours = (frozen + timedelta(hours=2)).astimezone(zone).strftime("%Y-%m-%dT%H:%M")
    assert signed_in_p.post(url, {**posted, "preferred_1": in_two_hours, "preferred_2": ""}).status_code == 302
    assert VisitChangeRequest.objects.get().preferred_windows == [in_two_hours.replace("T", " ")]


def test_T38_the_wall_time_is_read_at_the_visits_site(client_a, organizer_a, office):
    """09:30 in Los Angeles is still ahead at 12:00 in New York (09:00 Los Angeles)."""
    user = portal.portal_user_build(client=client_a, actor=office)
    visit = portal.book_visit(client=client_a, organizer=organizer_a, starts=portal.in_hours(72))
    visit.site.time_zone = "America/Los_Angeles"
    visit.site.save(update_fields=["time_zone"])
    now = datetime(2031, 3, 4, 17, 0, tzinfo=ZoneInfo("UTC"))  # 12:00 New York, 09:00 Los Angeles
    starts = now + timedelta(days=3)
    Appointment.objects.filter(pk=visit.pk).update(
        starts=starts, ends=starts + timedelta(hours=2), blocked_until=starts + timedelta(hours=2)
    )
    request, created = portal_services.visit_reschedule_request(
        user=user, appointment_id=visit.pk, preferred_windows=["2031-03-04 09:30"], now=now
    )
    assert created and request.preferred_windows == ["2031-03-04 09:30"]


def test_T48_the_office_sees_a_requests_visit_at_its_sites_time_labelled(client_a, organizer_a, office):
    """The decide page converted the start to the site's zone, then printed it in the viewer's (New York) beside
    the site's zone name; the list printed the viewer's time with no zone."""
    from clients.models import Site

    Site.objects.filter(client=client_a).update(time_zone="America/Los_Angeles")
    visit = _visit(client_a, organizer_a, 72, timezone.now())
    change = VisitChangeRequest.objects.create(appointment=visit, kind="reschedule")
    local = visit.starts.astimezone(ZoneInfo("America/Los_Angeles"))
    client = HttpClient()
    client.force_login(office)
    decide = client.get(f"/portal-office/requests/{change.pk}/").content.decode()
    listing = client.get("/portal-office/requests/").content.decode()
    assert f"{local:%A, %b} {local.day}, {local:%Y %H:%M %Z}" in decide
    assert f"{local:%b} {local.day}, {local:%Y %H:%M %Z}" in listing


def test_T50_the_offices_request_email_gives_the_visit_in_its_sites_zone(
    signed_in_p, frozen, client_a, organizer_a, office, django_capture_on_commit_callbacks
):
    """docs/specs/defects.md T50: the e-mail said "on 2026-12-08 15:00 UTC", the server's zone."""
    visit = _visit(client_a, organizer_a, 72, frozen)
    local = visit.starts.astimezone(ZoneInfo(visit.site.time_zone))
    with django_capture_on_commit_callbacks(execute=True):
        signed_in_p.post(f"/portal/visits/{visit.pk}/reschedule/", WINDOWS)
    (message,) = [m for m in mail.outbox if m.to == [office.email]]
    assert f"on {local:%a %Y-%m-%d %H:%M} {local.tzname()}" in message.body
    assert f"Preferred ({visit.site.time_zone} time): 2031-03-04 10:00, 2031-03-05 14:30" in message.body
    if visit.site.time_zone != "UTC":
        assert " UTC" not in message.body
