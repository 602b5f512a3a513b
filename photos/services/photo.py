"""Editing and deleting a photo (docs/specs/portal.md §5): organizers edit stage, space, caption, sharing and the
portfolio-candidate flag on photos of their visits; owner and office also hide or show a photo; only the owner
deletes one for good (files, history rows and portfolio uses go with it)."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from accounts import access
from photos.models import Photo
from photos.services.upload import space_for_label

OWNER_ONLY_MSG = "Only the owner can delete a photo."


def photo_update(
    *, photo: Photo, actor: Any, stage: str, space_label: str, caption: str, shared_with_client: bool,
    portfolio_candidate: bool, hidden: bool | None = None,
) -> Photo:  # fmt: skip
    """`hidden` is applied for owner and office only (None or an organizer: unchanged)."""
    if stage not in Photo.Stage.values:
        raise ValidationError("Choose before, during or after.", code="stage")
    photo.stage = stage
    photo.space = space_for_label(photo.site_id, space_label)
    photo.caption = caption.strip()[:300]
    photo.shared_with_client = shared_with_client
    photo.portfolio_candidate = portfolio_candidate
    if hidden is not None and access.is_staff_role(actor) and hidden != (photo.hidden_at is not None):
        photo.hidden_at, photo.hidden_by = (timezone.now(), actor) if hidden else (None, None)
    photo.save()
    return photo


def photo_delete(*, photo: Photo, actor: Any) -> None:
    """For good: the row, its uses and takedowns (cascade), its history events, then its two files."""
    if not access.is_owner(actor):
        raise ValidationError(OWNER_ONLY_MSG, code="owner_only")
    names = [photo.display.name, photo.thumb.name]
    with transaction.atomic():
        pk = photo.pk
        photo.delete()
        # After the delete: its trigger has just written the last event, which goes too.
        apps.get_model("photos", "PhotoEvent").objects.filter(pgh_obj_id=pk).delete()
        transaction.on_commit(lambda: _delete_files(names))


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)
