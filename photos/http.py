"""The one way a photo file leaves the server, for staff views here and the portal's view: after the caller's
permission check, with headers that keep it out of caches and stop content sniffing (docs/specs/portal.md §5).
In production nginx sends the bytes (X-Accel-Redirect to an `internal` location); no URL ever names MEDIA_URL."""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse

from photos.models import Photo

VARIANTS = ("display", "thumb")


def photo_file_response(photo: Photo, variant: str, *, download: bool = False) -> HttpResponse | FileResponse:
    if variant not in VARIANTS:
        raise Http404
    field = getattr(photo, variant)
    prefix = settings.PHOTO_X_ACCEL_PREFIX
    response: HttpResponse | FileResponse
    if prefix:
        response = HttpResponse(b"", content_type="image/jpeg")
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + field.name
    else:
        try:
            handle = field.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(handle, content_type="image/jpeg")
    if download:
        response["Content-Disposition"] = f'attachment; filename="{photo.pk}.jpg"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
