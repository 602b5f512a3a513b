"""Charges (one billable fact each) and hour packages with their append-only minute ledger."""

from __future__ import annotations

from decimal import Decimal

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q

from billing.models.inputs import MilestoneFee, ShoppingTime
from clients.models import Client
from operations.models import Appointment, ClientPurchase


class PackageProduct(models.Model):
    class Overage(models.TextChoices):
        SPLIT_HOURLY = "split_hourly", "Bill the rest hourly"
        ALLOW_NEGATIVE = "allow_negative", "Allow a small overdraft"

    name = models.CharField(max_length=100, unique=True)
    minutes = models.PositiveIntegerField()
    price = models.DecimalField(max_digits=12, decimal_places=2)
    validity_months = models.PositiveIntegerField(default=12)
    free_cancellations = models.PositiveIntegerField(default=2)
    cancel_fee_minutes = models.PositiveIntegerField(default=60)
    covers_shopping = models.BooleanField(default=True)
    overage_policy = models.CharField(max_length=16, choices=Overage.choices, default=Overage.SPLIT_HOURLY)
    overage_tolerance_pct = models.DecimalField(max_digits=7, decimal_places=4, default=Decimal("10"))
    low_balance_minutes = models.PositiveIntegerField(default=240)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gt=0), name="package_product_minutes_positive"),
            models.CheckConstraint(condition=Q(price__gt=0), name="package_product_price_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Package(models.Model):
    """A sold package: a snapshot of the product's terms. Its balance is the sum of its ledger, never stored."""

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting invoice"
        ACTIVE = "active", "Active"
        EXHAUSTED = "exhausted", "Used up"
        EXPIRED = "expired", "Expired"
        CLOSED = "closed", "Closed"
        CANCELLED = "cancelled", "Cancelled"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(PackageProduct, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=100)
    minutes = models.PositiveIntegerField()
    price = models.DecimalField(max_digits=12, decimal_places=2)
    net_price = models.DecimalField(max_digits=12, decimal_places=2)
    sold_on = models.DateField()
    activated_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    upgrade_required = models.BooleanField(default=False)
    free_cancellations = models.PositiveIntegerField()
    cancel_fee_minutes = models.PositiveIntegerField()
    covers_shopping = models.BooleanField()
    overage_policy = models.CharField(max_length=16, choices=PackageProduct.Overage.choices)
    tolerance_minutes = models.PositiveIntegerField(default=0)
    low_balance_minutes = models.PositiveIntegerField()
    validity_months = models.PositiveIntegerField()
    creation_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sold_on", "pk"]

    def __str__(self) -> str:
        return f"{self.name} for {self.client}"


class Charge(models.Model):
    class Kind(models.TextChoices):
        VISIT_TIME = "visit_time", "Visit time"
        REDO = "redo", "Redo visit"
        CANCEL_FEE = "cancel_fee", "Late cancellation"
        NO_SHOW_FEE = "no_show_fee", "No-show"
        SHOPPING_TIME = "shopping_time", "Shopping time"
        PURCHASE = "purchase", "Purchase"
        FLAT_FEE = "flat_fee", "Flat fee"
        MILESTONE = "milestone", "Milestone"
        ADJUSTMENT = "adjustment", "Adjustment"
        PACKAGE_OVERAGE = "package_overage", "Package overdraft"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    source_key = models.CharField(max_length=100, unique=True)
    visit = models.ForeignKey(Appointment, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    purchase = models.ForeignKey(ClientPurchase, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    shopping = models.ForeignKey(ShoppingTime, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    milestone = models.ForeignKey(MilestoneFee, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    service_date = models.DateField()
    description = models.CharField(max_length=300)
    minutes_raw = models.IntegerField(default=0)
    minutes_rounded = models.IntegerField(default=0)
    minutes_billed = models.IntegerField(default=0)
    package = models.ForeignKey(Package, on_delete=models.PROTECT, null=True, blank=True, related_name="charges")
    package_minutes = models.IntegerField(default=0)
    hourly_minutes = models.IntegerField(default=0)
    rate = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    rate_source = models.CharField(max_length=20, blank=True)
    cost = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    taxable = models.BooleanField(default=False)
    supersedes = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    needs_review = models.BooleanField(default=False)
    credited = models.BooleanField(default=False)
    # True while an active invoice line holds this charge. Kept by a trigger on the invoice lines (in the
    # writer's transaction, whatever the writer: services, bulk loads, cascades), so "unbilled" is an index
    # read instead of an anti-join of every charge against every line (docs/specs/billing.md P22).
    billed = models.BooleanField(default=False, db_default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["service_date", "pk"]
        indexes = [
            models.Index(fields=["client", "service_date"]),
            models.Index(fields=["client"], condition=Q(billed=False, credited=False), name="charge_unbilled"),
        ]

    def __str__(self) -> str:
        return f"{self.description} {self.amount}"


class PackageEntry(models.Model):
    """One movement of package minutes. Never updated or deleted (a trigger refuses it): corrections are new
    entries. `value` is the earned (or refunded) money of the movement, allocated cumulatively."""

    class Kind(models.TextChoices):
        PURCHASE = "purchase", "Purchase"
        DRAWDOWN = "drawdown", "Used"
        CANCEL_FREE = "cancel_free", "Free cancellation"
        CANCEL_FEE = "cancel_fee", "Cancellation fee"
        ADJUSTMENT = "adjustment", "Adjustment"
        EXPIRY = "expiry", "Expired"
        REFUND = "refund", "Refunded"

    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    minutes = models.IntegerField()
    value = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    entry_date = models.DateField()
    charge = models.ForeignKey(Charge, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["package", "kind"], condition=Q(kind__in=["purchase", "expiry", "refund"]),
                name="package_entry_once_per_kind",
            ),
        ]  # fmt: skip
        triggers = [pgtrigger.Protect(name="package_entry_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.kind} {self.minutes}"


class BillingNotice(models.Model):
    """Outbox row for the owner: written in the transaction that caused it (e.g. a package running low)."""

    kind = models.CharField(max_length=32)
    package = models.ForeignKey(Package, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.text


class ChargeSyncMark(models.Model):
    """Per-client watermark of the incremental charges sync: the sources of this client changed after
    `synced_at` are the only ones the next sync reads (docs/specs/billing.md "Keeping charges current")."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, primary_key=True, related_name="+")
    synced_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Charges of {self.client_id} synced at {self.synced_at:%Y-%m-%d %H:%M}Z"
