"""Which billable sources changed since each client's last charges sync (a read; docs/specs/billing.md "Keeping
charges current").

Every client has a watermark (`ChargeSyncMark.synced_at`, the moment its last sync started). A source newer than
the watermark — a visit or its per-organizer times saved since, a redo link, purchase, shopping entry or
milestone created or saved since — is not reflected in the stored charges yet. A client without a watermark has
never been synced: all its sources count. One query per kind of source answers for every client at once, using
the `updated_at` / `created_at` indexes, so the pages that show "not yet charged" work stay constant in queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet

from billing.models import ChargeSyncMark, MilestoneFee, RedoLink, ShoppingTime, VisitTime
from billing.specs import FINISHED
from clients.models import Client
from operations.models import Appointment, ClientPurchase

# A source saved just before a sync started but committed after the sync read its sources has an `updated_at`
# older than the new watermark: the sync rereads this much before the watermark so such a row is not missed
# (rereading is harmless: recomputing an unchanged source writes nothing).
OVERLAP = timedelta(minutes=10)


@dataclass
class Changes:
    """Ids of one client's sources changed since its watermark."""

    visits: set[int] = field(default_factory=set)
    purchases: set[int] = field(default_factory=set)
    shopping: set[int] = field(default_factory=set)
    milestones: set[int] = field(default_factory=set)

    @property
    def count(self) -> int:
        return len(self.visits) + len(self.purchases) + len(self.shopping) + len(self.milestones)


def _window(
    qs: QuerySet[Any], fields: tuple[str, str, str], marks: dict[int, datetime], unmarked: list[int],
    overlap: timedelta,
) -> list[tuple[int, int]]:  # fmt: skip
    """(client, source id) of the rows of `qs` newer than their client's watermark less the overlap, or of a
    client never synced. `fields` names the client, the source id and the time stamp."""
    client_field, ident, stamp = fields
    if not marks and not unmarked:
        return []
    wanted = Q(**{f"{client_field}__in": unmarked}) if unmarked else Q(pk__in=[])
    if marks:
        wanted |= Q(**{f"{stamp}__gt": min(marks.values()) - overlap})
    rows = qs.filter(wanted).values_list(client_field, ident, stamp)
    return [(c, pk) for c, pk, at in rows if c not in marks or at > marks[c] - overlap]


def changed_sources(
    *, client_id: int | None = None, overlap: timedelta = timedelta(0), finished_only: bool = True
) -> dict[int, Changes]:
    """Per client, the sources changed since its watermark (minus `overlap`). `finished_only` leaves out visits
    that are not finished (a page counting work to charge); a sync also rereads visits that left a finished
    status, so that their charges are withdrawn."""
    mark_rows = ChargeSyncMark.objects.all()
    clients = Client.all_objects.all()
    if client_id is not None:
        mark_rows, clients = mark_rows.filter(client_id=client_id), clients.filter(pk=client_id)
    marks = dict(mark_rows.values_list("client_id", "synced_at"))
    unmarked = list(clients.exclude(pk__in=list(marks)).values_list("pk", flat=True)) if client_id is None else (
        [] if marks else [client_id]
    )  # fmt: skip
    found: dict[int, Changes] = defaultdict(Changes)
    visits = Appointment.objects.filter(status__in=FINISHED) if finished_only else Appointment.objects.all()
    if client_id is not None:
        visits = visits.filter(client_id=client_id)
    times, redos = VisitTime.objects.all(), RedoLink.objects.all()
    milestones = MilestoneFee.objects.all()
    if finished_only:
        times, redos = times.filter(visit__status__in=FINISHED), redos.filter(visit__status__in=FINISHED)
        milestones = milestones.filter(reached_on__isnull=False)
    sources: list[tuple[str, QuerySet[Any], tuple[str, str, str]]] = [
        ("visits", visits, ("client_id", "pk", "updated_at")),
        ("visits", times, ("visit__client_id", "visit_id", "updated_at")),
        ("visits", redos, ("visit__client_id", "visit_id", "created_at")),
        ("purchases", ClientPurchase.objects.all(), ("appointment__client_id", "pk", "created_at")),
        ("shopping", ShoppingTime.objects.all(), ("client_id", "pk", "updated_at")),
        ("milestones", milestones, ("client_id", "pk", "updated_at")),
    ]
    for attr, qs, fields in sources:
        if client_id is not None:
            qs = qs.filter(**{fields[0]: client_id})
        for client, ident in _window(qs, fields, marks, unmarked, overlap):
            getattr(found[client], attr).add(ident)
    return dict(found)


def pending_counts() -> dict[int, int]:
    """Per client, how many finished sources are not reflected in its stored charges yet (for the pages)."""
    return {client: changes.count for client, changes in changed_sources().items() if changes.count}


def pending_count(client: Client) -> int:
    changes = changed_sources(client_id=client.pk).get(client.pk)
    return changes.count if changes else 0
