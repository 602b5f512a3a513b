"""Reads of photos, scoped by user, with the effective consent level computed in the query
(docs/specs/portal.md §6): min(photo cap or 2, space level or client default). Every gallery, export list and
file lookup filters on it, so a withdrawal takes effect on the next request.

The portal calls `photos_shared_with_client`, `photo_shared_with_client_get`, `consent_overview` and
`photo_caps_shared_with_client`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import F, IntegerField, QuerySet, Value
from django.db.models.functions import Coalesce, Least
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts import access
from clients.models import Client, ConsentLevel, Space
from operations.models import Appointment
from operations.selectors import visits as visit_selectors
from photos.models import ConsentChange, Photo, PortfolioUse, TakedownTask


def with_effective_level(photos: QuerySet[Photo]) -> Any:
    """`effective_level` on each row. Typed Any: the stubs cannot see annotations, so filters on it would fail
    type checking although they are valid."""
    return photos.annotate(
        effective_level=Least(
            Coalesce(F("consent_cap"), Value(ConsentLevel.PORTFOLIO_ANON), output_field=IntegerField()),
            Coalesce(F("space__photo_consent"), F("client__photo_consent_default"), output_field=IntegerField()),
        )
    )


def photo_list_for_user(*, user: Any) -> QuerySet[Photo]:
    """Owner and office: every photo. An organizer: the unhidden photos of visits they are booked on."""
    photos = with_effective_level(Photo.objects.select_related("space", "client", "site", "visit"))
    if access.is_staff_role(user):
        return photos
    if access.is_organizer(user):
        visits = visit_selectors.appointment_list_for_user(user=user).values("pk")
        return photos.filter(visit__in=visits, hidden_at__isnull=True)
    return photos.none()


def photo_get_for_user(*, user: Any, pk: uuid.UUID) -> Photo:
    return get_object_or_404(photo_list_for_user(user=user), pk=pk)


def gallery_photos() -> QuerySet[Photo]:
    """The internal gallery: photos at TEAM or above, not hidden. Pages show space and stage only."""
    return (
        with_effective_level(Photo.objects.select_related("space"))
        .filter(effective_level__gte=ConsentLevel.TEAM, hidden_at__isnull=True)
        .order_by("-taken_at")
    )


def photo_get_for_file(*, user: Any, pk: uuid.UUID) -> Photo:
    """The photo behind a file URL: in the user's scope, or in the team gallery for any staff-app user."""
    photo = photo_list_for_user(user=user).filter(pk=pk).first()
    if photo is None and (access.is_staff_role(user) or access.is_organizer(user)):
        photo = gallery_photos().filter(pk=pk).first()
    if photo is None:
        raise Http404
    return photo


def portfolio_photos() -> QuerySet[Photo]:
    """Photos whose effective level is PORTFOLIO_ANON (the anonymization check is shown, and required to export)."""
    return (
        with_effective_level(Photo.objects.select_related("space", "anonymization_checked_by"))
        .filter(effective_level=ConsentLevel.PORTFOLIO_ANON, hidden_at__isnull=True)
        .prefetch_related("uses")
        .order_by("-taken_at")
    )


def takedowns_open() -> QuerySet[TakedownTask]:
    return TakedownTask.objects.filter(done_at__isnull=True).select_related("use", "use__photo")


def takedown_get(*, pk: int) -> TakedownTask:
    return get_object_or_404(TakedownTask.objects.select_related("use"), pk=pk)


def uses_to_take_down(*, client_id: int) -> QuerySet[PortfolioUse]:
    """Web and social uses of the client's photos whose level is now below portfolio, with no open task."""
    photos = with_effective_level(Photo.objects.filter(client_id=client_id)).filter(
        effective_level__lt=ConsentLevel.PORTFOLIO_ANON
    )
    return (
        PortfolioUse.objects.filter(photo__in=photos.values("pk"))
        .exclude(channel=PortfolioUse.Channel.PRINT)
        .exclude(pk__in=TakedownTask.objects.filter(done_at__isnull=True).values("use_id"))
    )


# --- pairs for the visit and client pages ---------------------------------------------------------------------


@dataclass
class SpacePhotos:
    """One space's photos by stage, for the before/after pairs."""

    label: str
    before: list[Photo] = field(default_factory=list)
    during: list[Photo] = field(default_factory=list)
    after: list[Photo] = field(default_factory=list)

    @property
    def pairs(self) -> list[tuple[Photo | None, Photo | None]]:
        """Before and after side by side: the n-th before with the n-th after."""
        length = max(len(self.before), len(self.after))
        return [
            (self.before[i] if i < len(self.before) else None, self.after[i] if i < len(self.after) else None)
            for i in range(length)
        ]


def _by_space(photos: QuerySet[Photo]) -> list[SpacePhotos]:
    groups: dict[str, SpacePhotos] = {}
    for photo in photos.order_by("taken_at", "uploaded_at"):
        label = photo.space.name if photo.space else "Unlabelled"
        group = groups.setdefault(label, SpacePhotos(label))
        getattr(group, photo.stage).append(photo)
    return sorted(groups.values(), key=lambda g: (g.label == "Unlabelled", g.label.lower()))


def visit_photos_for_user(*, user: Any, visit: Appointment) -> list[SpacePhotos]:
    return _by_space(photo_list_for_user(user=user).filter(visit=visit))


def client_photos_for_user(*, user: Any, client: Client) -> list[SpacePhotos]:
    return _by_space(photo_list_for_user(user=user).filter(client=client))


def site_spaces(*, site_id: int) -> QuerySet[Space]:
    return Space.objects.filter(site_id=site_id)


# --- for the portal ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SharedPhoto:
    """What a client may see of a photo: no uploader, no internal flags."""

    id: uuid.UUID
    space: str
    stage: str
    caption: str
    taken_at: datetime
    width: int
    height: int
    effective_level: int


def _shared(client_id: int) -> QuerySet[Photo]:
    return photo_list_for_owner_client(client_id=client_id).filter(shared_with_client=True, hidden_at__isnull=True)


def photo_list_for_owner_client(*, client_id: int) -> QuerySet[Photo]:
    return with_effective_level(Photo.objects.select_related("space").filter(client_id=client_id))


def photos_shared_with_client(*, client_id: int) -> list[SharedPhoto]:
    """The photos a client's portal lists: shared with the client and not hidden, newest first."""
    return [
        SharedPhoto(
            id=p.pk,
            space=p.space.name if p.space else "",
            stage=p.stage,
            caption=p.caption,
            taken_at=p.taken_at,
            width=p.width,
            height=p.height,
            effective_level=p.effective_level,  # type: ignore[attr-defined]
        )  # fmt: skip
        for p in _shared(client_id).order_by("-taken_at")
    ]


def photo_shared_with_client_get(*, client_ids: list[int], pk: uuid.UUID) -> Photo:
    """For the portal's file view: a shared, unhidden photo of one of `client_ids`, else Http404."""
    return get_object_or_404(
        with_effective_level(Photo.objects.filter(client_id__in=client_ids, shared_with_client=True)).filter(
            hidden_at__isnull=True
        ),
        pk=pk,
    )


@dataclass(frozen=True)
class ConsentRow:
    """A level at one scope and the latest decision behind it ("Team, set by office on …")."""

    scope: str  # "client", "space" or "photo"
    label: str
    level: int | None  # None: follows the client default (space) or no cap (photo)
    level_label: str
    space_id: int | None
    set_by: str
    channel: str
    set_at: datetime | None
    photo_id: uuid.UUID | None = None  # the capped photo, on "photo" rows


def consent_overview(*, client_id: int) -> list[ConsentRow]:
    """The client default, then each space of the client's sites, with who set each and when (latest change)."""
    client = Client.all_objects.get(pk=client_id)
    latest: dict[Any, ConsentChange] = {}
    for change in ConsentChange.objects.filter(client_id=client_id, photo__isnull=True).select_related("set_by"):
        latest.setdefault(change.space_id, change)  # newest first: keep the first seen per scope
    default_label = ConsentLevel(client.photo_consent_default).label

    def row(scope: str, label: str, level: int | None, level_label: str, space_id: int | None) -> ConsentRow:
        change = latest.get(space_id)
        return ConsentRow(
            scope=scope, label=label, level=level, level_label=level_label, space_id=space_id,
            set_by=_who(change), channel=change.channel if change else "", set_at=change.set_at if change else None,
        )  # fmt: skip

    rows = [row("client", "All spaces (default)", client.photo_consent_default, default_label, None)]
    for space in Space.objects.filter(site__client_id=client_id).order_by("name", "pk"):
        if space.photo_consent is None:
            rows.append(row("space", space.name, None, f"{default_label} (default)", space.pk))
        else:
            rows.append(
                row("space", space.name, space.photo_consent, ConsentLevel(space.photo_consent).label, space.pk)
            )
    return rows


def photo_caps_shared_with_client(*, client_id: int) -> list[ConsentRow]:
    """The per-photo caps the client can see: on photos shared with them and not hidden (a cap on a lockbox shot
    stays staff-only, like the photo), oldest photo first, with the latest decision on each."""
    photos = list(_shared(client_id).filter(consent_cap__isnull=False).order_by("taken_at", "uploaded_at"))
    latest: dict[Any, ConsentChange] = {}
    changes = ConsentChange.objects.filter(client_id=client_id, photo_id__in=[p.pk for p in photos])
    for seen in changes.select_related("set_by"):
        latest.setdefault(seen.photo_id, seen)  # newest first
    rows = []
    for photo in photos:
        if photo.consent_cap is None:  # filtered out above; narrows the type
            continue
        change = latest.get(photo.pk)
        label = f"{photo.space.name if photo.space else 'Unlabelled'}, {photo.stage}, {photo.taken_at:%Y-%m-%d}"
        rows.append(ConsentRow(
            scope="photo", label=label, level=photo.consent_cap,
            level_label=ConsentLevel(photo.consent_cap).label, space_id=photo.space_id, set_by=_who(change),
            channel=change.channel if change else "", set_at=change.set_at if change else None, photo_id=photo.pk,
        ))  # fmt: skip
    return rows


def _who(change: ConsentChange | None) -> str:
    if change is None:
        return ""
    if change.channel == ConsentChange.Channel.STAFF:
        return "office"
    return change.set_by.get_full_name() or change.set_by.get_username()


def client_spaces(*, client_id: int) -> QuerySet[Space]:
    return Space.objects.filter(site__client_id=client_id).order_by("name", "pk")
