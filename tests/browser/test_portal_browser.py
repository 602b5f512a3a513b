"""The client portal in real Chromium: the office invites a contact (1280 px); the client signs in with the code
from the e-mail, looks at visits, asks to move one, cancels another and edits the questionnaire (390 px); the
office accepts the request (1280 px). On the phone she also opens her before/after photos and gives the kitchen
"Team" consent. Every page loads with no CSP violation (tests/browser/conftest.py)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from clients import services as client_services
from clients.models import Space
from operations.models import Appointment, VisitChangeRequest
from tests.browser.conftest import DESKTOP, PHONE
from tests.photos.support import store
from tests.support import portal

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser_context_args(timezone_id="America/New_York", locale="en-US"),
]


def _household(office, organizer):
    client = client_services.client_create(actor=office, data={"name": "Lindqvist household", "status": "active"})
    client_services.contact_save(
        client=client, data={"name": "Lena Lindqvist", "email": "lena@example.org", "is_primary": True}
    )
    client_services.site_save(
        client=client,
        data={"label": "Home", "street": "12 Elm Row", "city": "Montclair", "time_zone": "America/New_York",
              "entry_code": "4321", "parking": "Street"},
    )  # fmt: skip
    soon = (timezone.now() + timedelta(days=4)).replace(minute=0, second=0, microsecond=0)
    first = portal.book_visit(client=client, organizer=organizer, starts=soon)
    second = portal.book_visit(client=client, organizer=organizer, starts=soon + timedelta(days=3))
    for stage in ("before", "after"):
        store(first, organizer, stage=stage, space="Kitchen")
    return client, first, second


def test_portal_tour_invite_code_visits_reschedule_cancel_intake(app, make_user, artifacts, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    office = make_user("office", "Frank")
    organizer = make_user("organizer", "Anna")
    client, first, second = _household(office, organizer)
    page = app.page

    # The office invites Lena from the client page's portal panel (1280 px).
    page.set_viewport_size(DESKTOP)
    app.log_in(office.email)
    app.goto(f"/clients/{client.pk}/")
    panel = page.locator("#portal-panel")
    panel.get_by_role("button", name="Invite to portal").click()
    app.assert_healthy()
    expect(page.get_by_text("Invitation sent to lena@example.org")).to_be_visible()
    link = re.search(r"https?://[^/\s]+(/portal/welcome/[A-Za-z0-9_-]{43}/)", mail.outbox[-1].body).group(1)
    page.context.clear_cookies()  # another person, another browser

    # Lena, on her phone: the link greets her, the code comes by e-mail (390 px).
    page.set_viewport_size(PHONE)
    app.goto(link)
    expect(page).to_have_url(app.url("/portal/welcome/"))
    expect(page.get_by_text("l•••@example.org")).to_be_visible()
    page.get_by_role("button", name="E-mail me a sign-in code").click()
    app.assert_healthy()
    page.locator("input[name=code]").fill(portal.last_code("lena@example.org"))
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(app.url("/portal/"))
    app.assert_healthy()
    expect(page.get_by_role("heading", name="Lindqvist household")).to_be_visible()
    assert "4321" not in page.content()
    assert app.no_horizontal_overflow()
    page.screenshot(path=str(artifacts / "portal-home-390.png"), full_page=True)

    # Ask to move the first visit.
    app.goto(f"/portal/visits/{first.pk}/")
    expect(page.get_by_text("Anna")).to_be_visible()
    page.get_by_role("link", name="Ask to reschedule").click()
    app.assert_healthy()
    page.get_by_label("A time that suits you").fill("2031-03-04T10:00")
    page.get_by_role("button", name="Send request").click()
    app.assert_healthy()
    expect(page.get_by_text("Your request was sent")).to_be_visible()
    assert app.no_horizontal_overflow()

    # Cancel the second one (free: days ahead).
    app.goto(f"/portal/visits/{second.pk}/")
    page.get_by_role("link", name="Cancel this visit").click()
    app.assert_healthy()
    page.get_by_role("button", name="Cancel the visit").click()
    app.assert_healthy()
    expect(page.get_by_text("The visit is cancelled.")).to_be_visible()
    assert Appointment.objects.get(pk=second.pk).status == "cancelled"

    # Projects and bills: empty here, but they load and fit the phone.
    for path in ("/portal/projects/", "/portal/bills/", "/portal/access/", "/portal/profile/"):
        app.goto(path)
        assert app.no_horizontal_overflow(), path

    # Photos: the kitchen pair loads; then the consent page gives the kitchen "Team".
    app.goto("/portal/photos/")
    expect(page.locator(".photo-space img")).to_have_count(2)
    page.wait_for_function("() => [...document.images].every(i => i.complete && i.naturalWidth > 0)")
    assert app.no_horizontal_overflow()
    page.screenshot(path=str(artifacts / "portal-photos-390.png"), full_page=True)
    page.locator(".photo-space a").first.click()  # the full view
    app.assert_healthy()
    page.wait_for_function("() => [...document.images].every(i => i.complete && i.naturalWidth > 0)")
    assert app.no_horizontal_overflow()
    page.get_by_role("link", name="Limit how we may use this photo").click()
    page.get_by_label("For").select_option(label="Space: Kitchen")
    page.get_by_label("Level").select_option(label="Team")
    page.get_by_role("button", name="Save my choice").click()
    app.assert_healthy()
    expect(page.get_by_text("Your choice is saved")).to_be_visible()
    assert Space.objects.get(name="Kitchen").photo_consent == 1
    assert app.no_horizontal_overflow()
    page.screenshot(path=str(artifacts / "portal-consent-390.png"), full_page=True)

    # The questionnaire.
    app.goto("/portal/intake/")
    page.get_by_label("Goals").fill("A garage we can park in")
    page.get_by_role("button", name="Save answers").click()
    app.assert_healthy()
    expect(page.get_by_text("your answers are saved")).to_be_visible()
    assert app.no_horizontal_overflow()
    page.screenshot(path=str(artifacts / "portal-intake-390.png"), full_page=True)
    page.context.clear_cookies()

    # The office answers the request (1280 px).
    page.set_viewport_size(DESKTOP)
    app.log_in(office.email)
    app.goto("/portal-office/requests/")
    page.get_by_role("link", name=re.compile("Reschedule")).click()
    app.assert_healthy()
    page.get_by_label("Book outside working hours").check()
    page.get_by_role("button", name="Move the visit").click()
    app.assert_healthy()
    expect(page.get_by_text("The visit was moved and the request accepted.")).to_be_visible()
    assert VisitChangeRequest.objects.get(kind="reschedule").status == "accepted"
    page.screenshot(path=str(artifacts / "portal-office-requests-1280.png"), full_page=True)
