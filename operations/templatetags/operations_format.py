"""How pages show quantities and money: `{% load operations_format %}`, then `{{ level.qty|qty }}` and
`{{ total|money }}` (or `{{ unit_cost|money:4 }}` for unit costs).

A quantity shows up to three decimals and none when whole (2.500 -> "2.500", 10.000 -> "10"); money shows a
dollar sign and two decimals. Messages and emails format in Python with operations.formats.fmt_qty.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaultfilters import floatformat

register = template.Library()


@register.filter
def qty(value: Any) -> str:
    return floatformat(value, "-3")


@register.filter
def money(value: Any, places: int = 2) -> str:
    return "$" + floatformat(value, places)
