"""Supply inventory: items, locations, an append-only ledger of stock moves, cached levels, purchase orders.

Every quantity change is a StockMove between two locations (docs/specs/inventory.md). Internal locations (the
warehouse, each van) hold a StockLevel cache updated in the same transaction with a conditional UPDATE and a
CHECK (qty >= 0); virtual locations (supplier, consumed, adjustment, scrap) hold none, so over all locations the
ledger sums to zero like double entry. A database trigger forbids editing or deleting a move: mistakes are
corrected by a reversing move.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import pgtrigger
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from operations.formats import cents
from operations.models.visits import Appointment

ZERO = Decimal("0")


class Supplier(models.Model):
    name = models.CharField(max_length=120, unique=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    website = models.URLField(blank=True)
    notes = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Item(models.Model):
    class Category(models.TextChoices):
        BINS = "bins", "Bins & baskets"
        LABELS = "labels", "Labels"
        DRAWER = "drawer", "Drawer organizers"
        SHELVING = "shelving", "Shelving & hooks"
        HANGERS = "hangers", "Hangers"
        PACKING = "packing", "Packing supplies"
        CLEANING = "cleaning", "Cleaning"
        OTHER = "other", "Other"

    sku = models.CharField("SKU", max_length=40, unique=True)
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=20, default="each", help_text="each, roll, pack, box…")
    category = models.CharField(max_length=16, choices=Category.choices, default=Category.OTHER)
    preferred_supplier = models.ForeignKey(
        Supplier, on_delete=models.SET_NULL, null=True, blank=True, related_name="items"
    )
    last_cost = models.DecimalField(max_digits=12, decimal_places=4, default=ZERO, validators=[MinValueValidator(ZERO)])
    avg_cost = models.DecimalField(
        "average cost", max_digits=12, decimal_places=4, default=ZERO, validators=[MinValueValidator(ZERO)]
    )
    reorder_min = models.DecimalField(
        "reorder below", max_digits=12, decimal_places=3, default=ZERO, validators=[MinValueValidator(ZERO)]
    )
    reorder_max = models.DecimalField(
        "order up to", max_digits=12, decimal_places=3, default=ZERO, validators=[MinValueValidator(ZERO)]
    )
    reorder_multiple = models.DecimalField(
        "order in multiples of",
        max_digits=12,
        decimal_places=3,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.001"))],
    )
    is_active = models.BooleanField("active", default=True)

    class Meta:
        ordering = ["sku"]
        constraints = [
            models.CheckConstraint(condition=Q(avg_cost__gte=0) & Q(last_cost__gte=0), name="item_costs_nonnegative"),
            models.CheckConstraint(condition=Q(reorder_multiple__gt=0), name="item_multiple_positive"),
            models.CheckConstraint(condition=Q(reorder_max__gte=F("reorder_min")), name="item_max_at_least_min"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class Location(models.Model):
    class Kind(models.TextChoices):
        WAREHOUSE = "warehouse", "Warehouse"
        VAN = "van", "Van"
        SUPPLIER = "supplier", "Supplier (virtual)"
        CONSUMED = "consumed", "Used on jobs (virtual)"
        ADJUSTMENT = "adjustment", "Count adjustments (virtual)"
        SCRAP = "scrap", "Scrap (virtual)"

    INTERNAL = (Kind.WAREHOUSE, Kind.VAN)

    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.CharField(max_length=100, unique=True)
    organizer = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="van",
        help_text="The organizer whose van this is.",
    )  # fmt: skip
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"], condition=~Q(kind__in=["warehouse", "van"]), name="one_virtual_location_per_kind"
            ),
            models.CheckConstraint(condition=Q(kind="van") | Q(organizer__isnull=True), name="only_vans_have_owner"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_internal(self) -> bool:
        return self.kind in self.INTERNAL


class StockLevel(models.Model):
    """Cache of on-hand and allocated quantity per internal (item, location); the ledger is the truth."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="levels")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="levels")
    qty = models.DecimalField(max_digits=12, decimal_places=3, default=ZERO)
    allocated = models.DecimalField(max_digits=12, decimal_places=3, default=ZERO)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "location"], name="stock_level_unique"),
            models.CheckConstraint(condition=Q(qty__gte=0), name="stock_nonnegative"),
            models.CheckConstraint(condition=Q(allocated__gte=0), name="stock_allocated_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.item.sku} @ {self.location}: {self.qty}"

    @property
    def available(self) -> Decimal:
        return self.qty - self.allocated


class PurchaseOrder(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ORDERED = "ordered", "Ordered"
        PARTLY_RECEIVED = "partly_received", "Partly received"
        RECEIVED = "received", "Received"
        CANCELLED = "cancelled", "Cancelled"

    # Named once: lines of an open order count as on order; only a sent order receives goods.
    OPEN_STATUSES = (Status.DRAFT, Status.ORDERED, Status.PARTLY_RECEIVED)
    RECEIVABLE_STATUSES = (Status.ORDERED, Status.PARTLY_RECEIVED)
    CANCELLABLE_STATUSES = (Status.DRAFT, Status.ORDERED)

    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="purchase_orders")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    reference = models.CharField(max_length=60, blank=True, help_text="The supplier's order number.")
    notes = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    ordered_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"PO-{self.pk:05d} {self.supplier}"

    @property
    def is_receivable(self) -> bool:
        return self.status in self.RECEIVABLE_STATUSES

    @property
    def is_cancellable(self) -> bool:
        return self.status in self.CANCELLABLE_STATUSES


class PurchaseOrderLine(models.Model):
    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="po_lines")
    qty_ordered = models.DecimalField(max_digits=12, decimal_places=3, validators=[MinValueValidator(Decimal("0.001"))])
    qty_received = models.DecimalField(max_digits=12, decimal_places=3, default=ZERO)
    unit_cost = models.DecimalField(max_digits=12, decimal_places=4, validators=[MinValueValidator(ZERO)])

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(qty_ordered__gt=0), name="po_line_qty_positive"),
            models.CheckConstraint(
                condition=Q(qty_received__gte=0) & Q(qty_received__lte=F("qty_ordered")),
                name="po_line_received_le_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.sku} × {self.qty_ordered}"

    @property
    def qty_open(self) -> Decimal:
        return self.qty_ordered - self.qty_received


class StockMove(models.Model):
    class Reason(models.TextChoices):
        RECEIPT = "receipt", "Received from supplier"
        TRANSFER = "transfer", "Transfer"
        CONSUME = "consume", "Used on a visit"
        RETURN = "return", "Returned"
        COUNT_ADJUST = "count_adjust", "Count adjustment"
        SCRAP = "scrap", "Scrapped"
        REVERSAL = "reversal", "Correction (reversal)"

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="moves")
    qty = models.DecimalField(max_digits=12, decimal_places=3)
    from_location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="moves_out")
    to_location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="moves_in")
    unit_cost = models.DecimalField(max_digits=12, decimal_places=4, default=ZERO)
    reason = models.CharField(max_length=16, choices=Reason.choices)
    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, null=True, blank=True, related_name="stock_moves"
    )
    po_line = models.ForeignKey(
        PurchaseOrderLine, on_delete=models.PROTECT, null=True, blank=True, related_name="moves"
    )
    reverses = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by")
    note = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(qty__gt=0), name="move_qty_positive"),
            models.CheckConstraint(condition=~Q(from_location=F("to_location")), name="move_between_two_locations"),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="move_cost_nonnegative"),
        ]
        indexes = [
            models.Index(fields=["item", "created_at"]),
            models.Index(fields=["appointment"]),
            # The stock KPIs read a day's moves (and a value as of a day) by time across all items: without this
            # the owner dashboard scanned the whole ledger several times per request.
            models.Index(fields=["created_at"], name="stockmove_created_at"),
        ]
        triggers = [
            pgtrigger.Protect(name="stock_move_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.qty} {self.item.sku} {self.from_location} → {self.to_location}"

    @property
    def value(self) -> Decimal:
        return cents(self.qty * self.unit_cost)


class CostLayer(models.Model):
    """FIFO receipt layers (used when INVENTORY_COSTING is "fifo"): what is left of each receipt, at its cost."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="cost_layers")
    receipt = models.OneToOneField(StockMove, on_delete=models.PROTECT, related_name="cost_layer")
    remaining_qty = models.DecimalField(max_digits=12, decimal_places=3)
    unit_cost = models.DecimalField(max_digits=12, decimal_places=4)

    class Meta:
        ordering = ["receipt_id"]
        constraints = [models.CheckConstraint(condition=Q(remaining_qty__gte=0), name="cost_layer_nonnegative")]

    def __str__(self) -> str:
        return f"{self.item.sku}: {self.remaining_qty} at {self.unit_cost}"


class Allocation(models.Model):
    """Supplies reserved for an upcoming visit; available = on hand - allocated."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Reserved"
        CONSUMED = "consumed", "Used"
        RELEASED = "released", "Released"

    appointment = models.ForeignKey(Appointment, on_delete=models.PROTECT, related_name="allocations")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="allocations")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="allocations")
    qty = models.DecimalField(max_digits=12, decimal_places=3)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    # What the location lacked when the visit completed (T21): a stock discrepancy for the office to resolve.
    short_qty = models.DecimalField("short at completion", max_digits=12, decimal_places=3, default=ZERO)
    short_resolved_at = models.DateTimeField(null=True, blank=True)
    short_resolution = models.CharField(max_length=16, blank=True)  # "taken" from stock later, or "cancelled"

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(qty__gt=0), name="allocation_qty_positive"),
            models.CheckConstraint(
                condition=Q(short_qty__gte=0) & Q(short_qty__lte=F("qty")), name="allocation_short_within_qty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.qty} {self.item.sku} for visit {self.appointment_id}"


def receipt_upload_to(instance: ClientPurchase, filename: str) -> str:
    # Server-generated names only (docs/specs/security.md SU4): never the uploader's file name.
    return f"receipts/{uuid.uuid4().hex}.jpg"


class ClientPurchase(models.Model):
    """Bought for a client, not from stock (pass-through), with a markup and an optional receipt photo."""

    appointment = models.ForeignKey(Appointment, on_delete=models.PROTECT, related_name="client_purchases")
    description = models.CharField(max_length=200)
    store = models.CharField(max_length=100, blank=True)
    cost = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    markup_pct = models.DecimalField(
        "markup %", max_digits=5, decimal_places=2, default=ZERO,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("500"))],
    )  # fmt: skip
    receipt = models.ImageField(upload_to=receipt_upload_to, blank=True)
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(cost__gt=0), name="client_purchase_cost_positive"),
            models.CheckConstraint(condition=Q(markup_pct__gte=0), name="client_purchase_markup_nonnegative"),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def billed(self) -> Decimal:
        return cents(self.cost * (1 + self.markup_pct / 100))


class InventorySnapshot(models.Model):
    """End-of-local-day quantity and value per internal (item, location): upserted nightly (I13)."""

    local_date = models.DateField()
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    qty = models.DecimalField(max_digits=12, decimal_places=3)
    avg_cost = models.DecimalField(max_digits=12, decimal_places=4)
    value = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["local_date", "item", "location"], name="snapshot_unique_day"),
        ]

    def __str__(self) -> str:
        return f"{self.local_date} {self.item_id}@{self.location_id}: {self.qty}"


class LowStockNotice(models.Model):
    """One row per local day the low-stock email went out: the nightly task sends it at most once a day."""

    local_date = models.DateField(unique=True)
    sent_at = models.DateTimeField(auto_now_add=True)
    lines = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Low stock {self.local_date}"
