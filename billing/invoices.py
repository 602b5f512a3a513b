"""Invoices: create from unbilled charges (idempotent), deposits, package sales, issue with a gapless number,
void, credit notes. Issued invoices are never edited: corrections are credit notes (docs/specs/billing.md)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import User
from billing import charges, conf, packages, payments, rates, totals
from billing import money as bm
from billing.models import (
    Charge,
    ClientCreditEntry,
    CreditNote,
    CreditNoteLine,
    Invoice,
    InvoiceLine,
    Package,
    PackageProduct,
)
from billing.watermarks import Changes
from clients.models import Client

ZERO = Decimal("0.00")
NOTHING_MSG = "Nothing to invoice: this client has no unbilled charges."
EMPTY_MSG = "An empty draft cannot be issued."
NOT_DRAFT_MSG = "Only a draft can be changed; issued invoices are corrected with a credit note."
REVIEW_MSG = "Some times were not recorded and the scheduled times stand in: confirm them to issue."


def next_number(series: str, year: int) -> int:
    """Take the next number of a yearly series inside the caller's transaction (gapless: a rollback returns it,
    and a concurrent caller waits on the row until this transaction ends)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO billing_counter (name, value) VALUES (%s, 1) "
            "ON CONFLICT (name) DO UPDATE SET value = billing_counter.value + 1 RETURNING value",
            [f"{series}-{year}"],
        )
        return int(cursor.fetchone()[0])


def _add_deposit_deductions(invoice: Invoice) -> bool:
    """Paid deposits not yet used are deducted, capped at this invoice's subtotal (the rest carries on).
    True when a deduction line was added (the totals must then be read again)."""
    deposits = list(
        InvoiceLine.objects.filter(
            kind="prepayment", active=True, invoice__client=invoice.client, invoice__status=Invoice.Status.PAID
        ).select_related("invoice").order_by("invoice__issue_date", "pk")
    )  # fmt: skip
    if not deposits:
        return False
    added = False
    subtotal = InvoiceLine.objects.filter(invoice=invoice, active=True).aggregate(s=Sum("amount"))["s"] or ZERO
    for deposit in deposits:
        used = (
            InvoiceLine.objects.filter(kind="prepayment_applied", active=True, deposit_of=deposit.invoice).aggregate(
                s=Sum("amount")
            )["s"]
            or ZERO
        )
        take = bm.deposit_deduction(available=deposit.amount + used, subtotal=subtotal)
        if take <= 0:
            continue
        InvoiceLine.objects.create(
            invoice=invoice, kind="prepayment_applied", deposit_of=deposit.invoice, amount=-take, unit_price=-take,
            description=f"Deposit applied ({deposit.invoice.number})",
        )  # fmt: skip
        subtotal -= take
        added = True
    return added


@transaction.atomic
def invoice_create(
    *, client: Client, creation_key: str, actor: User | None = None, known: Changes | None = None,
    known_at: datetime | None = None, shared: rates.Shared | None = None,
) -> Invoice:  # fmt: skip
    """One draft with every unbilled charge of the client. A retry with the same key returns the same draft;
    with nothing to bill no empty draft is made. A batch passes the source changes it read and what it shares
    between clients (see `charges.charges_sync_client`)."""
    # Also locks the client row: one creator at a time. No savepoint: any error fails this whole creation.
    charges.charges_sync_client(client=client, known=known, known_at=known_at, savepoint=False, shared=shared)
    found = Invoice.objects.filter(creation_key=creation_key).first()
    if found is not None:
        return found
    # FOR UPDATE re-checks `billed` on the locked row, so a charge another transaction billed meanwhile drops out.
    fresh = list(Charge.objects.select_for_update().filter(charges.unbilled_charges(client)).order_by("pk"))
    if not fresh:
        raise ValidationError(NOTHING_MSG, code="nothing_to_invoice")
    fresh.sort(key=lambda c: (c.service_date, c.visit_id or 0, c.pk))
    lines = [InvoiceLine(kind="charge", charge=c, **totals.line_values(c)) for c in fresh]  # type: ignore[misc]
    # The totals of these lines, summed here instead of read back (the same sums invoice_totals_refresh takes).
    subtotal, tax = sum((li.amount for li in lines), ZERO), sum((li.tax_amount for li in lines), ZERO)
    invoice = Invoice.objects.create(client=client, creation_key=creation_key, created_by=actor, subtotal=subtotal,
                                     tax_total=tax, total=subtotal + tax, amount_due=subtotal + tax)  # fmt: skip
    for line in lines:
        line.invoice = invoice
    InvoiceLine.objects.bulk_create(lines)
    if _add_deposit_deductions(invoice):
        return totals.invoice_totals_refresh(invoice)
    return invoice


def invoice_batch_create(*, batch_key: str, actor: User | None = None) -> list[Invoice]:
    """One draft per client with unbilled charges, each in its own transaction; idempotent per (batch, client),
    so a retried batch creates nothing twice."""
    made, at, shared = [], timezone.now(), rates.Shared()
    changes = charges.changes_of_all()
    for client in Client.all_objects.filter(pk__in=charges.clients_to_invoice(changes)).order_by("pk"):
        try:
            made.append(invoice_create(
                client=client, creation_key=f"{batch_key[:40]}:{client.pk}", actor=actor,
                known=changes.get(client.pk, Changes()), known_at=at, shared=shared,
            ))  # fmt: skip
        except ValidationError:
            continue  # billed meanwhile by someone else
    return made


@transaction.atomic
def deposit_invoice_create(*, client: Client, amount: Decimal, description: str, creation_key: str) -> Invoice:
    """A deposit (untaxed prepayment): not earned; deducted on later invoices once paid."""
    if amount <= 0:
        raise ValidationError({"amount": "A deposit must be more than zero."}, code="amount")
    Client.all_objects.select_for_update().get(pk=client.pk)
    found = Invoice.objects.filter(creation_key=creation_key).first()
    if found is not None:
        return found
    invoice = Invoice.objects.create(client=client, creation_key=creation_key)
    InvoiceLine.objects.create(invoice=invoice, kind="prepayment", description=description, amount=amount,
                               unit_price=amount)  # fmt: skip
    return totals.invoice_totals_refresh(invoice)


@transaction.atomic
def package_sell(
    *, client: Client, product: PackageProduct, creation_key: str, sold_on: datetime | None = None
) -> Package:
    """A package sale: a pending package and its draft invoice; an assessment billed within the window before the
    sale is credited once. The package activates when the invoice is issued."""
    charges.charges_sync_client(client=client)  # also locks the client row: one sale at a time
    found = Package.objects.filter(creation_key=creation_key).first()
    if found is not None:
        return found
    if not product.is_active:
        raise ValidationError({"product": "This package is no longer sold."}, code="inactive")
    day = rates.local_date(sold_on or timezone.now())
    invoice = Invoice.objects.create(client=client, creation_key=f"package:{creation_key}")
    window = day - timedelta(days=int(conf.get("BILLING_ASSESSMENT_CREDIT_DAYS")))
    assessment = (
        Charge.objects.filter(client=client, kind="flat_fee", service_date__gte=window, service_date__lte=day,
                              lines__active=True, lines__locked=True)
        .exclude(pk__in=InvoiceLine.objects.filter(active=True, credits_charge__isnull=False).values("credits_charge"))
        .order_by("-service_date").first()
    )  # fmt: skip
    credit = assessment.amount if assessment else ZERO
    package = Package.objects.create(
        client=client, product=product, name=product.name, minutes=product.minutes, price=product.price,
        net_price=product.price - credit, sold_on=day, free_cancellations=product.free_cancellations,
        cancel_fee_minutes=product.cancel_fee_minutes, covers_shopping=product.covers_shopping,
        overage_policy=product.overage_policy, low_balance_minutes=product.low_balance_minutes,
        tolerance_minutes=int(product.overage_tolerance_pct * product.minutes / 100),
        validity_months=product.validity_months, creation_key=creation_key,
    )  # fmt: skip
    InvoiceLine.objects.create(invoice=invoice, kind="package", package=package, description=product.name,
                               service_date=day, amount=product.price, unit_price=product.price)  # fmt: skip
    if assessment:
        number = assessment.lines.get(active=True).invoice.number
        InvoiceLine.objects.create(
            invoice=invoice, kind="assessment_credit", credits_charge=assessment, service_date=day, amount=-credit,
            unit_price=-credit, description=f"Assessment credit ({number})",
        )  # fmt: skip
    totals.invoice_totals_refresh(invoice)
    return package


@transaction.atomic
def invoice_issue(*, invoice: Invoice, now: datetime | None = None, confirm_review: bool = False) -> Invoice:
    """Number, date and freeze a draft; activate its packages; apply client credit. Short on purpose."""
    now = now or timezone.now()
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if not invoice.is_draft:
        raise ValidationError(NOT_DRAFT_MSG, code="not_draft")
    lines = InvoiceLine.objects.filter(invoice=invoice, active=True)
    if not lines.exists():
        raise ValidationError(EMPTY_MSG, code="empty")
    if not confirm_review and lines.filter(charge__needs_review=True).exists():
        raise ValidationError(REVIEW_MSG, code="needs_review")
    totals.invoice_totals_refresh(invoice)
    day = rates.local_date(now)
    invoice.issue_date = day
    invoice.due_date = day + timedelta(days=int(conf.get("BILLING_PAYMENT_TERMS_DAYS")))
    invoice.number = bm.invoice_number(day.year, next_number("invoice", day.year))
    invoice.issued_at = now
    invoice.status = Invoice.Status.ISSUED
    invoice.save()
    lines.update(locked=True)
    for line in lines.filter(kind="package").select_related("package"):
        if line.package is not None:
            packages.package_activate(package=line.package, on=day)
    if conf.get("BILLING_AUTO_APPLY_CREDIT"):
        payments.credit_apply(invoice=invoice, on=day)
    return payments.invoice_status_refresh(invoice)


@transaction.atomic
def invoice_delete_draft(*, invoice: Invoice) -> None:
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if not invoice.is_draft:
        raise ValidationError(NOT_DRAFT_MSG, code="not_draft")
    sold = InvoiceLine.objects.filter(invoice=invoice, kind="package").values("package")
    Package.objects.filter(pk__in=sold, status=Package.Status.PENDING).update(status=Package.Status.CANCELLED)
    invoice.delete()


@transaction.atomic
def invoice_void(*, invoice: Invoice, reason: str) -> Invoice:
    """Keep the number; release the charges. Only with nothing allocated and no credit note."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status != Invoice.Status.ISSUED or invoice.allocations.exists() or invoice.credit_notes.exists():
        raise ValidationError("Only an issued invoice with no payment and no credit note can be voided.", code="void")
    for line in InvoiceLine.objects.filter(invoice=invoice, kind="package").select_related("package"):
        if line.package and line.package.entries.exclude(kind="purchase").exists():
            raise ValidationError("This package has been used: issue a credit note instead.", code="package_used")
        if line.package:
            Package.objects.filter(pk=line.package.pk).update(status=Package.Status.CANCELLED)
    invoice.status = Invoice.Status.VOID
    invoice.void_reason = reason[:200]
    invoice.save(update_fields=["status", "void_reason"])
    InvoiceLine.objects.filter(invoice=invoice).update(active=False)
    return invoice


def credited_so_far(line: InvoiceLine) -> Decimal:
    return CreditNoteLine.objects.filter(invoice_line=line).aggregate(s=Sum("amount"))["s"] or ZERO


@transaction.atomic
def credit_note_create(
    *, invoice: Invoice, amounts: dict[int, Decimal], reason: str, disposition: str = "credit"
) -> CreditNote:
    """A draft credit note against lines of an issued invoice ({line id: amount ex tax})."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status in (Invoice.Status.DRAFT, Invoice.Status.VOID):
        raise ValidationError("Credit notes are for issued invoices.", code="not_issued")
    amounts = {k: v for k, v in amounts.items() if v}
    if not amounts or any(v < 0 for v in amounts.values()):
        raise ValidationError("Enter a positive amount to credit on at least one line.", code="amount")
    note = CreditNote.objects.create(client=invoice.client, invoice=invoice, reason=reason[:200],
                                     disposition=disposition)  # fmt: skip
    for line in InvoiceLine.objects.filter(invoice=invoice, pk__in=amounts).order_by("pk"):
        amount = amounts.pop(line.pk)
        if amount > line.amount - credited_so_far(line):
            raise ValidationError("%(line)s: more than is left to credit.", code="over_credit",
                                  params={"line": line.description[:60]})  # fmt: skip
        tax = bm.tax_of(amount, line.tax_rate) if line.taxable else ZERO
        CreditNoteLine.objects.create(credit_note=note, invoice_line=line, description=line.description,
                                      amount=amount, tax_amount=tax)  # fmt: skip
    if amounts:
        raise ValidationError("A line does not belong to this invoice.", code="line")
    sums = note.lines.aggregate(a=Sum("amount"), t=Sum("tax_amount"))
    note.subtotal, note.tax_total = sums["a"] or ZERO, sums["t"] or ZERO
    note.total = note.subtotal + note.tax_total
    note.save()
    return note


@transaction.atomic
def credit_note_issue(*, note: CreditNote, now: datetime | None = None) -> CreditNote:
    """Number it; it first reduces what is owed, the rest becomes client credit or a recorded refund."""
    note = CreditNote.objects.select_for_update().get(pk=note.pk)
    if note.status != CreditNote.Status.DRAFT:
        raise ValidationError("This credit note is already issued.", code="issued")
    invoice = payments.invoice_status_refresh(Invoice.objects.select_for_update().get(pk=note.invoice_id))
    day = rates.local_date(now or timezone.now())
    note.pre_payment, note.post_payment = bm.credit_split(total=note.total, amount_due=invoice.amount_due)
    note.number = bm.invoice_number(day.year, next_number("credit", day.year), prefix="CN-")
    note.issue_date, note.status = day, CreditNote.Status.ISSUED
    note.save()
    if note.post_payment:
        ClientCreditEntry.objects.create(client=note.client, kind="credit_note", amount=note.post_payment,
                                         effective_date=day, credit_note=note)  # fmt: skip
        if note.disposition == CreditNote.Disposition.REFUND:
            ClientCreditEntry.objects.create(client=note.client, kind="refund", amount=-note.post_payment,
                                             effective_date=day, credit_note=note)  # fmt: skip
    Charge.objects.filter(
        pk__in=note.lines.filter(invoice_line__charge__isnull=False).values("invoice_line__charge")
    ).update(credited=True)
    payments.invoice_status_refresh(invoice)
    return note


@transaction.atomic
def package_closeout_refund(
    *, package: Package, now: datetime | None = None, disposition: str = "refund"
) -> CreditNote:
    """Close a package with few unused minutes: a refund entry and a credit note on its invoice line."""
    day = rates.local_date(now or timezone.now())
    entry = packages.package_refund_entry(
        package=package, on=day, max_pct=Decimal(conf.get("BILLING_CLOSEOUT_REFUND_PCT"))
    )
    line = InvoiceLine.objects.get(package=package, kind="package", active=True)
    note = credit_note_create(invoice=line.invoice, amounts={line.pk: entry.value},
                              reason=f"Package close-out: {bm.minutes_text(-entry.minutes)} unused",
                              disposition=disposition)  # fmt: skip
    return credit_note_issue(note=note, now=now)


@transaction.atomic
def invoice_line_add(
    *, invoice: Invoice, description: str, quantity: Decimal, unit_price: Decimal, taxable: bool
) -> InvoiceLine:
    """A free line on a draft; the amount is rounded once (3 × 33.335 = 100.01)."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if not invoice.is_draft:
        raise ValidationError(NOT_DRAFT_MSG, code="not_draft")
    if quantity <= 0:
        raise ValidationError({"quantity": "Enter a quantity above zero."}, code="quantity")
    amount = bm.money(quantity * unit_price)
    rate = totals.tax_rate_for(taxable)
    line = InvoiceLine.objects.create(
        invoice=invoice, kind="manual", description=description, quantity=quantity, unit_price=unit_price,
        amount=amount, taxable=taxable, tax_rate=rate, tax_amount=bm.tax_of(amount, rate) if taxable else ZERO,
    )  # fmt: skip
    totals.invoice_totals_refresh(invoice)
    return line
