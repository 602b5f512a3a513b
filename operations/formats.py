"""Quantities and money as text for messages and emails (pages use the filters in templatetags/operations_format).

Pure (no Django). Quantities are Decimals with three places in the database; a message shows them without
trailing zeros and never in exponent form.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
CENT = Decimal("0.01")


def cents(value: Decimal) -> Decimal:
    """Money to the cent, half-up (the rule for every amount in the app; `quantize` alone rounds half-even)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def fmt_qty(value: Decimal) -> str:
    """10.000 -> "10", 2.500 -> "2.5", 0 -> "0" (never "1E+1")."""
    return f"{value.normalize():f}" if value else "0"
