"""Portal access without a login link (docs/specs/portal.md §2; SW1-SW7)."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from clients import portal_services
from clients.models import PortalAccess, PortalInvitation
from clients.services import client_archive, contact_delete
from tests.authz.world import normalized
from tests.support import portal

WELCOME_LINK = re.compile(r"https?://[^/\s]+/portal/welcome/([A-Za-z0-9_-]{43})/")


def _invite(contact, actor, capture):
    with capture(execute=True):
        portal_services.portal_invite(actor=actor, contact=contact)
    return WELCOME_LINK.search(mail.outbox[-1].body).group(1)


@pytest.fixture
def contact_p(client_a):
    from tests.clients.factories import ContactFactory

    return ContactFactory(client=client_a, name="Pat Parker", email="pat@example.org", is_primary=False)


def test_W1_invitation_then_code_sign_in(
    client, office, contact_p, client_a, organizer_a, django_capture_on_commit_callbacks
):
    visit = portal.book_visit(client=client_a, organizer=organizer_a, starts=portal.in_hours(72))
    token = _invite(contact_p, office, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["pat@example.org"]
    assert mail.outbox[0].body.count(settings.SITE_URL.rstrip("/") + "/portal/welcome/") == 1
    stored = PortalInvitation.objects.get()
    assert re.fullmatch(r"[0-9a-f]{64}", stored.token_hash) and token not in stored.token_hash

    hop = client.get(f"/portal/welcome/{token}/")
    assert hop.status_code == 303 and hop["Location"] == "/portal/welcome/"
    assert hop["Referrer-Policy"] == "no-referrer" and "no-store" in hop["Cache-Control"]
    page = client.get("/portal/welcome/")
    body = page.content.decode()
    assert page.status_code == 200 and "p•••@example.org" in body
    assert client_a.name not in body and token not in body

    asked = client.post(reverse("account_request_login_code"), {"email": "pat@example.org"})
    assert asked.status_code == 302 and asked["Location"] == reverse("account_confirm_login_code")
    code_mail = mail.outbox[-1]
    assert portal.CODE_RE.search(code_mail.body) and "/portal/" not in code_mail.body
    confirmed = client.post(reverse("account_confirm_login_code"), {"code": portal.last_code("pat@example.org")})
    assert confirmed.status_code == 302 and confirmed["Location"] == "/portal/"
    home = client.get("/portal/")
    assert home.status_code == 200
    assert f"/portal/visits/{visit.pk}/" in home.content.decode()
    grant = PortalAccess.objects.get(contact=contact_p)
    assert grant.status == "active" and grant.activated_at is not None
    assert PortalInvitation.objects.get().accepted_at is not None
    methods = [record["method"] for record in client.session["account_authentication_methods"]]
    assert methods == ["code"]


def test_W2_forwarded_reused_and_guessed_codes(portal_p):
    browser_a, browser_b = HttpClient(), HttpClient()
    portal.request_code(browser_a, portal_p.email)
    code = portal.last_code(portal_p.email)
    # Forwarded: posted from another browser, the code opens nothing.
    browser_b.get(reverse("account_request_login_code"))
    forwarded = browser_b.post(reverse("account_confirm_login_code"), {"code": code})
    assert forwarded.status_code == 302 and forwarded["Location"] == reverse("account_request_login_code")
    assert "_auth_user_id" not in browser_b.session
    # Spent: used once, then again after signing out.
    assert browser_a.post(reverse("account_confirm_login_code"), {"code": code})["Location"] == "/portal/"
    browser_a.post(reverse("account_logout"))
    reused = browser_a.post(reverse("account_confirm_login_code"), {"code": code})
    assert reused.status_code == 302 and "_auth_user_id" not in browser_a.session
    # Guessed: the third wrong code voids the right one too.
    guesser = HttpClient()
    portal.request_code(guesser, portal_p.email)
    right = portal.last_code(portal_p.email)
    statuses = [
        guesser.post(reverse("account_confirm_login_code"), {"code": "BBBB-BBBB"}).status_code for _ in range(3)
    ]
    assert statuses == [200, 200, 302]
    after = guesser.post(reverse("account_confirm_login_code"), {"code": right})
    assert after.status_code == 302 and "_auth_user_id" not in guesser.session


def test_W3_code_and_invitation_expiry(client, office, contact_p, django_capture_on_commit_callbacks, caplog):
    start = timezone.now()
    token = _invite(contact_p, office, django_capture_on_commit_callbacks)
    for delay, works in ((599, True), (601, False)):
        browser = HttpClient()
        with time_machine.travel(start, tick=False) as clock:
            portal.request_code(browser, "pat@example.org")
            clock.shift(delay)
            response = browser.post(
                reverse("account_confirm_login_code"), {"code": portal.last_code("pat@example.org")}
            )
        assert ("_auth_user_id" in browser.session) is works, delay
        assert response.status_code == 302
    # A 15-day-old invitation: the same generic page as a random token, with no address.
    with caplog.at_level(logging.DEBUG, logger="django.request"):
        with time_machine.travel(start + timedelta(days=15), tick=False):
            stale_browser = HttpClient()
            assert stale_browser.get(f"/portal/welcome/{token}/").status_code == 303
            stale = stale_browser.get("/portal/welcome/")
        random_browser = HttpClient()
        random_browser.get("/portal/welcome/" + "x" * 43 + "/")
        random = random_browser.get("/portal/welcome/")
    assert stale.status_code == random.status_code == 200
    assert normalized(stale) == normalized(random)
    assert "example.org" not in stale.content.decode()
    assert not [r for r in caplog.records if "/portal/welcome/" in r.getMessage()]


def test_W4_archiving_the_client_revokes_access(client, owner, portal_p, client_a):
    portal.code_login(client, portal_p.email)
    assert client.get("/portal/").status_code == 200
    pending = HttpClient()
    portal.request_code(pending, portal_p.email)
    code = portal.last_code(portal_p.email)
    client_archive(client=client_a, actor=owner)

    open_session = client.get("/portal/")
    assert open_session.status_code == 302 and "/accounts/login/" in open_session["Location"]
    confirmed = pending.post(reverse("account_confirm_login_code"), {"code": code})
    assert confirmed["Location"] == reverse("account_inactive")
    sent = len(mail.outbox)
    assert portal.request_code(HttpClient(), portal_p.email).status_code == 302
    assert len(mail.outbox) == sent
    grant = PortalAccess.objects.get(user=portal_p)
    portal_p.refresh_from_db()
    assert grant.status == "revoked" and grant.revoked_reason == "client archived" and not portal_p.is_active
    client_event = apps.get_model("clients", "ClientEvent").objects.filter(pgh_obj_id=client_a.pk).latest("pgh_id")
    assert client_event.archived_by_id == owner.pk
    access_event = apps.get_model("clients", "PortalAccessEvent").objects.filter(pgh_obj_id=grant.pk).latest("pgh_id")
    assert access_event.status == "revoked"


def test_W4_archived_client_welcome_link_is_generic(
    client, owner, office, contact_p, client_a, django_capture_on_commit_callbacks
):
    token = _invite(contact_p, office, django_capture_on_commit_callbacks)
    client_archive(client=client_a, actor=owner)
    client.get(f"/portal/welcome/{token}/")
    body = client.get("/portal/welcome/").content.decode()
    assert "This link no longer works" in body and "example.org" not in body


def test_W5_revoked_from_one_of_two_clients(client, office, portal_p, client_a, client_b, organizer_a, organizer_b):
    from tests.clients.factories import ContactFactory

    portal_services.portal_invite(actor=office, contact=ContactFactory(client=client_b, email=portal_p.email))
    visit_a = portal.book_visit(client=client_a, organizer=organizer_a, starts=portal.in_hours(72))
    portal.code_login(client, portal_p.email)
    client.post("/portal/switch/", {"client": client_a.pk})
    assert client.get(f"/portal/visits/{visit_a.pk}/").status_code == 200
    grant = PortalAccess.objects.get(user=portal_p, client=client_a)
    contact_delete(contact=grant.contact)
    assert client.get(f"/portal/visits/{visit_a.pk}/").status_code == 404
    home = client.get("/portal/")
    assert home.status_code == 200 and client_b.name in home.content.decode()


@pytest.mark.parametrize("who", ["owner", "office", "organizer", "unknown"])
def test_W6_only_portal_users_get_codes(client, users, who):
    email = users[who].email if who in users else "nobody@example.com"
    response = portal.request_code(client, email)
    assert response.status_code == 302 and response["Location"] == reverse("account_confirm_login_code")
    assert mail.outbox == []


def test_W6_portal_users_get_no_password_reset(client, portal_p):
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    known = client.post(reverse("account_reset_password"), {"email": portal_p.email})
    assert known.status_code == unknown.status_code == 302 and known["Location"] == unknown["Location"]
    assert mail.outbox == []
    portal_p.refresh_from_db()
    assert not portal_p.has_usable_password()


def test_W6_staff_still_get_password_resets(client, office):
    client.post(reverse("account_reset_password"), {"email": office.email})
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [office.email]


def test_W7_code_request_rate_limits(portal_p):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        answers = [portal.request_code(HttpClient(), portal_p.email) for _ in range(4)]
        assert [a.status_code for a in answers] == [302, 302, 302, 200]
        assert "Too many" in answers[3].content.decode()
        assert len(mail.outbox) == 3
        unknown = [portal.request_code(HttpClient(), "ghost@example.com") for _ in range(4)]
        assert [a.status_code for a in unknown] == [302, 302, 302, 200]
        assert len(mail.outbox) == 3
        clock.shift(15 * 60 + 1)
        assert portal.request_code(HttpClient(), portal_p.email).status_code == 302
        assert len(mail.outbox) == 4
        clock.shift(61)
        per_ip = [portal.request_code(HttpClient(), f"someone{i}@example.com").status_code for i in range(11)]
    assert per_ip[:10] == [302] * 10 and per_ip[10] == 200


def test_W2_forwarded_invitation_only_mails_the_contact(office, contact_p, django_capture_on_commit_callbacks):
    """Whoever the invitation is forwarded to can only have a code sent to the contact's own mailbox."""
    token = _invite(contact_p, office, django_capture_on_commit_callbacks)
    stranger = HttpClient()
    stranger.get(f"/portal/welcome/{token}/")
    page = stranger.get("/portal/welcome/").content.decode()
    assert "pat@example.org" in page  # only as the hidden field the button posts: the code goes there
    asked = stranger.post(reverse("account_request_login_code"), {"email": "pat@example.org"})
    assert asked.status_code == 302
    assert mail.outbox[-1].to == ["pat@example.org"]
    guessed = stranger.post(reverse("account_confirm_login_code"), {"code": "BBBB-BBBB"})
    assert guessed.status_code == 200 and "_auth_user_id" not in stranger.session
    assert stranger.get("/portal/").status_code == 302
    assert PortalAccess.objects.get(contact=contact_p).status == "invited"


def test_W4_revoked_user_with_an_open_session_posts_nothing(client, office, portal_p, client_a, organizer_a):
    visit = portal.book_visit(client=client_a, organizer=organizer_a, starts=portal.in_hours(72))
    portal.code_login(client, portal_p.email)
    grant = PortalAccess.objects.get(user=portal_p)
    portal_services.portal_access_revoke(actor=office, grant=grant)
    response = client.post(f"/portal/visits/{visit.pk}/cancel/", {})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    visit.refresh_from_db()
    assert visit.status == "scheduled"
    assert client.get("/portal/").status_code == 302


def test_invite_bad_input_writes_nothing(client, office, client_a):
    from accounts.models import User
    from tests.clients.factories import ContactFactory

    client.force_login(office)
    staff_contact = ContactFactory(client=client_a, email=office.email.upper(), is_primary=False)
    no_email = ContactFactory(client=client_a, email="", is_primary=False)
    users = User.objects.count()
    for contact, message in ((staff_contact, "belongs to a member of the team"), (no_email, "has no e-mail address")):
        response = client.post(f"/portal-office/clients/{client_a.pk}/contacts/{contact.pk}/invite/", follow=True)
        assert message in response.content.decode()
    assert User.objects.count() == users and not PortalAccess.objects.exists() and mail.outbox == []


def test_office_panel_invites_and_revokes(client, office, contact_p, client_a, django_capture_on_commit_callbacks):
    client.force_login(office)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/portal-office/clients/{client_a.pk}/contacts/{contact_p.pk}/invite/")
    grant = PortalAccess.objects.get(contact=contact_p)
    assert grant.status == "invited" and grant.user.is_portal and not grant.user.has_usable_password()
    panel = client.get(f"/portal-office/clients/{client_a.pk}/").content.decode()
    assert "Invited" in panel and "Revoke" in panel
    client.post(f"/portal-office/access/{grant.pk}/revoke/")
    grant.refresh_from_db()
    assert grant.status == "revoked" and not grant.user.is_active
    assert PortalInvitation.objects.get().revoked_at is not None
    # Invited again: a new link, the old one revoked, the user active again.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/portal-office/clients/{client_a.pk}/contacts/{contact_p.pk}/invite/")
    grant.refresh_from_db()
    assert grant.status == "invited" and grant.user.is_active
    assert PortalInvitation.objects.filter(revoked_at__isnull=True).count() == 1
