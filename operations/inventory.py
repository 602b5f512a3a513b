"""Stock services: every quantity change is a move in the ledger plus a conditional update of the level cache.

Rules (OPERATIONS.md §3.2):
- A decrement is `UPDATE level SET qty = qty - n WHERE qty - allocated >= n`; zero rows updated means
  "insufficient stock" (never a negative level; CHECK (qty >= 0) is the backstop).
- A move touching two internal locations locks both level rows in primary-key order first, so opposing
  transfers queue instead of deadlocking.
- Average cost (AVCO, default) changes only on receipts; consumption, transfers and counts move value at the
  current average. FIFO (INVENTORY_COSTING = "fifo") consumes receipt layers oldest first.
- A move with an idempotency key is recorded once: a retried submit returns the first move.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from accounts import access
from accounts.models import User
from operations.models import (
    Allocation,
    Appointment,
    ClientPurchase,
    CostLayer,
    InventorySnapshot,
    Item,
    Location,
    LowStockNotice,
    PurchaseOrder,
    PurchaseOrderLine,
    StockLevel,
    StockMove,
    Supplier,
)

logger = logging.getLogger("organizer_pm.inventory")

ZERO = Decimal("0")
CENT = Decimal("0.01")
INSUFFICIENT_STOCK_MSG = "Not enough %(item)s in %(location)s: %(available)s %(unit)s available."
QTY_POSITIVE_MSG = "Enter a quantity greater than zero."
OWN_VAN_MSG = "Organizers take supplies only from their own van, for their own visits."
ALLOCATION_TOO_BIG_MSG = "Only %(available)s %(unit)s of %(item)s are free in %(location)s."
PO_STATUS_MSG = "A %(status)s order cannot be %(action)s."
ALREADY_REVERSED_MSG = "This move was already corrected."
RECEIPT_NOT_REVERSIBLE_MSG = "A receipt cannot be reversed; record a count or return the goods to the supplier."
NOT_ON_VISIT_MSG = "Organizers record purchases only on visits they are booked on."
RECEIVE_TOO_MUCH_MSG = "Receiving %(qty)s would exceed the %(open)s still open on %(item)s."


class InsufficientStock(ValidationError):
    pass


def _q(value: Any) -> Decimal:
    return Decimal(value).quantize(Decimal("0.001"))


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
    return (total / qty).quantize(Decimal("0.0001"))


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
    qty = _q(qty)
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
        item.avg_cost = ((on_hand * item.avg_cost + qty * cost) / (on_hand + qty)).quantize(Decimal("0.0001"))
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
                params={"item": item.name, "location": from_location.name, "available": _fmt(level.available),
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


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}".rstrip("0")


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
def stock_count(*, item: Item, location: Location, counted: Any, actor: User | None) -> StockMove | None:
    """Record a physical count; the difference is booked against the adjustment location (I10)."""
    counted = _q(counted)
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
    qty = _q(qty)
    if qty <= 0:
        raise ValidationError({"qty": QTY_POSITIVE_MSG}, code="qty")
    level = _lock_levels(item, [location])[location.pk]
    updated = StockLevel.objects.filter(pk=level.pk, qty__gte=F("allocated") + qty).update(
        allocated=F("allocated") + qty
    )
    if not updated:
        raise InsufficientStock(
            ALLOCATION_TOO_BIG_MSG, code="insufficient_stock",
            params={"available": _fmt(level.available), "unit": item.unit, "item": item.name,
                    "location": location.name},
        )  # fmt: skip
    return Allocation.objects.create(appointment=appointment, item=item, location=location, qty=qty)


@transaction.atomic
def allocations_consume(*, appointment: Appointment, actor: User | None) -> list[StockMove]:
    """At completion each reservation becomes a consume move and is released (I6)."""
    moves = []
    for allocation in Allocation.objects.select_for_update().filter(appointment=appointment, status="active"):
        moves.append(
            stock_move(
                item=allocation.item, qty=allocation.qty, from_location=allocation.location,
                to_location=virtual_location("consumed"), reason="consume", actor=actor, appointment=appointment,
                use_allocation=allocation.qty,
            )
        )  # fmt: skip
        allocation.status = Allocation.Status.CONSUMED
        allocation.save(update_fields=["status"])
    return moves


@transaction.atomic
def allocations_release(*, appointment: Appointment) -> int:
    """A cancelled visit gives its reserved stock back."""
    released = 0
    for allocation in Allocation.objects.select_for_update().filter(appointment=appointment, status="active"):
        StockLevel.objects.filter(item=allocation.item, location=allocation.location).update(
            allocated=F("allocated") - allocation.qty
        )
        allocation.status = Allocation.Status.RELEASED
        allocation.save(update_fields=["status"])
        released += 1
    return released


# --- purchase orders and reordering ---------------------------------------------------------------------

OPEN_PO_STATUSES = ("draft", "ordered", "partly_received")


@transaction.atomic
def po_create(*, supplier: Supplier, lines: Sequence[tuple[Item, Any, Any]], actor: User | None) -> PurchaseOrder:
    order = PurchaseOrder.objects.create(supplier=supplier, created_by=actor)
    for item, qty, cost in lines:
        line = PurchaseOrderLine(order=order, item=item, qty_ordered=_q(qty), unit_cost=Decimal(cost))
        line.full_clean(exclude=["order"])
        line.save()
    return order


def po_mark_ordered(*, order: PurchaseOrder) -> PurchaseOrder:
    with transaction.atomic():
        order = PurchaseOrder.objects.select_for_update().get(pk=order.pk)
        if order.status != PurchaseOrder.Status.DRAFT:
            raise ValidationError(PO_STATUS_MSG, code="status", params={"status": order.status, "action": "ordered"})
        if not order.lines.exists():
            raise ValidationError("Add at least one line before ordering.", code="empty")
        order.status, order.ordered_at = PurchaseOrder.Status.ORDERED, timezone.now()
        order.save(update_fields=["status", "ordered_at"])
    return order


def po_cancel(*, order: PurchaseOrder) -> PurchaseOrder:
    with transaction.atomic():
        order = PurchaseOrder.objects.select_for_update().get(pk=order.pk)
        if order.status not in ("draft", "ordered"):
            raise ValidationError(PO_STATUS_MSG, code="status", params={"status": order.status, "action": "cancelled"})
        order.status = PurchaseOrder.Status.CANCELLED
        order.save(update_fields=["status"])
    return order


@transaction.atomic
def po_receive(
    *, order: PurchaseOrder, quantities: dict[int, Any], actor: User | None, location: Location | None = None
) -> list[StockMove]:
    """Receive some or all of the open quantities into the warehouse at the PO's costs."""
    order = PurchaseOrder.objects.select_for_update().get(pk=order.pk)
    if order.status not in ("ordered", "partly_received"):
        raise ValidationError(PO_STATUS_MSG, code="status", params={"status": order.status, "action": "received"})
    target = location or warehouse()
    supplier = virtual_location("supplier")
    moves = []
    for line in PurchaseOrderLine.objects.select_for_update().filter(order=order).select_related("item"):
        qty = _q(quantities.get(line.pk, 0) or 0)
        if qty == 0:
            continue
        if qty < 0 or qty > line.qty_open:
            raise ValidationError(
                RECEIVE_TOO_MUCH_MSG,
                code="too_much",
                params={"qty": _fmt(qty), "open": _fmt(line.qty_open), "item": line.item.name},
            )
        moves.append(stock_move(item=line.item, qty=qty, from_location=supplier, to_location=target, reason="receipt",
                                actor=actor, unit_cost=line.unit_cost, po_line=line))  # fmt: skip
        line.qty_received += qty
        line.save(update_fields=["qty_received"])
    if not moves:
        raise ValidationError("Enter a quantity to receive.", code="nothing")
    fully = not PurchaseOrderLine.objects.filter(order=order, qty_received__lt=F("qty_ordered")).exists()
    order.status = PurchaseOrder.Status.RECEIVED if fully else PurchaseOrder.Status.PARTLY_RECEIVED
    order.save(update_fields=["status"])
    return moves


@dataclass(frozen=True)
class Suggestion:
    item: Item
    on_hand: Decimal
    allocated: Decimal
    incoming: Decimal
    forecast: Decimal
    qty: Decimal


def reorder_qty(*, forecast: Decimal, minimum: Decimal, maximum: Decimal, multiple: Decimal) -> Decimal:
    """Below min (strictly), order up to max in whole multiples, rounding up (Odoo 17/19, not 18) (I7)."""
    if forecast >= minimum or maximum <= forecast:
        return ZERO
    packs = ((maximum - forecast) / multiple).to_integral_value(rounding=ROUND_CEILING)
    return packs * multiple


def reorder_suggestions() -> list[Suggestion]:
    """Per active item with a rule: forecast = on hand + on order (open PO lines) - allocated, business-wide."""
    levels = {
        row["item"]: row
        for row in StockLevel.objects.values("item").annotate(on_hand=Sum("qty"), allocated=Sum("allocated"))
    }
    incoming = {
        row["item"]: row["open"]
        for row in PurchaseOrderLine.objects.filter(order__status__in=OPEN_PO_STATUSES)
        .values("item")
        .annotate(open=Sum(F("qty_ordered") - F("qty_received")))
    }
    result = []
    for item in Item.objects.filter(is_active=True, reorder_max__gt=0).select_related("preferred_supplier"):
        on_hand = levels.get(item.pk, {}).get("on_hand") or ZERO
        allocated = levels.get(item.pk, {}).get("allocated") or ZERO
        open_qty = incoming.get(item.pk) or ZERO
        forecast = on_hand + open_qty - allocated
        qty = reorder_qty(forecast=forecast, minimum=item.reorder_min, maximum=item.reorder_max,
                          multiple=item.reorder_multiple)  # fmt: skip
        if qty > 0:
            result.append(Suggestion(item, on_hand, allocated, open_qty, forecast, qty))
    return result


@transaction.atomic
def po_draft_from_suggestions(*, supplier: Supplier, actor: User | None) -> PurchaseOrder | None:
    """One click: a draft PO with every suggested item whose preferred supplier is this one."""
    lines = [
        (s.item, s.qty, s.item.last_cost) for s in reorder_suggestions() if s.item.preferred_supplier_id == supplier.pk
    ]
    if not lines:
        return None
    return po_create(supplier=supplier, lines=lines, actor=actor)


# --- valuation, snapshots, audit, low stock -------------------------------------------------------------


def valuation() -> tuple[list[dict[str, Any]], Decimal]:
    """Value per internal location (quantity x current average cost) and the total."""
    rows = (
        StockLevel.objects.filter(qty__gt=0)
        .values("location__name")
        .annotate(value=Sum(F("qty") * F("item__avg_cost")))
        .order_by("location__name")
    )
    per_location = [{"location": r["location__name"], "value": (r["value"] or ZERO).quantize(CENT)} for r in rows]
    return per_location, sum((r["value"] for r in per_location), ZERO)


def business_yesterday(*, now: datetime) -> date:
    """The business-local day that ended most recently: beat runs in UTC, days are local (25 h and 23 h days
    included), so the nightly work asks this instead of trusting a crontab in a DST zone."""
    return now.astimezone(ZoneInfo(settings.BUSINESS_TIME_ZONE)).date() - timedelta(days=1)


def snapshot_take(*, local_date: date, tz: str | None = None) -> int:
    """Upsert end-of-local-day quantity and value per internal (item, location) from the ledger (I13)."""
    zone = ZoneInfo(tz or settings.BUSINESS_TIME_ZONE)
    day_end = datetime.combine(local_date + timedelta(days=1), time(0), tzinfo=zone)
    moves = StockMove.objects.filter(created_at__lt=day_end)
    totals: dict[tuple[int, int], Decimal] = {}
    for row in moves.values("item", "to_location").annotate(q=Sum("qty")):
        totals[(row["item"], row["to_location"])] = totals.get((row["item"], row["to_location"]), ZERO) + row["q"]
    for row in moves.values("item", "from_location").annotate(q=Sum("qty")):
        totals[(row["item"], row["from_location"])] = totals.get((row["item"], row["from_location"]), ZERO) - row["q"]
    internal = set(Location.objects.filter(kind__in=Location.INTERNAL).values_list("pk", flat=True))
    costs = dict(Item.objects.values_list("pk", "avg_cost"))
    count = 0
    for (item_id, location_id), qty in totals.items():
        if location_id not in internal:
            continue
        InventorySnapshot.objects.update_or_create(
            local_date=local_date, item_id=item_id, location_id=location_id,
            defaults={"qty": qty, "avg_cost": costs[item_id], "value": (qty * costs[item_id]).quantize(CENT)},
        )  # fmt: skip
        count += 1
    return count


@dataclass(frozen=True)
class AuditProblem:
    item: str
    location: str
    cached: Decimal
    ledger: Decimal


def inventory_audit() -> list[AuditProblem]:
    """Recompute every internal level from the ledger; report differences and negative levels."""
    ledger: dict[tuple[int, int], Decimal] = {}
    for row in StockMove.objects.values("item", "to_location").annotate(q=Sum("qty")):
        key = (row["item"], row["to_location"])
        ledger[key] = ledger.get(key, ZERO) + row["q"]
    for row in StockMove.objects.values("item", "from_location").annotate(q=Sum("qty")):
        key = (row["item"], row["from_location"])
        ledger[key] = ledger.get(key, ZERO) - row["q"]
    internal = {loc.pk: loc.name for loc in Location.objects.filter(kind__in=Location.INTERNAL)}
    items = dict(Item.objects.values_list("pk", "sku"))
    cached = {(lv.item_id, lv.location_id): lv.qty for lv in StockLevel.objects.all()}
    problems = []
    for key in set(cached) | {k for k in ledger if k[1] in internal}:
        have, want = cached.get(key, ZERO), ledger.get(key, ZERO)
        if have != want or have < 0:
            problems.append(AuditProblem(items[key[0]], internal.get(key[1], str(key[1])), have, want))
    return problems


def low_stock_notify(*, local_date: date) -> bool:
    """Email office staff the reorder list once per local day (idempotent: one LowStockNotice per day)."""
    suggestions = reorder_suggestions()
    if not suggestions:
        return False
    with transaction.atomic():
        notice, created = LowStockNotice.objects.get_or_create(
            local_date=local_date, defaults={"lines": len(suggestions)}
        )
        if not created:
            return False
    recipients = list(
        User.objects.filter(role__in=["owner", "office"], is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    lines = [
        f"- {s.item.sku} {s.item.name}: forecast {_fmt(s.forecast)}, suggest {_fmt(s.qty)} {s.item.unit}"
        for s in suggestions
    ]
    send_mail(
        subject=f"Low stock: {len(suggestions)} item(s) to reorder",
        message="These supplies are below their reorder point:\n\n"
        + "\n".join(lines)
        + f"\n\nDraft purchase orders: {settings.SITE_URL}/schedule/inventory/reorder/",
        from_email=None,
        recipient_list=recipients,
    )
    return True


# --- pass-through purchases and job cost ----------------------------------------------------------------


@dataclass(frozen=True)
class JobCost:
    supplies: Decimal
    pass_through_cost: Decimal
    pass_through_billed: Decimal


def job_cost(*, appointment: Appointment) -> JobCost:
    """Consumption cost (reversals subtracted) and pass-through totals of one visit (I12)."""
    used = StockMove.objects.filter(appointment=appointment)
    consumed = used.filter(reason="consume").aggregate(v=Sum(F("qty") * F("unit_cost")))["v"] or ZERO
    reversed_ = (
        used.filter(reason="reversal", reverses__reason="consume").aggregate(v=Sum(F("qty") * F("unit_cost")))["v"]
        or ZERO
    )
    purchases = list(ClientPurchase.objects.filter(appointment=appointment))
    return JobCost(
        supplies=(consumed - reversed_).quantize(CENT),
        pass_through_cost=sum((p.cost for p in purchases), ZERO),
        pass_through_billed=sum((p.billed for p in purchases), ZERO),
    )


def client_purchase_add(
    *, appointment: Appointment, description: str, cost: Any, markup_pct: Any, receipt: Any, actor: User,
    store: str = "", idempotency_key: str | None = None,
) -> ClientPurchase:  # fmt: skip
    """Record an item bought for the client. Organizers record purchases on their own visits only.

    A retried submit with the same idempotency key returns the first purchase instead of adding a second."""
    if idempotency_key:
        existing = ClientPurchase.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    if not access.is_staff_role(actor) and not appointment.organizers.filter(pk=actor.pk).exists():
        raise ValidationError(NOT_ON_VISIT_MSG, code="not_own_visit")
    purchase = ClientPurchase(
        appointment=appointment, description=description, store=store, cost=Decimal(cost),
        markup_pct=Decimal(markup_pct or 0), created_by=actor, idempotency_key=idempotency_key or None,
    )  # fmt: skip
    purchase.full_clean(exclude=["receipt", "idempotency_key"])  # before a file is written: no orphan on refusal
    if receipt is not None:
        purchase.receipt.save("receipt.jpg", receipt, save=False)
    try:
        with transaction.atomic():
            purchase.save()
    except IntegrityError:
        if idempotency_key and ClientPurchase.objects.filter(idempotency_key=idempotency_key).exists():
            purchase.receipt.delete(save=False)  # the concurrent twin won; drop this copy's file
            return ClientPurchase.objects.get(idempotency_key=idempotency_key)
        raise
    return purchase


# --- CSV import -----------------------------------------------------------------------------------------

CSV_COLUMNS = ["sku", "name", "unit", "category", "supplier", "cost", "reorder_min", "reorder_max", "reorder_multiple"]


@dataclass(frozen=True)
class CsvError:
    row: int
    column: str
    message: str


def items_import_csv(*, data: bytes) -> tuple[int, list[CsvError]]:
    """Validate every row first; import nothing unless the whole file is valid. Returns (imported, errors).

    Rows are keyed on SKU: an existing SKU is updated, so importing the same file twice changes nothing.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return 0, [CsvError(0, "file", "The file is not UTF-8 text. Save it as CSV (UTF-8).")]
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("sku", "name") if c not in (reader.fieldnames or [])]
    if missing:
        return 0, [CsvError(1, c, "This column is missing from the header row.") for c in missing]
    errors: list[CsvError] = []
    parsed: list[dict[str, Any]] = []
    seen: set[str] = set()
    categories = set(Item.Category.values)
    for number, row in enumerate(reader, start=2):
        clean: dict[str, Any] = {}
        sku = (row.get("sku") or "").strip()
        if not sku or len(sku) > 40:
            errors.append(CsvError(number, "sku", "Required, at most 40 characters."))
        elif sku in seen:
            errors.append(CsvError(number, "sku", "This SKU appears twice in the file."))
        seen.add(sku)
        clean["sku"] = sku
        name = (row.get("name") or "").strip()
        if not name or len(name) > 200:
            errors.append(CsvError(number, "name", "Required, at most 200 characters."))
        clean["name"] = name
        clean["unit"] = (row.get("unit") or "each").strip()[:20] or "each"
        category = (row.get("category") or "other").strip().lower() or "other"
        if category not in categories:
            errors.append(CsvError(number, "category", f"Use one of: {', '.join(sorted(categories))}."))
        clean["category"] = category
        clean["supplier"] = (row.get("supplier") or "").strip()[:120]
        for column, default in (("cost", "0"), ("reorder_min", "0"), ("reorder_max", "0"), ("reorder_multiple", "1")):
            raw = (row.get(column) or default).strip() or default
            try:
                value = Decimal(raw)
            except InvalidOperation:
                errors.append(CsvError(number, column, f"“{raw[:20]}” is not a number."))
                continue
            if value < 0 or (column == "reorder_multiple" and value == 0):
                errors.append(CsvError(number, column, "Must be a positive number."))
            clean[column] = value
        if clean.get("reorder_max", ZERO) < clean.get("reorder_min", ZERO):
            errors.append(CsvError(number, "reorder_max", "Must be at least reorder_min."))
        parsed.append(clean)
    if errors:
        return 0, errors
    with transaction.atomic():
        for row in parsed:
            supplier = Supplier.objects.get_or_create(name=row["supplier"])[0] if row["supplier"] else None
            Item.objects.update_or_create(
                sku=row["sku"],
                defaults={
                    "name": row["name"], "unit": row["unit"], "category": row["category"],
                    "preferred_supplier": supplier, "last_cost": row["cost"], "reorder_min": row["reorder_min"],
                    "reorder_max": row["reorder_max"], "reorder_multiple": row["reorder_multiple"],
                },
            )  # fmt: skip
    return len(parsed), []
