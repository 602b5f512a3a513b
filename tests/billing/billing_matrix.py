"""Billing rows of the authorization matrix (tests/test_authz_matrix.py merges them, as it does the inventory rows).

`rules` returns {url name: Rule}; `objects_for` adds the objects those rules need to the matrix's world. Who may
do what: billing is the owner's; office staff only those the owner marks as billers (the matrix's office user is
not one, so 403 here; tests/billing/test_billers.py has a biller and a non-biller side by side);
organizers never, whatever the object (403 before any lookup). A missing object is 404 for the owner.
"""

from decimal import Decimal
from typing import Any

from billing import invoices
from billing.models import CreditNote, Invoice, InvoiceBatch, PackageProduct


def rules(*, page: Any, obj: Any, Rule: Any) -> dict[str, Any]:
    def owner_obj(kind: str, method: str = "GET", *, status: int) -> Any:
        return Rule(method, kind, {"owner": (status, status, 404), "office": (403, 403, 403),
                                   "organizer": (403, 403, 403)})  # fmt: skip

    def owner_page(method: str = "GET", *, status: int = 200) -> Any:
        return page(method, owner=status, office=403, organizer=403)

    return {
        "billing:ready": owner_page(),
        "billing:invoice_list": owner_page(),
        "billing:invoice_batch": owner_page("POST", status=302),  # no key: a message
        "billing:finance": owner_page(),
        "billing:finance_csv": owner_page(),
        "billing:aging_csv": owner_page(),
        "billing:settings": owner_page(),
        "billing:invoice_detail": owner_obj("invoice", status=200),
        "billing:batch_detail": owner_obj("invoicebatch", status=200),
        "billing:batch_progress": owner_obj("invoicebatch", status=200),
        "billing:invoice_print": owner_obj("invoice", status=200),
        "billing:invoice_pdf": owner_obj("invoice", status=200),
        "billing:invoice_email": owner_obj("invoice", "POST", status=302),  # empty form: a message
        "billing:invoice_issue": owner_obj("invoice", "POST", status=302),  # already issued: a message, no change
        "billing:invoice_void": owner_obj("invoice", "POST", status=302),  # no reason given: a message
        "billing:invoice_delete": owner_obj("invoice", "POST", status=302),  # not a draft: a message
        "billing:invoice_line_add": owner_obj("invoice", "POST", status=302),  # empty form: a message
        "billing:credit_note_create": owner_obj("invoice", status=200),
        "billing:credit_note_issue": owner_obj("creditnote", "POST", status=302),
        "billing:invoice_create": owner_obj("client", status=200),
        "billing:payment_create": owner_obj("client", status=200),
        "billing:package_sell": owner_obj("client", status=200),
        "billing:client_billing_panel": owner_obj("client", status=200),
        "billing:charges_update": owner_page("POST", status=302),  # no client: every client with changed work
        "billing:charges_reprice": owner_obj("client", "POST", status=302),
        "billing:package_move": owner_obj("client", "POST", status=302),  # empty form: a message
        "billing:package_close": owner_obj("package", "POST", status=302),  # pending: refused with a message
    }


def objects_for(*, client_obj: Any, organizer: Any, owner: Any, visit: Any) -> dict[str, Any]:
    """An issued invoice of the client (one manual line), a draft credit note against it, a batch job."""
    draft = Invoice.objects.create(client=client_obj)
    line = invoices.invoice_line_add(
        invoice=draft, description=f"Matrix line {client_obj.pk}", quantity=Decimal("1"), unit_price=Decimal("80"),
        taxable=False,
    )  # fmt: skip
    issued = invoices.invoice_issue(invoice=draft)
    note = invoices.credit_note_create(invoice=issued, amounts={line.pk: Decimal("10")}, reason="matrix")
    assert note.status == CreditNote.Status.DRAFT
    batch = InvoiceBatch.objects.create(key=f"matrix-{client_obj.pk}")
    product, _ = PackageProduct.objects.get_or_create(
        name="Matrix package", defaults={"minutes": 600, "price": Decimal("850")}
    )
    package = invoices.package_sell(client=client_obj, product=product, creation_key=f"matrix-{client_obj.pk}")
    return {"invoice": issued, "creditnote": note, "invoicebatch": batch, "package": package}
