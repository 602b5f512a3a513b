"""Billing's panel on the office home page (docs/specs/kpis.md §4), for billers only: how many clients have work
ready to invoice and how many issued invoices are past due. Counts, never revenue."""

from __future__ import annotations

from datetime import date
from typing import Any

from billing import selectors
from billing.models import Invoice


def biller_counts(*, today: date) -> dict[str, Any]:
    ready = selectors.ready_to_invoice()
    overdue = Invoice.objects.filter(
        status__in=[Invoice.Status.ISSUED, Invoice.Status.PARTIALLY_PAID], due_date__lt=today
    ).count()
    return {"ready_clients": len(ready), "ready_charges": sum(row.count for row in ready), "overdue_invoices": overdue}
