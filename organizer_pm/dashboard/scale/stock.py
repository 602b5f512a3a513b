"""Supplies of the scale data set: items, locations, the stock ledger and the levels it sums to.

The ledger is simulated in time order: a visit consumes from its organizer's van; a van short of an item is
restocked from the warehouse an hour before the visit; a warehouse short of it receives a supplier delivery the day
before. So no location ever goes below zero at any instant, and each level written is its ledger's sum. Costs are
average costs (AVCO), carried through the simulation the way the inventory services value moves.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from operations.models import Item, Location, StockLevel, StockMove, Supplier
from operations.services.inventory import van_for, virtual_location, warehouse
from organizer_pm.dashboard.scale.bulk import copy_rows, reserve_ids
from organizer_pm.dashboard.scale.plan import Plan, World

CATEGORIES = ["bins", "labels", "drawer", "shelving", "hangers", "packing", "cleaning", "other"]
ITEMS = 120
VAN_BATCH, WAREHOUSE_BATCH = 12, 80
FOUR = Decimal("0.0001")


class Ledger:
    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.level: dict[tuple[int, int], int] = defaultdict(int)
        self.qty: dict[int, int] = defaultdict(int)  # internal on-hand per item (AVCO pool)
        self.value: dict[int, Decimal] = defaultdict(Decimal)
        self.last_cost: dict[int, Decimal] = {}
        self.rows: list[dict] = []
        self.first = 0

    def avg(self, item: int) -> Decimal:
        return (self.value[item] / self.qty[item]).quantize(FOUR, ROUND_HALF_UP) if self.qty[item] else Decimal(0)

    def move(self, item, qty, source, target, cost, reason, at, *, visit=None, actor=None, internal=()) -> None:
        if source in internal:
            self.level[(item, source)] -= qty
            assert self.level[(item, source)] >= 0
        if target in internal:
            self.level[(item, target)] += qty
        self.rows.append({
            "id": self.first + len(self.rows), "item_id": item, "qty": Decimal(qty), "from_location_id": source,
            "to_location_id": target, "unit_cost": cost, "reason": reason, "appointment_id": visit, "po_line_id": None,
            "reverses_id": None, "note": "", "actor_id": actor, "created_at": at, "idempotency_key": None,
        })  # fmt: skip


def _items(plan: Plan) -> tuple[list[int], dict[int, Decimal]]:
    rng = plan.rng("items")
    supplier, _ = Supplier.objects.get_or_create(name="Container Depot", defaults={"email": "orders@example.com"})
    items = []
    for n in range(ITEMS):
        cost = Decimal(rng.randrange(150, 4500)) / 100
        items.append(Item(sku=f"SC-{n + 1:04d}", name=f"{CATEGORIES[n % 8].title()} supply {n + 1}",
                          category=CATEGORIES[n % 8], preferred_supplier=supplier, last_cost=cost, avg_cost=cost,
                          reorder_min=Decimal(10), reorder_max=Decimal(60)))  # fmt: skip
    made = Item.objects.bulk_create(items)
    return [i.pk for i in made], {i.pk: i.last_cost for i in made}


def build(plan: Plan, world: World) -> None:
    from accounts.models import User

    rng = plan.rng("stock")
    items, base_cost = _items(plan)
    wh = warehouse().pk
    supplier, consumed = virtual_location("supplier").pk, virtual_location("consumed").pk
    adjustment = virtual_location("adjustment").pk
    vans = {u.pk: van_for(u).pk for u in User.objects.filter(pk__in=world.organizers)}
    internal = {wh, *vans.values()}
    ledger = Ledger(plan)
    start_year = plan.today.year - plan.years
    # Each visit uses one to three items; which items depends on the client (what their home needs).
    rank = {client: n for n, client in enumerate(world.clients)}  # by position, not id: the same rows every run
    done = [v for v in world.visits if v.status in ("completed", "needs_redo")]
    ledger.first = reserve_ids(StockMove, len(done) * 8)  # an upper bound: unused ids are simply skipped
    for visit in done:
        van = vans[visit.organizers[0]]
        for _ in range(1 + (rng.random() < 0.55) + (rng.random() < 0.3)):
            item = items[(rank[visit.client] * 7 + rng.randrange(12)) % len(items)]
            need = rng.randrange(1, 4)
            if ledger.level[(item, van)] < need:
                if ledger.level[(item, wh)] < VAN_BATCH:
                    cost = (base_cost[item] * Decimal(1 + 0.03 * (visit.starts.year - start_year))).quantize(FOUR)
                    ledger.qty[item] += WAREHOUSE_BATCH
                    ledger.value[item] += cost * WAREHOUSE_BATCH
                    ledger.last_cost[item] = cost
                    ledger.move(item, WAREHOUSE_BATCH, supplier, wh, cost, "receipt",
                                visit.starts - timedelta(days=1), actor=world.office, internal=internal)  # fmt: skip
                ledger.move(item, VAN_BATCH, wh, van, ledger.avg(item), "transfer", visit.starts - timedelta(hours=1),
                            actor=world.office, internal=internal)  # fmt: skip
            avg = ledger.avg(item)
            ledger.value[item] -= avg * need
            ledger.qty[item] -= need
            ledger.move(item, need, van, consumed, avg, "consume", visit.actual_end or visit.ends, visit=visit.pk,
                        actor=visit.organizers[0], internal=internal)  # fmt: skip
        if rng.random() < 0.01:  # the odd count correction: one found in the warehouse
            item = items[rng.randrange(len(items))]
            cost = ledger.avg(item) or base_cost[item]
            ledger.qty[item] += 1
            ledger.value[item] += cost
            ledger.move(item, 1, adjustment, wh, cost, "count_adjust", visit.starts, actor=world.office,
                        internal=internal)  # fmt: skip
    world.counts["stock moves"] = copy_rows(StockMove, ledger.rows)
    first = reserve_ids(StockLevel, len(ledger.level))
    levels = sorted(ledger.level.items())
    copy_rows(StockLevel, ({"id": first + n, "item_id": i, "location_id": loc, "qty": Decimal(q),
                            "allocated": Decimal(0)} for n, ((i, loc), q) in enumerate(levels)))  # fmt: skip
    world.counts["stock levels"] = len(levels)
    changed = list(Item.objects.filter(pk__in=items))
    for row in changed:
        if ledger.qty[row.pk]:
            row.avg_cost = ledger.avg(row.pk)
        row.last_cost = ledger.last_cost.get(row.pk, row.last_cost)
    Item.objects.bulk_update(changed, ["avg_cost", "last_cost"])
    assert all(q >= 0 for q in ledger.level.values())
    Location.objects.filter(pk__in=internal).update(is_active=True)
