"""Inventory rows of the authorization matrix (tests/test_authz_matrix.py merges them).

`rules` returns {url name: Rule}; `objects_for` adds the objects those rules need to the matrix's world, for the
"own" organizer (A) and the "foreign" one (B). Object kinds used here must be keys of what objects_for returns.

Who may do what: owner and office run the stock, so every page with a cost, a value or an order is 403 for
organizers, whatever the object. An organizer reaches their own van (B's answers 404), records supplies and
purchases on their own visits (B's visits answer 404), undoes their own entries and downloads receipts of their
own visits' purchases.
"""

import io
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from operations.models import Allocation, ClientPurchase, Item, Location, PurchaseOrder, Supplier
from operations.services import inventory, purchasing

# One small JPEG shared by every world: the rows are rolled back after each run but files are not, so a receipt
# file per world would pile up in MEDIA_ROOT.
MATRIX_RECEIPT = "receipts/authz-matrix-receipt.jpg"


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), "white").save(buffer, format="JPEG")
    return buffer.getvalue()


def rules(*, page: Any, obj: Any, Rule: Any) -> dict[str, Any]:
    def staff_obj(kind: str, method: str = "GET", *, status: int) -> Any:
        """A staff-only function on an object: 403 for organizers before the object is looked up."""
        return Rule(method, kind, {"owner": (status, status, 404), "office": (status, status, 404),
                                   "organizer": (403, 403, 403)})  # fmt: skip

    return {
        # catalogue, stock list, import
        "operations:inventory_list": page(owner=200, office=200, organizer=403),
        "operations:item_create": page(owner=200, office=200, organizer=403),
        "operations:item_import": page(owner=200, office=200, organizer=403),
        "operations:item_detail": staff_obj("item", status=200),
        "operations:item_edit": staff_obj("item", status=200),
        "operations:supplier_list": page(owner=200, office=200, organizer=403),
        "operations:supplier_create": page(owner=200, office=200, organizer=403),
        "operations:supplier_edit": staff_obj("supplier", status=200),
        # locations: organizers see their own van only
        "operations:location_list": page(owner=200, office=200, organizer=403),
        "operations:location_create": page(owner=200, office=200, organizer=403),
        "operations:location_edit": staff_obj("van", status=200),
        "operations:location_detail": obj("van", owner=200, office=200, organizer=200),
        "operations:my_van": page(owner=302, office=302, organizer=200),  # staff have no van: to the locations
        # the ledger, moves, valuation
        "operations:move_list": page(owner=200, office=200, organizer=403),
        "operations:move_reverse": obj("move", "POST", owner=302, office=302, organizer=302),
        "operations:stock_transfer": page(owner=200, office=200, organizer=403),
        "operations:stock_count": page(owner=200, office=200, organizer=403),
        "operations:valuation": page(owner=200, office=200, organizer=403),
        # purchase orders and reordering
        "operations:po_list": page(owner=200, office=200, organizer=403),
        "operations:po_create": page(owner=200, office=200, organizer=403),
        "operations:po_detail": staff_obj("po", status=200),
        "operations:po_mark_ordered": staff_obj("po", "POST", status=302),
        "operations:po_cancel": staff_obj("po", "POST", status=302),
        "operations:po_receive": staff_obj("po", status=200),
        "operations:reorder": page(owner=200, office=200, organizer=403),
        "operations:po_draft": page("POST", owner=302, office=302, organizer=403),  # no supplier: back to the list
        # visits and clients
        "operations:visit_supplies_panel": obj("visit", owner=200, office=200, organizer=200),
        "operations:visit_consume": obj("visit", owner=200, office=200, organizer=200),
        "operations:visit_allocate": obj("visit", owner=200, office=200, organizer=403),
        "operations:shortfall_resolve": staff_obj("shortfall", "POST", status=302),  # T21's discrepancy list
        "operations:purchase_create": obj("visit", owner=200, office=200, organizer=200),
        "operations:purchase_receipt": obj("purchase", owner=200, office=200, organizer=200),
        "operations:client_supplies_panel": obj("client", owner=200, office=200, organizer=200),
    }


def objects_for(*, client_obj: Any, organizer: Any, owner: Any, visit: Any) -> dict[str, Any]:
    """A van with stock for `organizer`, a consume move they recorded on their visit, a purchase with a receipt
    on that visit, and an item, a supplier and an ordered PO of their own (staff-only objects)."""
    tag = f"{organizer.pk}"
    supplier = Supplier.objects.create(name=f"Supplier {tag}")
    item = Item.objects.create(sku=f"MX-{tag}", name=f"Matrix bin {tag}", preferred_supplier=supplier)
    van = Location.objects.create(kind=Location.Kind.VAN, name=f"Matrix van {tag}", organizer=organizer)
    inventory.stock_move(
        item=item, qty=5, from_location=inventory.virtual_location("supplier"), to_location=van, reason="receipt",
        actor=owner, unit_cost="2.50",
    )  # fmt: skip
    move = inventory.stock_consume(appointment=visit, item=item, qty=1, location=van, actor=organizer)
    order = purchasing.po_create(supplier=supplier, lines=[(item, 10, "2.50")], actor=owner)
    order = purchasing.po_mark_ordered(order=order)
    if not default_storage.exists(MATRIX_RECEIPT):
        default_storage.save(MATRIX_RECEIPT, ContentFile(_jpeg()))
    purchase = ClientPurchase.objects.create(
        appointment=visit, description=f"Shelf liner {tag}", cost=Decimal("12.00"), receipt=MATRIX_RECEIPT,
        created_by=organizer,
    )  # fmt: skip
    assert order.status == PurchaseOrder.Status.ORDERED
    shortfall = Allocation.objects.create(
        appointment=visit, item=item, location=van, qty=1, status=Allocation.Status.CONSUMED, short_qty=1
    )
    return {"item": item, "supplier": supplier, "van": van, "move": move, "po": order, "purchase": purchase,
            "shortfall": shortfall}  # fmt: skip
