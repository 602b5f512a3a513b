"""How billing pages show prices: `{% load billing_format %}`, then `{{ line.unit_price|unit_price }}`.

A unit price is stored with four decimals (an hourly rate can be $87.125). On an invoice it shows two decimals,
and three or four only when it has sub-cent digits: $60.00, $113.75, $2.125, never "$60" or "$113.7500"
(T31, docs/specs/defects.md). Amounts and totals are always two decimals (`floatformat:2`).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import template

register = template.Library()

MAX_PLACES = 4


@register.filter
def unit_price(value: Any) -> str:
    if value is None or value == "":
        return ""
    try:
        price = Decimal(value).quantize(Decimal(1).scaleb(-MAX_PLACES), rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    places = 2
    while places < MAX_PLACES and price != price.quantize(Decimal(1).scaleb(-places)):
        places += 1
    sign = "-" if price < 0 else ""
    return f"{sign}${abs(price):.{places}f}"
