"""Billing pages: the owner's, and office staff's when the owner allows it (403 for everyone else, before any
object is looked up; a missing object is 404). Views are thin: services do the work, selectors the reads."""

from __future__ import annotations

import csv
import functools
import logging
from collections.abc import Callable
from datetime import date
from typing import Any, cast
from urllib.parse import urlencode

from csp.constants import NONCE
from csp.decorators import csp_update
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access
from accounts.http import AuthedHttpRequest, form_add_service_error
from billing import (
    charges,
    closeout,
    conf,
    documents,
    forms,
    invoices,
    mailing,
    payments,
    rates,
    reprice,
    selectors,
    tasks,
)
from billing import money as bm
from billing.models import (
    Invoice,
)

T = "billing/"
CLIENTS_PER_AGING_PAGE = 50
logger = logging.getLogger("organizer_pm.billing")
# The print page carries its own CSS (shared with the PDF) under the request's nonce.
_style_nonce: Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]] = cast(
    Any, csp_update({"style-src": [NONCE]})
)


def billing_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not selectors.may_bill(request.user):
            access.log_denied(request, "billing")
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _today() -> date:
    return rates.local_date(timezone.now())


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@require_GET
@billing_required
def ready(request: AuthedHttpRequest) -> HttpResponse:
    rows = selectors.ready_to_invoice()
    pending = sum(row.pending for row in rows)
    return render(request, T + "ready.html", {"rows": rows, "key": forms.new_key(), "pending": pending})


@require_POST
@billing_required
def charges_update(request: AuthedHttpRequest) -> HttpResponse:
    """Turn finished work into charges now (pages only show it as pending): one client, or every client with
    changed work (a Celery job when there are many, as beat would)."""
    raw = request.POST.get("client", "")
    if raw.isdigit():
        client = selectors.client_get(pk=int(raw))
        written = charges.charges_sync_client(client=client)
        messages.success(request, f"Charges updated ({written} change{'s' if written != 1 else ''}).")
        return redirect(client.get_absolute_url())
    waiting = charges.clients_to_sync()
    if len(waiting) > int(conf.get("BILLING_BATCH_INLINE_MAX")):
        try:
            tasks.charges_sync.delay()
        except Exception:  # noqa: BLE001 - beat runs the same sync within minutes
            logger.warning("charges_sync_publish_failed")
        messages.success(request, f"Charges of {len(waiting)} clients are being updated; reload in a minute.")
    else:
        written = sum(charges.charges_sync_client(client=c) for c in selectors.clients_in(waiting))
        messages.success(request, f"Charges updated ({written} change{'s' if written != 1 else ''}).")
    return redirect("billing:ready")


@require_GET
@billing_required
def invoice_list(request: AuthedHttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    return render(request, T + "invoice_list.html", {
        "invoices": selectors.invoice_list(status=status)[:200], "status": status,
        "statuses": Invoice.Status.choices, "today": _today(),
    })  # fmt: skip


@require_GET
@billing_required
def invoice_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    invoice = selectors.invoice_get(pk=pk)
    return render(request, T + "invoice_detail.html", {
        "invoice": invoice, "groups": selectors.invoice_groups(invoice), "line_form": forms.ManualLineForm(),
        "void_form": forms.VoidForm(), "credit_notes": invoice.credit_notes.all(),
        "email_form": forms.InvoiceEmailForm(initial={
            "creation_key": forms.new_key(), "recipient": mailing.default_recipient(invoice),
        }),
        "emails": selectors.invoice_emails(invoice),
        "allocations": invoice.allocations.select_related("payment"),
        "needs_review": invoice.lines.filter(active=True, charge__needs_review=True).exists(),
    })  # fmt: skip


@require_GET
@billing_required
@_style_nonce
def invoice_print(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    invoice = selectors.invoice_get(pk=pk)
    return render(
        request,
        T + "invoice_print.html",
        {
            **documents.invoice_print_context(invoice),
            "screen": True,
            "nonce": str(getattr(request, "csp_nonce", "")),
        },
    )  # fmt: skip)


@require_GET
@billing_required
def invoice_pdf(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    invoice = selectors.invoice_get(pk=pk)
    response = HttpResponse(documents.invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{documents.invoice_pdf_filename(invoice)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
@billing_required
def invoice_create(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    client = selectors.client_get(pk=pk)
    form = forms.KeyedForm(request.POST or None, initial={"creation_key": forms.new_key()})
    if request.method == "POST" and form.is_valid():
        try:
            invoice = invoices.invoice_create(
                client=client, creation_key=form.cleaned_data["creation_key"], actor=request.user
            )
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            return redirect(invoice.get_absolute_url())
    billing = selectors.client_billing(client)
    return render(request, T + "invoice_create.html", {
        "client": client, "form": form, "charges": billing["unbilled"], "pending": billing["pending"],
    })  # fmt: skip


@require_POST
@billing_required
def invoice_issue(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    invoice = selectors.invoice_get(pk=pk)
    try:
        invoice = invoices.invoice_issue(invoice=invoice, confirm_review=request.POST.get("confirm") == "1")
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, f"Invoice {invoice.number} issued.")
    return redirect(invoice.get_absolute_url())


@require_POST
@billing_required
def invoice_email(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Queue the invoice's e-mail with its PDF; a Celery task sends it (a double submit queues one)."""
    invoice = selectors.invoice_get(pk=pk)
    form = forms.InvoiceEmailForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter the e-mail address to send the invoice to.")
        return redirect(invoice.get_absolute_url())
    try:
        mailing.invoice_email_queue(
            invoice=invoice, recipient=form.cleaned_data["recipient"], creation_key=form.cleaned_data["creation_key"],
            actor=request.user,
        )  # fmt: skip
    except ValidationError as exc:
        _errors(request, exc)
    else:
        _dispatch_emails_soon()
        messages.success(request, f"Invoice {invoice.number} will be e-mailed to {form.cleaned_data['recipient']}.")
    return redirect(invoice.get_absolute_url())


def _dispatch_emails_soon() -> None:
    """Ask a worker to send now; if the broker is down the row waits and beat's next tick sends it."""
    try:
        tasks.dispatch_invoice_emails.delay()
    except Exception:  # noqa: BLE001 - the e-mail is queued in the database either way
        logger.warning("invoice_email_dispatch_publish_failed")


@require_POST
@billing_required
def invoice_void(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    invoice = selectors.invoice_get(pk=pk)
    form = forms.VoidForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a reason to void the invoice.")
        return redirect(invoice.get_absolute_url())
    try:
        invoices.invoice_void(invoice=invoice, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, f"Invoice {invoice.number} voided; its charges can be billed again.")
    return redirect(invoice.get_absolute_url())


@require_POST
@billing_required
def invoice_delete(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    invoice = selectors.invoice_get(pk=pk)
    try:
        invoices.invoice_delete_draft(invoice=invoice)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect(invoice.get_absolute_url())
    messages.success(request, "Draft deleted; its charges are unbilled again.")
    return redirect("billing:invoice_list")


@require_POST
@billing_required
def invoice_line_add(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    invoice = selectors.invoice_get(pk=pk)
    form = forms.ManualLineForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter a description, a quantity above zero and a unit price.")
        return redirect(invoice.get_absolute_url())
    try:
        invoices.invoice_line_add(invoice=invoice, **form.cleaned_data)
    except ValidationError as exc:
        _errors(request, exc)
    return redirect(invoice.get_absolute_url())


@require_http_methods(["GET", "POST"])
@billing_required
def credit_note_create(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    invoice = selectors.invoice_get(pk=pk)
    lines = list(invoice.lines.filter(active=True).exclude(amount__lte=0))
    form = forms.CreditNoteForm(request.POST or None, lines=lines)
    if request.method == "POST" and form.is_valid():
        try:
            note = invoices.credit_note_create(
                invoice=invoice, amounts=form.amounts(), reason=form.cleaned_data["reason"],
                disposition=form.cleaned_data["disposition"],
            )  # fmt: skip
            note = invoices.credit_note_issue(note=note)
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, f"Credit note {note.number} issued.")
            return redirect(invoice.get_absolute_url())
    return render(request, T + "credit_note_form.html", {"invoice": invoice, "form": form})


@require_POST
@billing_required
def credit_note_issue(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    note = selectors.credit_note_get(pk=pk)
    try:
        note = invoices.credit_note_issue(note=note)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, f"Credit note {note.number} issued.")
    return redirect(note.invoice.get_absolute_url())


@require_http_methods(["GET", "POST"])
@billing_required
def payment_create(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    client = selectors.client_get(pk=pk)
    initial = {"creation_key": forms.new_key(), "received_on": _today(), "invoice": request.GET.get("invoice")}
    form = forms.PaymentForm(request.POST or None, client=client, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payments.payment_record(
                client=client, amount=data["amount"], received_on=data["received_on"], method=data["method"],
                reference=data["reference"], note=data["note"], allocations=form.allocations(),
                creation_key=data["creation_key"],
            )  # fmt: skip
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, "Payment recorded.")
            return redirect(client.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, T + "payment_form.html", {"client": client, "form": form}, status=status)


@require_http_methods(["GET", "POST"])
@billing_required
def package_sell(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    client = selectors.client_get(pk=pk)
    form = forms.PackageSellForm(request.POST or None, initial={"creation_key": forms.new_key()})
    if request.method == "POST" and form.is_valid():
        try:
            package = invoices.package_sell(
                client=client, product=form.cleaned_data["product"], creation_key=form.cleaned_data["creation_key"]
            )
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            return redirect(selectors.package_invoice(package).get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, T + "package_form.html", {"client": client, "form": form}, status=status)


@require_GET
@billing_required
def client_billing_panel(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The client page's billing tab, loaded by htmx (the clients app never imports billing)."""
    client = selectors.client_get(pk=pk)
    billing = selectors.client_billing(client)
    open_packages = [p for p, _ in billing["packages"] if p.status in ("active", "exhausted", "pending")]
    move_form = forms.PackageMoveForm(client=client) if len(open_packages) > 1 else None
    return render(request, T + "partials/client_billing.html", {"client": client, "move_form": move_form, **billing})


def _as_of(request: AuthedHttpRequest) -> tuple[forms.AgingForm, date, int]:
    """The finance pages' "as of" date and year (today and its year when not given or not valid)."""
    form = forms.AgingForm(request.GET or None)
    on = year = None
    if form.is_valid():
        on, year = form.cleaned_data["on"], form.cleaned_data["year"]
    on = on or _today()
    return form, on, year or on.year


@require_GET
@billing_required
def finance(request: AuthedHttpRequest) -> HttpResponse:
    """AR aging per client (most overdue first, 50 to a page; every invoice is in the aging CSV) and the year's
    invoiced and collected per month."""
    form, on, year = _as_of(request)
    aging = selectors.ar_aging_by_client(on=on)
    context = {
        "form": form, "on": on, "year": year, "months": selectors.monthly_finance(year),
        "deferred": selectors.deferred_at(on), "credit": selectors.credit_at(on), "aging": aging,
        "page_obj": Paginator(aging.clients, CLIENTS_PER_AGING_PAGE).get_page(request.GET.get("page")),
        "query": urlencode({"on": on.isoformat(), "year": year}),
    }  # fmt: skip
    return render(request, T + "finance.html", context)


@require_GET
@billing_required
def aging_csv(request: AuthedHttpRequest) -> HttpResponse:
    """Every invoice open at the chosen date, oldest due first: the detail behind the finance page's client rows."""
    _form, on, _year = _as_of(request)
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="ar-aging-{on.isoformat()}.csv"'
    writer = csv.writer(response)
    writer.writerow(["invoice", "client", "issue_date", "due_date", "open", "age_days", "bucket"])
    for row in selectors.ar_aging(on=on).rows:
        invoice = row.invoice
        writer.writerow([invoice.number, invoice.client.name, invoice.issue_date, invoice.due_date, row.open, row.age,
                         row.bucket])  # fmt: skip
    return response


@require_GET
@billing_required
def finance_csv(request: AuthedHttpRequest) -> HttpResponse:
    _form, _on, year = _as_of(request)
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="finance-{year}.csv"'
    writer = csv.writer(response)
    writer.writerow(["month", "invoiced", "collected"])
    for row in selectors.monthly_finance(year):
        writer.writerow([row["month"].strftime("%Y-%m"), row["invoiced"], row["collected"]])
    return response


@require_POST
@billing_required
def charges_reprice(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """ "Re-price at today's rates": the client's charges not yet on an issued invoice (drafts follow)."""
    client = selectors.client_get(pk=pk)
    changed = reprice.charges_reprice(client=client)
    messages.success(request, f"{changed} charge{'s' if changed != 1 else ''} re-priced at today's rates.")
    raw = request.POST.get("invoice", "")
    back = selectors.invoice_get(pk=int(raw)) if raw.isdigit() else None
    return redirect(back.get_absolute_url() if back and back.client_id == client.pk else client.get_absolute_url())


@require_POST
@billing_required
def package_close(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Close out a package: refund the few unused minutes, or bill an overdraft (P18)."""
    package = selectors.package_get(pk=pk)
    form = forms.PackageCloseForm(request.POST)
    disposition = (form.cleaned_data["disposition"] if form.is_valid() else "") or "refund"
    try:
        closeout.package_close(package=package, disposition=disposition)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, f"{package.name} closed.")
    return redirect(package.client.get_absolute_url())


@require_POST
@billing_required
def package_move(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Move unused minutes from one of the client's packages to another (an adjustment pair in the ledgers)."""
    client = selectors.client_get(pk=pk)
    form = forms.PackageMoveForm(request.POST, client=client)
    if not form.is_valid():
        messages.error(request, "Choose two packages of this client, the minutes to move and a reason.")
        return redirect(client.get_absolute_url())
    try:
        closeout.package_minutes_move(**form.cleaned_data)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, f"{bm.minutes_text(form.cleaned_data['minutes'])} moved.")
    return redirect(client.get_absolute_url())
