"""Input shapes of the photo pages: the upload (one file per request), consent (staff) and the portfolio."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from clients.models import ConsentLevel
from photos.models import ConsentChange, Photo, PortfolioUse
from photos.services.portfolio import ANONYMIZATION_CHECKLIST

ONE_FILE_MSG = "Send one photo per request."


class PhotoUploadForm(forms.Form):
    # A FileField, not an ImageField: ImageField would let every Pillow decoder look at the file. The service
    # runs the JPEG, PNG and HEIF decoders only (photos/processing.py).
    photo = forms.FileField(label="Photo", help_text="JPEG, PNG or HEIC. Location and camera data are removed.")
    stage = forms.ChoiceField(choices=Photo.Stage.choices, initial=Photo.Stage.BEFORE)
    space_label = forms.CharField(label="Space", max_length=80, required=False, help_text="e.g. Pantry, Garage")
    caption = forms.CharField(max_length=300, required=False)
    private_shot = forms.BooleanField(
        label="Not for the client (lockbox, damage, paperwork)", required=False, initial=False
    )

    def __init__(self, *args: Any, files_count: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.files_count = files_count

    def clean(self) -> dict[str, Any]:
        super().clean()
        if self.files_count > 1:
            raise forms.ValidationError(ONE_FILE_MSG, code="one_file")
        return self.cleaned_data


LEVEL_CHOICES = [(str(v), label) for v, label in ConsentLevel.choices]


class ConsentForm(forms.Form):
    """Staff change one scope: the client default ("client") or a space ("space-<id>")."""

    scope = forms.ChoiceField()
    level = forms.ChoiceField(choices=[("default", "Follow the client default"), *LEVEL_CHOICES])
    basis = forms.ChoiceField(choices=[("", "— (only needed to raise a level)"), *ConsentChange.Basis.choices],
                              required=False)  # fmt: skip
    basis_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, spaces: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.spaces = {f"space-{s.pk}": s for s in spaces}
        cast(forms.ChoiceField, self.fields["scope"]).choices = [("client", "All spaces (client default)")] + [
            (key, space.name) for key, space in self.spaces.items()
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("scope") == "client" and data.get("level") == "default":
            self.add_error("level", "The client default needs a level.")
        return self.cleaned_data

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        level = None if data["level"] == "default" else int(data["level"])
        return {"level": level, "space": self.spaces.get(data["scope"]), "basis": data["basis"] or "",
                "basis_date": data["basis_date"]}  # fmt: skip


class AnonymizationForm(forms.Form):
    ticked = forms.MultipleChoiceField(
        choices=ANONYMIZATION_CHECKLIST, widget=forms.CheckboxSelectMultiple, required=False, label="Checked"
    )


class PortfolioUseForm(forms.Form):
    channel = forms.ChoiceField(choices=PortfolioUse.Channel.choices)
    url = forms.URLField(required=False, label="Where (URL)", assume_scheme="https")


class PhotoEditForm(forms.Form):
    stage = forms.ChoiceField(choices=Photo.Stage.choices)
    space_label = forms.CharField(label="Space", max_length=80, required=False)
    caption = forms.CharField(max_length=300, required=False)
    shared_with_client = forms.BooleanField(label="Shared with the client", required=False)
    portfolio_candidate = forms.BooleanField(label="Suggest for the portfolio", required=False)
    hidden = forms.BooleanField(label="Hidden (kept, but shown to no one but owner and office)", required=False)

    def __init__(self, *args: Any, can_hide: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_hide:
            del self.fields["hidden"]  # neither shown nor saved for organizers


class PhotoCapForm(forms.Form):
    """Staff set one photo's cap: it can only restrict what the space and client levels allow."""

    level = forms.ChoiceField(choices=[("none", "No cap (follow the space)"), *LEVEL_CHOICES], label="Cap")
    basis = forms.ChoiceField(choices=[("", "— (only needed to raise a cap)"), *ConsentChange.Basis.choices],
                              required=False)  # fmt: skip
    basis_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        level = None if data["level"] == "none" else int(data["level"])
        return {"level": level, "basis": data["basis"] or "", "basis_date": data["basis_date"]}
