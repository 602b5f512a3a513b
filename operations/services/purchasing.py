"""Purchasing: purchase orders from draft to received, drafts from the reorder suggestions, and items bought for
a client on a visit (pass-through purchases). Receiving goes through the stock ledger (services.inventory).

Rules: docs/specs/inventory.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts import access
from accounts.models import User
from operations.formats import fmt_qty
from operations.models import (
    Appointment,
    ClientPurchase,
    Item,
    Location,
    PurchaseOrder,
    PurchaseOrderLine,
    StockMove,
    Supplier,
)
from operations.selectors import purchasing as purchasing_selectors
from operations.services.inventory import quantity, stock_move, virtual_location, warehouse

PO_STATUS_MSG = "A %(status)s order cannot be %(action)s."
NOT_ON_VISIT_MSG = "Organizers record purchases only on visits they are booked on."
RECEIVE_TOO_MUCH_MSG = "Receiving %(qty)s would exceed the %(open)s still open on %(item)s."


@transaction.atomic
def po_create(*, supplier: Supplier, lines: Sequence[tuple[Item, Any, Any]], actor: User | None) -> PurchaseOrder:
    order = PurchaseOrder.objects.create(supplier=supplier, created_by=actor)
    for item, qty, cost in lines:
        line = PurchaseOrderLine(order=order, item=item, qty_ordered=quantity(qty), unit_cost=Decimal(cost))
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
        if not order.is_cancellable:
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
    if not order.is_receivable:
        raise ValidationError(PO_STATUS_MSG, code="status", params={"status": order.status, "action": "received"})
    target = location or warehouse()
    supplier = virtual_location("supplier")
    moves = []
    for line in PurchaseOrderLine.objects.select_for_update().filter(order=order).select_related("item"):
        qty = quantity(quantities.get(line.pk, 0) or 0)
        if qty == 0:
            continue
        if qty < 0 or qty > line.qty_open:
            raise ValidationError(
                RECEIVE_TOO_MUCH_MSG,
                code="too_much",
                params={"qty": fmt_qty(qty), "open": fmt_qty(line.qty_open), "item": line.item.name},
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


@transaction.atomic
def po_draft_from_suggestions(*, supplier: Supplier, actor: User | None) -> PurchaseOrder | None:
    """One click: a draft PO with every suggested item whose preferred supplier is this one."""
    lines = [
        (s.item, s.qty, s.item.last_cost)
        for s in purchasing_selectors.reorder_suggestions()
        if s.item.preferred_supplier_id == supplier.pk
    ]
    if not lines:
        return None
    return po_create(supplier=supplier, lines=lines, actor=actor)


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
