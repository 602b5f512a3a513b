"""The owner dashboard, its drill-down lists and CSV exports (docs/specs/kpis.md §4). Owner only: revenue and
margins are the owner's, so office and organizers get 403 on every URL here. GET only; nothing is written."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts import access
from accounts.http import AuthedHttpRequest
from accounts.models import User
from billing import rollups as billing_rollups
from operations.selectors import kpi as ops_kpi
from organizer_pm.dashboard import kpis, owner
from projects import rollups as projects_rollups
from projects import selectors_status

EXPORT_TABLES = ("tiles", "organizers", "trend", "at_risk", "stock")
AT_RISK_SHOWN = 20  # the CSV has them all


def _window(request: AuthedHttpRequest) -> tuple[kpis.Window, int | None]:
    window, organizer_id, problems = kpis.parse_window(request.GET, kpis.today_local())
    for problem in problems:
        messages.warning(request, problem)
    return window, organizer_id


def owner_dashboard(request: AuthedHttpRequest) -> HttpResponse:
    """The owner's home page (called by dashboard.views.home after the role check)."""
    window, organizer_id = _window(request)
    tiles, figures = owner.tiles(window, organizer_id)
    sort = request.GET.get("sort", "name")
    descending = request.GET.get("dir") == "desc"
    query = window.query() + (f"&organizer={organizer_id}" if organizer_id else "")
    rows = [
        (r.organizer, [(k, owner.display(r.values[k], owner.KPI_BY_KEY[k].unit), owner.KPI_BY_KEY[k].drills)
                       for k in owner.TABLE_KPIS])
        for r in owner.organizer_rows(figures, sort=sort, descending=descending)
    ]  # fmt: skip
    context = {
        "query": query,
        "window": window,
        "organizer_id": organizer_id,
        "organizers": User.objects.filter(role=User.Role.ORGANIZER).order_by("first_name", "last_name"),
        "presets": kpis.PRESETS,
        "tiles": [
            {
                "tile": t,
                "shown": owner.display(t.value, t.kpi.unit),
                "vs_previous": owner.signed(t.change_previous),
                "vs_last_year": owner.signed(t.change_last_year),
                "drills": [(m, owner.MEASURES[m]) for m in t.kpi.drills],
            }
            for t in tiles
        ],  # fmt: skip
        "live": figures.live,
        "rows": rows,
        "columns": [(key, owner.KPI_BY_KEY[key]) for key in owner.TABLE_KPIS],
        "sort": sort,
        "descending": descending,
        "trend": owner.trend(window, organizer_id),
        "at_risk": _at_risk(request),
        "stock": ops_kpi.stock_by_location(start=window.start, end=window.end, today=kpis.today_local()),
        "export_tables": EXPORT_TABLES,
    }
    return render(request, "dashboard/home_owner.html", context)


def _counted(window: kpis.Window) -> kpis.Window:
    """The part of the window the tiles count: up to today (computed live), never days that have not happened
    (T36, docs/specs/defects.md: "this month" listed the month's future visits behind "scheduled jobs")."""
    return kpis.Window(window.start, min(window.end, kpis.today_local()), window.key, window.label)


def _drill_rows(measure: str, window: kpis.Window, organizer_id: int | None) -> tuple[str, list[dict[str, Any]], Any]:
    """(kind, rows, total): the visits, charges or answers behind one measure over the counted part of the window
    (`_counted`), so the total equals the tile's component (K13)."""
    window = _counted(window)  # a window wholly in the future counts nothing: end < start selects no row
    if measure == "revenue":
        rows, total = billing_rollups.charges_behind(start=window.start, end=window.end, organizer_id=organizer_id)
        return "charges", rows, total
    if measure == "answers":
        projects = projects_rollups.answers_behind(start=window.start, end=window.end, organizer_id=organizer_id)
        return "answers", [{"project": p} for p in projects], len(projects)
    if measure not in ops_kpi.VISIT_MEASURES:
        raise Http404
    redo = billing_rollups.redo_visit_ids(day=window.start, last=window.end)
    rows, total = ops_kpi.visits_behind(
        measure=measure, start=window.start, end=window.end, organizer_id=organizer_id, redo_visit_ids=redo
    )
    return "visits", rows, total


@require_GET
@access.owner_required
def kpi_drill(request: AuthedHttpRequest) -> HttpResponse:
    measure = request.GET.get("measure") or "completed"
    if measure not in owner.MEASURES:
        raise Http404
    window, organizer_id = _window(request)
    kind, rows, total = _drill_rows(measure, window, organizer_id)
    label = owner.MEASURES[measure]
    if request.GET.get("format") == "csv":
        return _csv(f"{measure}-{window.start}-{window.end}.csv", _drill_csv(kind, rows, total))
    context = {
        "measure": measure, "label": label, "kind": kind, "rows": rows, "total": total, "window": window,
        "counted": _counted(window),
        "organizer": User.objects.filter(pk=organizer_id).first() if organizer_id else None,
        "minutes": measure.endswith("_min"), "business_tz": settings.BUSINESS_TIME_ZONE,
    }  # fmt: skip
    return render(request, "dashboard/kpi_drill.html", context)


def _drill_csv(kind: str, rows: list[dict[str, Any]], total: Any) -> Iterable[list[Any]]:
    if kind == "visits":
        yield ["visit", "starts (UTC)", "client", "status", "amount"]
        for r in rows:
            v = r["visit"]
            yield [v.pk, v.starts.isoformat(), v.client.name, v.status, r["amount"]]
    elif kind == "charges":
        yield ["date", "what", "client", "amount"]
        for r in rows:
            yield [r["date"].isoformat(), r["what"], r["client"].name, r["amount"]]
    else:
        yield ["project", "client", "lead", "completed", "csat", "nps"]
        for r in rows:
            p = r["project"]
            yield [p.name, p.client.name, str(p.lead or ""), p.completed_at.isoformat(), p.csat, p.nps]
    yield ["total", "", "", "", total]


@require_GET
@access.owner_required
def kpi_export(request: AuthedHttpRequest) -> HttpResponse:
    table = request.GET.get("table") or "tiles"
    if table not in EXPORT_TABLES:
        raise Http404
    window, organizer_id = _window(request)
    name = f"{table}-{window.start}-{window.end}.csv"
    if table == "tiles":
        tiles, _ = owner.tiles(window, organizer_id)
        head = [
            "kpi",
            "value",
            "previous period",
            "same period last year",
            "change vs previous %",
            "change vs last year %",
        ]
        body = [[t.kpi.label, t.value, t.previous, t.last_year, t.change_previous, t.change_last_year] for t in tiles]
        return _csv(name, [head, *body])
    if table == "organizers":
        figures = kpis.figures(window)
        rows = owner.organizer_rows(figures)
        head = ["organizer", *[owner.KPI_BY_KEY[k].label for k in owner.TABLE_KPIS]]
        return _csv(name, [head, *[[str(r.organizer), *[r.values[k] for k in owner.TABLE_KPIS]] for r in rows]])
    if table == "trend":
        data = owner.trend(window, organizer_id)
        head = ["period", "utilization %", "jobs", "cancellation %", "earned revenue"]
        series = zip(
            data["labels"], data["utilization"], data["jobs"], data["cancellation"], data["revenue"], strict=True
        )
        return _csv(name, [head, *[list(row) for row in series]])
    if table == "stock":
        stock = ops_kpi.stock_by_location(start=window.start, end=window.end, today=kpis.today_local())
        head = ["location", "value as of", "value", "average daily value"]
        return _csv(name, [head, *[[s["location"].name, stock.as_of, s["last"], s["average"]] for s in stock.rows]])
    head = ["project", "client", "lead", "forecast finish", "deadline", "total float (days)", "at risk because"]
    lines: list[list[Any]] = [
        [p.name, str(p.client), str(p.lead or ""), p.finish_on, p.deadline_on, p.min_total_float,
         "; ".join(p.risk_words)]
        for p in _at_risk(request, limit=None)
    ]  # fmt: skip
    return _csv(name, [head, *lines])


def _at_risk(request: AuthedHttpRequest, limit: int | None = AT_RISK_SHOWN) -> list[Any]:
    """The project list's at-risk projects, each with `risk_words`: one definition for every page (T30,
    docs/specs/defects.md), so the dashboard never says "none" while the list shows a project behind."""
    projects: list[Any] = list(selectors_status.projects_at_risk(user=request.user)[:limit])
    for project in projects:
        project.risk_words = selectors_status.risk_words(project)
    return projects


def _csv(filename: str, rows: Iterable[list[Any]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    return response
