"""The client's projects (milestones and progress) and bills (open invoices, credit, package hours)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.http import AuthedHttpRequest
from clients.models import Client
from organizer_pm.portal import selectors
from organizer_pm.portal.views.common import client_ids, portal_view
from projects import portal_selectors as project_selectors


@portal_view
def project_list(request: AuthedHttpRequest, client: Client) -> HttpResponse:
    projects = project_selectors.portal_projects(client_ids=client_ids(client))
    return render(request, "portal/project_list.html", {"projects": projects, "client_name": client.name})


@portal_view
def project_detail(request: AuthedHttpRequest, client: Client, pk: int) -> HttpResponse:
    project = project_selectors.portal_project_get(client_ids=client_ids(client), pk=pk)
    return render(request, "portal/project_detail.html", {"project": project})


@portal_view
def bills(request: AuthedHttpRequest, client: Client) -> HttpResponse:
    today = timezone.localdate()
    context = {"client_name": client.name, **selectors.portal_bills(client=client, on=today)}
    return render(request, "portal/bills.html", context)
