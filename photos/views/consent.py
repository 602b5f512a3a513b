"""Owner and office set a client's photo consent (the client does it in the portal, through the same service)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts import access
from accounts.http import AuthedHttpRequest, form_add_service_error
from clients import selectors as client_selectors
from photos import selectors
from photos.forms import ConsentForm
from photos.services import consent as consent_services

SAVED_MSG = "Photo consent saved."


@never_cache
@require_http_methods(["GET", "POST"])
def client_consent(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    client = client_selectors.client_get_for_user(user=request.user, pk=pk)
    access.require(request, access.is_staff_role(request.user))
    spaces = list(selectors.client_spaces(client_id=client.pk))
    form = ConsentForm(request.POST or None, spaces=spaces)
    status = 200  # a refusal by the service (a raise without a basis) is a form error on a 200 (W15)
    if request.method == "POST" and form.is_valid():
        try:
            consent_services.consent_set_by_staff(actor=request.user, client=client, **form.service_kwargs())
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, SAVED_MSG)
            return redirect(reverse("photos:client_consent", kwargs={"pk": client.pk}))
    elif request.method == "POST":
        status = 400
    context = {"client": client, "form": form, "rows": selectors.consent_overview(client_id=client.pk)}
    return render(request, "photos/client_consent.html", context, status=status)
