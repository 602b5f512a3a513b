"""Portfolio exports and takedowns (docs/specs/portal.md §6): only photos at portfolio level whose
anonymization check is done leave the app, and each use is recorded so a withdrawal can be followed up."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clients.models import Client, ConsentLevel
from photos import selectors
from photos.models import Photo, PortfolioUse, TakedownTask

ANONYMIZATION_CHECKLIST = (
    ("numbers", "No house numbers, street signs or number plates"),
    ("papers", "No mail, documents or screens with names"),
    ("faces", "No faces, family photos or portraits"),
    ("windows", "No view from a window that places the home"),
)
CHECKLIST_MSG = "Tick every item of the anonymization check."
NOT_PORTFOLIO_MSG = "This photo is not cleared for the portfolio (the client's consent is below portfolio)."
NOT_CHECKED_MSG = "Do the anonymization check before using this photo."
CHANNEL_MSG = "Choose where the photo is used."


def photo_anonymization_check(*, photo: Photo, actor: Any, ticked: set[str]) -> Photo:
    if {key for key, _ in ANONYMIZATION_CHECKLIST} - ticked:
        raise ValidationError(CHECKLIST_MSG, code="checklist")
    Photo.objects.filter(pk=photo.pk).update(anonymization_checked_by=actor, anonymization_checked_at=timezone.now())
    photo.refresh_from_db()
    return photo


def portfolio_use_record(*, photo: Photo, actor: Any, channel: str, url: str = "") -> PortfolioUse:
    """Record an export; the level is read again under the client's row lock (the lock consent changes take), so a
    withdrawal racing the export either comes first (refused) or finds the use and creates its takedown task."""
    if channel not in PortfolioUse.Channel.values:
        raise ValidationError(CHANNEL_MSG, code="channel")
    with transaction.atomic():
        Client.all_objects.select_for_update().filter(pk=photo.client_id).first()
        current = selectors.with_effective_level(Photo.objects.filter(pk=photo.pk)).first()
        if current is None or current.effective_level < ConsentLevel.PORTFOLIO_ANON or current.hidden_at:  # type: ignore[attr-defined]
            raise ValidationError(NOT_PORTFOLIO_MSG, code="not_portfolio")
        if current.anonymization_checked_at is None:
            raise ValidationError(NOT_CHECKED_MSG, code="not_checked")
        return PortfolioUse.objects.create(photo=current, channel=channel, url=url, used_by=actor)


def takedown_done(*, task: TakedownTask, actor: Any) -> TakedownTask:
    TakedownTask.objects.filter(pk=task.pk, done_at__isnull=True).update(done_at=timezone.now(), done_by=actor)
    task.refresh_from_db()
    return task
