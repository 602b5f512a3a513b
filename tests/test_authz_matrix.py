"""The authorization matrix (SZ0-SZ9, docs/specs/security.md): each URL pattern, each role, own/foreign/missing objects.

A URL pattern that is in neither AUTHZ_MATRIX, PUBLIC_URLS nor LOGIN_ONLY_URLS fails the build (SZ0), so a
new page cannot ship without saying who may open it. Foreign objects answer 404 exactly like a missing id
and leak none of their fields; denied writes leave the database unchanged.

The rows live in tests/authz/rules.py, the world in tests/authz/world.py: it is built once for this module and
every case runs in its own savepoint, rolled back afterwards, so no case sees another's writes.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from tests.authz.rules import AUTHZ_MATRIX, LOGIN_ONLY_URLS, MISSING, PUBLIC_URLS, ROLES
from tests.authz.world import (
    assert_no_leak,
    normalized,
    snapshot,
    table_counts,
    table_counts_by_model,
    url_kwargs,
    world_build,
)
from tests.support.shared_rows import fresh_copy, shared_rows


def _walk(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern):
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), pattern


ALL_PATTERNS = dict(_walk(get_resolver().url_patterns))


def test_SZ0_every_url_pattern_is_in_the_matrix():
    unlisted = set(ALL_PATTERNS) - set(AUTHZ_MATRIX) - PUBLIC_URLS - LOGIN_ONLY_URLS
    assert not unlisted, f"URL patterns missing from the authorization matrix: {sorted(unlisted)}"
    assert None not in ALL_PATTERNS, "every URL pattern needs a name"
    stale = (set(AUTHZ_MATRIX) | PUBLIC_URLS | LOGIN_ONLY_URLS) - set(ALL_PATTERNS)
    assert not stale, f"matrix lists URLs that no longer exist: {sorted(stale)}"


@pytest.mark.parametrize("name", sorted(set(AUTHZ_MATRIX) | LOGIN_ONLY_URLS))
def test_SZ0_non_public_views_require_login(name):
    view = ALL_PATTERNS[name].callback
    assert getattr(view, "login_required", True) is True


# --- the objects each role reaches --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def _world_rows(django_db_setup, django_db_blocker):
    yield from shared_rows(django_db_blocker, world_build)


@pytest.fixture
def world(_world_rows, db):
    return fresh_copy(_world_rows)


def _request(http, method, url):
    return http.post(url, {}) if method == "POST" else http.get(url)


CASES = [
    (name, role, which)
    for name, rule in AUTHZ_MATRIX.items()
    for role in ROLES
    for which in (("own", "foreign", "missing") if rule.obj else ("-",))
]


@pytest.mark.parametrize(("name", "role", "which"), CASES)
def test_SZ1_to_SZ8_authorization_matrix(client, world, name, role, which):
    rule = AUTHZ_MATRIX[name]
    target = None if which in ("-", "missing") else world[which][rule.obj]
    url = reverse(name, kwargs=url_kwargs(rule.obj, target) if rule.obj else None)
    if role == "anon":
        expected = 302
    else:
        client.force_login(world["users"][role])
        # Only the portal role may be left out of a row: every staff URL is 404 to a portal user.
        exp = rule.expect.get(role, 404) if role == "portal" else rule.expect[role]
        expected = exp if isinstance(exp, int) else exp[("own", "foreign", "missing").index(which)]
    counts_before, object_before = table_counts(), snapshot(target)

    response = _request(client, rule.method, url)

    assert response.status_code == expected, f"{role} {rule.method} {url}"
    if role == "anon":
        assert response["Location"].startswith(reverse("account_login"))
    if expected >= 400 or role == "anon":
        # Denied: nothing changed, and none of the object's fields reached the body.
        assert table_counts() == counts_before
        assert snapshot(target) == object_before
        if which == "foreign":
            assert_no_leak(response, world["foreign"]["client"])
            assert world["foreign"]["project"].name not in response.content.decode()


def test_table_counts_in_one_query_equal_each_models_count(world):
    """The matrix's "nothing changed" check counts in one query; it must agree with Model.objects.count()."""
    assert table_counts() == table_counts_by_model()
    assert table_counts()["clients.Client"] == 2
    foreign = world["foreign"]["client"]
    foreign.__class__.all_objects.filter(pk=foreign.pk).update(archived_at=timezone.now())
    assert table_counts() == table_counts_by_model()
    assert table_counts()["clients.Client"] == 1  # the default manager hides archived clients


@pytest.mark.parametrize("name", sorted(LOGIN_ONLY_URLS))
def test_SZ1_login_only_urls_redirect_anonymous_users(client, name):
    pattern = ALL_PATTERNS[name]
    if pattern.pattern.regex.groups:
        pytest.skip("takes parameters")
    try:
        url = reverse(name)
    except NoReverseMatch:  # its parameter sits in an enclosing include (allauth's security-key pages)
        url = reverse(name, kwargs={"pk": MISSING})
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_SZ5_foreign_client_404_is_identical_to_missing(client, world):
    client.force_login(world["users"]["organizer"])
    foreign = client.get(reverse("clients:client_detail", kwargs={"pk": world["foreign"]["client"].pk}))
    missing = client.get(reverse("clients:client_detail", kwargs={"pk": MISSING}))
    assert foreign.status_code == missing.status_code == 404
    assert normalized(foreign) == normalized(missing)
    assert_no_leak(foreign, world["foreign"]["client"])


@pytest.mark.parametrize(
    "query",
    ["", "?q=Birchwood", "?q=Canary", "?organizer={b}", "?page=2", "?status=active", "?q=8642"],
)
def test_SZ9_organizer_client_list_never_shows_foreign_clients(client, world, query):
    client.force_login(world["users"]["organizer"])
    response = client.get(reverse("clients:client_list") + query.format(b=world["users"]["organizer_b"].pk))
    assert response.status_code in (200, 404)
    assert_no_leak(response, world["foreign"]["client"], echoed=query)
    assert "Birchwood household" not in response.content.decode()


def test_SZ11_unassigned_organizer_loses_access_on_next_request(client, world):
    organizer, own_client = world["users"]["organizer"], world["own"]["client"]
    client.force_login(organizer)
    url = reverse("clients:client_detail", kwargs={"pk": own_client.pk})
    assert client.get(url).status_code == 200
    own_client.assignments.filter(organizer=organizer).delete()
    assert client.get(url).status_code == 404


def test_SZ7_organizer_post_edit_of_foreign_client_changes_nothing(client, world):
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


def test_SZ17_office_cannot_change_roles(client, world):
    target = world["users"]["organizer"]
    client.force_login(world["users"]["office"])
    response = client.post(
        reverse("accounts:user_edit", kwargs={"pk": target.pk}),
        {"first_name": "X", "last_name": "", "role": "owner", "is_active": "on"},
    )
    assert response.status_code == 403
    target.refresh_from_db()
    assert target.role == "organizer"


def test_SZ17_demoted_office_loses_office_pages_on_next_request(client, world):
    office = world["users"]["office"]
    client.force_login(office)
    assert client.get(reverse("clients:client_create")).status_code == 200
    office.role = "organizer"
    office.save(update_fields=["role"])
    assert client.get(reverse("clients:client_create")).status_code == 403
