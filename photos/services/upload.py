"""A photo upload: checked and re-encoded in the request (an original carrying GPS never waits in a queue),
files written first, then the row, inside one transaction; a failure deletes the files it wrote, and the
nightly sweep (photos.tasks) removes any that a later rollback orphaned."""

from __future__ import annotations

import hashlib
import uuid
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from clients.models import Space
from operations.models import Appointment
from photos import processing
from photos.models import Photo

SPACE_LABEL_MAX = 80


def photo_limits() -> processing.Limits:
    return processing.Limits(
        max_bytes=settings.PHOTO_MAX_UPLOAD_BYTES,
        max_pixels=settings.PHOTO_MAX_PIXELS,
        display_edge=settings.PHOTO_DISPLAY_MAX_EDGE,
        thumb_edge=settings.PHOTO_THUMB_MAX_EDGE,
    )


def photo_upload(
    *, visit: Appointment, actor: Any, stream: IO[bytes], size: int, stage: str, space_label: str = "",
    caption: str = "", shared_with_client: bool = True,
) -> Photo:  # fmt: skip
    """Store one photo of `visit` (the caller has checked the user may see the visit). A space label names a
    space of the visit's site, created on first use, so consent can later be set per room."""
    if stage not in Photo.Stage.values:
        raise ValidationError("Choose before, during or after.", code="stage")
    try:
        result = processing.process(stream, size=size, limits=photo_limits())
    except processing.PhotoRejected as exc:
        raise ValidationError(exc.message, code=exc.code) from None
    photo_id = uuid.uuid4()
    now = timezone.now()
    folder = f"photos/{now:%Y}/{now:%m}/{photo_id}"
    written: list[str] = []
    try:
        written.append(default_storage.save(f"{folder}_d.jpg", ContentFile(result.display)))
        written.append(default_storage.save(f"{folder}_t.jpg", ContentFile(result.thumb)))
        with transaction.atomic():
            photo = Photo.objects.create(
                id=photo_id, client_id=visit.client_id, site_id=visit.site_id, visit=visit,
                space=space_for_label(visit.site_id, space_label), stage=stage, caption=caption.strip()[:300],
                taken_at=_taken_at(result.taken_at, visit, now), uploaded_by=actor,
                display=written[0], thumb=written[1], width=result.width, height=result.height,
                bytes=len(result.display), sha256=hashlib.sha256(result.display).hexdigest(),
                shared_with_client=shared_with_client,
            )  # fmt: skip
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise
    return photo


def space_for_label(site_id: int, label: str) -> Space | None:
    """The site's space of that name (any case), created on first use; None for an empty label."""
    name = " ".join(label.split())[:SPACE_LABEL_MAX]
    if not name:
        return None
    existing = Space.objects.filter(site_id=site_id, name__iexact=name).first()
    if existing:
        return existing
    space, _ = Space.objects.get_or_create(site_id=site_id, name=name)
    return space


def _taken_at(exif_time: Any, visit: Appointment, now: Any) -> Any:
    """EXIF wall time in the site's zone; the upload time when absent or implausible (future, before 1990)."""
    if exif_time is None or exif_time.year < 1990:
        return now
    aware = exif_time.replace(tzinfo=ZoneInfo(visit.site.time_zone))
    return now if aware > now else aware
