"""Demo supplies for `load_demo`: a warehouse, one van per organizer, a supplier, items with reorder rules and
stock (some below their reorder point), one open purchase order.

Every write goes through the stock services. Idempotent: catalogue rows are found by name or SKU, each stock
move carries a fixed idempotency key (a second run returns the first move), the order is made once.
"""

from __future__ import annotations

from decimal import Decimal

from accounts.models import User
from operations.models import Item, PurchaseOrder, Supplier
from operations.services import inventory, purchasing

SUPPLIER = ("Container Depot Wholesale", "orders@containerdepot.example", "+12125550190")
# sku, name, unit, category, unit cost, reorder below, order up to, multiple, left in the warehouse, in each van.
# "low": with three vans filled, the total on hand is below the reorder point.
ITEMS: list[tuple[str, str, str, str, str, int, int, int, int, int]] = [
    ("BIN-CLR-S", "Clear bin, small", "each", "bins", "3.20", 20, 60, 6, 44, 6),
    ("BIN-CLR-M", "Clear bin, medium", "each", "bins", "4.85", 20, 60, 6, 36, 4),
    ("BIN-CLR-L", "Clear bin, large", "each", "bins", "7.40", 12, 36, 4, 4, 2),  # low
    ("BSK-WOV-M", "Woven basket, medium", "each", "bins", "11.90", 8, 24, 2, 14, 2),
    ("LBL-RL-12", "Label tape 12 mm", "roll", "labels", "9.75", 10, 30, 5, 3, 2),  # low
    ("LBL-CHALK", "Chalkboard labels", "pack", "labels", "5.60", 6, 18, 3, 11, 1),
    ("DRW-BAM-S", "Bamboo drawer divider", "each", "drawer", "8.30", 10, 30, 5, 22, 2),
    ("DRW-TRAY", "Drawer organizer tray", "each", "drawer", "2.95", 24, 72, 12, 9, 3),  # low, on order
    ("SHF-RISER", "Shelf riser", "each", "shelving", "12.50", 6, 18, 2, 10, 1),
    ("HKS-ADH-10", "Adhesive hooks", "pack", "shelving", "4.10", 10, 40, 10, 26, 2),
    ("HGR-VEL-50", "Velvet hangers", "box", "hangers", "24.00", 4, 12, 2, 7, 1),
    ("HGR-KID-20", "Kids' hangers", "box", "hangers", "9.90", 4, 12, 2, 0, 1),  # low
    ("PCK-BOX-M", "Moving box, medium", "each", "packing", "1.85", 50, 150, 25, 120, 10),
    ("PCK-BOX-L", "Moving box, large", "each", "packing", "2.40", 40, 120, 20, 12, 6),  # low, on order
    ("PCK-TAPE", "Packing tape", "roll", "packing", "2.10", 24, 72, 12, 40, 4),
    ("PCK-PAPER", "Packing paper", "pack", "packing", "14.50", 6, 18, 2, 2, 1),  # low
    ("DON-BAG", "Donation bags", "pack", "packing", "6.25", 10, 30, 5, 17, 2),
    ("CLN-WIPES", "Surface wipes", "pack", "cleaning", "3.80", 12, 36, 6, 20, 2),
    ("CLN-CLOTH", "Microfibre cloths", "pack", "cleaning", "7.20", 6, 18, 3, 2, 1),  # low
    ("OTH-MARKER", "Permanent markers", "pack", "other", "4.50", 8, 24, 4, 15, 2),
]  # fmt: skip
ON_ORDER = {"DRW-TRAY": 48, "PCK-BOX-L": 80}  # the open purchase order; other low items stay on the reorder list


def load(*, owner: User, organizers: list[User]) -> None:
    supplier, _ = Supplier.objects.get_or_create(
        name=SUPPLIER[0], defaults={"email": SUPPLIER[1], "phone": SUPPLIER[2], "website": "https://example.com"}
    )  # a plain catalogue row, as the supplier form saves it
    store = inventory.warehouse()
    vans = [inventory.van_for(organizer) for organizer in organizers]
    from_supplier = inventory.virtual_location("supplier")
    items, costs = {}, {}
    for sku, name, unit, category, cost, low, high, multiple, stocked, per_van in ITEMS:
        item, _ = Item.objects.get_or_create(
            sku=sku,
            defaults={
                "name": name, "unit": unit, "category": category, "preferred_supplier": supplier,
                "reorder_min": low, "reorder_max": high, "reorder_multiple": multiple,
            },
        )  # fmt: skip
        items[sku], costs[sku] = item, Decimal(cost)
        inventory.stock_move(
            item=item, qty=stocked + per_van * len(vans), from_location=from_supplier, to_location=store,
            reason="receipt", actor=owner, unit_cost=costs[sku], idempotency_key=f"demo-receipt-{sku}",
        )  # fmt: skip
        for van in vans:
            inventory.stock_transfer(
                item=item, qty=per_van, from_location=store, to_location=van, actor=owner,
                idempotency_key=f"demo-van-{van.organizer_id}-{sku}",
            )  # fmt: skip
    if not PurchaseOrder.objects.exists():
        lines = [(items[sku], qty, costs[sku]) for sku, qty in ON_ORDER.items()]
        order = purchasing.po_create(supplier=supplier, lines=lines, actor=owner)
        purchasing.po_mark_ordered(order=order)
