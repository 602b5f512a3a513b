"""Reads of supply inventory for pages: scoped by user where organizers have a scope, constant query counts.

Organizers see only their own van, their own consume moves on their own visits and purchases on their own
visits; everything priced (costs, valuation, purchase orders) is for owner and office only, which the views
enforce. No selector here writes: pages never create the virtual locations or a van on GET.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from accounts import access
from operations.formats import ZERO, cents, fmt_qty
from operations.models import (
    Allocation,
    Appointment,
    Item,
    Location,
    PurchaseOrder,
    PurchaseOrderLine,
    StockLevel,
    StockMove,
    Supplier,
)

QTY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=14, decimal_places=3)


def _sum_of(queryset: QuerySet[Any], expression: Any) -> Coalesce:
    """A correlated subquery summing `expression` per item (no join: the prefetch next to it stays exact)."""
    total = queryset.values("item").annotate(total=Sum(expression)).values("total")
    return Coalesce(Subquery(total, output_field=QTY), Value(ZERO), output_field=QTY)


# --- catalogue and stock list ---------------------------------------------------------------------------


def internal_locations(*, active_only: bool = True) -> QuerySet[Location]:
    locations = Location.objects.filter(kind__in=Location.INTERNAL).select_related("organizer")
    return locations.filter(is_active=True) if active_only else locations


def stock_list(
    *, text: str = "", category: str = "", location_id: int | None = None, low_only: bool = False,
    show_inactive: bool = False,
) -> QuerySet[Item]:  # fmt: skip
    """Items with on hand, allocated, on order and forecast (one query per page, whatever the number of
    locations); `stock_badges` adds their stock per location to a page of them with one more query. With
    `location_id`, totals are for that location and only items stocked there are listed."""
    levels = StockLevel.objects.filter(item=OuterRef("pk"))  # only internal locations hold a level (§3.2)
    if location_id:
        levels = levels.filter(location_id=location_id)
    open_lines = PurchaseOrderLine.objects.filter(item=OuterRef("pk"), order__status__in=PurchaseOrder.OPEN_STATUSES)
    items = (
        Item.objects.select_related("preferred_supplier")
        .annotate(
            on_hand=_sum_of(levels, "qty"),
            allocated_qty=_sum_of(levels, "allocated"),
            incoming=_sum_of(open_lines, F("qty_ordered") - F("qty_received")),
        )
        .annotate(
            available=F("on_hand") - F("allocated_qty"), forecast=F("on_hand") + F("incoming") - F("allocated_qty")
        )
        .order_by("sku")
    )
    if not show_inactive:
        items = items.filter(is_active=True)
    if text:
        items = items.filter(Q(sku__icontains=text) | Q(name__icontains=text))
    if category:
        items = items.filter(category=category)
    if location_id:
        items = items.filter(Exists(StockLevel.objects.filter(item=OuterRef("pk"), location_id=location_id)))
    if low_only:
        items = items.filter(reorder_max__gt=0, forecast__lt=F("reorder_min"))
    return items


def stock_badges(*, items: Iterable[Item], location_id: int | None = None) -> list[Item]:
    """Set `item.badges` on each item: "<location>: <qty>[ (<n> reserved)]" per internal location holding any.

    One query of plain values (no model instances): a page of 50 items across 25 locations is 1,250 badges, and
    the page renders each as one preformatted string.
    """
    page = list(items)
    rows = StockLevel.objects.filter(item__in=page).exclude(qty=0, allocated=0)
    if location_id:
        rows = rows.filter(location_id=location_id)
    badges: dict[int, list[str]] = defaultdict(list)
    for item_id, name, qty, allocated in rows.order_by("location__kind", "location__name").values_list(
        "item_id", "location__name", "qty", "allocated"
    ):
        reserved = f" ({fmt_qty(allocated)} reserved)" if allocated else ""
        badges[item_id].append(f"{name}: {fmt_qty(qty)}{reserved}")
    for item in page:
        item.badges = badges.get(item.pk, [])  # type: ignore[attr-defined]
    return page


def item_get(*, pk: int) -> Item:
    return get_object_or_404(Item.objects.select_related("preferred_supplier"), pk=pk)


def item_levels(*, item: Item) -> QuerySet[StockLevel]:
    return (
        StockLevel.objects.filter(item=item, location__kind__in=Location.INTERNAL)
        .select_related("location")
        .order_by("location__kind", "location__name")
    )


def item_allocations(*, item: Item) -> QuerySet[Allocation]:
    return (
        Allocation.objects.filter(item=item, status=Allocation.Status.ACTIVE)
        .select_related("location", "appointment__client")
        .order_by("appointment__starts")
    )


def sku_choices() -> list[tuple[str, str]]:
    """(sku, name) of active items, for the SKU fields' suggestion list."""
    return list(Item.objects.filter(is_active=True).order_by("sku").values_list("sku", "name"))


def suppliers() -> QuerySet[Supplier]:
    return Supplier.objects.order_by("name")


def supplier_get(*, pk: int) -> Supplier:
    return get_object_or_404(Supplier, pk=pk)


# --- locations ------------------------------------------------------------------------------------------


def location_list_for_user(*, user: Any) -> QuerySet[Location]:
    """Staff see every internal location (warehouse, vans); an organizer sees only their own van."""
    locations = Location.objects.filter(kind__in=Location.INTERNAL).select_related("organizer")
    if access.is_staff_role(user):
        return locations
    if access.is_organizer(user):
        return locations.filter(kind=Location.Kind.VAN, organizer=user)
    return locations.none()


def location_get_for_user(*, user: Any, pk: int) -> Location:
    """The location if `user` may see it, else Http404 (another organizer's van looks like a missing one)."""
    return get_object_or_404(location_list_for_user(user=user), pk=pk)


def all_locations() -> QuerySet[Location]:
    """Every location, virtual ones included, for the staff's location page."""
    return Location.objects.select_related("organizer").order_by("kind", "name")


def location_get(*, pk: int) -> Location:
    return get_object_or_404(Location.objects.filter(kind__in=Location.INTERNAL), pk=pk)


def van_of(*, user: Any) -> Location | None:
    """The organizer's van, or None when the office has not set one up (never created on a read)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Location.objects.filter(kind=Location.Kind.VAN, organizer=user, is_active=True).first()


def levels_at(*, location: Location, with_empty: bool = False) -> QuerySet[StockLevel]:
    levels = StockLevel.objects.filter(location=location).select_related("item").order_by("item__sku")
    return levels if with_empty else levels.exclude(qty=0, allocated=0)


def location_value(*, location: Location) -> Decimal:
    value = StockLevel.objects.filter(location=location).aggregate(v=Sum(F("qty") * F("item__avg_cost")))["v"]
    return cents(value or ZERO)


def warehouse_or_none() -> Location | None:
    return Location.objects.filter(kind=Location.Kind.WAREHOUSE, is_active=True).order_by("pk").first()


# --- the ledger -----------------------------------------------------------------------------------------


def _moves() -> QuerySet[StockMove]:
    # Three joins and three prefetches rather than nine joins: with nine (nullable) joins PostgreSQL spends about
    # 30 ms planning a query that runs in under 1 ms (measured, bench/inventory.py).
    return StockMove.objects.select_related("item", "from_location", "to_location").prefetch_related(
        "actor", Prefetch("appointment", queryset=Appointment.objects.select_related("client")), "reversed_by"
    )


def is_reversed(move: StockMove) -> bool:
    return hasattr(move, "reversed_by")  # selected with the move: no query


def move_list(
    *, item_id: int | None = None, location_id: int | None = None, reason: str = "",
    appointment_id: int | None = None,
) -> QuerySet[StockMove]:  # fmt: skip
    """The ledger, newest first, with everything a row shows (one query per page)."""
    moves = _moves()
    if item_id:
        moves = moves.filter(item_id=item_id)
    if location_id:
        moves = moves.filter(Q(from_location_id=location_id) | Q(to_location_id=location_id))
    if reason:
        moves = moves.filter(reason=reason)
    if appointment_id:
        moves = moves.filter(appointment_id=appointment_id)
    # Newest first by id: moves are append-only, so id order is entry order, and the primary key index serves
    # the first page of a 200,000-move ledger without sorting it (there is no index on created_at alone).
    return moves.order_by("-pk")


def move_list_for_user(*, user: Any) -> QuerySet[StockMove]:
    """Staff may correct any move; an organizer only the supplies they recorded on their own visits."""
    moves = _moves()
    if access.is_staff_role(user):
        return moves
    if access.is_organizer(user):
        own_visits = Appointment.objects.filter(organizers=user).values("pk")
        return moves.filter(reason=StockMove.Reason.CONSUME, actor=user, appointment__in=own_visits)
    return moves.none()


def move_get_for_user(*, user: Any, pk: int) -> StockMove:
    return get_object_or_404(move_list_for_user(user=user), pk=pk)


# --- visits and the ledger's pages ----------------------------------------------------------------------


def consume_location_for(*, user: Any, visit: Appointment, location_id: int | None) -> Location | None:
    """Where supplies used on `visit` come from: an organizer's own van; staff choose (default: the van of the
    visit's first organizer that has one, else the warehouse)."""
    if not access.is_staff_role(user):
        return van_of(user=user)
    locations = internal_locations()
    if location_id:
        return locations.filter(pk=location_id).first()
    van = locations.filter(kind=Location.Kind.VAN, organizer__in=visit.organizers.all()).order_by("pk").first()
    return van or warehouse_or_none()


def reversible_move_ids(*, user: Any, moves: list[StockMove]) -> set[int]:
    """The moves in `moves` this user may correct with a reversing move from the page.

    Reversals are not reversed again, and receipts booked against a purchase order are corrected on the order
    (a reversal would leave the order line counted as received). Organizers undo only their own consumption.
    """
    is_staff = access.is_staff_role(user)
    return {
        m.pk
        for m in moves
        if not is_reversed(m)
        and m.reason != StockMove.Reason.REVERSAL
        and m.po_line_id is None
        and (is_staff or (m.reason == StockMove.Reason.CONSUME and m.actor_id == user.pk))
    }


def keys_recorded(*, keys: list[str]) -> bool:
    """Whether every idempotency key already has its move (a retried submit that raced its first attempt)."""
    return bool(keys) and StockMove.objects.filter(idempotency_key__in=keys).count() == len(set(keys))


def location_values() -> dict[int, Decimal]:
    """Stock value (quantity x average cost) per internal location, in one query."""
    rows = (
        StockLevel.objects.filter(location__kind__in=Location.INTERNAL)
        .values("location")
        .annotate(value=Sum(F("qty") * F("item__avg_cost")))
        .values_list("location", "value")
    )
    return {pk: cents(value or ZERO) for pk, value in rows}


# --- valuation and audit --------------------------------------------------------------------------------


def valuation() -> tuple[list[dict[str, Any]], Decimal]:
    """Value per internal location (quantity x current average cost) and the total."""
    rows = (
        StockLevel.objects.filter(qty__gt=0)
        .values("location__name")
        .annotate(value=Sum(F("qty") * F("item__avg_cost")))
        .order_by("location__name")
    )
    per_location = [{"location": r["location__name"], "value": cents(r["value"] or ZERO)} for r in rows]
    return per_location, sum((r["value"] for r in per_location), ZERO)


def ledger_totals(*, before: datetime | None = None) -> dict[tuple[int, int], Decimal]:
    """The one ledger sum: quantity per (item, location) from every move (moves in minus moves out), optionally
    only moves recorded before `before`. Virtual locations come out negative or positive; callers keep the
    internal ones."""
    moves = StockMove.objects.all() if before is None else StockMove.objects.filter(created_at__lt=before)
    totals: dict[tuple[int, int], Decimal] = {}
    for row in moves.values("item", "to_location").annotate(q=Sum("qty")):
        key = (row["item"], row["to_location"])
        totals[key] = totals.get(key, ZERO) + row["q"]
    for row in moves.values("item", "from_location").annotate(q=Sum("qty")):
        key = (row["item"], row["from_location"])
        totals[key] = totals.get(key, ZERO) - row["q"]
    return totals


@dataclass(frozen=True)
class AuditProblem:
    item: str
    location: str
    cached: Decimal
    ledger: Decimal


def inventory_audit() -> list[AuditProblem]:
    """Recompute every internal level from the ledger; report differences and negative levels."""
    ledger = ledger_totals()
    internal = {loc.pk: loc.name for loc in Location.objects.filter(kind__in=Location.INTERNAL)}
    items = dict(Item.objects.values_list("pk", "sku"))
    cached = {(lv.item_id, lv.location_id): lv.qty for lv in StockLevel.objects.all()}
    problems = []
    for key in set(cached) | {k for k in ledger if k[1] in internal}:
        have, want = cached.get(key, ZERO), ledger.get(key, ZERO)
        if have != want or have < 0:
            problems.append(AuditProblem(items[key[0]], internal.get(key[1], str(key[1])), have, want))
    return problems


def visit_reservations(*, visit: Appointment) -> QuerySet[Allocation]:
    """Supplies still reserved for a visit, with their item and location."""
    return visit.allocations.filter(status=Allocation.Status.ACTIVE).select_related("item", "location")


def open_shortfalls() -> QuerySet[Allocation]:
    """Stock discrepancies for office (T21): reservations a completed visit could not fully take from stock."""
    return (
        Allocation.objects.filter(short_qty__gt=0, short_resolved_at__isnull=True)
        .select_related("item", "location", "appointment__client")
        .order_by("pk")
    )


def shortfall_get(*, pk: int) -> Allocation:
    return get_object_or_404(open_shortfalls(), pk=pk)


def visit_shortfalls(*, visit: Appointment) -> QuerySet[Allocation]:
    return open_shortfalls().filter(appointment=visit)
