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
from photos.forms import PhotoEditForm
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
    context = {"photo": photo, "form": form, "can_delete": access.is_owner(request.user)}
    return render(request, "photos/photo_edit.html", context, status=status)


@require_POST
@access.owner_required
def photo_delete(request: AuthedHttpRequest, pk: uuid.UUID) -> HttpResponse:
    photo = selectors.photo_get_for_user(user=request.user, pk=pk)
    visit_url = photo.visit.get_absolute_url()
    photo_services.photo_delete(photo=photo, actor=request.user)
    messages.success(request, "Photo deleted.")
    return redirect(visit_url)
