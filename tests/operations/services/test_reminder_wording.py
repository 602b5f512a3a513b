"""T10 (docs/specs/defects.md): a reminder whose time passed before the visit was booked is not sent, and every
reminder's wording comes from the real gap between sending and the visit, in the site's zone."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from operations import reminders
from operations.models import Reminder
from operations.services import visits as services
from tests.clients.factories import ClientFactory, ContactFactory, SiteFactory
from tests.operations.factories import AppointmentTypeFactory, organizer_ny

pytestmark = pytest.mark.django_db
NY = ZoneInfo("America/New_York")


def ny(day, hour, minute=0):
    return datetime(2027, 3, day, hour, minute, tzinfo=NY)


@pytest.fixture
def world(settings):
    settings.REMINDER_ORGANIZER_HOUR = 18
    client = ClientFactory(name="Hudson family")
    ContactFactory(client=client, is_primary=True, email="hudson@example.net", preferred_channel="email")
    return {
        "client": client, "site": SiteFactory(client=client, time_zone="America/New_York"),
        "type": AppointmentTypeFactory(), "organizer": organizer_ny(email="maya@example.com"),
    }  # fmt: skip


def book(world, starts, now):
    return services.appointment_book(
        client=world["client"], site=world["site"], appointment_type=world["type"], organizers=[world["organizer"]],
        starts=starts, ends=starts + timedelta(minutes=60), allow_outside_hours=True, now=now,
    )  # fmt: skip


def send_due(now):
    publish = lambda pk, claim: reminders.reminder_send(reminder_id=pk, claim=claim, now=now)  # noqa: E731
    return reminders.reminders_dispatch(now=now, publish=publish)


def subjects(mailoutbox, to):
    return [m.subject for m in mailoutbox if m.to == [to]]


def test_T10_reminders_whose_time_passed_at_booking_are_not_sent(world, settings, mailoutbox):
    settings.REMINDER_CLIENT_OFFSETS_HOURS = [48]
    visit = book(world, ny(2, 22, 50), now=ny(2, 9))  # tonight: yesterday's 18:00 and the 48 h mark are gone
    rows = {r.kind: r for r in Reminder.objects.filter(appointment=visit)}
    assert {r.status for r in rows.values()} == {"expired"}
    assert "already passed" in rows["48h"].last_error
    assert send_due(ny(2, 9, 1)) == 0
    assert mailoutbox == []


def test_T10_a_same_day_reminder_says_today_with_the_time(world, settings, mailoutbox):
    settings.REMINDER_CLIENT_OFFSETS_HOURS = [6]
    book(world, ny(2, 22, 50), now=ny(2, 9))
    assert send_due(ny(2, 16, 51)) == 1
    [subject] = subjects(mailoutbox, "hudson@example.net")
    assert "today at 10:50 PM" in subject and "omorrow" not in subject
    assert "today at 10:50 PM" in mailoutbox[0].body


def test_T10_the_evening_reminder_says_tomorrow_and_a_delayed_one_says_today(world, settings, mailoutbox):
    settings.REMINDER_CLIENT_OFFSETS_HOURS = []
    book(world, ny(3, 10), now=ny(1, 9))
    book(world, ny(4, 10), now=ny(1, 9))
    assert send_due(ny(2, 18, 1)) == 1  # the evening before Mar 3
    assert subjects(mailoutbox, "maya@example.com") == ["Tomorrow at 10:00 AM: Organizing session at Hudson family"]
    assert send_due(ny(4, 0, 30)) == 1  # Mar 4's reminder, held up past midnight by an outage
    assert subjects(mailoutbox, "maya@example.com")[1] == "Today at 10:00 AM: Organizing session at Hudson family"


def test_T10_a_reminder_days_ahead_names_the_day():
    assert reminders.when_text(ny(4, 9), ny(2, 9)) == "on Thursday, March 4 at 9:00 AM"
    assert reminders.when_text(ny(2, 22, 50), ny(2, 3).astimezone(ZoneInfo("UTC"))) == "today at 10:50 PM"
