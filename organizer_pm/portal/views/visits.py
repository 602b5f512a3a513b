"""The client's visits: list, one visit, reschedule request and cancel (docs/specs/portal.md §3, §4)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthedHttpRequest, form_add_service_error
from clients.models import Client
from operations.selectors import portal as visit_selectors
from operations.services import portal as visit_services
from organizer_pm.portal import forms, session
from organizer_pm.portal.views.common import client_ids, portal_view

REQUESTED_MSG = "Your request was sent. The office will confirm a new time."
ALREADY_REQUESTED_MSG = "You already asked to move this visit; the office will answer soon."
CANCELLED_MSG = "The visit is cancelled."


def _policy() -> dict[str, object]:
    return {"late_hours": settings.LATE_CANCEL_HOURS, "business_phone": settings.PORTAL_BUSINESS_PHONE}


@portal_view
def home(request: AuthedHttpRequest, client: Client) -> HttpResponse:
    visits = visit_selectors.portal_visits(client_ids=client_ids(client), now=timezone.now(), past_limit=3)
    context = {
        "client_name": client.name,
        "clients": [(c.pk, c.name) for c in session.clients_of(request)],
        "current_id": client.pk,
        "next_visit": visits["upcoming"][0] if visits["upcoming"] else None,
        "upcoming_count": len(visits["upcoming"]),
        "recent": visits["past"],
    }
    return render(request, "portal/home.html", context)


@portal_view
@require_POST
def switch_client(request: AuthedHttpRequest, client: Client) -> HttpResponse:
    wanted = request.POST.get("client", "")
    allowed = {c.pk for c in session.clients_of(request)}
    if wanted.isdigit() and int(wanted) in allowed:
        request.session[session.CLIENT_ID] = int(wanted)
    return redirect("portal:home")


@portal_view
def visit_list(request: AuthedHttpRequest, client: Client) -> HttpResponse:
    visits = visit_selectors.portal_visits(client_ids=client_ids(client), now=timezone.now())
    return render(request, "portal/visit_list.html", {"client_name": client.name, **visits})


@portal_view
def visit_detail(request: AuthedHttpRequest, client: Client, pk: int) -> HttpResponse:
    visit = visit_selectors.portal_visit_get(client_ids=client_ids(client), pk=pk, now=timezone.now())
    context = {
        "visit": visit,
        "requests": visit_selectors.portal_visit_requests(client_ids=client_ids(client), pk=pk),
        **_policy(),
    }
    return render(request, "portal/visit_detail.html", context)


def _service_refusal(request: HttpRequest, exc: ValidationError, visit: object) -> HttpResponse:
    """A visit that may no longer be changed online: 409 with the policy and the business phone (or 404 for an
    id outside the user's clients, the same as a missing one)."""
    if getattr(exc, "code", None) == "not_found":
        raise Http404
    return render(request, "portal/refused.html", {"visit": visit, "reasons": exc.messages, **_policy()}, status=409)


@portal_view
@require_http_methods(["GET", "POST"])
def visit_reschedule(request: AuthedHttpRequest, client: Client, pk: int) -> HttpResponse:
    now = timezone.now()
    visit = visit_selectors.portal_visit_get(client_ids=client_ids(client), pk=pk, now=now)
    if visit.pending_request is not None and visit.pending_request.kind == "reschedule":
        messages.info(request, ALREADY_REQUESTED_MSG)
        return redirect("portal:visit_detail", pk=pk)
    form = forms.RescheduleRequestForm(request.POST if request.method == "POST" else None)
    if not (visit.is_upcoming and visit.change_is_free):
        return render(request, "portal/refused.html", {"visit": visit, **_policy()}, status=409)
    if request.method == "POST" and form.is_valid():
        try:
            _, created = visit_services.visit_reschedule_request(
                user=request.user, appointment_id=pk, preferred_windows=form.windows(),
                note=form.cleaned_data["note"], now=now,
            )  # fmt: skip
        except ValidationError as exc:
            if getattr(exc, "code", None) in ("not_found", "started", "not_upcoming", "inside_window"):
                return _service_refusal(request, exc, visit)
            form_add_service_error(form, exc)
        else:
            messages.success(request, REQUESTED_MSG if created else ALREADY_REQUESTED_MSG)
            return redirect("portal:visit_detail", pk=pk)
    return render(request, "portal/visit_reschedule.html", {"visit": visit, "form": form, **_policy()})


@portal_view
@require_http_methods(["GET", "POST"])
def visit_cancel(request: AuthedHttpRequest, client: Client, pk: int) -> HttpResponse:
    now = timezone.now()
    visit = visit_selectors.portal_visit_get(client_ids=client_ids(client), pk=pk, now=now)
    form = forms.CancelForm(request.POST if request.method == "POST" else None)
    if not visit.is_upcoming:
        return render(request, "portal/refused.html", {"visit": visit, **_policy()}, status=409)
    if request.method == "POST" and form.is_valid():
        try:
            visit_services.visit_cancel_by_client(
                user=request.user,
                appointment_id=pk, acknowledge_late=form.cleaned_data["acknowledge_late"], now=now,
            )  # fmt: skip
        except ValidationError as exc:
            if getattr(exc, "code", None) in ("not_found", "started", "not_upcoming"):
                return _service_refusal(request, exc, visit)
            form_add_service_error(form, exc)
        else:
            messages.success(request, CANCELLED_MSG)
            return redirect("portal:visit_detail", pk=pk)
    return render(request, "portal/visit_cancel.html", {"visit": visit, "form": form, **_policy()})
