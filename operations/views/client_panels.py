"""Panels the client page loads with hx-get (the clients app sits below operations and never imports it)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.http import AuthedHttpRequest
from clients import selectors as client_selectors
from operations.selectors import visits as selectors


@require_GET
def client_visits_panel(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The client's repeating visits in words and the next visits (scoped: a foreign client is a 404)."""
    client = client_selectors.client_get_for_user(user=request.user, pk=pk)
    series, upcoming = selectors.client_visits_panel_for_user(user=request.user, client_id=client.pk)
    context = {"client": client, "series": series, "upcoming": upcoming}
    return render(request, "operations/partials/client_visits.html", context)
