"""Plain data for the portal's Photos and Photo consent pages (docs/specs/portal.md §10, W48).

Built only from the photos app's portal selectors, which return dataclasses of photos shared with the client and
not hidden; a template here never sees a `Photo`, so the uploader, internal flags or an unshared photo cannot
render.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings

from clients.models import ConsentLevel, Site
from photos import selectors as photo_selectors
from photos.selectors import SharedPhoto

# What each level means to the client, in words (docs/specs/portal.md §6).
LEVEL_WORDS = {
    ConsentLevel.PRIVATE: "Only the people working with you (and you, for the photos we share with you) see them.",
    ConsentLevel.TEAM: "Also our internal team gallery, for training and estimating: it shows the room and the "
    "stage only, never your name or address.",
    ConsentLevel.PORTFOLIO_ANON: "Also our website and social media, without your name or address, after we check "
    "that nothing identifies you (house numbers, mail, faces, family photos, views from windows).",
}
WITHDRAWAL_WORDS = (
    "You can lower a level at any time. Inside our app it takes effect at once. Anything already posted on our "
    "website or social media from these photos is taken down within 7 days. Printed material already produced "
    "cannot be recalled."
)


def client_zone(*, client_id: int) -> str:
    """The zone the portal shows a client's times in that belong to no one visit (consent decisions, photos): their
    sites' zone when they share one, else the business's (T48: "Times are stored in UTC and shown in the site's
    or the business's zone, labelled when they differ from the viewer's"; a client's browser zone is unknown, so
    the templates always name it)."""
    zones = set(Site.objects.filter(client_id=client_id).values_list("time_zone", flat=True))
    return zones.pop() if len(zones) == 1 else str(settings.BUSINESS_TIME_ZONE)


def level_explanations() -> list[tuple[str, str]]:
    return [(ConsentLevel(level).label, words) for level, words in LEVEL_WORDS.items()]


@dataclass
class PortalSpacePhotos:
    label: str
    pairs: list[tuple[SharedPhoto | None, SharedPhoto | None]] = field(default_factory=list)
    during: list[SharedPhoto] = field(default_factory=list)


def portal_photo_spaces(*, client_id: int) -> list[PortalSpacePhotos]:
    """Per space, the n-th "before" beside the n-th "after" by time taken; "during" shots below."""
    groups: dict[str, dict[str, list[SharedPhoto]]] = {}
    for photo in reversed(photo_selectors.photos_shared_with_client(client_id=client_id)):  # oldest first
        stages = groups.setdefault(photo.space or "Unlabelled", {"before": [], "during": [], "after": []})
        stages.setdefault(photo.stage, []).append(photo)
    spaces = []
    for label, stages in groups.items():
        before, after = stages["before"], stages["after"]
        pairs = [
            (before[i] if i < len(before) else None, after[i] if i < len(after) else None)
            for i in range(max(len(before), len(after)))
        ]
        spaces.append(PortalSpacePhotos(label, pairs, stages["during"]))
    return sorted(spaces, key=lambda s: (s.label == "Unlabelled", s.label.lower()))


def portal_photo(*, client_id: int, pk: uuid.UUID) -> SharedPhoto | None:
    return next((p for p in photo_selectors.photos_shared_with_client(client_id=client_id) if p.id == pk), None)


@dataclass(frozen=True)
class PortalConsentRow:
    scope: str  # "client", "space" or "photo"
    key: str  # the form's scope value: "client", "space-<id>", "photo-<uuid>"
    label: str
    level_label: str
    words: str
    set_by: str
    set_at: datetime | None


def _row(row: photo_selectors.ConsentRow, key: str, effective: int | None) -> PortalConsentRow:
    words = LEVEL_WORDS[ConsentLevel(effective)] if effective is not None else ""
    return PortalConsentRow(row.scope, key, row.label, row.level_label, words, row.set_by, row.set_at)


def portal_consent(*, client_id: int) -> dict[str, list[PortalConsentRow]]:
    """The client default, each space (its own level or the default) and each capped photo, in words."""
    overview = photo_selectors.consent_overview(client_id=client_id)
    default = overview[0].level
    rows = [_row(overview[0], "client", default)]
    spaces = [_row(r, f"space-{r.space_id}", default if r.level is None else r.level) for r in overview[1:]]
    caps = photo_selectors.photo_caps_shared_with_client(client_id=client_id)
    photos = [_row(r, f"photo-{r.photo_id}", r.level) for r in caps]
    return {"default": rows, "spaces": spaces, "photos": photos}


def consent_scope_choices(*, client_id: int) -> list[tuple[str, str]]:
    """What the client may change: the default, each space of their sites, each photo shared with them (dated by
    the local day it was taken, not its UTC date)."""
    zone = ZoneInfo(client_zone(client_id=client_id))
    spaces = [
        (f"space-{r.space_id}", f"Space: {r.label}") for r in photo_selectors.consent_overview(client_id=client_id)[1:]
    ]
    photos = [
        (f"photo-{p.id}", f"Photo: {p.space or 'Unlabelled'}, {p.stage}, {p.taken_at.astimezone(zone):%Y-%m-%d}")
        for p in reversed(photo_selectors.photos_shared_with_client(client_id=client_id))
    ]
    return [("client", "All spaces (your default)"), *spaces, *photos]
