"""The portal boundary (docs/specs/portal.md §3).

For a portal user the staff app does not exist: every path outside the portal, the sign-in-code pages, logout
and static files answers 404 (a documented exception to "wrong role is 403"). Each portal request also checks,
afresh, that the user still has a live access, and enforces the portal session's idle and absolute limits; a
failed check logs out and sends the user to the sign-in page. Portal requests are recorded in history with
channel "portal".
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pghistory
from django.conf import settings
from django.contrib.auth import logout
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from accounts import access
from organizer_pm.portal import session


def portal_paths() -> tuple[str, ...]:
    return (
        "/portal/",
        reverse("account_request_login_code"),
        reverse("account_confirm_login_code"),
        reverse("account_logout"),
        reverse("account_inactive"),
        "/" + settings.STATIC_URL.lstrip("/"),
    )


class PortalBoundaryMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if not access.is_portal_user(user):
            response = self.get_response(request)
            if request.path.startswith(portal_paths()):
                add_never_cache_headers(response)  # the sign-in and welcome pages too, before anyone signs in
            return response
        if not request.path.startswith(portal_paths()):
            access.log_denied(request, "portal_boundary")
            raise Http404
        now = time.time()
        if session.session_expired(request, now) or not session.clients_of(request):
            logout(request)
            return redirect("portal:login")
        request.session[session.SEEN_AT] = now
        with pghistory.context(channel="portal"):
            return self.get_response(request)
