"""What the owner dashboard shows: headline tiles with their comparisons, the per-organizer table, the trend
series and the drill-down measures behind every number (docs/specs/kpis.md §4). Built from kpis.Figures."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from accounts.models import User
from billing import rollups as billing_rollups
from operations import kpi_math as km
from operations.formats import fmt_money
from operations.selectors import kpi as ops_kpi
from organizer_pm.dashboard.kpis import Figures, Window, figures

Value = Decimal | int | None


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    unit: str  # "pct", "money", "hours", "count", "nps", "turns"
    of: Callable[[km.Components, km.Survey, Figures], Value]
    drills: tuple[str, ...] = ()  # measures whose lists explain the number
    note: str = ""


def _hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(Decimal("0.1"))


KPIS = [
    Kpi("utilization", "Utilization", "pct", lambda c, s, f: km.utilization(c), ("billable_min",),
        "billable ÷ available hours"),
    Kpi("utilization_productive", "Utilization incl. redo time", "pct",
        lambda c, s, f: km.utilization(c, productive=True), ("billable_min", "redo_min"), "“productive” variant"),
    Kpi("billable_hours", "Billable hours", "hours", lambda c, s, f: _hours(c.billable_min), ("billable_min",)),
    Kpi("available_hours", "Available hours", "hours", lambda c, s, f: _hours(c.available_min), (),
        "working hours less approved time off"),
    Kpi("throughput", "Jobs completed", "count", lambda c, s, f: km.throughput(c), ("completed",),
        "redos and project sessions excluded"),
    Kpi("visits_completed", "Visits completed", "count", lambda c, s, f: c.completed_visits, ("completed_visits",)),
    Kpi("redo_rate", "Redo rate", "pct", lambda c, s, f: km.redo_rate(c), ("redo", "completed")),
    Kpi("cancellation_rate", "Cancellation rate", "pct", lambda c, s, f: km.cancellation_rate(c),
        ("cancelled", "late_cancelled", "scheduled")),
    Kpi("late_cancel_rate", "Late-cancel rate", "pct", lambda c, s, f: km.late_cancel_rate(c),
        ("late_cancelled", "scheduled")),
    Kpi("no_show_rate", "No-show rate", "pct", lambda c, s, f: km.no_show_rate(c), ("no_show", "scheduled")),
    Kpi("revenue", "Earned revenue", "money", lambda c, s, f: c.revenue, ("revenue",),
        "by service date, before tax"),
    Kpi("revenue_per_hour", "Revenue per billable hour", "money", lambda c, s, f: km.revenue_per_billable_hour(c),
        ("revenue", "billable_min")),
    Kpi("job_size", "Average job size", "money", lambda c, s, f: km.average_job_size(c), ("revenue", "completed"),
        "$0 redos not counted as jobs"),
    Kpi("job_size_hcp", "Average job size, redos counted", "money",
        lambda c, s, f: km.average_job_size(c, count_redos=True), ("revenue", "completed", "redo"),
        "the Housecall Pro convention"),
    Kpi("supply_per_job", "Supply cost per job", "money", lambda c, s, f: km.supply_cost_per_job(c),
        ("supply_cost", "completed")),
    Kpi("turns", "Inventory turns (annualized)", "turns",
        lambda c, s, f: f.turns.annualized if f.turns else None, (), "business-wide"),
    Kpi("retention", "Client retention", "pct", lambda c, s, f: f.retention, (), "business-wide, active clients"),
    Kpi("csat", "CSAT", "pct", lambda c, s, f: km.csat(s), ("answers",), "4–5 of 5 at project close-out"),
    Kpi("nps", "NPS", "nps", lambda c, s, f: km.nps(s), ("answers",), "promoters − detractors"),
]  # fmt: skip
KPI_BY_KEY = {k.key: k for k in KPIS}
TABLE_KPIS = [
    "available_hours", "billable_hours", "utilization", "throughput", "redo_rate", "cancellation_rate",
    "no_show_rate", "revenue", "revenue_per_hour", "job_size", "supply_per_job", "csat", "nps",
]  # fmt: skip

MEASURES = {**ops_kpi.VISIT_MEASURES, "revenue": "Earned revenue", "answers": "Close-out answers"}


@dataclass
class Tile:
    kpi: Kpi
    value: Value
    previous: Value
    last_year: Value
    change_previous: Decimal | None
    change_last_year: Decimal | None


def _values(f: Figures, organizer_id: int | None, kpi: Kpi) -> Value:
    c = f.ops.get(organizer_id, km.Components())
    s = f.survey.get(organizer_id, km.Survey())
    return kpi.of(c, s, f)


def tiles(window: Window, organizer_id: int | None, today: date | None = None) -> tuple[list[Tile], Figures]:
    now, before, year = figures(window, today), figures(window.previous(), today), figures(window.last_year(), today)
    result = []
    for kpi in KPIS:
        if organizer_id is not None and kpi.key in ("turns", "retention"):
            continue
        value, prev, ly = (_values(f, organizer_id, kpi) for f in (now, before, year))
        result.append(Tile(kpi, value, prev, ly, km.change(value, prev), km.change(value, ly)))
    return result, now


@dataclass
class OrganizerRow:
    organizer: User
    values: dict[str, Value]


def organizer_rows(f: Figures, *, sort: str = "", descending: bool = False) -> list[OrganizerRow]:
    ids = [key for key in set(f.ops) | set(f.survey) if key is not None]
    people = User.objects.filter(pk__in=ids).order_by("first_name", "last_name", "pk")
    rows = [OrganizerRow(u, {k: _values(f, u.pk, KPI_BY_KEY[k]) for k in TABLE_KPIS}) for u in people]
    if sort in TABLE_KPIS:
        present = [r for r in rows if r.values[sort] is not None]
        missing = [r for r in rows if r.values[sort] is None]  # "no data" always last
        present.sort(key=lambda r: Decimal(r.values[sort] or 0), reverse=descending)
        rows = present + missing
    elif sort == "name" and descending:
        rows.reverse()
    return rows


def trend(window: Window, organizer_id: int | None) -> dict[str, Any]:
    """Weekly points over the 12 months up to the window's end, or monthly points over a longer window."""
    monthly = window.days > 366
    start = window.start if monthly else window.end - timedelta(days=364)
    ops = ops_kpi.ops_series(start=start, end=window.end, monthly=monthly, organizer_id=organizer_id)
    revenue = billing_rollups.revenue_series(start=start, end=window.end, monthly=monthly, organizer_id=organizer_id)
    labels, util, jobs, cancel, money = [], [], [], [], []
    for period, values in ops:
        counts: dict[str, Any] = {k: int(values.get(k) or 0) for k in ("available_min", "billable_min", "scheduled",
                                                             "completed", "cancelled", "late_cancelled")}  # fmt: skip
        c = km.Components(**counts)
        labels.append(period.isoformat())
        util.append(_float(km.utilization(c)))
        jobs.append(c.completed)
        cancel.append(_float(km.cancellation_rate(c)))
        money.append(_float(revenue.get(period)))
    return {
        "monthly": monthly, "labels": labels, "utilization": util, "jobs": jobs, "cancellation": cancel,
        "revenue": money,
    }  # fmt: skip


def _float(value: Value) -> float | None:
    return None if value is None else float(value)


def display(value: Value, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "pct":
        return f"{value} %"
    if unit == "money":
        return fmt_money(value)
    if unit == "nps":
        return f"{int(value):+d}"
    return f"{value}"


def signed(change: Decimal | None) -> str:
    """A change in % with its sign (+3.5 %), or a dash when there is nothing to compare with."""
    return "—" if change is None else f"{change:+} %"
