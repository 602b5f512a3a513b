"""The invoice's print page and its PDF, rendered on the server by WeasyPrint (docs/specs/billing.md §5): the PDF
is a real one (read back with pdftotext) holding the number, every line and the total; both are billing pages."""

import shutil
import subprocess
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from billing import documents, invoices
from tests.accounts.factories import UserFactory
from tests.billing.world import ny, sync, visit


@pytest.fixture
def invoice(world):
    start = ny(2026, 6, 2, 9)
    visit(world.carol, world.organizing, [world.alice], start, start + timedelta(minutes=180))
    sync(world.carol)
    draft = invoices.invoice_create(client=world.carol, creation_key="doc")
    invoices.invoice_line_add(invoice=draft, description="Storage bins <b>& labels</b>", quantity=Decimal("3"),
                              unit_price=Decimal("12.50"), taxable=True)  # fmt: skip
    return invoices.invoice_issue(invoice=draft, now=ny(2026, 6, 3, 9), confirm_review=True)


def pdf_text(data: bytes, tmp_path) -> str:
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext missing: apt-get install poppler-utils (.ci/run installs it)")
    path = tmp_path / "invoice.pdf"
    path.write_bytes(data)
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return done.stdout


def test_the_pdf_view_renders_a_real_pdf_with_number_lines_and_total(client, invoice, tmp_path):
    client.force_login(UserFactory(role="owner"))
    response = client.get(reverse("billing:invoice_pdf", args=[invoice.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="invoice-{invoice.number}.pdf"' in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response.content, tmp_path)
    assert f"Invoice {invoice.number}" in text
    assert "Carol" in text
    for line in invoice.lines.filter(active=True):
        assert line.description[:40] in text, line.description
        assert f"${line.amount:,.2f}".replace(",", "") in text.replace(",", "")
    assert "Storage bins <b>& labels</b>" in text  # shown as text, never as markup
    assert f"${invoice.total}" in text and invoice.total == Decimal("310.83")  # 270 + 37.50 + 3.33 tax


def test_a_draft_pdf_says_draft_and_has_no_number(client, world, tmp_path):
    start = ny(2026, 6, 4, 9)
    visit(world.dan, world.organizing, [world.ben], start, start + timedelta(minutes=180))
    draft = invoices.invoice_create(client=world.dan, creation_key="draft-doc")
    text = pdf_text(documents.invoice_pdf(draft), tmp_path)
    assert "DRAFT" in text and f"${draft.total}" in text
    assert documents.invoice_pdf_filename(draft) == f"invoice-draft-{draft.pk}.pdf"


def test_the_print_page_carries_its_css_under_the_csp_nonce(client, invoice):
    client.force_login(UserFactory(role="owner"))
    response = client.get(reverse("billing:invoice_print", args=[invoice.pk]))
    assert response.status_code == 200
    nonce = response.wsgi_request.csp_nonce
    assert f'<style nonce="{nonce}">'.encode() in response.content
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"].split("style-src ")[1].split(";")[0]
    assert invoice.number.encode() in response.content and b"$310.83" in response.content


@pytest.mark.parametrize("name", ["invoice_print", "invoice_pdf"])
def test_organizers_and_office_without_permission_get_403(client, world, invoice, name):
    for user in (world.alice, UserFactory(role="office")):
        client.force_login(user)
        response = client.get(reverse(f"billing:{name}", args=[invoice.pk]))
        assert response.status_code == 403 and b"310.83" not in response.content
    client.force_login(UserFactory(role="owner"))
    assert client.get(reverse(f"billing:{name}", args=[999_999])).status_code == 404
