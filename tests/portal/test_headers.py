"""Portal response headers and settings (docs/specs/portal.md §7, §9; SW20)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.urls import reverse

from tests.support import portal


def _assert_strict_csp(first, second):
    csp = first["Content-Security-Policy"]
    for directive in ("default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'",
                      "form-action 'self'"):  # fmt: skip
        assert directive in csp
    policies = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert "'unsafe-inline'" not in policies["script-src"] and "'unsafe-inline'" not in policies["style-src"]
    nonce = re.search(r"'nonce-([^']+)'", policies["script-src"]).group(1)
    body = first.content.decode()
    assert set(re.findall(r'<script[^>]*nonce="([^"]+)"', body)) <= {nonce}
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*nonce=)[^>]*>", body), "inline script without nonce"
    assert not re.search(r"\sstyle=", body), "inline style"
    assert nonce not in second["Content-Security-Policy"]


def _assert_portal_headers(response, referrer="same-origin"):
    assert "no-store" in response["Cache-Control"], response.request["PATH_INFO"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == referrer


def test_W20_sign_in_pages_headers(client, portal_p):
    anonymous = [reverse("account_request_login_code"), "/portal/welcome/"]
    for path in anonymous:
        first, second = client.get(path), client.get(path)
        assert first.status_code == 200, path
        _assert_portal_headers(first)
        _assert_strict_csp(first, second)
    hop = client.get("/portal/welcome/" + "a" * 43 + "/")
    _assert_portal_headers(hop, referrer="no-referrer")
    portal.request_code(client, portal_p.email)
    confirm = client.get(reverse("account_confirm_login_code"))
    assert confirm.status_code == 200
    _assert_portal_headers(confirm)
    _assert_strict_csp(confirm, client.get(reverse("account_confirm_login_code")))


def test_W20_portal_pages_headers(signed_in_p, client_a, organizer_a):
    visit = portal.book_visit(client=client_a, organizer=organizer_a, starts=portal.in_hours(72))
    one = f"/portal/visits/{visit.pk}/"
    pages = ["/portal/", "/portal/visits/", one, f"{one}reschedule/", f"{one}cancel/", "/portal/intake/",
             "/portal/profile/", "/portal/access/", "/portal/projects/", "/portal/bills/"]  # fmt: skip
    for path in pages:
        first, second = signed_in_p.get(path), signed_in_p.get(path)
        assert first.status_code == 200, path
        _assert_portal_headers(first)
        _assert_strict_csp(first, second)
        assert "/media/" not in first.content.decode()


def test_portal_settings_defaults():
    """The values docs/specs/portal.md §9 and README's settings table give."""
    assert settings.ACCOUNT_LOGIN_BY_CODE_ENABLED is True
    assert settings.ACCOUNT_LOGIN_BY_CODE_TIMEOUT == 600
    assert settings.ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS == 3
    assert settings.ACCOUNT_PREVENT_ENUMERATION is True
    assert settings.ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS is False
    assert settings.ACCOUNT_RATE_LIMITS["request_login_code"] == "10/m/ip,3/15m/key"
    assert settings.ACCOUNT_RATE_LIMITS["login_failed"] == "10/m/ip"  # the existing limit is kept
    assert settings.ACCOUNT_FORMS == {
        "request_login_code": "accounts.login_forms.PortalOnlyLoginCodeForm",
        "reset_password": "accounts.login_forms.StaffOnlyResetPasswordForm",
    }
    assert settings.PORTAL_INVITATION_TTL_DAYS == 14
    assert settings.PORTAL_SESSION_IDLE_SECONDS == 30 * 60
    assert settings.PORTAL_SESSION_ABSOLUTE_SECONDS == 8 * 3600
    assert settings.PORTAL_BUSINESS_NAME and settings.PORTAL_BUSINESS_PHONE
    assert settings.LATE_CANCEL_HOURS == 24
    assert "organizer_pm.portal.middleware.PortalBoundaryMiddleware" in settings.MIDDLEWARE


def test_portal_session_idle_limit(portal_p):
    import time_machine
    from django.utils import timezone

    with time_machine.travel(timezone.now(), tick=False) as clock:
        browser = HttpClient()
        portal.code_login(browser, portal_p.email)
        clock.shift(29 * 60)
        assert browser.get("/portal/").status_code == 200
        clock.shift(30 * 60 + 1)
        response = browser.get("/portal/")
    assert response.status_code == 302 and "_auth_user_id" not in browser.session


def test_portal_session_absolute_limit(portal_p):
    import time_machine
    from django.utils import timezone

    with time_machine.travel(timezone.now(), tick=False) as clock:
        browser = HttpClient()
        portal.code_login(browser, portal_p.email)
        for _ in range(16):  # active every 29 minutes (never idle) for 7 h 44 min
            clock.shift(29 * 60)
            assert browser.get("/portal/").status_code == 200
        clock.shift(17 * 60)  # 8 h 01 min after signing in
        response = browser.get("/portal/")
    assert response.status_code == 302 and "_auth_user_id" not in browser.session


def test_portal_session_survives_within_the_limits(portal_p, settings):
    import time_machine
    from django.utils import timezone

    settings.PORTAL_SESSION_IDLE_SECONDS = 120
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        browser = HttpClient()
        portal.code_login(browser, portal_p.email)
        for _ in range(5):
            clock.shift(110)
            assert browser.get("/portal/").status_code == 200
        clock.shift(121)
        assert browser.get("/portal/").status_code == 302


def test_portal_invitation_lifetime_setting(settings, office, client_a, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from clients.models import PortalInvitation

    settings.PORTAL_INVITATION_TTL_DAYS = 3
    portal.portal_user_build(client=client_a, actor=office)
    invitation = PortalInvitation.objects.get()
    assert invitation.expires_at - invitation.created_at == pytest.approx(timedelta(days=3), abs=timedelta(seconds=5))
