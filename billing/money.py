"""Billing arithmetic with no Django import: minutes, money, tax, package draw-down, aging buckets.

Every amount is a Decimal built from strings or integers, rounded half-up at the cent by `money` and nowhere
else (docs/specs/billing.md "Units"). Minutes are whole minutes between two instants; rounding happens per
organizer line, before the minimum and before any sum.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
ROUNDING_MODES = ("up", "nearest", "down")
RATE_SOURCES = ("client", "appointment_type", "organizer")
BUCKETS = ("current", "1-30", "31-60", "61-90", "90+")


def money(value: Decimal | int) -> Decimal:
    """The one rounding helper: half-up at the cent (Python's default context would round half-even)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def minutes_between(start: datetime, end: datetime) -> int:
    """Whole minutes between two instants, seconds truncated. Both are moved to UTC first: two aware datetimes
    sharing one ZoneInfo subtract as wall-clock values and lose or gain an hour on a daylight-saving day."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("minutes_between needs aware datetimes")
    seconds = (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds()
    return max(int(seconds // 60), 0)


def round_minutes(raw: int, *, increment: int, mode: str = "up") -> int:
    """Round to the increment: `up` is the ceiling, `nearest` rounds exact halves up, `down` is the floor."""
    if increment <= 0:
        raise ValueError("increment must be positive")
    if mode not in ROUNDING_MODES:
        raise ValueError(f"unknown rounding mode {mode!r}")
    whole, rest = divmod(raw, increment)
    if rest == 0 or mode == "down":
        return whole * increment
    if mode == "up" or rest * 2 >= increment:
        return (whole + 1) * increment
    return whole * increment


def billed_minutes(raw: int, *, increment: int, mode: str, minimum: int) -> tuple[int, int]:
    """(rounded, billed): rounding first, then the per-organizer minimum (0 = none)."""
    rounded = round_minutes(raw, increment=increment, mode=mode)
    return rounded, max(rounded, minimum)


def choose_rate(
    *, client_rate: Decimal | None, type_rate: Decimal | None, organizer_rate: Decimal | None
) -> tuple[Decimal, str]:
    """Most specific wins: client > appointment type > organizer. A missing (or zero) level falls through."""
    for rate, source in ((client_rate, "client"), (type_rate, "appointment_type"), (organizer_rate, "organizer")):
        if rate is not None and rate > 0:
            return rate, source
    return ZERO, "organizer"


def hourly_amount(minutes: int, rate: Decimal) -> Decimal:
    return money(Decimal(minutes) * rate / 60)


def markup_price(cost: Decimal, markup_pct: Decimal) -> Decimal:
    """A pass-through purchase: cost × (1 + markup), rounded once."""
    return money(cost * (1 + markup_pct / 100))


def tax_of(amount: Decimal, rate_pct: Decimal) -> Decimal:
    """Tax of one line (line-level tax: every line audits on its own)."""
    return money(amount * rate_pct / 100)


def percent_fee(*, pct: Decimal, booked_minutes: int, rate: Decimal) -> Decimal:
    return money(pct / 100 * Decimal(booked_minutes) * rate / 60)


@dataclass(frozen=True)
class Drawdown:
    covered: int  # minutes taken from the package
    hourly: int  # minutes billed at the hourly rate
    upgrade_required: bool  # the overdraft floor was reached


def drawdown(*, billed: int, balance: int, policy: str = "split_hourly", tolerance: int = 0) -> Drawdown:
    """Split billed minutes between the package and hourly billing.

    `split_hourly` never goes below zero; `allow_negative` may go down to −tolerance, and whatever lies beyond is
    billed hourly with the package flagged for an upgrade.
    """
    if billed < 0:
        raise ValueError("billed minutes cannot be negative")
    if policy == "allow_negative":
        room = max(balance + tolerance, 0)
        covered = min(billed, room)
        return Drawdown(covered, billed - covered, billed > room)
    covered = min(billed, max(balance, 0))
    return Drawdown(covered, billed - covered, False)


def cumulative_value(*, before: int, after: int, net_price: Decimal, package_minutes: int) -> Decimal:
    """Value of consuming minutes `before`→`after` of a package, allocated cumulatively so that a fully used
    package's entries sum exactly to its net price (no penny drift). Consumption beyond the size is worth 0 here
    (an overdraft is billed at close-out)."""
    if package_minutes <= 0:
        return ZERO
    lo, hi = (min(max(x, 0), package_minutes) for x in (before, after))
    return money(Decimal(hi) * net_price / package_minutes) - money(Decimal(lo) * net_price / package_minutes)


def credit_split(*, total: Decimal, amount_due: Decimal) -> tuple[Decimal, Decimal]:
    """A credit note first reduces what is still owed; the rest goes to client credit or a refund."""
    pre = min(total, max(amount_due, ZERO))
    return pre, total - pre


def deposit_deduction(*, available: Decimal, subtotal: Decimal) -> Decimal:
    """A paid deposit is deducted up to the invoice's subtotal; the rest carries to the next invoice."""
    return max(min(available, subtotal), ZERO)


def aging_bucket(age_days: int) -> str:
    if age_days <= 0:
        return "current"
    if age_days <= 30:
        return "1-30"
    if age_days <= 60:
        return "31-60"
    if age_days <= 90:
        return "61-90"
    return "90+"


def allocate_oldest_first(amount: Decimal, dues: list[Decimal]) -> tuple[list[Decimal], Decimal]:
    """Spread a payment over invoices in the given (oldest due first) order; returns the parts and the rest."""
    parts = []
    left = amount
    for due in dues:
        part = min(left, max(due, ZERO))
        parts.append(part)
        left -= part
    return parts, left


def minutes_text(minutes: int) -> str:
    """ "3 h 45 min", "2 h", "45 min"."""
    hours, rest = divmod(abs(minutes), 60)
    sign = "-" if minutes < 0 else ""
    if hours and rest:
        return f"{sign}{hours} h {rest} min"
    return f"{sign}{hours} h" if hours else f"{sign}{rest} min"


def invoice_number(year: int, n: int, prefix: str = "") -> str:
    """2026-0001, CN-2026-0001; past 9999 the number simply grows (2026-10000)."""
    return f"{prefix}{year}-{n:04d}"
