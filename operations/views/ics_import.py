"""ICS import (office): upload or paste a calendar, preview what it creates and what it clashes with, confirm.

The preview writes nothing; confirming re-reads the same calendar text (carried in the confirm form) and creates
everything in one transaction through operations.services.ics_import."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts import access
from accounts.http import AuthedHttpRequest, form_add_service_error
from operations.forms.ics_import import IcsImportForm
from operations.services import ics_import as services

DOUBLE_BOOKED_STATUS = 409


@access.staff_required
@require_http_methods(["GET", "POST"])
def ics_import(request: AuthedHttpRequest) -> HttpResponse:
    form = IcsImportForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"form": form, "plan": None}
    status = 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if request.POST.get("action") == "confirm":
            try:
                result = services.ics_import_confirm(
                    data=d["data"], client=d["client"], site=d["site"], appointment_type=d["appointment_type"],
                    organizers=list(d["organizers"]), actor=request.user, now=timezone.now(),
                    allow_outside_hours=d["allow_outside_hours"],
                )  # fmt: skip
            except ValidationError as exc:
                form_add_service_error(form, exc)
                status = DOUBLE_BOOKED_STATUS if getattr(exc, "code", None) == "double_booked" else 200
            else:
                messages.success(request, f"Imported {result.series} series and {result.visits} one-off visit(s).")
                return redirect("operations:calendar")
        else:
            try:
                plan = services.ics_plan(
                    data=d["data"], site=d["site"], organizers=list(d["organizers"]),
                    default_duration_min=d["appointment_type"].default_duration_min,
                    travel_min=d["appointment_type"].default_travel_min, now=timezone.now(),
                )  # fmt: skip
            except ValidationError as exc:
                form_add_service_error(form, exc)
            else:
                context |= {"plan": plan, "calendar_text": form.calendar_text()}
    return render(request, "operations/ics_import.html", context, status=status)
