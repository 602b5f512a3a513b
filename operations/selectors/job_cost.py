"""Reads of what a visit cost in supplies: reserved, used and bought for one visit, per visit of a client, and
the one job-cost query both use (consumption at move cost less its reversals, plus pass-through purchases).

Rules: docs/specs/inventory.md (job cost, I12).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import F, QuerySet, Sum
from django.shortcuts import get_object_or_404

from clients.models import Client
from operations.formats import ZERO, cents
from operations.models import Allocation, Appointment, ClientPurchase, StockMove
from operations.selectors import inventory as stock
from operations.selectors import visits as visit_selectors

SUPPLY_REASONS = (StockMove.Reason.CONSUME, StockMove.Reason.REVERSAL)  # the moves a visit's supplies list shows


@dataclass(frozen=True)
class JobCost:
    supplies: Decimal
    pass_through_cost: Decimal
    pass_through_billed: Decimal


def supply_costs(*, visit_ids: Sequence[int]) -> dict[int, Decimal]:
    """The one job-cost query: per visit, the cost of supplies used on it at their move cost, less the reversals
    of that consumption, rounded at the cent (I12). Visits without consumption are left out."""
    value = Sum(F("qty") * F("unit_cost"))
    moves = StockMove.objects.filter(appointment_id__in=visit_ids)
    consumed = dict(
        moves.filter(reason=StockMove.Reason.CONSUME)
        .values("appointment")
        .annotate(v=value)
        .values_list("appointment", "v")
    )
    reversed_ = dict(
        moves.filter(reason=StockMove.Reason.REVERSAL, reverses__reason=StockMove.Reason.CONSUME)
        .values("appointment")
        .annotate(v=value)
        .values_list("appointment", "v")
    )
    return {
        pk: cents((consumed.get(pk) or ZERO) - (reversed_.get(pk) or ZERO)) for pk in set(consumed) | set(reversed_)
    }


def _pass_through(purchases: Iterable[ClientPurchase]) -> tuple[Decimal, Decimal]:
    """What was paid for items bought for the client, and what is billed for them."""
    bought = list(purchases)
    return sum((p.cost for p in bought), ZERO), sum((p.billed for p in bought), ZERO)


def job_cost(*, appointment: Appointment) -> JobCost:
    """Consumption cost (reversals subtracted) and pass-through totals of one visit (I12)."""
    supplies = supply_costs(visit_ids=[appointment.pk]).get(appointment.pk, cents(ZERO))
    cost, billed = _pass_through(ClientPurchase.objects.filter(appointment=appointment))
    return JobCost(supplies=supplies, pass_through_cost=cost, pass_through_billed=billed)


@dataclass(frozen=True)
class VisitSupplies:
    moves: list[StockMove]
    allocations: list[Allocation]
    purchases: list[ClientPurchase]
    cost: JobCost


def visit_supplies(*, visit: Appointment) -> VisitSupplies:
    """What was reserved, used and bought for one visit, and its supply cost (the same sums as job_cost)."""
    return VisitSupplies(
        moves=list(stock.move_list(appointment_id=visit.pk).filter(reason__in=SUPPLY_REASONS)),
        allocations=list(visit.allocations.select_related("item", "location").order_by("pk")),
        purchases=list(visit.client_purchases.select_related("created_by")),
        cost=job_cost(appointment=visit),
    )


@dataclass(frozen=True)
class VisitCostRow:
    visit: Appointment
    supplies: Decimal
    pass_through_cost: Decimal
    pass_through_billed: Decimal
    purchases: list[ClientPurchase]
    used: list[StockMove]


@dataclass(frozen=True)
class ClientSupplies:
    rows: list[VisitCostRow]
    supplies: Decimal
    pass_through_cost: Decimal
    pass_through_billed: Decimal


def client_supplies_for_user(*, user: Any, client: Client) -> ClientSupplies:
    """Per visit of `client` the user may see: supply cost (consumption less reversals, as job_cost) and the
    pass-through totals, plus the sums. Four queries whatever the number of visits."""
    visits = list(
        visit_selectors.appointment_list_for_user(user=user)
        .filter(client=client)
        .select_related("appointment_type")
        .order_by("-starts")
    )
    ids = [v.pk for v in visits]
    costs = supply_costs(visit_ids=ids)
    used: dict[int, list[StockMove]] = defaultdict(list)
    for move in (
        StockMove.objects.filter(appointment_id__in=ids, reason__in=SUPPLY_REASONS)
        .select_related("item")
        .order_by("created_at", "pk")
    ):
        used[move.appointment_id or 0].append(move)
    purchases: dict[int, list[ClientPurchase]] = defaultdict(list)
    for purchase in ClientPurchase.objects.filter(appointment_id__in=ids):
        purchases[purchase.appointment_id].append(purchase)
    rows = []
    for visit in visits:
        bought = purchases.get(visit.pk, [])
        if not (bought or used.get(visit.pk)):
            continue
        cost, billed = _pass_through(bought)
        rows.append(
            VisitCostRow(
                visit=visit, supplies=costs.get(visit.pk, cents(ZERO)), pass_through_cost=cost,
                pass_through_billed=billed, purchases=bought, used=used.get(visit.pk, []),
            )
        )  # fmt: skip
    return ClientSupplies(
        rows=rows,
        supplies=sum((r.supplies for r in rows), ZERO),
        pass_through_cost=sum((r.pass_through_cost for r in rows), ZERO),
        pass_through_billed=sum((r.pass_through_billed for r in rows), ZERO),
    )


def purchase_list_for_user(*, user: Any) -> QuerySet[ClientPurchase]:
    visible = visit_selectors.appointment_list_for_user(user=user).values("pk")
    return ClientPurchase.objects.filter(appointment__in=visible).select_related("appointment")


def purchase_get_for_user(*, user: Any, pk: int) -> ClientPurchase:
    """A pass-through purchase on a visit the user may see, else Http404."""
    return get_object_or_404(purchase_list_for_user(user=user), pk=pk)
