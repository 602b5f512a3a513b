"""Photo files, only through these permission-checked views (MEDIA_URL is never served)."""

from __future__ import annotations

import uuid

from django.http import FileResponse, HttpResponse
from django.views.decorators.http import require_GET

from accounts.http import AuthedHttpRequest
from photos import selectors
from photos.http import photo_file_response


@require_GET
def photo_display(request: AuthedHttpRequest, pk: uuid.UUID) -> HttpResponse | FileResponse:
    return photo_file_response(selectors.photo_get_for_file(user=request.user, pk=pk), "display")


@require_GET
def photo_thumb(request: AuthedHttpRequest, pk: uuid.UUID) -> HttpResponse | FileResponse:
    return photo_file_response(selectors.photo_get_for_file(user=request.user, pk=pk), "thumb")


@require_GET
def photo_download(request: AuthedHttpRequest, pk: uuid.UUID) -> HttpResponse | FileResponse:
    """The display JPEG as an attachment, for those who may see the photo with its client (not the gallery)."""
    return photo_file_response(selectors.photo_get_for_user(user=request.user, pk=pk), "display", download=True)
