"""Defects found by trying the owner dashboard (docs/specs/defects.md): T30, projects at risk."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from projects import demo
from projects.progress import projects_status_refresh
from tests.clients.factories import ClientFactory

pytestmark = pytest.mark.django_db

DECEMBER = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)


def test_T30_the_dashboard_lists_the_projects_the_project_list_flags_at_risk(client, owner, settings):
    # A June project with nothing done is "behind" in December: no deadline, no baseline, no negative float, which
    # is all the dashboard used to look at (it said "No project is behind its deadline or baseline").
    settings.STATUS_DATE_SOURCE = "today"
    project = demo.worked_example_create(client=ClientFactory())
    with time_machine.travel(DECEMBER, tick=False):
        projects_status_refresh()
        client.force_login(owner)
        listed = client.get(reverse("projects:project_list"), {"at_risk": "1"}).content.decode()
        home = client.get(reverse("dashboard:home"))
        export = client.get(reverse("dashboard:kpi_export"), {"table": "at_risk"}).content.decode()
    assert project.name in listed and ">behind<" in listed
    at_risk = home.context["at_risk"]
    assert [p.pk for p in at_risk] == [project.pk]
    assert "behind" in at_risk[0].risk_words
    body = home.content.decode()
    assert "No project is at risk" not in body and ">behind<" in body
    rows = list(csv.reader(io.StringIO(export)))
    assert rows[0][-1] == "at risk because"
    assert [(r[0], "behind" in r[-1]) for r in rows[1:]] == [(project.name, True)]


def test_T30_a_project_on_track_is_not_at_risk_on_the_dashboard(client, owner, settings):
    settings.STATUS_DATE_SOURCE = "today"
    with time_machine.travel(datetime(2026, 6, 1, 15, tzinfo=UTC), tick=False):
        project = demo.worked_example_create(client=ClientFactory())
        projects_status_refresh()
        client.force_login(owner)
        home = client.get(reverse("dashboard:home"))
    assert project.pk not in [p.pk for p in home.context["at_risk"]]
    assert "No project is at risk" in home.content.decode()


# --- T36 ----------------------------------------------------------------------------------------------------


def _drill_csv_total(client, measure, query):
    response = client.get(reverse("dashboard:kpi_drill"), {**query, "measure": measure, "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[-1][0] == "total"
    return rows[-1][-1], len(rows) - 2


def test_T36_a_drill_down_lists_only_the_days_its_tile_counts(client):
    from datetime import date, timedelta

    from organizer_pm.dashboard import kpis, rollups
    from tests.dashboard.kpi_world import WEEK, build_world

    world = build_world()
    day = WEEK[0]
    while day <= WEEK[1]:
        rollups.rollup_day(day)
        day += timedelta(days=1)
    query = {"window": "custom", "start": "2025-11-03", "end": "2025-11-09"}
    # Wednesday of the K1 week, midday in New York: Thursday's and Friday's visits have not happened.
    with time_machine.travel(datetime(2025, 11, 5, 17, 0, tzinfo=UTC), tick=False):
        counted = kpis.figures(kpis.Window(*WEEK, "custom", "K1"), today=date(2025, 11, 5)).ops[None]
        client.force_login(world.owner)
        scheduled, rows = _drill_csv_total(client, "scheduled", query)
        completed, _ = _drill_csv_total(client, "completed", query)
        page = client.get(reverse("dashboard:kpi_drill"), {**query, "measure": "scheduled"}).content.decode()
    assert counted.scheduled == 5  # J1, J2, J3, J7 and Ben's B1: Monday to Wednesday
    assert (int(scheduled), rows) == (counted.scheduled, 5)  # the list held the week's 8, J4-J6 included
    assert int(completed) == counted.completed
    assert "Nov 3, 2025 – Nov 5, 2025 (to today" in page


# --- T39 ----------------------------------------------------------------------------------------------------


def test_T39_the_office_home_shows_low_stock_quantities_like_the_stock_pages(client, office):
    from decimal import Decimal

    from operations.models import Item
    from operations.services import inventory

    supplier, warehouse = inventory.virtual_location("supplier"), inventory.warehouse()
    bins = Item.objects.create(sku="BIN-L", name="Clear bin, large", unit="each", reorder_min=12, reorder_max=40)
    tape = Item.objects.create(sku="TAPE", name="Packing tape", unit="roll", reorder_min=5, reorder_max=20)
    for item, qty in ((bins, "10"), (tape, "2.5")):
        inventory.stock_move(item=item, qty=qty, from_location=supplier, to_location=warehouse, reason="receipt",
                             actor=office, unit_cost=Decimal("3"))  # fmt: skip
    client.force_login(office)
    html = client.get(reverse("dashboard:home")).content.decode()
    assert "Clear bin, large: 10 each on hand" in html and "Packing tape: 2.500 roll on hand" in html
    assert "10.000" not in html
