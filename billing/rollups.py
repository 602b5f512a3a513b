"""Billing's part of the nightly KPI rollup (docs/specs/kpis.md §3): earned revenue per organizer and local day,
read through billing's own revenue selectors, and the redo links operations needs to tell jobs from redos."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum
from django.db.models.functions import TruncWeek

from billing import charges, selectors
from billing.models import Charge, CreditNoteLine, PackageEntry, RedoLink, RevenueDaily
from operations import rollups as ops_rollups


def prepare() -> None:
    """Bring charges up to date once before a run (billing's public sync; it is idempotent)."""
    charges.charges_sync()


def redo_visit_ids(*, day: date, last: date | None = None) -> set[int]:
    """Visits starting on the local days `day`..`last` (default: that one day) that redo an earlier visit."""
    start, _ = ops_rollups.day_bounds(day)
    _, end = ops_rollups.day_bounds(last or day)
    return set(
        RedoLink.objects.filter(visit__starts__gte=start, visit__starts__lt=end).values_list("visit_id", flat=True)
    )


def revenue_components(*, day: date) -> dict[int | None, Decimal]:
    """Earned revenue of `day` per organizer; None is the whole business (credit notes and unattributed fees)."""
    found: dict[int | None, Decimal] = {
        key: value for key, value in selectors.earned_by_organizer(day, day).items() if key is not None
    }
    found[None] = selectors.earned(day, day)
    return found


def revenue_rollup_day(*, day: date) -> int:
    found = {key: {"earned": value} for key, value in revenue_components(day=day).items()}
    return ops_rollups.store_day(RevenueDaily, day, found, ("earned",))


def revenue_totals(*, start: date, end: date) -> dict[int | None, Decimal]:
    """Σ earned revenue per organizer (None: the business) over the local days start..end, from the daily table."""
    rows = RevenueDaily.objects.filter(ops_rollups.period_q(start, end)).values("organizer_id")
    return {row["organizer_id"]: row["s"] for row in rows.annotate(s=Sum("earned"))}


def revenue_series(*, start: date, end: date, monthly: bool, organizer_id: int | None = None) -> dict[date, Decimal]:
    """Earned revenue per week (day rows) or per calendar month (month rows), keyed by the period's first day."""
    if monthly:
        months = RevenueDaily.objects.filter(
            organizer_id=organizer_id, is_month=True, local_date__gte=start.replace(day=1), local_date__lte=end
        )
        return dict(months.values_list("local_date", "earned"))
    rows = RevenueDaily.objects.filter(
        organizer_id=organizer_id, is_month=False, local_date__gte=start, local_date__lte=end
    )
    weekly = rows.annotate(period=TruncWeek("local_date")).values("period").annotate(s=Sum("earned"))
    return {row["period"]: row["s"] for row in weekly}


def charges_behind(*, start: date, end: date, organizer_id: int | None) -> tuple[list[dict[str, Any]], Decimal]:
    """The charges, package minutes used and credit notes that make up earned revenue of the window (the owner's
    drill-down); their total equals the rollup's figure."""
    rows: list[dict[str, Any]] = []
    span = Q(service_date__gte=start, service_date__lte=end)
    charges_q = Charge.objects.filter(span).exclude(kind="adjustment", amount__lt=0).select_related("client")
    entries = PackageEntry.objects.filter(
        entry_date__gte=start, entry_date__lte=end, kind__in=selectors.EARNING_ENTRIES
    ).select_related("package__client", "charge")
    if organizer_id is not None:
        charges_q = charges_q.filter(organizer_id=organizer_id)
        entries = entries.filter(charge__organizer_id=organizer_id)
    for charge in charges_q.order_by("service_date", "pk"):
        rows.append({"date": charge.service_date, "what": charge.description, "client": charge.client,
                     "amount": charge.amount})  # fmt: skip
    for entry in entries.order_by("entry_date", "pk"):
        rows.append({"date": entry.entry_date, "what": f"Package minutes ({entry.kind})",
                     "client": entry.package.client, "amount": entry.value})  # fmt: skip
    if organizer_id is None:
        notes = CreditNoteLine.objects.filter(
            credit_note__issue_date__gte=start, credit_note__issue_date__lte=end, credit_note__status="issued",
            invoice_line__kind__in=["charge", "manual"],
        ).select_related("credit_note__client")  # fmt: skip
        for line in notes.order_by("credit_note__issue_date", "pk"):
            rows.append({"date": line.credit_note.issue_date, "what": "Credit note",
                         "client": line.credit_note.client, "amount": -line.amount})  # fmt: skip
    rows.sort(key=lambda r: r["date"])
    return rows, sum((r["amount"] for r in rows), Decimal("0.00"))
