"""Two-factor enrolment and login in Chromium (docs/specs/portal.md §7; W21, W22): office enrols on a phone,
the owner at desktop width, then office logs in with a code from its authenticator app."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.models import SecurityEvent
from tests.browser.conftest import DESKTOP, PASSWORD, PHONE
from tests.support.mfa import fresh_totp_code

pytestmark = pytest.mark.real_mfa


def _password_step(app, email: str) -> None:
    page = app.page
    page.context.clear_cookies()
    app.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def _enrol(app, email: str, artifacts, name: str) -> str:
    """From the password to the recovery codes; returns the secret the page showed."""
    page = app.page
    _password_step(app, email)
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/"))  # sent to enrolment, which asks again
    app.assert_healthy()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(app.url("/accounts/2fa/totp/activate/"))
    app.assert_healthy()
    expect(page.locator("img.mfa-qr")).to_be_visible()
    expect(page.get_by_role("link", name="Use a security key")).to_be_visible()  # Chromium offers WebAuthn
    assert app.no_horizontal_overflow()
    page.screenshot(path=str(artifacts / f"mfa-activate-{name}.png"), full_page=True)
    secret = page.locator("#authenticator_secret").input_value()
    page.locator("input[name=code]").fill("000000" if fresh_totp_code(secret) != "000000" else "111111")
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_text("Incorrect code")).to_be_visible()  # a wrong code: refused, still on the page
    page.locator("input[name=code]").fill(fresh_totp_code(secret, min_seconds_left=4))
    page.get_by_role("button", name="Activate").click()
    expect(page).to_have_url(app.url("/accounts/2fa/recovery-codes/"))
    app.assert_healthy()
    assert len(page.locator("#recovery_codes").input_value().split()) == 10
    assert app.no_horizontal_overflow()
    page.get_by_label("I have saved my recovery codes").check()  # shown once: leaving earlier asks first
    app.goto("/")  # enrolled in this browser: no second login
    return secret


def test_W21_W22_enrolment_on_phone_and_desktop_then_a_login_with_a_code(app, make_user, artifacts):
    page = app.page
    office, owner = make_user("office", "Frank"), make_user("owner", "Olivia")
    page.set_viewport_size(PHONE)
    office_secret = _enrol(app, office.email, artifacts, "390")
    page.set_viewport_size(DESKTOP)
    owner_secret = _enrol(app, owner.email, artifacts, "1280")

    page.set_viewport_size(PHONE)
    _password_step(app, office.email)
    expect(page).to_have_url(app.url("/accounts/2fa/authenticate/"))
    app.assert_healthy()
    assert app.no_horizontal_overflow()
    page.locator("input[name=code]").fill(fresh_totp_code(office_secret, min_seconds_left=4))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(app.url("/"))
    app.assert_healthy()

    # The owner's side: the team page shows both enrolled, and a reset is one confirmed, reasoned click away.
    page.set_viewport_size(DESKTOP)
    page.context.clear_cookies()
    app.log_in(owner.email, secret=owner_secret)  # the helper types the code of the factor enrolled above
    app.goto("/team/")
    expect(page.get_by_role("link", name="Reset 2FA")).to_have_count(1)
    page.set_viewport_size(PHONE)  # the reset on a phone: the team table stacks, the form fits
    assert app.no_horizontal_overflow()
    page.get_by_role("link", name="Reset 2FA").click()
    app.assert_healthy()
    assert app.no_horizontal_overflow()
    page.get_by_label("How did you check it is them?").fill("Called Frank on his known number")
    page.get_by_role("button", name="Reset two-factor").click()
    expect(page).to_have_url(app.url("/team/"))
    expect(page.get_by_text("was reset")).to_be_visible()
    assert SecurityEvent.objects.filter(kind="mfa_reset", subject=office).count() == 1


def test_W22_a_security_key_where_the_browser_offers_one(app, make_user, settings):
    """Chromium's virtual authenticator (DevTools WebAuthn domain) stands in for a key or a phone's passkey:
    office adds it beside the authenticator app, then logs in with it as the second factor."""
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True  # the live server speaks plain http://localhost
    page = app.page
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    office = make_user("office", "Frank")
    app.log_in(office.email)  # password and authenticator-app code (test secret)
    page.goto(app.url("/accounts/2fa/webauthn/add/"))
    if "/reauthenticate/" in page.url:
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(app.url("/accounts/2fa/webauthn/add/"))
    app.assert_healthy()
    page.get_by_label("Name").fill("Frank's phone")
    page.get_by_role("button", name="Add").click()
    expect(page).not_to_have_url(app.url("/accounts/2fa/webauthn/add/"))
    assert office.authenticator_set.filter(type="webauthn").count() == 1

    _password_step(app, office.email)
    expect(page).to_have_url(app.url("/accounts/2fa/authenticate/"))
    app.assert_healthy()
    page.get_by_role("button", name="Use a security key").click()
    expect(page).to_have_url(app.url("/"))
    app.assert_healthy()
