"""Payments, their allocation to invoices, client credit (an append-only ledger) and recorded refunds."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from billing import money as bm
from billing.models import Allocation, ClientCreditEntry, CreditNote, Invoice, Payment
from clients.models import Client

ZERO = Decimal("0.00")
OPEN = (Invoice.Status.ISSUED, Invoice.Status.PARTIALLY_PAID)


def invoice_status_refresh(invoice: Invoice) -> Invoice:
    """amount_due = total − credit-note pre-payment parts − allocations; the status follows, never set by hand."""
    if invoice.status in (Invoice.Status.DRAFT, Invoice.Status.VOID):
        return invoice
    allocated = Allocation.objects.filter(invoice=invoice).aggregate(s=Sum("amount"))["s"] or ZERO
    credited = CreditNote.objects.filter(invoice=invoice, status="issued").aggregate(s=Sum("pre_payment"))["s"]
    invoice.amount_due = invoice.total - allocated - (credited or ZERO)
    if invoice.amount_due <= 0:
        invoice.status = Invoice.Status.PAID
    elif allocated:
        invoice.status = Invoice.Status.PARTIALLY_PAID
    else:
        invoice.status = Invoice.Status.ISSUED
    invoice.save(update_fields=["amount_due", "status"])
    return invoice


def credit_balance(client: Client, on: date | None = None) -> Decimal:
    entries = ClientCreditEntry.objects.filter(client=client)
    if on is not None:
        entries = entries.filter(effective_date__lte=on)
    return entries.aggregate(s=Sum("amount"))["s"] or ZERO


def credit_apply(*, invoice: Invoice, on: date) -> Decimal:
    """Apply available client credit to an invoice (at issue when auto-apply is on)."""
    Client.all_objects.select_for_update().get(pk=invoice.client_id)
    invoice = invoice_status_refresh(invoice)
    take = min(credit_balance(invoice.client), invoice.amount_due)
    if take <= 0:
        return ZERO
    entry = ClientCreditEntry.objects.create(client=invoice.client, kind="applied", amount=-take, effective_date=on,
                                             invoice=invoice)  # fmt: skip
    Allocation.objects.create(invoice=invoice, credit_entry=entry, amount=take, applied_on=on)
    invoice_status_refresh(invoice)
    return take


@transaction.atomic
def payment_record(
    *,
    client: Client,
    amount: Decimal,
    received_on: date,
    method: str,
    reference: str = "",
    note: str = "",
    allocations: list[tuple[Invoice, Decimal]] | None = None,
    creation_key: str | None = None,
) -> Payment:
    """Record money received. Without explicit allocations it pays the oldest due invoices first; whatever is
    left becomes client credit (an overpayment is never refused)."""
    if amount is None or amount <= 0:
        raise ValidationError({"amount": "A payment must be more than zero."}, code="amount")
    Client.all_objects.select_for_update().get(pk=client.pk)
    if creation_key:
        found = Payment.objects.filter(creation_key=creation_key).first()
        if found is not None:
            return found
    payment = Payment.objects.create(client=client, amount=amount, received_on=received_on, method=method,
                                     reference=reference, note=note, creation_key=creation_key)  # fmt: skip
    if allocations is None:
        open_invoices = list(
            Invoice.objects.select_for_update().filter(client=client, status__in=OPEN).order_by("due_date", "pk")
        )
        parts, _ = bm.allocate_oldest_first(amount, [i.amount_due for i in open_invoices])
        plan = list(zip(open_invoices, parts, strict=True))
    else:
        plan = []
        for invoice, part in allocations:
            invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
            if invoice.client_id != client.pk or invoice.status not in OPEN:
                raise ValidationError("Payments go to issued, unpaid invoices of this client.", code="invoice_state")
            if part <= 0 or part > invoice.amount_due:
                raise ValidationError(
                    "%(number)s: allocate between 0.01 and %(due)s.", code="over_allocation",
                    params={"number": invoice.number, "due": invoice.amount_due},
                )  # fmt: skip
            plan.append((invoice, part))
        if sum((p for _, p in plan), ZERO) > amount:
            raise ValidationError("The allocations exceed the payment.", code="over_allocation")
    left = amount
    for invoice, part in plan:
        if part > 0:
            Allocation.objects.create(invoice=invoice, payment=payment, amount=part, applied_on=received_on)
            invoice_status_refresh(invoice)
            left -= part
    if left > 0:
        ClientCreditEntry.objects.create(client=client, kind="overpayment", amount=left, effective_date=received_on,
                                         payment=payment)  # fmt: skip
    return payment


@transaction.atomic
def refund_record(*, client: Client, amount: Decimal, on: date) -> ClientCreditEntry:
    """A refund paid out of client credit (recorded; the money moves outside the app)."""
    Client.all_objects.select_for_update().get(pk=client.pk)
    if amount <= 0 or amount > credit_balance(client):
        raise ValidationError({"amount": "A refund must be positive and at most the client's credit."}, code="amount")
    return ClientCreditEntry.objects.create(client=client, kind="refund", amount=-amount, effective_date=on)
