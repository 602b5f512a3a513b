"""Who may use allauth's two mailbox-based ways in (docs/specs/portal.md §2).

Sign-in codes are for portal users only: staff sign in with a password (and MFA), so a mailbox must never stand
in for a staff password. Password resets are for the team only: portal users have no password, and a reset
e-mail would open a second way in. Anyone else is treated exactly like an unknown address: the same answer and,
with ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS off, no e-mail. Rate limits are consumed before the filtering, so an address
is throttled the same whether or not it may receive anything.
"""

from __future__ import annotations

from typing import Any

from allauth.account.forms import RequestLoginCodeForm, ResetPasswordForm

from accounts import access


class PortalOnlyLoginCodeForm(RequestLoginCodeForm):
    _user: Any

    def clean_email(self) -> str:
        email = super().clean_email()
        if getattr(self, "_user", None) is not None and not access.is_portal_user(self._user):
            self._user = None
        return email


class StaffOnlyResetPasswordForm(ResetPasswordForm):
    users: list[Any]

    def clean_email(self) -> str:
        email = super().clean_email()
        self.users = [user for user in self.users if not access.is_portal_user(user)]
        return email
