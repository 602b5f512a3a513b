"""Two-factor helpers for tests (docs/specs/portal.md §7).

- `totp_code(secret)`: the current RFC 6238 code, computed with the standard library (what an authenticator app
  shows), so the tests never trust allauth's own code generator.
- `totp_enrol(user)`: a TOTP authenticator with a known secret, created the way allauth's activation does.
- `login_with_mfa(client, user)`: the real password step and the real code step.
- `force_login_passes_mfa`: the test-only stand-in for the second factor. tests/conftest.py installs it for every
  test not marked `real_mfa`, so the hundreds of tests that `force_login` an owner or office user are not sent to
  enrolment; the MFA scenario tests are marked `real_mfa` and see production's behaviour. Production code has no
  switch for this.
"""

from __future__ import annotations

import base64
import contextvars
import hashlib
import hmac
import struct
import time
from typing import Any

from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.test.client import ClientMixin
from django.urls import reverse

TEST_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # base32, 20 bytes
PASSWORD = "correct-horse-battery-staple-42"
_USER_SESSION_KEY = "account_authentication_methods_user"  # allauth pairs its records with the user's id

_forcing = contextvars.ContextVar("force_login_passes_mfa", default=False)


def totp_code(secret: str = TEST_SECRET, at: float | None = None, period: int = 30, digits: int = 6) -> str:
    counter = int((time.time() if at is None else at) // period)
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"


def fresh_totp_code(secret: str = TEST_SECRET, *, min_seconds_left: float = 2) -> str:
    """The current code, waiting for the next 30-s step when this one ends too soon to be checked in time
    (tolerance is 0: a code typed at 29.9 s is refused at 30.1 s)."""
    left = 30 - time.time() % 30
    if left < min_seconds_left:
        time.sleep(left + 0.05)
    return totp_code(secret)


def totp_enrol(user: Any, secret: str = TEST_SECRET, *, recovery_codes: bool = False) -> Authenticator:
    instance = TOTP.activate(user, secret).instance
    if recovery_codes:
        RecoveryCodes.activate(user)
    return instance


def recovery_codes_of(user: Any) -> list[str]:
    instance = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    return list(instance.wrap().get_unused_codes())


def forget_code_use(user: Any, code: str) -> None:
    """Clear allauth's replay mark of `code`: for a test that logs the same user in twice within 30 s."""
    cache.delete(f"allauth.mfa.totp.used?user={user.pk}&code={code}")


def login_with_mfa(client: Any, user: Any, password: str = PASSWORD, secret: str = TEST_SECRET) -> Any:
    """Password, then the code: returns the response to the code step (302 on success)."""
    response = client.post(reverse("account_login"), {"login": user.email, "password": password})
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate"), response
    return client.post(reverse("mfa_authenticate"), {"code": fresh_totp_code(secret)})


def mark_session_passed(session: Any, user: Any) -> None:
    """What allauth writes after a second factor, flagged as the test stand-in."""
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [{"method": "mfa", "at": time.time(), "type": "test"}]
    session[_USER_SESSION_KEY] = str(user.pk)


def _on_logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if _forcing.get():
        mark_session_passed(request.session, user)  # saved by the test client right after the signal


user_logged_in.connect(_on_logged_in, dispatch_uid="tests_force_login_passes_mfa")
_original_login = ClientMixin._login


def _login_passing_mfa(self: Any, user: Any, backend: Any = None) -> None:
    token = _forcing.set(True)
    try:
        _original_login(self, user, backend)
    finally:
        _forcing.reset(token)


def force_login_passes_mfa(monkeypatch: Any) -> None:
    """For this test, `client.force_login(user)` and `client.login(...)` sessions count as having passed MFA."""
    monkeypatch.setattr(ClientMixin, "_login", _login_passing_mfa)
