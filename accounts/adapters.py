from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.urls import reverse

from accounts import access


class AccountAdapter(DefaultAccountAdapter):
    """No public sign-up: the owner creates every account from the team page."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Portal users land on the portal: for them the staff app does not exist (docs/specs/portal.md)."""
        if access.is_portal_user(request.user):
            return reverse("portal:home")
        return str(super().get_login_redirect_url(request))


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The login email as axes' lockout key: allauth authenticates with `email=`, the form posts `login`."""
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username") or request.POST.get("login")
    return value.strip().lower() if value else None
