"""The portal's cast: P, a contact of cX invited and signed in the real way (an e-mailed code), and helpers.

`portal_user_build` invites through the service (so the access, invitation and user are what production makes);
`code_login` walks allauth's login by code in a test client: request, read the code from the outbox, confirm.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core import mail
from django.urls import reverse

CODE_RE = re.compile(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b")


def portal_user_build(*, client: Any, actor: Any, email: str = "pat@example.org", name: str = "Pat Parker") -> Any:
    """Invite a new contact of `client` (the invitation e-mail is sent on commit: with a test's transaction
    open it is not; tests that need it capture on-commit callbacks)."""
    from clients import portal_services
    from tests.clients.factories import ContactFactory

    contact = ContactFactory(client=client, name=name, email=email, is_primary=False)
    invitation = portal_services.portal_invite(actor=actor, contact=contact)
    return invitation.access.user


def request_code(http: Any, email: str) -> Any:
    return http.post(reverse("account_request_login_code"), {"email": email})


def last_code(email: str) -> str:
    for message in reversed(mail.outbox):
        if email in message.to:
            found = CODE_RE.search(message.body)
            if found:
                return found.group(1)
    raise AssertionError(f"no sign-in code was e-mailed to {email}")


def code_login(http: Any, email: str) -> Any:
    """Sign in with an e-mailed code; returns the confirm response (302 to the portal on success)."""
    response = request_code(http, email)
    assert response.status_code == 302, response.status_code
    return http.post(reverse("account_confirm_login_code"), {"code": last_code(email)})


def book_visit(*, client: Any, organizer: Any, starts: datetime, minutes: int = 120) -> Any:
    from operations.services import visits
    from tests.operations.factories import AppointmentTypeFactory

    return visits.appointment_book(
        client=client, site=client.sites.first(), appointment_type=AppointmentTypeFactory(),
        organizers=[organizer], starts=starts, ends=starts + timedelta(minutes=minutes), allow_outside_hours=True,
    )  # fmt: skip


def in_hours(hours: float, now: datetime | None = None) -> datetime:
    base = now or datetime.now(UTC)
    return (base + timedelta(hours=hours)).replace(microsecond=0)
