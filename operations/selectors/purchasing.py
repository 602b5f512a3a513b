"""Reads for purchasing: reorder suggestions (forecast below the minimum), purchase orders and their receipts.

Rules: docs/specs/inventory.md (reordering, I7).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

from django.db.models import F, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from operations.formats import ZERO, cents
from operations.models import Item, PurchaseOrder, PurchaseOrderLine, StockLevel, StockMove, Supplier
from operations.selectors import inventory as stock
from operations.selectors.inventory import QTY


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
        for row in PurchaseOrderLine.objects.filter(order__status__in=PurchaseOrder.OPEN_STATUSES)
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


def po_list(*, status: str = "") -> QuerySet[PurchaseOrder]:
    orders = PurchaseOrder.objects.select_related("supplier").annotate(
        total=Coalesce(Sum(F("lines__qty_ordered") * F("lines__unit_cost")), Value(ZERO), output_field=QTY)
    )
    orders = orders.order_by("-created_at", "-pk")  # an aggregate drops Meta.ordering
    return orders.filter(status=status) if status else orders


def po_get(*, pk: int) -> PurchaseOrder:
    return get_object_or_404(PurchaseOrder.objects.select_related("supplier", "created_by"), pk=pk)


def po_lines(*, order: PurchaseOrder) -> QuerySet[PurchaseOrderLine]:
    return order.lines.select_related("item").order_by("item__sku")


def po_receipts(*, order: PurchaseOrder) -> QuerySet[StockMove]:
    return stock.move_list().filter(po_line__order=order)


@dataclass
class SupplierSuggestions:
    supplier: Supplier | None
    lines: list[Suggestion] = field(default_factory=list)

    @property
    def value(self) -> Decimal:
        return cents(sum((s.qty * s.item.last_cost for s in self.lines), ZERO))


def reorder_by_supplier() -> list[SupplierSuggestions]:
    """The reorder suggestions grouped by preferred supplier; items without one come last."""
    groups: dict[int | None, SupplierSuggestions] = {}
    for suggestion in reorder_suggestions():
        supplier = suggestion.item.preferred_supplier
        key = supplier.pk if supplier else None
        groups.setdefault(key, SupplierSuggestions(supplier)).lines.append(suggestion)
    return sorted(groups.values(), key=lambda g: (g.supplier is None, g.supplier.name if g.supplier else ""))
