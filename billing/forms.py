"""Billing forms. Amounts are Decimals; the services check what depends on the database."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django import forms

from accounts.models import User
from billing.models import (
    CreditNote,
    Invoice,
    InvoiceLine,
    Package,
    PackageProduct,
    Payment,
    TypePricing,
)
from clients.models import Client
from operations.formats import fmt_money
from operations.models import AppointmentType


def new_key() -> str:
    return uuid.uuid4().hex


class KeyedForm(forms.Form):
    """Carries a one-time key so a retried or double submit creates nothing twice."""

    creation_key = forms.CharField(max_length=64, widget=forms.HiddenInput)


class PaymentForm(KeyedForm):
    amount = forms.DecimalField(max_digits=12, decimal_places=2)
    received_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    method = forms.ChoiceField(choices=Payment.Method.choices)
    reference = forms.CharField(max_length=100, required=False, help_text="Check number, transfer id…")
    invoice = forms.ModelChoiceField(
        queryset=Invoice.objects.none(), required=False, empty_label="Oldest due first",
        help_text="Leave empty to pay the oldest invoices first; anything left becomes client credit.",
    )  # fmt: skip
    allocate = forms.DecimalField(
        max_digits=12,
        decimal_places=2,
        required=False,
        label="Amount to this invoice",
        help_text="Empty: as much as is due.",
    )
    note = forms.CharField(max_length=300, required=False)

    def __init__(self, *args: Any, client: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        open_invoices = Invoice.objects.filter(client=client, status__in=["issued", "partially_paid"])
        self.fields["invoice"].queryset = open_invoices.order_by("due_date", "pk")  # type: ignore[attr-defined]

    def allocations(self) -> list[tuple[Invoice, Decimal]] | None:
        invoice = self.cleaned_data.get("invoice")
        if invoice is None:
            return None
        part = self.cleaned_data.get("allocate")
        return [(invoice, part if part is not None else min(self.cleaned_data["amount"], invoice.amount_due))]


class InvoiceEmailForm(KeyedForm):
    recipient = forms.EmailField(label="Send to")


class PackageSellForm(KeyedForm):
    product = forms.ModelChoiceField(queryset=PackageProduct.objects.filter(is_active=True))


class VoidForm(forms.Form):
    reason = forms.CharField(max_length=200)


class ManualLineForm(forms.Form):
    description = forms.CharField(max_length=300)
    quantity = forms.DecimalField(max_digits=10, decimal_places=2, min_value=Decimal("0.01"))
    unit_price = forms.DecimalField(max_digits=12, decimal_places=4)
    taxable = forms.BooleanField(required=False)


class CreditNoteForm(forms.Form):
    reason = forms.CharField(max_length=200)
    disposition = forms.ChoiceField(
        choices=CreditNote.Disposition.choices, help_text="What happens to any part above what is still owed."
    )

    def __init__(self, *args: Any, lines: list[InvoiceLine], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines = lines
        for line in lines:
            self.fields[f"line_{line.pk}"] = forms.DecimalField(
                max_digits=12,
                decimal_places=2,
                required=False,
                min_value=Decimal("0"),
                label=f"{line.description} ({fmt_money(line.amount)})",
            )

    def amounts(self) -> dict[int, Decimal]:
        return {ln.pk: self.cleaned_data.get(f"line_{ln.pk}") or Decimal("0") for ln in self.lines}


class _StaffChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} ({obj.email})"


class BillersForm(forms.Form):
    billers = _StaffChoices(
        queryset=User.objects.filter(role=User.Role.OFFICE, is_active=True).order_by("first_name", "email"),
        widget=forms.CheckboxSelectMultiple, required=False, label="Office staff who may invoice and record payments",
    )  # fmt: skip


class AgingForm(forms.Form):
    on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="As of")
    year = forms.IntegerField(required=False, min_value=2000, max_value=2100)


class PackageProductForm(forms.Form):
    """Input of `setup.product_create` (the service checks the rules)."""

    name = forms.CharField(max_length=100)
    minutes = forms.IntegerField(help_text="Minutes sold, e.g. 1200 for 20 hours.")
    price = forms.DecimalField(max_digits=12, decimal_places=2)
    validity_months = forms.IntegerField(min_value=1, initial=12)
    free_cancellations = forms.IntegerField(min_value=0, initial=2)
    cancel_fee_minutes = forms.IntegerField(min_value=0, initial=60)
    covers_shopping = forms.BooleanField(required=False, initial=True)
    overage_policy = forms.ChoiceField(choices=PackageProduct.Overage.choices)
    overage_tolerance_pct = forms.DecimalField(max_digits=7, decimal_places=4, initial=Decimal("10"))
    low_balance_minutes = forms.IntegerField(min_value=0, initial=240)


class ClientRateForm(forms.Form):
    """Input of `setup.client_rate_set`: saving the same client, type and organizer again changes the rate."""

    client = forms.ModelChoiceField(queryset=Client.objects.order_by("name"))
    appointment_type = forms.ModelChoiceField(queryset=AppointmentType.objects.all(), required=False)
    organizer = forms.ModelChoiceField(
        queryset=User.objects.filter(role=User.Role.ORGANIZER).order_by("first_name", "email"), required=False
    )
    rate = forms.DecimalField(max_digits=10, decimal_places=2)


class TypePricingForm(forms.Form):
    """Input of `setup.type_pricing_set` (one pricing per appointment type)."""

    appointment_type = forms.ModelChoiceField(queryset=AppointmentType.objects.all())
    pricing = forms.ChoiceField(choices=TypePricing.Pricing.choices)
    flat_price = forms.DecimalField(max_digits=12, decimal_places=2, required=False)
    minimum_minutes = forms.IntegerField(min_value=0, required=False, help_text="Empty: the business default.")
    is_shopping = forms.BooleanField(required=False, help_text="Its rate prices shopping time.")


class PackageCloseForm(forms.Form):
    disposition = forms.ChoiceField(
        choices=CreditNote.Disposition.choices, required=False,
        help_text="For unused minutes within the refund threshold: refund them or keep them as client credit.",
    )  # fmt: skip


_SMALL_SELECT = {"class": "form-select form-select-sm"}
_SMALL_INPUT = {"class": "form-control form-control-sm"}


class PackageMoveForm(forms.Form):
    """Input of `closeout.package_minutes_move`: between two open packages of one client."""

    source = forms.ModelChoiceField(queryset=Package.objects.none(), label="From", widget=forms.Select(_SMALL_SELECT))
    target = forms.ModelChoiceField(queryset=Package.objects.none(), label="To", widget=forms.Select(_SMALL_SELECT))
    minutes = forms.IntegerField(min_value=1, widget=forms.NumberInput(_SMALL_INPUT))
    reason = forms.CharField(max_length=150, widget=forms.TextInput(_SMALL_INPUT))

    prefix = "move"

    def __init__(self, *args: Any, client: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        open_packages = Package.objects.filter(client=client, status__in=["active", "exhausted", "pending"])
        for name in ("source", "target"):
            self.fields[name].queryset = open_packages.order_by("pk")  # type: ignore[attr-defined]
