"""Reads of clients, scoped by user. Every view gets clients through these functions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import pghistory.models
from django.apps import apps
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from accounts import access
from accounts.models import User
from clients.models import Client, ClientAssignment, ClientQuerySet, Contact, Site, Tag


def client_list_for_user(*, user: Any) -> ClientQuerySet:
    """Active (unarchived) clients the user may see: all for owner and office, assigned ones for organizers.

    Assignment is read on every call, so an unassignment takes effect on the next request (docs/specs/security.md SZ11).
    """
    clients = cast(ClientQuerySet, Client.objects.all())
    if access.is_staff_role(user):
        return clients
    if access.is_organizer(user):
        return clients.filter(pk__in=ClientAssignment.objects.filter(organizer=user).values("client_id"))
    return clients.none()


def client_get_for_user(*, user: Any, pk: int) -> Client:
    """The client if `user` may see it, else Http404 (never 403: ids must not leak)."""
    return get_object_or_404(client_list_for_user(user=user), pk=pk)


def client_get_archived_for_user(*, user: Any, pk: int) -> Client:
    """Any client, archived included; only the owner reaches archived ones (restore, hard delete)."""
    if access.is_owner(user):
        return get_object_or_404(Client.all_objects.all(), pk=pk)
    return client_get_for_user(user=user, pk=pk)


def client_search_for_user(
    *, user: Any, text: str = "", status: str = "", tag: str = "", organizer: str = ""
) -> QuerySet[Client]:
    """The client list page: search, filters, and the joins the rows need (constant query count)."""
    clients = client_list_for_user(user=user).search(text)
    if status:
        clients = clients.filter(status=status)
    if tag:
        clients = clients.filter(tags__name=tag)
    if organizer and access.is_staff_role(user) and organizer.isdigit():
        clients = clients.filter(assignments__organizer_id=int(organizer))
    if tag or organizer:
        # Only these joins can repeat a client; DISTINCT on every row costs the unfiltered list (and its count).
        clients = clients.distinct()
    return clients.prefetch_related(
        "tags",
        Prefetch("contacts", queryset=Contact.objects.filter(is_primary=True), to_attr="primary_contacts"),
        Prefetch("sites", queryset=Site.objects.order_by("pk"), to_attr="site_list"),
    )


def archived_client_list_for_user(*, user: Any) -> QuerySet[Client]:
    if not access.is_owner(user):
        return Client.all_objects.none()
    return Client.all_objects.filter(archived_at__isnull=False).select_related("archived_by")


def client_detail_for_user(*, user: Any, pk: int) -> Client:
    """The client with contacts, sites, tags, intake and organizers loaded for the detail page."""
    client = client_get_for_user(user=user, pk=pk)
    return (
        Client.objects.filter(pk=client.pk)
        .select_related("intake", "created_by")
        .prefetch_related("tags", "contacts", "sites", "organizers")
        .get()
    )


def contact_get_for_user(*, user: Any, client: Client, pk: int) -> Contact:
    return get_object_or_404(Contact.objects.filter(client=client), pk=pk)


def site_get_for_user(*, user: Any, client: Client, pk: int) -> Site:
    return get_object_or_404(Site.objects.filter(client=client), pk=pk)


def can_see_entry_codes(*, user: Any, client: Client) -> bool:
    """Office and owner always; an organizer only for a client they are assigned to."""
    if access.is_staff_role(user):
        return True
    return access.is_organizer(user) and ClientAssignment.objects.filter(client=client, organizer=user).exists()


def tag_names() -> list[str]:
    return list(Tag.objects.values_list("name", flat=True))


def organizers_for_picker() -> QuerySet[User]:
    return User.objects.filter(role=User.Role.ORGANIZER, is_active=True).order_by("first_name", "last_name")


@dataclass(frozen=True)
class HistoryEntry:
    when: Any
    who: str
    model: str
    action: str
    changes: dict[str, list[Any]]
    channel: str = ""  # "portal" when a client made the change in the client portal


HISTORY_LABELS = {"insert": "created", "update": "changed", "delete": "removed"}


def client_history(*, client: Client, limit: int = 50) -> list[HistoryEntry]:
    """Audit events for the client and its contacts, sites, intake and assignments, newest first.

    Entry codes never reach this list: pghistory does not store them (Site is tracked with exclude).
    """
    rows = list(pghistory.models.Events.objects.references(client).order_by("-pgh_created_at")[:limit])
    user_ids = {(event.pgh_context or {}).get("user") for event in rows} - {None}
    names = {u.pk: str(u) for u in User.objects.filter(pk__in=user_ids)}
    entries = []
    for event in rows:
        user_id = (event.pgh_context or {}).get("user")
        who = names.get(user_id, "system") if user_id else "system"
        model = str(apps.get_model(event.pgh_obj_model)._meta.verbose_name)
        action = HISTORY_LABELS.get(event.pgh_label, event.pgh_label)
        changes = {k: v for k, v in (event.pgh_diff or {}).items() if k not in {"updated_at"}}
        channel = str((event.pgh_context or {}).get("channel", ""))
        entries.append(HistoryEntry(event.pgh_created_at, who, model, action, changes, channel))
    return entries


def client_first_site(*, client_id: int) -> Site | None:
    """The client's first site (the oldest), e.g. to prefill a booking for that client."""
    return Site.objects.filter(client_id=client_id).order_by("pk").first()
