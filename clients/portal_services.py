"""Writes to portal access: invitations, activation on sign-in, revocation (docs/specs/portal.md §2).

Revocation works on the next request because nothing is cached: the portal boundary reads the live accesses on
every request. A portal user stays `is_active` exactly while one of their accesses is live, so an open session
of a user with no live access ends at once (Django treats an inactive user as anonymous), a pending sign-in
code ends on the inactive page, and new code requests get the neutral answer and no e-mail.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts import access
from accounts.models import User
from accounts.notify import office_notify
from accounts.updates import fields_apply
from clients.models import Client, Contact, Intake, PortalAccess, PortalInvitation, Site

INVITE_FORBIDDEN_MSG = "Only the owner or office can invite a contact to the portal."
INVITE_NO_EMAIL_MSG = "%(name)s has no e-mail address: add one before inviting them."
INVITE_STAFF_EMAIL_MSG = "%(email)s belongs to a member of the team; portal access is for clients only."
INVITE_ARCHIVED_MSG = "The client is archived."


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _invitation_email(*, contact: Contact, token: str) -> None:
    link = settings.SITE_URL.rstrip("/") + reverse("portal:welcome_token", kwargs={"token": token})
    days = settings.PORTAL_INVITATION_TTL_DAYS
    body = (
        f"Hello {contact.name},\n\n"
        f"You are invited to the client portal of {settings.PORTAL_BUSINESS_NAME}, where you can see your visits, "
        f"ask for changes and update your details.\n\n"
        f"Open this link to start (it works for {days} days):\n{link}\n\n"
        "The link does not sign you in by itself: the portal e-mails you a one-time code to type in.\n"
    )
    send_mail(f"Your client portal at {settings.PORTAL_BUSINESS_NAME}", body, None, [contact.email])


@transaction.atomic
def portal_invite(*, actor: User, contact: Contact, now: datetime | None = None) -> PortalInvitation:
    """Invite `contact` to the portal of their client: create or reactivate their portal user, make the access
    live, revoke earlier unspent invitations, and e-mail a new link once the transaction commits."""
    now = now or timezone.now()
    if not access.is_staff_role(actor):
        raise ValidationError(INVITE_FORBIDDEN_MSG, code="forbidden")
    client = Client.all_objects.select_for_update().get(pk=contact.client_id)
    if client.archived_at is not None:
        raise ValidationError(INVITE_ARCHIVED_MSG, code="archived")
    email = User.objects.normalize_email(contact.email).lower()
    if not email:
        raise ValidationError(INVITE_NO_EMAIL_MSG, code="no_email", params={"name": contact.name})
    user = User.objects.select_for_update().filter(email__iexact=email).first()
    if user is not None and not user.is_portal:
        raise ValidationError(INVITE_STAFF_EMAIL_MSG, code="staff_email", params={"email": email})
    if user is None:
        first, _, last = contact.name.partition(" ")
        user = User(email=email, role=User.Role.PORTAL, first_name=first[:150], last_name=last[:150])
        user.set_unusable_password()
        user.save()
    elif not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    grant, created = PortalAccess.objects.get_or_create(
        user=user, client=client, defaults={"contact": contact, "invited_by": actor}
    )
    if not created and grant.status == PortalAccess.Status.REVOKED:
        grant.status, grant.revoked_at, grant.revoked_reason = PortalAccess.Status.INVITED, None, ""
        grant.contact, grant.invited_by = contact, actor
        grant.save(update_fields=["status", "revoked_at", "revoked_reason", "contact", "invited_by"])
    PortalInvitation.objects.filter(access__user=user, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    token = secrets.token_urlsafe(32)
    invitation = PortalInvitation.objects.create(
        access=grant,
        token_hash=token_hash(token),
        created_by=actor,
        expires_at=now + timedelta(days=settings.PORTAL_INVITATION_TTL_DAYS),
    )
    transaction.on_commit(lambda: _invitation_email(contact=contact, token=token))
    return invitation


def _deactivate_if_no_live_access(user_ids: set[int]) -> None:
    live = set(
        PortalAccess.objects.filter(user_id__in=user_ids, status__in=PortalAccess.LIVE_STATUSES).values_list(
            "user_id", flat=True
        )
    )
    User.objects.filter(pk__in=user_ids - live, role=User.Role.PORTAL).update(is_active=False)


def _revoke(accesses: list[PortalAccess], *, reason: str, now: datetime) -> None:
    ids = [a.pk for a in accesses if a.status != PortalAccess.Status.REVOKED]
    PortalAccess.objects.filter(pk__in=ids).update(
        status=PortalAccess.Status.REVOKED, revoked_at=now, revoked_reason=reason
    )
    PortalInvitation.objects.filter(access_id__in=ids, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    _deactivate_if_no_live_access({a.user_id for a in accesses})


@transaction.atomic
def portal_access_revoke(*, actor: User, grant: PortalAccess, reason: str = "revoked by office") -> None:
    if not access.is_staff_role(actor):
        raise ValidationError(INVITE_FORBIDDEN_MSG, code="forbidden")
    locked = list(PortalAccess.objects.select_for_update().filter(pk=grant.pk))
    _revoke(locked, reason=reason, now=timezone.now())


def portal_access_revoke_for_client(*, client: Client, reason: str) -> None:
    """Called inside client_archive's transaction: every access to the client ends with it."""
    locked = list(PortalAccess.objects.select_for_update().filter(client=client).order_by("pk"))
    _revoke(locked, reason=reason, now=timezone.now())


def portal_access_revoke_for_contact(*, contact: Contact) -> None:
    """Called inside contact_delete's transaction: removing a contact removes their access."""
    locked = list(PortalAccess.objects.select_for_update().filter(contact=contact).order_by("pk"))
    _revoke(locked, reason="contact removed", now=timezone.now())


@transaction.atomic
def portal_signed_in(*, user: User, now: datetime | None = None) -> None:
    """A portal user's sign-in: their invited accesses become active, and the invitation they came through (or,
    failing that, any unspent one) is marked accepted."""
    now = now or timezone.now()
    PortalAccess.objects.filter(user=user, status=PortalAccess.Status.INVITED, client__archived_at__isnull=True).update(
        status=PortalAccess.Status.ACTIVE, activated_at=now
    )
    PortalInvitation.objects.filter(
        access__user=user, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).update(accepted_at=now)


# --- what a portal user may change (each a history event with channel "portal") ------------------------------

PORTAL_INTAKE_FIELDS = ["goals", "spaces", "pain_points", "schedule_preferences", "decision_makers"]
PORTAL_CONTACT_FIELDS = ["name", "phone", "preferred_channel"]
ENTRY_CODE_EMPTY_MSG = "Type the new entry code."


def _check_portal_client(user: User, client: Client) -> Client:
    """Lock the client and check, inside the transaction, that the user may still see it in the portal."""
    live = PortalAccess.objects.filter(user=user, client_id=client.pk, status__in=PortalAccess.LIVE_STATUSES)
    if not access.is_portal_user(user) or not live.exists():
        raise ValidationError("No such client.", code="not_found")
    return Client.objects.select_for_update().get(pk=client.pk)


@transaction.atomic
def portal_intake_update(*, user: User, client: Client, data: dict[str, Any]) -> list[str]:
    """Save the client-editable intake answers; other fields in `data` are ignored. Office is told which
    answers changed (not their text: the office reads them on the client page)."""
    locked = _check_portal_client(user, client)
    intake, _ = Intake.objects.get_or_create(client=locked)
    before = {name: getattr(intake, name) for name in PORTAL_INTAKE_FIELDS}
    given = fields_apply(intake, data, PORTAL_INTAKE_FIELDS)
    intake.full_clean()
    changed = [name for name in given if getattr(intake, name) != before[name]]
    if changed:
        with pghistory.context(channel="portal", user=user.pk):
            intake.save(update_fields=[*changed, "updated_at"])
    if changed:
        office_notify(
            subject=f"Intake answers updated: {locked.name}",
            body=f"{user} changed these intake answers in the portal: {', '.join(changed)}.\n",
        )
    return changed


@transaction.atomic
def portal_contact_update(*, user: User, client: Client, contact: Contact, data: dict[str, Any]) -> Contact:
    _check_portal_client(user, client)
    if contact.client_id != client.pk:
        raise ValidationError("No such contact.", code="not_found")
    changed = fields_apply(contact, data, PORTAL_CONTACT_FIELDS)
    contact.full_clean()
    with pghistory.context(channel="portal", user=user.pk):
        contact.save(update_fields=changed or ["name"])
    return contact


@transaction.atomic
def portal_entry_code_set(*, user: User, client: Client, site_id: int, code: str) -> None:
    """Replace a site's entry code. Write-only: never shown back, e-mailed or kept in history (Site's history
    excludes the field); office is told that it changed, never the value."""
    locked = _check_portal_client(user, client)
    code = code.strip()
    if not code:
        raise ValidationError({"entry_code": ValidationError(ENTRY_CODE_EMPTY_MSG, code="empty")})
    site = Site.objects.select_for_update().filter(client=locked, pk=site_id).first()
    if site is None:
        raise ValidationError("No such site.", code="not_found")
    site.entry_code = code
    site.full_clean()
    with pghistory.context(channel="portal", user=user.pk):
        site.save(update_fields=["entry_code"])
    office_notify(
        subject=f"Entry code replaced: {locked.name}",
        body=f"{user} replaced the entry code of {site.label} in the portal. Open the site to read it.\n",
    )
