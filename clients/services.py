"""Writes to clients, contacts, sites, intake and assignments: every rule lives here."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from accounts import access
from accounts.models import User
from accounts.updates import fields_apply
from clients import portal_services
from clients.models import Client, ClientAssignment, Contact, Intake, Site, Tag

CLIENT_ARCHIVED_MSG = "%(name)s was archived. The owner can restore it from the archive."
CLIENT_RESTORED_MSG = "%(name)s was restored."
CLIENT_HAS_HISTORY_MSG = "%(name)s has visits, projects or other history and cannot be deleted. Archive it instead."
CLIENT_DELETE_CONFIRM_MSG = "Type the client's name exactly to confirm the permanent deletion."
CLIENT_DELETE_NOT_ARCHIVED_MSG = "Archive the client before deleting it permanently."
ASSIGNMENT_NOT_ORGANIZER_MSG = "Only active organizers can be assigned to a client."

CLIENT_FIELDS = ["kind", "name", "status", "referral_source", "referral_detail", "notes"]
CONTACT_FIELDS = ["name", "role", "phone", "email", "preferred_channel", "is_primary"]
SITE_FIELDS = [
    "label", "street", "unit", "city", "region", "postal_code", "country", "time_zone",
    "parking", "pets", "access_instructions", "entry_code",
]  # fmt: skip
INTAKE_FIELDS = ["goals", "spaces", "pain_points", "budget_range", "schedule_preferences", "decision_makers"]


def _tags_from_names(names: list[str]) -> list[Tag]:
    tags = []
    for name in sorted({n.strip() for n in names if n.strip()}):
        tag, _ = Tag.objects.get_or_create(name=name)
        tags.append(tag)
    return tags


@transaction.atomic
def client_create(*, actor: User, data: dict[str, Any], tag_names: list[str] | None = None) -> Client:
    """Create a client with an empty intake questionnaire."""
    client = Client(created_by=actor)
    fields_apply(client, data, CLIENT_FIELDS)
    client.full_clean()
    client.save()
    client.tags.set(_tags_from_names(tag_names or []))
    Intake.objects.create(client=client)
    return client


@transaction.atomic
def client_update(*, client: Client, data: dict[str, Any], tag_names: list[str] | None = None) -> Client:
    changed = fields_apply(client, data, CLIENT_FIELDS)
    client.full_clean()
    client.save(update_fields=[*changed, "updated_at"])
    if tag_names is not None:
        client.tags.set(_tags_from_names(tag_names))
    return client


@transaction.atomic
def client_archive(*, client: Client, actor: User) -> Client:
    """Hide the client from lists and pickers; nothing is deleted. Its portal access ends in the same
    transaction (docs/specs/portal.md SW4)."""
    if client.archived_at is None:
        client.archived_at = timezone.now()
        client.archived_by = actor
        client.save(update_fields=["archived_at", "archived_by", "updated_at"])
    portal_services.portal_access_revoke_for_client(client=client, reason="client archived")
    return client


def client_restore(*, client: Client, actor: User) -> Client:
    if client.archived_at is not None:
        client.archived_at = None
        client.archived_by = None
        client.save(update_fields=["archived_at", "archived_by", "updated_at"])
    return client


@transaction.atomic
def client_delete_permanently(*, client: Client, actor: User, confirm_name: str) -> None:
    """Owner-only hard delete (privacy requests) of an archived client with no history.

    Business records elsewhere (visits, projects, time, stock) point at clients with PROTECT, so a client
    with history raises ProtectedError, reported as CLIENT_HAS_HISTORY_MSG and nothing is deleted. The audit
    rows about the client go too: keeping them would keep the personal data the request asked to erase.
    """
    if not access.is_owner(actor):
        raise ValidationError("Only the owner can delete a client permanently.", code="forbidden")
    if client.archived_at is None:
        raise ValidationError(CLIENT_DELETE_NOT_ARCHIVED_MSG, code="not_archived")
    if confirm_name.strip() != client.name:
        raise ValidationError(CLIENT_DELETE_CONFIRM_MSG, code="confirm")
    client_pk = client.pk
    try:
        with transaction.atomic():
            client.delete()
    except ProtectedError as exc:
        raise ValidationError(CLIENT_HAS_HISTORY_MSG, code="has_history", params={"name": client.name}) from exc
    # After the delete, so the delete triggers' own snapshots are purged as well.
    apps.get_model("clients", "ClientEvent").objects.filter(pgh_obj_id=client_pk).delete()
    for event_model in ("ContactEvent", "SiteEvent", "IntakeEvent", "ClientAssignmentEvent"):
        apps.get_model("clients", event_model).objects.filter(client_id=client_pk).delete()


@transaction.atomic
def contact_save(*, client: Client, data: dict[str, Any], contact: Contact | None = None) -> Contact:
    """Create or update a contact; marking one primary unmarks the others in the same transaction."""
    contact = contact or Contact(client=client)
    changed = fields_apply(contact, data, CONTACT_FIELDS)
    if contact.is_primary:
        Contact.objects.filter(client=client, is_primary=True).exclude(pk=contact.pk).update(is_primary=False)
    elif not Contact.objects.filter(client=client, is_primary=True).exclude(pk=contact.pk).exists():
        contact.is_primary = True  # the first contact is the one people call
        changed.append("is_primary")
    contact.full_clean()
    if contact.pk is None:
        contact.save()
    else:
        contact.save(update_fields=sorted(set(changed)))
    return contact


@transaction.atomic
def contact_delete(*, contact: Contact) -> None:
    client = contact.client
    was_primary = contact.is_primary
    portal_services.portal_access_revoke_for_contact(contact=contact)
    contact.delete()
    if was_primary:
        successor = Contact.objects.filter(client=client).order_by("pk").first()
        if successor:
            successor.is_primary = True
            successor.save(update_fields=["is_primary"])


def site_save(*, client: Client, data: dict[str, Any], site: Site | None = None) -> Site:
    site = site or Site(client=client)
    changed = fields_apply(site, data, SITE_FIELDS)
    site.full_clean()
    if site.pk is None:
        site.save()
    else:
        site.save(update_fields=changed)
    return site


def site_delete(*, site: Site) -> None:
    """Remove a site. Once visits reference sites (PROTECT), a used site cannot be removed."""
    try:
        site.delete()
    except ProtectedError as exc:
        raise ValidationError("This site has visits and cannot be removed.", code="has_history") from exc


def intake_update(*, client: Client, data: dict[str, Any]) -> Intake:
    intake, _ = Intake.objects.get_or_create(client=client)
    changed = fields_apply(intake, data, INTAKE_FIELDS)
    intake.full_clean()
    intake.save(update_fields=[*changed, "updated_at"])
    return intake


@transaction.atomic
def client_assignments_set(*, client: Client, organizers: list[User]) -> None:
    """Make exactly these organizers the client's assigned team."""
    for organizer in organizers:
        if not (organizer.is_active and organizer.role == User.Role.ORGANIZER):
            raise ValidationError(ASSIGNMENT_NOT_ORGANIZER_MSG, code="not_organizer")
    wanted = {o.pk for o in organizers}
    ClientAssignment.objects.filter(client=client).exclude(organizer_id__in=wanted).delete()
    existing = set(ClientAssignment.objects.filter(client=client).values_list("organizer_id", flat=True))
    ClientAssignment.objects.bulk_create(
        [ClientAssignment(client=client, organizer_id=pk) for pk in sorted(wanted - existing)]
    )
