"""Client pages. Each view: scope the object (404 outside it) -> check the function (403) -> form -> service."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts import access
from accounts.http import AuthedHttpRequest, form_add_service_error
from clients import forms, selectors, services

CLIENTS_PER_PAGE = 25


@vary_on_headers("HX-Request")  # the table fragment and the full page share a URL (hx-push-url)
@require_GET
def client_list(request: AuthedHttpRequest) -> HttpResponse:
    filters = forms.ClientFilterForm(request.GET)
    filters.is_valid()
    clients = selectors.client_search_for_user(
        user=request.user,
        text=filters.cleaned_data.get("q", ""),
        status=filters.cleaned_data.get("status", ""),
        tag=filters.cleaned_data.get("tag", ""),
        organizer=filters.cleaned_data.get("organizer", ""),
    )
    page = Paginator(clients, CLIENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "filters": filters,
        "page": page,
        "tags": selectors.tag_names(),
        "can_edit": access.is_staff_role(request.user),
        "query_string": request.GET.copy().urlencode() if request.GET else "",
    }
    fragment = request.htmx and not request.htmx.history_restore_request
    template = "clients/client_list.html#client_table" if fragment else "clients/client_list.html"
    return render(request, template, context)


@never_cache
@require_GET
def client_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    client = selectors.client_detail_for_user(user=request.user, pk=pk)
    is_staff = access.is_staff_role(request.user)
    context = {
        "client": client,
        "can_edit": is_staff,
        "is_owner": access.is_owner(request.user),
        "show_entry_codes": selectors.can_see_entry_codes(user=request.user, client=client),
        "history": selectors.client_history(client=client) if is_staff else [],
    }
    return render(request, "clients/client_detail.html", context)


@access.staff_required
@require_http_methods(["GET", "POST"])
def client_create(request: AuthedHttpRequest) -> HttpResponse:
    form = forms.ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client = services.client_create(
                actor=request.user, data=form.cleaned_data, tag_names=form.cleaned_data["tags"]
            )
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, f"{client.name} was added.")
            return redirect(client)
    return render(request, "clients/client_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def client_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    client = selectors.client_get_for_user(user=request.user, pk=pk)
    access.require(request, access.is_staff_role(request.user))
    form = forms.ClientForm(request.POST or None, instance=client)
    if request.method == "POST" and form.is_valid():
        try:
            services.client_update(client=client, data=form.cleaned_data, tag_names=form.cleaned_data["tags"])
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, "Client details saved.")
            return redirect(client)
    return render(request, "clients/client_form.html", {"form": form, "client": client})


@require_POST
def client_archive(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    client = selectors.client_get_for_user(user=request.user, pk=pk)
    access.require(request, access.is_staff_role(request.user))
    services.client_archive(client=client, actor=request.user)
    messages.success(request, services.CLIENT_ARCHIVED_MSG % {"name": client.name})
    return redirect("clients:client_list")


@access.owner_required
@require_GET
def client_archived_list(request: AuthedHttpRequest) -> HttpResponse:
    page = Paginator(selectors.archived_client_list_for_user(user=request.user), CLIENTS_PER_PAGE)
    return render(request, "clients/client_archived_list.html", {"page": page.get_page(request.GET.get("page"))})


@require_POST
def client_restore(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    client = selectors.client_get_archived_for_user(user=request.user, pk=pk)
    access.require(request, access.is_owner(request.user))
    services.client_restore(client=client, actor=request.user)
    messages.success(request, services.CLIENT_RESTORED_MSG % {"name": client.name})
    return redirect(client)


@require_http_methods(["GET", "POST"])
def client_delete(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    client = selectors.client_get_archived_for_user(user=request.user, pk=pk)
    access.require(request, access.is_owner(request.user))
    form = forms.ClientDeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirm = form.cleaned_data["confirm_name"]
        try:
            services.client_delete_permanently(client=client, actor=request.user, confirm_name=confirm)
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, f"{client.name} was deleted permanently.")
            return redirect("clients:client_archived_list")
    return render(request, "clients/client_delete.html", {"client": client, "form": form})


@require_http_methods(["GET", "POST"])
def contact_edit(request: AuthedHttpRequest, pk: int, contact_pk: int | None = None) -> HttpResponse:
    """Add a contact to the client (no contact_pk: the `contact_create` URL) or edit one of theirs."""
    client = selectors.client_get_for_user(user=request.user, pk=pk)
    access.require(request, access.is_staff_role(request.user))
    instance = (
        None if contact_pk is None else selectors.contact_get_for_user(user=request.user, client=client, pk=contact_pk)
    )
    form = forms.ContactForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_save(client=client, data=form.cleaned_data, contact=instance)
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, "Saved.")
            return redirect(client)
    return render(request, "clients/contact_form.html", {"client": client, "form": form, "instance": instance})


@require_POST
def contact_delete(request: AuthedHttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    client = selectors.client_get_for_user(user=request.user, pk=pk)
    contact = selectors.contact_get_for_user(user=request.user, client=client, pk=contact_pk)
    access.require(request, access.is_staff_role(request.user))
    services.contact_delete(contact=contact)
    messages.success(request, f"Contact {contact.name} was removed.")
    return redirect(client)


@require_http_methods(["GET", "POST"])
def site_edit(request: AuthedHttpRequest, pk: int, site_pk: int | None = None) -> HttpResponse:
    """Add a site to the client (no site_pk: the `site_create` URL) or edit one of theirs."""
    client = selectors.client_get_for_user(user=request.user, pk=pk)
    access.require(request, access.is_staff_role(request.user))
    instance = None if site_pk is None else selectors.site_get_for_user(user=request.user, client=client, pk=site_pk)
    form = forms.SiteForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.site_save(client=client, data=form.cleaned_data, site=instance)
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, "Saved.")
            return redirect(client)
    return render(request, "clients/site_form.html", {"client": client, "form": form, "instance": instance})


@require_POST
def site_delete(request: AuthedHttpRequest, pk: int, site_pk: int) -> HttpResponse:
    client = selectors.client_get_for_user(user=request.user, pk=pk)
    site = selectors.site_get_for_user(user=request.user, client=client, pk=site_pk)
    access.require(request, access.is_staff_role(request.user))
    try:
        services.site_delete(site=site)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"Site {site.label} was removed.")
    return redirect(client)


@require_http_methods(["GET", "POST"])
def intake_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    client = selectors.client_get_for_user(user=request.user, pk=pk)
    access.require(request, access.is_staff_role(request.user))
    instance = getattr(client, "intake", None)
    form = forms.IntakeForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.intake_update(client=client, data=form.cleaned_data)
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, "Saved.")
            return redirect(client)
    return render(request, "clients/intake_form.html", {"client": client, "form": form, "instance": instance})


@require_http_methods(["GET", "POST"])
def assignments_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    client = selectors.client_get_for_user(user=request.user, pk=pk)
    access.require(request, access.is_staff_role(request.user))
    form = forms.AssignmentForm(
        request.POST or None,
        organizers=selectors.organizers_for_picker(),
        initial={"organizers": list(client.organizers.all())},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.client_assignments_set(client=client, organizers=list(form.cleaned_data["organizers"]))
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, "Team saved.")
            return redirect(client)
    return render(request, "clients/assignments_form.html", {"client": client, "form": form})
