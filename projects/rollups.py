"""Projects' part of the nightly KPI rollup (docs/specs/kpis.md §3): close-out CSAT and NPS answers per project
lead and local day of completion, classified once here so periods are plain sums."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.db.models import Sum

from operations import kpi_math
from operations import rollups as ops_rollups
from projects.models import Project, SurveyDaily

FIELDS = ("csat_answers", "csat_positive", "promoters", "passives", "detractors")


def answered_projects(*, start: date, end: date) -> Any:
    """Projects completed between the local days `start` and `end` (inclusive) with a CSAT or NPS answer."""
    since, _ = ops_rollups.day_bounds(start)
    _, until = ops_rollups.day_bounds(end)
    return Project.objects.filter(is_template=False, completed_at__gte=since, completed_at__lt=until).exclude(
        csat__isnull=True, nps__isnull=True
    )


def survey_components(*, day: date) -> dict[int | None, dict[str, int]]:
    rows: dict[int | None, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIELDS, 0))
    rows[None] = dict.fromkeys(FIELDS, 0)
    for lead_id, csat, nps in answered_projects(start=day, end=day).values_list("lead_id", "csat", "nps"):
        answers = kpi_math.survey_of(csat=[] if csat is None else [csat], nps=[] if nps is None else [nps])
        for key in {None, lead_id}:
            for name in FIELDS:
                rows[key][name] += getattr(answers, name)
    return dict(rows)


def survey_rollup_day(*, day: date) -> int:
    return ops_rollups.store_day(SurveyDaily, day, survey_components(day=day), FIELDS)


def survey_totals(*, start: date, end: date) -> dict[int | None, dict[str, int]]:
    rows = SurveyDaily.objects.filter(ops_rollups.period_q(start, end)).values("organizer_id")
    return {row.pop("organizer_id"): row for row in rows.annotate(**{f: Sum(f) for f in FIELDS})}


def answers_behind(*, start: date, end: date, organizer_id: int | None) -> list[Project]:
    """The close-out answers counted in CSAT and NPS for the window (the drill-down of both)."""
    found = answered_projects(start=start, end=end).select_related("client", "lead")
    if organizer_id is not None:
        found = found.filter(lead_id=organizer_id)
    return list(found.order_by("completed_at", "pk"))
