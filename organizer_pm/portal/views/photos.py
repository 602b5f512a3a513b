"""The client's shared photos (before/after per space), their files, and photo consent (docs/specs/portal.md
§10, W8, W16, W48). Files leave only through `photos.http.photo_file_response` after the portal's own lookup:
another client's photo, an unshared or a hidden one answers the same 404 as a missing id."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.http import AuthedHttpRequest, form_add_service_error
from clients.models import Client
from organizer_pm.portal import forms, photo_selectors
from organizer_pm.portal.views.common import client_ids, portal_view
from photos import http as photo_http
from photos import selectors
from photos.services import consent as consent_services

CONSENT_SAVED_MSG = "Your choice is saved and applies from now on."


@portal_view
def photo_list(request: AuthedHttpRequest, client: Client) -> HttpResponse:
    spaces = photo_selectors.portal_photo_spaces(client_id=client.pk)
    zone = photo_selectors.client_zone(client_id=client.pk)
    return render(request, "portal/photos.html", {"spaces": spaces, "client_name": client.name, "zone": zone})


@portal_view
def photo_detail(request: AuthedHttpRequest, client: Client, pk: uuid.UUID) -> HttpResponse:
    photo = photo_selectors.portal_photo(client_id=client.pk, pk=pk)
    if photo is None:
        raise Http404
    zone = photo_selectors.client_zone(client_id=client.pk)  # the time is labelled with it (T48)
    return render(request, "portal/photo_detail.html", {"photo": photo, "zone": zone})


def _file(client: Client, pk: uuid.UUID, variant: str) -> HttpResponse | FileResponse:
    photo = selectors.photo_shared_with_client_get(client_ids=client_ids(client), pk=pk)
    return photo_http.photo_file_response(photo, variant)


@portal_view
def photo_display(request: AuthedHttpRequest, client: Client, pk: uuid.UUID) -> HttpResponse | FileResponse:
    return _file(client, pk, "display")


@portal_view
def photo_thumb(request: AuthedHttpRequest, client: Client, pk: uuid.UUID) -> HttpResponse | FileResponse:
    return _file(client, pk, "thumb")


def _consent_target(client: Client, scope: str) -> dict[str, object]:
    """The space or photo a posted scope names, among the client's own; anything else is a 404."""
    kind, _, raw = scope.partition("-")
    if scope == "client":
        return {}
    try:
        if kind == "space":
            return {"space": get_object_or_404(selectors.client_spaces(client_id=client.pk), pk=int(raw))}
        if kind == "photo":
            return {"photo": selectors.photo_shared_with_client_get(client_ids=client_ids(client), pk=uuid.UUID(raw))}
    except ValueError:
        pass
    raise Http404


@portal_view
@require_http_methods(["GET", "POST"])
def consent(request: AuthedHttpRequest, client: Client) -> HttpResponse:
    scopes = photo_selectors.consent_scope_choices(client_id=client.pk)
    form = forms.PhotoConsentForm(request.POST if request.method == "POST" else None, scopes=scopes)
    if request.method == "POST" and form.is_valid():
        target = _consent_target(client, form.cleaned_data["scope"])
        try:
            consent_services.consent_set_by_client(
                actor=request.user,
                client=client,
                level=form.level_value(),
                **target,  # type: ignore[arg-type]
            )
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, CONSENT_SAVED_MSG)
            return redirect("portal:consent")
    context = {
        "form": form,
        "client_name": client.name,
        "withdrawal": photo_selectors.WITHDRAWAL_WORDS,
        "levels": photo_selectors.level_explanations(),
        "zone": photo_selectors.client_zone(client_id=client.pk),  # "set on …" times, labelled (T48)
        **photo_selectors.portal_consent(client_id=client.pk),
    }
    return render(request, "portal/consent.html", context)
