"""The organizers' time: free-slot finder, calendar (with drag to move), My day, time off and the ICS feed."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access
from accounts.http import AuthedHttpRequest, form_add_service_error
from operations import ics
from operations.forms import visits as forms
from operations.selectors import my_day as my_day_selectors
from operations.selectors import visits as selectors
from operations.services import visits as services
from operations.views.visits import DOUBLE_BOOKED_STATUS


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
        status = DOUBLE_BOOKED_STATUS if getattr(exc, "code", None) == "double_booked" else 400
        return JsonResponse({"error": " ".join(exc.messages), "code": getattr(exc, "code", None)}, status=status)
    return JsonResponse({"ok": True, "id": visit.pk})


@never_cache
@require_GET
def my_day(request: AuthedHttpRequest) -> HttpResponse:
    try:
        day = date.fromisoformat(request.GET["date"]) if request.GET.get("date") else None
    except ValueError:
        day = None
    day, visits = my_day_selectors.my_day(user=request.user, day=day)
    context = {"day": day, "visits": visits, "prev": day - timedelta(days=1), "next": day + timedelta(days=1)}
    return render(request, "operations/my_day.html", context)


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
            try:
                services.time_off_request(
                    organizer=request.user, starts=d["starts"], ends=d["ends"], reason=d["reason"]
                )
            except ValidationError as exc:
                form_add_service_error(form, exc)
            else:
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


@require_GET
def feed_settings(request: AuthedHttpRequest) -> HttpResponse:
    """The organizer's private feed address; before they have one, a button makes it (a GET never writes)."""
    access.require(request, access.is_organizer(request.user))
    feed = selectors.feed_for_user(user=request.user)
    if feed is None:
        return render(request, "operations/feed.html", {"feed": None})
    url = request.build_absolute_uri(reverse("operations:ics_feed", kwargs={"token": feed.token}))
    return render(
        request,
        "operations/feed.html",
        {"feed": feed, "url": url, "webcal": url.replace("https://", "webcal://").replace("http://", "webcal://")},
    )


@require_POST
def feed_regenerate(request: AuthedHttpRequest) -> HttpResponse:
    """Make the organizer's feed address, or a new one in place of the old (which stops working at once)."""
    access.require(request, access.is_organizer(request.user))
    had_feed = selectors.feed_for_user(user=request.user) is not None
    services.feed_regenerate(organizer=request.user)
    if had_feed:
        messages.success(request, "A new feed address was made; the old one no longer works.")
    else:
        messages.success(request, "Your feed address is ready.")
    return redirect("operations:feed_settings")


@login_not_required
@require_GET
def ics_feed(request: HttpRequest, token: str) -> HttpResponse:
    """Public, secret-token URL (calendar apps cannot log in). Unknown tokens answer 404."""
    now = timezone.now()
    feed, visits = selectors.feed_visits(token=token, now=now)
    body = ics.feed_calendar(organizer=feed.organizer, visits=visits, now=now)
    etag = ics.feed_etag(body)
    if _etag_matches(request.headers.get("If-None-Match", ""), etag):
        response = HttpResponse(status=304)  # nothing changed: no body, the app keeps its copy
    else:
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="visits.ics"'
    response["ETag"] = etag
    response["Cache-Control"] = "private, max-age=300"
    return response


def _etag_matches(header: str, etag: str) -> bool:
    """If-None-Match uses the weak comparison (RFC 9110 §13.1.2): W/ prefixes are ignored; "*" matches any."""
    tags = [t.strip().removeprefix("W/") for t in header.split(",") if t.strip()]
    return "*" in tags or etag in tags
