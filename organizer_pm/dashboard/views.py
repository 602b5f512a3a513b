"""Home pages that fit the role. The dashboard composes other apps' selectors and holds no rules."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts import access
from accounts.http import AuthedHttpRequest
from clients import selectors as client_selectors
from organizer_pm.dashboard import selectors, views_kpi
from organizer_pm.dashboard.timeline import client_timeline_for_user


@require_GET
def home(request: AuthedHttpRequest) -> HttpResponse:
    """The owner's KPI dashboard, the office's day, or the organizer's My day and week (docs/specs/kpis.md §4)."""
    user = request.user
    if access.is_owner(user):
        return views_kpi.owner_dashboard(request)
    if access.is_staff_role(user):
        return render(request, "dashboard/home_office.html", selectors.office_home(user=user))
    clients = client_selectors.client_search_for_user(user=user)[:50]
    context = {"clients": clients, **selectors.organizer_home(user=user)}
    return render(request, "dashboard/home_organizer.html", context)


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Load balancer probe: the web process answers and the database is reachable. No details leak."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_GET
def client_timeline(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The client page's timeline panel, loaded with hx-get (docs/specs/one-schedule.md §5): a client outside the
    user's scope is a 404, as on the client page itself."""
    client = client_selectors.client_get_for_user(user=request.user, pk=pk)
    timeline = client_timeline_for_user(user=request.user, client_id=client.pk)
    return render(request, "dashboard/client_timeline.html", {"client": client, "timeline": timeline})
