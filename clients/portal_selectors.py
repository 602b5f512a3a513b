"""Reads of portal access. Computed afresh on every call: revocation works on the next request."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts import access
from clients.models import Client, PortalAccess, PortalInvitation


def portal_clients_for(*, user: Any) -> QuerySet[Client]:
    """The unarchived clients a portal user may see: those with a live access. Nobody else sees any."""
    if not access.is_portal_user(user):
        return Client.objects.none()
    live = PortalAccess.objects.filter(user=user, status__in=PortalAccess.LIVE_STATUSES).values("client_id")
    return Client.objects.filter(pk__in=live).order_by("name", "pk")


def portal_client_get(*, user: Any, pk: int) -> Client:
    return get_object_or_404(portal_clients_for(user=user), pk=pk)


def portal_contact_for(*, user: Any, client: Client) -> Any:
    """The contact record a portal user signed in as, for this client (None if it was removed)."""
    grant = PortalAccess.objects.filter(user=user, client=client, status__in=PortalAccess.LIVE_STATUSES).first()
    return grant.contact if grant is not None else None


def invitation_by_hash(*, token_hash: str, now: Any) -> PortalInvitation | None:
    """The invitation a welcome link stands for, if it still works: unspent, unrevoked, unexpired, its access
    live and its client unarchived. Anything else is None, answered with one generic page."""
    return (
        PortalInvitation.objects.select_related("access__user", "access__client")
        .filter(
            token_hash=token_hash,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=now,
            access__status__in=PortalAccess.LIVE_STATUSES,
            access__client__archived_at__isnull=True,
            access__user__is_active=True,
        )
        .first()
    )


def portal_accesses_for_client(*, user: Any, client: Client) -> list[PortalAccess]:
    """Staff's view of a client's portal access (the client page's panel)."""
    if not access.is_staff_role(user):
        return []
    return list(PortalAccess.objects.filter(client=client).select_related("user", "contact").order_by("pk"))


def portal_access_get_for_staff(*, user: Any, pk: int) -> PortalAccess:
    grants = PortalAccess.objects.all() if access.is_staff_role(user) else PortalAccess.objects.none()
    return get_object_or_404(grants.select_related("client"), pk=pk)
