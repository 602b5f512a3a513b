"""The booking form's helpers (htmx, GET only, never write): the chosen client's sites (T18) and a preview of the
next ten visits of the repeat being entered, in the site's zone, with the rule in words."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts import access
from accounts.http import AuthedHttpRequest
from operations import recurrence, recurrence_text
from operations.forms import visits as forms

PREVIEW_VISITS = 10
PREVIEW_FIELDS = ("site", "day", "start_time", "repeat", "interval", "weekdays", "second_day", "positions",
                  "months", "rrule", "ends", "end_on", "count")  # fmt: skip


@access.staff_required
@require_GET
def booking_sites(request: AuthedHttpRequest) -> HttpResponse:
    """The <option>s of the site list for the chosen client, each labelled with the client."""
    form = forms.BookingForm(initial={"client": request.GET.get("client", "")})
    field = form["site"]
    return render(request, "operations/partials/site_options.html", {"field": field})


@access.staff_required
@require_GET
def booking_preview(request: AuthedHttpRequest) -> HttpResponse:
    """The next ten visits of the repeat in the form (the booking form's live preview)."""
    form = forms.BookingForm(request.GET)
    form.is_valid()
    data = form.cleaned_data
    context: dict[str, object] = {"errors": [], "visits": [], "words": ""}
    if data.get("repeat") in (None, "none"):
        return render(request, "operations/partials/repeat_preview.html", context)
    errors = [
        f"{form.fields[name].label or name}: {error}" for name in PREVIEW_FIELDS for error in form.errors.get(name, [])
    ]
    site, rule = data.get("site"), data.get("rule")
    if site is None:
        errors.append("Choose the site to see the visits in its time zone.")
    if errors or rule is None or site is None:
        context["errors"] = errors
        return render(request, "operations/partials/repeat_preview.html", context)
    tz = site.time_zone
    local_start = form.local_start()
    context["words"] = recurrence_text.describe_rule(rule, tz=tz, local_start=local_start)
    context["tz"] = tz
    context["visits"] = _next_visits(rule, local_start, tz)
    return render(request, "operations/partials/repeat_preview.html", context)


def _next_visits(rule: recurrence.RecurrenceRule, local_start: datetime, tz: str) -> list[datetime]:
    """Up to ten visits from the start, looking at most five windows (five years) ahead."""
    found: list[datetime] = []
    low = recurrence.local_to_utc(local_start, tz)
    for _ in range(5):
        high = low + recurrence.MAX_WINDOW
        occurrences = recurrence.expand_occurrences(rule, local_start, tz, low, high, duration=timedelta(0))
        found += [recurrence.utc_to_local(o.starts, tz) for o in occurrences]
        if len(found) >= PREVIEW_VISITS:
            break
        low = high
    return found[:PREVIEW_VISITS]
