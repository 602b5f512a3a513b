"""The owner dashboard over the K1 week: tiles, drill-downs that sum to their numbers (one test per KPI), CSV
exports, bad input, and who may see what (docs/specs/kpis.md §4)."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from operations import kpi_math as km
from organizer_pm.dashboard import kpis, owner, rollups
from tests.dashboard.kpi_world import WEEK, build_world
from tests.support.shared_rows import fresh_copy, shared_rows

K1_QUERY = {"window": "custom", "start": "2025-11-03", "end": "2025-11-09"}


def _build():
    world = build_world()
    day = WEEK[0]
    while day <= WEEK[1]:
        rollups.rollup_day(day)
        day += timedelta(days=1)
    return {"world": world}


@pytest.fixture(scope="module")
def _rows(django_db_setup, django_db_blocker):
    yield from shared_rows(django_db_blocker, _build)


@pytest.fixture
def world(_rows, db):
    return fresh_copy(_rows)["world"]


def drill_total(client, measure, organizer=None):
    params = {**K1_QUERY, "measure": measure, "format": "csv"}
    if organizer:
        params["organizer"] = organizer.pk
    response = client.get(reverse("dashboard:kpi_drill"), params)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[-1][0] == "total"
    return Decimal(rows[-1][-1]), len(rows) - 2


def figures_of(world, organizer=None):
    window = kpis.Window(WEEK[0], WEEK[1], "custom", "K1")
    return kpis.figures(window, today=date(2025, 12, 1)).ops[organizer.pk if organizer else None]


COMPONENT_OF = {
    "completed": "completed", "completed_visits": "completed_visits", "billable_min": "billable_min",
    "redo_min": "redo_min", "scheduled": "scheduled", "cancelled": "cancelled", "late_cancelled": "late_cancelled",
    "no_show": "no_show", "redo": "redo", "supply_cost": "supply_cost", "revenue": "revenue",
}  # fmt: skip
DRILLED_KPIS = [k for k in owner.KPIS if k.drills]


@pytest.mark.parametrize("kpi", DRILLED_KPIS, ids=[k.key for k in DRILLED_KPIS])
def test_K13_every_kpi_drill_down_sums_to_its_components(client, world, kpi):
    client.force_login(world.owner)
    for organizer in (None, world.alice):
        c = figures_of(world, organizer)
        for measure in kpi.drills:
            total, count = drill_total(client, measure, organizer)
            if measure == "answers":
                survey = kpis.figures(kpis.Window(WEEK[0], WEEK[1], "custom", "x"), today=date(2025, 12, 1)).survey
                s = survey.get(organizer.pk if organizer else None, km.Survey())
                assert total == s.csat_answers == count
            else:
                assert total == Decimal(getattr(c, COMPONENT_OF[measure])), (measure, organizer)


def test_K1_tiles_on_the_owner_home(client, world):
    client.force_login(world.owner)
    response = client.get(reverse("dashboard:home"), {**K1_QUERY, "organizer": world.alice.pk})
    html = response.content.decode()
    assert response.status_code == 200
    for shown in ("34.7 %", "37.5 %", "25.0 %", "28.6 %", "14.3 %", "$1,155.00", "$92.40", "$288.75", "$231.00",
                  "$25.00"):  # fmt: skip
        assert shown in html, shown
    assert 'id="kpi-trend"' in html and "chart.umd.min.js" in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"window": "custom", "start": "2025-11-09", "end": "2025-11-03"}, "end date is before the start"),
        ({"window": "custom", "start": "2010-01-01", "end": "2025-11-03"}, "at most 10 years"),
        ({"window": "custom", "start": "2025-13-01", "end": "2025-11-03"}, "not valid"),
        ({"window": "custom", "start": "", "end": ""}, "not valid"),
        ({"window": "fortnight"}, "Unknown period"),
        ({"organizer": "999999"}, "No such organizer"),
        ({"organizer": "abc"}, "No such organizer"),
    ],
)
def test_K11_bad_window_gives_a_message_and_the_default_window(client, world, params, message):
    client.force_login(world.owner)
    for name, extra in (("dashboard:home", {}), ("dashboard:kpi_drill", {"measure": "completed"}),
                        ("dashboard:kpi_export", {"table": "tiles"})):  # fmt: skip
        response = client.get(reverse(name), {**params, **extra})
        assert response.status_code == 200, name
    response = client.get(reverse("dashboard:home"), params)
    assert message in response.content.decode()
    assert response.context["window"].key in ("this_month", "custom") and response.context["window"].days <= 31


def test_unknown_measure_or_table_is_404(client, world):
    client.force_login(world.owner)
    assert client.get(reverse("dashboard:kpi_drill"), {"measure": "margin"}).status_code == 404
    assert client.get(reverse("dashboard:kpi_export"), {"table": "secrets"}).status_code == 404


@pytest.mark.parametrize("table", ["tiles", "organizers", "trend", "at_risk", "stock"])
def test_every_table_exports_as_csv(client, world, table):
    client.force_login(world.owner)
    response = client.get(reverse("dashboard:kpi_export"), {**K1_QUERY, "table": table})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
    assert len(list(csv.reader(io.StringIO(response.content.decode())))) >= 1


def test_organizer_table_sorts_by_any_column(client, world):
    client.force_login(world.owner)
    up = client.get(reverse("dashboard:home"), {**K1_QUERY, "sort": "throughput"}).context["rows"]
    down = client.get(reverse("dashboard:home"), {**K1_QUERY, "sort": "throughput", "dir": "desc"}).context["rows"]
    assert [p.first_name for p, _ in up] == ["Ben", "Alice"] and [p.first_name for p, _ in down] == ["Alice", "Ben"]


@pytest.mark.parametrize("role", ["office", "alice"])
def test_K12_office_and_organizers_never_see_revenue(client, world, role):
    client.force_login(getattr(world, role))
    home = client.get(reverse("dashboard:home"), K1_QUERY).content.decode()
    assert "$" not in home and "revenue" not in home.lower()
    for measure in ("revenue", "completed"):
        assert client.get(reverse("dashboard:kpi_drill"), {**K1_QUERY, "measure": measure}).status_code == 403
    for table in ("tiles", "organizers"):
        assert client.get(reverse("dashboard:kpi_export"), {**K1_QUERY, "table": table}).status_code == 403


def test_today_is_computed_live_and_labelled(client, world):
    client.force_login(world.owner)
    response = client.get(reverse("dashboard:home"), {"window": "this_week"})
    assert response.context["live"] is True and "computed live" in response.content.decode()


def test_projects_at_risk_are_those_past_their_deadline_or_baseline(client, world):
    from projects.models import Project

    late, on_time = world.projects
    # is_late and late_by are what the status run stores for a forecast past the deadline (T30: the dashboard
    # reads the same flags as the project list).
    Project.objects.filter(pk=late.pk).update(
        status="active", finish_on=date(2026, 3, 10), deadline_on=date(2026, 3, 1), is_late=True, late_by=7
    )
    Project.objects.filter(pk=on_time.pk).update(
        status="active", finish_on=date(2026, 3, 1), deadline_on=date(2026, 3, 9)
    )
    client.force_login(world.owner)
    response = client.get(reverse("dashboard:home"), K1_QUERY)
    assert [p.pk for p in response.context["at_risk"]] == [late.pk]
    rows = list(
        csv.reader(io.StringIO(client.get(reverse("dashboard:kpi_export"), {"table": "at_risk"}).content.decode()))
    )
    assert [r[0] for r in rows[1:]] == [late.name]
