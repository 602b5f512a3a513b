"""Supply inventory pages: catalogue, locations, ledger, transfers and counts, valuation. Purchase orders and
reordering are in operations.views.purchasing; the visit side (reservations, supplies used, pass-through
purchases, supply cost) in operations.views.visit_supplies. The helpers at the top serve all three.

Who may do what: owner and office run the stock (every page with a cost, a value or an order); an organizer
sees their own van, records supplies used on their own visits from it, adds purchases on their own visits and
undoes their own entries. Objects outside a user's scope answer 404; functions outside their role 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access
from accounts.http import AuthedHttpRequest, form_add_service_error, safe_next_url
from operations import csv_import
from operations.forms import inventory as forms
from operations.models import Location
from operations.selectors import inventory as stock
from operations.services import inventory as stock_services

ITEMS_PER_PAGE = 50
MOVES_PER_PAGE = 50
INSUFFICIENT_STATUS = 409  # docs/specs/inventory.md: "insufficient stock" is a conflict, not bad input
T = "operations/inventory/"


def int_param(value: Any) -> int | None:
    """A positive integer from a query or form parameter, else None."""
    return int(value) if isinstance(value, str) and value.isdigit() else None


def query_string(request: HttpRequest) -> str:
    """The current filters as a query string without the page number (for pagination links)."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def stock_error_status(exc: ValidationError) -> int:
    """409 when a stock service refused for lack of stock, else 400."""
    return INSUFFICIENT_STATUS if getattr(exc, "code", None) == "insufficient_stock" else 400


def item_context() -> dict[str, Any]:
    """What the SKU fields' suggestion list needs."""
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
        "filters": filters, "page": page, "query_string": query_string(request), "location": location,
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
    errors: list[csv_import.CsvError] = []
    if request.method == "POST" and form.is_valid():
        imported, errors = csv_import.items_import_csv(data=form.cleaned_data["file"])
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
        "filters": filters, "page": page, "query_string": query_string(request),
        "reversible": stock.reversible_move_ids(user=request.user, moves=list(page.object_list)),
        **item_context(),
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
        return redirect(safe_next_url(request, default))
    try:
        stock_services.stock_reverse(move=move, actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"Reversed: {move.qty.normalize():f} {move.item.unit} of {move.item.name}.")
    return redirect(safe_next_url(request, default))


@access.staff_required
@require_http_methods(["GET", "POST"])
def stock_transfer(request: AuthedHttpRequest) -> HttpResponse:
    initial = {"item": request.GET.get("item", ""), "from_location": int_param(request.GET.get("from")),
               "to_location": int_param(request.GET.get("to"))}  # fmt: skip
    form = forms.TransferForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            stock_services.stock_transfer(
                item=d["item"], qty=d["qty"], from_location=d["from_location"], to_location=d["to_location"],
                actor=request.user, idempotency_key=form.key(),
            )  # fmt: skip
        except ValidationError as exc:
            form_add_service_error(form, exc)
            status = stock_error_status(exc)
        else:
            messages.success(
                request,
                f"Moved {d['qty'].normalize():f} {d['item'].unit} of {d['item'].name} "
                f"from {d['from_location']} to {d['to_location']}.",
            )
            query = f"?from={d['from_location'].pk}&to={d['to_location'].pk}"
            return redirect(reverse("operations:stock_transfer") + query)
    return render(request, T + "transfer_form.html", {"form": form, **item_context()}, status=status)


@access.staff_required
@require_http_methods(["GET", "POST"])
def stock_count(request: AuthedHttpRequest) -> HttpResponse:
    """Record a physical count; the difference is booked to the adjustment location at average cost (I10)."""
    initial = {"item": request.GET.get("item", ""), "location": int_param(request.GET.get("location"))}
    form = forms.CountForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            move = stock_services.stock_count(
                item=d["item"], location=d["location"], counted=d["counted"], actor=request.user
            )
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            counted = f"{d['counted'].normalize():f} {d['item'].unit}"
            note = "no difference" if move is None else f"adjusted by {move.qty.normalize():f}"
            messages.success(request, f"Counted {counted} of {d['item'].name} in {d['location']}: {note}.")
            return redirect(reverse("operations:stock_count") + f"?location={d['location'].pk}")
    return render(request, T + "count_form.html", {"form": form, **item_context()})


@access.staff_required
@never_cache
@require_GET
def valuation(request: AuthedHttpRequest) -> HttpResponse:
    per_location, total = stock.valuation()
    return render(request, T + "valuation.html", {"rows": per_location, "total": total})
