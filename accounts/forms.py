from __future__ import annotations

from datetime import time
from typing import Any

from django import forms

from accounts.formfields import PhoneField, TimeZoneField
from accounts.models import OrganizerProfile, User

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
HOURS_HALF_MSG = "Give both a start and an end, or leave both empty for a day off."
HOURS_ORDER_MSG = "The end must be after the start."


# Portal users are made only by a portal invitation (clients.portal_services), never on the team page.
TEAM_ROLE_CHOICES = [(value, label) for value, label in User.Role.choices if value != User.Role.PORTAL]


class UserCreateForm(forms.Form):
    email = forms.EmailField(max_length=254)
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150, required=False)
    role = forms.ChoiceField(choices=TEAM_ROLE_CHOICES, initial=User.Role.ORGANIZER)
    password = forms.CharField(
        widget=forms.PasswordInput,
        required=False,
        help_text="Leave empty to let them set one with the 'forgot password' link.",
    )

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("A user with this email already exists.", code="duplicate")
        return email


class UserEditForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "role", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = TEAM_ROLE_CHOICES  # type: ignore[attr-defined]


class ProfileForm(forms.ModelForm):
    phone = PhoneField(required=False)
    time_zone = TimeZoneField()

    class Meta:
        model = OrganizerProfile
        fields = ["colour", "phone", "home_base", "time_zone"]
        widgets = {"colour": forms.TextInput(attrs={"type": "color"})}


class RatesForm(forms.ModelForm):
    class Meta:
        model = OrganizerProfile
        fields = ["hourly_cost", "billable_rate"]


class WorkingHoursForm(forms.Form):
    """Seven optional start/end pairs; an empty pair is a day off."""

    def __init__(self, *args: Any, profile: OrganizerProfile, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = {wh.weekday: wh for wh in profile.working_hours.all()}
        for day, name in enumerate(WEEKDAYS):
            wh = current.get(day)
            self.fields[f"start_{day}"] = forms.TimeField(
                required=False, label=f"{name} from", initial=wh.starts_at if wh else None,
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            )  # fmt: skip
            self.fields[f"end_{day}"] = forms.TimeField(
                required=False, label=f"{name} to", initial=wh.ends_at if wh else None,
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for day in range(7):
            start, end = data.get(f"start_{day}"), data.get(f"end_{day}")
            if (start is None) != (end is None) and f"start_{day}" not in self.errors:
                self.add_error(f"end_{day}", HOURS_HALF_MSG)
            elif start is not None and end is not None and end <= start:
                self.add_error(f"end_{day}", HOURS_ORDER_MSG)
        return data

    def hours(self) -> dict[int, tuple[time, time] | None]:
        result: dict[int, tuple[time, time] | None] = {}
        for day in range(7):
            start, end = self.cleaned_data.get(f"start_{day}"), self.cleaned_data.get(f"end_{day}")
            result[day] = (start, end) if start and end else None
        return result

    def day_rows(self) -> list[tuple[str, Any, Any]]:
        return [(name, self[f"start_{d}"], self[f"end_{d}"]) for d, name in enumerate(WEEKDAYS)]


class MFAResetForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="How did you check it is them?",
        help_text="Recorded with your name, e.g. 'called them on their known number'.",
    )


class MFARequiredForm(forms.Form):
    required = forms.BooleanField(required=False)
