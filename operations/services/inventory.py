"""Stock services: every quantity change is a move in the ledger plus a conditional update of the level cache.

Rules (docs/specs/inventory.md):
- A decrement is `UPDATE level SET qty = qty - n WHERE qty - allocated >= n`; zero rows updated means
  "insufficient stock" (never a negative level; CHECK (qty >= 0) is the backstop).
- A move touching two internal locations locks both level rows in primary-key order first, so opposing
  transfers queue instead of deadlocking.
- Average cost (AVCO, default) changes only on receipts; consumption, transfers and counts move value at the
  current average. FIFO (INVENTORY_COSTING = "fifo") consumes receipt layers oldest first.
- A move with an idempotency key is recorded once: a retried submit returns the first move.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts import access
from accounts.models import User
from operations import localtime
from operations.formats import ZERO, cents, fmt_qty
from operations.models import (
    Allocation,
    Appointment,
    CostLayer,
    InventorySnapshot,
    Item,
    Location,
    LowStockNotice,
    PurchaseOrderLine,
    StockLevel,
    StockMove,
)
from operations.selectors import inventory as stock
from operations.selectors import purchasing as purchasing_selectors

INSUFFICIENT_STOCK_MSG = "Not enough %(item)s in %(location)s: %(available)s %(unit)s available."
QTY_POSITIVE_MSG = "Enter a quantity greater than zero."
OWN_VAN_MSG = "Organizers take supplies only from their own van, for their own visits."
ALLOCATION_TOO_BIG_MSG = "Only %(available)s %(unit)s of %(item)s are free in %(location)s."
ALREADY_REVERSED_MSG = "This move was already corrected."
RECEIPT_NOT_REVERSIBLE_MSG = "A receipt cannot be reversed; record a count or return the goods to the supplier."


class InsufficientStock(ValidationError):
    pass


def quantity(value: Any) -> Decimal:
    """A quantity as stored: three decimal places."""
    return Decimal(value).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


def virtual_location(kind: str) -> Location:
    names = {"supplier": "Suppliers", "consumed": "Used on jobs", "adjustment": "Count adjustments", "scrap": "Scrap"}
    location, _ = Location.objects.get_or_create(kind=kind, defaults={"name": names[kind]})
    return location


def warehouse() -> Location:
    found = Location.objects.filter(kind=Location.Kind.WAREHOUSE, is_active=True).order_by("pk").first()
    return found or Location.objects.create(kind=Location.Kind.WAREHOUSE, name="Warehouse")


def van_for(organizer: User) -> Location:
    van, _ = Location.objects.get_or_create(
        organizer=organizer, defaults={"kind": Location.Kind.VAN, "name": f"Van of {organizer}"}
    )
    return van


def _lock_levels(item: Item, locations: Iterable[Location]) -> dict[int, StockLevel]:
    """Lock the internal level rows this move touches, creating missing ones, in primary-key order."""
    internal = sorted({loc.pk for loc in locations if loc.is_internal})
    if not internal:
        return {}
    StockLevel.objects.bulk_create(
        [StockLevel(item=item, location_id=pk) for pk in internal], ignore_conflicts=True
    )  # a level appears at its first move; concurrent creators are absorbed by the unique constraint
    rows = StockLevel.objects.select_for_update().filter(item=item, location_id__in=internal).order_by("pk")
    return {level.location_id: level for level in rows}


def _fifo_cost(item: Item, qty: Decimal) -> Decimal:
    """Consume receipt layers oldest first; returns the unit cost of the quantity taken."""
    remaining, total = qty, ZERO
    for layer in CostLayer.objects.select_for_update().filter(item=item, remaining_qty__gt=0).order_by("receipt_id"):
        take = min(layer.remaining_qty, remaining)
        total += take * layer.unit_cost
        layer.remaining_qty -= take
        layer.save(update_fields=["remaining_qty"])
        remaining -= take
        if remaining == 0:
            break
    if remaining > 0:  # more out than layers hold (historic data): value the rest at the average
        total += remaining * item.avg_cost
    return (total / qty).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def _on_hand_total(item: Item) -> Decimal:
    return StockLevel.objects.filter(item=item).aggregate(q=Sum("qty"))["q"] or ZERO


@transaction.atomic
def stock_move(
    *, item: Item, qty: Any, from_location: Location, to_location: Location, reason: str, actor: User | None,
    unit_cost: Any = None, appointment: Appointment | None = None, po_line: PurchaseOrderLine | None = None,
    idempotency_key: str | None = None, note: str = "", reverses: StockMove | None = None,
    use_allocation: Decimal = ZERO,
) -> StockMove:  # fmt: skip
    """Record one move and update the cached levels in the same transaction.

    Raises InsufficientStock (code "insufficient_stock") when the source holds less available stock than asked
    (`use_allocation` of the quantity may come from stock already allocated to this move's visit).
    """
    qty = quantity(qty)
    if qty <= 0:
        raise ValidationError({"qty": QTY_POSITIVE_MSG}, code="qty")
    if idempotency_key:
        existing = StockMove.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    item = Item.objects.select_for_update().get(pk=item.pk)  # AVCO and FIFO layers change per item
    if idempotency_key:
        # Again under the item lock: a concurrent retry with the same key has committed by now.
        existing = StockMove.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    levels = _lock_levels(item, [from_location, to_location])
    if reason == StockMove.Reason.RECEIPT:
        cost = Decimal(unit_cost)
        on_hand = _on_hand_total(item)
        item.avg_cost = ((on_hand * item.avg_cost + qty * cost) / (on_hand + qty)).quantize(
            Decimal("0.0001"), rounding=ROUND_HALF_UP
        )
        item.last_cost = cost
        item.save(update_fields=["avg_cost", "last_cost"])
    elif unit_cost is not None:
        cost = Decimal(unit_cost)  # reversals repeat the original cost
    elif settings.INVENTORY_COSTING == "fifo" and to_location.kind in ("consumed", "adjustment", "scrap"):
        cost = _fifo_cost(item, qty)
    else:
        cost = item.avg_cost
    if from_location.is_internal:
        released = min(use_allocation, qty)
        updated = (
            StockLevel.objects.filter(pk=levels[from_location.pk].pk, qty__gte=qty, allocated__gte=released)
            .filter(Q(qty__gte=F("allocated") - released + qty))
            .update(qty=F("qty") - qty, allocated=F("allocated") - released)
        )
        if not updated:
            level = levels[from_location.pk]
            raise InsufficientStock(
                INSUFFICIENT_STOCK_MSG, code="insufficient_stock",
                params={"item": item.name, "location": from_location.name, "available": fmt_qty(level.available),
                        "unit": item.unit},
            )  # fmt: skip
    if to_location.is_internal:
        StockLevel.objects.filter(pk=levels[to_location.pk].pk).update(qty=F("qty") + qty)
    move = StockMove(
        item=item, qty=qty, from_location=from_location, to_location=to_location, unit_cost=cost, reason=reason,
        appointment=appointment, po_line=po_line, idempotency_key=idempotency_key or None, note=note, actor=actor,
        reverses=reverses,
    )  # fmt: skip
    try:
        with transaction.atomic():
            move.save()
    except IntegrityError:
        if idempotency_key and StockMove.objects.filter(idempotency_key=idempotency_key).exists():
            raise ValidationError("This entry was already recorded.", code="duplicate") from None
        raise
    if reason == StockMove.Reason.RECEIPT:
        CostLayer.objects.create(item=item, receipt=move, remaining_qty=qty, unit_cost=cost)
    return move


# --- everyday operations --------------------------------------------------------------------------------


def stock_transfer(
    *, item: Item, qty: Any, from_location: Location, to_location: Location, actor: User | None,
    idempotency_key: str | None = None,
) -> StockMove:  # fmt: skip
    return stock_move(
        item=item, qty=qty, from_location=from_location, to_location=to_location, reason="transfer", actor=actor,
        idempotency_key=idempotency_key,
    )  # fmt: skip


def stock_consume(
    *, appointment: Appointment, item: Item, qty: Any, location: Location, actor: User,
    idempotency_key: str | None = None,
) -> StockMove:  # fmt: skip
    """Supplies used on a visit. Organizers consume only from their own van, only on their own visits (I11)."""
    if not access.is_staff_role(actor):
        own_van = location.kind == Location.Kind.VAN and location.organizer_id == actor.pk
        if not own_van or not appointment.organizers.filter(pk=actor.pk).exists():
            raise ValidationError(OWN_VAN_MSG, code="not_own_van")
    return stock_move(
        item=item, qty=qty, from_location=location, to_location=virtual_location("consumed"), reason="consume",
        actor=actor, appointment=appointment, idempotency_key=idempotency_key,
    )  # fmt: skip


@transaction.atomic
def stock_consume_lines(
    *, appointment: Appointment, location: Location, actor: User, lines: Sequence[tuple[Item, Any, str | None]]
) -> list[StockMove]:
    """Several supplies used on a visit, each (item, qty, idempotency key): all lines or none, so a line refused
    for lack of stock does not leave the others recorded."""
    return [
        stock_consume(
            appointment=appointment, item=item, qty=qty, location=location, actor=actor, idempotency_key=key
        )  # fmt: skip
        for item, qty, key in lines
    ]


@transaction.atomic
def stock_count(*, item: Item, location: Location, counted: Any, actor: User | None) -> StockMove | None:
    """Record a physical count; the difference is booked against the adjustment location (I10)."""
    counted = quantity(counted)
    if counted < 0:
        raise ValidationError({"counted": "A count cannot be negative."}, code="negative_count")
    level = _lock_levels(item, [location])[location.pk]
    difference = counted - level.qty
    if difference == 0:
        return None
    adjustment = virtual_location("adjustment")
    if difference < 0:
        return stock_move(item=item, qty=-difference, from_location=location, to_location=adjustment,
                          reason="count_adjust", actor=actor, use_allocation=level.allocated)  # fmt: skip
    return stock_move(item=item, qty=difference, from_location=adjustment, to_location=location,
                      reason="count_adjust", actor=actor)  # fmt: skip


def stock_reverse(*, move: StockMove, actor: User | None, note: str = "") -> StockMove:
    """Correct a mistake with the opposite move at the same cost; the original is never edited."""
    if move.reason == StockMove.Reason.REVERSAL or StockMove.objects.filter(reverses=move).exists():
        raise ValidationError(ALREADY_REVERSED_MSG, code="already_reversed")
    if move.reason == StockMove.Reason.RECEIPT:
        # A receipt fed the average cost, the FIFO layers and its PO line; undoing only the quantity would
        # leave those wrong. Receiving errors are corrected with a count or a return to the supplier.
        raise ValidationError(RECEIPT_NOT_REVERSIBLE_MSG, code="receipt")
    try:
        return stock_move(
            item=move.item, qty=move.qty, from_location=move.to_location, to_location=move.from_location,
            reason="reversal", actor=actor, unit_cost=move.unit_cost, appointment=move.appointment, reverses=move,
            note=note or f"Reverses move #{move.pk}",
        )  # fmt: skip
    except IntegrityError as exc:  # a concurrent reversal of the same move won the one-to-one
        raise ValidationError(ALREADY_REVERSED_MSG, code="already_reversed") from exc


# --- allocations ----------------------------------------------------------------------------------------


@transaction.atomic
def allocation_create(*, appointment: Appointment, item: Item, location: Location, qty: Any) -> Allocation:
    """Reserve stock for a visit: refused when it exceeds what is free (on hand - allocated) (I6)."""
    qty = quantity(qty)
    if qty <= 0:
        raise ValidationError({"qty": QTY_POSITIVE_MSG}, code="qty")
    level = _lock_levels(item, [location])[location.pk]
    updated = StockLevel.objects.filter(pk=level.pk, qty__gte=F("allocated") + qty).update(
        allocated=F("allocated") + qty
    )
    if not updated:
        raise InsufficientStock(
            ALLOCATION_TOO_BIG_MSG, code="insufficient_stock",
            params={"available": fmt_qty(level.available), "unit": item.unit, "item": item.name,
                    "location": location.name},
        )  # fmt: skip
    return Allocation.objects.create(appointment=appointment, item=item, location=location, qty=qty)


@transaction.atomic
def allocations_consume(*, appointment: Appointment, actor: User | None) -> list[StockMove]:
    """At completion each reservation becomes a consume move and is released (I6).

    Stock never blocks completing a visit (T21, docs/specs/defects.md): when the location holds less than was
    reserved (a count found less), what it has is consumed, without taking other visits' reservations, and the
    rest is recorded on the allocation as a shortfall that office resolves (allocation_shortfall_resolve)."""
    moves = []
    for allocation in Allocation.objects.select_for_update().filter(
        appointment=appointment, status=Allocation.Status.ACTIVE
    ):
        Item.objects.select_for_update().get(pk=allocation.item_id)  # item before level, as stock_move locks
        level = _lock_levels(allocation.item, [allocation.location])[allocation.location_id]
        released = min(allocation.qty, level.allocated)
        StockLevel.objects.filter(pk=level.pk).update(allocated=F("allocated") - released)
        others_reserved = level.allocated - released
        take = max(min(allocation.qty, level.qty - others_reserved), ZERO)
        if take > 0:
            moves.append(
                stock_move(
                    item=allocation.item, qty=take, from_location=allocation.location,
                    to_location=virtual_location("consumed"), reason="consume", actor=actor, appointment=appointment,
                )
            )  # fmt: skip
        allocation.status = Allocation.Status.CONSUMED
        allocation.short_qty = allocation.qty - take
        allocation.save(update_fields=["status", "short_qty"])
    return moves


SHORTFALL_RESOLVED_MSG = "This shortfall is already resolved."


@transaction.atomic
def allocation_shortfall_resolve(*, allocation: Allocation, take: bool, actor: User | None) -> StockMove | None:
    """Close a shortfall recorded at completion (T21): `take` consumes it from the allocation's location now
    (after a count or a transfer put the stock there; InsufficientStock otherwise), else it is cancelled and
    nothing more is consumed."""
    allocation = Allocation.objects.select_for_update().get(pk=allocation.pk)
    if allocation.short_qty <= 0 or allocation.short_resolved_at is not None:
        raise ValidationError(SHORTFALL_RESOLVED_MSG, code="resolved")
    move = None
    if take:
        move = stock_move(
            item=allocation.item, qty=allocation.short_qty, from_location=allocation.location,
            to_location=virtual_location("consumed"), reason="consume", actor=actor,
            appointment=allocation.appointment, note="Shortfall at completion, taken from stock",
        )  # fmt: skip
    allocation.short_resolved_at = timezone.now()
    allocation.short_resolution = "taken" if take else "cancelled"
    allocation.save(update_fields=["short_resolved_at", "short_resolution"])
    return move


@transaction.atomic
def allocations_release(*, appointment: Appointment) -> int:
    """A cancelled visit gives its reserved stock back."""
    released = 0
    for allocation in Allocation.objects.select_for_update().filter(
        appointment=appointment, status=Allocation.Status.ACTIVE
    ):
        StockLevel.objects.filter(item=allocation.item, location=allocation.location).update(
            allocated=F("allocated") - allocation.qty
        )
        allocation.status = Allocation.Status.RELEASED
        allocation.save(update_fields=["status"])
        released += 1
    return released


# --- snapshots and the low-stock email ------------------------------------------------------------------

LOW_STOCK_SUBJECT = "Low stock: %(count)s item(s) to reorder"
LOW_STOCK_TEMPLATE = "emails/low_stock_body.txt"


def business_yesterday(*, now: datetime) -> date:
    """The business-local day that ended most recently: beat runs in UTC, days are local (25 h and 23 h days
    included), so the nightly work asks this instead of trusting a crontab in a DST zone."""
    return localtime.local_yesterday(now, settings.BUSINESS_TIME_ZONE)


def snapshot_take(*, local_date: date, tz: str | None = None) -> int:
    """Upsert end-of-local-day quantity and value per internal (item, location) from the ledger (I13)."""
    _day_start, day_end = localtime.local_day_bounds(local_date, tz or settings.BUSINESS_TIME_ZONE)
    totals = stock.ledger_totals(before=day_end)
    internal = set(Location.objects.filter(kind__in=Location.INTERNAL).values_list("pk", flat=True))
    costs = dict(Item.objects.values_list("pk", "avg_cost"))
    count = 0
    for (item_id, location_id), qty in totals.items():
        if location_id not in internal:
            continue
        InventorySnapshot.objects.update_or_create(
            local_date=local_date, item_id=item_id, location_id=location_id,
            defaults={"qty": qty, "avg_cost": costs[item_id], "value": cents(qty * costs[item_id])},
        )  # fmt: skip
        count += 1
    return count


def low_stock_notify(*, local_date: date) -> bool:
    """Email office staff the reorder list once per local day (idempotent: one LowStockNotice per day)."""
    suggestions = purchasing_selectors.reorder_suggestions()
    if not suggestions:
        return False
    with transaction.atomic():
        notice, created = LowStockNotice.objects.get_or_create(
            local_date=local_date, defaults={"lines": len(suggestions)}
        )
        if not created:
            return False
    recipients = list(
        User.objects.filter(role__in=access.STAFF_ROLES, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    lines = [
        f"- {s.item.sku} {s.item.name}: forecast {fmt_qty(s.forecast)}, suggest {fmt_qty(s.qty)} {s.item.unit}"
        for s in suggestions
    ]
    context = {"lines": lines, "reorder_url": settings.SITE_URL + reverse("operations:reorder")}
    send_mail(
        subject=LOW_STOCK_SUBJECT % {"count": len(suggestions)},
        message=render_to_string(LOW_STOCK_TEMPLATE, context).strip(),
        from_email=None,
        recipient_list=recipients,
    )
    return True
