"""Defects found by trying the billing pages (docs/specs/defects.md): T31 (unit prices on invoices), T32 (lines
grouped by visit), T33 (days overdue on the finance page)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from billing import documents, invoices, selectors
from billing.templatetags.billing_format import unit_price
from tests.billing.test_documents import pdf_text
from tests.billing.world import ny, package_invoice, sync, visit

pytestmark = pytest.mark.django_db


# --- T31 ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "shown"),
    [("60.0000", "$60.00"), ("113.7500", "$113.75"), ("2.1250", "$2.125"), ("0.0000", "$0.00"),
     ("87.1234", "$87.1234"), ("1700", "$1,700.00"), ("-5.5", "-$5.50")],
)  # fmt: skip
def test_T31_a_unit_price_shows_two_decimals_and_more_only_when_it_has_them(stored, shown):
    assert unit_price(Decimal(stored)) == shown


@pytest.fixture
def priced_draft(world):
    start = ny(2026, 6, 2, 9)
    visit(world.carol, world.organizing, [world.alice], start, start + timedelta(minutes=180))  # the type's $90 an hour
    sync(world.carol)
    draft = invoices.invoice_create(client=world.carol, creation_key="t31")
    for description, price in (("Late fee", "113.75"), ("Labels", "2.125"), ("Goodwill", "0")):
        invoices.invoice_line_add(
            invoice=draft, description=description, quantity=Decimal(1), unit_price=Decimal(price), taxable=False
        )
    return draft


PRICE = re.compile(r"\$-?\d[\d,]*(?:\.\d+)?")


def _prices(html: str) -> set[str]:
    return set(PRICE.findall(html))


def test_T31_the_invoice_page_and_its_print_view_never_show_a_price_without_cents(client, owner, priced_draft):
    client.force_login(owner)
    page = client.get(reverse("billing:invoice_detail", args=[priced_draft.pk])).content.decode()
    printed = client.get(reverse("billing:invoice_print", args=[priced_draft.pk])).content.decode()
    for html in (page, printed):
        prices = _prices(html)
        assert {"$90.00", "$113.75", "$2.125", "$0.00"} <= prices
        assert not {"$90", "$113.7500", "$0", "$2.1250"} & prices, prices


def test_T31_the_pdf_shows_the_same_prices(priced_draft, tmp_path):
    text = pdf_text(documents.invoice_pdf(priced_draft), tmp_path)
    assert {"$90.00", "$113.75", "$2.125", "$0.00"} <= set(PRICE.findall(text))
    assert "$113.7500" not in text


# --- T32 ----------------------------------------------------------------------------------------------------


def test_T32_each_visit_is_its_own_group_labelled_with_its_local_day_and_time(world):
    morning = visit(world.carol, world.organizing, [world.alice], ny(2026, 6, 2, 9), ny(2026, 6, 2, 12))
    afternoon = visit(world.carol, world.organizing, [world.ben], ny(2026, 6, 2, 14), ny(2026, 6, 2, 17))
    team = visit(world.carol, world.team, [world.alice, world.ben], ny(2026, 6, 3, 9), ny(2026, 6, 3, 12))
    # 20:30 in New York is 00:30 UTC the next day: the label must say June 4, like the line's date.
    evening = visit(world.carol, world.organizing, [world.alice], ny(2026, 6, 4, 20, 30), ny(2026, 6, 4, 23, 30))
    sync(world.carol)
    draft = invoices.invoice_create(client=world.carol, creation_key="t32")
    invoices.invoice_line_add(
        invoice=draft, description="Storage bins", quantity=Decimal(2), unit_price=Decimal("12.50"), taxable=False
    )
    groups = selectors.invoice_groups(draft)
    labels = [label for label, _ in groups]
    assert labels == [
        "Visit Tue Jun 2, 2026, 09:00 EDT",
        "Visit Tue Jun 2, 2026, 14:00 EDT",
        "Visit Wed Jun 3, 2026, 09:00 EDT",
        "Visit Thu Jun 4, 2026, 20:30 EDT",
        "Other",
    ]
    visits_of = [{line.charge.visit_id for line in lines if line.charge} for _, lines in groups]
    assert visits_of[:4] == [{morning.pk}, {afternoon.pk}, {team.pk}, {evening.pk}]
    assert len(groups[2][1]) == 2  # the team visit: one line per organizer, together
    assert [line.description for line in groups[4][1]] == ["Storage bins"]
    assert all(line.service_date == date(2026, 6, 4) for line in groups[3][1])


def test_T32_a_line_of_no_visit_never_sits_under_a_visit_heading(client, owner, world):
    visit(world.carol, world.organizing, [world.alice], ny(2026, 6, 2, 9), ny(2026, 6, 2, 12))
    visit(world.carol, world.organizing, [world.alice], ny(2026, 6, 9, 9), ny(2026, 6, 9, 12))
    sync(world.carol)
    draft = invoices.invoice_create(client=world.carol, creation_key="t32-page")
    line = invoices.invoice_line_add(
        invoice=draft, description="Storage bins", quantity=Decimal(1), unit_price=Decimal("12.50"), taxable=False
    )
    # Dated between the two visits, as shopping time or a purchase is: it used to show under the first visit.
    type(line).objects.filter(pk=line.pk).update(service_date=date(2026, 6, 5))
    client.force_login(owner)
    html = client.get(reverse("billing:invoice_detail", args=[draft.pk])).content.decode()
    order = [html.index(text) for text in ("Visit Tue Jun 2", "Visit Tue Jun 9", ">Other<", "Storage bins")]
    assert order == sorted(order)


def test_T32_an_invoice_with_no_visit_has_no_group_heading(world):
    package = invoices.package_sell(client=world.dan, product=world.package, creation_key="t32-pkg")
    assert [label for label, _ in selectors.invoice_groups(package_invoice(package))] == [""]


# --- T33 ----------------------------------------------------------------------------------------------------


def _overdue_cells(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*data-overdue>(.*?)</td>", html)]


def test_T33_the_finance_page_says_not_due_rather_than_negative_days(client, owner, world):
    start = ny(2026, 6, 2, 9)
    visit(world.carol, world.organizing, [world.alice], start, start + timedelta(minutes=180))
    sync(world.carol)
    draft = invoices.invoice_create(client=world.carol, creation_key="t33")
    invoice = invoices.invoice_issue(invoice=draft, now=ny(2026, 6, 3, 9), confirm_review=True)
    before_due = invoice.due_date - timedelta(days=5)
    client.force_login(owner)
    html = client.get(reverse("billing:finance"), {"on": before_due.isoformat()}).content.decode()
    assert "Days overdue" in html and "Oldest (days)" not in html
    assert _overdue_cells(html) == ["not due"]
    late = invoice.due_date + timedelta(days=12)
    html = client.get(reverse("billing:finance"), {"on": late.isoformat()}).content.decode()
    assert _overdue_cells(html) == ["12"]
