"""The owner dashboard's figures (docs/specs/kpis.md §4): the window from the query string, the summed components
of the window read from each app's daily tables (closed days) plus today's computed live, and the KPIs made from
them by operations.kpi_math. Reads only; composes other apps' read functions."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from billing import rollups as billing_rollups
from operations import kpi_math as km
from operations import localtime
from operations import rollups as ops_rollups
from operations.selectors import kpi as ops_kpi
from projects import rollups as projects_rollups

MAX_YEARS = 10
PRESETS = {
    "this_week": "This week",
    "last_week": "Last week",
    "this_month": "This month",
    "last_month": "Last month",
    "this_quarter": "This quarter",
    "last_quarter": "Last quarter",
    "ytd": "Year to date",
}
DEFAULT_PRESET = "this_month"
COMPONENT_FIELDS = list(km.Components.__dataclass_fields__)


def today_local() -> date:
    return timezone.now().astimezone(localtime.ZoneInfo(settings.BUSINESS_TIME_ZONE)).date()


@dataclass(frozen=True)
class Window:
    start: date
    end: date
    key: str
    label: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def query(self) -> str:
        if self.key == "custom":
            return f"window=custom&start={self.start.isoformat()}&end={self.end.isoformat()}"
        return f"window={self.key}"

    def previous(self) -> Window:
        length = timedelta(days=self.days)
        return Window(self.start - length, self.end - length, "custom", "Previous period")

    def last_year(self) -> Window:
        return Window(_year_back(self.start), _year_back(self.end), "custom", "Same period last year")


def _year_back(day: date) -> date:
    last = calendar.monthrange(day.year - 1, day.month)[1]
    return day.replace(year=day.year - 1, day=min(day.day, last))


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def preset_window(key: str, today: date) -> Window:
    monday = today - timedelta(days=today.weekday())
    month = today.replace(day=1)
    quarter = _quarter_start(today)
    spans = {
        "this_week": (monday, monday + timedelta(days=6)),
        "last_week": (monday - timedelta(days=7), monday - timedelta(days=1)),
        "this_month": (month, month.replace(day=calendar.monthrange(month.year, month.month)[1])),
        "last_month": ((month - timedelta(days=1)).replace(day=1), month - timedelta(days=1)),
        "this_quarter": (quarter, _quarter_start(quarter + timedelta(days=95)) - timedelta(days=1)),
        "last_quarter": (_quarter_start(quarter - timedelta(days=1)), quarter - timedelta(days=1)),
        "ytd": (date(today.year, 1, 1), today),
    }
    start, end = spans[key]
    return Window(start, end, key, PRESETS[key])


def parse_window(params: Any, today: date) -> tuple[Window, int | None, list[str]]:
    """(window, organizer id or None, problems). Any problem gives the default window and a message, never an
    error page."""
    problems: list[str] = []
    default = preset_window(DEFAULT_PRESET, today)
    window = default
    key = params.get("window") or ("custom" if params.get("start") or params.get("end") else DEFAULT_PRESET)
    if key in PRESETS:
        window = preset_window(key, today)
    elif key == "custom":
        try:
            start = date.fromisoformat(params.get("start", ""))
            end = date.fromisoformat(params.get("end", ""))
        except ValueError:
            problems.append("That date is not valid (use YYYY-MM-DD). Showing this month instead.")
        else:
            if end < start:
                problems.append("The end date is before the start date. Showing this month instead.")
            elif end.year - start.year > MAX_YEARS or (end - start).days > MAX_YEARS * 366:
                problems.append(f"Choose a range of at most {MAX_YEARS} years. Showing this month instead.")
            else:
                window = Window(start, end, "custom", f"{start:%b %-d, %Y} – {end:%b %-d, %Y}")
    else:
        problems.append("Unknown period. Showing this month instead.")
    organizer_id: int | None = None
    raw = params.get("organizer")
    if raw:
        found = User.objects.filter(pk=int(raw), role=User.Role.ORGANIZER).first() if raw.isdigit() else None
        if found is None:
            problems.append("No such organizer. Showing the whole business.")
        else:
            organizer_id = found.pk
    return window, organizer_id, problems


# --- figures ------------------------------------------------------------------------------------------------


@dataclass
class Figures:
    """Summed components of one window, for the business (key None) and each organizer."""

    ops: dict[int | None, km.Components] = field(default_factory=dict)
    survey: dict[int | None, km.Survey] = field(default_factory=dict)
    turns: km.Turns | None = None
    retention: Decimal | None = None
    new_clients: int = 0
    live: bool = False  # today is in the window and was computed from the source tables


def _components(values: dict[str, Any] | None, revenue: Decimal | None) -> km.Components:
    values = values or {}
    kwargs: dict[str, Any] = {name: values.get(name) or 0 for name in COMPONENT_FIELDS if name in values}
    kwargs["supply_cost"] = Decimal(values.get("supply_cost") or 0)
    return km.Components(**kwargs, revenue=Decimal(revenue or 0))


def _survey(values: dict[str, int] | None) -> km.Survey:
    return km.Survey(**{name: (values or {}).get(name) or 0 for name in projects_rollups.FIELDS})


def figures(window: Window, today: date | None = None) -> Figures:
    today = today or today_local()
    result = Figures()
    closed_end = min(window.end, today - timedelta(days=1))
    ops: dict[int | None, dict[str, Any]] = {}
    revenue: dict[int | None, Decimal] = {}
    survey: dict[int | None, dict[str, int]] = {}
    if window.start <= closed_end:
        ops = ops_kpi.ops_totals(start=window.start, end=closed_end)
        revenue = billing_rollups.revenue_totals(start=window.start, end=closed_end)
        survey = projects_rollups.survey_totals(start=window.start, end=closed_end)
    result.new_clients = int((ops.get(None) or {}).get("new_clients") or 0)
    keys = set(ops) | set(revenue) | {None}
    for key in keys:
        result.ops[key] = _components(ops.get(key), revenue.get(key))
    for key in set(survey) | {None}:
        result.survey[key] = _survey(survey.get(key))
    if window.start <= today <= window.end:
        _add_live(result, today)
    _add_stock_and_retention(result, window, today)
    return result


def _add_live(result: Figures, today: date) -> None:
    """Today's components straight from the source tables (no rollup row exists for an open day)."""
    result.live = True
    redo = billing_rollups.redo_visit_ids(day=today)
    ops = ops_rollups.ops_components(day=today, redo_visit_ids=redo)
    revenue = billing_rollups.revenue_components(day=today)
    for key in set(ops) | set(revenue):
        result.ops[key] = result.ops.get(key, km.Components()) + _components(ops.get(key), revenue.get(key))
    for key, values in projects_rollups.survey_components(day=today).items():
        result.survey[key] = result.survey.get(key, km.Survey()) + _survey(values)


def _add_stock_and_retention(result: Figures, window: Window, today: date) -> None:
    last_closed = min(window.end, today - timedelta(days=1))
    # Turns run to today when the window holds it: its value and consumption are read live from the ledger, as
    # every other figure of the open day (T46: turns stopped at yesterday and showed "—" for stock received today).
    last = min(window.end, today)
    stock = ops_kpi.stock_summary(start=window.start, end=last, today=today) if last >= window.start else None
    if stock is not None and stock["start"] is not None and stock["end"] is not None:
        days = (last - window.start).days + 1
        whole_months = window.start.day == 1 and (last + timedelta(days=1)).day == 1
        months = (last.year - window.start.year) * 12 + last.month - window.start.month + 1
        result.turns = km.inventory_turns(
            consumed_cost=stock["consumed"] or Decimal(0), value_start=stock["start"], value_end=stock["end"],
            days=days, months=months if whole_months else None,
        )  # fmt: skip
    start_active = ops_kpi.active_clients_on(day=window.start - timedelta(days=1))
    end_active = ops_kpi.active_clients_on(day=last_closed)
    if start_active is not None and end_active is not None:
        result.retention = km.retention(start_active=start_active, end_active=end_active, new=result.new_clients)
