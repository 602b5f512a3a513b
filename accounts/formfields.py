"""Form fields shared by every app (accounts is the base layer): phone numbers and IANA time zones."""

from __future__ import annotations

import zoneinfo
from typing import Any

import phonenumbers
from django import forms
from django.conf import settings

PHONE_INVALID_MSG = "Enter a valid phone number, e.g. +1 212 555 0123 or (212) 555-0123."
TIME_ZONE_INVALID_MSG = "Choose a time zone from the list (an IANA name such as America/New_York)."


class PhoneField(forms.CharField):
    """Accepts what people type and stores E.164 (+12125550123), so search and dialling links work."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        text = super().clean(value)
        if not text:
            return ""
        try:
            number = phonenumbers.parse(text, settings.PHONE_DEFAULT_REGION)
        except phonenumbers.NumberParseException as exc:
            raise forms.ValidationError(PHONE_INVALID_MSG, code="invalid_phone") from exc
        if not phonenumbers.is_valid_number(number):
            raise forms.ValidationError(PHONE_INVALID_MSG, code="invalid_phone")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class TimeZoneField(forms.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("choices", [(z, z) for z in sorted(zoneinfo.available_timezones())])
        kwargs.setdefault("error_messages", {"invalid_choice": TIME_ZONE_INVALID_MSG})
        super().__init__(**kwargs)
