"""Invoice documents: the printable page and its PDF, rendered on the server by WeasyPrint from the same template.

WeasyPrint fetches nothing: the template carries its own CSS and no images, and the URL fetcher refuses every
scheme, so an invoice line can never make the server read a file or call a URL (docs/specs/billing.md §5).
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from billing import conf, selectors
from billing.models import Invoice

TEMPLATE = "billing/invoice_print.html"


def invoice_print_context(invoice: Invoice) -> dict[str, Any]:
    return {
        "invoice": invoice, "groups": selectors.invoice_groups(invoice), "business": conf.get("BILLING_BUSINESS_NAME"),
        "business_address": conf.get("BILLING_BUSINESS_ADDRESS"),
        "contact": invoice.client.contacts.filter(is_primary=True).first(),
    }  # fmt: skip


def invoice_html(invoice: Invoice) -> str:
    return render_to_string(TEMPLATE, invoice_print_context(invoice))


def invoice_pdf(invoice: Invoice) -> bytes:
    fetcher = URLFetcher(allowed_protocols=(), fail_on_errors=False)
    return bytes(HTML(string=invoice_html(invoice), url_fetcher=fetcher).write_pdf())


def invoice_pdf_filename(invoice: Invoice) -> str:
    return f"invoice-{invoice.number or f'draft-{invoice.pk}'}.pdf"
