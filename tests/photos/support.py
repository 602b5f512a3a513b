"""Helpers: upload through the real view, store a photo through the real service, list stored files."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from photos.services import upload as upload_services
from tests.photos import images


def post_photo(
    http: Any, visit: Any, data: bytes, name: str = "p.jpg", ctype: str = "image/jpeg", headers=None, **fields: Any
):
    payload = {"stage": "before", "space_label": "Pantry", **fields, "photo": SimpleUploadedFile(name, data, ctype)}
    return http.post(reverse("photos:visit_upload", kwargs={"pk": visit.pk}), payload, headers=headers or {})


def store(visit: Any, actor: Any, *, stage: str = "before", space: str = "Pantry", shared: bool = True, data=None):
    data = data or images.jpeg()
    return upload_services.photo_upload(
        visit=visit, actor=actor, stream=io.BytesIO(data), size=len(data), stage=stage, space_label=space,
        shared_with_client=shared,
    )  # fmt: skip


def media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []
