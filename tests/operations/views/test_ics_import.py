"""The ICS import page: upload or paste, preview (writes nothing), confirm (issue 15 part 4)."""

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from operations.models import Appointment, ImportedEvent, RecurringSeries
from tests.clients.factories import ClientFactory, SiteFactory
from tests.operations.factories import AppointmentTypeFactory, organizer_ny, utc

pytestmark = pytest.mark.django_db

ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:weekly@x\r\nSUMMARY:Kitchen reset\r\n"
    "DTSTART;TZID=America/New_York:20270302T090000\r\nDTEND;TZID=America/New_York:20270302T110000\r\n"
    "RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=3\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:once@x\r\nSUMMARY:Garage\r\n"
    "DTSTART:20270305T150000Z\r\nDTEND:20270305T160000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


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
        "organizer": organizer_ny(email="importer@example.com"),
    }


def form_data(ctx, **extra):
    return {
        "client": ctx["client"].pk, "site": ctx["site"].pk, "appointment_type": ctx["type"].pk,
        "organizers": [ctx["organizer"].pk], "allow_outside_hours": "on",
    } | extra  # fmt: skip


def test_upload_preview_then_confirm(client, office, ctx):
    client.force_login(office)
    url = reverse("operations:ics_import")
    upload = SimpleUploadedFile("client.ics", ICS.encode(), content_type="text/calendar")
    response = client.post(url, form_data(ctx, action="preview", file=upload))
    html = response.content.decode()
    assert response.status_code == 200 and "Weekly on Tuesday, 3 times" in html and "Garage" in html
    assert not Appointment.objects.exists()
    response = client.post(url, form_data(ctx, action="confirm", text=ICS))
    assert response.status_code == 302
    assert RecurringSeries.objects.count() == 1 and Appointment.objects.count() == 4
    assert ImportedEvent.objects.filter(uid__in=["weekly@x", "once@x"], recurrence_id="").count() == 2
    client.post(url, form_data(ctx, action="confirm", text=ICS))
    assert Appointment.objects.count() == 4


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"text": ""}, "Upload a calendar file or paste"),
        ({"text": "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"}, "no events"),
        ({"file": "big"}, "too large"),
    ],
)
def test_bad_input_is_shown_at_the_file_field(client, office, ctx, extra, message):
    if extra.get("file") == "big":
        extra = {"file": SimpleUploadedFile("big.ics", b"X" * (10 * 1024 * 1024), content_type="text/calendar")}
    client.force_login(office)
    response = client.post(reverse("operations:ics_import"), form_data(ctx, action="preview", **extra))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])
    assert not Appointment.objects.exists()
