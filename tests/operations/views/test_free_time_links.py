"""After a clash, each free time offered is a link that reopens the form with that time and everything else as
typed (docs/specs/defects.md T25); following it writes nothing."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.urls import reverse

from accounts.http import REFILL_URL_MAX
from operations.models import Appointment
from operations.services import visits as services
from tests.clients.factories import ClientFactory, SiteFactory
from tests.operations.factories import AppointmentTypeFactory, organizer_ny, utc

pytestmark = pytest.mark.django_db
LINK = re.compile(r'<div class="d-flex flex-wrap align-items-center gap-2 mt-2" data-free-times>(.*?)</div>', re.S)


@pytest.fixture(autouse=True)
def _mid_february_2027():
    with time_machine.travel(utc(2027, 2, 15, 12), tick=True):
        yield


@pytest.fixture
def ctx():
    """Maya Chen (New York, 09:00-17:00) has the Nguyen household 10:00-12:00 on Tue 2 March 2027."""
    maya = organizer_ny(email="maya@example.com", first_name="Maya", last_name="Chen")
    nguyen = ClientFactory(name="Nguyen household")
    kind = AppointmentTypeFactory(default_duration_min=60)
    services.appointment_book(
        client=nguyen, site=SiteFactory(client=nguyen, time_zone="America/New_York"), appointment_type=kind,
        organizers=[maya], starts=utc(2027, 3, 2, 15), ends=utc(2027, 3, 2, 17),
    )  # fmt: skip
    hudson = ClientFactory(name="Hudson family")
    site = SiteFactory(client=hudson, time_zone="America/New_York")
    return {"maya": maya, "kind": kind, "hudson": hudson, "site": site}


def booking_data(ctx, **extra):
    return {
        "client": ctx["hudson"].pk, "site": ctx["site"].pk, "appointment_type": ctx["kind"].pk,
        "organizers": [ctx["maya"].pk], "day": "2027-03-02", "start_time": "11:00", "duration_min": "90",
        "travel_min": "15", "repeat": "none", "interval": "1", "ends": "never", "end_on": "", "count": "",
        "notes": "Bring the label maker & bins", "allow_outside_hours": "on",
    } | extra  # fmt: skip


def free_links(page: str) -> list[tuple[str, str]]:
    """(label, href) of each free-time link in the clash message."""
    [block] = LINK.findall(page)
    return [(label, unescape(href)) for href, label in re.findall(r'<a [^>]*href="([^"]+)">([^<]+)</a>', block)]


def test_T25_each_free_time_refills_the_booking_form_with_everything_else_kept(client, office, ctx):
    client.force_login(office)
    url = reverse("operations:appointment_create")
    response = client.post(url, booking_data(ctx))
    assert response.status_code == 409
    links = free_links(response.content.decode())
    # 90 minutes + 15 of travel from 12:00 fit before 17:00 at 12:00, 12:30, 13:00 and 13:30 (the finder's).
    assert [label for label, _ in links] == ["12:00–13:30", "12:30–14:00", "13:00–14:30", "13:30–15:00"]
    href = links[0][1]
    assert urlsplit(href).path == url
    query = parse_qs(urlsplit(href).query)
    assert "csrfmiddlewaretoken" not in query
    assert query["day"] == ["2027-03-02"] and query["start_time"] == ["12:00"]
    assert query["notes"] == ["Bring the label maker & bins"] and query["duration_min"] == ["90"]

    page = client.get(href)
    body = page.content.decode()
    assert page.status_code == 200 and Appointment.objects.count() == 1  # GET never writes
    assert 'name="start_time" value="12:00"' in body and 'name="day" value="2027-03-02"' in body
    assert 'name="duration_min" value="90"' in body and 'name="travel_min" value="15"' in body
    assert f'<option value="{ctx["hudson"].pk}" selected>' in body
    assert f'<option value="{ctx["site"].pk}" selected>' in body
    assert re.search(rf'name="organizers" value="{ctx["maya"].pk}"[^>]*checked', body)
    assert re.search(r'name="allow_outside_hours"[^>]*checked', body)
    assert "Bring the label maker &amp; bins</textarea>" in body
    assert client.post(url, parse_qs(urlsplit(href).query)).status_code == 302  # books as offered
    assert Appointment.objects.filter(client=ctx["hudson"]).get().starts == utc(2027, 3, 2, 17)


def test_T25_a_link_too_long_for_the_server_leaves_the_notes_out_and_says_so(client, office, ctx):
    client.force_login(office)
    response = client.post(reverse("operations:appointment_create"), booking_data(ctx, notes="x" * 4000))
    body = response.content.decode()
    href = free_links(body)[0][1]
    assert len(href) <= REFILL_URL_MAX and "notes" not in parse_qs(urlsplit(href).query)
    assert "Your notes are too long to carry over" in body


def test_T25_the_reschedule_form_offers_the_free_times_as_links(client, office, ctx):
    later = services.appointment_book(
        client=ctx["hudson"], site=ctx["site"], appointment_type=ctx["kind"], organizers=[ctx["maya"]],
        starts=utc(2027, 3, 2, 19), ends=utc(2027, 3, 2, 20),
    )  # fmt: skip
    client.force_login(office)
    url = reverse("operations:appointment_edit", kwargs={"pk": later.pk})
    data = {"scope": "this", "day": "2027-03-02", "start_time": "11:00", "duration_min": "60"}
    links = free_links(client.post(url, data).content.decode())
    assert [label for label, _ in links][:2] == ["12:00–13:00", "12:30–13:30"]
    body = client.get(links[1][1]).content.decode()
    assert 'name="start_time" value="12:30"' in body and 'name="duration_min" value="60"' in body
    later.refresh_from_db()
    assert later.starts == utc(2027, 3, 2, 19)  # following the link changed nothing


def test_T25_no_links_without_a_clash(client, office, ctx):
    client.force_login(office)
    response = client.post(reverse("operations:appointment_create"), booking_data(ctx, start_time="09:00", day=""))
    assert "data-free-times" not in response.content.decode()
