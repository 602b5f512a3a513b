"""Billing pages per role (owner always; office when the owner allows; organizers never), a missing object is
404, and each form's bad input leaves the database unchanged."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from billing import invoices
from billing.models import Biller, Invoice, Package, Payment
from tests.accounts.factories import UserFactory
from tests.billing.world import issue_all, ny, sync, visit

D = Decimal


@pytest.fixture
def roles(world):
    return {
        "owner": UserFactory(role="owner", email="owner@billing.example"),
        "office": UserFactory(role="office", email="office@billing.example"),
        "organizer": world.alice,
    }


@pytest.fixture
def invoice(world):
    start = ny(2026, 6, 2, 9)
    visit(world.carol, world.organizing, [world.alice], start, start + timedelta(minutes=180))
    sync(world.carol)
    return issue_all(world.carol, key="v", now=ny(2026, 6, 3, 9))


def _pages(world, invoice):
    carol = world.carol.pk
    return [
        reverse("billing:ready"), reverse("billing:invoice_list"), reverse("billing:invoice_detail", args=[invoice.pk]),
        reverse("billing:invoice_create", args=[carol]), reverse("billing:payment_create", args=[carol]),
        reverse("billing:package_sell", args=[carol]), reverse("billing:client_billing_panel", args=[carol]),
        reverse("billing:credit_note_create", args=[invoice.pk]), reverse("billing:finance"),
        reverse("billing:finance_csv"),
    ]  # fmt: skip


def test_owner_opens_every_billing_page(client, world, roles, invoice):
    client.force_login(roles["owner"])
    for url in _pages(world, invoice):
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("billing:settings")).status_code == 200


def test_office_needs_the_owners_permission(client, world, roles, invoice):
    client.force_login(roles["office"])
    for url in _pages(world, invoice):
        assert client.get(url).status_code == 403, url
    Biller.objects.create(user=roles["office"])
    for url in _pages(world, invoice):
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("billing:settings")).status_code == 403


def test_organizers_never_see_billing(client, world, roles, invoice):
    Biller.objects.create(user=roles["office"])
    client.force_login(roles["organizer"])
    for url in [*_pages(world, invoice), reverse("billing:settings")]:
        response = client.get(url)
        assert response.status_code == 403 and b"270.00" not in response.content, url
    response = client.post(reverse("billing:invoice_issue", args=[invoice.pk]))
    assert response.status_code == 403


def test_missing_objects_are_404(client, roles):
    client.force_login(roles["owner"])
    for name in ("invoice_detail", "invoice_create", "payment_create", "package_sell", "client_billing_panel",
                 "credit_note_create"):  # fmt: skip
        assert client.get(reverse(f"billing:{name}", args=[999_999])).status_code == 404, name
    for name in ("invoice_issue", "invoice_void", "invoice_delete", "credit_note_issue"):
        assert client.post(reverse(f"billing:{name}", args=[999_999])).status_code == 404, name


def test_client_page_loads_the_billing_panel_for_billers_only(client, world, roles):
    url = reverse("clients:client_detail", args=[world.carol.pk])
    panel = reverse("billing:client_billing_panel", args=[world.carol.pk])
    client.force_login(roles["owner"])
    assert panel in client.get(url).content.decode()
    client.force_login(roles["office"])
    assert panel not in client.get(url).content.decode()


def test_create_issue_and_pay_through_the_pages(client, world, roles):
    start = ny(2026, 6, 2, 9)
    visit(world.carol, world.organizing, [world.alice], start, start + timedelta(minutes=180))
    client.force_login(roles["owner"])
    url = reverse("billing:invoice_create", args=[world.carol.pk])
    assert "Carol" in client.get(reverse("billing:ready")).content.decode()
    response = client.post(url, {"creation_key": "same"})
    draft = Invoice.objects.get()
    assert response["Location"] == draft.get_absolute_url()
    assert client.post(url, {"creation_key": "same"})["Location"] == draft.get_absolute_url()  # a retry
    assert Invoice.objects.count() == 1
    client.post(reverse("billing:invoice_issue", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.number and draft.status == "issued"
    pay = reverse("billing:payment_create", args=[world.carol.pk])
    data = {"creation_key": "p1", "amount": "300.00", "received_on": "2026-06-05", "method": "check"}
    assert client.post(pay, data).status_code == 302
    draft.refresh_from_db()
    assert draft.status == "paid"
    csv = client.get(reverse("billing:finance_csv") + "?year=2026").content.decode()
    assert "2026-06" in csv


def test_bad_payments_are_form_errors_and_change_nothing(client, world, roles, invoice):
    client.force_login(roles["owner"])
    url = reverse("billing:payment_create", args=[world.carol.pk])
    base = {"creation_key": "k", "received_on": "2026-06-05", "method": "cash"}
    for bad in ({"amount": "0"}, {"amount": "-5"}, {"amount": "abc"}, {"amount": "500", "invoice": invoice.pk,
                                                                       "allocate": "300.00"}):  # fmt: skip
        response = client.post(url, {**base, **bad})
        assert response.status_code == 400, bad
    assert not Payment.objects.exists()
    start = ny(2026, 6, 4, 9)
    visit(world.dan, world.organizing, [world.alice], start, start + timedelta(minutes=180))
    dans = issue_all(world.dan, key="dan", now=ny(2026, 6, 5, 9))
    response = client.post(url, {**base, "amount": "50", "invoice": dans.pk})  # another client's invoice
    assert response.status_code == 400 and not Payment.objects.exists()
    invoices.invoice_void(invoice=invoice, reason="x")
    response = client.post(url, {**base, "amount": "50", "invoice": invoice.pk})
    assert response.status_code == 400 and not Payment.objects.exists()  # a void invoice is not a choice


def test_package_double_submit_sells_one_package(client, world, roles):
    client.force_login(roles["owner"])
    url = reverse("billing:package_sell", args=[world.carol.pk])
    for _ in range(2):
        assert client.post(url, {"creation_key": "once", "product": world.package.pk}).status_code == 302
    assert Package.objects.count() == 1 and Invoice.objects.count() == 1
    assert client.post(url, {"creation_key": "x", "product": 999_999}).status_code == 400
    assert Package.objects.count() == 1


def test_issue_void_credit_and_line_bad_input(client, world, roles, invoice):
    client.force_login(roles["owner"])
    client.post(reverse("billing:invoice_void", args=[invoice.pk]), {"reason": ""})
    invoice.refresh_from_db()
    assert invoice.status == "issued"
    line = invoice.lines.get()
    url = reverse("billing:credit_note_create", args=[invoice.pk])
    response = client.post(url, {"reason": "too much", "disposition": "credit", f"line_{line.pk}": "999"})
    assert response.status_code == 200 and not invoice.credit_notes.exists()
    response = client.post(url, {"reason": "none", "disposition": "credit"})
    assert response.status_code == 200 and not invoice.credit_notes.exists()
    add = reverse("billing:invoice_line_add", args=[invoice.pk])
    assert client.post(add, {"description": "x", "quantity": "1", "unit_price": "5"}).status_code == 302
    assert invoice.lines.count() == 1  # an issued invoice takes no new line
    empty = Invoice.objects.create(client=world.carol)
    client.post(reverse("billing:invoice_issue", args=[empty.pk]))
    empty.refresh_from_db()
    assert empty.status == "draft" and empty.number is None
    client.post(reverse("billing:invoice_line_add", args=[empty.pk]), {"description": "x", "quantity": "0",
                "unit_price": "5"})  # fmt: skip
    assert not empty.lines.exists()


def test_only_the_owner_changes_billing_settings(client, roles):
    client.force_login(roles["owner"])
    client.post(reverse("billing:settings"), {"form": "billers", "billers-billers": [roles["office"].pk]})
    assert Biller.objects.filter(user=roles["office"]).exists()
    client.force_login(roles["office"])
    assert client.post(reverse("billing:settings"), {}).status_code == 403
    assert Biller.objects.filter(user=roles["office"]).exists()


def test_batch_creates_one_draft_per_client_once(client, world, roles):
    for who in (world.carol, world.dan):
        start = ny(2026, 6, 2, 9)
        visit(who, world.organizing, [world.alice], start, start + timedelta(minutes=180))
    client.force_login(roles["owner"])
    for _ in range(2):  # a retried submit
        response = client.post(reverse("billing:invoice_batch"), {"creation_key": "batch-june"})
        assert response.status_code == 302
    assert Invoice.objects.filter(status="draft").count() == 2
    assert client.post(reverse("billing:invoice_batch"), {}).status_code == 302
    assert Invoice.objects.count() == 2


def test_owner_sets_up_products_rates_and_pricing_and_bad_input_changes_nothing(client, world, roles):
    from billing.models import ClientRate, PackageProduct, TypePricing

    client.force_login(roles["owner"])
    url = reverse("billing:settings")
    product = {"form": "product", "product-name": "10-hour package", "product-minutes": "600",
               "product-price": "900.00", "product-validity_months": "12", "product-free_cancellations": "2",
               "product-cancel_fee_minutes": "60", "product-covers_shopping": "on",
               "product-overage_policy": "split_hourly", "product-overage_tolerance_pct": "10",
               "product-low_balance_minutes": "120"}  # fmt: skip
    assert client.post(url, {**product, "product-price": "0"}).status_code == 400
    assert client.post(url, product).status_code == 302
    assert PackageProduct.objects.filter(name="10-hour package").exists()
    rate = {"form": "rate", "rate-client": world.carol.pk, "rate-rate": "0"}
    for bad in ("0", "-1", "x"):
        assert client.post(url, {**rate, "rate-rate": bad}).status_code == 400
    assert not ClientRate.objects.filter(client=world.carol).exists()
    assert client.post(url, {**rate, "rate-rate": "88.00"}).status_code == 302
    assert client.post(url, {**rate, "rate-rate": "77.00"}).status_code == 302  # one client-wide rate: changed
    assert list(ClientRate.objects.filter(client=world.carol).values_list("rate", flat=True)) == [D("77.00")]
    assert client.post(url, {**product, "product-name": "10-HOUR package"}).status_code == 400  # name taken
    assert client.post(url, {**product, "product-name": "x", "product-overage_tolerance_pct": "150"}).status_code == 400
    assert PackageProduct.objects.count() == 2
    pricing = {"form": "pricing", "pricing-appointment_type": world.organizing.pk, "pricing-pricing": "flat",
               "pricing-flat_price": "0"}  # fmt: skip
    assert client.post(url, pricing).status_code == 400
    assert client.post(url, {**pricing, "pricing-flat_price": "120.00"}).status_code == 302
    assert TypePricing.objects.get(appointment_type=world.organizing).flat_price == D("120.00")
