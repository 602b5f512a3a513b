"""A short e-mail to the office about something a client did in the portal (docs/specs/portal.md).

Sent after the transaction commits, so a rolled-back change notifies nobody; one message to every active office
user (the owner when there is no office user). Callers never put entry codes or other secrets in the text.
"""

from __future__ import annotations

from django.core.mail import send_mail
from django.db import transaction

from accounts.models import User


def office_recipients() -> list[str]:
    office = list(User.objects.filter(role=User.Role.OFFICE, is_active=True).values_list("email", flat=True))
    if office:
        return sorted(office)
    return sorted(User.objects.filter(role=User.Role.OWNER, is_active=True).values_list("email", flat=True))


def office_notify(*, subject: str, body: str) -> None:
    def send() -> None:
        recipients = office_recipients()
        if recipients:
            send_mail(subject, body, None, recipients)

    transaction.on_commit(send)
