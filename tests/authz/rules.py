"""The authorization matrix's rows: every URL pattern with the expected status per role (docs/specs/security.md).

tests/test_authz_matrix.py runs them; a URL pattern that is in neither AUTHZ_MATRIX, PUBLIC_URLS nor
LOGIN_ONLY_URLS fails the build there (SZ0).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.authz import inventory_matrix, recurrence_matrix, sessions_matrix
from tests.billing import billing_matrix
from tests.dashboard import kpi_matrix
from tests.photos import photos_matrix
from tests.portal import portal_matrix

# "portal" (a client's contact in the client portal) answers 404 on every row that does not name it.
ROLES = ("anon", "owner", "office", "organizer", portal_matrix.PORTAL_ROLE)
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
    "operations:client_visits_panel": obj("client", owner=200, office=200, organizer=200),
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

# Inventory pages keep their rows and their objects in their own module (tests/authz/inventory_matrix.py).
AUTHZ_MATRIX.update(inventory_matrix.rules(page=page, obj=obj, Rule=Rule))
AUTHZ_MATRIX.update(recurrence_matrix.rules(page=page))
# Billing's rows live in tests/billing/billing_matrix.py (billing is the owner's; office only when allowed).
AUTHZ_MATRIX.update(billing_matrix.rules(page=page, obj=obj, Rule=Rule))
# Two-factor administration on the team page: the owner's alone (docs/specs/portal.md §7).
AUTHZ_MATRIX.update(
    {
        "accounts:user_mfa_reset": Rule(
            "GET", "user", {"owner": (200, 200, 404), "office": (403, 403, 403), "organizer": (403, 403, 403)}
        ),
        "accounts:user_mfa_required": Rule(
            "POST", "user", {"owner": (302, 302, 404), "office": (403, 403, 403), "organizer": (403, 403, 403)}
        ),
    }
)
# The client portal's rows, and the office's portal pages (tests/portal/portal_matrix.py).
AUTHZ_MATRIX.update(portal_matrix.rules(page=page, obj=obj, Rule=Rule))
# Photos' rows live in tests/photos/photos_matrix.py.
AUTHZ_MATRIX.update(photos_matrix.rules(page=page, obj=obj, Rule=Rule))
# Work sessions, unbooked work and capacity: tests/authz/sessions_matrix.py.
AUTHZ_MATRIX.update(sessions_matrix.rules(page=page, obj=obj, Rule=Rule))
# The client timeline panel, composed in organizer_pm (docs/specs/one-schedule.md §5).
AUTHZ_MATRIX["dashboard:client_timeline"] = obj("client", owner=200, office=200, organizer=200)
# KPI drill-downs and CSV exports show revenue: the owner's alone (docs/specs/kpis.md §4).
AUTHZ_MATRIX.update(kpi_matrix.rules(page=page))

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
    "account_request_login_code",  # the portal's sign-in (a code e-mailed to portal users only)
    *portal_matrix.PUBLIC,
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
    # Security keys (WebAuthn); removal goes through accounts' guard first (the last factor of staff stays).
    "mfa_list_webauthn",
    "mfa_add_webauthn",
    "mfa_reauthenticate_webauthn",
    "mfa_remove_webauthn",
    "mfa_edit_webauthn",
    "accounts_webauthn_remove",
}
