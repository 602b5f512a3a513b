"""The home pages in real Chromium at 1280 px and 390 px (docs/specs/kpis.md §4): the owner's charts are drawn,
changing the window or the organizer changes the numbers, a tile's drill-down lists what sums to it; the office
and organizer homes load without money on them. No CSP violation on any page (tests/browser/conftest.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from organizer_pm.dashboard import rollups
from tests.browser.conftest import DESKTOP, PHONE
from tests.dashboard.kpi_world import WEEK, build_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser_context_args(timezone_id="America/New_York", locale="en-US"),
]


def _world():
    world = build_world()
    day = WEEK[0]
    while day <= WEEK[1]:
        rollups.rollup_day(day)
        day += timedelta(days=1)
    return world


CHARTS_DRAWN = """() => ['kpi-chart-revenue', 'kpi-chart-rates'].every((id) => {
  const canvas = document.getElementById(id);
  const chart = window.Chart && Chart.getChart(canvas);
  return !!chart && canvas.width > 0 && chart.data.labels.length > 0;
})"""


def test_owner_dashboard_charts_window_organizer_and_drill_down(app, make_user, artifacts):
    owner = make_user("owner", "Olivia")
    world = _world()
    app.log_in(owner.email)
    page = app.page
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        app.goto("/?window=custom&start=2025-11-03&end=2025-11-09")
        assert page.evaluate(CHARTS_DRAWN)
        revenue = page.locator("[data-kpi='revenue'] [data-value]")
        expect(revenue).to_have_text("$1,335.00")  # Alice's week and Ben's job

        page.locator("#kpi-organizer").select_option(str(world.alice.pk))
        page.get_by_role("button", name="Show").click()
        app.assert_healthy()
        expect(revenue).to_have_text("$1,155.00")
        expect(page.locator("[data-kpi='utilization'] [data-value]")).to_have_text("34.7 %")

        page.locator("#kpi-start").fill("2025-11-04")
        page.locator("#kpi-end").fill("2025-11-04")
        page.get_by_role("button", name="Show").click()
        app.assert_healthy()
        expect(page.locator("#kpi-preset")).to_have_value("custom")
        expect(revenue).to_have_text("$885.00")  # J2, J3 and J7 on Tuesday
        assert page.evaluate(CHARTS_DRAWN)
        assert app.no_horizontal_overflow()
        page.screenshot(path=str(artifacts / f"kpi-owner-{viewport['width']}.png"), full_page=True)

        revenue.get_by_role("link").click()
        app.assert_healthy()
        expect(page.locator("#kpi-drill-total")).to_have_text("$885.00")
        expect(page.locator("#kpi-drill tbody tr")).to_have_count(3)
        assert app.no_horizontal_overflow()


@pytest.mark.parametrize("role", ["office", "organizer"])
def test_office_and_organizer_homes_at_both_widths(app, make_user, artifacts, role):
    user = make_user(role, "Frank" if role == "office" else "Anna")
    _world()
    app.log_in(user.email)
    page = app.page
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        app.goto("/")
        if role == "office":
            expect(page.get_by_role("heading", name="Needs attention")).to_be_visible()
            expect(page.get_by_role("heading", name="Supplies")).to_be_visible()
        else:
            expect(page.get_by_role("heading", name="My week")).to_be_visible()
            expect(page.locator("[data-week='utilization']")).to_be_visible()
        assert "$" not in page.locator("main").inner_text()
        assert app.no_horizontal_overflow()
        page.screenshot(path=str(artifacts / f"kpi-{role}-home-{viewport['width']}.png"), full_page=True)
