"""The office's side of the portal: who has access to a client (invite, revoke) and the clients' change
requests (accept through the booking service, or decline). Owner and office only; portal users never get here
(the boundary answers 404 outside /portal/)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access
from accounts.http import AuthedHttpRequest, form_add_service_error
from clients import portal_selectors, portal_services
from clients import selectors as client_selectors
from clients.models import Contact
from operations import recurrence
from operations.selectors import portal as request_selectors
from operations.services import portal as request_services
from organizer_pm.portal import forms

INVITED_MSG = "Invitation sent to %(email)s."
REVOKED_MSG = "Portal access revoked."
ACCEPTED_MSG = "The visit was moved and the request accepted."
DECLINED_MSG = "The request was declined."


@require_GET
@access.staff_required
def client_panel(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    client = client_selectors.client_get_for_user(user=request.user, pk=pk)
    grants = portal_selectors.portal_accesses_for_client(user=request.user, client=client)
    by_contact = {g.contact_id: g for g in grants}
    rows = [(c, by_contact.get(c.pk)) for c in client.contacts.all()]
    return render(request, "portal/office/client_panel.html", {"client": client, "rows": rows, "grants": grants})


@require_POST
@access.staff_required
def invite(request: AuthedHttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    client = client_selectors.client_get_for_user(user=request.user, pk=pk)
    contact = get_object_or_404(Contact.objects.select_related("client"), pk=contact_pk, client=client)
    try:
        portal_services.portal_invite(actor=request.user, contact=contact)
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    else:
        messages.success(request, INVITED_MSG % {"email": contact.email})
    return redirect(contact.client.get_absolute_url())


@require_POST
@access.staff_required
def revoke(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    grant = portal_selectors.portal_access_get_for_staff(user=request.user, pk=pk)
    portal_services.portal_access_revoke(actor=request.user, grant=grant)
    messages.success(request, REVOKED_MSG)
    return redirect(grant.client.get_absolute_url())


@require_GET
@access.staff_required
def request_list(request: AuthedHttpRequest) -> HttpResponse:
    status = request.GET.get("status", "pending")
    if status not in ("pending", "accepted", "declined"):
        status = "pending"
    found = request_selectors.change_requests_for_staff(user=request.user, status=status)[:200]
    return render(request, "portal/office/request_list.html", {"requests": found, "status": status})


@require_http_methods(["GET", "POST"])
@access.staff_required
def request_decide(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """One request: accept with a new time (POST action=accept) or decline with a message (action=decline)."""
    change = request_selectors.change_request_get_for_staff(user=request.user, pk=pk)
    visit = change.appointment
    zone = ZoneInfo(visit.site.time_zone)
    local = visit.starts.astimezone(zone)
    duration = int((visit.ends - visit.starts).total_seconds() // 60)
    initial = {"day": local.date(), "start_time": local.time().replace(second=0), "duration_min": duration}
    action = request.POST.get("action")
    accept_form = forms.AcceptForm(request.POST if action == "accept" else None, initial=initial)
    decline_form = forms.DeclineForm(request.POST if action == "decline" else None)
    if action == "accept" and accept_form.is_valid():
        d = accept_form.cleaned_data
        starts = recurrence.local_to_utc(datetime.combine(d["day"], d["start_time"]), zone.key)
        try:
            request_services.change_request_accept(
                actor=request.user, change_request=change, starts=starts,
                ends=starts + timedelta(minutes=d["duration_min"]), allow_outside_hours=d["allow_outside_hours"],
                now=timezone.now(),
            )  # fmt: skip
        except ValidationError as exc:
            form_add_service_error(accept_form, exc, at={"past_start": "start_time"})  # T47
        else:
            messages.success(request, ACCEPTED_MSG)
            return redirect("portal_office:request_list")
    elif action == "decline" and decline_form.is_valid():
        try:
            request_services.change_request_decline(
                actor=request.user, change_request=change, message=decline_form.cleaned_data["message"]
            )
        except ValidationError as exc:
            form_add_service_error(decline_form, exc)
        else:
            messages.success(request, DECLINED_MSG)
            return redirect("portal_office:request_list")
    context = {
        "change": change,
        "visit": visit,
        "local": local,
        "accept_form": accept_form,
        "decline_form": decline_form,
    }
    return render(request, "portal/office/request_decide.html", context)
