"""The portal session: its clock (idle and absolute limits) and which client it shows (docs/specs/portal.md §2)."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from accounts import access
from clients import portal_selectors, portal_services
from clients.models import Client

LOGIN_AT = "portal_login_at"
SEEN_AT = "portal_seen_at"
CLIENT_ID = "portal_client_id"
WELCOME = "portal_welcome"


def portal_login_stamp(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """On a portal user's sign-in: start the session clock and record the sign-in (access active, invitation
    accepted). The rule lives in the clients service; this receiver only hands the event over."""
    if request is None or not access.is_portal_user(user):
        return
    now = time.time()
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now
    request.session.pop(WELCOME, None)
    portal_services.portal_signed_in(user=user)


def session_expired(request: HttpRequest, now: float) -> bool:
    login_at = request.session.get(LOGIN_AT)
    seen_at = request.session.get(SEEN_AT, login_at)
    if login_at is None or seen_at is None:
        return True  # a session that never went through a sign-in
    return (
        now - float(login_at) > settings.PORTAL_SESSION_ABSOLUTE_SECONDS
        or now - float(seen_at) > settings.PORTAL_SESSION_IDLE_SECONDS
    )


def clients_of(request: HttpRequest) -> list[Client]:
    """The clients the signed-in portal user may see, read once per request (never across requests)."""
    if not hasattr(request, "_portal_clients"):
        request._portal_clients = list(portal_selectors.portal_clients_for(user=request.user))  # type: ignore[attr-defined]
    return request._portal_clients  # type: ignore[attr-defined,no-any-return]


def current_client(request: HttpRequest) -> Client | None:
    """The client the portal shows: the one picked in the switcher if the user still may see it, else the first.
    Checked again on every request."""
    clients = clients_of(request)
    if not clients:
        return None
    chosen = request.session.get(CLIENT_ID)
    return next((c for c in clients if c.pk == chosen), clients[0])
