"""The matrix's world: four users, and for organizer A ("own") and B ("foreign") a client with everything under
it. Built once per module (tests/support/shared_rows.py); each case runs in its own rolled-back savepoint.

Also the helpers the cases share: URL kwargs for an object, row counts, snapshots and the leak check.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime
from typing import Any

from django.apps import apps
from django.db import connection

from tests.authz import inventory_matrix, sessions_matrix
from tests.authz.rules import MISSING
from tests.billing import billing_matrix
from tests.photos import photos_matrix
from tests.portal import portal_matrix
from tests.support import people


def objects_for(client_obj: Any, organizer: Any, owner: Any) -> dict[str, Any]:
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
        **billing_matrix.objects_for(client_obj=client_obj, organizer=organizer, owner=owner, visit=visit),
        **portal_matrix.objects_for(client_obj=client_obj, owner=owner, visit=visit),
        **photos_matrix.objects_for(client_obj=client_obj, organizer=organizer, owner=owner, visit=visit),
        **sessions_matrix.objects_for(task=first, organizer=organizer),
    }


def _reloaded(obj: Any) -> Any:
    """The row as a fresh instance: the services leave caches on what they return (related objects, forms),
    which made the per-test deep copy of the world cost ~35 ms."""
    return obj.__class__._base_manager.get(pk=obj.pk)


def world_build() -> dict[str, Any]:
    users = people.users_build()
    client_a = people.client_a_build(users["organizer"])
    client_b = people.client_b_build(users["organizer_b"])
    world = {
        "users": users,
        "own": objects_for(client_a, users["organizer"], users["owner"]),
        "foreign": objects_for(client_b, users["organizer_b"], users["owner"]),
    }
    users[portal_matrix.PORTAL_ROLE] = world["own"].pop("portal_user")  # P: a contact of the own client only
    world["foreign"].pop("portal_user")
    return {part: {key: _reloaded(obj) for key, obj in objects.items()} for part, objects in world.items()}


CHILD_KWARG = {
    "contact": "contact_pk",
    "site": "site_pk",
    "ptask": "task_pk",
    "dep": "dep_pk",
    "baseline": "baseline_pk",
}


# Objects whose URLs name them by another key than `pk`.
OWN_KWARG = {"wsession": ("appt_pk", "appointment_id")}


def url_kwargs(kind: str, target: Any) -> dict[str, Any]:
    if kind == "photo":  # UUID ids
        return {"pk": target.pk if target is not None else uuid.UUID(int=MISSING)}
    if kind in OWN_KWARG:
        name, attr = OWN_KWARG[kind]
        return {name: MISSING if target is None else getattr(target, attr)}
    child = CHILD_KWARG.get(kind)
    if target is None:
        return {"pk": MISSING} | ({child: MISSING} if child else {})
    if kind in ("contact", "site"):
        return {"pk": target.client_id, child: target.pk}
    if child:
        return {"pk": target.project_id, child: target.pk}
    return {"pk": target.pk}


COUNTED_APPS = {"clients", "accounts", "projects", "operations", "billing", "photos"}


def table_counts_by_model() -> dict[str, int]:
    """`Model.objects.count()` for every model of the counted apps (the reference for `table_counts`)."""
    return {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.app_label in COUNTED_APPS}


def _table_counts_sql() -> tuple[str, bool]:
    """The union of the counts, and whether a manager's query has parameters of its own."""
    parts, params, own_params = [], [], False
    for model in apps.get_models():
        if model._meta.app_label in COUNTED_APPS:
            sql, query_params = model.objects.order_by().values("pk").query.sql_with_params()
            parts.append(f"SELECT %s, COUNT(*) FROM ({sql}) AS counted")
            params += [model._meta.label, *query_params]
            own_params = own_params or bool(query_params)
    return connection.ops.compose_sql(" UNION ALL ".join(parts), params), own_params


def table_counts() -> dict[str, int]:
    """The same counts in one query: 41 round trips were half of each case's time. Each model's default-manager
    query is counted as a subquery, so a manager's filter (Client hides archived rows) still applies.

    The query is a prepared statement of the connection (PREPARE outlives the savepoints it was made in): on a
    busy 2-core box, compiling and planning the 83-table union took 10 ms of each 15 ms call, twice a case. A
    manager whose query takes parameters (a date, say) would be frozen in it, so then the query is built anew."""
    with connection.cursor() as cursor:
        if getattr(connection, "_table_counts_prepared_on", None) is not connection.connection:
            sql, own_params = _table_counts_sql()
            if own_params:
                cursor.execute(sql)
                return dict(cursor.fetchall())
            cursor.execute(f"PREPARE tests_table_counts AS {sql}")
            connection._table_counts_prepared_on = connection.connection
        cursor.execute("EXECUTE tests_table_counts")
        return dict(cursor.fetchall())


def snapshot(target: Any) -> dict[str, Any] | None:
    if target is None:
        return None
    fresh = target.__class__._base_manager.get(pk=target.pk)  # the base manager sees archived clients too
    return {f.attname: getattr(fresh, f.attname) for f in fresh._meta.concrete_fields}


def leak_values(client_obj: Any) -> list[str]:
    values = [client_obj.name, client_obj.notes]
    for contact in client_obj.contacts.all():
        values += [contact.name, contact.phone, contact.email]
    for site in client_obj.sites.all():
        values += [site.street, site.entry_code, site.access_instructions]
    return [v for v in values if v]


def assert_no_leak(response: Any, client_obj: Any, echoed: str = "") -> None:
    """No field of `client_obj` in the body; `echoed` is what the user typed (a search box shows it back)."""
    body = response.content.decode()
    for value in leak_values(client_obj):
        if echoed and value in echoed:
            continue
        assert value not in body, f"leaked {value!r}"


NOISE = re.compile(r'(csrfmiddlewaretoken" value="|X-CSRFToken": "|nonce=")[^"]*')


def normalized(response: Any) -> str:
    return NOISE.sub(r"\1", response.content.decode())
