"""The team: users, roles and organizer profiles."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts import access, forms, selectors, services
from accounts.http import AuthedHttpRequest, form_add_service_error


@access.staff_required
@require_GET
def team_list(request: AuthedHttpRequest) -> HttpResponse:
    context = {"users": selectors.user_list_for_user(user=request.user), "is_owner": access.is_owner(request.user)}
    return render(request, "accounts/team_list.html", context)


@access.owner_required
@require_http_methods(["GET", "POST"])
def user_create(request: AuthedHttpRequest) -> HttpResponse:
    form = forms.UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_error(form, exc)  # a {"password": [...]} error lands on the password field
        else:
            messages.success(request, f"{user} was added as {user.get_role_display()}.")
            return redirect("accounts:team_list")
    return render(request, "accounts/user_form.html", {"form": form})


@access.owner_required
@require_http_methods(["GET", "POST"])
def user_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    user = selectors.user_get_for_user(user=request.user, pk=pk)
    form = forms.UserEditForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(actor=request.user, user=user, **form.cleaned_data)
        except ValidationError as exc:
            user.refresh_from_db()
            form_add_service_error(form, exc)
        else:
            messages.success(request, f"{user} was saved.")
            return redirect("accounts:team_list")
    return render(request, "accounts/user_form.html", {"form": form, "edited": user})


@require_http_methods(["GET", "POST"])
def profile_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Staff edit any organizer's profile; an organizer edits their own. Rates are the owner's alone."""
    profile = selectors.profile_get_for_user(user=request.user, pk=pk)
    is_owner = access.is_owner(request.user)
    data = request.POST or None
    profile_form = forms.ProfileForm(data, instance=profile, prefix="profile")
    hours_form = forms.WorkingHoursForm(data, profile=profile, prefix="hours")
    rates_form = forms.RatesForm(data, instance=profile, prefix="rates") if is_owner else None
    all_forms = [f for f in (profile_form, hours_form, rates_form) if f is not None]
    if request.method == "POST" and all(f.is_valid() for f in all_forms):
        changes = {**profile_form.cleaned_data, **(rates_form.cleaned_data if rates_form else {})}
        try:
            with transaction.atomic():
                services.organizer_profile_update(actor=request.user, profile=profile, data=changes)
                services.working_hours_set(profile=profile, hours=hours_form.hours())
        except ValidationError as exc:
            form_add_service_error(profile_form, exc)
        else:
            messages.success(request, "Profile saved.")
            return redirect("accounts:profile_edit", pk=pk)
    context = {"profile": profile, "profile_form": profile_form, "hours_form": hours_form, "rates_form": rates_form}
    return render(request, "accounts/profile_form.html", context)
