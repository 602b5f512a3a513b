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

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django import forms
from django.http import HttpRequest, QueryDict
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.models import User

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails


class AuthedHttpRequest(HttpRequest):
    """The request type of views behind LoginRequiredMiddleware (for type checking only)."""

    user: User
    htmx: HtmxDetails


def form_add_service_error(
    form: forms.BaseForm, exc: forms.ValidationError, at: Mapping[str, str] | None = None
) -> None:
    """Show a service's ValidationError on the form: on its field when the form has that field, else on top.

    A service may name model fields the form does not show (created_by, ...); those become form-wide errors
    instead of the ValueError that form.add_error raises for unknown fields. `at` places a coded error that
    names no field at the form's field it concerns (e.g. {"past_start": "start_time"}), since the service does
    not know the form's field names.
    """
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        named = (at or {}).get(getattr(exc, "code", None) or "")
        form.add_error(named if named in form.fields else None, exc)


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


# gunicorn refuses a request line over 4,094 bytes: a link longer than this leaves out its optional values.
REFILL_URL_MAX = 3500


def refill_url(
    path: str, data: QueryDict, changes: Mapping[str, str], optional: Sequence[str] = ()
) -> tuple[str, bool]:
    """A link to `path` carrying a submitted form's values as query parameters with `changes` applied, so a GET
    reopens the form filled in as it was (initial_from_query reads them; GET never writes). The CSRF token is
    never put in a URL. Returns the link and whether every value fits in it: the `optional` ones (free text
    such as notes) are left out of a link that would be too long."""
    query = data.copy()
    query.pop("csrfmiddlewaretoken", None)
    for name, value in changes.items():
        query[name] = value
    url = f"{path}?{query.urlencode()}"
    if len(url) <= REFILL_URL_MAX:
        return url, True
    for name in optional:
        query.pop(name, None)
    return f"{path}?{query.urlencode()}", False


def initial_from_query(form_class: type[forms.Form], query: QueryDict) -> dict[str, Any]:
    """A form's initial values from the query parameters named like its fields (a refill_url link): a list for
    a field that takes several values. Values are only shown, never saved: the POST validates them."""
    initial: dict[str, Any] = {}
    for name, field in form_class.base_fields.items():
        if name in query:
            several = getattr(field.widget, "allow_multiple_selected", False)
            initial[name] = query.getlist(name) if several else query[name]
    return initial


@dataclass(frozen=True)
class TimeLink:
    label: str  # "12:00–13:00", wall time in the form's zone
    url: str
    complete: bool  # every typed value is carried (see refill_url)


def time_links(
    path: str, data: QueryDict, starts: Sequence[datetime], *, length: timedelta, tz: str,
    fields: Callable[[datetime, datetime], Mapping[str, str]], optional: Sequence[str] = (),
) -> list[TimeLink]:  # fmt: skip
    """One refill link per suggested start (T25, docs/specs/defects.md): `fields` turns the local start and end
    into the form's time fields; every other value typed is kept. A slot running past midnight is left out
    (the forms book one day)."""
    zone = ZoneInfo(tz)
    links = []
    for start in starts:
        local_start, local_end = start.astimezone(zone), (start + length).astimezone(zone)
        if local_end.date() != local_start.date():
            continue
        url, complete = refill_url(path, data, fields(local_start, local_end), optional)
        links.append(TimeLink(f"{local_start:%H:%M}–{local_end:%H:%M}", url, complete))
    return links
