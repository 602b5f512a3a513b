"""Quantities and money as text, for pages (through the filters in templatetags/operations_format), messages,
emails and PDFs alike.

Pure (no Django). Quantities are Decimals with three places in the database; a message shows them without
trailing zeros and never in exponent form. Money has one written form everywhere people read it (T43,
docs/specs/defects.md): "$4,132.50", "-$12.00", rounded half-up; CSV files keep plain numbers.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

ZERO = Decimal("0")
CENT = Decimal("0.01")


def cents(value: Decimal) -> Decimal:
    """Money to the cent, half-up (the rule for every amount in the app; `quantize` alone rounds half-even)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def fmt_qty(value: Decimal) -> str:
    """10.000 -> "10", 2.500 -> "2.5", 0 -> "0" (never "1E+1")."""
    return f"{value.normalize():f}" if value else "0"


def as_decimal(value: Any) -> Decimal | None:
    """A Decimal of a Decimal, int or numeric string; a float goes through its shortest text (never its binary
    value: 0.125 stays 0.125). None, "" and anything not a number give None."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None


def fmt_money(value: Any, places: int = 2, *, most: int | None = None) -> str:
    """ "$4,132.50", "-$12.00", "$0.00": a thousands comma, `places` decimals rounded half-up, the sign before the
    dollar. With `most`, up to that many decimals are kept when the value has them (a unit price: $2.125). An
    empty or non-numeric value gives ""."""
    amount = as_decimal(value)
    if amount is None or not amount.is_finite():
        return ""
    amount = amount.quantize(Decimal(1).scaleb(-(most or places)), rounding=ROUND_HALF_UP)
    while most and places < most and amount != amount.quantize(Decimal(1).scaleb(-places)):
        places += 1
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.{places}f}"
