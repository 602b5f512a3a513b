"""The owner's billing setup: package products, client rates and the pricing of appointment types. Views hand
the cleaned form data here; every rule that makes a row valid is checked here (docs/specs/billing.md §9)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from billing.models import ClientRate, PackageProduct, TypePricing
from clients.models import Client
from operations.models import AppointmentType

ZERO = Decimal("0")


@transaction.atomic
def product_create(
    *, name: str, minutes: int, price: Decimal, validity_months: int = 12, free_cancellations: int = 2,
    cancel_fee_minutes: int = 60, covers_shopping: bool = True,
    overage_policy: str = PackageProduct.Overage.SPLIT_HOURLY, overage_tolerance_pct: Decimal = Decimal("10"),
    low_balance_minutes: int = 240,
) -> PackageProduct:  # fmt: skip
    """A package product on sale. Sold packages keep a snapshot of its terms, so products are only added."""
    errors: dict[str, str] = {}
    if minutes <= 0:
        errors["minutes"] = "A package has at least one minute."
    if price <= 0:
        errors["price"] = "Enter a price above zero."
    if not ZERO <= overage_tolerance_pct <= 100:
        errors["overage_tolerance_pct"] = "The tolerance is a percentage between 0 and 100."
    if overage_policy not in PackageProduct.Overage.values:
        errors["overage_policy"] = "Choose an overage policy."
    if PackageProduct.objects.filter(name__iexact=name.strip()).exists():
        errors["name"] = "A package with this name already exists."
    if errors:
        raise ValidationError(errors, code="invalid")
    return PackageProduct.objects.create(
        name=name.strip(), minutes=minutes, price=price, validity_months=validity_months,
        free_cancellations=free_cancellations, cancel_fee_minutes=cancel_fee_minutes, covers_shopping=covers_shopping,
        overage_policy=overage_policy, overage_tolerance_pct=overage_tolerance_pct,
        low_balance_minutes=low_balance_minutes,
    )  # fmt: skip


@transaction.atomic
def client_rate_set(
    *, client: Client, rate: Decimal, appointment_type: AppointmentType | None = None, organizer: User | None = None
) -> ClientRate:
    """Set the client's rate for (type, organizer), either possibly empty: one row per combination, so saving
    again changes the rate. Charges already made keep theirs until the owner re-prices them."""
    if rate is None or rate <= 0:
        raise ValidationError({"rate": "A rate must be above zero."}, code="rate")
    if organizer is not None and organizer.role != User.Role.ORGANIZER:
        raise ValidationError({"organizer": "Choose an organizer."}, code="organizer")
    found = (
        ClientRate.objects.select_for_update()
        .filter(client=client, appointment_type=appointment_type, organizer=organizer).first()
    )  # fmt: skip
    if found is None:
        return ClientRate.objects.create(client=client, appointment_type=appointment_type, organizer=organizer,
                                         rate=rate)  # fmt: skip
    found.rate = rate
    found.save(update_fields=["rate"])
    return found


@transaction.atomic
def type_pricing_set(
    *, appointment_type: AppointmentType, pricing: str, flat_price: Decimal | None = None,
    minimum_minutes: int | None = None, is_shopping: bool = False,
) -> TypePricing:  # fmt: skip
    """How an appointment type is billed (one row per type; saving again changes it)."""
    flat_price = flat_price or ZERO
    if pricing not in TypePricing.Pricing.values:
        raise ValidationError({"pricing": "Choose hourly or flat fee."}, code="pricing")
    if pricing == TypePricing.Pricing.FLAT and flat_price <= 0:
        raise ValidationError({"flat_price": "A flat-priced type needs its price."}, code="flat_price")
    if flat_price < 0:
        raise ValidationError({"flat_price": "A price cannot be negative."}, code="flat_price")
    found, _ = TypePricing.objects.select_for_update().get_or_create(appointment_type=appointment_type)
    found.pricing, found.flat_price, found.minimum_minutes, found.is_shopping = (
        pricing, flat_price, minimum_minutes, is_shopping
    )  # fmt: skip
    found.save()
    return found
