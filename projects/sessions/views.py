"""Session pages: book a session from a task, find slots and book the chosen ones, the session page, its My day
panel, completion, the checklist; office lists of unbooked work and capacity. Scope first (404), then role (403)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access
from accounts.http import AuthedHttpRequest, TimeLink, form_add_service_error, initial_from_query, time_links
from accounts.models import User
from operations.selectors import my_day as day_selectors
from operations.services import visits as op_visits
from projects import selectors as project_selectors
from projects.models import Task, WorkSession
from projects.sessions import capacity as capacity_selectors
from projects.sessions import checklist, forms, selectors, services

DOUBLE_BOOKED_STATUS = 409


def _staff_task(request: AuthedHttpRequest, pk: int, task_pk: int) -> Task:
    project = project_selectors.project_get_for_user(user=request.user, pk=pk)
    task = project_selectors.task_get_for_user(user=request.user, project=project, pk=task_pk)
    access.require(request, access.is_staff_role(request.user))
    return task


def _plan_task(request: AuthedHttpRequest, pk: int, task_pk: int) -> Task:
    """A task whose plan the user may edit: staff, or the project's lead organizer."""
    project = project_selectors.project_get_for_user(user=request.user, pk=pk)
    task = project_selectors.task_get_for_user(user=request.user, project=project, pk=task_pk)
    access.require(request, project_selectors.can_edit_plan(user=request.user, project=project))
    return task


def _tz(task: Task) -> str:
    site = selectors.project_site(task.project)
    return site.time_zone if site else settings.BUSINESS_TIME_ZONE


@require_http_methods(["GET", "POST"])
def session_book(request: AuthedHttpRequest, pk: int, task_pk: int) -> HttpResponse:
    task = _staff_task(request, pk, task_pk)
    assignees = list(task.assignees.filter(role=User.Role.ORGANIZER))
    # A free time offered after a clash reopens the form with its values (T25).
    initial = {"organizers": [a.pk for a in assignees]} | initial_from_query(forms.SessionForm, request.GET)
    form = forms.SessionForm(request.POST or None, assignees=assignees, tz=_tz(task), initial=initial)
    status = 200
    free_times: list[TimeLink] = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            session = services.task_session_book(
                task=task, starts=d["starts"], ends=d["ends"], organizers=list(d["organizers"]), actor=request.user,
                confirm_outside_window=d["confirm_outside_window"], refuse_past=True,
            )  # fmt: skip
        except ValidationError as exc:
            form_add_service_error(form, exc, at={"past_start": "start"})  # T47
            status = DOUBLE_BOOKED_STATUS if getattr(exc, "code", None) == "double_booked" else 400
            free_times = time_links(
                request.path, request.POST, op_visits.clash_free_starts(exc), tz=_tz(task),
                length=d["ends"] - d["starts"], fields=_session_times,
            )  # fmt: skip
        else:
            messages.success(request, f"Session booked: {session.appointment.title}.")
            return redirect("projects:session_detail", appt_pk=session.appointment_id)
    elif request.method == "POST":
        status = 400
    context = {
        "task": task,
        "project": task.project,
        "form": form,
        "tz": _tz(task),
        "sessions": selectors.sessions_for_task(task=task),
        "free_times": free_times,
    }
    return render(request, "projects/session_form.html", context, status=status)


def _session_times(start: datetime, end: datetime) -> dict[str, str]:
    return {"day": start.date().isoformat(), "start": f"{start:%H:%M}", "end": f"{end:%H:%M}"}


@require_http_methods(["GET", "POST"])
def session_slots(request: AuthedHttpRequest, pk: int, task_pk: int) -> HttpResponse:
    """Proposals for all (or the kept) assignees; POST books the selected ones, all or none."""
    task = _staff_task(request, pk, task_pk)
    assignees = list(task.assignees.filter(role=User.Role.ORGANIZER).order_by("first_name", "pk"))
    dropped = {int(x) for x in request.POST.getlist("drop") or request.GET.getlist("drop") if x.isdigit()}
    people = [a for a in assignees if a.pk not in dropped]
    error = ""
    status = 200
    if request.method == "POST":
        length = timedelta(minutes=selectors.session_proposals(task=task, organizers=people, days=0).length)
        try:
            # What was chosen is booked as chosen: a slot taken meanwhile fails in the service, which books none.
            slots = [(_instant(k), _instant(k) + length) for k in request.POST.getlist("slot")]
            booked = services.task_sessions_book_selected(
                task=task, organizers=people, slots=slots, actor=request.user, refuse_past=True
            )
        except (ValidationError, ValueError) as exc:
            error = " ".join(exc.messages) if isinstance(exc, ValidationError) else "Those slots were not understood."
            status = DOUBLE_BOOKED_STATUS if getattr(exc, "code", "") == "double_booked" else 400
        else:
            messages.success(request, f"{len(booked)} session(s) booked for “{task.name}”.")
            return redirect("projects:session_slots", pk=pk, task_pk=task_pk)
    plan = selectors.session_proposals(task=task, organizers=people)
    context = {
        "task": task,
        "project": task.project,
        "plan": plan,
        "assignees": assignees,
        "dropped": dropped,
        "error": error,
    }
    return render(request, "projects/session_slots.html", context, status=status)


def _instant(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(text)
    return value


def _session(request: AuthedHttpRequest, appt_pk: int) -> WorkSession:
    return selectors.session_get_for_user(user=request.user, appointment_pk=appt_pk)


@never_cache
@require_GET
def session_detail(request: AuthedHttpRequest, appt_pk: int) -> HttpResponse:
    session = _session(request, appt_pk)
    return render(request, "projects/session_detail.html", _session_context(request, session))


@never_cache
@require_GET
def session_panel(request: AuthedHttpRequest, appt_pk: int) -> HttpResponse:
    """The project part of a My day session card (loaded with hx-get): task, checklist, notes, complete."""
    session = _session(request, appt_pk)
    return render(request, "projects/partials/session_card.html", _session_context(request, session))


def _session_context(request: AuthedHttpRequest, session: WorkSession) -> dict[str, Any]:
    people = selectors.session_people(session=session)
    return {
        "session": session, "task": session.task, "project": session.task.project, "appt": session.appointment,
        "co_organizers": [p for p in people if p.pk != request.user.pk], "people": people,
        "checklist": selectors.checklist_for(task=session.task), "is_staff": access.is_staff_role(request.user),
        "hours": selectors.hours_for_tasks([session.task])[session.task_id],
        # "Complete session" only once the service would accept it; else when it opens (T24).
        "offer": day_selectors.day_offer(visit=session.appointment, offered=("complete",)),
    }  # fmt: skip


@require_POST
def checklist_toggle(request: AuthedHttpRequest, appt_pk: int) -> HttpResponse:
    session = _session(request, appt_pk)
    raw = request.POST.get("item", "")
    if not raw.isdigit():
        return HttpResponse("Which checklist item?", status=400)
    item = selectors.checklist_item_get(task=session.task, pk=int(raw))
    services.checklist_toggle(item=item, actor=request.user, done=request.POST.get("done") == "1")
    if request.headers.get("HX-Request"):
        return render(request, "projects/partials/session_card.html", _session_context(request, session))
    return redirect("projects:session_detail", appt_pk=appt_pk)


@require_http_methods(["GET", "POST"])
def session_complete(request: AuthedHttpRequest, appt_pk: int) -> HttpResponse:
    session = _session(request, appt_pk)
    people = selectors.session_people(session=session)
    access.require(request, access.is_staff_role(request.user) or request.user.pk in {p.pk for p in people})
    booked = selectors.booked_minutes(session=session)
    proposal = selectors.progress_proposal(task=session.task, extra_minutes=booked * len(people))
    # Progress is left empty: the service proposes it from the minutes actually entered (OS12), not the booked ones.
    form = forms.CompleteForm(request.POST or None, people=people, booked=booked)
    form.fields["progress"].widget.attrs["placeholder"] = f"{proposal} (proposed)"
    status = 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            result = services.task_session_complete(
                session=session, minutes=form.minutes(), progress=d["progress"], task_finished=d["task_finished"],
                confirm_over=d["confirm_over"], actor=request.user,
            )  # fmt: skip
        except ValidationError as exc:
            form_add_service_error(form, exc)
            status = 400
        else:
            done = "completed" if result.created else "was already completed"
            messages.success(request, f"Session {done}; “{session.task.name}” is at {result.progress} %.")
            return redirect("operations:my_day")
    elif request.method == "POST":
        status = 400
    context = {**_session_context(request, session), "form": form, "booked": booked, "proposal": proposal}
    return render(request, "projects/session_complete.html", context, status=status)


@access.staff_required
@require_GET
def unbooked_work(request: AuthedHttpRequest) -> HttpResponse:
    """The most urgent first, 50 to a page (the database sorts and pages the list)."""
    page = Paginator(selectors.unbooked_tasks(), 50).get_page(request.GET.get("page"))
    rows = selectors.unbooked_rows(page.object_list)
    return render(request, "projects/unbooked_work.html", {"rows": rows, "page_obj": page})


@access.staff_required
@require_GET
def capacity(request: AuthedHttpRequest) -> HttpResponse:
    monday = _monday(request.GET.get("week"))
    view = capacity_selectors.capacity(monday=monday)
    weeks = [capacity_selectors.iso_week_label(m) for m in view.mondays]
    step = timedelta(weeks=len(view.mondays))
    context = {
        "view": view, "weeks": weeks, "threshold": settings.CAPACITY_OVERALLOCATION_PCT,
        "rows": [(row, list(zip(weeks, row.weeks, strict=True))) for row in view.rows],
        "totals": list(zip(view.totals, view.over_counts, strict=True)),
        "earlier": capacity_selectors.iso_week_label(view.mondays[0] - step),
        "later": capacity_selectors.iso_week_label(view.mondays[0] + step),
    }  # fmt: skip
    return render(request, "projects/capacity.html", context)


@access.staff_required
@require_GET
def capacity_cell(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """One organizer's week (`?week=2026-W26`, default this week): its days and their items."""
    monday = _monday(request.GET.get("week"))
    view = capacity_selectors.capacity(monday=monday, weeks=1)
    row = next((r for r in view.rows if r.organizer.pk == pk), None)
    if row is None:
        raise Http404
    first = view.mondays[0]
    days = sorted((d, c) for d, c in row.days.items() if 0 <= (d - first).days < 7)
    week = capacity_selectors.iso_week_label(first)
    context = {"row": row, "cell": row.weeks[0], "days": days, "week": week, "items": row.items}
    return render(request, "projects/capacity_cell.html", context)


def _monday(text: str | None) -> date | None:
    """An ISO week "2026-W26" as its Monday; None when absent or malformed."""
    if not text:
        return None
    try:
        year, week = text.split("-W")
        return date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        return None


@require_http_methods(["GET", "POST"])
def task_checklist(request: AuthedHttpRequest, pk: int, task_pk: int) -> HttpResponse:
    """Edit the steps of a task's checklist: add, reword, remove, move. A refused change keeps what was typed."""
    task = _plan_task(request, pk, task_pk)
    form = forms.ChecklistEditForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["action"] == "add":
                    checklist.checklist_item_add(task=task, text=data["text"])
                else:
                    item = selectors.checklist_item_get(task=task, pk=data["item"])
                    if data["action"] == "rename":
                        checklist.checklist_item_rename(item=item, text=data["text"])
                    elif data["action"] == "remove":
                        checklist.checklist_item_remove(item=item)
                    else:
                        checklist.checklist_item_move(item=item, direction=data["action"])
            except ValidationError as exc:
                form_add_service_error(form, exc)
            else:
                return redirect("projects:task_checklist", pk=pk, task_pk=task_pk)
        status = 400
    failed = form.data if form.errors else {}
    context = {
        "project": task.project, "task": task, "items": selectors.checklist_for(task=task), "form": form,
        "failed_item": str(failed.get("item", "")), "failed_text": failed.get("text", ""),
        "failed_action": failed.get("action", ""),
    }  # fmt: skip
    return render(request, "projects/task_checklist.html", context, status=status)
