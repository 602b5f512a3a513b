"""The standard cast, as plain builders: tests/conftest.py wraps them in per-test fixtures, and module-scoped
data (the authorization matrix's world) calls them once per module."""

from __future__ import annotations

from typing import Any

from tests.accounts.factories import UserFactory
from tests.clients.factories import ClientFactory, ContactFactory, SiteFactory

USERS: dict[str, dict[str, str]] = {
    "owner": {"role": "owner", "email": "olivia@example.com", "first_name": "Olivia"},
    "office": {"role": "office", "email": "frank@example.com", "first_name": "Frank"},
    "organizer": {"role": "organizer", "email": "anna@example.com", "first_name": "Anna"},
    "organizer_b": {"role": "organizer", "email": "ben@example.com", "first_name": "Ben"},
}


def user_build(key: str) -> Any:
    """One of the four standard users: "owner", "office", "organizer" (A) or "organizer_b" (B)."""
    return UserFactory(**USERS[key])


def users_build() -> dict[str, Any]:
    return {key: user_build(key) for key in USERS}


def client_for(organizer: Any, name: str, **site: Any) -> Any:
    """A client with a primary contact and one site, assigned to `organizer` only."""
    client = ClientFactory(name=name, notes=f"{name} internal note")
    ContactFactory(client=client, is_primary=True)
    SiteFactory(client=client, **site)
    client.assignments.create(organizer=organizer)
    return client


def client_a_build(organizer_a: Any) -> Any:
    """cA: a client assigned to organizer A only."""
    return client_for(organizer_a, "Alder household", entry_code="1357")


def client_b_build(organizer_b: Any) -> Any:
    """cB: a client assigned to organizer B only (the canary for leaks)."""
    return client_for(organizer_b, "Birchwood household", entry_code="8642", street="77 Canary Row")
