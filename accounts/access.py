"""Role checks that every view and selector goes through.

Two rules: a function the role may not use answers 403 (`role_required`); an object outside the user's scope
answers 404, identical to a missing id (each app's `<entity>_get_for_user` selectors, built on these checks).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from accounts.models import User

logger = logging.getLogger("organizer_pm.authz")

OWNER = User.Role.OWNER
OFFICE = User.Role.OFFICE
ORGANIZER = User.Role.ORGANIZER
PORTAL = User.Role.PORTAL
STAFF_ROLES = (OWNER, OFFICE)
TEAM_ROLES = (OWNER, OFFICE, ORGANIZER)  # everyone who works for the business; portal users are clients


def has_role(user: Any, *roles: str) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.role in roles)


def is_owner(user: Any) -> bool:
    return has_role(user, OWNER)


def is_staff_role(user: Any) -> bool:
    """Owner or office staff: they see the whole business."""
    return has_role(user, *STAFF_ROLES)


def is_organizer(user: Any) -> bool:
    return has_role(user, ORGANIZER)


def is_portal_user(user: Any) -> bool:
    """A client's contact signed in to the portal (docs/specs/portal.md). The one check every part of the app
    uses to tell portal users apart: the portal boundary, the sign-in-code and password-reset forms, and the MFA
    middleware's exemption."""
    return has_role(user, PORTAL)


def log_denied(request: HttpRequest, reason: str) -> None:
    """Record a refused request (docs/specs/security.md SL2): who, where and why; never the object's fields."""
    user_id = getattr(request.user, "pk", None)
    logger.warning("authz_denied user=%s path=%s reason=%s", user_id, request.path, reason)


def role_required(*roles: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Allow the view only to the given roles; others get 403 (login is already enforced by middleware)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_role(request.user, *roles):
                log_denied(request, "role")
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


staff_required = role_required(*STAFF_ROLES)
owner_required = role_required(OWNER)


def require(request: HttpRequest, allowed: bool, reason: str = "role") -> None:
    """For object views: after the object was found in the user's scope (else 404), check the function."""
    if not allowed:
        log_denied(request, reason)
        raise PermissionDenied
