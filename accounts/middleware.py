"""Request-wide concerns of a signed-in viewer: their time zone, and responses no cache may keep.

TimezoneMiddleware: Django stores UTC and converts aware datetimes to the *current* time zone when templates
display them; without it every page would show UTC. Pages that show a visit in its site's zone convert
explicitly.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers


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
