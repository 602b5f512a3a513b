"""Codes, factors and outages (docs/specs/portal.md §7; SA7, SS5, W23, W24, and the Redis-down rule)."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from pathlib import Path

import pytest
import time_machine
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from accounts import mfa
from accounts.cache import CacheUnavailable, FailOpenRedisCache
from accounts.middleware import RequireMFAMiddleware
from tests.accounts.test_mfa_enforcement import make, password_login
from tests.support.mfa import PASSWORD, login_with_mfa, recovery_codes_of, totp_code, totp_enrol

pytestmark = [pytest.mark.django_db, pytest.mark.real_mfa]
NOW = datetime(2027, 3, 1, 15, 0, 5, tzinfo=UTC)  # 5 s into a 30-s step
INCORRECT = "Incorrect code"


def second_step(client, code):
    return client.post(reverse("mfa_authenticate"), {"code": code})


def anonymous(client) -> bool:
    return client.get(reverse("dashboard:home")).status_code == 302 and "_auth_user_id" not in client.session


@pytest.fixture
def owner():
    user = make("owner", "olivia@example.com")
    totp_enrol(user, recovery_codes=True)
    return user


def test_W23_a_wrong_code_is_refused(client, owner):
    password_login(client, owner)
    response = second_step(client, "000000" if totp_code() != "000000" else "111111")
    assert response.status_code == 200 and INCORRECT in response.content.decode()
    assert anonymous(client)


def test_SA7_W23_a_totp_code_used_in_one_browser_is_refused_in_another(owner):
    with time_machine.travel(NOW, tick=False):
        code = totp_code()
        browser_a, browser_b = Client(), Client()
        password_login(browser_a, owner)
        assert second_step(browser_a, code).status_code == 302
        password_login(browser_b, owner)
        response = second_step(browser_b, code)
    assert response.status_code == 200 and INCORRECT in response.content.decode()
    assert anonymous(browser_b)
    assert browser_a.get(reverse("dashboard:home")).status_code == 200


def test_SA7_W23_a_recovery_code_works_once(owner):
    code = recovery_codes_of(owner)[0]
    first, second = Client(), Client()
    password_login(first, owner)
    assert second_step(first, code).status_code == 302
    password_login(second, owner)
    response = second_step(second, code)
    assert response.status_code == 200 and INCORRECT in response.content.decode()
    assert anonymous(second)
    assert code not in recovery_codes_of(owner)


def test_W23_settings_no_tolerance_no_trust_codes_shown_once_and_a_recent_allauth():
    assert mfa_settings.TOTP_TOLERANCE == 0
    assert mfa_settings.TRUST_ENABLED is False
    assert mfa_settings.RECOVERY_CODES_SHOW_ONCE is True
    assert mfa_settings.PASSKEY_LOGIN_ENABLED is False
    assert mfa_settings.TOTP_INSECURE_BYPASS_CODE is None
    assert mfa_settings.SUPPORTED_TYPES == ["totp", "webauthn", "recovery_codes"]
    assert mfa_settings.TOTP_ISSUER == django_settings.MFA_TOTP_ISSUER == "Organizer PM"
    assert tuple(int(p) for p in version("django-allauth").split(".")[:2]) >= (65, 22)
    middleware = django_settings.MIDDLEWARE
    assert middleware.index("accounts.middleware.RequireMFAMiddleware") > middleware.index(
        "allauth.account.middleware.AccountMiddleware"
    )
    if django_settings.CACHE_URL:  # production and CI: replay marks shared across processes
        assert django_settings.CACHES["default"]["BACKEND"] == "accounts.cache.FailOpenRedisCache"


def test_W23_readme_documents_the_mfa_settings():
    readme = (Path(django_settings.BASE_DIR) / "README.md").read_text()
    for name in ("MFA_TOTP_ISSUER", "MFA_TOTP_TOLERANCE", "MFA_TRUST_ENABLED", "MFA_RECOVERY_CODES_SHOW_ONCE",
                 "MFA_PASSKEY_LOGIN_ENABLED", "MFA_SUPPORTED_TYPES", "MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN"):  # fmt: skip
        assert f"`{name}`" in readme, name


def reauthenticate(client):
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302


def test_W24_office_cannot_deactivate_its_only_factor(client):
    office = make("office", "frank@example.com")
    totp_enrol(office)
    login_with_mfa(client, office)
    reauthenticate(client)
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 200 and mfa.LAST_FACTOR_MSG in response.content.decode()
    assert Authenticator.objects.filter(user=office).count() == 1


def test_W24_an_organizer_not_required_may_deactivate(client):
    organizer = make("organizer", "maya@example.com")
    totp_enrol(organizer, recovery_codes=True)
    login_with_mfa(client, organizer)
    reauthenticate(client)
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=organizer).count() == 0


def test_W24_the_last_security_key_of_office_cannot_be_removed(client):
    office = make("office", "frank@example.com")
    key = Authenticator.objects.create(user=office, type=Authenticator.Type.WEBAUTHN, data={"name": "Key"})
    client.force_login(office)
    session = client.session
    session[mfa.ENROLLED_SESSION_KEY] = str(office.pk)  # as after adding the key in this browser
    session.save()
    response = client.post(reverse("mfa_remove_webauthn", kwargs={"pk": key.pk}))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_list_webauthn")
    assert Authenticator.objects.filter(pk=key.pk).exists()
    assert client.post(reverse("mfa_remove_webauthn", kwargs={"pk": 999_999})).status_code == 404
    totp_enrol(office)  # with a second factor, the key may go (allauth's own view, after reauthentication)
    assert get_adapter_can_delete(key) is True


def get_adapter_can_delete(authenticator) -> bool:
    from allauth.mfa.adapter import get_adapter

    return get_adapter().can_delete_authenticator(authenticator)


def test_SS5_changing_mfa_settings_later_requires_reauthentication(client, owner):
    login_with_mfa(client, owner)
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=16)):
        response = client.post(reverse("mfa_deactivate_totp"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_reauthenticate"))
        regenerate = client.post(reverse("mfa_generate_recovery_codes"))
        assert regenerate["Location"].startswith(reverse("account_reauthenticate"))
    assert Authenticator.objects.filter(user=owner).count() == 2


# --- Redis down: password-only logins work, MFA logins fail closed ------------------------------------------


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_down(settings):
    configured = settings.CACHES["default"]
    settings.CACHES = {
        "default": {
            **configured,
            "BACKEND": "accounts.cache.FailOpenRedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


def test_W23_while_redis_is_down_mfa_logins_fail_closed_with_a_clear_message(client, owner, redis_down):
    organizer = make("organizer", "maya@example.com")
    assert password_login(client, organizer).status_code == 302  # a password-only login still works
    assert client.get(reverse("dashboard:home")).status_code == 200
    staff = Client()
    assert password_login(staff, owner)["Location"] == reverse("mfa_authenticate")
    response = second_step(staff, totp_code())
    assert response.status_code == 200 and mfa.MFA_UNAVAILABLE_MSG in response.content.decode()
    assert anonymous(staff)
    response = second_step(staff, recovery_codes_of(owner)[0])
    assert response.status_code == 200 and mfa.MFA_UNAVAILABLE_MSG in response.content.decode()
    assert len(recovery_codes_of(owner)) == 10  # nothing spent


def test_W23_the_replay_mark_never_fails_open():
    cache = FailOpenRedisCache(f"redis://127.0.0.1:{_closed_port()}/0", {"OPTIONS": {"socket_connect_timeout": 1}})
    assert cache.add("allauth:rl:anything", 1) is True  # rate limits fail open, as before
    with pytest.raises(CacheUnavailable):
        cache.add("allauth.mfa.totp.used?user=1&code=123456", "y", timeout=30)
    assert cache.reachable() is False


def test_enrolment_allow_list_is_the_documented_one():
    assert {"mfa_activate_totp", "mfa_view_recovery_codes", "account_reauthenticate", "account_logout"} <= (
        RequireMFAMiddleware.ALLOWED_URL_NAMES
    )


def test_SS5_an_enrolled_user_cannot_add_an_email_address_at_all(client, owner):
    """Stricter than re-authentication: allauth refuses an unverified address on an account with MFA (it could
    otherwise receive that account's password resets)."""
    from allauth.account.models import EmailAddress

    login_with_mfa(client, owner)
    response = client.post(reverse("account_email"), {"email": "new@example.com", "action_add": ""})
    assert "You cannot add an email address to an account protected by two-factor authentication" in (
        response.content.decode()
    )
    assert not EmailAddress.objects.filter(email="new@example.com").exists()
