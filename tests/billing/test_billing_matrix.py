"""Runs billing's authorization-matrix rows on their own (the shared matrix merges the same module), so the rows
are checked before the merge and every billing URL has one."""

from dataclasses import dataclass, field

import pytest
from django.urls import URLResolver, get_resolver, reverse

from tests.billing import billing_matrix

MISSING = 999_999_999


@dataclass(frozen=True)
class Rule:
    method: str
    obj: str | None
    expect: dict = field(default_factory=dict)


def page(method="GET", *, owner, office, organizer):
    return Rule(method, None, {"owner": owner, "office": office, "organizer": organizer})


def obj(kind, method="GET", *, owner, office, organizer):
    return Rule(method, kind, {"owner": (owner, owner, 404), "office": (office, office, 404),
                               "organizer": (organizer, 404, 404)})  # fmt: skip


RULES = billing_matrix.rules(page=page, obj=obj, Rule=Rule)


def test_Z0_every_billing_url_has_a_matrix_row():
    (billing,) = [p for p in get_resolver().url_patterns if isinstance(p, URLResolver) and p.namespace == "billing"]
    names = {f"billing:{p.name}" for p in billing.url_patterns}
    assert names == set(RULES)


CASES = [
    (name, role, which)
    for name, rule in RULES.items()
    for role in ("anon", "owner", "office", "organizer")
    for which in (("own", "foreign", "missing") if rule.obj else ("-",))
]


@pytest.mark.parametrize(("name", "role", "which"), CASES)
def test_Z1_billing_authorization_matrix(client, users, client_a, client_b, name, role, which):
    rule = RULES[name]
    world = {}
    for side, client_obj, organizer in (
        ("own", client_a, users["organizer"]),
        ("foreign", client_b, users["organizer_b"]),
    ):
        world[side] = {"client": client_obj, **billing_matrix.objects_for(
            client_obj=client_obj, organizer=organizer, owner=users["owner"], visit=None)}  # fmt: skip
    kwargs = None
    if rule.obj:
        kwargs = {"pk": MISSING if which == "missing" else world[which][rule.obj].pk}
    url = reverse(name, kwargs=kwargs)
    if role != "anon":
        client.force_login(users[role])
    response = client.post(url, {}) if rule.method == "POST" else client.get(url)
    if role == "anon":
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
        return
    expected = rule.expect[role]
    if not isinstance(expected, int):
        expected = expected[("own", "foreign", "missing").index(which)]
    assert response.status_code == expected, f"{role} {rule.method} {url}"
    if expected >= 400:  # denied: nothing of the object reaches the body
        assert b"Matrix line" not in response.content and client_b.name.encode() not in response.content
