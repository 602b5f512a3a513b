"""Invoice lines built from charges and the document totals (sums of rounded lines, so columns add up)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from billing import conf
from billing import money as bm
from billing.models import Charge, Invoice, InvoiceLine
from operations.formats import fmt_money

ZERO = Decimal("0.00")


def tax_rate_for(taxable: bool) -> Decimal:
    return Decimal(conf.get("BILLING_TAX_RATE")) if taxable else Decimal("0")


def charge_text(charge: Charge) -> str:
    """The invoice wording of a charge, e.g. "3 h 45 min: 2 h 30 min from package, 1 h 15 min at $90.00"."""
    if charge.package_id and charge.minutes_billed:
        hourly = (
            f", {bm.minutes_text(charge.hourly_minutes)} at {fmt_money(charge.rate)}" if charge.hourly_minutes else ""
        )
        return (
            f"{charge.description} — {bm.minutes_text(charge.minutes_billed)}: "
            f"{bm.minutes_text(charge.package_minutes)} from package{hourly}"
        )
    return charge.description


def line_values(charge: Charge) -> dict[str, object]:
    hours = charge.kind in ("visit_time", "shopping_time", "redo") and charge.hourly_minutes > 0
    quantity = (Decimal(charge.hourly_minutes) / 60).quantize(Decimal("0.01")) if hours else Decimal("1")
    rate = tax_rate_for(charge.taxable)
    return {
        "description": charge_text(charge)[:300], "service_date": charge.service_date, "quantity": quantity,
        "unit": "h" if hours else "ea", "unit_price": charge.rate if hours else charge.amount,
        "amount": charge.amount, "taxable": charge.taxable, "tax_rate": rate,
        "tax_amount": bm.tax_of(charge.amount, rate) if charge.taxable else ZERO,
    }  # fmt: skip


def invoice_totals_refresh(invoice: Invoice) -> Invoice:
    """Recompute a draft's totals from its live lines."""
    sums = InvoiceLine.objects.filter(invoice=invoice, active=True).aggregate(a=Sum("amount"), t=Sum("tax_amount"))
    invoice.subtotal = sums["a"] or ZERO
    invoice.tax_total = sums["t"] or ZERO
    invoice.total = invoice.subtotal + invoice.tax_total
    invoice.amount_due = invoice.total
    invoice.save(update_fields=["subtotal", "tax_total", "total", "amount_due"])
    return invoice


def draft_line_refresh(charge: Charge) -> None:
    """A charge on a draft changed: its line follows, and so do the draft's totals."""
    line = InvoiceLine.objects.filter(charge=charge, active=True, locked=False).select_related("invoice").first()
    if line is None:
        return
    for field, value in line_values(charge).items():
        setattr(line, field, value)
    line.save()
    invoice_totals_refresh(line.invoice)
