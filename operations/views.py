"""Visit pages: types, booking, edits by scope, free slots, calendar, My day, time off and the ICS feed."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access
from accounts.http import AuthedHttpRequest
from accounts.formfields import run_service
from accounts.models import OrganizerProfile
from clients.models import Site
from operations import forms, ics, recurrence, selectors, services
from operations.models import Appointment, AppointmentType

DOUBLE_BOOKED_STATUS = 409


# --- appointment types ----------------------------------------------------------------------------------


def service_result(form: Any, action: Any) -> Any:
    return run_service(form, action)[1]


@access.staff_required
@require_GET
def appointment_type_list(request: AuthedHttpRequest) -> HttpResponse:
    context = {"types": selectors.appointment_types(), "show_rates": access.is_owner(request.user)}
    return render(request, "operations/appointment_type_list.html", context)


@access.staff_required
@require_http_methods(["GET", "POST"])
def appointment_type_edit(request: AuthedHttpRequest, pk: int | None = None) -> HttpResponse:
    instance = get_object_or_404(AppointmentType, pk=pk) if pk else None
    form = forms.AppointmentTypeForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()  # a plain catalogue row: no rule beyond the model's validation
        messages.success(request, "Appointment type saved.")
        return redirect("operations:appointment_type_list")
    return render(request, "operations/appointment_type_form.html", {"form": form, "instance": instance})


# --- booking --------------------------------------------------------------------------------------------


@access.staff_required
@require_http_methods(["GET", "POST"])
def appointment_create(request: AuthedHttpRequest) -> HttpResponse:
    """Book a one-off or recurring visit; prefilled from the free-slot finder through GET parameters."""
    form = forms.BookingForm(request.POST or None, initial=_booking_initial(request))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if d["repeat"] == "none":
            starts = form.starts_utc()
            visit = service_result(
                form,
                lambda: services.appointment_book(
                    client=d["client"], site=d["site"], appointment_type=d["appointment_type"],
                    organizers=list(d["organizers"]), starts=starts, ends=starts + timedelta(minutes=form.duration()),
                    travel_min=d["travel_min"], notes=d["notes"], actor=request.user,
                    allow_outside_hours=d["allow_outside_hours"],
                ),
            )  # fmt: skip
            if visit:
                messages.success(request, "Visit booked.")
                return redirect(visit)
        else:
            travel = d["travel_min"] if d["travel_min"] is not None else d["appointment_type"].default_travel_min
            created = service_result(
                form,
                lambda: services.series_create(
                    client=d["client"], site=d["site"], appointment_type=d["appointment_type"],
                    organizers=list(d["organizers"]), local_start=form.local_start(), rule=d["rule"],
                    duration_min=form.duration(), travel_min=travel, actor=request.user, now=timezone.now(),
                    notes=d["notes"], allow_outside_hours=d["allow_outside_hours"],
                ),
            )  # fmt: skip
            if created:
                _series, report = created
                horizon = settings.MATERIALIZATION_HORIZON_DAYS
                messages.success(request, f"Recurring visits booked: {report.added} in the next {horizon} days.")
                return redirect(reverse("operations:calendar") + f"?date={form.cleaned_data['day'].isoformat()}")
    status = DOUBLE_BOOKED_STATUS if _has_code(form, "double_booked") else 200
    return render(request, "operations/appointment_form.html", {"form": form}, status=status)


def _booking_initial(request: HttpRequest) -> dict[str, Any]:
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
        site = Site.objects.filter(client_id=client_id).order_by("pk").first() if client_id else None
        if site is not None:
            initial["site"] = site.pk
        if start.tzinfo is not None:
            # The finder shows the organizer's wall time; the form's times are the site's wall time.
            organizer = OrganizerProfile.objects.filter(user_id=initial.get("organizers", [None])[0]).first()
            zone = site.time_zone if site else (organizer.time_zone if organizer else settings.BUSINESS_TIME_ZONE)
            start = start.astimezone(ZoneInfo(zone))
        initial["day"], initial["start_time"] = start.date(), start.time().replace(second=0)
    return initial


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
        "reminders": visit.reminders.order_by("send_at") if access.is_staff_role(request.user) else [],
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
    form = forms.RescheduleForm(request.POST or None, initial=initial, is_series=visit.series_id is not None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if service_result(form, lambda: _apply_edit(request, visit, d, zone)) is not None:
            messages.success(request, "Visit updated.")
            return redirect(visit)
    status = DOUBLE_BOOKED_STATUS if _has_code(form, "double_booked") else 200
    return render(request, "operations/appointment_edit.html", {"visit": visit, "form": form}, status=status)


def _apply_edit(request: AuthedHttpRequest, visit: Appointment, d: dict[str, Any], zone: ZoneInfo) -> Any:
    now = timezone.now()
    if d["scope"] == "this":
        starts = recurrence.local_to_utc(datetime.combine(d["day"], d["start_time"]), str(zone.key))
        return services.appointment_reschedule(
            appointment=visit, starts=starts, ends=starts + timedelta(minutes=d["duration_min"]), actor=request.user,
            organizers=list(d["organizers"]) or None, allow_outside_hours=d["allow_outside_hours"], now=now,
        )  # fmt: skip
    if d["scope"] == "following":
        return services.series_change_from(
            appointment=visit, local_time=d["start_time"], duration_min=d["duration_min"], actor=request.user, now=now
        )
    assert visit.series is not None
    return services.series_change_all(
        series=visit.series, local_time=d["start_time"], duration_min=d["duration_min"], actor=request.user, now=now
    )


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


# --- free slots and calendar ----------------------------------------------------------------------------


@access.staff_required
@require_GET
def free_slots(request: AuthedHttpRequest) -> HttpResponse:
    form = forms.FreeSlotForm(request.GET or None)
    slots = []
    if request.GET and form.is_valid():
        d = form.cleaned_data
        slots = selectors.free_slots(
            appointment_type=d["appointment_type"], date_from=d["date_from"], date_to=d["date_to"],
            organizer=d["organizer"],
        )  # fmt: skip
    context = {"form": form, "slots": slots[:300], "truncated": len(slots) > 300}
    return render(request, "operations/free_slots.html", context, status=400 if request.GET and form.errors else 200)


@require_GET
def calendar(request: AuthedHttpRequest) -> HttpResponse:
    is_staff = access.is_staff_role(request.user)
    context = {
        "organizers": selectors.organizers_with_colours() if is_staff else [],
        "is_staff": is_staff,
        "initial_date": request.GET.get("date", ""),
        "events_url": reverse("operations:calendar_events"),
    }
    return render(request, "operations/calendar.html", context)


@require_GET
def calendar_events(request: AuthedHttpRequest) -> JsonResponse:
    try:
        start = datetime.fromisoformat(request.GET["start"])
        end = datetime.fromisoformat(request.GET["end"])
    except (KeyError, ValueError):
        return JsonResponse({"error": "Give start and end as ISO dates."}, status=400)
    start = start if start.tzinfo else start.replace(tzinfo=ZoneInfo("UTC"))
    end = end if end.tzinfo else end.replace(tzinfo=ZoneInfo("UTC"))
    if end <= start or end - start > timedelta(days=62):
        return JsonResponse({"error": "Ask for at most 62 days at a time."}, status=400)
    ids = [int(x) for x in request.GET.getlist("organizer") if x.isdigit()]
    events = selectors.calendar_events(user=request.user, start=start, end=end, organizer_ids=ids)
    return JsonResponse(events, safe=False)


@require_POST
def calendar_move(request: AuthedHttpRequest, pk: int) -> JsonResponse:
    """A calendar drag: move this one visit. 409 with a message when the slot is taken; nothing changes."""
    visit = selectors.appointment_get_for_user(user=request.user, pk=pk)
    access.require(request, access.is_staff_role(request.user))
    form = forms.CalendarMoveForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"error": " ".join(str(m) for ms in form.errors.values() for m in ms)}, status=400)
    try:
        services.appointment_reschedule(
            appointment=visit, starts=form.cleaned_data["start"], ends=form.cleaned_data["end"], actor=request.user,
            allow_outside_hours=request.POST.get("allow_outside_hours") == "1",
        )  # fmt: skip
    except ValidationError as exc:
        status = DOUBLE_BOOKED_STATUS if exc.code == "double_booked" else 400
        return JsonResponse({"error": " ".join(exc.messages), "code": exc.code}, status=status)
    return JsonResponse({"ok": True, "id": visit.pk})


# --- My day ---------------------------------------------------------------------------------------------


@never_cache
@require_GET
def my_day(request: AuthedHttpRequest) -> HttpResponse:
    try:
        day = date.fromisoformat(request.GET["date"]) if request.GET.get("date") else None
    except ValueError:
        day = None
    day, visits = selectors.my_day(user=request.user, day=day)
    context = {"day": day, "visits": visits, "prev": day - timedelta(days=1), "next": day + timedelta(days=1)}
    return render(request, "operations/my_day.html", context)


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
            services.appointment_progress(appointment=visit, action=action, actor=request.user, notes=notes)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, "Visit updated.")
    return redirect(_safe_next(request, visit.get_absolute_url()))


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
    return redirect(_safe_next(request, visit.get_absolute_url()))


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else default


# --- time off -------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def time_off(request: AuthedHttpRequest) -> HttpResponse:
    """Organizers request time off; staff see every request and approve or decline it."""
    can_request = access.is_organizer(request.user)
    form = forms.TimeOffForm(request.POST or None) if can_request else None
    if request.method == "POST":
        access.require(request, can_request)
        assert form is not None
        if form.is_valid():
            d = form.cleaned_data
            if service_result(
                form,
                lambda: services.time_off_request(
                    organizer=request.user, starts=d["starts"], ends=d["ends"], reason=d["reason"]
                ),
            ):
                messages.success(request, "Time off requested; the office will confirm it.")
                return redirect("operations:time_off")
    context = {"form": form, "entries": selectors.time_off_for_user(user=request.user)[:100],
               "is_staff": access.is_staff_role(request.user)}  # fmt: skip
    return render(request, "operations/time_off.html", context)


@require_POST
def time_off_decide(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    entry = selectors.time_off_get_for_user(user=request.user, pk=pk)
    access.require(request, access.is_staff_role(request.user))
    try:
        if request.POST.get("decision") == "approve":
            services.time_off_approve(time_off=entry)
            messages.success(request, "Time off approved; that time is now blocked.")
        else:
            services.time_off_decline(time_off=entry)
            messages.success(request, "Time off declined.")
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect("operations:time_off")


# --- ICS feed -------------------------------------------------------------------------------------------


@require_GET
def feed_settings(request: AuthedHttpRequest) -> HttpResponse:
    access.require(request, access.is_organizer(request.user))
    feed = selectors.feed_for_user(user=request.user)
    url = request.build_absolute_uri(reverse("operations:ics_feed", kwargs={"token": feed.token}))
    return render(
        request,
        "operations/feed.html",
        {"feed": feed, "url": url, "webcal": url.replace("https://", "webcal://").replace("http://", "webcal://")},
    )


@require_POST
def feed_regenerate(request: AuthedHttpRequest) -> HttpResponse:
    access.require(request, access.is_organizer(request.user))
    services.feed_regenerate(organizer=request.user)
    messages.success(request, "A new feed address was made; the old one no longer works.")
    return redirect("operations:feed_settings")


@login_not_required
@require_GET
def ics_feed(request: HttpRequest, token: str) -> HttpResponse:
    """Public, secret-token URL (calendar apps cannot log in). Unknown tokens answer 404."""
    now = timezone.now()
    feed, visits = selectors.feed_visits(token=token, now=now)
    body = ics.feed_calendar(organizer=feed.organizer, visits=visits, now=now)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    # The ETag follows the visits' versions, not the body (DTSTAMP changes on every request).
    version = "|".join(f"{v.pk}:{v.sequence}:{v.status}:{v.updated_at.isoformat()}" for v in visits)
    response["ETag"] = '"' + hashlib.sha256(version.encode()).hexdigest()[:32] + '"'
    response["Cache-Control"] = "private, max-age=300"
    response["Content-Disposition"] = 'inline; filename="visits.ics"'
    return response
