"""The team: users, roles and organizer profiles."""

from __future__ import annotations

from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.webauthn import views as allauth_webauthn_views
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access, forms, mfa, selectors, services
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


@access.owner_required
@require_http_methods(["GET", "POST"])
def user_mfa_reset(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The owner removes a person's second factors after checking who is asking (docs/specs/portal.md §7)."""
    user = selectors.user_get_for_user(user=request.user, pk=pk)
    form = forms.MFAResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.mfa_reset(actor=request.user, user=user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, f"Two-factor authentication of {user} was reset; they were signed out.")
            return redirect("accounts:team_list")
    return render(request, "accounts/mfa_reset.html", {"form": form, "edited": user})


@access.owner_required
@require_POST
def user_mfa_required(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The owner requires two-factor authentication of an organizer, or stops requiring it."""
    user = selectors.user_get_for_user(user=request.user, pk=pk)
    form = forms.MFARequiredForm(request.POST)
    if form.is_valid():
        required = form.cleaned_data["required"]
        try:
            services.user_mfa_required_set(actor=request.user, user=user, required=required)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            state = "now needs" if required else "no longer needs"
            messages.success(request, f"{user} {state} two-factor authentication.")
    return redirect("accounts:team_list")


@require_http_methods(["GET", "POST"])
def webauthn_remove(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """allauth's "remove security key", refused for the last factor of a user who must keep one (W24)."""
    key = get_object_or_404(Authenticator, pk=pk, user=request.user, type=Authenticator.Type.WEBAUTHN)
    if request.method == "POST" and not get_mfa_adapter().can_delete_authenticator(key):
        messages.error(request, mfa.LAST_FACTOR_MSG)
        return redirect("mfa_list_webauthn")
    return allauth_webauthn_views.remove_webauthn(request, pk=pk)
