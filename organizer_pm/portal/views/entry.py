"""The way in: the invitation link's hop, the welcome page, the portal's sign-in entry (docs/specs/portal.md §2).

No link signs anyone in. The invitation token is moved out of the address bar at once (303, no-referrer), and
the welcome page always answers 200, whatever the token, so no token is ever logged as a 404 path.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from clients import portal_selectors
from clients.portal_services import token_hash
from organizer_pm.portal import session


def mask_email(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}"


@login_not_required
@never_cache
@require_GET
def welcome_token(request: HttpRequest, token: str) -> HttpResponse:
    request.session[session.WELCOME] = token_hash(token)
    response = redirect("portal:welcome")
    response.status_code = 303
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_not_required
@never_cache
@require_GET
def welcome(request: HttpRequest) -> HttpResponse:
    hashed = request.session.get(session.WELCOME) or ""
    invitation = portal_selectors.invitation_by_hash(token_hash=hashed, now=timezone.now()) if hashed else None
    context = {"business": settings.PORTAL_BUSINESS_NAME, "valid": invitation is not None}
    if invitation is not None:
        context |= {"email": invitation.access.user.email, "masked": mask_email(invitation.access.user.email)}
    return render(request, "portal/welcome.html", context)


@login_not_required
@never_cache
@require_GET
def login(request: HttpRequest) -> HttpResponse:
    """Later sign-ins start here: the e-mailed-code form."""
    return redirect("account_request_login_code")
