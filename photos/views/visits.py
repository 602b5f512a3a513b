"""Uploading photos to a visit (phone-first, one file per request) and the before/after panels the visit page,
My day and the client page load with hx-get (operations and clients never import photos)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts import access
from accounts.http import AuthedHttpRequest, form_add_service_error
from clients import selectors as client_selectors
from operations.selectors import visits as visit_selectors
from photos import selectors
from photos.forms import PhotoUploadForm
from photos.services import upload as upload_services

UPLOADED_MSG = "Photo saved."


@never_cache
@require_http_methods(["GET", "POST"])
def visit_upload(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """GET: the upload page (works without JavaScript). POST: one photo. A script's request (Accept: JSON) gets
    201 with the new photo, or 400 with the reason; a plain form gets a redirect to the visit or the form again."""
    visit = visit_selectors.appointment_get_for_user(user=request.user, pk=pk)
    wants_json = "application/json" in request.headers.get("Accept", "")
    form = PhotoUploadForm(request.POST or None, request.FILES or None, files_count=len(request.FILES.getlist("photo")))
    status = 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            photo = upload_services.photo_upload(
                visit=visit, actor=request.user, stream=d["photo"], size=d["photo"].size or 0, stage=d["stage"],
                space_label=d["space_label"], caption=d["caption"], shared_with_client=not d["private_shot"],
            )  # fmt: skip
        except ValidationError as exc:
            form_add_service_error(form, exc)
            status = 400
        else:
            if wants_json:
                thumb = reverse("photos:photo_thumb", kwargs={"pk": photo.pk})
                return JsonResponse({"id": str(photo.pk), "thumb": thumb, "stage": photo.stage}, status=201)
            messages.success(request, UPLOADED_MSG)
            return redirect(visit.get_absolute_url())
    elif request.method == "POST":
        status = 400
    if wants_json and status == 400:
        return JsonResponse({"error": " ".join(str(e) for errs in form.errors.values() for e in errs)}, status=400)
    context = {"visit": visit, "form": form, "spaces": selectors.site_spaces(site_id=visit.site_id)}
    return render(request, "photos/upload.html", context, status=status)


@never_cache
@require_GET
def visit_panel(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Before/after pairs per space for one visit (the visit page and My day)."""
    visit = visit_selectors.appointment_get_for_user(user=request.user, pk=pk)
    groups = selectors.visit_photos_for_user(user=request.user, visit=visit)
    context = {"visit": visit, "groups": groups, "compact": request.GET.get("compact") == "1"}
    return render(request, "photos/partials/visit_photos.html", context)


@never_cache
@require_GET
def client_panel(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The client page's photos panel: pairs per space over all visits the user may see."""
    client = client_selectors.client_get_for_user(user=request.user, pk=pk)
    groups = selectors.client_photos_for_user(user=request.user, client=client)
    context = {"client": client, "groups": groups, "is_staff": access.is_staff_role(request.user)}
    return render(request, "photos/partials/client_photos.html", context)
