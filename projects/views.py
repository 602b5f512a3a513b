"""Project pages and the Gantt/Kanban endpoints. Scope first (404), then the function check (403)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access
from accounts.http import AuthedHttpRequest, form_add_service_error, safe_next_url
from projects import explain, forms, selectors, selectors_status, services
from projects.maintenance import MaintenancePlan
from projects.models import Project
from projects.sessions import selectors as session_selectors


def _project_for_plan_edit(request: AuthedHttpRequest, pk: int) -> Project:
    project = selectors.project_get_for_user(user=request.user, pk=pk)
    access.require(request, selectors.can_edit_plan(user=request.user, project=project))
    return project


# --- list, create, overview -----------------------------------------------------------------------------


@require_GET
def project_list(request: AuthedHttpRequest) -> HttpResponse:
    g = request.GET
    projects = selectors.project_list_for_user(
        user=request.user, status=g.get("status", ""), client=g.get("client", ""),
        organizer=g.get("organizer", ""), at_risk=g.get("at_risk") == "1",
    )  # fmt: skip
    context = {
        "page": Paginator(projects, 25).get_page(g.get("page")),
        "statuses": Project.Status.choices,
        "organizers": selectors.organizers_for_project_picker() if access.is_staff_role(request.user) else [],
        "filters": g,
        "can_create": access.is_staff_role(request.user),
        "query_string": g.copy().urlencode(),
    }
    return render(request, "projects/project_list.html", context)


@access.staff_required
@require_http_methods(["GET", "POST"])
def project_create(request: AuthedHttpRequest) -> HttpResponse:
    form = forms.ProjectForm(request.POST or None, show_money=access.is_owner(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(data=form.cleaned_data)
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, f"{project.name} was created. Add its tasks next.")
            return redirect("projects:project_tasks", pk=project.pk)
    return render(request, "projects/project_form.html", {"form": form})


@require_GET
def project_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get_for_user(user=request.user, pk=pk)
    context = {
        "project": project,
        "overview": selectors.project_overview(project=project, user=request.user),
        "is_staff": access.is_staff_role(request.user),
        "is_owner": access.is_owner(request.user),
        "can_edit_plan": selectors.can_edit_plan(user=request.user, project=project),
        **session_selectors.project_hours_context(project=project),
        "status": selectors_status.project_status_summary(project=project),
    }
    return render(request, "projects/project_detail.html", context)


@require_http_methods(["GET", "POST"])
def project_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get_for_user(user=request.user, pk=pk)
    access.require(request, access.is_staff_role(request.user))
    form = forms.ProjectForm(request.POST or None, instance=project, show_money=access.is_owner(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(project=project, data=form.cleaned_data)
        except ValidationError as exc:
            form_add_service_error(form, exc)
            project.refresh_from_db()  # the form wrote its values onto the instance
        else:
            messages.success(request, "Project saved.")
            return redirect(project)
    return render(request, "projects/project_form.html", {"form": form, "project": project})


# --- tasks and links ------------------------------------------------------------------------------------


@require_GET
def project_tasks(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get_for_user(user=request.user, pk=pk)
    tasks = selectors.tasks_for_project(project=project)
    hours = session_selectors.hours_for_tasks([t for t in tasks if not t.is_summary])
    context = {
        "project": project,
        "tasks": [(t, hours.get(t.pk)) for t in tasks],
        "can_edit_plan": selectors.can_edit_plan(user=request.user, project=project),
    }
    return render(request, "projects/task_list.html", context)


@require_http_methods(["GET", "POST"])
def task_create(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    project = _project_for_plan_edit(request, pk)
    form = forms.TaskForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.task_create(project=project, data=data, assignees=list(data["assignees"]))
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, f"Task “{data['name']}” added.")
            return redirect("projects:project_tasks", pk=project.pk)
    return render(request, "projects/task_form.html", {"form": form, "project": project})


@require_http_methods(["GET", "POST"])
def task_edit(request: AuthedHttpRequest, pk: int, task_pk: int) -> HttpResponse:
    project = _project_for_plan_edit(request, pk)
    task = selectors.task_get_for_user(user=request.user, project=project, pk=task_pk)
    form = forms.TaskForm(request.POST or None, instance=task, project=project)
    link_form = forms.DependencyForm(task=task)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.task_update(task=task, data=data, assignees=list(data["assignees"]))
        except ValidationError as exc:
            form_add_service_error(form, exc)
            task.refresh_from_db()  # the form wrote its values onto the instance
        else:
            messages.success(request, "Task saved.")
            return redirect("projects:project_tasks", pk=project.pk)
    context = {"form": form, "project": project, "task": task, "link_form": link_form,
               "incoming": selectors.dependencies_into_task(task=task),
               "driving_reason": explain.driving_reason(task=explain.task_with_driver(task)),
               "unstarted_predecessors": selectors_status.unstarted_predecessors(task=task),
               "checklist": session_selectors.checklist_for(task=task),
               # Booking is the office's (projects/sessions/views.py): a lead organizer gets no link to a 403 (T34).
               "can_book_sessions": access.is_staff_role(request.user)}  # fmt: skip
    return render(request, "projects/task_form.html", context)


@require_POST
def task_delete(request: AuthedHttpRequest, pk: int, task_pk: int) -> HttpResponse:
    project = _project_for_plan_edit(request, pk)
    task = selectors.task_get_for_user(user=request.user, project=project, pk=task_pk)
    try:
        services.task_delete(task=task, cancel_sessions=request.POST.get("cancel_sessions") == "1", actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"Task “{task.name}” deleted.")
    return redirect("projects:project_tasks", pk=project.pk)


@require_POST
def dependency_create(request: AuthedHttpRequest, pk: int, task_pk: int) -> HttpResponse:
    project = _project_for_plan_edit(request, pk)
    task = selectors.task_get_for_user(user=request.user, project=project, pk=task_pk)
    form = forms.DependencyForm(request.POST, task=task)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.dependency_add(pred=d["pred"], succ=task, kind=d["kind"], lag_wd=d["lag_wd"])
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, "Link added; the schedule was updated.")
            return redirect("projects:task_edit", pk=project.pk, task_pk=task.pk)
    for error in form.non_field_errors() + [e for errs in form.errors.values() for e in errs]:
        messages.error(request, str(error))
    return redirect("projects:task_edit", pk=project.pk, task_pk=task.pk)


@require_POST
def dependency_delete(request: AuthedHttpRequest, pk: int, dep_pk: int) -> HttpResponse:
    project = _project_for_plan_edit(request, pk)
    dependency = selectors.dependency_get_for_user(user=request.user, project=project, pk=dep_pk)
    services.dependency_remove(dependency=dependency)
    messages.success(request, "Link removed; the schedule was updated.")
    return redirect(safe_next_url(request, reverse("projects:project_tasks", kwargs={"pk": project.pk})))


# --- Gantt ----------------------------------------------------------------------------------------------


@require_GET
def gantt(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get_for_user(user=request.user, pk=pk)
    payload = selectors.gantt_payload_for_project(project=project, user=request.user)
    status = selectors_status.project_status_summary(project=project)
    return render(request, "projects/gantt.html", {"project": project, "payload": payload, "status": status})


@require_GET
def gantt_data(request: AuthedHttpRequest, pk: int) -> JsonResponse:
    project = selectors.project_get_for_user(user=request.user, pk=pk)
    return JsonResponse(selectors.gantt_payload_for_project(project=project, user=request.user))


def _gantt_answer(
    request: AuthedHttpRequest, project: Project, error: ValidationError | None, notice: dict | None = None
) -> JsonResponse:
    """Always the whole schedule, so the chart repaints from the server's truth; 400 with a message if refused;
    `notice` says why a drag did not land where it was dropped (which link or constraint holds the task)."""
    project.refresh_from_db()
    payload = selectors.gantt_payload_for_project(project=project, user=request.user)
    if error is not None:
        return JsonResponse({**payload, "error": " ".join(error.messages)}, status=400)
    return JsonResponse({**payload, "notice": notice} if notice else payload)


@require_POST
def gantt_task_update(request: AuthedHttpRequest, pk: int, task_pk: int) -> JsonResponse:
    project = _project_for_plan_edit(request, pk)
    task = selectors.task_get_for_user(user=request.user, project=project, pk=task_pk)
    form = forms.GanttTaskForm(request.POST)
    if not form.is_valid():
        return _gantt_answer(request, project, ValidationError(_first_errors(form)))
    d = form.cleaned_data
    try:
        if d["start_on"] is not None or d["duration_wd"] is not None:
            services.task_reschedule(task=task, start_on=d["start_on"], duration_wd=d["duration_wd"])
        if d["progress_pct"] is not None:
            services.task_progress_set(task=task, progress_pct=d["progress_pct"])
    except ValidationError as exc:
        return _gantt_answer(request, project, exc)
    notice = None
    if d["start_on"] is not None:
        reason = explain.move_refusal(task=explain.task_with_driver(task), requested_on=d["start_on"])
        notice = {"task": task.pk, "text": reason} if reason else None
    return _gantt_answer(request, project, None, notice)


@require_POST
def gantt_link_create(request: AuthedHttpRequest, pk: int) -> JsonResponse:
    project = _project_for_plan_edit(request, pk)
    form = forms.GanttLinkForm(request.POST)
    if not form.is_valid():
        return _gantt_answer(request, project, ValidationError(_first_errors(form)))
    d = form.cleaned_data
    pred = selectors.task_get_for_user(user=request.user, project=project, pk=d["source"])
    succ = selectors.task_get_for_user(user=request.user, project=project, pk=d["target"])
    try:
        services.dependency_add(pred=pred, succ=succ, kind=d["type"], lag_wd=d["lag"] or 0)
    except ValidationError as exc:
        return _gantt_answer(request, project, exc)
    return _gantt_answer(request, project, None)


@require_POST
def gantt_link_delete(request: AuthedHttpRequest, pk: int, dep_pk: int) -> JsonResponse:
    project = _project_for_plan_edit(request, pk)
    dependency = selectors.dependency_get_for_user(user=request.user, project=project, pk=dep_pk)
    services.dependency_remove(dependency=dependency)
    return _gantt_answer(request, project, None)


def _first_errors(form: BaseForm) -> list[str]:
    return [f"{field}: {error}" for field, errors in form.errors.items() for error in errors]


# --- Kanban ---------------------------------------------------------------------------------------------


@require_GET
def kanban(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get_for_user(user=request.user, pk=pk)
    context = {
        "project": project,
        "columns": selectors.kanban_columns(project=project),
        "can_edit_plan": selectors.can_edit_plan(user=request.user, project=project),
    }
    return render(request, "projects/kanban.html", context)


@require_POST
def kanban_move(request: AuthedHttpRequest, pk: int, task_pk: int) -> HttpResponse:
    """Move a card. The plan's editors move any card; an organizer moves the cards of tasks assigned to them."""
    project = selectors.project_get_for_user(user=request.user, pk=pk)
    task = selectors.task_get_for_user(user=request.user, project=project, pk=task_pk)
    access.require(request, selectors.can_move_card(user=request.user, project=project, task=task))
    form = forms.KanbanMoveForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"error": "Unknown column."}, status=400)
    services.task_status_set(task=task, status=form.cleaned_data["status"])
    counts = {value: len(cards) for value, _label, cards in selectors.kanban_columns(project=project)}
    return JsonResponse({"task": task.pk, "status": task.status, "counts": counts})


# --- baselines, time, close-out -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def baseline_list(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get_for_user(user=request.user, pk=pk)
    can_edit = selectors.can_edit_plan(user=request.user, project=project)
    form = forms.BaselineForm(request.POST or None)
    if request.method == "POST":
        access.require(request, can_edit)
        if form.is_valid():
            baseline = services.baseline_save(project=project, name=form.cleaned_data["name"], actor=request.user)
            messages.success(request, f"Baseline “{baseline.name}” saved.")
            return redirect("projects:baseline_detail", pk=project.pk, baseline_pk=baseline.pk)
    context = {"project": project, "baselines": selectors.baselines_for_project(project=project), "form": form,
               "can_edit_plan": can_edit}  # fmt: skip
    return render(request, "projects/baseline_list.html", context)


@require_GET
def baseline_detail(request: AuthedHttpRequest, pk: int, baseline_pk: int) -> HttpResponse:
    project = selectors.project_get_for_user(user=request.user, pk=pk)
    baseline = selectors.baseline_get_for_user(user=request.user, project=project, pk=baseline_pk)
    rows = selectors.baseline_variance(project=project, baseline=baseline)
    return render(request, "projects/baseline_detail.html", {"project": project, "baseline": baseline, "rows": rows})


@require_http_methods(["GET", "POST"])
def time_entries(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get_for_user(user=request.user, pk=pk)
    form = forms.TimeEntryForm(
        request.POST or None,
        tasks=selectors.tasks_for_time_entry(project=project, user=request.user),
        organizers=selectors.organizers_for_time_entry(user=request.user),
        initial={"organizer": request.user.pk},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        minutes = int((d["hours"] * 60).to_integral_value())
        try:
            entry = services.time_entry_add(
                task=d["task"], organizer=d["organizer"], actor=request.user, worked_on=d["worked_on"],
                minutes=minutes, note=d["note"],
            )  # fmt: skip
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, f"{entry.hours} h logged on “{entry.task.name}”.")
            return redirect("projects:time_entries", pk=project.pk)
    entries = selectors.time_entries_for_project(project=project, user=request.user)
    context = {
        "project": project, "form": form, "entries": entries[:200],
        "tasks": [t for t in selectors.tasks_for_project(project=project) if not t.is_summary],
        "total_hours": selectors.time_entries_total_hours(entries),
    }  # fmt: skip
    return render(request, "projects/time_entries.html", context)


@require_http_methods(["GET", "POST"])
def project_closeout(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get_for_user(user=request.user, pk=pk)
    access.require(request, access.is_staff_role(request.user))
    open_tasks = selectors.open_task_count(project=project)
    form = forms.CloseOutForm(request.POST or None, open_tasks=open_tasks, project=project)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        plan = None
        if d.get("maintenance"):
            plan = MaintenancePlan(
                appointment_type=d["appointment_type"], site=d["site"], rule=d["rule"], start_time=d["start_time"],
                organizers=list(d["organizers"]), first_day=d["first_day"],
            )  # fmt: skip
        try:
            services.project_close_out(
                project=project, csat=d["csat"], nps=d["nps"], comment=d["comment"],
                confirm_open_tasks=d.get("confirm_open_tasks", False), maintenance=plan, actor=request.user,
            )  # fmt: skip
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            done = f"{project.name} is complete. Thank you for recording the client's feedback."
            messages.success(request, done + (" Maintenance visits are booked." if plan else ""))
            return redirect(project)
    context = {"project": project, "form": form, "open_tasks": open_tasks}
    return render(request, "projects/project_closeout.html", context)


# --- templates and calendar -----------------------------------------------------------------------------


@require_POST
def template_save(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get_for_user(user=request.user, pk=pk)
    access.require(request, access.is_staff_role(request.user))
    form = forms.SaveTemplateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the template a name.")
        return redirect(project)
    services.project_copy(source=project, name=form.cleaned_data["name"], start_on=project.start_on, as_template=True)
    messages.success(request, f"Saved as the template “{form.cleaned_data['name']}”.")
    return redirect("projects:project_from_template")


@access.staff_required
@require_http_methods(["GET", "POST"])
def project_from_template(request: AuthedHttpRequest) -> HttpResponse:
    form = forms.FromTemplateForm(request.POST or None, initial={"template": request.GET.get("template")})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            project = services.project_copy(
                source=d["template"], name=d["name"], start_on=d["start_on"], client=d["client"], lead=d["lead"],
                as_template=False,
            )  # fmt: skip
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, f"{project.name} was created from “{d['template'].name}”.")
            return redirect(project)
    return render(
        request, "projects/project_from_template.html", {"form": form, "templates": selectors.template_list()}
    )


@access.staff_required
@require_http_methods(["GET", "POST"])
def calendar_edit(request: AuthedHttpRequest) -> HttpResponse:
    form = forms.CalendarForm(request.POST or None, initial=selectors.calendar_form_initial())
    if request.method == "POST" and form.is_valid():
        try:
            services.calendar_update(workdays=form.cleaned_data["workdays"], holidays=form.cleaned_data["holidays"])
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, "Working calendar saved; open projects were rescheduled.")
            return redirect("projects:calendar_edit")
    return render(request, "projects/calendar_form.html", {"form": form})
