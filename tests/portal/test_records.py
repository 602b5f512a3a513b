"""The client's projects and bills in the portal (docs/specs/portal.md §10; SW8 for their ids)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from billing import invoices
from billing.models import Invoice
from projects import services as project_services
from tests.authz.world import assert_no_leak, normalized

MISSING = 999_999_999


def _project(client, name):
    project = project_services.project_create(data={"client": client, "name": name, "start_on": date(2026, 6, 1)})
    pack = project_services.task_create(project=project, data={"name": "Pack", "duration_wd": 3})
    project_services.task_create(project=project, data={"name": "Move day", "duration_wd": 0})
    pack.__class__.objects.filter(pk=pack.pk).update(progress_pct=50)
    return project


def _issued_invoice(client, amount):
    draft = Invoice.objects.create(client=client)
    invoices.invoice_line_add(invoice=draft, description="Organizing", quantity=Decimal("1"),
                              unit_price=Decimal(amount), taxable=False)  # fmt: skip
    return invoices.invoice_issue(invoice=draft)


@pytest.fixture
def records(client_a, client_b, portal_p):
    return {
        "own_project": _project(client_a, "Alder kitchen reset"),
        "foreign_project": _project(client_b, "Birchwood estate"),
        "own_invoice": _issued_invoice(client_a, "123.45"),
        "foreign_invoice": _issued_invoice(client_b, "987.65"),
    }


def test_W8_projects_show_milestones_and_progress_and_hide_other_clients(signed_in_p, records, client_b):
    listing = signed_in_p.get("/portal/projects/").content.decode()
    assert "Alder kitchen reset" in listing and "Birchwood estate" not in listing
    own = signed_in_p.get(f"/portal/projects/{records['own_project'].pk}/")
    assert own.status_code == 200 and "Move day" in own.content.decode() and "50.0% done" in own.content.decode()
    foreign = signed_in_p.get(f"/portal/projects/{records['foreign_project'].pk}/")
    missing = signed_in_p.get(f"/portal/projects/{MISSING}/")
    assert foreign.status_code == missing.status_code == 404
    assert normalized(foreign) == normalized(missing)
    assert_no_leak(foreign, client_b)


def test_W8_bills_show_only_the_clients_own_open_invoices(signed_in_p, records, client_b):
    page = signed_in_p.get("/portal/bills/")
    body = page.content.decode()
    assert page.status_code == 200
    assert records["own_invoice"].number in body and "123.45" in body
    assert records["foreign_invoice"].number not in body and "987.65" not in body
    assert_no_leak(page, client_b)


def test_W49_bills_list_paid_invoices_and_payments_as_plain_data(signed_in_p, client_a, client_b):
    from billing import payments

    paid = _issued_invoice(client_a, "210.00")
    payments.payment_record(
        client=client_a, amount=Decimal("210.00"), received_on=date(2026, 11, 3), method="zelle",
        reference="ZL-SECRET-REF", note="office only note", allocations=[(paid, Decimal("210.00"))],
    )  # fmt: skip
    foreign = _issued_invoice(client_b, "333.00")
    payments.payment_record(
        client=client_b, amount=Decimal("333.00"), received_on=date(2026, 11, 4), method="cash",
        allocations=[(foreign, Decimal("333.00"))],
    )  # fmt: skip
    Invoice.objects.create(client=client_a)  # a draft is never shown
    page = signed_in_p.get("/portal/bills/")
    body = page.content.decode()
    assert page.status_code == 200
    paid.refresh_from_db()
    assert paid.status == "paid"
    assert [i.number for i in page.context["paid_invoices"]] == [paid.number]
    assert [(p.amount, p.method) for p in page.context["payments"]] == [(Decimal("210.00"), "Zelle")]
    assert "Paid invoices" in body and "Nov 3, 2026" in body and "Zelle" in body
    assert "ZL-SECRET-REF" not in body and "office only note" not in body  # the office's reference and note
    assert foreign.number not in body and "333.00" not in body
    assert_no_leak(page, client_b)
