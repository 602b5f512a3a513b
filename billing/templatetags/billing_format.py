"""How billing pages show prices and package time: `{% load billing_format %}`, then
`{{ line.unit_price|unit_price }}` and `{{ balance|hours_minutes }}`.

A unit price is stored with four decimals (an hourly rate can be $87.125). On an invoice it shows two decimals,
and three or four only when it has sub-cent digits: $60.00, $113.75, $2.125, never "$60" or "$113.7500"
(T31, docs/specs/defects.md), written like every other amount ("$1,700.00", `operations_format.money`, T43).

Package time is sold in hours, so a balance or a package's minutes read "18 h 30 min", "45 min", "20 h" (T44);
the database keeps minutes.
"""

from __future__ import annotations

from typing import Any

from django import template

from billing.money import minutes_text
from operations.formats import as_decimal, fmt_money

register = template.Library()

MAX_PLACES = 4


@register.filter
def unit_price(value: Any) -> str:
    return fmt_money(value, 2, most=MAX_PLACES)


@register.filter
def hours_minutes(value: Any) -> str:
    minutes = as_decimal(value)
    return "" if minutes is None or not minutes.is_finite() else minutes_text(int(minutes))
