"""The owner's billing setup page: who may bill, package products, client rates, pricing of appointment types
(one page, one form per POST)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts import access
from accounts.http import AuthedHttpRequest, form_add_service_error
from billing import billers, forms, selectors, setup

SETUP_FORMS: dict[str, tuple[type[Any], Any]] = {
    "product": (forms.PackageProductForm, setup.product_create),
    "rate": (forms.ClientRateForm, setup.client_rate_set),
    "pricing": (forms.TypePricingForm, setup.type_pricing_set),
}


def _billers_form(request: AuthedHttpRequest, which: str) -> forms.BillersForm:
    current = selectors.biller_ids()
    return forms.BillersForm(request.POST if which == "billers" else None, initial={"billers": current},
                             prefix="billers")  # fmt: skip


@require_http_methods(["GET", "POST"])
@access.owner_required
def billing_settings(request: AuthedHttpRequest) -> HttpResponse:
    """Rates, pricing, package products and who may bill: the owner's."""
    which = request.POST.get("form", "") if request.method == "POST" else ""
    billers_form = _billers_form(request, which)
    if which == "billers" and billers_form.is_valid():
        try:
            billers.billers_set(users=billers_form.cleaned_data["billers"])
        except ValidationError as exc:
            form_add_service_error(billers_form, exc)
        else:
            messages.success(request, "Billers saved.")
            return redirect("billing:settings")
    bound: dict[str, Any] = {"billers": billers_form}
    for name, (form_class, _service) in SETUP_FORMS.items():
        bound[name] = form_class(request.POST if which == name else None, prefix=name)
    if which in SETUP_FORMS and bound[which].is_valid():
        try:
            SETUP_FORMS[which][1](**bound[which].cleaned_data)
        except ValidationError as exc:
            form_add_service_error(bound[which], exc)
        else:
            messages.success(request, "Billing setup saved.")
            return redirect("billing:settings")
    context = {"forms": bound, **selectors.setup_lists()}
    return render(request, "billing/settings.html", context, status=400 if which else 200)
