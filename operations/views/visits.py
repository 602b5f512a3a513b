"""Visit pages: appointment types, booking, the visit page, edits by scope, cancelling, actions on the day.

The calendar, free slots, My day, time off and the ICS feed are in operations.views.calendar.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access
from accounts.http import (
    AuthedHttpRequest,
    TimeLink,
    form_add_service_error,
    initial_from_query,
    safe_next_url,
    time_links,
)
from clients import selectors as client_selectors
from operations import recurrence
from operations.formats import fmt_qty
from operations.forms import visits as forms
from operations.models import Appointment
from operations.selectors import inventory as stock
from operations.selectors import my_day as my_day_selectors
from operations.selectors import visits as selectors
from operations.services import series as series_services
from operations.services import visits as services

DOUBLE_BOOKED_STATUS = 409
AT_FIELD = {"past_start": "start_time"}  # a time that has passed is shown at the start the user typed (T47)


# --- appointment types ----------------------------------------------------------------------------------


@access.staff_required
@require_GET
def appointment_type_list(request: AuthedHttpRequest) -> HttpResponse:
    context = {"types": selectors.appointment_types(), "show_rates": access.is_owner(request.user)}
    return render(request, "operations/appointment_type_list.html", context)


@access.staff_required
@require_http_methods(["GET", "POST"])
def appointment_type_edit(request: AuthedHttpRequest, pk: int | None = None) -> HttpResponse:
    instance = selectors.appointment_type_get(pk=pk) if pk else None
    form = forms.AppointmentTypeForm(request.POST or None, instance=instance, show_rates=access.is_owner(request.user))
    if request.method == "POST" and form.is_valid():
        form.save()  # a plain catalogue row: no rule beyond the model's validation
        messages.success(request, "Appointment type saved.")
        return redirect("operations:appointment_type_list")
    return render(request, "operations/appointment_type_form.html", {"form": form, "instance": instance})


# --- booking --------------------------------------------------------------------------------------------


@access.staff_required
@require_http_methods(["GET", "POST"])
def appointment_create(request: AuthedHttpRequest) -> HttpResponse:
    """Book a one-off or recurring visit; prefilled through GET parameters from the free-slot finder or from a
    free time offered after a clash (T25)."""
    form = forms.BookingForm(request.POST or None, initial=_booking_initial(request))
    free_times: list[TimeLink] = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if d["repeat"] == "none":
            starts = form.starts_utc()
            try:
                visit = services.appointment_book(
                    client=d["client"], site=d["site"], appointment_type=d["appointment_type"],
                    organizers=list(d["organizers"]), starts=starts, ends=starts + timedelta(minutes=form.duration()),
                    travel_min=d["travel_min"], notes=d["notes"], actor=request.user,
                    allow_outside_hours=d["allow_outside_hours"], now=timezone.now(), refuse_past=True,
                )  # fmt: skip
            except ValidationError as exc:
                form_add_service_error(form, exc, at=AT_FIELD)
                free_times = time_links(
                    request.path, request.POST, services.clash_free_starts(exc), tz=d["site"].time_zone,
                    length=timedelta(minutes=form.duration()), fields=_day_and_start, optional=("notes",),
                )  # fmt: skip
            else:
                messages.success(request, "Visit booked.")
                return redirect(visit)
        else:
            travel = d["travel_min"] if d["travel_min"] is not None else d["appointment_type"].default_travel_min
            try:
                _series, report = series_services.series_create(
                    client=d["client"], site=d["site"], appointment_type=d["appointment_type"],
                    organizers=list(d["organizers"]), local_start=form.local_start(), rule=d["rule"],
                    duration_min=form.duration(), travel_min=travel, actor=request.user, now=timezone.now(),
                    notes=d["notes"], allow_outside_hours=d["allow_outside_hours"], refuse_past=True,
                )  # fmt: skip
            except ValidationError as exc:
                form_add_service_error(form, exc, at=AT_FIELD)
            else:
                horizon = settings.MATERIALIZATION_HORIZON_DAYS
                messages.success(request, f"Recurring visits booked: {report.added} in the next {horizon} days.")
                return redirect(reverse("operations:calendar") + f"?date={form.cleaned_data['day'].isoformat()}")
    status = DOUBLE_BOOKED_STATUS if _has_code(form, "double_booked") else 200
    return render(request, "operations/appointment_form.html", {"form": form, "free_times": free_times}, status=status)


def _day_and_start(start: datetime, _end: datetime) -> dict[str, str]:
    """A free time as the booking and edit forms' fields (their duration stays as typed)."""
    return {"day": start.date().isoformat(), "start_time": f"{start:%H:%M}"}


def _finder_initial(request: HttpRequest) -> dict[str, Any]:
    """The booking form's initial values from the free-slot finder's link (client, type, organizer, start)."""
    g = request.GET
    initial: dict[str, Any] = {"repeat": "none", "ends": "never", "interval": 1}
    for key in ("client", "appointment_type"):
        if g.get(key, "").isdigit():
            initial[key] = int(g[key])
    if g.get("organizer", "").isdigit():
        initial["organizers"] = [int(g["organizer"])]
    if g.get("start"):
        try:
            start = datetime.fromisoformat(g["start"])
        except ValueError:
            return initial
        client_id: int | None = initial.get("client")
        site = client_selectors.client_first_site(client_id=client_id) if client_id else None
        if site is not None:
            initial["site"] = site.pk
        if start.tzinfo is not None:
            # The finder shows the organizer's wall time; the form's times are the site's wall time.
            organizer_id = initial.get("organizers", [None])[0]
            start = start.astimezone(ZoneInfo(selectors.booking_time_zone(site=site, organizer_id=organizer_id)))
        initial["day"], initial["start_time"] = start.date(), start.time().replace(second=0)
    return initial


def _booking_initial(request: HttpRequest) -> dict[str, Any]:
    """The finder's values, then any of the form's own fields a free-time link carries (T25)."""
    return _finder_initial(request) | initial_from_query(forms.BookingForm, request.GET)


def _has_code(form: Any, code: str) -> bool:
    return any(getattr(e, "code", None) == code for e in form.errors.as_data().get("__all__", []))


@never_cache
@require_GET
def appointment_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    visit = selectors.appointment_get_for_user(user=request.user, pk=pk)
    zone = ZoneInfo(visit.site.time_zone)
    context = {
        "visit": visit,
        "organizers": list(visit.organizers.all()),
        "local_start": visit.starts.astimezone(zone),
        "local_end": visit.ends.astimezone(zone),
        "is_staff": access.is_staff_role(request.user),
        "reminders": selectors.visit_reminders(visit=visit) if access.is_staff_role(request.user) else [],
        # A session's actions are on its session page; a visit's are here as on My day (T27).
        "day": None
        if visit.is_session
        else my_day_selectors.visit_on_the_day(visit=visit, staff=access.is_staff_role(request.user)),
    }
    return render(request, "operations/appointment_detail.html", context)


@require_http_methods(["GET", "POST"])
def appointment_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Change this visit, this and following, or all upcoming visits of its series."""
    visit = selectors.appointment_get_for_user(user=request.user, pk=pk)
    access.require(request, access.is_staff_role(request.user))
    zone = ZoneInfo(visit.site.time_zone)
    local = visit.starts.astimezone(zone)
    initial = {"scope": "this", "day": local.date(), "start_time": local.time().replace(second=0),
               "duration_min": int((visit.ends - visit.starts).total_seconds() // 60),
               "organizers": list(visit.organizers.all())}  # fmt: skip
    initial |= initial_from_query(forms.RescheduleForm, request.GET)  # a free time offered after a clash (T25)
    form = forms.RescheduleForm(
        request.POST or None, initial=initial, is_series=visit.series_id is not None, tz=visit.site.time_zone
    )
    free_times: list[TimeLink] = []
    if request.method == "POST" and form.is_valid():
        try:
            _apply_edit(request, visit, form.cleaned_data, zone)
        except ValidationError as exc:
            form_add_service_error(form, exc, at=AT_FIELD)
            free_times = time_links(
                request.path, request.POST, services.clash_free_starts(exc), tz=visit.site.time_zone,
                length=timedelta(minutes=form.cleaned_data["duration_min"]), fields=_day_and_start,
            )  # fmt: skip
        else:
            messages.success(request, "Visit updated.")
            return redirect(visit)
    status = DOUBLE_BOOKED_STATUS if _has_code(form, "double_booked") else 200
    context = {"visit": visit, "form": form, "free_times": free_times}
    return render(request, "operations/appointment_edit.html", context, status=status)


def _apply_edit(request: AuthedHttpRequest, visit: Appointment, d: dict[str, Any], zone: ZoneInfo) -> object:
    """Call the service for the chosen scope (this visit, this and following, all upcoming)."""
    now = timezone.now()
    if d["scope"] == "this":
        starts = recurrence.local_to_utc(datetime.combine(d["day"], d["start_time"]), str(zone.key))
        return services.appointment_reschedule(
            appointment=visit, starts=starts, ends=starts + timedelta(minutes=d["duration_min"]), actor=request.user,
            organizers=list(d["organizers"]) or None, allow_outside_hours=d["allow_outside_hours"], now=now,
        )  # fmt: skip
    # A series scope moves the pattern by the days the visit moved (from where it is now, exception or not).
    shift = (d["day"] - visit.starts.astimezone(zone).date()).days
    if d["scope"] == "following":
        original = visit.original_start or visit.starts  # a one-off has none: the service refuses it
        original_day = recurrence.utc_to_local(original, str(zone.key)).date()
        return series_services.series_change_from(
            appointment=visit, local_time=d["start_time"], duration_min=d["duration_min"], actor=request.user,
            now=now, new_day=original_day + timedelta(days=shift), new_pattern=d.get("rrule"),
        )  # fmt: skip
    assert visit.series is not None
    return series_services.series_change_all(
        series=visit.series, local_time=d["start_time"], duration_min=d["duration_min"], actor=request.user,
        now=now, day_shift_days=shift, new_pattern=d.get("rrule"),
    )  # fmt: skip


@require_POST
def appointment_cancel(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    visit = selectors.appointment_get_for_user(user=request.user, pk=pk)
    access.require(request, access.is_staff_role(request.user))
    try:
        services.appointment_cancel(
            appointment=visit, actor=request.user, by_client=request.POST.get("by_client") == "1"
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, "Visit cancelled; its time is free again and its reminders will not be sent.")
    return redirect(visit)


@require_POST
def appointment_uncancel(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    visit = selectors.appointment_get_for_user(user=request.user, pk=pk)
    access.require(request, access.is_staff_role(request.user) and visit.series_id is None)
    try:
        services.appointment_uncancel(appointment=visit, actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, "Visit restored.")
    return redirect(visit)


# --- on the day --------------------------------------------------------------------------------------------


@require_POST
def appointment_day_action(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Start / complete / client cancelled / no-show / needs redo, from My day or the visit page."""
    visit = selectors.appointment_get_for_user(user=request.user, pk=pk)
    form = forms.DayActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Unknown action.")
        return redirect(request.POST.get("next") or visit.get_absolute_url())
    action, notes = form.cleaned_data["action"], form.cleaned_data["notes"]
    try:
        if action == "client_cancel":
            services.appointment_cancel(appointment=visit, actor=request.user, by_client=True)
        else:
            services.appointment_progress(
                appointment=visit, action=action, actor=request.user, notes=notes,
                ask_if_items_open=not form.cleaned_data["confirmed"],
            )  # fmt: skip
    except ValidationError as exc:
        if getattr(exc, "code", None) == "open_checklist":  # ask first, naming the unticked items (T4)
            context = {"visit": visit, "open_items": selectors.checklist_open_items(visit=visit), "notes": notes,
                       "next": safe_next_url(request, visit.get_absolute_url())}  # fmt: skip
            return render(request, "operations/appointment_complete_confirm.html", context)
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, "Visit updated.")
        short = [f"{fmt_qty(a.short_qty)} {a.item.unit} {a.item.name}" for a in stock.visit_shortfalls(visit=visit)]
        if action == "complete" and short:  # stock never blocks completion; say what the van lacked (T21)
            messages.warning(
                request, f"Not in stock, so not recorded as used: {'; '.join(short)}. The office will sort it out."
            )
    return redirect(safe_next_url(request, visit.get_absolute_url()))


@require_POST
def appointment_checklist(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    visit = selectors.appointment_get_for_user(user=request.user, pk=pk)
    form = forms.ChecklistForm(request.POST)
    if form.is_valid():
        try:
            visit = services.appointment_checklist_toggle(
                appointment=visit, index=form.cleaned_data["index"], done=form.cleaned_data["done"]
            )
        except ValidationError as exc:
            return HttpResponse(exc.messages[0], status=400)
    else:
        return HttpResponse("Unknown checklist item.", status=400)
    if request.htmx:
        return render(request, "operations/partials/checklist.html", {"visit": visit})
    return redirect(safe_next_url(request, visit.get_absolute_url()))
