"""Password rules beyond Django's: a common password with a symbol or digits tacked on is still common."""

from __future__ import annotations

import string
from typing import Any

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError

DECORATION = string.digits + string.punctuation + " "


class DecoratedCommonPasswordValidator(CommonPasswordValidator):
    """Reject "Passw0rd!" and "dragon2024": stripping leading/trailing digits and symbols leaves a common one."""

    def validate(self, password: str, user: Any = None) -> None:
        core = password.lower().strip(DECORATION)
        if core != password.lower() and core in self.passwords:
            raise ValidationError(self.get_error_message(), code="password_too_common")
