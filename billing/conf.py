"""Billing settings with their defaults (docs/specs/billing.md "Settings"); each may be set in Django settings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    "BILLING_ROUNDING_INCREMENT": 15,  # minutes: 1/5/6/10/15/30/60
    "BILLING_ROUNDING_MODE": "up",  # up | nearest | down
    "BILLING_DEFAULT_MINIMUM": 180,  # minutes per organizer when the appointment type sets none
    "BILLING_CANCEL_FEE_KIND": "percent_of_booked",  # fixed | percent_of_booked | hours
    "BILLING_CANCEL_FEE_FIXED": Decimal("50.00"),
    "BILLING_CANCEL_FEE_PERCENT": Decimal("50"),
    "BILLING_CANCEL_FEE_HOURS": 3,
    "BILLING_TAX_RATE": Decimal("8.875"),  # percent
    "BILLING_TAX_SERVICES": False,
    "BILLING_TAX_PRODUCTS": True,
    "BILLING_DEFAULT_MARKUP": Decimal("35"),  # percent, for a purchase recorded with no markup
    "BILLING_PAYMENT_TERMS_DAYS": 15,
    "BILLING_AUTO_APPLY_CREDIT": True,
    "BILLING_ASSESSMENT_CREDIT_DAYS": 30,
    "BILLING_CLOSEOUT_REFUND_PCT": Decimal("10"),
    "BILLING_BUSINESS_NAME": "Organizer PM",  # heading of the printed invoice, its PDF and e-mail
    "BILLING_BUSINESS_ADDRESS": "",  # lines under that heading ("\n" separates them)
    "BILLING_EMAIL_MAX_ATTEMPTS": 5,  # tries of an invoice e-mail before it is marked failed
    "BILLING_EMAIL_LEASE_MINUTES": 10,  # a claimed e-mail whose send never finished is claimed again after this
    "BILLING_BATCH_INLINE_MAX": 20,  # "create drafts for all" above this many clients runs as a Celery job
}


def get(name: str) -> Any:
    return getattr(settings, name, DEFAULTS[name])
