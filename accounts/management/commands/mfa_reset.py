"""`manage.py mfa_reset <email> --reason "..."`: the operator's way back in when the owner lost every factor.

Goes through the same audited service as the owner's page (actor empty, channel "command"); prints no secret.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts import services
from accounts.models import User


class Command(BaseCommand):
    help = "Remove every second factor of a user and end their sessions (recorded as a security event)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--reason", required=True, help="How their identity was checked (recorded).")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["email"].strip()).first()
        if user is None:
            raise CommandError(f"No user with the e-mail address {options['email']!r}.")
        try:
            event = services.mfa_reset(actor=None, user=user, reason=options["reason"], channel="command")
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        removed = len(event.detail["removed"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Two-factor authentication of {user.email} reset: {removed} authenticator(s) removed, "
                f"{event.detail['sessions_ended']} session(s) ended. They enrol again at their next login."
            )
        )
