"""Invoices and their lines, credit notes, payments, allocations and the client credit ledger."""

from __future__ import annotations

from decimal import Decimal

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from billing.models.charges import Charge, Package
from clients.models import Client

ZERO = Decimal("0.00")


class Counter(models.Model):
    """Gapless number series ("invoice-2026"): taken with an upsert inside the issuing transaction, so a rollback
    gives the number back and concurrent issuers wait for each other."""

    name = models.CharField(max_length=40, primary_key=True)
    value = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class Invoice(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ISSUED = "issued", "Issued"
        PARTIALLY_PAID = "partially_paid", "Partially paid"
        PAID = "paid", "Paid"
        VOID = "void", "Void"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    number = models.CharField(max_length=20, unique=True, null=True, blank=True)
    issue_date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    subtotal = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    tax_total = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    total = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    amount_due = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    creation_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    void_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-issue_date", "-pk"]
        indexes = [  # the finance page: months by issue date; AR aging starts from what is owed today
            models.Index(fields=["issue_date"], name="invoice_issue_date"),
            models.Index(fields=["due_date"], condition=Q(amount_due__gt=0), name="invoice_owing"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft", number__isnull=True) | (~Q(status="draft") & Q(number__isnull=False)),
                name="invoice_number_iff_not_draft",
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="invoice_number_frozen", operation=pgtrigger.Update,
                condition=pgtrigger.Condition(
                    'OLD."number" IS NOT NULL AND (NEW."number" IS DISTINCT FROM OLD."number" '
                    'OR NEW."issue_date" IS DISTINCT FROM OLD."issue_date" OR NEW."total" IS DISTINCT FROM OLD."total")'
                ),
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.number or f"Draft {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("billing:invoice_detail", kwargs={"pk": self.pk})

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


CHARGE_BILLED_FUNC = """
    IF TG_OP = 'UPDATE' AND OLD.charge_id IS NOT DISTINCT FROM NEW.charge_id AND OLD.active = NEW.active THEN
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' AND OLD.charge_id IS NOT NULL THEN
        UPDATE billing_charge SET billed = EXISTS (
            SELECT 1 FROM billing_invoiceline l WHERE l.charge_id = OLD.charge_id AND l.active
        ) WHERE id = OLD.charge_id;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.charge_id IS NOT NULL THEN
        UPDATE billing_charge SET billed = EXISTS (
            SELECT 1 FROM billing_invoiceline l WHERE l.charge_id = NEW.charge_id AND l.active
        ) WHERE id = NEW.charge_id;
    END IF;
    RETURN NULL;
"""


class InvoiceLine(models.Model):
    class Kind(models.TextChoices):
        CHARGE = "charge", "Charge"
        PACKAGE = "package", "Package sale"
        ASSESSMENT_CREDIT = "assessment_credit", "Assessment credit"
        PREPAYMENT = "prepayment", "Deposit"
        PREPAYMENT_APPLIED = "prepayment_applied", "Deposit applied"
        MANUAL = "manual", "Other"

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    charge = models.ForeignKey(Charge, on_delete=models.PROTECT, null=True, blank=True, related_name="lines")
    credits_charge = models.ForeignKey(Charge, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    package = models.ForeignKey(Package, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    deposit_of = models.ForeignKey(Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    description = models.CharField(max_length=300)
    service_date = models.DateField(null=True, blank=True)
    quantity = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("1"))
    unit = models.CharField(max_length=4, default="ea")
    unit_price = models.DecimalField(max_digits=12, decimal_places=4, default=Decimal("0"))
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    taxable = models.BooleanField(default=False)
    tax_rate = models.DecimalField(max_digits=7, decimal_places=4, default=Decimal("0"))
    tax_amount = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    active = models.BooleanField(default=True)
    locked = models.BooleanField(default=False)

    # Lines that hold prepaid money (package sales, deposits): the deferred balance sums only these.
    DEFERRED_KINDS = (Kind.PACKAGE, Kind.ASSESSMENT_CREDIT, Kind.PREPAYMENT, Kind.PREPAYMENT_APPLIED)

    class Meta:
        ordering = ["service_date", "pk"]
        indexes = [
            # A few hundred of 100,000+ lines: without it the finance page's deferred balance scans every line.
            models.Index(
                fields=["invoice"], name="invoice_line_deferred",
                condition=Q(active=True, kind__in=["package", "assessment_credit", "prepayment", "prepayment_applied"]),
            ),
        ]  # fmt: skip
        constraints = [
            models.UniqueConstraint(
                fields=["charge"], condition=Q(charge__isnull=False, active=True), name="invoice_line_charge_once"
            ),
            models.UniqueConstraint(
                fields=["credits_charge"], condition=Q(credits_charge__isnull=False, active=True),
                name="invoice_line_credit_once",
            ),
        ]  # fmt: skip
        triggers = [
            # Lines of an issued invoice are frozen; voiding may only switch `active` off.
            pgtrigger.Protect(
                name="invoice_line_frozen", operation=pgtrigger.Update,
                condition=pgtrigger.Condition(
                    "OLD.\"locked\" AND (to_jsonb(NEW.*) - 'active') IS DISTINCT FROM (to_jsonb(OLD.*) - 'active')"
                ),
            ),
            pgtrigger.Protect(
                name="invoice_line_kept", operation=pgtrigger.Delete, condition=pgtrigger.Q(old__locked=True)
            ),
            # Charge.billed follows the lines: recomputed for the old and the new charge of every changed line.
            pgtrigger.Trigger(
                name="invoice_line_charge_billed", when=pgtrigger.After,
                operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete, func=CHARGE_BILLED_FUNC,
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.description


class CreditNote(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft (awaiting review)"
        ISSUED = "issued", "Issued"

    class Disposition(models.TextChoices):
        CREDIT = "credit", "Keep as client credit"
        REFUND = "refund", "Refund recorded"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_notes")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    number = models.CharField(max_length=20, unique=True, null=True, blank=True)
    issue_date = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=200)
    subtotal = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    tax_total = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    total = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    pre_payment = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    post_payment = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    disposition = models.CharField(max_length=8, choices=Disposition.choices, default=Disposition.CREDIT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft", number__isnull=True) | Q(status="issued", number__isnull=False),
                name="credit_note_number_iff_issued",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"Draft credit note {self.pk}"


class CreditNoteLine(models.Model):
    credit_note = models.ForeignKey(CreditNote, on_delete=models.CASCADE, related_name="lines")
    invoice_line = models.ForeignKey(InvoiceLine, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    description = models.CharField(max_length=300)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    tax_amount = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)

    def __str__(self) -> str:
        return self.description


class Payment(models.Model):
    class Method(models.TextChoices):
        CASH = "cash", "Cash"
        CHECK = "check", "Check"
        ZELLE = "zelle", "Zelle"
        VENMO = "venmo", "Venmo"
        CARD = "card", "Card (terminal)"
        TRANSFER = "transfer", "Bank transfer"
        OTHER = "other", "Other"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    received_on = models.DateField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    method = models.CharField(max_length=10, choices=Method.choices)
    reference = models.CharField(max_length=100, blank=True)
    note = models.CharField(max_length=300, blank=True)
    creation_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-pk"]
        indexes = [models.Index(fields=["received_on"], name="payment_received_on")]  # collected per month
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")]

    def __str__(self) -> str:
        return f"{self.amount} on {self.received_on}"


class ClientCreditEntry(models.Model):
    """Client credit is the sum of these entries (never below zero; the service checks under a lock)."""

    class Kind(models.TextChoices):
        OVERPAYMENT = "overpayment", "Overpayment"
        CREDIT_NOTE = "credit_note", "Credit note"
        APPLIED = "applied", "Applied to an invoice"
        REFUND = "refund", "Refund"
        ADJUSTMENT = "adjustment", "Adjustment"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    effective_date = models.DateField()
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    credit_note = models.ForeignKey(CreditNote, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["effective_date", "pk"]
        triggers = [pgtrigger.Protect(name="credit_entry_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"


class Allocation(models.Model):
    """Money applied to an invoice: from a payment or from client credit."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="allocations")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="allocations")
    credit_entry = models.ForeignKey(
        ClientCreditEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    applied_on = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["applied_on"], name="allocation_applied_on")]  # AR aging as of a date
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive"),
            models.CheckConstraint(
                condition=Q(payment__isnull=False, credit_entry__isnull=True)
                | Q(payment__isnull=True, credit_entry__isnull=False),
                name="allocation_one_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} to {self.invoice_id}"
