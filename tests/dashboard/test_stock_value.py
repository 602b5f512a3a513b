"""T46 (docs/specs/defects.md): the owner dashboard's stock-value table and inventory turns include today's value
read live from the stock ledger, and say which day they show."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from operations.models import Item, Location
from operations.selectors import inventory as stock
from operations.selectors import kpi as ops_kpi
from operations.services import inventory
from organizer_pm.dashboard import kpis, rollups

pytestmark = pytest.mark.django_db
D = Decimal
MONDAY = datetime(2026, 3, 9, 15, 0, tzinfo=UTC)  # 11:00 in New York
TUESDAY = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


def _stock(owner) -> tuple[Location, Location]:
    """$500 in the warehouse on Monday; on Tuesday $300 more, $60 of it to a van and $40 used on a job."""
    supplier, consumed = inventory.virtual_location("supplier"), inventory.virtual_location("consumed")
    warehouse = inventory.warehouse()
    van = Location.objects.create(kind=Location.Kind.VAN, name="Van A")
    item = Item.objects.create(sku="BOX", name="Box", unit="each")
    move = {"item": item, "actor": owner}
    with time_machine.travel(MONDAY, tick=False):
        inventory.stock_move(**move, qty=50, from_location=supplier, to_location=warehouse, reason="receipt",
                             unit_cost=D("10"))  # fmt: skip
    rollups.rollup_day(date(2026, 3, 9))  # Monday closes; Tuesday is today and has no stored row
    with time_machine.travel(TUESDAY, tick=False):
        inventory.stock_move(**move, qty=30, from_location=supplier, to_location=warehouse, reason="receipt",
                             unit_cost=D("10"))  # fmt: skip
        inventory.stock_move(**move, qty=6, from_location=warehouse, to_location=van, reason="transfer")
        inventory.stock_move(**move, qty=4, from_location=warehouse, to_location=consumed, reason="consume")
    return warehouse, van


def test_T46_the_stock_table_shows_todays_value_from_the_ledger_and_names_the_day(owner):
    warehouse, van = _stock(owner)
    with time_machine.travel(TUESDAY, tick=False):
        today = kpis.today_local()
        table = ops_kpi.stock_by_location(start=date(2026, 3, 1), end=date(2026, 3, 31), today=today)
        past = ops_kpi.stock_by_location(start=date(2026, 3, 1), end=date(2026, 3, 9), today=today)
        figures = kpis.figures(kpis.preset_window("this_month", today), today)
        _, valuation_total = stock.valuation()
    assert (table.as_of, table.live, table.days) == (date(2026, 3, 10), True, 2)
    by_name = {row["location"].name: row for row in table.rows}
    assert by_name[warehouse.name]["last"] == D("700.00") and by_name[van.name]["last"] == D("60.00")
    assert by_name[warehouse.name]["average"] == D("600.00")  # (500 on Monday + 700 today) / 2, never 1,200
    assert table.total == valuation_total == D("760.00")  # what the valuation page shows today
    # A window that ended yesterday shows that day's stored value and says so.
    assert (past.as_of, past.live) == (date(2026, 3, 9), False)
    assert {row["location"].name: row["last"] for row in past.rows}[warehouse.name] == D("500.00")
    # Turns run to today: $40 consumed today over the average of $0 (Feb 28) and $760 (today).
    assert figures.turns is not None and figures.turns.turns == D("0.11")


def test_T46_the_dashboard_says_as_of_which_day_and_matches_the_valuation_page(client, owner):
    _stock(owner)
    client.force_login(owner)
    with time_machine.travel(TUESDAY, tick=False):
        page = client.get(reverse("dashboard:home")).content.decode()
        earlier = client.get(reverse("dashboard:home"), {"window": "custom", "start": "2026-03-01",
                                                         "end": "2026-03-09"}).content.decode()  # fmt: skip
        export = client.get(reverse("dashboard:kpi_export"), {"table": "stock"}).content.decode()
        valuation = client.get(reverse("operations:valuation")).content.decode()
    assert "As of Mar 10, 2026 (today, computed live from the stock ledger)" in page
    assert "data-stock-total>$760.00<" in page and "data-total>$760.00<" in valuation
    assert "$0.00</td>" not in page.split('id="kpi-stock"')[1].split("</table>")[0]
    assert "As of Mar 9, 2026 (end of the day)" in earlier and "data-stock-total>$500.00<" in earlier
    rows = list(csv.reader(io.StringIO(export)))
    assert rows[0] == ["location", "value as of", "value", "average daily value"]
    assert {tuple(r[:3]) for r in rows[1:]} >= {("Warehouse", "2026-03-10", "700.00"), ("Van A", "2026-03-10", "60.00")}
