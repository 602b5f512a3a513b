"""HTTP helpers every app's views share (accounts is the base layer).

Views reach services one way, written out in each view so the flow reads top to bottom:

    try:
        visit = services.visit_reschedule(visit=visit, actor=request.user, **form.cleaned_data)
    except ValidationError as exc:
        form_add_service_error(form, exc)
    else:
        messages.success(request, RESCHEDULED_MSG)
        return redirect(visit.get_absolute_url())
    return render(request, "...", {"form": form})

A view without a form turns the error into a message or a status code itself (``exc.messages``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.models import User

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails


class AuthedHttpRequest(HttpRequest):
    """The request type of views behind LoginRequiredMiddleware (for type checking only)."""

    user: User
    htmx: HtmxDetails


def form_add_service_error(form: forms.BaseForm, exc: forms.ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when the form has that field, else on top.

    A service may name model fields the form does not show (created_by, ...); those become form-wide errors
    instead of the ValueError that form.add_error raises for unknown fields.
    """
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def safe_next_url(request: HttpRequest, default: str) -> str:
    """The `next` target of a form or link (POST first, then GET) when it stays on this site, else `default`.

    Only a local path on this host is followed: "//evil.example", "https://evil.example/" and
    "javascript:..." fall back to `default`, so a crafted link cannot send a user elsewhere after an action.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    ok = target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if ok else default
