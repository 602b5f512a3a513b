"""Editing a photo (organizers on their visits' photos; owner and office on all, hiding included) and the owner's
permanent delete."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts import access
from accounts.http import AuthedHttpRequest, form_add_service_error
from photos import selectors
from photos.forms import PhotoCapForm, PhotoEditForm
from photos.services import consent as consent_services
from photos.services import photo as photo_services


@never_cache
@require_http_methods(["GET", "POST"])
def photo_edit(request: AuthedHttpRequest, pk: uuid.UUID) -> HttpResponse:
    photo = selectors.photo_get_for_user(user=request.user, pk=pk)
    can_hide = access.is_staff_role(request.user)
    initial = {
        "stage": photo.stage, "space_label": photo.space.name if photo.space else "", "caption": photo.caption,
        "shared_with_client": photo.shared_with_client, "portfolio_candidate": photo.portfolio_candidate,
        "hidden": photo.hidden_at is not None,
    }  # fmt: skip
    form = PhotoEditForm(request.POST or None, initial=initial, can_hide=can_hide)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            photo_services.photo_update(photo=photo, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_error(form, exc)
            status = 400
        else:
            messages.success(request, "Photo updated.")
            return redirect(photo.visit.get_absolute_url())
    elif request.method == "POST":
        status = 400
    context = {
        "photo": photo, "form": form, "can_delete": access.is_owner(request.user),
        "cap_form": PhotoCapForm(initial={"level": "none" if photo.consent_cap is None else str(photo.consent_cap)})
        if can_hide else None,
    }  # fmt: skip
    return render(request, "photos/photo_edit.html", context, status=status)


@require_POST
@access.staff_required
def photo_cap(request: AuthedHttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Owner and office cap one photo's consent level (a raise needs a basis, like any raise by staff). Back to
    the edit page either way, with what was saved or why not."""
    photo = selectors.photo_get_for_user(user=request.user, pk=pk)
    form = PhotoCapForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a cap (and, to raise one, a basis and its date).")
        return redirect("photos:photo_edit", pk=photo.pk)
    try:
        consent_services.consent_set_by_staff(
            actor=request.user, client=photo.client, photo=photo, **form.service_kwargs()
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Photo consent cap saved.")
    return redirect("photos:photo_edit", pk=photo.pk)


@require_POST
@access.owner_required
def photo_delete(request: AuthedHttpRequest, pk: uuid.UUID) -> HttpResponse:
    photo = selectors.photo_get_for_user(user=request.user, pk=pk)
    visit_url = photo.visit.get_absolute_url()
    photo_services.photo_delete(photo=photo, actor=request.user)
    messages.success(request, "Photo deleted.")
    return redirect(visit_url)
