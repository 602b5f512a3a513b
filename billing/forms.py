"""Billing forms. Amounts are Decimals; the services check what depends on the database."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django import forms

from accounts.models import User
from billing.models import (
    ClientRate,
    CreditNote,
    Invoice,
    InvoiceLine,
    PackageProduct,
    Payment,
    TypePricing,
)


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
                label=f"{line.description} (${line.amount})",
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


class PackageProductForm(forms.ModelForm):
    class Meta:
        model = PackageProduct
        fields = [
            "name", "minutes", "price", "validity_months", "free_cancellations", "cancel_fee_minutes",
            "covers_shopping", "overage_policy", "overage_tolerance_pct", "low_balance_minutes",
        ]  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("minutes") is not None and data["minutes"] <= 0:
            self.add_error("minutes", "A package has at least one minute.")
        if data.get("price") is not None and data["price"] <= 0:
            self.add_error("price", "Enter a price above zero.")
        return data


class ClientRateForm(forms.ModelForm):
    class Meta:
        model = ClientRate
        fields = ["client", "appointment_type", "organizer", "rate"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organizer"].queryset = User.objects.filter(role=User.Role.ORGANIZER)  # type: ignore[attr-defined]

    def clean_rate(self) -> Decimal:
        rate = self.cleaned_data["rate"]
        if rate is None or rate <= 0:
            raise forms.ValidationError("A rate must be above zero.")
        return rate


class TypePricingForm(forms.ModelForm):
    class Meta:
        model = TypePricing
        fields = ["appointment_type", "pricing", "flat_price", "minimum_minutes", "is_shopping"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("pricing") == TypePricing.Pricing.FLAT and not data.get("flat_price"):
            self.add_error("flat_price", "A flat-priced type needs its price.")
        return data
