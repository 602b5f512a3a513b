"""Money and package time as people read them (docs/specs/defects.md T43, T44): one written form of an amount on
every page, print view, PDF, e-mail and portal bill ("$1,232.50", "-$12.00"), and package balances in hours and
minutes ("18 h 30 min left"). CSV files keep plain numbers."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import Client as HttpClient
from django.urls import reverse

from billing import documents, invoices
from billing.templatetags.billing_format import hours_minutes, unit_price
from operations.formats import fmt_money
from organizer_pm.dashboard import owner as dashboard_owner
from organizer_pm.dashboard import rollups
from tests.accounts.factories import UserFactory
from tests.billing.test_documents import pdf_text
from tests.billing.world import ny, sell_package, sync, visit
from tests.support import portal

pytestmark = pytest.mark.django_db


def _money(value, places=None):
    arg = "" if places is None else f":{places}"
    return Template("{% load operations_format %}{{ v|money" + arg + " }}").render(Context({"v": value}))


@pytest.mark.parametrize(
    ("value", "shown"),
    [(Decimal("0"), "$0.00"), (0, "$0.00"), (Decimal("-12"), "-$12.00"), (Decimal("1000"), "$1,000.00"),
     (Decimal("1234567.895"), "$1,234,567.90"), (Decimal("4132.5"), "$4,132.50"), (Decimal("0.125"), "$0.13"),
     (Decimal("-0.125"), "-$0.13"), (Decimal("-0.004"), "$0.00"), (Decimal("2.675"), "$2.68"), (1234, "$1,234.00"),
     ("5692.5", "$5,692.50"), (None, ""), ("", ""), ("n/a", "")],
)  # fmt: skip
def test_T43_the_money_filter_groups_thousands_and_rounds_half_up_at_the_cent(value, shown):
    assert _money(value) == shown
    assert fmt_money(value) == shown  # the same text for messages, e-mails and the dashboard's tiles


def test_T43_unit_costs_prices_and_dashboard_tiles_are_written_the_same_way():
    assert _money(Decimal("1234.56785"), 4) == "$1,234.5679"
    assert unit_price(Decimal("1700")) == "$1,700.00" and unit_price(Decimal("-1234.125")) == "-$1,234.125"
    assert dashboard_owner.display(Decimal("5692.50"), "money") == "$5,692.50"
    assert dashboard_owner.display(Decimal("-12"), "money") == "-$12.00"


AMOUNT = "$1,232.50"  # Dan's client rate $85 for 14 h 30 min
UNGROUPED = re.compile(r"\$-?\d{4,}")


@pytest.fixture
def big_invoice(world):
    visit(world.dan, world.organizing, [world.alice], ny(2026, 6, 2, 8), ny(2026, 6, 2, 22, 30))
    sync(world.dan)
    draft = invoices.invoice_create(client=world.dan, creation_key="t43")
    return invoices.invoice_issue(invoice=draft, now=ny(2026, 6, 3, 9), confirm_review=True)


def _assert_one_form(html, where):
    assert AMOUNT in html, where
    assert not UNGROUPED.findall(html), (where, UNGROUPED.findall(html))


def test_T43_one_amount_reads_the_same_on_the_invoice_finance_billing_tab_and_dashboard(
    client, world, big_invoice, tmp_path
):
    assert big_invoice.total == Decimal("1232.50")
    rollups.rollup_day(date(2026, 6, 2))
    client.force_login(UserFactory(role="owner", email="owner@money.example"))
    window = {"window": "custom", "start": "2026-06-01", "end": "2026-06-07"}
    pages = {
        "invoice": client.get(reverse("billing:invoice_detail", args=[big_invoice.pk])),
        "print": client.get(reverse("billing:invoice_print", args=[big_invoice.pk])),
        "invoices": client.get(reverse("billing:invoice_list")),
        "finance": client.get(reverse("billing:finance"), {"on": "2026-06-10", "year": "2026"}),
        "billing tab": client.get(reverse("billing:client_billing_panel", args=[world.dan.pk])),
        "dashboard": client.get(reverse("dashboard:home"), window),
        "drill-down": client.get(reverse("dashboard:kpi_drill"), {**window, "measure": "revenue"}),
    }
    for where, response in pages.items():
        assert response.status_code == 200, where
        _assert_one_form(response.content.decode(), where)
    assert re.search(r'id="invoice-total">\$1,232\.50<', pages["invoice"].content.decode())
    _assert_one_form(pdf_text(documents.invoice_pdf(big_invoice), tmp_path), "pdf")
    _assert_one_form(render_to_string("billing/emails/invoice_body.txt", {"invoice": big_invoice}), "e-mail")


def test_T43_csv_files_keep_plain_numbers(client, world, big_invoice):
    client.force_login(UserFactory(role="owner", email="owner@csv.example"))
    csv = client.get(reverse("billing:aging_csv"), {"on": "2026-06-10"}).content.decode()
    assert "1232.50" in csv and "$" not in csv and "1,232" not in csv


def test_T43_portal_bills_show_money_like_the_office_pages(world, big_invoice, office):
    pat = portal.portal_user_build(client=world.dan, actor=office)
    http = HttpClient()
    assert portal.code_login(http, pat.email).status_code == 302
    page = http.get("/portal/bills/")
    assert page.status_code == 200
    _assert_one_form(page.content.decode(), "portal")


@pytest.mark.parametrize(
    ("minutes", "shown"),
    [(1110, "18 h 30 min"), (45, "45 min"), (1200, "20 h"), (0, "0 min"), (-90, "-1 h 30 min"), (None, "")],
)
def test_T44_package_time_reads_in_hours_and_minutes(minutes, shown):
    assert hours_minutes(minutes) == shown


def test_T44_package_balances_show_hours_on_the_billing_tab_settings_and_portal(client, world, office):
    sell_package(world, world.carol, on=ny(2026, 6, 1, 9), pay=True)
    visit(world.carol, world.organizing, [world.alice], ny(2026, 6, 2, 9), ny(2026, 6, 2, 10, 30))  # 180 billed
    visit(world.carol, world.organizing, [world.alice], ny(2026, 6, 3, 9), ny(2026, 6, 3, 14, 30))  # 330 billed
    sync(world.carol)  # 1200 - 510 = 690 minutes left
    client.force_login(UserFactory(role="owner", email="owner@hours.example"))
    tab = client.get(reverse("billing:client_billing_panel", args=[world.carol.pk])).content.decode()
    assert "<strong>11 h 30 min</strong> left" in tab and "690 min" not in tab
    assert "-3 h" in tab and "-5 h 30 min" in tab  # the ledger's drawdowns
    setup = client.get(reverse("billing:settings")).content.decode()
    assert "20-hour package · 20 h · $1,700.00" in setup
    pat = portal.portal_user_build(client=world.carol, actor=office)
    http = HttpClient()
    assert portal.code_login(http, pat.email).status_code == 302
    bills = http.get("/portal/bills/").content.decode()
    assert "11 h 30 min of 20 h left" in bills and "hours left" not in bills
