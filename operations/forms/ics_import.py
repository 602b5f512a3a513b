"""Input shape of the ICS import: the calendar (uploaded or pasted) and who and where it is for."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from accounts.models import User
from clients import selectors as client_selectors
from clients.models import Client, Site
from operations.forms.visits import SiteChoiceField
from operations.models import AppointmentType
from operations.services.ics_import import MAX_BYTES, TOO_BIG_MSG

ONE_SOURCE_MSG = "Upload a calendar file or paste its text (one of the two)."


class IcsImportForm(forms.Form):
    file = forms.FileField(required=False, label="Calendar file (.ics)", help_text="At most 2 MB.")
    text = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 4}), label="…or paste the calendar text",
        help_text="From Google, Outlook or Apple: BEGIN:VCALENDAR … END:VCALENDAR.",
    )  # fmt: skip
    client = forms.ModelChoiceField(queryset=Client.objects.none())
    site = SiteChoiceField(queryset=Site.objects.none(), help_text="Visits are kept at their wall time in this zone.")
    appointment_type = forms.ModelChoiceField(queryset=AppointmentType.objects.none())
    organizers = forms.ModelMultipleChoiceField(queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple)
    allow_outside_hours = forms.BooleanField(required=False, label="Book outside working hours")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["client"]).queryset = Client.objects.filter(archived_at=None)
        sites = Site.objects.filter(client__archived_at=None).select_related("client").order_by("client__name", "pk")
        client_id = self.data.get("client") if self.is_bound else self.initial.get("client")
        site_field = cast(SiteChoiceField, self.fields["site"])
        site_field.shown = sites.filter(client_id=int(str(client_id))) if str(client_id or "").isdigit() else None
        site_field.queryset = sites
        cast(forms.ModelChoiceField, self.fields["appointment_type"]).queryset = AppointmentType.objects.filter(
            is_active=True
        )
        cast(
            forms.ModelMultipleChoiceField, self.fields["organizers"]
        ).queryset = client_selectors.organizers_for_picker()

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload is not None and upload.size > MAX_BYTES:
            raise forms.ValidationError(TOO_BIG_MSG, code="too_big", params={"size": f"{upload.size / 2**20:.1f}"})
        return upload

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        upload, text = data.get("file"), (data.get("text") or "").strip()
        if "file" in self.errors:
            return data
        if bool(upload) == bool(text):
            self.add_error("file", ONE_SOURCE_MSG)
            return data
        data["data"] = upload.read() if upload else text.encode()
        client, site = data.get("client"), data.get("site")
        if client and site and site.client_id != client.pk:
            self.add_error("site", "Choose one of this client's sites.")
        return data

    def calendar_text(self) -> str:
        return bytes(self.cleaned_data["data"]).decode("utf-8", errors="replace")
