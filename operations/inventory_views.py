"""Supply inventory pages: catalogue, locations, ledger, transfers and counts, valuation, purchase orders,
reordering, and the visit side (reservations, supplies used, pass-through purchases, supply cost).

Who may do what: owner and office run the stock (every page with a cost, a value or an order); an organizer
sees their own van, records supplies used on their own visits from it, adds purchases on their own visits and
undoes their own entries. Objects outside a user's scope answer 404; functions outside their role 403.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access
from accounts.http import AuthedHttpRequest
from accounts.http import form_add_service_error
from clients import selectors as client_selectors
from operations import inventory, selectors
from operations import inventory_forms as forms
from operations import inventory_selectors as stock
from operations.models import Appointment, Location, PurchaseOrder

ITEMS_PER_PAGE = 50
MOVES_PER_PAGE = 50
CENT = Decimal("0.01")
INSUFFICIENT_STATUS = 409  # OPERATIONS.md §3.2: "insufficient stock" is a conflict, not bad input
T = "operations/inventory/"


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() else None


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    ok = target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    return target if ok else default


def _query_string(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _status(exc: ValidationError) -> int:
    return INSUFFICIENT_STATUS if getattr(exc, "code", None) == "insufficient_stock" else 400


def _item_context() -> dict[str, Any]:
    return {"sku_choices": stock.sku_choices()}


# --- stock list, catalogue ------------------------------------------------------------------------------


@access.staff_required
@require_GET
def inventory_list(request: AuthedHttpRequest) -> HttpResponse:
    """Every item with on hand / reserved / on order / forecast and its stock per location (constant queries)."""
    filters = forms.StockFilterForm(request.GET)
    filters.is_valid()
    f = filters.cleaned_data
    location = f.get("location")
    items = stock.stock_list(
        text=f.get("q", ""), category=f.get("category", ""), location_id=location.pk if location else None,
        low_only=f.get("low", False), show_inactive=f.get("inactive", False),
    )  # fmt: skip
    page = Paginator(items, ITEMS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "filters": filters, "page": page, "query_string": _query_string(request), "location": location,
        "items": stock.stock_badges(items=page.object_list, location_id=location.pk if location else None),
    }  # fmt: skip
    return render(request, T + "stock_list.html", context)


@access.staff_required
@require_http_methods(["GET", "POST"])
def item_create(request: AuthedHttpRequest) -> HttpResponse:
    form = forms.ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        item = form.save()  # a plain catalogue row: no rule beyond the model's validation
        messages.success(request, f"{item} added to the catalogue.")
        return redirect("operations:item_detail", pk=item.pk)
    return render(request, T + "item_form.html", {"form": form, "item": None})


@access.staff_required
@require_http_methods(["GET", "POST"])
def item_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    item = stock.item_get(pk=pk)
    form = forms.ItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Item saved.")
        return redirect("operations:item_detail", pk=item.pk)
    return render(request, T + "item_form.html", {"form": form, "item": item})


@access.staff_required
@never_cache
@require_GET
def item_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    item = stock.item_get(pk=pk)
    moves = list(stock.move_list(item_id=item.pk)[:25])
    context = {
        "item": item,
        "levels": stock.item_levels(item=item),
        "allocations": stock.item_allocations(item=item),
        "moves": moves,
        "reversible": stock.reversible_move_ids(user=request.user, moves=moves),
    }
    return render(request, T + "item_detail.html", context)


@access.staff_required
@require_http_methods(["GET", "POST"])
def item_import(request: AuthedHttpRequest) -> HttpResponse:
    """Import the catalogue from CSV: every row is checked first; nothing is imported unless all rows are valid."""
    form = forms.ItemImportForm(request.POST or None, request.FILES or None)
    errors: list[inventory.CsvError] = []
    if request.method == "POST" and form.is_valid():
        imported, errors = inventory.items_import_csv(data=form.cleaned_data["file"])
        if not errors:
            messages.success(request, f"Imported {imported} item{'s' if imported != 1 else ''}.")
            return redirect("operations:inventory_list")
    status = 400 if request.method == "POST" else 200
    return render(request, T + "item_import.html", {"form": form, "errors": errors}, status=status)


@access.staff_required
@require_GET
def supplier_list(request: AuthedHttpRequest) -> HttpResponse:
    return render(request, T + "supplier_list.html", {"suppliers": stock.suppliers()})


@access.staff_required
@require_http_methods(["GET", "POST"])
def supplier_edit(request: AuthedHttpRequest, pk: int | None = None) -> HttpResponse:
    supplier = stock.supplier_get(pk=pk) if pk else None
    form = forms.SupplierForm(request.POST or None, instance=supplier)
    if request.method == "POST" and form.is_valid():
        form.save()  # a plain catalogue row
        messages.success(request, "Supplier saved.")
        return redirect("operations:supplier_list")
    return render(request, T + "supplier_form.html", {"form": form, "supplier": supplier})


# --- locations ------------------------------------------------------------------------------------------


@access.staff_required
@require_GET
def location_list(request: AuthedHttpRequest) -> HttpResponse:
    values = stock.location_values()
    rows = [(location, values.get(location.pk)) for location in stock.all_locations()]
    return render(request, T + "location_list.html", {"rows": rows})


@access.staff_required
@require_http_methods(["GET", "POST"])
def location_edit(request: AuthedHttpRequest, pk: int | None = None) -> HttpResponse:
    location = stock.location_get(pk=pk) if pk else None
    form = forms.LocationForm(request.POST or None, instance=location)
    if request.method == "POST" and form.is_valid():
        form.save()  # a plain row; the model's constraints (one owner per van) are checked by the form
        messages.success(request, "Location saved.")
        return redirect("operations:location_list")
    return render(request, T + "location_form.html", {"form": form, "location": location})


@never_cache
@require_GET
def location_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Stock at one location. Organizers reach only their own van (another van answers 404); no costs for them."""
    location = stock.location_get_for_user(user=request.user, pk=pk)
    return _render_location(request, location)


@never_cache
@require_GET
def my_van(request: AuthedHttpRequest) -> HttpResponse:
    if access.is_staff_role(request.user):
        return redirect("operations:location_list")
    van = stock.van_of(user=request.user)
    if van is None:
        return render(request, T + "location_detail.html", {"location": None, "levels": [], "show_costs": False})
    return _render_location(request, van)


def _render_location(request: AuthedHttpRequest, location: Location) -> HttpResponse:
    show_costs = access.is_staff_role(request.user)
    context = {
        "location": location,
        "levels": stock.levels_at(location=location),
        "show_costs": show_costs,
        "value": stock.location_value(location=location) if show_costs else None,
    }
    return render(request, T + "location_detail.html", context)


# --- the ledger, transfers, counts ----------------------------------------------------------------------


@access.staff_required
@never_cache
@require_GET
def move_list(request: AuthedHttpRequest) -> HttpResponse:
    """The ledger: every move, newest first. Moves are never edited; a mistake gets a reversing move."""
    filters = forms.MoveFilterForm(request.GET)
    filters.is_valid()
    f = filters.cleaned_data
    moves = stock.move_list(
        item_id=f["item"].pk if f.get("item") else None, location_id=f["location"].pk if f.get("location") else None,
        reason=f.get("reason", ""),
    )  # fmt: skip
    page = Paginator(moves, MOVES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "filters": filters, "page": page, "query_string": _query_string(request),
        "reversible": stock.reversible_move_ids(user=request.user, moves=list(page.object_list)),
        **_item_context(),
    }  # fmt: skip
    return render(request, T + "move_list.html", context)


@require_POST
def move_reverse(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Correct a move with the opposite move (staff: any move; an organizer: their own supplies used)."""
    move = stock.move_get_for_user(user=request.user, pk=pk)
    default = reverse("operations:move_list") if access.is_staff_role(request.user) else reverse("operations:my_day")
    if move.appointment_id and not access.is_staff_role(request.user):
        default = reverse("operations:appointment_detail", kwargs={"pk": move.appointment_id})
    if move.pk not in stock.reversible_move_ids(user=request.user, moves=[move]):
        messages.error(request, "This move cannot be reversed here. Record a count to correct the stock.")
        return redirect(_safe_next(request, default))
    try:
        inventory.stock_reverse(move=move, actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"Reversed: {move.qty.normalize():f} {move.item.unit} of {move.item.name}.")
    return redirect(_safe_next(request, default))


@access.staff_required
@require_http_methods(["GET", "POST"])
def stock_transfer(request: AuthedHttpRequest) -> HttpResponse:
    initial = {"item": request.GET.get("item", ""), "from_location": _int(request.GET.get("from")),
               "to_location": _int(request.GET.get("to"))}  # fmt: skip
    form = forms.TransferForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            inventory.stock_transfer(
                item=d["item"], qty=d["qty"], from_location=d["from_location"], to_location=d["to_location"],
                actor=request.user, idempotency_key=form.key(),
            )  # fmt: skip
        except ValidationError as exc:
            form_add_service_error(form, exc)
            status = _status(exc)
        else:
            messages.success(
                request,
                f"Moved {d['qty'].normalize():f} {d['item'].unit} of {d['item'].name} "
                f"from {d['from_location']} to {d['to_location']}.",
            )
            query = f"?from={d['from_location'].pk}&to={d['to_location'].pk}"
            return redirect(reverse("operations:stock_transfer") + query)
    return render(request, T + "transfer_form.html", {"form": form, **_item_context()}, status=status)


@access.staff_required
@require_http_methods(["GET", "POST"])
def stock_count(request: AuthedHttpRequest) -> HttpResponse:
    """Record a physical count; the difference is booked to the adjustment location at average cost (I10)."""
    initial = {"item": request.GET.get("item", ""), "location": _int(request.GET.get("location"))}
    form = forms.CountForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            move = inventory.stock_count(
                item=d["item"], location=d["location"], counted=d["counted"], actor=request.user
            )
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            counted = f"{d['counted'].normalize():f} {d['item'].unit}"
            note = "no difference" if move is None else f"adjusted by {move.qty.normalize():f}"
            messages.success(request, f"Counted {counted} of {d['item'].name} in {d['location']}: {note}.")
            return redirect(reverse("operations:stock_count") + f"?location={d['location'].pk}")
    return render(request, T + "count_form.html", {"form": form, **_item_context()})


@access.staff_required
@never_cache
@require_GET
def valuation(request: AuthedHttpRequest) -> HttpResponse:
    per_location, total = inventory.valuation()
    return render(request, T + "valuation.html", {"rows": per_location, "total": total})


# --- purchase orders and reordering ---------------------------------------------------------------------


@access.staff_required
@require_GET
def po_list(request: AuthedHttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in PurchaseOrder.Status.values else ""
    page = Paginator(stock.po_list(status=status), 50).get_page(request.GET.get("page"))
    context = {"page": page, "status": status, "statuses": PurchaseOrder.Status.choices,
               "query_string": _query_string(request)}  # fmt: skip
    return render(request, T + "po_list.html", context)


@access.staff_required
@require_http_methods(["GET", "POST"])
def po_create(request: AuthedHttpRequest) -> HttpResponse:
    form = forms.PurchaseOrderForm(request.POST or None, initial={"supplier": _int(request.GET.get("supplier"))})
    lines = cast(forms.BaseLineFormSet, forms.PurchaseOrderLineFormSet(request.POST or None, prefix="lines"))
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        try:
            order = inventory.po_create(supplier=form.cleaned_data["supplier"], lines=lines.lines(), actor=request.user)
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, f"Draft {order} created. Mark it ordered when it is sent.")
            return redirect("operations:po_detail", pk=order.pk)
    context = {"form": form, "lines": lines, **_item_context()}
    return render(request, T + "po_form.html", context, status=400 if request.method == "POST" else 200)


@access.staff_required
@never_cache
@require_GET
def po_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    order = stock.po_get(pk=pk)
    rows = [(line, (line.qty_ordered * line.unit_cost).quantize(CENT)) for line in stock.po_lines(order=order)]
    context = {
        "order": order,
        "rows": rows,
        "total": sum((total for _line, total in rows), Decimal(0)),
        "receipts": stock.po_receipts(order=order),
        "no_ids": set(),
    }
    return render(request, T + "po_detail.html", context)


def _po_action(request: AuthedHttpRequest, pk: int, action: Any, done: str) -> HttpResponse:
    order = stock.po_get(pk=pk)
    try:
        action(order=order)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, done)
    return redirect("operations:po_detail", pk=order.pk)


@access.staff_required
@require_POST
def po_mark_ordered(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _po_action(request, pk, inventory.po_mark_ordered, "Marked as ordered: its lines now count as on order.")


@access.staff_required
@require_POST
def po_cancel(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _po_action(request, pk, inventory.po_cancel, "Order cancelled.")


@access.staff_required
@require_http_methods(["GET", "POST"])
def po_receive(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Receive some or all open quantities; each becomes a receipt move at the order's unit cost."""
    order = stock.po_get(pk=pk)
    form = forms.ReceiveForm(request.POST or None, lines=stock.po_lines(order=order))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            moves = inventory.po_receive(
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
    can_receive = order.status in (PurchaseOrder.Status.ORDERED, PurchaseOrder.Status.PARTLY_RECEIVED)
    return render(
        request, T + "po_receive.html", {"order": order, "form": form, "can_receive": can_receive}, status=status
    )


@access.staff_required
@never_cache
@require_GET
def reorder(request: AuthedHttpRequest) -> HttpResponse:
    """Items whose forecast (on hand + on order - reserved) is below their minimum, by preferred supplier."""
    return render(request, T + "reorder.html", {"groups": stock.reorder_by_supplier()})


@access.staff_required
@require_POST
def po_draft(request: AuthedHttpRequest) -> HttpResponse:
    supplier_id = _int(request.POST.get("supplier"))
    supplier = stock.suppliers().filter(pk=supplier_id).first() if supplier_id else None
    if supplier is None:
        messages.error(request, "Choose a supplier to draft an order for.")
        return redirect("operations:reorder")
    order = inventory.po_draft_from_suggestions(supplier=supplier, actor=request.user)
    if order is None:
        messages.info(request, f"Nothing to order from {supplier} right now.")
        return redirect("operations:reorder")
    messages.success(request, f"Draft {order} created from the suggestions. Check it, then mark it ordered.")
    return redirect("operations:po_detail", pk=order.pk)


# --- visits ---------------------------------------------------------------------------------------------


@never_cache
@require_GET
def visit_supplies_panel(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The supplies section of a visit page (loaded by htmx): reserved, used, bought, and (staff) the cost."""
    visit = selectors.appointment_get_for_user(user=request.user, pk=pk)
    supplies = stock.visit_supplies(visit=visit)
    is_staff = access.is_staff_role(request.user)
    context = {
        "visit": visit,
        "supplies": supplies,
        "show_costs": is_staff,
        "reversible": stock.reversible_move_ids(user=request.user, moves=supplies.moves),
        # Staff reserve supplies for an upcoming visit right here (errors come back on the reserve page).
        "allocate_form": forms.AllocationForm(auto_id="reserve_%s") if is_staff and _upcoming(visit) else None,
        **(_item_context() if is_staff else {}),
    }
    return render(request, T + "partials/visit_supplies.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def visit_consume(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Supplies used on a visit (phone-first): quantities per item in the van. A retried submit records nothing
    twice (one idempotency key per rendered form, I5); asking for more than the van holds says what is there."""
    visit = selectors.appointment_get_for_user(user=request.user, pk=pk)
    location_id = _int(request.POST.get("location") or request.GET.get("location"))
    location = stock.consume_location_for(user=request.user, visit=visit, location_id=location_id)
    levels = list(stock.levels_at(location=location, with_empty=True)) if location else []
    form = forms.ConsumeForm(request.POST or None, levels=levels)
    status = 200
    if request.method == "POST" and location is not None and form.is_valid():
        recorded = _consume_lines(form, visit, location, request.user)
        if recorded is True:
            messages.success(request, "Supplies used on this visit are recorded.")
            return redirect(_safe_next(request, visit.get_absolute_url()))
        status = recorded
    elif request.method == "POST":
        status = 400
    context = {
        "visit": visit, "location": location, "form": form, "is_staff": access.is_staff_role(request.user),
        "locations": stock.internal_locations() if access.is_staff_role(request.user) else [],
        "reserved": visit.allocations.filter(status="active").select_related("item", "location"),
        "next": _safe_next(request, ""),
    }  # fmt: skip
    return render(request, T + "visit_consume.html", context, status=status)


def _upcoming(visit: Appointment) -> bool:
    return visit.status in (Appointment.Status.SCHEDULED, Appointment.Status.CONFIRMED)


def _consume_lines(form: forms.ConsumeForm, visit: Appointment, location: Location, actor: Any) -> bool | int:
    """Record every line or none; True, or the status to answer with the form's errors."""
    keys = [form.key(item.pk) for item, _qty in form.lines()]
    try:
        # All lines or none: a line refused for lack of stock must not leave the others recorded.
        with transaction.atomic():
            for item, qty in form.lines():
                inventory.stock_consume(
                    appointment=visit, item=item, qty=qty, location=location, actor=actor,
                    idempotency_key=form.key(item.pk),
                )  # fmt: skip
    except ValidationError as exc:
        if stock.keys_recorded(keys=keys):
            return True  # the same form's first submit got there first: nothing more to record
        form_add_service_error(form, exc)
        return _status(exc)
    return True


@never_cache
@require_http_methods(["GET", "POST"])
def visit_allocate(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Reserve supplies for an upcoming visit (staff); completing the visit uses them (I6)."""
    visit = selectors.appointment_get_for_user(user=request.user, pk=pk)
    access.require(request, access.is_staff_role(request.user))
    form = forms.AllocationForm(request.POST or None, initial={"location": _int(request.GET.get("location"))})
    status = 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            inventory.allocation_create(appointment=visit, item=d["item"], location=d["location"], qty=d["qty"])
        except ValidationError as exc:
            form_add_service_error(form, exc)
            status = _status(exc)
        else:
            messages.success(request, f"Reserved {d['qty'].normalize():f} {d['item'].unit} of {d['item'].name}.")
            return redirect(visit)
    elif request.method == "POST":
        status = 400
    return render(request, T + "visit_allocate.html", {"visit": visit, "form": form, **_item_context()}, status=status)


@require_http_methods(["GET", "POST"])
def purchase_create(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """An item bought for the client (not from stock), with an optional receipt photo."""
    visit = selectors.appointment_get_for_user(user=request.user, pk=pk)
    is_staff = access.is_staff_role(request.user)
    form = forms.ClientPurchaseForm(request.POST or None, request.FILES or None, can_set_markup=is_staff)
    status = 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            inventory.client_purchase_add(
                appointment=visit, description=d["description"], store=d["store"], cost=d["cost"],
                markup_pct=d.get("markup_pct") or 0, receipt=d["receipt"], actor=request.user,
                idempotency_key=form.key("purchase"),
            )  # fmt: skip
        except ValidationError as exc:
            form_add_service_error(form, exc)
            status = 400
        else:
            messages.success(request, "Purchase recorded.")
            return redirect(_safe_next(request, visit.get_absolute_url()))
    elif request.method == "POST":
        status = 400  # SECURITY.md U1-U5: a refused upload is a 400, and nothing is stored
    context = {"visit": visit, "form": form, "next": _safe_next(request, "")}
    return render(request, T + "purchase_form.html", context, status=status)


@never_cache
@require_GET
def purchase_receipt(request: AuthedHttpRequest, pk: int) -> FileResponse:
    """The receipt photo, only through this auth-checked view (MEDIA_URL is not served), as an attachment."""
    purchase = stock.purchase_get_for_user(user=request.user, pk=pk)
    if not purchase.receipt:
        raise Http404
    try:
        handle = purchase.receipt.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=f"receipt-{purchase.pk}.jpg", content_type="image/jpeg"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@require_GET
def client_supplies_panel(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The client page's supplies panel (loaded by htmx; the clients app does not import operations)."""
    client = client_selectors.client_get_for_user(user=request.user, pk=pk)
    context = {
        "client": client,
        "data": stock.client_supplies_for_user(user=request.user, client=client),
        "show_costs": access.is_staff_role(request.user),
    }
    return render(request, T + "partials/client_supplies.html", context)
