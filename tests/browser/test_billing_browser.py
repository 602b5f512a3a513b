"""Billing in real Chromium at 1280 px and 390 px: ready to invoice → draft → issue → payment, the client page's
billing panel (htmx) with pending work and "Update charges", a package sale, credit note, print, setup and batch
pages, the finance page. Every page loads with no CSP violation
(tests/browser/conftest.py); screenshots go to test-artifacts/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from billing.models import Invoice, InvoiceBatch
from tests.billing.world import build_world, ny, visit
from tests.browser.conftest import DESKTOP, PHONE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser_context_args(timezone_id="America/New_York", locale="en-US"),
]


def _finished_visit(world):
    start = ny(2026, 6, 2, 9)
    visit(world.carol, world.organizing, [world.alice], start, start + timedelta(minutes=127))


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_owner_invoices_a_finished_visit_and_records_the_payment(app, make_user, artifacts, viewport):
    owner = make_user("owner", "Olivia")
    world = build_world()
    _finished_visit(world)
    app.page.set_viewport_size(viewport)
    app.log_in(owner.email)
    page = app.page

    app.goto("/billing/")  # the page writes nothing: the finished visit is pending until charged
    row = page.locator(f"[data-client='{world.carol.pk}']")
    expect(row).to_contain_text("+1 pending")
    page.get_by_role("button", name="Update charges (1 not charged yet)").click()
    app.assert_healthy()
    expect(row).to_contain_text("$270.00")
    expect(row).not_to_contain_text("pending")
    row.get_by_role("link", name="Create invoice").click()
    app.assert_healthy()
    expect(page.get_by_text("Organizing session — Alice")).to_be_visible()
    page.get_by_role("button", name="Create draft invoice").click()
    app.assert_healthy()
    expect(page.locator("#invoice-total")).to_have_text("$270.00")
    page.get_by_role("button", name="Issue invoice").click()
    app.assert_healthy()
    invoice = Invoice.objects.get()
    expect(page.get_by_role("heading", name=f"Invoice {invoice.number}")).to_be_visible()
    expect(page.locator("#invoice-status")).to_have_text("Issued")
    assert app.no_horizontal_overflow()
    page.screenshot(path=str(artifacts / f"billing-invoice-{viewport['width']}.png"), full_page=True)

    page.get_by_role("link", name="Record payment").click()
    app.assert_healthy()
    page.locator("#id_amount").fill("300.00")
    page.locator("#id_method").select_option("check")
    page.get_by_role("button", name="Record payment").click()
    app.assert_healthy()
    expect(page).to_have_url(app.url(world.carol.get_absolute_url()))
    panel = page.locator("#client-billing")
    expect(panel).to_contain_text(invoice.number)
    expect(panel).to_contain_text("client credit $30.00")
    invoice.refresh_from_db()
    assert invoice.status == "paid"

    app.goto(f"/billing/invoices/{invoice.pk}/")
    expect(page.locator("#invoice-due")).to_have_text("$0.00")
    app.goto("/billing/invoices/")
    expect(page.locator(f"[data-invoice='{invoice.pk}']")).to_contain_text("Paid")
    assert app.no_horizontal_overflow()
    app.goto("/billing/finance/?on=2026-06-30&year=2026")
    expect(page.locator("#aging")).to_contain_text("Unapplied credit")
    assert app.no_horizontal_overflow()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_package_sale_documents_setup_and_batch_pages(app, make_user, artifacts, viewport):
    owner = make_user("owner", "Olivia")
    world = build_world()
    app.page.set_viewport_size(viewport)
    app.log_in(owner.email)
    page = app.page
    app.goto(f"/billing/clients/{world.carol.pk}/package/")
    page.get_by_label("Product").select_option(label="20-hour package")
    page.get_by_role("button", name="Create package invoice").click()
    app.assert_healthy()
    expect(page.locator("#invoice-total")).to_have_text("$1,700.00")
    page.get_by_role("button", name="Issue invoice").click()
    app.assert_healthy()
    app.goto(world.carol.get_absolute_url())
    expect(page.locator("#client-billing")).to_contain_text("20 h left")
    expect(page.locator("#client-billing").get_by_role("button", name="Close out")).to_be_visible()
    assert app.no_horizontal_overflow()
    page.screenshot(path=str(artifacts / f"billing-client-panel-{viewport['width']}.png"), full_page=True)
    invoice = Invoice.objects.get()
    app.goto(f"/billing/invoices/{invoice.pk}/credit-note/")
    expect(page.get_by_role("heading", name=f"Credit note for invoice {invoice}")).to_be_visible()
    assert app.no_horizontal_overflow()
    # The print page is standalone (its own CSS, no Bootstrap or htmx): CSP is still checked at teardown.
    assert page.goto(app.url(f"/billing/invoices/{invoice.pk}/print/")).status == 200
    expect(page.get_by_role("heading", name=f"Invoice {invoice.number}")).to_be_visible()
    app.goto("/billing/settings/")
    expect(page.get_by_text("20-hour package · 20 h · $1,700.00")).to_be_visible()
    assert app.no_horizontal_overflow()
    batch = InvoiceBatch.objects.create(key=f"browser-{viewport['width']}", status="done", total=3, done=3, made=2)
    app.goto(f"/billing/batches/{batch.pk}/")
    expect(page.get_by_role("heading", name="Creating draft invoices")).to_be_visible()
    assert app.no_horizontal_overflow()


def test_organizer_has_no_billing_link_and_gets_403(app, make_user):
    organizer = make_user("organizer", "Maya")
    app.log_in(organizer.email)
    expect(app.page.get_by_role("link", name="Billing")).to_have_count(0)
    app.goto("/billing/", status=403)
