"""docs/specs/security.md: authentication (SA), sessions (SS), headers (SH), errors (SL)."""

import json
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.models import Session
from django.urls import reverse

from accounts import services
from accounts.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple-42"
PROD_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "prod-like-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-0123456789",
    "ALLOWED_HOSTS": "organizer.example.com",
}


@pytest.fixture
def anna():
    return services.user_create(actor=None, email="anna@example.com", role="organizer", password=PASSWORD)


def login(client, email, password, ip="10.0.0.1"):
    return client.post(reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=ip)


# --- A: authentication ------------------------------------------------------------------------------------


def test_login_lands_on_the_home_page_for_the_role(client, anna):
    response = login(client, "anna@example.com", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("dashboard:home")
    assert "My clients" in client.get(reverse("dashboard:home")).content.decode()


def test_SA1_fifth_failure_locks_the_account_and_ip(client, anna):
    statuses = [login(client, "anna@example.com", f"wrong-{i}").status_code for i in range(5)]
    assert statuses[:4] == [200, 200, 200, 200]
    assert statuses[4] == 429
    assert login(client, "anna@example.com", PASSWORD).status_code == 429
    assert client.get(reverse("dashboard:home")).status_code == 302  # still anonymous


def test_SA2_lockout_is_per_username_and_ip(client, anna):
    for i in range(5):
        login(client, "anna@example.com", f"wrong-{i}")
    response = login(client, "anna@example.com", PASSWORD, ip="10.0.0.2")
    assert response.status_code == 302


@pytest.mark.parametrize("length", [64, 128])
def test_SA8_long_passwords_are_accepted(owner, length):
    user = services.user_create(
        actor=owner, email=f"l{length}@example.com", role="office", password="x1" * (length // 2)
    )
    assert user.check_password("x1" * (length // 2))


def test_SA8_long_passwords_are_not_truncated(client, owner):
    password = "pass-phrase-" * 9  # 108 characters
    services.user_create(actor=owner, email="long@example.com", role="office", password=password)
    assert login(client, "long@example.com", password[:72]).status_code == 200
    assert login(client, "long@example.com", password, ip="10.0.0.9").status_code == 302


@pytest.mark.production_hashers  # the hasher is the subject: real Argon2 costs
def test_SA9_pbkdf2_hash_is_upgraded_to_argon2_on_login(client, anna):
    User.objects.filter(pk=anna.pk).update(password=make_password(PASSWORD, hasher="pbkdf2_sha256"))
    assert login(client, "anna@example.com", PASSWORD).status_code == 302
    anna.refresh_from_db()
    assert anna.password.startswith("argon2$")


def test_signup_is_closed(client):
    response = client.post(
        reverse("account_signup"), {"email": "x@example.com", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert not User.objects.filter(email="x@example.com").exists()
    assert response.status_code == 200


# --- S: sessions ------------------------------------------------------------------------------------------


def test_SS1_login_rotates_the_session_and_sets_host_prefixed_secure_cookies(client, anna, settings):
    settings.SESSION_COOKIE_NAME, settings.SESSION_COOKIE_SECURE = "__Host-sessionid", True
    client.get(reverse("account_login"), secure=True)
    session = client.session
    session["probe"] = 1
    session.save()
    before = session.session_key
    response = client.post(reverse("account_login"), {"login": "anna@example.com", "password": PASSWORD}, secure=True)
    cookie = response.cookies["__Host-sessionid"]
    assert cookie.value != before
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/"


def test_SS2_logout_deletes_the_session(client, anna):
    login(client, "anna@example.com", PASSWORD)
    key = client.session.session_key
    client.post(reverse("account_logout"))
    assert not Session.objects.filter(session_key=key).exists()
    client.cookies["sessionid"] = key
    assert client.get(reverse("clients:client_list")).status_code == 302


def test_SS3_deactivated_user_is_logged_out_on_next_request(client, owner, anna):
    client.force_login(anna)
    assert client.get(reverse("clients:client_list")).status_code == 200
    User.objects.filter(pk=anna.pk).update(is_active=False)
    assert client.get(reverse("clients:client_list")).status_code == 302


# --- H: headers -------------------------------------------------------------------------------------------


def test_SH1_csp_header_is_strict_and_nonce_matches_scripts(client, owner):
    client.force_login(owner)
    first = client.get(reverse("clients:client_list"))
    second = client.get(reverse("clients:client_list"))
    csp = first["Content-Security-Policy"]
    for directive in ("default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'",
                      "form-action 'self'", "connect-src 'self'"):  # fmt: skip
        assert directive in csp
    policies = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert "'unsafe-inline'" not in policies["script-src"] and "'unsafe-eval'" not in policies["script-src"]
    assert "'unsafe-inline'" not in policies["style-src"]
    nonce = re.search(r"'nonce-([^']+)'", policies["script-src"]).group(1)
    body = first.content.decode()
    script_nonces = re.findall(r'<script[^>]*nonce="([^"]+)"', body)
    assert script_nonces and set(script_nonces) == {nonce}
    assert nonce not in second["Content-Security-Policy"]
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*nonce=)[^>]*>", body), "inline script without nonce"
    assert not re.search(r"\son[a-z]+=", body), "inline event handler"


def test_SH2_security_headers_on_every_response(client):
    response = client.get(reverse("account_login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_SH3_https_redirect_and_hsts(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get(reverse("account_login"))
    assert response.status_code == 301 and response["Location"].startswith("https://")
    secure = client.get(reverse("account_login"), HTTP_X_FORWARDED_PROTO="https")
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000; includeSubDomains")


def test_SH10_unknown_host_is_rejected(client):
    assert client.get(reverse("account_login"), HTTP_HOST="evil.example").status_code == 400


def test_SH5_production_settings_are_safe_and_pass_check_deploy():
    """Evaluate settings.py in a fresh process with production variables (the autouse test tweaks off)."""
    env = {**os.environ, **PROD_ENV}
    for test_only in ("SECURE_HTTPS", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(test_only, None)
    code = (
        "import json, django; django.setup(); from django.conf import settings as s;"
        "print(json.dumps({k: getattr(s, k) for k in ['DEBUG', 'SESSION_COOKIE_NAME', 'CSRF_COOKIE_NAME',"
        "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS',"
        "'SESSION_ENGINE', 'SESSION_COOKIE_AGE', 'AXES_FAILURE_LIMIT']}))"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                         cwd=django_settings.BASE_DIR)  # fmt: skip
    values = json.loads(out.stdout.strip().splitlines()[-1])
    assert values == {
        "DEBUG": False, "SESSION_COOKIE_NAME": "__Host-sessionid", "CSRF_COOKIE_NAME": "__Host-csrftoken",
        "SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True, "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000, "SESSION_ENGINE": "django.contrib.sessions.backends.db",
        "SESSION_COOKIE_AGE": 43200, "AXES_FAILURE_LIMIT": 5,
    }  # fmt: skip
    check = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, cwd=django_settings.BASE_DIR,
    )  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr


def test_settings_refuse_to_start_without_a_secret_key_when_debug_is_off():
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": ""}
    out = subprocess.run([sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True,
                         text=True, cwd=django_settings.BASE_DIR)  # fmt: skip
    assert out.returncode != 0 and "SECRET_KEY must be set" in out.stderr


# --- L: errors --------------------------------------------------------------------------------------------


def test_SL4_server_error_shows_a_generic_page(client, owner, monkeypatch):
    from clients import selectors

    def boom(**kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(selectors, "client_search_for_user", boom)
    client.raise_request_exception = False
    client.force_login(owner)
    response = client.get(reverse("clients:client_list"))
    assert response.status_code == 500
    body = response.content.decode()
    assert "Server error" in body and "secret internals" not in body and "Traceback" not in body


def test_healthz_answers_without_login(client):
    response = client.get(reverse("dashboard:healthz"))
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_SA3_lockout_ends_after_the_cool_off(client, anna):
    import time_machine
    from django.utils import timezone

    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for i in range(5):
            login(client, "anna@example.com", f"wrong-{i}")
        assert login(client, "anna@example.com", PASSWORD).status_code == 429
        traveller.shift(61 * 60)
        assert login(client, "anna@example.com", PASSWORD).status_code == 302


def test_SA4_lockout_page_explains_what_to_do(client, anna):
    for i in range(5):
        response = login(client, "anna@example.com", f"wrong-{i}")
    assert response.status_code == 429 and "Too many failed log-ins" in response.content.decode()
