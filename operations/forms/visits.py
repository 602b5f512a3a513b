"""Input shape for visits: booking (one-off or recurring), edits by scope, free-slot search, time off."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms

from accounts.models import User
from clients import selectors as client_selectors
from clients.models import Client, Site
from operations import recurrence
from operations.models import AppointmentType, TimeOff

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
END_BEFORE_START_MSG = "The visit must end after it starts."
SITE_MISMATCH_MSG = "Choose one of this client's sites."
WEEKDAYS_REQUIRED_MSG = "Choose at least one weekday."
RANGE_TOO_LONG_MSG = "Search at most 31 days at a time."
TIME_OFF_ORDER_MSG = "Time off must end after it starts."


def _organizers() -> Any:
    return client_selectors.organizers_for_picker()


class AppointmentTypeForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = AppointmentType
        fields = ["name", "default_duration_min", "default_travel_min", "checklist", "billable_rate", "is_active"]
        widgets = {"checklist": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, show_rates: bool = False, **kwargs: Any) -> None:
        """Labour rates are the owner's (T11, docs/ARCHITECTURE.md): for anyone else the rate field does not
        exist, so it is neither shown nor saved, whatever the POST carries."""
        super().__init__(*args, **kwargs)
        if not show_rates:
            del self.fields["billable_rate"]


class BookingForm(forms.Form):
    """One-off or recurring visit at the site's local wall time."""

    REPEAT = [
        ("none", "Does not repeat"),
        ("weekly", "Weekly on the chosen days"),
        ("monthly_date", "Monthly on this day of the month"),
        ("monthly_last", "Monthly on the last day"),
        ("monthly_nth", "Monthly on the nth weekday (e.g. 2nd Tuesday)"),
    ]
    ENDS = [("never", "Never"), ("on_date", "On a date"), ("after", "After a number of visits")]

    client = forms.ModelChoiceField(queryset=Client.objects.none())
    site = forms.ModelChoiceField(queryset=Site.objects.none(), help_text="Times are in the site's time zone.")
    appointment_type = forms.ModelChoiceField(queryset=AppointmentType.objects.none())
    organizers = forms.ModelMultipleChoiceField(queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple)
    day = forms.DateField(widget=DATE_INPUT, label="Date (first visit)")
    start_time = forms.TimeField(widget=TIME_INPUT)
    duration_min = forms.IntegerField(min_value=15, max_value=12 * 60, required=False, label="Duration (minutes)")
    travel_min = forms.IntegerField(min_value=0, max_value=240, required=False, label="Travel buffer after (minutes)")
    repeat = forms.ChoiceField(choices=REPEAT, initial="none")
    interval = forms.IntegerField(min_value=1, max_value=52, initial=1, required=False, label="Every … weeks/months")
    weekdays = forms.TypedMultipleChoiceField(
        choices=[(d.value, d.label[:3]) for d in recurrence.Weekday], coerce=int, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    ends = forms.ChoiceField(choices=ENDS, initial="never")
    end_on = forms.DateField(widget=DATE_INPUT, required=False, label="Last date")
    count = forms.IntegerField(min_value=1, max_value=200, required=False, label="Number of visits")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000)
    allow_outside_hours = forms.BooleanField(required=False, label="Book outside working hours")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["client"]).queryset = Client.objects.all()
        cast(forms.ModelChoiceField, self.fields["site"]).queryset = Site.objects.filter(client__archived_at=None)
        cast(forms.ModelChoiceField, self.fields["appointment_type"]).queryset = AppointmentType.objects.filter(
            is_active=True
        )
        cast(forms.ModelMultipleChoiceField, self.fields["organizers"]).queryset = _organizers()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        client, site = data.get("client"), data.get("site")
        if client and site and site.client_id != client.pk:
            self.add_error("site", SITE_MISMATCH_MSG)
        if data.get("repeat") not in (None, "none") and site and data.get("day") and data.get("start_time"):
            try:
                data["rule"] = self._rule(site.time_zone)
            except recurrence.RecurrenceError as exc:
                self.add_error(
                    getattr(exc, "field", None) if getattr(exc, "field", None) in self.fields else None, str(exc)
                )
        return data

    def _rule(self, tz: str) -> recurrence.RecurrenceRule:
        d = self.cleaned_data
        day: date = d["day"]
        repeat = d["repeat"]
        weekdays = d.get("weekdays") or [day.weekday()]
        nth = (day.day - 1) // 7 + 1
        return recurrence.build_rule(
            pattern=recurrence.RulePattern.WEEKLY if repeat == "weekly"
            else recurrence.RulePattern.MONTHLY_BY_WEEKDAY if repeat == "monthly_nth"
            else recurrence.RulePattern.MONTHLY_BY_DATE,
            tz=tz,
            interval=d.get("interval") or 1,
            weekdays=weekdays if repeat == "weekly" else (),
            month_day={"monthly_date": day.day, "monthly_last": -1}.get(repeat),
            nth=(-1 if nth == 5 else nth) if repeat == "monthly_nth" else None,
            weekday=day.weekday() if repeat == "monthly_nth" else None,
            ends={"never": recurrence.RuleEnd.NEVER, "on_date": recurrence.RuleEnd.ON_DATE,
                  "after": recurrence.RuleEnd.AFTER_COUNT}[d.get("ends") or "never"],
            end_on=d.get("end_on"),
            count=d.get("count"),
        )  # fmt: skip

    def local_start(self) -> datetime:
        return datetime.combine(self.cleaned_data["day"], self.cleaned_data["start_time"])

    def starts_utc(self) -> datetime:
        zone = ZoneInfo(self.cleaned_data["site"].time_zone)
        return recurrence.local_to_utc(self.local_start(), str(zone.key))

    def duration(self) -> int:
        return self.cleaned_data.get("duration_min") or self.cleaned_data["appointment_type"].default_duration_min


class RescheduleForm(forms.Form):
    SCOPES = [("this", "This visit"), ("following", "This and following visits"), ("all", "All upcoming visits")]

    scope = forms.ChoiceField(choices=SCOPES, initial="this", widget=forms.RadioSelect)
    day = forms.DateField(widget=DATE_INPUT, help_text="Used for “this visit”.")
    start_time = forms.TimeField(widget=TIME_INPUT)
    duration_min = forms.IntegerField(min_value=15, max_value=12 * 60, label="Duration (minutes)")
    organizers = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )
    allow_outside_hours = forms.BooleanField(required=False, label="Book outside working hours")

    def __init__(self, *args: Any, is_series: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["organizers"]).queryset = _organizers()
        if not is_series:
            cast(forms.ChoiceField, self.fields["scope"]).choices = self.SCOPES[:1]


class CalendarMoveForm(forms.Form):
    start = forms.DateTimeField()
    end = forms.DateTimeField()

    def clean(self) -> dict[str, Any]:
        super().clean()
        start, end = self.cleaned_data.get("start"), self.cleaned_data.get("end")
        if start and end and end <= start:
            raise forms.ValidationError(END_BEFORE_START_MSG, code="ends_before_start")
        return self.cleaned_data


class FreeSlotForm(forms.Form):
    appointment_type = forms.ModelChoiceField(queryset=AppointmentType.objects.none())
    date_from = forms.DateField(widget=DATE_INPUT, label="From")
    date_to = forms.DateField(widget=DATE_INPUT, label="To")
    organizer = forms.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label="Any organizer")
    client = forms.ModelChoiceField(queryset=Client.objects.none(), required=False, help_text="Pre-fills the booking.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["appointment_type"]).queryset = AppointmentType.objects.filter(
            is_active=True
        )
        cast(forms.ModelChoiceField, self.fields["organizer"]).queryset = _organizers()
        cast(forms.ModelChoiceField, self.fields["client"]).queryset = Client.objects.all()

    def clean(self) -> dict[str, Any]:
        super().clean()
        start, end = self.cleaned_data.get("date_from"), self.cleaned_data.get("date_to")
        if start and end:
            if end < start:
                self.add_error("date_to", "The end date is before the start date.")
            elif end - start > timedelta(days=31):
                self.add_error("date_to", RANGE_TOO_LONG_MSG)
        return self.cleaned_data


class TimeOffForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = TimeOff
        fields = ["starts", "ends", "reason"]
        widgets = {
            "starts": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "ends": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }

    def clean(self) -> dict[str, Any]:
        super().clean()
        starts, ends = self.cleaned_data.get("starts"), self.cleaned_data.get("ends")
        if starts and ends and ends <= starts:
            self.add_error("ends", TIME_OFF_ORDER_MSG)
        return self.cleaned_data


class DayActionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("start", "Start"),
            ("complete", "Complete"),
            ("client_cancel", "Client cancelled"),
            ("no_show", "No-show"),
            ("needs_redo", "Needs redo"),
        ]  # fmt: skip
    )
    notes = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    # Sent by the confirmation page: complete although checklist items are unticked (T4).
    confirmed = forms.BooleanField(required=False)


class ChecklistForm(forms.Form):
    index = forms.IntegerField(min_value=0, max_value=200)
    done = forms.BooleanField(required=False)
