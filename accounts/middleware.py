"""Show times in the viewer's zone: an organizer's own IANA zone, the business zone for everyone else.

Django stores UTC and converts aware datetimes to the *current* time zone when templates display them; without
this every page would show UTC. Pages that show a visit in its site's zone convert explicitly.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone


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
