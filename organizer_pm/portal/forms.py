"""The portal's forms: explicit fields only, so a posted staff-only field is never read."""

from __future__ import annotations

from django import forms

from accounts.formfields import PhoneField
from clients.models import Contact, Intake
from clients.portal_services import PORTAL_INTAKE_FIELDS


class RescheduleRequestForm(forms.Form):
    preferred_1 = forms.DateTimeField(
        label="A time that suits you", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )  # fmt: skip
    preferred_2 = forms.DateTimeField(
        label="Another time (optional)", required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )  # fmt: skip
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def windows(self) -> list[str]:
        """The preferred times as typed: wall times at the visit's site, kept as text for the office."""
        found = [self.cleaned_data.get("preferred_1"), self.cleaned_data.get("preferred_2")]
        return [value.strftime("%Y-%m-%d %H:%M") for value in found if value is not None]


class CancelForm(forms.Form):
    acknowledge_late = forms.BooleanField(
        required=False,
        label="I understand this counts as a late cancellation: a fee or a package deduction applies as agreed.",
    )


class IntakeForm(forms.ModelForm):
    class Meta:
        model = Intake
        fields = PORTAL_INTAKE_FIELDS


class ContactForm(forms.ModelForm):
    phone = PhoneField(required=False)

    class Meta:
        model = Contact
        fields = ["name", "phone", "preferred_channel"]


class EntryCodeForm(forms.Form):
    site = forms.TypedChoiceField(coerce=int)
    entry_code = forms.CharField(
        max_length=100, label="New entry code", widget=forms.PasswordInput(attrs={"autocomplete": "off"})
    )

    def __init__(self, *args: object, sites: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["site"].choices = sites  # type: ignore[attr-defined]


class AcceptForm(forms.Form):
    """The office's answer to a reschedule request: the new time, in the site's zone."""

    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    duration_min = forms.IntegerField(min_value=15, max_value=12 * 60, label="Duration (minutes)")
    allow_outside_hours = forms.BooleanField(required=False, label="Book outside working hours")


class DeclineForm(forms.Form):
    message = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), label="Message to the client")


class PhotoConsentForm(forms.Form):
    """One consent choice. The scope is a plain value resolved by the view against the client's own spaces and
    shared photos, so another client's id answers 404 rather than a form error (docs/specs/portal.md W8)."""

    scope = forms.CharField(label="For", widget=forms.Select)
    level = forms.ChoiceField(
        label="Level",
        choices=[
            ("2", "Portfolio (anonymized)"),
            ("1", "Team"),
            ("0", "Private"),
            ("", "Default (space) / no limit (photo)"),
        ],
        required=False,
        error_messages={"invalid_choice": "Choose private, team or portfolio."},
    )

    def __init__(self, *args: object, scopes: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["scope"].widget.choices = scopes  # type: ignore[attr-defined]

    def level_value(self) -> int | None:
        level = self.cleaned_data["level"]
        return None if level == "" else int(level)
