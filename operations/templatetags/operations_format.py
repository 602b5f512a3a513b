"""How pages show quantities and money: `{% load operations_format %}`, then `{{ level.qty|qty }}` and
`{{ total|money }}` (or `{{ unit_cost|money:4 }}` for unit costs).

A quantity shows up to three decimals and none when whole (2.500 -> "2.500", 10.000 -> "10"). Money is the one
filter every page, print view, PDF and e-mail uses (T43, docs/specs/defects.md): "$4,132.50", "-$12.00", two
decimals rounded half-up in Decimal (operations.formats.fmt_money, also used by Python-built text); an empty
value shows nothing. CSV files do not use it: they keep plain numbers.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaultfilters import floatformat

from operations.formats import fmt_money

register = template.Library()


@register.filter
def qty(value: Any) -> str:
    return floatformat(value, "-3")


@register.filter
def money(value: Any, places: int = 2) -> str:
    return fmt_money(value, int(places))
