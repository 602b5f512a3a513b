"""Reads of the KPI daily tables operations owns, and the visits behind each number (drill-down).

Periods are sums of days (additive components); active clients and stock value are semi-additive and are read
for one day (docs/specs/kpis.md §3). A drill-down list applies the rollup's own rules to the raw visits, so the
list sums to the number it explains.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncWeek

from operations import rollups
from operations.formats import cents
from operations.models import Appointment, Location, OpsDaily, StockMove, StockValueDaily

CENT = Decimal("0.01")
SUMMED = (*rollups.COUNT_FIELDS, "supply_cost", "new_clients")


def ops_totals(*, start: date, end: date) -> dict[int | None, dict[str, Any]]:
    """Σ of every additive component per organizer (None: the business) over the local days start..end."""
    rows = (
        OpsDaily.objects.filter(rollups.period_q(start, end))
        .values("organizer_id")
        .annotate(**{name: Sum(name) for name in SUMMED})
    )
    return {row.pop("organizer_id"): row for row in rows}


def ops_series(
    *, start: date, end: date, monthly: bool, organizer_id: int | None = None
) -> list[tuple[date, dict[str, Any]]]:
    """One organizer's (or the business's) components per week (from day rows, Monday) or per calendar month (its
    month row, whole months even at the window's ends), oldest first."""
    if monthly:
        rows = OpsDaily.objects.filter(
            organizer_id=organizer_id, is_month=True, local_date__gte=start.replace(day=1), local_date__lte=end
        ).order_by("local_date")
        return [(row["local_date"], row) for row in rows.values("local_date", *SUMMED)]
    weekly = (
        OpsDaily.objects.filter(organizer_id=organizer_id, is_month=False, local_date__gte=start, local_date__lte=end)
        .annotate(period=TruncWeek("local_date"))
        .values("period")
        .annotate(**{name: Sum(name) for name in SUMMED})
        .order_by("period")
    )
    return [(row.pop("period"), row) for row in weekly]


def active_clients_on(*, day: date) -> int | None:
    """Active clients at the end of `day` (semi-additive: one day's value, never a sum)."""
    return (
        OpsDaily.objects.filter(organizer__isnull=True, is_month=False, local_date=day)
        .values_list("active_clients", flat=True)
        .first()
    )


def _value_at_end_of(day: date) -> Decimal:
    """Business stock value at the end of `day`: its stored rows, else (a day not rolled up, e.g. before the first
    rollup) the ledger's, which is append-only so any past day can be read from it."""
    stored = StockValueDaily.objects.filter(local_date=day).aggregate(s=Sum("value"), n=Count("pk"))
    if stored["n"]:
        return Decimal(stored["s"])
    # Most days not rolled up are before the ledger's first move (a comparison period years back): one indexed
    # probe answers those, instead of the six queries of a ledger read.
    if not StockMove.objects.filter(created_at__lt=rollups.day_bounds(day)[1]).exists():
        return Decimal(0)
    return sum((value for value, _ in rollups.stock_components(day=day).values()), Decimal(0))


def stock_summary(*, start: date, end: date, today: date) -> dict[str, Decimal | None]:
    """Business stock value at the end of the day before `start` and of `end`, and the cost consumed between.
    Closed days come from the stored rows; `today`, when it is `end` or within the window, is computed live
    from the ledger like every other figure of the open day (docs/specs/kpis.md §1, T46)."""
    closed_end = min(end, today - timedelta(days=1))
    consumed = StockValueDaily.objects.filter(local_date__gte=start, local_date__lte=closed_end).aggregate(
        s=Sum("consumed_cost")
    )["s"] or Decimal(0)
    if start <= today <= end:
        live = rollups.stock_components(day=today)
        value_end = sum((value for value, _ in live.values()), Decimal(0))
        consumed += sum((spent for _, spent in live.values()), Decimal(0))
    else:
        value_end = _value_at_end_of(end)
    return {"start": _value_at_end_of(start - timedelta(days=1)), "end": value_end, "consumed": consumed}


@dataclass(frozen=True)
class StockTable:
    """The dashboard's stock-value table: each location's value at the end of `as_of` (the window's last day
    with a value) and the labelled average of its days. `live`: `as_of` is today, read from the ledger."""

    rows: list[dict[str, Any]]
    as_of: date | None
    live: bool
    days: int  # the days averaged

    @property
    def total(self) -> Decimal:
        """The business's value on `as_of`: a sum over locations of one day, never over days."""
        return sum((row["last"] or Decimal(0) for row in self.rows), Decimal(0))


def stock_by_location(*, start: date, end: date, today: date) -> StockTable:
    """Per internal location: its value on the window's last day that has one (never summed over days) and the
    labelled average of its daily values. Closed days are the stored rows; today, when in the window, is computed
    live from the ledger, as the dashboard's other figures are (T46: the table read only stored days, so stock
    received today showed as $0.00 and the day shown was not named)."""
    closed_end = min(end, today - timedelta(days=1))
    stored = StockValueDaily.objects.filter(local_date__gte=start, local_date__lte=closed_end)
    live = rollups.stock_components(day=today) if start <= today <= end else {}
    last_day = stored.order_by("-local_date").values_list("local_date", flat=True).first()
    if live:
        last = {pk: value for pk, (value, _) in live.items()}
        as_of: date | None = today
    else:
        last = dict(stored.filter(local_date=last_day).values_list("location_id", "value")) if last_day else {}
        as_of = last_day
    sums: dict[int, tuple[Decimal, int]] = {
        row["location_id"]: (row["s"], row["n"])
        for row in stored.values("location_id").annotate(s=Sum("value"), n=Count("pk"))
    }
    if live:  # today's live value is one more day of the average
        for pk, value in last.items():
            total, count = sums.get(pk, (Decimal(0), 0))
            sums[pk] = (total + value, count + 1)
    rows = [
        {
            "location": location,
            "last": last.get(location.pk),
            "average": cents(Decimal(sums[location.pk][0]) / sums[location.pk][1]),
        }
        for location in Location.objects.filter(pk__in=sums).order_by("name")
    ]
    days = stored.values("local_date").distinct().count() + (1 if live else 0)
    return StockTable(rows=rows, as_of=as_of, live=bool(live), days=days)


# --- drill-down ---------------------------------------------------------------------------------------------

VISIT_MEASURES = {
    "completed": "Completed jobs",
    "completed_visits": "Completed visits",
    "billable_min": "Billable time",
    "redo_min": "Redo time",
    "scheduled": "Scheduled jobs",
    "cancelled": "Cancelled",
    "late_cancelled": "Cancelled late",
    "no_show": "No-shows",
    "redo": "Redo visits",
    "supply_cost": "Supply cost",
}


def visits_behind(
    *, measure: str, start: date, end: date, organizer_id: int | None, redo_visit_ids: set[int]
) -> tuple[list[dict[str, Any]], Any]:
    """The visits counted in `measure` over local days start..end (one organizer, or the business) with each one's
    contribution, and their total, which equals the rollup's figure for the same window."""
    since, _ = rollups.day_bounds(start)
    _, until = rollups.day_bounds(end)
    visits: QuerySet[Appointment] = Appointment.objects.filter(starts__gte=since, starts__lt=until)
    if organizer_id is not None:
        visits = visits.filter(organizers=organizer_id)
    jobs = set(rollups.is_job(visits).values_list("pk", flat=True)) - redo_visit_ids
    done = Q(status__in=rollups.DONE)
    picks: dict[str, Q] = {
        "completed": done & Q(pk__in=jobs),
        "completed_visits": done,
        "billable_min": done & ~Q(pk__in=redo_visit_ids),
        "redo_min": done & Q(pk__in=redo_visit_ids),
        "redo": done & Q(pk__in=redo_visit_ids),
        "scheduled": Q(pk__in=jobs),
        "cancelled": Q(pk__in=jobs, status=Appointment.Status.CANCELLED),
        "late_cancelled": Q(pk__in=jobs, status=Appointment.Status.LATE_CANCELLED),
        "no_show": Q(pk__in=jobs, status=Appointment.Status.NO_SHOW),
        "supply_cost": done & Q(pk__in=jobs),
    }
    chosen = visits.filter(picks[measure]).select_related("client").prefetch_related("organizers")
    people_count = {} if organizer_id is not None else _people_counts(chosen)
    costs = rollups.supply_cost_of([v.pk for v in chosen]) if measure == "supply_cost" else {}
    rows, total = [], Decimal(0) if measure == "supply_cost" else 0
    for visit in chosen.order_by("starts", "pk"):
        if measure in ("billable_min", "redo_min"):
            amount: Any = rollups.worked_minutes(visit) * people_count.get(visit.pk, 1)
        elif measure == "supply_cost":
            amount = cents(costs.get(visit.pk, Decimal(0)))
        else:
            amount = 1
        rows.append({"visit": visit, "amount": amount})
        total += amount
    return rows, total


def _people_counts(visits: QuerySet[Appointment]) -> dict[int, int]:
    counts: dict[int, int] = defaultdict(int)
    for visit_id in Appointment.organizers.through.objects.filter(appointment__in=visits).values_list(
        "appointment_id", flat=True
    ):
        counts[visit_id] += 1
    return counts
