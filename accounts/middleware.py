"""Request-wide concerns of a signed-in viewer: their time zone, responses no cache may keep, their second factor.

TimezoneMiddleware: Django stores UTC and converts aware datetimes to the *current* time zone when templates
display them; without it every page would show UTC. Pages that show a visit in its site's zone convert
explicitly.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import resolve_url
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django_htmx.http import HttpResponseClientRedirect

from accounts import mfa


class TimezoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        timezone.activate(zoneinfo.ZoneInfo(viewer_time_zone(request)))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def viewer_time_zone(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    # Only organizers have a profile: asking staff for one would cost a query on every request.
    if user is None or not user.is_authenticated or user.role != "organizer":
        return str(settings.BUSINESS_TIME_ZONE)
    profile = getattr(user, "organizer_profile", None)
    return profile.time_zone if profile is not None else str(settings.BUSINESS_TIME_ZONE)


class NoStoreWhenSignedInMiddleware:
    """Every response to a signed-in user carries `Cache-Control: no-store` (docs/specs/security.md).

    Pages and JSON behind the login hold client names, addresses and entry codes: a shared computer's browser
    cache or a proxy must not keep them for the next person. Public pages (login) keep their own headers, and
    static files never get here (whitenoise answers them first).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)  # read after the view: a login POST answers as the new user
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


class RequireMFAMiddleware:
    """Second factor enforcement (docs/specs/portal.md §7, security.md SA6); runs after AccountMiddleware.

    A session that passed a second factor (or enrolled one) goes through at no cost: no query. Otherwise:
    1. the user has a factor but this session never passed it (an admin login, `force_login`, a session from
       before the rollout or before enrolling in another browser): log out and go to login;
    2. the user must have MFA and has none: every path outside the enrolment allow list goes to TOTP
       activation (htmx gets `HX-Redirect`, JSON a 403 with code `mfa_enrolment_required`).
    """

    ALLOWED_URL_NAMES = frozenset(
        {
            "mfa_activate_totp",
            "mfa_view_recovery_codes",
            "mfa_download_recovery_codes",
            "mfa_generate_recovery_codes",
            "mfa_add_webauthn",
            "mfa_index",
            "account_reauthenticate",
            "account_logout",
            "dashboard:healthz",
        }
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or mfa.session_passed_mfa(request):
            return self.get_response(request)
        if request.path_info.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return self.get_response(request)
        if mfa.has_second_factor(user):
            logout(request)
            return self._redirect(request, resolve_url(settings.LOGIN_URL))
        if mfa.mfa_required(user) and self._url_name(request) not in self.ALLOWED_URL_NAMES:
            if "application/json" in request.headers.get("Accept", ""):
                return JsonResponse(
                    {"code": "mfa_enrolment_required", "detail": "Set up two-factor authentication first."},
                    status=403,
                )
            return self._redirect(request, reverse("mfa_activate_totp"))
        return self.get_response(request)

    @staticmethod
    def _url_name(request: HttpRequest) -> str | None:
        try:
            return resolve(request.path_info).view_name
        except Resolver404:
            return None

    @staticmethod
    def _redirect(request: HttpRequest, url: str) -> HttpResponse:
        if request.headers.get("HX-Request") == "true":
            return HttpResponseClientRedirect(url)  # a 302 would swap the login page into a fragment
        return HttpResponseRedirect(url)
