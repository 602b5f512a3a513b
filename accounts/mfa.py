"""Two-factor authentication on top of allauth.mfa: who must have it, and the hooks allauth offers.

allauth ships TOTP, WebAuthn and recovery codes but no way to *require* them (docs/specs/portal.md §7): the
rule lives here (`mfa_required`), `accounts.middleware.RequireMFAMiddleware` enforces it on every request,
`MFAAdapter` refuses to delete the last factor of a user who must keep one, and the authenticate forms fail
closed while the cache that holds TOTP replay marks is down.
"""

from __future__ import annotations

from typing import Any

from allauth.account.authentication import get_authentication_records
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from accounts.cache import CacheUnavailable, cache_reachable
from accounts.models import User

# The factors that count as "enrolled": recovery codes alone are a fallback, not a second factor.
FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
# Set in the session when the user enrols in it: activating TOTP records no "mfa" authentication, yet the user
# has just proved the factor, so the middleware must not log them out (docs/specs/portal.md §7).
ENROLLED_SESSION_KEY = "accounts_mfa_enrolled_user"
MFA_UNAVAILABLE_MSG = (
    "Two-factor sign-in is unavailable for a moment (the code check cannot reach its store). "
    "Nothing was used up: please try again in a minute."
)
LAST_FACTOR_MSG = "You cannot deactivate two-factor authentication."


def mfa_required(user: Any) -> bool:
    """True for active owner and office users and for organizers the owner marked; False for everyone else
    (anonymous, inactive, unmarked organizers and any role without staff access, such as portal users)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.role in (User.Role.OWNER, User.Role.OFFICE):
        return True
    return bool(user.role == User.Role.ORGANIZER and user.mfa_required)


def has_second_factor(user: Any) -> bool:
    return Authenticator.objects.filter(user_id=user.pk, type__in=FACTOR_TYPES).exists()


def session_passed_mfa(request: HttpRequest) -> bool:
    """This session completed a second factor (allauth's "mfa" record) or enrolled one."""
    user = request.user
    if request.session.get(ENROLLED_SESSION_KEY) == str(user.pk):
        return True
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, user))


def mark_session_enrolled(sender: Any, request: HttpRequest | None = None, user: Any = None, **kwargs: Any) -> None:
    """allauth's `authenticator_added` receiver: the session that just enrolled a factor has passed it."""
    if request is not None and user is not None and getattr(request, "session", None) is not None:
        request.session[ENROLLED_SESSION_KEY] = str(user.pk)


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """The last TOTP or WebAuthn factor of a user who must have MFA stays (W24); recovery codes follow it."""
        if authenticator.type not in FACTOR_TYPES or not mfa_required(authenticator.user):
            return True
        others = Authenticator.objects.filter(user_id=authenticator.user_id, type__in=FACTOR_TYPES)
        return others.exclude(pk=authenticator.pk).exists()

    def get_totp_issuer(self) -> str:
        return str(settings.MFA_TOTP_ISSUER or "organizer_pm")


class _FailClosedMixin:
    """Check the code only while the cache that records used TOTP codes answers (docs/specs/portal.md §7).

    The cache fails open for everything else; a replay mark that cannot be written would let a code be used
    twice, so the form refuses with a clear message instead (never a 500). Recovery codes, stored in the
    database, are refused too: one rule for every second factor is easier to explain than a partial outage.
    """

    def clean_code(self) -> str:
        if not cache_reachable():
            raise ValidationError(MFA_UNAVAILABLE_MSG, code="mfa_unavailable")
        try:
            return super().clean_code()  # type: ignore[misc]
        except CacheUnavailable as exc:
            raise ValidationError(MFA_UNAVAILABLE_MSG, code="mfa_unavailable") from exc


class FailClosedAuthenticateForm(_FailClosedMixin, AuthenticateForm):
    pass


class FailClosedReauthenticateForm(_FailClosedMixin, ReauthenticateForm):
    pass
