"""AR aging as of a date (docs/specs/billing.md §2.9, P13): per invoice, and summed per client for the finance page.

Only invoices that can have been open at `on` are read: owing today (`amount_due` is what is left after every
allocation and credit note), or paid or credited by something dated after `on`. Five years of paid invoices are
then never read one by one (docs/PERFORMANCE.md, Billing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from billing import money as bm
from billing.models import Allocation, ClientCreditEntry, CreditNote, Invoice
from clients.models import Client

ZERO = Decimal("0.00")
ZERO_VALUE = Value(ZERO, output_field=DecimalField(max_digits=12, decimal_places=2))


@dataclass
class AgingRow:
    invoice: Invoice
    open: Decimal
    age: int
    bucket: str


@dataclass
class Aging:
    rows: list[AgingRow] = field(default_factory=list)
    buckets: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(bm.BUCKETS, ZERO))
    credit: Decimal = ZERO

    @property
    def gross(self) -> Decimal:
        return sum(self.buckets.values(), ZERO)

    @property
    def net(self) -> Decimal:
        return self.gross - self.credit


@dataclass
class ClientAging:
    """One client's open invoices at a date, by bucket, in `bm.BUCKETS` order."""

    client_id: int
    name: str
    amounts: list[Decimal]
    invoices: int = 0
    oldest_age: int = 0

    @property
    def open(self) -> Decimal:
        return sum(self.amounts, ZERO)


@dataclass
class AgingSummary(Aging):
    """Aging totals plus one row per client owing, most overdue first (the finance page)."""

    clients: list[ClientAging] = field(default_factory=list)


def open_at(invoice: Invoice, on: date) -> Decimal:
    """What was owed on an invoice at the end of `on`: later payments and credit notes do not count."""
    allocated = Allocation.objects.filter(invoice=invoice, applied_on__lte=on).aggregate(s=Sum("amount"))["s"]
    credited = CreditNote.objects.filter(invoice=invoice, status="issued", issue_date__lte=on).aggregate(
        s=Sum("pre_payment")
    )["s"]
    return invoice.total - (allocated or ZERO) - (credited or ZERO)


def _credit(on: date, client: Client | None) -> Decimal:
    credits = ClientCreditEntry.objects.filter(effective_date__lte=on)
    if client is not None:
        credits = credits.filter(client=client)
    return credits.aggregate(s=Sum("amount"))["s"] or ZERO


def _open_invoices(on: date, client: Client | None) -> QuerySet[Any]:  # Invoice rows with two annotations
    """Invoices open at the end of `on`, annotated with what was allocated and credited by then."""
    invoices = Invoice.objects.filter(issue_date__lte=on).exclude(status__in=["draft", "void"])
    if client is not None:
        invoices = invoices.filter(client=client)
    # Three small index reads, so the main query looks at a handful of rows (a single OR over the whole table
    # is planned as a scan of every invoice with two subqueries each).
    candidates = set(invoices.filter(amount_due__gt=0).values_list("pk", flat=True))
    candidates |= set(Allocation.objects.filter(applied_on__gt=on).values_list("invoice_id", flat=True))
    notes = CreditNote.objects.filter(status="issued", issue_date__gt=on).values_list("invoice_id", flat=True)
    invoices = invoices.filter(pk__in=candidates | set(notes))
    # open_at in SQL for the candidates at once: allocated and credited sums by subquery.
    allocated = Allocation.objects.filter(invoice=OuterRef("pk"), applied_on__lte=on).values("invoice")
    credited = CreditNote.objects.filter(invoice=OuterRef("pk"), status="issued", issue_date__lte=on).values("invoice")
    return invoices.annotate(
        allocated=Coalesce(Subquery(allocated.annotate(s=Sum("amount")).values("s")), ZERO_VALUE),
        credited=Coalesce(Subquery(credited.annotate(s=Sum("pre_payment")).values("s")), ZERO_VALUE),
    ).filter(total__gt=F("allocated") + F("credited"))


def _age(on: date, due: date | None) -> int:
    return (on - due).days if due else 0


def ar_aging(*, on: date, client: Client | None = None) -> Aging:
    """Every invoice open at `on`, oldest due first, with the bucket totals and unapplied credit."""
    aging = Aging(credit=_credit(on, client))
    for invoice in _open_invoices(on, client).select_related("client").order_by("due_date", "pk"):
        left = invoice.total - invoice.allocated - invoice.credited
        age = _age(on, invoice.due_date)
        bucket = bm.aging_bucket(age)
        aging.rows.append(AgingRow(invoice, left, age, bucket))
        aging.buckets[bucket] += left
    return aging


def ar_aging_by_client(*, on: date) -> AgingSummary:
    """The same totals as `ar_aging`, summed per client from plain values (thousands of open invoices on a
    large book: no model instances), clients with the oldest overdue invoice first, then the largest balance."""
    summary = AgingSummary(credit=_credit(on, None))
    index = {bucket: i for i, bucket in enumerate(bm.BUCKETS)}
    by_client: dict[int, ClientAging] = {}
    rows = _open_invoices(on, None).values_list(
        "client_id", "client__name", "due_date", "total", "allocated", "credited"
    )
    for client_id, name, due, total, allocated, credited in rows.order_by():
        left, age = total - allocated - credited, _age(on, due)
        bucket = bm.aging_bucket(age)
        summary.buckets[bucket] += left
        row = by_client.get(client_id)
        if row is None:
            row = by_client[client_id] = ClientAging(client_id, name, [ZERO] * len(bm.BUCKETS), 0, age)
        row.amounts[index[bucket]] += left
        row.invoices += 1
        row.oldest_age = max(row.oldest_age, age)
    summary.clients = sorted(by_client.values(), key=lambda r: (-r.oldest_age, -r.open, r.name, r.client_id))
    return summary


def ar_at(on: date) -> Decimal:
    return ar_aging_by_client(on=on).gross
