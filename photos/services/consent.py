"""Consent to use a client's photos (docs/specs/portal.md §6): the client default, a per-space level and a
per-photo cap that can only restrict. The client (through the portal) sets any level; owner and office lower
one at any time and raise one only with a recorded basis; organizers never. Every decision is a ConsentChange
row (who, channel, basis) and a pghistory event on the changed row; a drop below portfolio turns each web or
social use into a takedown task in the same transaction.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from accounts import access
from clients.models import Client, ConsentLevel, Space
from photos import selectors
from photos.models import ConsentChange, Photo, TakedownTask

BASIS_REQUIRED_MSG = "Raising a consent level needs the client's agreement on record: choose the basis and its date."
NOT_STAFF_MSG = "Only the owner or office can change photo consent."
WRONG_CLIENT_MSG = "That space or photo belongs to another client."
LEVEL_MSG = "Choose private, team or portfolio."
TAKEDOWN_DAYS = 7
PORTAL_CONSENT_PATH = "/portal/consent/"  # the portal's consent page (organizer_pm.portal)


def consent_set_by_client(
    *, actor: Any, client: Client, level: int | None, space: Space | None = None, photo: Photo | None = None
) -> ConsentChange:
    """The client's own choice from the portal: any level, in either direction. `space` or `photo` narrows the
    scope (level None clears a space override or a photo cap); the caller has checked `actor` may act for
    `client`. Recorded with channel "portal"."""
    with pghistory.context(channel="portal"):
        return _consent_set(actor=actor, client=client, level=level, space=space, photo=photo,
                            channel=ConsentChange.Channel.PORTAL, basis="", basis_date=None)  # fmt: skip


def consent_set_by_staff(
    *, actor: Any, client: Client, level: int | None, space: Space | None = None, photo: Photo | None = None,
    basis: str = "", basis_date: date | None = None,
) -> ConsentChange:  # fmt: skip
    """Owner or office: lowering is always allowed; raising needs a basis (signed form, e-mail, verbal) and its
    date, and then the client is e-mailed a link to review it in the portal."""
    if not access.is_staff_role(actor):
        raise ValidationError(NOT_STAFF_MSG, code="forbidden")
    with pghistory.context(channel="staff"):
        return _consent_set(actor=actor, client=client, level=level, space=space, photo=photo,
                            channel=ConsentChange.Channel.STAFF, basis=basis, basis_date=basis_date)  # fmt: skip


def _consent_set(
    *, actor: Any, client: Client, level: int | None, space: Space | None, photo: Photo | None, channel: str,
    basis: str, basis_date: date | None,
) -> ConsentChange:  # fmt: skip
    if level is not None and level not in ConsentLevel.values:
        raise ValidationError(LEVEL_MSG, code="level")
    if level is None and space is None and photo is None:
        raise ValidationError(LEVEL_MSG, code="level")
    with transaction.atomic():
        locked = Client.all_objects.select_for_update().get(pk=client.pk)  # one consent writer per client
        if space is not None:
            space = Space.objects.select_related("site").get(pk=space.pk)
            if space.site.client_id != locked.pk:
                raise ValidationError(WRONG_CLIENT_MSG, code="wrong_client")
            previous, allowed_before = space.photo_consent, _space_level(space, locked)
            allowed_after = locked.photo_consent_default if level is None else level
        elif photo is not None:
            photo = Photo.objects.get(pk=photo.pk)
            if photo.client_id != locked.pk:
                raise ValidationError(WRONG_CLIENT_MSG, code="wrong_client")
            previous = photo.consent_cap
            allowed_before = ConsentLevel.PORTFOLIO_ANON if previous is None else previous
            allowed_after = ConsentLevel.PORTFOLIO_ANON if level is None else level
        else:
            previous = allowed_before = locked.photo_consent_default
            allowed_after = level  # type: ignore[assignment]
        raising = allowed_after > allowed_before
        if channel == ConsentChange.Channel.STAFF and raising:
            if basis not in ConsentChange.Basis.values or basis_date is None:
                raise ValidationError(BASIS_REQUIRED_MSG, code="basis_required")
        else:
            basis, basis_date = "", None
        if space is not None:
            Space.objects.filter(pk=space.pk).update(photo_consent=level)
        elif photo is not None:
            Photo.objects.filter(pk=photo.pk).update(consent_cap=level)
        else:
            Client.all_objects.filter(pk=locked.pk).update(photo_consent_default=level)
        change = ConsentChange.objects.create(
            client=locked, space=space, photo=photo, level=level, previous=previous, channel=channel,
            basis=basis, basis_date=basis_date, set_by=actor,
        )  # fmt: skip
        takedowns_create(client_id=locked.pk)
        if channel == ConsentChange.Channel.STAFF and raising:
            transaction.on_commit(lambda: _tell_client(locked))
    return change


def _space_level(space: Space, client: Client) -> int:
    return client.photo_consent_default if space.photo_consent is None else space.photo_consent


def takedowns_create(*, client_id: int) -> list[TakedownTask]:
    """One open takedown task, due in 7 days, per web or social use whose photo fell below portfolio level."""
    due = timezone.now().astimezone(ZoneInfo(settings.BUSINESS_TIME_ZONE)).date() + timedelta(days=TAKEDOWN_DAYS)
    return [
        TakedownTask.objects.create(use=use, due_on=due) for use in selectors.uses_to_take_down(client_id=client_id)
    ]


def _tell_client(client: Client) -> None:
    """A raise by staff: the client hears of it and can undo it in the portal (plain text, no login link)."""
    recipients = [c.email for c in client.contacts.filter(is_primary=True) if c.email]
    if not recipients:
        return
    send_mail(
        "Your photo consent was updated",
        "Our office updated how we may use photos of your home, based on what you told us.\n"
        f"You can review or change it in the client portal: {settings.SITE_URL}{PORTAL_CONSENT_PATH}\n",
        None,
        recipients,
    )
