"""Input shape and single-field rules for client pages; database rules live in clients.services."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from accounts.formfields import PhoneField, TimeZoneField
from accounts.models import User
from clients.models import Client, Contact, Intake, Site

TAG_TOO_LONG_MSG = "Each tag can be at most 40 characters."
CONTACT_NEEDS_A_WAY_MSG = "Give at least a phone number or an email address."
CHANNEL_NEEDS_PHONE_MSG = "A phone number is needed to reach this contact by phone or text."
CHANNEL_NEEDS_EMAIL_MSG = "An email address is needed to reach this contact by email."


class ClientForm(forms.ModelForm):
    tags = forms.CharField(
        required=False,
        max_length=400,
        help_text="Comma-separated, e.g. downsizing, garage, VIP.",
    )

    class Meta:
        model = Client
        fields = ["kind", "name", "status", "referral_source", "referral_detail", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["tags"] = ", ".join(t.name for t in self.instance.tags.all())

    def clean_tags(self) -> list[str]:
        names = [n.strip() for n in self.cleaned_data["tags"].split(",") if n.strip()]
        if any(len(n) > 40 for n in names):
            raise forms.ValidationError(TAG_TOO_LONG_MSG, code="tag_too_long")
        return names


class ContactForm(forms.ModelForm):
    phone = PhoneField(required=False)

    class Meta:
        model = Contact
        fields = ["name", "role", "phone", "email", "preferred_channel", "is_primary"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        phone, email = data.get("phone"), data.get("email")
        if "phone" in data and "email" in data and not phone and not email:
            raise forms.ValidationError(CONTACT_NEEDS_A_WAY_MSG, code="no_channel")
        channel = data.get("preferred_channel")
        if channel in (Contact.Channel.PHONE, Contact.Channel.SMS) and "phone" in data and not phone:
            self.add_error("preferred_channel", CHANNEL_NEEDS_PHONE_MSG)
        if channel == Contact.Channel.EMAIL and "email" in data and not email:
            self.add_error("preferred_channel", CHANNEL_NEEDS_EMAIL_MSG)
        return data


class SiteForm(forms.ModelForm):
    time_zone = TimeZoneField(initial="America/New_York", help_text="Visit times are wall times in this zone.")

    class Meta:
        model = Site
        fields = [
            "label", "street", "unit", "city", "region", "postal_code", "country", "time_zone",
            "parking", "pets", "access_instructions", "entry_code",
        ]  # fmt: skip
        widgets = {"access_instructions": forms.Textarea(attrs={"rows": 3})}


class IntakeForm(forms.ModelForm):
    class Meta:
        model = Intake
        fields = ["goals", "spaces", "pain_points", "budget_range", "schedule_preferences", "decision_makers"]
        widgets = {
            "goals": forms.Textarea(attrs={"rows": 3}),
            "spaces": forms.Textarea(attrs={"rows": 3}),
            "pain_points": forms.Textarea(attrs={"rows": 3}),
            "schedule_preferences": forms.Textarea(attrs={"rows": 2}),
        }


class AssignmentForm(forms.Form):
    organizers = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, organizers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["organizers"]).queryset = organizers


class ClientDeleteForm(forms.Form):
    confirm_name = forms.CharField(max_length=200, label="Type the client's name to confirm")


class ClientFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search")
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Client.Status.choices])
    tag = forms.CharField(required=False, max_length=40)
    organizer = forms.CharField(required=False, max_length=20)
