"""The visit side of supplies: the supplies panel of a visit, supplies used (phone-first), reservations,
pass-through purchases with their receipt photo, and the client page's supplies panel.

Who may do what: staff on any visit; an organizer on their own visits, from their own van.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access
from accounts.http import AuthedHttpRequest, form_add_service_error, safe_next_url
from clients import selectors as client_selectors
from operations.forms import inventory as forms
from operations.models import Appointment, Location
from operations.selectors import inventory as stock
from operations.selectors import job_cost
from operations.selectors import visits as visit_selectors
from operations.services import inventory as stock_services
from operations.services import purchasing as purchasing_services
from operations.views.inventory import T, int_param, item_context, stock_error_status


@never_cache
@require_GET
def visit_supplies_panel(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The supplies section of a visit page (loaded by htmx): reserved, used, bought, and (staff) the cost."""
    visit = visit_selectors.appointment_get_for_user(user=request.user, pk=pk)
    supplies = job_cost.visit_supplies(visit=visit)
    is_staff = access.is_staff_role(request.user)
    context = {
        "visit": visit,
        "supplies": supplies,
        "show_costs": is_staff,
        "reversible": stock.reversible_move_ids(user=request.user, moves=supplies.moves),
        # Staff reserve supplies for an upcoming visit right here (errors come back on the reserve page).
        "allocate_form": forms.AllocationForm(auto_id="reserve_%s") if is_staff and visit.is_upcoming else None,
        **(item_context() if is_staff else {}),
    }
    return render(request, T + "partials/visit_supplies.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def visit_consume(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Supplies used on a visit (phone-first): quantities per item in the van. A retried submit records nothing
    twice (one idempotency key per rendered form, I5); asking for more than the van holds says what is there."""
    visit = visit_selectors.appointment_get_for_user(user=request.user, pk=pk)
    location_id = int_param(request.POST.get("location") or request.GET.get("location"))
    location = stock.consume_location_for(user=request.user, visit=visit, location_id=location_id)
    levels = list(stock.levels_at(location=location, with_empty=True)) if location else []
    form = forms.ConsumeForm(request.POST or None, levels=levels)
    status = 200
    if request.method == "POST" and location is not None and form.is_valid():
        recorded = _consume_lines(form, visit, location, request.user)
        if recorded is True:
            messages.success(request, "Supplies used on this visit are recorded.")
            return redirect(safe_next_url(request, visit.get_absolute_url()))
        status = recorded
    elif request.method == "POST":
        status = 400
    context = {
        "visit": visit, "location": location, "form": form, "is_staff": access.is_staff_role(request.user),
        "locations": stock.internal_locations() if access.is_staff_role(request.user) else [],
        "reserved": stock.visit_reservations(visit=visit),
        "next": safe_next_url(request, ""),
    }  # fmt: skip
    return render(request, T + "visit_consume.html", context, status=status)


def _consume_lines(form: forms.ConsumeForm, visit: Appointment, location: Location, actor: Any) -> bool | int:
    """Record every line or none; True, or the status to answer with the form's errors."""
    keys = [form.key(item.pk) for item, _qty in form.lines()]
    try:
        stock_services.stock_consume_lines(
            appointment=visit, location=location, actor=actor,
            lines=[(item, qty, form.key(item.pk)) for item, qty in form.lines()],
        )  # fmt: skip
    except ValidationError as exc:
        if stock.keys_recorded(keys=keys):
            return True  # the same form's first submit got there first: nothing more to record
        form_add_service_error(form, exc)
        return stock_error_status(exc)
    return True


@never_cache
@require_http_methods(["GET", "POST"])
def visit_allocate(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Reserve supplies for an upcoming visit (staff); completing the visit uses them (I6)."""
    visit = visit_selectors.appointment_get_for_user(user=request.user, pk=pk)
    access.require(request, access.is_staff_role(request.user))
    form = forms.AllocationForm(request.POST or None, initial={"location": int_param(request.GET.get("location"))})
    status = 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            stock_services.allocation_create(appointment=visit, item=d["item"], location=d["location"], qty=d["qty"])
        except ValidationError as exc:
            form_add_service_error(form, exc)
            status = stock_error_status(exc)
        else:
            messages.success(request, f"Reserved {d['qty'].normalize():f} {d['item'].unit} of {d['item'].name}.")
            return redirect(visit)
    elif request.method == "POST":
        status = 400
    return render(request, T + "visit_allocate.html", {"visit": visit, "form": form, **item_context()}, status=status)


@require_http_methods(["GET", "POST"])
def purchase_create(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """An item bought for the client (not from stock), with an optional receipt photo."""
    visit = visit_selectors.appointment_get_for_user(user=request.user, pk=pk)
    is_staff = access.is_staff_role(request.user)
    form = forms.ClientPurchaseForm(request.POST or None, request.FILES or None, can_set_markup=is_staff)
    status = 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            purchasing_services.client_purchase_add(
                appointment=visit, description=d["description"], store=d["store"], cost=d["cost"],
                markup_pct=d.get("markup_pct") or 0, receipt=d["receipt"], actor=request.user,
                idempotency_key=form.key("purchase"),
            )  # fmt: skip
        except ValidationError as exc:
            form_add_service_error(form, exc)
            status = 400
        else:
            messages.success(request, "Purchase recorded.")
            return redirect(safe_next_url(request, visit.get_absolute_url()))
    elif request.method == "POST":
        status = 400  # docs/specs/security.md SU1-SU5: a refused upload is a 400, and nothing is stored
    context = {"visit": visit, "form": form, "next": safe_next_url(request, "")}
    return render(request, T + "purchase_form.html", context, status=status)


@never_cache
@require_GET
def purchase_receipt(request: AuthedHttpRequest, pk: int) -> FileResponse:
    """The receipt photo, only through this auth-checked view (MEDIA_URL is not served), as an attachment."""
    purchase = job_cost.purchase_get_for_user(user=request.user, pk=pk)
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
        "data": job_cost.client_supplies_for_user(user=request.user, client=client),
        "show_costs": access.is_staff_role(request.user),
    }
    return render(request, T + "partials/client_supplies.html", context)


@access.staff_required
@require_POST
def shortfall_resolve(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Close a stock discrepancy left by a completed visit (T21): take the shortfall from stock now (after a
    count or transfer), or cancel it."""
    allocation = stock.shortfall_get(pk=pk)
    resolution = request.POST.get("resolution")
    if resolution not in ("take", "cancel"):
        messages.error(request, "Choose how to resolve the shortfall.")
        return redirect(safe_next_url(request, reverse("operations:reorder")))
    try:
        stock_services.allocation_shortfall_resolve(
            allocation=allocation, take=resolution == "take", actor=request.user
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        done = "taken from stock" if resolution == "take" else "cancelled"
        messages.success(request, f"Shortfall of {allocation.item.name} {done}.")
    return redirect(safe_next_url(request, reverse("operations:reorder")))
