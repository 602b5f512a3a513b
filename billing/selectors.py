"""Reads: who may bill, what is ready to invoice, a client's billing, AR aging and the three revenues.

Reads never write (GET never writes): they show the stored charges, and work finished since a client's last charges
sync as *pending* (`billing.watermarks`), which "Update charges", any invoicing action or beat turns into charges.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404

from accounts import access
from billing import charges, packages, payments, watermarks

# AR aging lives in billing.aging; its reads stay reachable from here with the others.
from billing.aging import (  # noqa: F401
    Aging,
    AgingRow,
    AgingSummary,
    ClientAging,
    ar_aging,
    ar_aging_by_client,
    ar_at,
    open_at,
)
from billing.models import (
    Biller,
    Charge,
    ClientCreditEntry,
    ClientRate,
    CreditNote,
    CreditNoteLine,
    Invoice,
    InvoiceBatch,
    InvoiceEmail,
    InvoiceLine,
    Package,
    PackageEntry,
    PackageProduct,
    Payment,
    TypePricing,
)
from clients.models import Client
from operations.models import Appointment

ZERO = Decimal("0.00")
EARNING_ENTRIES = ("drawdown", "cancel_fee", "adjustment", "expiry")


def may_bill(user: Any) -> bool:
    """The owner always; an office user the owner marked as a biller; organizers never."""
    if access.is_owner(user):
        return True
    if access.has_role(user, access.OFFICE):
        return Biller.objects.filter(user_id=user.pk).exists()
    return False


def invoice_get(*, pk: int) -> Invoice:
    found = Invoice.objects.select_related("client").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def invoice_groups(invoice: Invoice) -> list[tuple[str, list[InvoiceLine]]]:
    """Lines grouped by visit, one group per visit (a team visit shows its organizers together, a fee or an
    adjustment sits with its visit), labelled with the visit's local day and start in its site's zone; the lines
    of no visit come last, under "Other" when there are visit groups above them (T32, docs/specs/defects.md)."""
    by_visit: dict[int, tuple[str, list[InvoiceLine]]] = {}
    others: list[InvoiceLine] = []
    lines = invoice.lines.filter(active=True) if invoice.status != "void" else invoice.lines.all()
    for line in lines.select_related("charge__visit__site").order_by("service_date", "pk"):
        visit = line.charge.visit if line.charge else None
        if visit is None:
            others.append(line)
            continue
        if visit.pk not in by_visit:
            by_visit[visit.pk] = (_visit_label(visit), [])
        by_visit[visit.pk][1].append(line)
    groups = list(by_visit.values())
    if others:
        groups.append(("Other" if groups else "", others))
    return groups


def _visit_label(visit: Appointment) -> str:
    local = visit.starts.astimezone(ZoneInfo(visit.site.time_zone))
    return f"Visit {local:%a %b} {local.day}, {local.year}, {local:%H:%M} {local.tzname()}"


def client_get(*, pk: int) -> Client:
    found = Client.all_objects.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def unbilled(client: Client) -> QuerySet[Charge]:
    return Charge.objects.filter(charges.unbilled_charges(client)).select_related("organizer").order_by("service_date")


@dataclass
class ReadyRow:
    client: Client
    count: int
    amount: Decimal
    pending: int = 0  # finished sources not charged yet (priced when the invoice is created)


def ready_to_invoice() -> list[ReadyRow]:
    """Every client with unbilled charges or with finished work not charged yet: the stored count and amount (one
    grouped query) and the pending work (one query per kind of source), whatever the number of clients."""
    grouped = (
        Charge.objects.filter(charges.unbilled_charges()).values("client_id").annotate(n=Count("pk"), a=Sum("amount"))
    )
    totals = {row["client_id"]: (row["n"], row["a"]) for row in grouped}
    pending = watermarks.pending_counts()
    found = Client.all_objects.filter(pk__in=set(totals) | set(pending)).order_by("name", "pk")
    return [
        ReadyRow(c, totals.get(c.pk, (0, ZERO))[0], totals.get(c.pk, (0, ZERO))[1] or ZERO, pending.get(c.pk, 0))
        for c in found
    ]


def package_balances(client: Client) -> list[tuple[Package, int]]:
    found = Package.objects.filter(client=client).exclude(status="cancelled").order_by("-pk")
    return [(p, packages.balance_of(p)) for p in found]


def client_billing(client: Client) -> dict[str, Any]:
    return {
        "pending": watermarks.pending_count(client),
        "unbilled": list(unbilled(client)),
        "invoices": list(Invoice.objects.filter(client=client).order_by("-pk")[:50]),
        "payments": list(Payment.objects.filter(client=client)[:50]),
        "credit": payments.credit_balance(client),
        "packages": package_balances(client),
        "entries": list(PackageEntry.objects.filter(package__client=client).order_by("-pk")[:50]),
    }


def billed_drift() -> int:
    """Charges whose `billed` flag disagrees with their lines (an active line holds it or not). Always 0: a
    trigger on the lines keeps the flag (docs/specs/billing.md P22); the tests and a check read this."""
    held = InvoiceLine.objects.filter(charge=OuterRef("pk"), active=True)
    return Charge.objects.exclude(billed=Exists(held)).count()


def client_statement(client: Client, *, limit: int = 50) -> dict[str, Any]:
    """A client's issued invoices (open, part-paid and paid; never drafts or voided ones) and payments, newest
    first: two reads, nothing synced or written (GET pages read only)."""
    shown = [Invoice.Status.ISSUED, Invoice.Status.PARTIALLY_PAID, Invoice.Status.PAID]
    return {
        "invoices": list(
            Invoice.objects.filter(client=client, status__in=shown).order_by("-issue_date", "-pk")[:limit]
        ),
        "payments": list(Payment.objects.filter(client=client).order_by("-received_on", "-pk")[:limit]),
    }


# --- the three revenues ---------------------------------------------------------------------------------


def _between(field_name: str, start: date, end: date) -> Q:
    return Q(**{f"{field_name}__gte": start, f"{field_name}__lte": end})


def earned(start: date, end: date) -> Decimal:
    """Value of service delivered, by service date: hourly amounts, fees, purchases, milestones, package minutes
    used (cumulative value) and breakage, less credit notes on service lines. Ex tax; package sales and deposits
    are not earned."""
    hourly = Charge.objects.filter(_between("service_date", start, end)).exclude(kind="adjustment", amount__lt=0)
    from_charges = hourly.aggregate(s=Sum("amount"))["s"] or ZERO
    used = PackageEntry.objects.filter(_between("entry_date", start, end), kind__in=EARNING_ENTRIES)
    from_packages = used.aggregate(s=Sum("value"))["s"] or ZERO
    credited = CreditNoteLine.objects.filter(
        _between("credit_note__issue_date", start, end), credit_note__status="issued",
        invoice_line__kind__in=["charge", "manual"],
    ).aggregate(s=Sum("amount"))["s"] or ZERO  # fmt: skip
    return from_charges + from_packages - credited


def earned_by_organizer(start: date, end: date) -> dict[int | None, Decimal]:
    """Earned revenue per organizer (team visits are already one charge per organizer): hourly amounts plus the
    value of the package minutes their work drew. Fees, purchases and milestones without an organizer are
    under None. Credit notes are not split per organizer."""
    result: dict[int | None, Decimal] = defaultdict(lambda: ZERO)
    hourly = Charge.objects.filter(_between("service_date", start, end)).exclude(kind="adjustment", amount__lt=0)
    for row in hourly.values("organizer_id").annotate(s=Sum("amount")):
        result[row["organizer_id"]] += row["s"] or ZERO
    used = PackageEntry.objects.filter(_between("entry_date", start, end), kind__in=EARNING_ENTRIES)
    for row in used.values("charge__organizer_id").annotate(s=Sum("value")):
        result[row["charge__organizer_id"]] += row["s"] or ZERO
    return dict(result)


def earned_by_organizer_day(start: date, end: date) -> dict[tuple[date, int | None], Decimal]:
    """Earned revenue per (local service date, organizer), for the KPI rollups: the same parts as
    `earned_by_organizer` (hourly amounts by service date, package minutes by entry date, breakage and fees under
    None), two grouped queries whatever the period. A stable API: KPIs read billing through it."""
    result: dict[tuple[date, int | None], Decimal] = defaultdict(lambda: ZERO)
    hourly = Charge.objects.filter(_between("service_date", start, end)).exclude(kind="adjustment", amount__lt=0)
    for row in hourly.values("service_date", "organizer_id").annotate(s=Sum("amount")).order_by():
        result[(row["service_date"], row["organizer_id"])] += row["s"] or ZERO
    used = PackageEntry.objects.filter(_between("entry_date", start, end), kind__in=EARNING_ENTRIES)
    for row in used.values("entry_date", "charge__organizer_id").annotate(s=Sum("value")).order_by():
        result[(row["entry_date"], row["charge__organizer_id"])] += row["s"] or ZERO
    return dict(result)


def invoiced(start: date, end: date) -> Decimal:
    """Issued invoice subtotals by issue date, less credit notes (ex tax); void invoices excluded."""
    issued = Invoice.objects.filter(_between("issue_date", start, end)).exclude(status__in=["draft", "void"])
    notes = CreditNote.objects.filter(_between("issue_date", start, end), status="issued")
    return (issued.aggregate(s=Sum("subtotal"))["s"] or ZERO) - (notes.aggregate(s=Sum("subtotal"))["s"] or ZERO)


def tax_invoiced(start: date, end: date) -> Decimal:
    issued = Invoice.objects.filter(_between("issue_date", start, end)).exclude(status__in=["draft", "void"])
    notes = CreditNote.objects.filter(_between("issue_date", start, end), status="issued")
    return (issued.aggregate(s=Sum("tax_total"))["s"] or ZERO) - (notes.aggregate(s=Sum("tax_total"))["s"] or ZERO)


def collected(start: date, end: date) -> Decimal:
    """Money received by date, less refunds recorded (applying existing credit is not new cash)."""
    received = Payment.objects.filter(_between("received_on", start, end)).aggregate(s=Sum("amount"))["s"] or ZERO
    refunds = ClientCreditEntry.objects.filter(_between("effective_date", start, end), kind="refund")
    return received + (refunds.aggregate(s=Sum("amount"))["s"] or ZERO)


def deferred_at(on: date) -> Decimal:
    """Package money invoiced and not yet used, expired or refunded, plus deposits invoiced and not yet deducted."""
    sold = InvoiceLine.objects.filter(
        kind__in=InvoiceLine.DEFERRED_KINDS, active=True,
        invoice__issue_date__lte=on,
    ).exclude(invoice__status__in=["draft", "void"])  # fmt: skip
    consumed = PackageEntry.objects.filter(entry_date__lte=on).exclude(kind__in=["purchase", "cancel_free"])
    return (sold.aggregate(s=Sum("amount"))["s"] or ZERO) - (consumed.aggregate(s=Sum("value"))["s"] or ZERO)


def unbilled_at(on: date) -> Decimal:
    """Charges done by `on` and not on an invoice issued by then (money adjustments below zero are credit notes)."""
    done = Charge.objects.filter(service_date__lte=on).exclude(kind="adjustment", amount__lt=0)
    billed = InvoiceLine.objects.filter(charge__in=done, active=True, invoice__issue_date__lte=on).exclude(
        invoice__status__in=["draft", "void"]
    )
    total = done.aggregate(s=Sum("amount"))["s"] or ZERO
    return total - (billed.aggregate(s=Sum("amount"))["s"] or ZERO)


def credit_at(on: date) -> Decimal:
    return ClientCreditEntry.objects.filter(effective_date__lte=on).aggregate(s=Sum("amount"))["s"] or ZERO


def _by_month(qs: QuerySet[Any], day_field: str, amount: str, start: date, end: date) -> dict[date, Decimal]:
    rows = qs.filter(_between(day_field, start, end)).annotate(m=TruncMonth(day_field)).values("m")
    return {row["m"]: row["s"] or ZERO for row in rows.annotate(s=Sum(amount)).order_by()}


def monthly_finance(year: int) -> list[dict[str, Any]]:
    """Invoiced and collected per month of a year (for the finance page and its CSV): four grouped queries, the
    same figures as `invoiced` and `collected` month by month."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    issued = _by_month(Invoice.objects.exclude(status__in=["draft", "void"]), "issue_date", "subtotal", start, end)
    notes = _by_month(CreditNote.objects.filter(status="issued"), "issue_date", "subtotal", start, end)
    received = _by_month(Payment.objects.all(), "received_on", "amount", start, end)
    refunds = _by_month(ClientCreditEntry.objects.filter(kind="refund"), "effective_date", "amount", start, end)
    rows = []
    for month in range(1, 13):
        first = date(year, month, 1)
        rows.append({
            "month": first, "invoiced": issued.get(first, ZERO) - notes.get(first, ZERO),
            "collected": received.get(first, ZERO) + refunds.get(first, ZERO),
        })  # fmt: skip
    return rows


# --- reads for the billing pages (views never query models themselves) ------------------------------------


def invoice_list(*, status: str = "") -> QuerySet[Invoice]:
    found = Invoice.objects.select_related("client").order_by("-pk")
    return found.filter(status=status) if status in Invoice.Status.values else found


def invoice_emails(invoice: Invoice) -> QuerySet[InvoiceEmail]:
    return InvoiceEmail.objects.filter(invoice=invoice)[:10]


def credit_note_get(*, pk: int) -> CreditNote:
    found = CreditNote.objects.select_related("invoice").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def package_invoice(package: Package) -> Invoice:
    """The invoice that sold the package (its one package line)."""
    return InvoiceLine.objects.select_related("invoice").get(package=package, kind="package").invoice


def batch_get(*, pk: int) -> InvoiceBatch:
    found = InvoiceBatch.objects.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def batch_by_key(key: str) -> InvoiceBatch | None:
    return InvoiceBatch.objects.filter(key=key[:64]).first()


def biller_ids() -> list[int]:
    return list(Biller.objects.values_list("user_id", flat=True))


def setup_lists() -> dict[str, Any]:
    return {
        "products": PackageProduct.objects.all(),
        "rates": ClientRate.objects.select_related("client", "appointment_type", "organizer").order_by("client__name"),
        "pricings": TypePricing.objects.select_related("appointment_type"),
    }


def clients_in(ids: list[int]) -> QuerySet[Client]:
    return Client.all_objects.filter(pk__in=ids).order_by("pk")


def package_get(*, pk: int) -> Package:
    found = Package.objects.select_related("client").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def client_invoices(*, client_id: int, limit: int = 10) -> list[Invoice]:
    """The client's latest invoices and credit notes, newest first (read only: no charge sync here). Callers
    show them only to users who may bill (`may_bill`)."""
    return list(
        Invoice.objects.filter(client_id=client_id).exclude(status="draft").order_by("-issued_at", "-pk")[:limit]
    )
