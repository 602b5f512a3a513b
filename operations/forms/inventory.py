"""Input shape for supply inventory: catalogue rows, stock moves, purchase orders, receipts.

Forms check what one field can check (a positive quantity, a known SKU, an image that is really a JPEG or PNG);
every rule that needs other rows (enough stock, PO status, own van) lives in operations.services and comes
back as a ValidationError the view puts on the form.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile

from accounts.models import User
from operations.formats import fmt_qty
from operations.models import Item, Location, PurchaseOrderLine, StockLevel, StockMove, Supplier
from operations.services.inventory import QTY_POSITIVE_MSG
from operations.uploads import receipt_to_jpeg

QTY_MIN = Decimal("0.001")
MAX_QTY = Decimal("999999")
UNKNOWN_SKU_MSG = "No active item has the SKU “%(value)s”."
SAME_LOCATION_MSG = "Choose two different locations."
NOTHING_USED_MSG = "Enter a quantity for at least one item."
NEGATIVE_MSG = "Quantities cannot be negative."
MAX_BELOW_MIN_MSG = "“Order up to” must be at least “Reorder below”."
NO_LINES_MSG = "Add at least one line."
CSV_TOO_BIG_MSG = "The file is larger than %(limit)s MB."
CSV_NOT_CSV_MSG = "Upload a .csv file (save the spreadsheet as CSV UTF-8)."
KEY_MISSING_MSG = "This form expired. Reload the page and enter the quantities again."

CSV_MAX_BYTES = 2 * 1024 * 1024

QTY_ATTRS = {"inputmode": "decimal", "min": "0", "step": "any"}
PICK_ATTRS = {**QTY_ATTRS, "placeholder": "0", "class": "form-control form-control-lg"}  # thumb-sized on a phone


def _qty_field(**kwargs: Any) -> forms.DecimalField:
    kwargs.setdefault("min_value", QTY_MIN)
    kwargs.setdefault("error_messages", {"min_value": QTY_POSITIVE_MSG})
    return forms.DecimalField(
        max_digits=12, decimal_places=3, max_value=MAX_QTY, widget=forms.NumberInput(attrs=QTY_ATTRS), **kwargs
    )


class SkuField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """An item typed by SKU (with a suggestion list in the page), so a phone needs no 500-option select."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "SKU")
        super().__init__(
            queryset=Item.objects.filter(is_active=True),
            to_field_name="sku",
            widget=forms.TextInput(attrs={"list": "sku-list", "autocomplete": "off", "autocapitalize": "characters"}),
            error_messages={"invalid_choice": UNKNOWN_SKU_MSG},
            **kwargs,
        )

    def to_python(self, value: Any) -> Any:
        return super().to_python(value.strip() if isinstance(value, str) else value)


def _internal_locations() -> Any:
    return Location.objects.filter(kind__in=Location.INTERNAL, is_active=True).order_by("kind", "name")


class IdempotentForm(forms.Form):
    """A hidden one-time key per rendered form: a retried submit of the same form records nothing twice (I5)."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=36)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["idempotency_key"].initial = uuid.uuid4()

    def clean(self) -> dict[str, Any]:
        super().clean()
        try:
            self.cleaned_data["idempotency_key"] = uuid.UUID(self.cleaned_data.get("idempotency_key") or "")
        except ValueError:
            # A hidden field's error would not show: say it at the top of the form.
            self.add_error(None, forms.ValidationError(KEY_MISSING_MSG, code="no_key"))
        return self.cleaned_data

    def key(self, suffix: object = None) -> str:
        base = str(self.cleaned_data["idempotency_key"])
        return base if suffix is None else f"{base}:{suffix}"


# --- catalogue ------------------------------------------------------------------------------------------


class ItemForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Item
        fields = [
            "sku", "name", "unit", "category", "preferred_supplier", "last_cost", "reorder_min", "reorder_max",
            "reorder_multiple", "is_active",
        ]  # fmt: skip
        labels = {"last_cost": "Last cost (per unit)"}
        help_texts = {
            "reorder_min": "Suggest an order when the forecast falls below this (0 = no reordering).",
            "reorder_multiple": "Pack size: suggestions are rounded up to whole packs.",
        }

    def clean_sku(self) -> str:
        return cast(str, self.cleaned_data["sku"]).strip()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        low, high = data.get("reorder_min"), data.get("reorder_max")
        if low is not None and high is not None and high < low:
            self.add_error("reorder_max", MAX_BELOW_MIN_MSG)
        return data


class SupplierForm(forms.ModelForm):  # type: ignore[type-arg]
    website = forms.URLField(required=False, assume_scheme="https", max_length=200)

    class Meta:
        model = Supplier
        fields = ["name", "email", "phone", "website", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class LocationForm(forms.ModelForm):  # type: ignore[type-arg]
    """The warehouse and the vans; virtual locations are the system's own and are not edited here."""

    kind = forms.ChoiceField(choices=[(k.value, k.label) for k in Location.INTERNAL])

    class Meta:
        model = Location
        fields = ["kind", "name", "organizer", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organizer = cast(forms.ModelChoiceField, self.fields["organizer"])  # type: ignore[type-arg]
        organizer.queryset = User.objects.filter(role=User.Role.ORGANIZER, is_active=True).order_by("first_name")
        organizer.help_text = "For a van: the organizer who drives it (they see its stock and use it on visits)."

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("kind") != Location.Kind.VAN and data.get("organizer"):
            self.add_error("organizer", "Only a van belongs to an organizer.")
        return data


class ItemImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Columns: sku, name, unit, category, supplier, cost, reorder_min, reorder_max, reorder_multiple.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> bytes:
        upload = cast(UploadedFile, self.cleaned_data["file"])
        if not (upload.name or "").lower().endswith(".csv"):
            raise forms.ValidationError(CSV_NOT_CSV_MSG, code="not_csv")
        if (upload.size or 0) > CSV_MAX_BYTES:
            raise forms.ValidationError(CSV_TOO_BIG_MSG, code="too_big", params={"limit": CSV_MAX_BYTES // 2**20})
        return upload.read()


# --- stock moves ----------------------------------------------------------------------------------------


class TransferForm(IdempotentForm):
    item = SkuField()
    qty = _qty_field(label="Quantity")
    from_location = forms.ModelChoiceField(queryset=Location.objects.none(), label="From")
    to_location = forms.ModelChoiceField(queryset=Location.objects.none(), label="To")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("from_location", "to_location"):
            cast(forms.ModelChoiceField, self.fields[name]).queryset = _internal_locations()  # type: ignore[type-arg]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("from_location") and data.get("from_location") == data.get("to_location"):
            self.add_error("to_location", SAME_LOCATION_MSG)
        return data


class CountForm(forms.Form):
    item = SkuField()
    location = forms.ModelChoiceField(queryset=Location.objects.none())
    counted = forms.DecimalField(
        label="Counted quantity", min_value=0, max_digits=12, decimal_places=3, max_value=MAX_QTY,
        widget=forms.NumberInput(attrs=QTY_ATTRS), error_messages={"min_value": "A count cannot be negative."},
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["location"]).queryset = _internal_locations()  # type: ignore[type-arg]


class AllocationForm(forms.Form):
    item = SkuField()
    location = forms.ModelChoiceField(queryset=Location.objects.none(), label="From")
    qty = _qty_field(label="Quantity to reserve")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["location"]).queryset = _internal_locations()  # type: ignore[type-arg]


class ConsumeForm(IdempotentForm):
    """Supplies used on a visit: one optional quantity per item held at the location (a pick list)."""

    def __init__(self, *args: Any, levels: Iterable[StockLevel], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.levels = {level.item_id: level for level in levels}
        for level in self.levels.values():
            self.fields[f"qty_{level.item_id}"] = forms.DecimalField(
                label=level.item.name, required=False, min_value=0, max_digits=12, decimal_places=3,
                max_value=MAX_QTY, widget=forms.NumberInput(attrs=PICK_ATTRS),
                error_messages={"min_value": NEGATIVE_MSG},
            )  # fmt: skip

    def rows(self) -> Iterator[tuple[StockLevel, forms.BoundField]]:
        for item_id, level in self.levels.items():
            yield level, self[f"qty_{item_id}"]

    def lines(self) -> list[tuple[Item, Decimal]]:
        lines = []
        for item_id, level in self.levels.items():
            qty = self.cleaned_data.get(f"qty_{item_id}")
            if qty:
                lines.append((level.item, qty))
        return lines

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not self.errors and not self.lines():
            raise forms.ValidationError(NOTHING_USED_MSG, code="nothing")
        return data


# --- purchase orders ------------------------------------------------------------------------------------


class PurchaseOrderForm(forms.Form):
    supplier = forms.ModelChoiceField(queryset=Supplier.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["supplier"]).queryset = Supplier.objects.order_by("name")  # type: ignore[type-arg]


class PurchaseOrderLineForm(forms.Form):
    item = SkuField(required=False)
    qty = _qty_field(label="Quantity", required=False)
    unit_cost = forms.DecimalField(
        label="Unit cost", required=False, min_value=0, max_digits=12, decimal_places=4,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "min": "0", "step": "any"}),
    )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.errors:
            return data
        item, qty = data.get("item"), data.get("qty")
        if item and not qty:
            self.add_error("qty", QTY_POSITIVE_MSG)
        if qty and not item:
            self.add_error("item", "Enter the SKU of the item to order.")
        if item and data.get("unit_cost") is None:
            data["unit_cost"] = item.last_cost
        return data


class BaseLineFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        if any(self.errors):
            return
        if not self.lines():
            raise forms.ValidationError(NO_LINES_MSG, code="no_lines")

    def lines(self) -> list[tuple[Item, Decimal, Decimal]]:
        return [
            (f.cleaned_data["item"], f.cleaned_data["qty"], f.cleaned_data["unit_cost"])
            for f in self.forms
            if f.cleaned_data.get("item")
        ]


PurchaseOrderLineFormSet = forms.formset_factory(
    PurchaseOrderLineForm, formset=BaseLineFormSet, extra=5, max_num=50, validate_max=True
)


class ReceiveForm(forms.Form):
    """One quantity per open line (defaulting to what is still open) and where the goods go."""

    location = forms.ModelChoiceField(queryset=Location.objects.none(), label="Receive into")

    def __init__(self, *args: Any, lines: Iterable[PurchaseOrderLine], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        location = cast(forms.ModelChoiceField, self.fields["location"])  # type: ignore[type-arg]
        location.queryset = _internal_locations()
        location.initial = location.queryset.filter(kind=Location.Kind.WAREHOUSE).values_list("pk", flat=True).first()
        self.lines = [line for line in lines if line.qty_open > 0]
        for line in self.lines:
            self.fields[f"line_{line.pk}"] = forms.DecimalField(
                label=f"{line.item.sku} {line.item.name}", required=False, min_value=0, max_digits=12,
                decimal_places=3, initial=Decimal(fmt_qty(line.qty_open)), widget=forms.NumberInput(attrs=QTY_ATTRS),
                help_text=f"{fmt_qty(line.qty_open)} {line.item.unit} still open",
                error_messages={"min_value": NEGATIVE_MSG},
            )  # fmt: skip

    def quantities(self) -> dict[int, Decimal]:
        return {line.pk: self.cleaned_data.get(f"line_{line.pk}") or Decimal(0) for line in self.lines}


# --- pass-through purchases -----------------------------------------------------------------------------


class ClientPurchaseForm(IdempotentForm):
    description = forms.CharField(max_length=200, help_text="What was bought, e.g. “2 drawer dividers”.")
    store = forms.CharField(max_length=100, required=False)
    cost = forms.DecimalField(
        label="Cost paid", min_value=Decimal("0.01"), max_digits=12, decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "min": "0.01", "step": "0.01"}),
        error_messages={"min_value": "Enter the amount paid (more than zero)."},
    )  # fmt: skip
    markup_pct = forms.DecimalField(
        label="Markup %", min_value=0, max_value=500, max_digits=5, decimal_places=2, initial=0, required=False,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "min": "0", "max": "500", "step": "any"}),
    )  # fmt: skip
    receipt = forms.FileField(
        required=False, label="Receipt photo (optional)",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
        help_text="JPEG or PNG. Location data is removed from the photo.",
    )  # fmt: skip

    def __init__(self, *args: Any, can_set_markup: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_set_markup:
            del self.fields["markup_pct"]  # prices are the office's decision; organizers record what they paid

    def clean_receipt(self) -> ContentFile[bytes] | None:
        upload = self.cleaned_data.get("receipt")
        if not upload:
            return None
        return receipt_to_jpeg(upload)


# --- filters --------------------------------------------------------------------------------------------


class StockFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search")
    category = forms.ChoiceField(required=False, choices=[("", "Any category"), *Item.Category.choices])
    location = forms.ModelChoiceField(queryset=Location.objects.none(), required=False, empty_label="All locations")
    low = forms.BooleanField(required=False, label="Below reorder point")
    inactive = forms.BooleanField(required=False, label="Include inactive items")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["location"]).queryset = _internal_locations()  # type: ignore[type-arg]


class MoveFilterForm(forms.Form):
    item = SkuField(required=False)
    location = forms.ModelChoiceField(queryset=Location.objects.none(), required=False, empty_label="Any location")
    reason = forms.ChoiceField(required=False, choices=[("", "Any reason"), *StockMove.Reason.choices])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["location"]).queryset = Location.objects.order_by("kind", "name")  # type: ignore[type-arg]
        cast(SkuField, self.fields["item"]).queryset = Item.objects.all()
