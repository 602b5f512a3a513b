"""My day offers exactly the actions on the day the service accepts now, and says when the others open
(docs/specs/defects.md T24)."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from operations import visit_rules
from operations.models import Appointment
from operations.selectors.my_day import my_day
from operations.services import visits as services
from tests.clients.factories import ClientFactory, SiteFactory
from tests.operations.factories import AppointmentTypeFactory, organizer_ny, utc

pytestmark = pytest.mark.django_db
START = utc(2027, 3, 2, 14)  # Tue 09:00 in New York
MY_DAY = reverse("operations:my_day") + "?date=2027-03-02"


@pytest.fixture
def visit(settings):
    settings.VISIT_START_EARLY_MINUTES = 60
    client = ClientFactory(name="Hudson family")
    return services.appointment_book(
        client=client, site=SiteFactory(client=client, time_zone="America/New_York"),
        appointment_type=AppointmentTypeFactory(), organizers=[organizer_ny(email="offers@example.com")],
        starts=START, ends=START + timedelta(hours=2),
    )  # fmt: skip


class _Undo(Exception):
    pass


def accepted(visit: Appointment, action: str, now) -> bool:
    """Whether the service takes `action` at `now` (its writes are rolled back)."""
    try:
        with transaction.atomic():
            if action == "client_cancel":
                services.appointment_cancel(appointment=visit, by_client=True, now=now)
            else:
                services.appointment_progress(appointment=visit, action=action, now=now)
            raise _Undo
    except _Undo:
        return True
    except ValidationError:
        return False


SETUPS = {
    "scheduled": [],
    "started early": [("start", START - timedelta(minutes=20))],
    "completed": [("complete", START + timedelta(minutes=30))],
    "no-show": [("no_show", START + timedelta(minutes=15))],
}
OFFSETS = [-timedelta(days=2), -timedelta(minutes=61), -timedelta(minutes=60), -timedelta(minutes=21),
           -timedelta(minutes=1), timedelta(0), timedelta(hours=3)]  # fmt: skip


@pytest.mark.parametrize("setup", SETUPS)
def test_T24_my_day_offers_exactly_what_the_service_accepts(visit, setup):
    for action, at in SETUPS[setup]:
        services.appointment_progress(appointment=visit, action=action, now=at)
    for offset in OFFSETS:
        now = START + offset
        if SETUPS[setup] and now < SETUPS[setup][-1][1]:
            continue  # the page is only ever seen after what already happened
        _day, [row] = my_day(user=visit.organizers.get(), day=START.date(), now=now)
        takes = {a for a in visit_rules.ACTIONS if accepted(row.visit, a, now)}
        assert row.offer.actions == takes, (setup, offset)


def page_at(client, visit, at) -> str:
    with time_machine.travel(at, tick=False):
        client.force_login(visit.organizers.get())
        return client.get(MY_DAY).content.decode()


def buttons(page: str) -> set[str]:
    return {a for a in visit_rules.ACTIONS if f'name="action" value="{a}"' in page}


def test_T24_my_day_for_tomorrow_shows_no_refused_button_and_says_when_they_open(client, visit):
    page = page_at(client, visit, START - timedelta(days=1))
    assert buttons(page) == {"client_cancel"}
    assert "Start opens at 08:00. Complete and No-show open at 09:00." in page
    assert 'name="notes"' not in page  # a client cancelling records no notes: none are asked for


def test_T24_start_appears_when_it_opens_and_complete_at_the_start(client, visit):
    page = page_at(client, visit, START - timedelta(minutes=30))
    assert buttons(page) == {"start", "client_cancel"}
    assert "Complete and No-show open at 09:00." in page and "Start opens" not in page
    page = page_at(client, visit, START)
    assert buttons(page) == {"start", "complete", "client_cancel", "no_show"} and "data-opens" not in page
    assert 'name="notes"' in page


def test_T24_an_opening_on_another_day_says_which(client, visit, settings):
    settings.VISIT_START_EARLY_MINUTES = 10 * 60  # 23:00 the evening before
    page = page_at(client, visit, START - timedelta(days=1))
    assert "Start opens at 23:00 on Mon Mar 1." in page


def test_T24_a_finished_visit_offers_needs_redo_only(client, visit):
    services.appointment_progress(appointment=visit, action="complete", now=START + timedelta(hours=2))
    page = page_at(client, visit, START + timedelta(hours=3))
    assert buttons(page) == {"needs_redo"} and "data-opens" not in page


def detail_at(client, visit, at, user=None) -> str:
    with time_machine.travel(at, tick=False):
        client.force_login(user or visit.organizers.get())
        return client.get(reverse("operations:appointment_detail", args=[visit.pk])).content.decode()


def test_T27_the_visit_page_offers_the_day_actions_my_day_offers(client, visit):
    page = detail_at(client, visit, START - timedelta(days=1))
    card = page[page.index('id="on-the-day"') :]
    assert buttons(card) == {"client_cancel"} and "Start opens at 08:00." in card
    assert "openstreetmap.org/search?query=" in card
    page = detail_at(client, visit, START)
    assert buttons(page[page.index('id="on-the-day"') :]) == {"start", "complete", "client_cancel", "no_show"}
    with time_machine.travel(START, tick=False):
        posted = client.post(
            reverse("operations:appointment_day_action", args=[visit.pk]),
            {"action": "start", "next": reverse("operations:appointment_detail", args=[visit.pk])},
        )
    assert posted.status_code == 302
    visit.refresh_from_db()
    assert visit.status == "in_progress"


def test_T27_staff_record_a_client_cancellation_from_the_header_not_twice(client, visit):
    from tests.accounts.factories import UserFactory

    page = detail_at(client, visit, START, user=UserFactory(role="office"))
    assert buttons(page[page.index('id="on-the-day"') :]) == {"start", "complete", "no_show"}


def test_T51_a_checklist_tick_works_without_javascript(visit):
    """docs/specs/defects.md T51: the checklist forms had no CSRF token (htmx supplied one), so without JavaScript
    a tick was refused with 403."""
    import re

    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    with time_machine.travel(START, tick=False):
        browser.force_login(visit.organizers.get())
        page = browser.get(MY_DAY).content.decode()
        checklist = page[page.index(f'id="checklist-{visit.pk}"') :]
        first_form = checklist[: checklist.index("</form>")]  # what a browser without JavaScript submits
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', first_form))
        url = reverse("operations:appointment_checklist", args=[visit.pk])
        ticked = browser.post(url, fields)
    assert "csrfmiddlewaretoken" in fields and ticked.status_code == 302
    visit.refresh_from_db()
    assert visit.checklist[0]["done"] is True
