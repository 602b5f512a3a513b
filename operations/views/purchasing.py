"""Purchasing pages (owner and office): purchase orders from draft to received, and reordering."""

from __future__ import annotations

from decimal import Decimal
from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access
from accounts.http import AuthedHttpRequest, form_add_service_error
from operations.formats import cents
from operations.forms import inventory as forms
from operations.models import PurchaseOrder
from operations.selectors import inventory as stock
from operations.selectors import purchasing
from operations.services import purchasing as purchasing_services
from operations.views.inventory import T, int_param, item_context, query_string


@access.staff_required
@require_GET
def po_list(request: AuthedHttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in PurchaseOrder.Status.values else ""
    page = Paginator(purchasing.po_list(status=status), 50).get_page(request.GET.get("page"))
    context = {"page": page, "status": status, "statuses": PurchaseOrder.Status.choices,
               "query_string": query_string(request)}  # fmt: skip
    return render(request, T + "po_list.html", context)


@access.staff_required
@require_http_methods(["GET", "POST"])
def po_create(request: AuthedHttpRequest) -> HttpResponse:
    form = forms.PurchaseOrderForm(request.POST or None, initial={"supplier": int_param(request.GET.get("supplier"))})
    lines = cast(forms.BaseLineFormSet, forms.PurchaseOrderLineFormSet(request.POST or None, prefix="lines"))
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        try:
            order = purchasing_services.po_create(
                supplier=form.cleaned_data["supplier"], lines=lines.lines(), actor=request.user
            )
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, f"Draft {order} created. Mark it ordered when it is sent.")
            return redirect("operations:po_detail", pk=order.pk)
    context = {"form": form, "lines": lines, **item_context()}
    return render(request, T + "po_form.html", context, status=400 if request.method == "POST" else 200)


@access.staff_required
@never_cache
@require_GET
def po_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    order = purchasing.po_get(pk=pk)
    rows = [(line, cents(line.qty_ordered * line.unit_cost)) for line in purchasing.po_lines(order=order)]
    context = {
        "order": order,
        "rows": rows,
        "total": sum((total for _line, total in rows), Decimal(0)),
        "receipts": purchasing.po_receipts(order=order),
        "no_ids": set(),
    }
    return render(request, T + "po_detail.html", context)


@access.staff_required
@require_POST
def po_mark_ordered(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    order = purchasing.po_get(pk=pk)
    try:
        purchasing_services.po_mark_ordered(order=order)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, "Marked as ordered: its lines now count as on order.")
    return redirect("operations:po_detail", pk=order.pk)


@access.staff_required
@require_POST
def po_cancel(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    order = purchasing.po_get(pk=pk)
    try:
        purchasing_services.po_cancel(order=order)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, "Order cancelled.")
    return redirect("operations:po_detail", pk=order.pk)


@access.staff_required
@require_http_methods(["GET", "POST"])
def po_receive(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Receive some or all open quantities; each becomes a receipt move at the order's unit cost."""
    order = purchasing.po_get(pk=pk)
    form = forms.ReceiveForm(request.POST or None, lines=purchasing.po_lines(order=order))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            moves = purchasing_services.po_receive(
                order=order, quantities=form.quantities(), actor=request.user, location=form.cleaned_data["location"]
            )
        except ValidationError as exc:
            form_add_service_error(form, exc)
            status = 400
        else:
            messages.success(request, f"Received {len(moves)} line{'s' if len(moves) != 1 else ''}.")
            return redirect("operations:po_detail", pk=order.pk)
    elif request.method == "POST":
        status = 400
    can_receive = order.is_receivable
    return render(
        request, T + "po_receive.html", {"order": order, "form": form, "can_receive": can_receive}, status=status
    )


@access.staff_required
@never_cache
@require_GET
def reorder(request: AuthedHttpRequest) -> HttpResponse:
    """Items whose forecast (on hand + on order - reserved) is below their minimum, by preferred supplier."""
    context = {"groups": purchasing.reorder_by_supplier(), "shortfalls": stock.open_shortfalls()}  # T21
    return render(request, T + "reorder.html", context)


@access.staff_required
@require_POST
def po_draft(request: AuthedHttpRequest) -> HttpResponse:
    supplier_id = int_param(request.POST.get("supplier"))
    supplier = stock.suppliers().filter(pk=supplier_id).first() if supplier_id else None
    if supplier is None:
        messages.error(request, "Choose a supplier to draft an order for.")
        return redirect("operations:reorder")
    order = purchasing_services.po_draft_from_suggestions(supplier=supplier, actor=request.user)
    if order is None:
        messages.info(request, f"Nothing to order from {supplier} right now.")
        return redirect("operations:reorder")
    messages.success(request, f"Draft {order} created from the suggestions. Check it, then mark it ordered.")
    return redirect("operations:po_detail", pk=order.pk)
