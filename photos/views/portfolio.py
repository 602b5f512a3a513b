"""The team gallery (every staff-app user; space and stage only, never who or where), the portfolio (owner and
office: anonymization check, recorded uses) and the takedown tasks that withdrawals create."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts import access
from accounts.http import AuthedHttpRequest
from photos import selectors
from photos.forms import AnonymizationForm, PortfolioUseForm
from photos.services import portfolio as portfolio_services

GALLERY_LIMIT = 120


@never_cache
@require_GET
def gallery(request: AuthedHttpRequest) -> HttpResponse:
    access.require(request, access.is_staff_role(request.user) or access.is_organizer(request.user))
    photos = selectors.gallery_photos()[:GALLERY_LIMIT]
    return render(request, "photos/gallery.html", {"photos": photos, "is_staff": access.is_staff_role(request.user)})


@never_cache
@require_GET
@access.staff_required
def portfolio(request: AuthedHttpRequest) -> HttpResponse:
    context = {
        "photos": selectors.portfolio_photos()[:GALLERY_LIMIT],
        "takedowns": selectors.takedowns_open(),
        "check_form": AnonymizationForm(),
        "use_form": PortfolioUseForm(),
    }
    return render(request, "photos/portfolio.html", context)


@require_POST
@access.staff_required
def anonymization_check(request: AuthedHttpRequest, pk: uuid.UUID) -> HttpResponse:
    photo = selectors.photo_get_for_user(user=request.user, pk=pk)
    form = AnonymizationForm(request.POST)
    ticked = set(form.cleaned_data["ticked"]) if form.is_valid() else set()
    try:
        portfolio_services.photo_anonymization_check(photo=photo, actor=request.user, ticked=ticked)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Anonymization check recorded.")
    return redirect("photos:portfolio")


@require_POST
@access.staff_required
def portfolio_use(request: AuthedHttpRequest, pk: uuid.UUID) -> HttpResponse:
    photo = selectors.photo_get_for_user(user=request.user, pk=pk)  # the service checks the consent level
    form = PortfolioUseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose where the photo is used (and a valid URL, if any).")
        return redirect("photos:portfolio")
    try:
        portfolio_services.portfolio_use_record(photo=photo, actor=request.user, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Use recorded.")
    return redirect("photos:portfolio")


@require_POST
@access.staff_required
def takedown_done(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    portfolio_services.takedown_done(task=selectors.takedown_get(pk=pk), actor=request.user)
    messages.success(request, "Takedown marked done.")
    return redirect("photos:portfolio")
