"""Benchmark: the inventory list, valuation, ledger and low-stock pages at 500 items x 25 locations, 200,000 moves.

Run: `.venv/bin/python bench/inventory.py` (uses its own databases, `bench_inventory` and `bench_inventory_small`,
on the same PostgreSQL server as the app: the embedded one, or DATABASE_URL's). It seeds each once (`--reseed`
drops and seeds them again), then measures each page through Django's test client, in-process, with the real
middleware, templates and ORM:

- p50 / p95 of 50 requests after 5 warm-ups;
- the number of SQL queries of one request, on a small dataset (5 items x 3 locations, 150 moves) and on the full
  one, side by side: the counts must be equal (no query per item, level or move).

The full dataset: one warehouse and 24 vans (25 internal locations), 500 items with reorder rules, and 400 moves per
item (receipts into the warehouse, transfers to vans, consumption from vans), bulk-created over one year with the
level cache and the average costs computed from the same moves, so the ledger and the levels agree (the script
checks a sample with inventory_audit's rule before measuring). Time runs across all items block by block, so
the moves' ids follow their created_at, as they do in the app. 40 ordered purchase orders keep 200 lines on order.

Results go to docs/PERFORMANCE.md by hand (the script prints a Markdown table).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

# bench/ must not be on the path: bench/calendar.py would shadow the standard library's calendar module.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "organizer_pm.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

FULL_DB, SMALL_DB = "bench_inventory", "bench_inventory_small"
FULL = {"items": 500, "vans": 24, "blocks": 40}  # 40 blocks of 10 moves = 400 moves per item: 200,000 in all
SMALL = {"items": 5, "vans": 2, "blocks": 3}  # 3 locations, 150 moves
START = datetime(2026, 1, 1, 12, tzinfo=UTC)
RUNS = 50


def use_database(name: str, *, reseed: bool) -> None:
    connections["default"].close()
    settings.DATABASES["default"]["NAME"] = "organizer_pm"
    settings.DATABASES["default"]["TEST"]["NAME"] = name  # keep the other TEST defaults (CHARSET, ...)
    connections["default"].creation.create_test_db(verbosity=0, autoclobber=True, keepdb=not reseed)


def seed(*, items: int, vans: int, blocks: int) -> None:
    """Receipts, transfers and consumption in blocks of 10 moves per item, levels and AVCO computed alongside.

    Per block: receive 240 into the warehouse; transfer 20 to each of four vans; consume 15 from each of them;
    restock one van with 60. Nothing goes negative, and the warehouse grows by 100 per block.
    """
    from accounts.models import User
    from accounts.services import user_create
    from operations.models import Item, Location, PurchaseOrder, PurchaseOrderLine, StockLevel, StockMove, Supplier
    from operations.services import inventory

    if Item.objects.exists():
        return
    office = user_create(actor=None, email="bench-office@example.com", role="office", password=None)
    suppliers = Supplier.objects.bulk_create(Supplier(name=f"Supplier {n}") for n in range(10))
    organizers = User.objects.bulk_create(
        User(email=f"van{n}@example.com", role="organizer", first_name=f"Org{n}", password="!") for n in range(vans)
    )
    warehouse = Location.objects.create(kind="warehouse", name="Warehouse")
    van_list = Location.objects.bulk_create(
        Location(kind="van", name=f"Van {n:02d}", organizer=o) for n, o in enumerate(organizers)
    )
    supplier_loc, consumed = inventory.virtual_location("supplier"), inventory.virtual_location("consumed")
    categories = list(Item.Category.values)
    item_list = Item.objects.bulk_create(
        Item(sku=f"SKU-{n:04d}", name=f"Supply {n}", unit="each", category=categories[n % len(categories)],
             preferred_supplier=suppliers[n % len(suppliers)], reorder_min=Decimal(5000 + (n % 10) * 300),
             reorder_max=Decimal(9000), reorder_multiple=Decimal(12))
        for n in range(items)
    )  # fmt: skip
    created_at = StockMove._meta.get_field("created_at")
    created_at.auto_now_add = False  # the seed spreads the ledger over a year (the app never sets created_at)
    virtual = (supplier_loc.pk, consumed.pk)
    clock = Clock(START, timedelta(days=365) / (items * blocks * 10), office.pk)
    ledgers = [ItemLedger(item, clock) for item in item_list]
    try:
        for b in range(blocks):  # time runs block by block across all items, so id order is time order
            for n, ledger in enumerate(ledgers):
                cost = Decimal("0.50") + Decimal((n * 7 + b * 3) % 40) / 10
                ledger.receive(240, supplier_loc, warehouse, cost, virtual)
                targets = [van_list[(b * 4 + i + n) % vans] for i in range(4)]
                for van in targets:
                    ledger.move(20, warehouse, van, "transfer")
                for van in targets:
                    ledger.move(15, van, consumed, "consume")
                ledger.move(60, warehouse, van_list[(b + n) % vans], "transfer")
                ledger.item.last_cost = cost
            StockMove.objects.bulk_create([m for ledger in ledgers for m in ledger.take_moves()], batch_size=5000)
    finally:
        created_at.auto_now_add = True
    levels = []
    for ledger in ledgers:
        ledger.item.avg_cost = ledger.avg
        levels += [StockLevel(item=ledger.item, location_id=pk, qty=qty) for pk, qty in ledger.balance.items()
                   if pk not in virtual]  # fmt: skip
    StockLevel.objects.bulk_create(levels, batch_size=5000)
    Item.objects.bulk_update(item_list, ["avg_cost", "last_cost"], batch_size=1000)
    for n in range(min(40, items)):
        order = PurchaseOrder.objects.create(supplier=suppliers[n % len(suppliers)], status="ordered")
        PurchaseOrderLine.objects.bulk_create(
            PurchaseOrderLine(order=order, item=item_list[(n * 5 + k) % items], qty_ordered=48, unit_cost=2)
            for k in range(5 if items >= 5 else 1)
        )


class Clock:
    def __init__(self, start: datetime, step: timedelta, office_id: int) -> None:
        self.now, self.step, self.office_id = start, step, office_id

    def tick(self) -> datetime:
        self.now += self.step
        return self.now


class ItemLedger:
    """One item's moves, with its balance per location and its average cost (AVCO on receipts)."""

    def __init__(self, item: Any, clock: Clock) -> None:
        self.item, self.clock = item, clock
        self.balance: dict[int, Decimal] = defaultdict(Decimal)
        self.avg = Decimal(0)
        self.moves: list[Any] = []

    def receive(self, qty: int, source: Any, target: Any, cost: Decimal, virtual: tuple[int, ...]) -> None:
        on_hand = sum(v for k, v in self.balance.items() if k not in virtual)
        self.avg = ((on_hand * self.avg + qty * cost) / (on_hand + qty)).quantize(Decimal("0.0001"))
        self.move(qty, source, target, "receipt", cost)

    def move(self, qty: int, source: Any, target: Any, reason: str, cost: Decimal | None = None) -> None:
        from operations.models import StockMove

        actor_id = source.organizer_id if reason == "consume" else self.clock.office_id
        self.moves.append(
            StockMove(item=self.item, qty=qty, from_location=source, to_location=target, reason=reason,
                      unit_cost=self.avg if cost is None else cost, created_at=self.clock.tick(), actor_id=actor_id)
        )  # fmt: skip
        self.balance[source.pk] -= qty
        self.balance[target.pk] += qty

    def take_moves(self) -> list[Any]:
        moves, self.moves = self.moves, []
        return moves


def check_ledger_matches_levels(sample: int = 5) -> None:
    """The seeded cache equals Σin − Σout per (item, location) for a sample of items (inventory_audit's rule)."""
    from django.db.models import Sum

    from operations.models import Item, StockLevel, StockMove

    for item in Item.objects.order_by("pk")[:sample]:
        ledger: dict[int, Decimal] = defaultdict(Decimal)
        for row in StockMove.objects.filter(item=item).values("to_location").annotate(q=Sum("qty")):
            ledger[row["to_location"]] += row["q"]
        for row in StockMove.objects.filter(item=item).values("from_location").annotate(q=Sum("qty")):
            ledger[row["from_location"]] -= row["q"]
        for lv in StockLevel.objects.filter(item=item):
            assert lv.qty == ledger[lv.location_id] >= 0, (item.sku, lv.location_id, lv.qty, ledger[lv.location_id])


def measure(client: Client, url: str, runs: int = RUNS) -> tuple[float, float, int]:
    for _ in range(5):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], count_queries(client, url)


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def pages() -> list[tuple[str, str]]:
    from operations.models import Location

    van = Location.objects.filter(kind="van").order_by("name").first()
    assert van is not None
    stock = reverse("operations:inventory_list")
    return [
        ("inventory list, page 1 (50 items, stock per location)", stock),
        ("inventory list, one van", stock + f"?location={van.pk}"),
        ("inventory list, below reorder point", stock + "?low=on"),
        ("valuation (value per location and total)", reverse("operations:valuation")),
        ("stock ledger, page 1 (50 moves)", reverse("operations:move_list")),
        ("low stock / reorder suggestions", reverse("operations:reorder")),
    ]


def staff_client() -> Client:
    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email="bench-office@example.com"))
    return client


def main() -> None:
    from operations.models import Item, Location, StockLevel, StockMove

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.SECURE_SSL_REDIRECT = False

    reseed = "--reseed" in sys.argv
    use_database(SMALL_DB, reseed=reseed)
    seed(**SMALL)
    check_ledger_matches_levels()
    small_client = staff_client()
    small_counts = [count_queries(small_client, url) for _label, url in pages()]
    small_size = (Item.objects.count(), Location.objects.filter(kind__in=Location.INTERNAL).count(),
                  StockMove.objects.count())  # fmt: skip

    use_database(FULL_DB, reseed=reseed)
    started = time.perf_counter()
    seed(**FULL)
    check_ledger_matches_levels()
    internal = Location.objects.filter(kind__in=Location.INTERNAL).count()
    print(
        f"seeded (or reused) and checked in {time.perf_counter() - started:.1f} s: {Item.objects.count()} items, "
        f"{internal} internal locations, {StockLevel.objects.count()} levels, {StockMove.objects.count()} moves; "
        f"small dataset: {small_size[0]} items, {small_size[1]} locations, {small_size[2]} moves"
    )
    client = staff_client()
    print("| page | p50 ms | p95 ms | queries (full) | queries (small) |")
    print("|---|---:|---:|---:|---:|")
    for (label, url), small in zip(pages(), small_counts, strict=True):
        p50, p95, queries = measure(client, url)
        print(f"| {label} | {p50:.1f} | {p95:.1f} | {queries} | {small} |")


if __name__ == "__main__":
    main()
