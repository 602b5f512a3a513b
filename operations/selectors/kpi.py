"""Reads of the KPI daily tables operations owns, and the visits behind each number (drill-down).

Periods are sums of days (additive components); active clients and stock value are semi-additive and are read
for one day (docs/specs/kpis.md §3). A drill-down list applies the rollup's own rules to the raw visits, so the
list sums to the number it explains.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Q, QuerySet, Sum
from django.db.models.functions import TruncWeek

from operations import rollups
from operations.formats import cents
from operations.models import Appointment, Location, OpsDaily, StockValueDaily

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


def stock_summary(*, start: date, end: date) -> dict[str, Decimal | None]:
    """Business stock value the day before `start` and on `end` (last stored days) and the cost consumed between."""

    def value_on(day: date) -> Decimal | None:
        last = StockValueDaily.objects.filter(local_date__lte=day).order_by("-local_date").values("local_date")[:1]
        total = StockValueDaily.objects.filter(local_date=last).aggregate(s=Sum("value"))["s"]
        return total

    consumed = StockValueDaily.objects.filter(local_date__gte=start, local_date__lte=end).aggregate(
        s=Sum("consumed_cost")
    )["s"]
    return {"start": value_on(start - timedelta(days=1)), "end": value_on(end), "consumed": consumed or Decimal(0)}


def stock_by_location(*, start: date, end: date) -> list[dict[str, Any]]:
    """Per internal location: its value on the last stored day of the window (never summed over days) and the
    labelled average of its daily values. Three queries whatever the window."""
    days = StockValueDaily.objects.filter(local_date__gte=start, local_date__lte=end)
    last_day = days.order_by("-local_date").values_list("local_date", flat=True).first()
    if last_day is None:
        return []
    last = dict(days.filter(local_date=last_day).values_list("location_id", "value"))
    average = dict(days.values("location_id").annotate(a=Avg("value")).values_list("location_id", "a"))
    return [
        {"location": location, "last": last.get(location.pk), "average": cents(Decimal(average[location.pk]))}
        for location in Location.objects.filter(pk__in=average).order_by("name")
    ]


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
