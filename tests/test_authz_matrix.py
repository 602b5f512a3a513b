"""The authorization matrix (SECURITY.md Z0-Z9): every URL pattern, every role, own/foreign/missing objects.

A URL pattern that is in neither AUTHZ_MATRIX, PUBLIC_URLS nor LOGIN_ONLY_URLS fails the build (Z0), so a
new page cannot ship without saying who may open it. Foreign objects answer 404 exactly like a missing id
and leak none of their fields; denied writes leave the database unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.operations import authz_rows, inventory_matrix

ROLES = ("anon", "owner", "office", "organizer")
MISSING = 999_999_999


@dataclass(frozen=True)
class Rule:
    """Expected status per role. For object URLs each role maps to (own, foreign, missing) statuses."""

    method: str
    obj: str | None  # None, "client", "contact", "site", "user"
    expect: dict[str, int | tuple[int, int, int]] = field(default_factory=dict)


def page(method: str = "GET", *, owner: int, office: int, organizer: int) -> Rule:
    return Rule(method, None, {"owner": owner, "office": office, "organizer": organizer})


def obj(kind: str, method: str = "GET", *, owner: int, office: int, organizer: int) -> Rule:
    """Staff reach every object; organizer A gets `organizer` on their own object and 404 on B's."""
    return Rule(
        method,
        kind,
        {
            "owner": (owner, owner, 404),
            "office": (office, office, 404),
            "organizer": (organizer, 404, 404),
        },
    )


AUTHZ_MATRIX: dict[str, Rule] = {
    "dashboard:home": page(owner=200, office=200, organizer=200),
    "accounts:team_list": page(owner=200, office=200, organizer=403),
    "accounts:user_create": page(owner=200, office=403, organizer=403),
    "accounts:user_edit": Rule(
        "GET", "user", {"owner": (200, 200, 404), "office": (403, 403, 403), "organizer": (403, 403, 403)}
    ),
    "accounts:profile_edit": obj("user", owner=200, office=200, organizer=200),
    "clients:client_list": page(owner=200, office=200, organizer=200),
    "clients:client_create": page(owner=200, office=200, organizer=403),
    "clients:client_archived_list": page(owner=200, office=403, organizer=403),
    "clients:client_detail": obj("client", owner=200, office=200, organizer=200),
    "clients:client_edit": obj("client", owner=200, office=200, organizer=403),
    "clients:client_archive": obj("client", "POST", owner=302, office=302, organizer=403),
    "clients:client_restore": obj("client", "POST", owner=302, office=403, organizer=403),
    "clients:client_delete": obj("client", owner=200, office=403, organizer=403),
    "clients:intake_edit": obj("client", owner=200, office=200, organizer=403),
    "clients:assignments_edit": obj("client", owner=200, office=200, organizer=403),
    "clients:contact_create": obj("client", owner=200, office=200, organizer=403),
    "clients:contact_edit": obj("contact", owner=200, office=200, organizer=403),
    "clients:contact_delete": obj("contact", "POST", owner=302, office=302, organizer=403),
    "clients:site_create": obj("client", owner=200, office=200, organizer=403),
    "clients:site_edit": obj("site", owner=200, office=200, organizer=403),
    "clients:site_delete": obj("site", "POST", owner=302, office=302, organizer=403),
    "projects:project_list": page(owner=200, office=200, organizer=200),
    "projects:project_create": page(owner=200, office=200, organizer=403),
    "projects:project_from_template": page(owner=200, office=200, organizer=403),
    "projects:calendar_edit": page(owner=200, office=200, organizer=403),
    "projects:project_detail": obj("project", owner=200, office=200, organizer=200),
    "projects:project_edit": obj("project", owner=200, office=200, organizer=403),
    "projects:project_tasks": obj("project", owner=200, office=200, organizer=200),
    "projects:task_create": obj("project", owner=200, office=200, organizer=403),
    "projects:task_edit": obj("ptask", owner=200, office=200, organizer=403),
    "projects:task_delete": obj("ptask", "POST", owner=302, office=302, organizer=403),
    "projects:dependency_create": obj("ptask", "POST", owner=302, office=302, organizer=403),
    "projects:dependency_delete": obj("dep", "POST", owner=302, office=302, organizer=403),
    "projects:gantt": obj("project", owner=200, office=200, organizer=200),
    "projects:gantt_data": obj("project", owner=200, office=200, organizer=200),
    "projects:gantt_task_update": obj("ptask", "POST", owner=200, office=200, organizer=403),
    "projects:gantt_link_create": obj("project", "POST", owner=400, office=400, organizer=403),
    "projects:gantt_link_delete": obj("dep", "POST", owner=200, office=200, organizer=403),
    "projects:kanban": obj("project", owner=200, office=200, organizer=200),
    "projects:kanban_move": obj("ptask", "POST", owner=400, office=400, organizer=400),  # empty form: 400
    "projects:baseline_list": obj("project", owner=200, office=200, organizer=200),
    "projects:baseline_detail": obj("baseline", owner=200, office=200, organizer=200),
    "projects:time_entries": obj("project", owner=200, office=200, organizer=200),
    "projects:project_closeout": obj("project", owner=200, office=200, organizer=403),
    "projects:template_save": obj("project", "POST", owner=302, office=302, organizer=403),
    "operations:appointment_type_list": page(owner=200, office=200, organizer=403),
    "operations:appointment_type_create": page(owner=200, office=200, organizer=403),
    "operations:appointment_type_edit": Rule(
        "GET", "atype", {"owner": (200, 200, 404), "office": (200, 200, 404), "organizer": (403, 403, 403)}
    ),
    "operations:appointment_create": page(owner=200, office=200, organizer=403),
    "operations:appointment_detail": obj("visit", owner=200, office=200, organizer=200),
    "operations:appointment_edit": obj("visit", owner=200, office=200, organizer=403),
    "operations:appointment_cancel": obj("visit", "POST", owner=302, office=302, organizer=403),
    "operations:appointment_uncancel": obj("visit", "POST", owner=302, office=302, organizer=403),
    "operations:appointment_day_action": obj("visit", "POST", owner=302, office=302, organizer=302),
    "operations:appointment_checklist": obj("visit", "POST", owner=400, office=400, organizer=400),
    "operations:free_slots": page(owner=200, office=200, organizer=403),
    "operations:calendar": page(owner=200, office=200, organizer=200),
    "operations:calendar_events": page(owner=400, office=400, organizer=400),  # no range given
    "operations:calendar_move": obj("visit", "POST", owner=400, office=400, organizer=403),  # empty form
    "operations:my_day": page(owner=200, office=200, organizer=200),
    "operations:time_off": page(owner=200, office=200, organizer=200),
    "operations:time_off_decide": obj("timeoff", "POST", owner=302, office=302, organizer=403),
    "operations:feed_settings": page(owner=403, office=403, organizer=200),
    "operations:feed_regenerate": page("POST", owner=403, office=403, organizer=302),
}

# Inventory pages keep their rows and their objects in their own module (tests/operations/inventory_matrix.py).
AUTHZ_MATRIX.update(inventory_matrix.rules(page=page, obj=obj, Rule=Rule))
AUTHZ_MATRIX.update(authz_rows.rules(page=page))

# Reachable without logging in (the view carries @login_not_required or is allauth's entrance).
PUBLIC_URLS = {
    "dashboard:healthz",
    "operations:ics_feed",  # calendar apps cannot log in: the secret token is the credential (tested in operations)
    "account_login",
    "account_logout",
    "account_signup",  # answers "sign-up is closed": the owner creates accounts
    "account_inactive",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "account_email_verification_sent",
    "account_confirm_email",
    "account_confirm_login_code",
    "mfa_authenticate",
}
# allauth's own account pages: any logged-in user manages their own password, email and second factor.
LOGIN_ONLY_URLS = {
    "account_reauthenticate",
    "account_request_reauthentication_code",
    "account_confirm_reauthentication_code",
    "account_email",
    "account_change_password",
    "account_set_password",
    "mfa_index",
    "mfa_reauthenticate",
    "mfa_activate_totp",
    "mfa_deactivate_totp",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
}


def _walk(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern):
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), pattern


ALL_PATTERNS = dict(_walk(get_resolver().url_patterns))


def test_Z0_every_url_pattern_is_in_the_matrix():
    unlisted = set(ALL_PATTERNS) - set(AUTHZ_MATRIX) - PUBLIC_URLS - LOGIN_ONLY_URLS
    assert not unlisted, f"URL patterns missing from the authorization matrix: {sorted(unlisted)}"
    assert None not in ALL_PATTERNS, "every URL pattern needs a name"
    stale = (set(AUTHZ_MATRIX) | PUBLIC_URLS | LOGIN_ONLY_URLS) - set(ALL_PATTERNS)
    assert not stale, f"matrix lists URLs that no longer exist: {sorted(stale)}"


@pytest.mark.parametrize("name", sorted(set(AUTHZ_MATRIX) | LOGIN_ONLY_URLS))
def test_Z0_non_public_views_require_login(name):
    view = ALL_PATTERNS[name].callback
    assert getattr(view, "login_required", True) is True


# --- fixtures: the objects each role reaches -------------------------------------------------------------


def _objects_for(client_obj, organizer, owner):
    """A client's objects: contact, site, and a project where `organizer` has a task (not the lead)."""
    from operations.services import visits as operation_services
    from projects import services as project_services
    from tests.operations.factories import AppointmentTypeFactory

    project = project_services.project_create(
        data={"client": client_obj, "name": f"{client_obj.name} move", "start_on": date(2026, 6, 1)}
    )
    first = project_services.task_create(
        project=project, data={"name": "Pack", "duration_wd": 2}, assignees=[organizer]
    )
    second = project_services.task_create(project=project, data={"name": "Move", "duration_wd": 1})
    dep = project_services.dependency_add(pred=first, succ=second)
    baseline = project_services.baseline_save(project=project, name="Plan", actor=owner)
    visit = operation_services.appointment_book(
        client=client_obj, site=client_obj.sites.get(),
        appointment_type=AppointmentTypeFactory(name=f"{client_obj.name} visit"),
        organizers=[organizer], starts=datetime(2030, 1, 8, 15, tzinfo=UTC), ends=datetime(2030, 1, 8, 17, tzinfo=UTC),
        allow_outside_hours=True,
    )  # fmt: skip
    time_off = operation_services.time_off_request(
        organizer=organizer, starts=datetime(2030, 2, 1, tzinfo=UTC), ends=datetime(2030, 2, 2, tzinfo=UTC)
    )
    return {
        "client": client_obj,
        "contact": client_obj.contacts.get(),
        "site": client_obj.sites.get(),
        "user": organizer,
        "project": project,
        "ptask": first,
        "dep": dep,
        "baseline": baseline,
        "visit": visit,
        "atype": visit.appointment_type,
        "timeoff": time_off,
        **inventory_matrix.objects_for(client_obj=client_obj, organizer=organizer, owner=owner, visit=visit),
    }


@pytest.fixture
def world(users, client_a, client_b):
    return {
        "users": users,
        "own": _objects_for(client_a, users["organizer"], users["owner"]),
        "foreign": _objects_for(client_b, users["organizer_b"], users["owner"]),
    }


CHILD_KWARG = {
    "contact": "contact_pk",
    "site": "site_pk",
    "ptask": "task_pk",
    "dep": "dep_pk",
    "baseline": "baseline_pk",
}


def _kwargs(kind, target):
    child = CHILD_KWARG.get(kind)
    if target is None:
        return {"pk": MISSING} | ({child: MISSING} if child else {})
    if kind in ("contact", "site"):
        return {"pk": target.client_id, child: target.pk}
    if child:
        return {"pk": target.project_id, child: target.pk}
    return {"pk": target.pk}


def _table_counts():
    labels = {"clients", "accounts", "projects", "operations"}
    return {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.app_label in labels}


def _snapshot(target):
    if target is None:
        return None
    fresh = target.__class__._base_manager.get(pk=target.pk)  # the base manager sees archived clients too
    return {f.attname: getattr(fresh, f.attname) for f in fresh._meta.concrete_fields}


def _request(http, method, url):
    return http.post(url, {}) if method == "POST" else http.get(url)


CASES = [
    (name, role, which)
    for name, rule in AUTHZ_MATRIX.items()
    for role in ROLES
    for which in (("own", "foreign", "missing") if rule.obj else ("-",))
]


@pytest.mark.parametrize(("name", "role", "which"), CASES)
def test_Z1_to_Z8_authorization_matrix(client, world, name, role, which):
    rule = AUTHZ_MATRIX[name]
    target = None if which in ("-", "missing") else world[which][rule.obj]
    url = reverse(name, kwargs=_kwargs(rule.obj, target) if rule.obj else None)
    if role == "anon":
        expected = 302
    else:
        client.force_login(world["users"][role])
        exp = rule.expect[role]
        expected = exp if isinstance(exp, int) else exp[("own", "foreign", "missing").index(which)]
    counts_before, object_before = _table_counts(), _snapshot(target)

    response = _request(client, rule.method, url)

    assert response.status_code == expected, f"{role} {rule.method} {url}"
    if role == "anon":
        assert response["Location"].startswith(reverse("account_login"))
    if expected >= 400 or role == "anon":
        # Denied: nothing changed, and none of the object's fields reached the body.
        assert _table_counts() == counts_before
        assert _snapshot(target) == object_before
        if which == "foreign":
            assert_no_leak(response, world["foreign"]["client"])
            assert world["foreign"]["project"].name not in response.content.decode()


@pytest.mark.parametrize("name", sorted(LOGIN_ONLY_URLS))
def test_Z1_login_only_urls_redirect_anonymous_users(client, name):
    pattern = ALL_PATTERNS[name]
    if pattern.pattern.regex.groups:
        pytest.skip("takes parameters")
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def leak_values(client_obj):
    values = [client_obj.name, client_obj.notes]
    for contact in client_obj.contacts.all():
        values += [contact.name, contact.phone, contact.email]
    for site in client_obj.sites.all():
        values += [site.street, site.entry_code, site.access_instructions]
    return [v for v in values if v]


def assert_no_leak(response, client_obj, echoed=""):
    """No field of `client_obj` in the body; `echoed` is what the user typed (a search box shows it back)."""
    body = response.content.decode()
    for value in leak_values(client_obj):
        if echoed and value in echoed:
            continue
        assert value not in body, f"leaked {value!r}"


NOISE = re.compile(r'(csrfmiddlewaretoken" value="|X-CSRFToken": "|nonce=")[^"]*')


def _normalized(response):
    return NOISE.sub(r"\1", response.content.decode())


def test_Z5_foreign_client_404_is_identical_to_missing(client, world):
    client.force_login(world["users"]["organizer"])
    foreign = client.get(reverse("clients:client_detail", kwargs={"pk": world["foreign"]["client"].pk}))
    missing = client.get(reverse("clients:client_detail", kwargs={"pk": MISSING}))
    assert foreign.status_code == missing.status_code == 404
    assert _normalized(foreign) == _normalized(missing)
    assert_no_leak(foreign, world["foreign"]["client"])


@pytest.mark.parametrize(
    "query",
    ["", "?q=Birchwood", "?q=Canary", "?organizer={b}", "?page=2", "?status=active", "?q=8642"],
)
def test_Z9_organizer_client_list_never_shows_foreign_clients(client, world, query):
    client.force_login(world["users"]["organizer"])
    response = client.get(reverse("clients:client_list") + query.format(b=world["users"]["organizer_b"].pk))
    assert response.status_code in (200, 404)
    assert_no_leak(response, world["foreign"]["client"], echoed=query)
    assert "Birchwood household" not in response.content.decode()


def test_Z11_unassigned_organizer_loses_access_on_next_request(client, world):
    organizer, own_client = world["users"]["organizer"], world["own"]["client"]
    client.force_login(organizer)
    url = reverse("clients:client_detail", kwargs={"pk": own_client.pk})
    assert client.get(url).status_code == 200
    own_client.assignments.filter(organizer=organizer).delete()
    assert client.get(url).status_code == 404


def test_Z7_organizer_post_edit_of_foreign_client_changes_nothing(client, world):
    foreign = world["foreign"]["client"]
    client.force_login(world["users"]["organizer"])
    events_before = apps.get_model("clients", "ClientEvent").objects.filter(pgh_obj_id=foreign.pk).count()
    response = client.post(
        reverse("clients:client_edit", kwargs={"pk": foreign.pk}),
        {"kind": "household", "name": "Hacked", "status": "past"},
    )
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.name == "Birchwood household"
    assert apps.get_model("clients", "ClientEvent").objects.filter(pgh_obj_id=foreign.pk).count() == events_before


def test_Z17_office_cannot_change_roles(client, world):
    target = world["users"]["organizer"]
    client.force_login(world["users"]["office"])
    response = client.post(
        reverse("accounts:user_edit", kwargs={"pk": target.pk}),
        {"first_name": "X", "last_name": "", "role": "owner", "is_active": "on"},
    )
    assert response.status_code == 403
    target.refresh_from_db()
    assert target.role == "organizer"


def test_Z17_demoted_office_loses_office_pages_on_next_request(client, world):
    office = world["users"]["office"]
    client.force_login(office)
    assert client.get(reverse("clients:client_create")).status_code == 200
    office.role = "organizer"
    office.save(update_fields=["role"])
    assert client.get(reverse("clients:client_create")).status_code == 403
