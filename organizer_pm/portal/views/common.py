"""What every portal view shares: who may open it and the response headers (docs/specs/portal.md §3, §7)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.views.decorators.cache import never_cache

from accounts import access
from clients.models import Client
from organizer_pm.portal import session

LOGIN_URL = "account_request_login_code"


def portal_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A page for portal users: anonymous visitors go to the sign-in-code page, staff get 403, and a portal user
    without a client left (revoked meanwhile) gets 404. Responses are never cached."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not access.is_portal_user(request.user):
            access.log_denied(request, "portal_only")
            raise PermissionDenied
        client = session.current_client(request)
        if client is None:
            raise PermissionDenied
        return view(request, client, *args, **kwargs)

    return login_required(never_cache(wrapped), login_url=LOGIN_URL)


def client_ids(client: Client) -> list[int]:
    return [client.pk]
