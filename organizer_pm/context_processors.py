"""Template context shared by every page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from accounts import access
from billing import selectors as billing_selectors


def csp_nonce(request: HttpRequest) -> dict[str, Any]:
    """Expose django-csp's nonce as `csp_nonce`, Django 6's name (read lazily: the header adds it if used)."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    icon: str
    active: bool


# (label, url name, icon, who may open it). Later features add their pages here.
NAV = [
    ("Home", "dashboard:home", "house", lambda u: True),
    ("My day", "operations:my_day", "sun", access.is_organizer),
    ("Clients", "clients:client_list", "people", lambda u: True),
    ("Calendar", "operations:calendar", "calendar3", lambda u: True),
    ("Projects", "projects:project_list", "kanban", lambda u: True),
    ("Team", "accounts:team_list", "person-badge", access.is_staff_role),
    ("Inventory", "operations:inventory_list", "box2", access.is_staff_role),
    ("Billing", "billing:ready", "cash-coin", billing_selectors.may_bill),
    ("Requests", "portal_office:request_list", "inbox", access.is_staff_role),
    ("Photos", "photos:gallery", "images", lambda u: True),
    ("Capacity", "projects:capacity", "bar-chart-steps", access.is_staff_role),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or access.is_portal_user(user):
        return {"nav_items": []}  # portal users: the staff app does not exist for them (docs/specs/portal.md)
    items = []
    for label, name, icon, allowed in NAV:
        if allowed(user):
            url = reverse(name)
            active = request.path == url if url == "/" else request.path.startswith(url)
            items.append(NavItem(label, url, icon, active))
    # Lazy: evaluated only by templates that ask (the client page loads its billing panel when true).
    return {"nav_items": items, "may_bill": lambda: billing_selectors.may_bill(user)}
