"""The client's own records: intake answers, contact record, site access (docs/specs/portal.md §3)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.http import AuthedHttpRequest, form_add_service_error
from clients import portal_selectors, portal_services
from clients.models import Client
from organizer_pm.portal import forms, selectors
from organizer_pm.portal.views.common import portal_view

INTAKE_SAVED_MSG = "Thank you: your answers are saved and the office has been told."
PROFILE_SAVED_MSG = "Your details are saved."
ENTRY_CODE_SAVED_MSG = "The new entry code is saved. For your safety it is never shown again."


@portal_view
@require_http_methods(["GET", "POST"])
def intake(request: AuthedHttpRequest, client: Client) -> HttpResponse:
    form = forms.IntakeForm(
        request.POST if request.method == "POST" else None, instance=selectors.intake_of(client=client)
    )
    if request.method == "POST" and form.is_valid():
        try:
            portal_services.portal_intake_update(user=request.user, client=client, data=form.cleaned_data)
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, INTAKE_SAVED_MSG)
            return redirect("portal:intake")
    return render(request, "portal/intake.html", {"form": form, "client_name": client.name})


@portal_view
@require_http_methods(["GET", "POST"])
def profile(request: AuthedHttpRequest, client: Client) -> HttpResponse:
    contact = portal_selectors.portal_contact_for(user=request.user, client=client)
    if contact is None:
        raise Http404
    form = forms.ContactForm(request.POST if request.method == "POST" else None, instance=contact)
    if request.method == "POST" and form.is_valid():
        try:
            portal_services.portal_contact_update(
                user=request.user,
                client=client,
                contact=contact,
                data=form.cleaned_data,
            )
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, PROFILE_SAVED_MSG)
            return redirect("portal:profile")
    context = {"form": form, "contact": selectors.portal_contact(contact=contact), "client_name": client.name}
    return render(request, "portal/profile.html", context)


@portal_view
@require_http_methods(["GET", "POST"])
def site_access(request: AuthedHttpRequest, client: Client) -> HttpResponse:
    sites = selectors.portal_sites(client=client)
    form = forms.EntryCodeForm(
        request.POST if request.method == "POST" else None, sites=[(s.pk, s.label) for s in sites]
    )
    if request.method == "POST" and form.is_valid():
        try:
            portal_services.portal_entry_code_set(
                user=request.user,
                client=client, site_id=form.cleaned_data["site"], code=form.cleaned_data["entry_code"],
            )  # fmt: skip
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, ENTRY_CODE_SAVED_MSG)
            return redirect("portal:access")
    return render(request, "portal/access.html", {"sites": sites, "form": form, "client_name": client.name})
