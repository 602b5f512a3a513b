"""The invoice page's lines on a phone (docs/specs/defects.md T45): at 390 px every line's amount and the totals
are on screen without scrolling the table sideways, the date, quantity and price folded under the description;
at 1280 px the table keeps its five columns."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from billing import invoices
from tests.billing.world import build_world, ny, sync, visit
from tests.browser.conftest import DESKTOP, PHONE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser_context_args(timezone_id="America/New_York", locale="en-US"),
]

# Where each line's amount and the total lie against the viewport and the table's scrolling container.
GEOMETRY = """() => {
  const box = document.querySelector('#invoice-lines').closest('.table-responsive');
  const right = el => el.getBoundingClientRect().right;
  const cells = [...document.querySelectorAll('#invoice-lines tr[data-line] td:last-child, #invoice-total')];
  return {scroll: box.scrollWidth, client: box.clientWidth, boxRight: right(box),
          cellRights: cells.map(right), count: cells.length};
}"""


def _long_invoice(world):
    start = ny(2026, 6, 2, 9)
    visit(world.carol, world.team, [world.alice, world.ben], start, start + timedelta(minutes=245))
    sync(world.carol)
    draft = invoices.invoice_create(client=world.carol, creation_key="t45")
    invoices.invoice_line_add(
        invoice=draft, description="Estate clear-out crew with box truck, donation drop-offs and disposal fees",
        quantity=Decimal(3), unit_price=Decimal("1377.50"), taxable=True,
    )  # fmt: skip
    return draft


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_T45_invoice_amounts_are_on_screen_without_scrolling_the_table(app, make_user, artifacts, viewport):
    owner = make_user("owner", "Olivia")
    draft = _long_invoice(build_world())
    app.page.set_viewport_size(viewport)
    app.log_in(owner.email)
    page = app.page
    app.goto(f"/billing/invoices/{draft.pk}/")
    line = page.locator("#invoice-lines tbody tr[data-line]").last
    expect(line.locator("td").last).to_have_text("$4,132.50")
    geometry = page.evaluate(GEOMETRY)
    assert geometry["count"] >= 4, geometry
    assert geometry["scroll"] <= geometry["client"], geometry  # the table never needs sideways scrolling
    assert all(r <= min(geometry["boxRight"], viewport["width"]) + 0.5 for r in geometry["cellRights"]), geometry
    assert max(geometry["cellRights"]) - min(geometry["cellRights"]) < 1, geometry  # one Amount column, total too
    assert app.no_horizontal_overflow()
    terms = line.locator("[data-line-terms]")
    qty_header = page.locator("#invoice-lines thead th", has_text="Qty")
    if viewport["width"] == PHONE["width"]:
        expect(terms).to_be_visible()
        expect(terms).to_contain_text("× $1,377.50")
        expect(qty_header).to_be_hidden()
    else:
        expect(terms).to_be_hidden()
        expect(qty_header).to_be_visible()
        expect(line.locator("td").nth(3)).to_have_text("$1,377.50")
    page.screenshot(path=str(artifacts / f"invoice-lines-{viewport['width']}.png"), full_page=True)
