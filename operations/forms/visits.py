"""Input shape for visits: booking (one-off or recurring), edits by scope, free-slot search, time off."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.forms.models import ModelChoiceIterator

from accounts.models import User
from clients import selectors as client_selectors
from clients.models import Client, Site
from operations import recurrence, recurrence_text
from operations.models import AppointmentType, TimeOff

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
END_BEFORE_START_MSG = "The visit must end after it starts."
SITE_MISMATCH_MSG = "Choose one of this client's sites."
WEEKDAYS_REQUIRED_MSG = "Choose at least one weekday."
RANGE_TOO_LONG_MSG = "Search at most 31 days at a time."
TIME_OFF_ORDER_MSG = "Time off must end after it starts."
SECOND_DAY_MSG = "Choose a second date of the month (1 to 31, or -1 for the last day), other than the first visit's."
TWO_POSITIONS_MSG = "Choose one or two weekday positions (for example first and third)."
MONTHS_REQUIRED_MSG = "Choose at least one month."


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


class _ShownSites(ModelChoiceIterator):
    def __init__(self, field: Any) -> None:
        super().__init__(field)
        if field.shown is not None:
            self.queryset = field.shown


class SiteChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """Sites labelled with their client (T18), so a site is never picked for the wrong household.

    ``shown`` narrows the list to the chosen client's sites; any site still validates, so a site of another client
    is refused by the form's own message rather than "not a valid choice".
    """

    iterator = _ShownSites
    shown: Any = None

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.client.name} · {obj}"


class BookingForm(forms.Form):
    """One-off or recurring visit at the site's local wall time.

    The repeat choices are the cadences organizers sell; anything else is RRULE text (docs/specs/recurrence-rfc5545.md).
    """

    REPEAT = [
        ("none", "Does not repeat"),
        ("weekly", "Weekly on the chosen days (every N weeks)"),
        ("twice_monthly", "Twice a month on two dates"),
        ("monthly_date", "Monthly on this day of the month (every N months)"),
        ("monthly_last", "Monthly on the last day"),
        ("monthly_nth", "Monthly on one or two weekday positions (first and third Tuesday, last Friday)"),
        ("daily", "Daily (every N days), e.g. for N days of a move"),
        ("yearly_months", "Yearly in the chosen months"),
        ("custom", "Other: repeat rule text (RRULE)"),
    ]
    ENDS = [("never", "Never"), ("on_date", "On a date"), ("after", "After a number of visits")]
    POSITIONS = [(1, "first"), (2, "second"), (3, "third"), (4, "fourth"), (-1, "last")]

    client = forms.ModelChoiceField(queryset=Client.objects.none())
    site = SiteChoiceField(queryset=Site.objects.none(), help_text="Times are in the site's time zone.")
    appointment_type = forms.ModelChoiceField(queryset=AppointmentType.objects.none())
    organizers = forms.ModelMultipleChoiceField(queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple)
    day = forms.DateField(widget=DATE_INPUT, label="Date (first visit)")
    start_time = forms.TimeField(widget=TIME_INPUT)
    duration_min = forms.IntegerField(min_value=15, max_value=12 * 60, required=False, label="Duration (minutes)")
    travel_min = forms.IntegerField(min_value=0, max_value=240, required=False, label="Travel buffer after (minutes)")
    repeat = forms.ChoiceField(choices=REPEAT, initial="none")
    interval = forms.IntegerField(
        min_value=1, max_value=52, initial=1, required=False, label="Every … days/weeks/months/years"
    )
    weekdays = forms.TypedMultipleChoiceField(
        choices=[(d.value, d.label[:3]) for d in recurrence.Weekday], coerce=int, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    second_day = forms.IntegerField(
        min_value=-1, max_value=31, required=False, label="Second date of the month",
        help_text="The first is the first visit's date; -1 means the last day of the month.",
    )  # fmt: skip
    positions = forms.TypedMultipleChoiceField(
        choices=POSITIONS, coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
        label="Weekday positions", help_text="One or two; the weekday is the first visit's. Left empty: its own.",
    )  # fmt: skip
    months = forms.TypedMultipleChoiceField(
        choices=[(i + 1, name[:3]) for i, name in enumerate(recurrence_text.MONTH_NAMES)], coerce=int,
        required=False, widget=forms.CheckboxSelectMultiple, label="Months",
    )  # fmt: skip
    rrule = forms.CharField(
        required=False, max_length=300, label="Rule text (RRULE)",
        help_text="For example FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2 (the second-to-last weekday).",
    )  # fmt: skip
    ends = forms.ChoiceField(choices=ENDS, initial="never")
    end_on = forms.DateField(widget=DATE_INPUT, required=False, label="Last date")
    count = forms.IntegerField(min_value=1, max_value=200, required=False, label="Number of visits")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000)
    allow_outside_hours = forms.BooleanField(required=False, label="Book outside working hours")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["client"]).queryset = Client.objects.all()
        sites = Site.objects.filter(client__archived_at=None).select_related("client").order_by("client__name", "pk")
        client_id = self.data.get("client") if self.is_bound else self.initial.get("client")
        site_field = cast(SiteChoiceField, self.fields["site"])
        # T18: only the chosen client's sites are listed (the htmx list swaps them when the client changes).
        site_field.shown = sites.filter(client_id=int(str(client_id))) if str(client_id or "").isdigit() else None
        site_field.queryset = sites
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
                rule = self._rule(site.time_zone)
                recurrence.check_local_start(rule, self.local_start(), site.time_zone)
            except recurrence.RecurrenceError as exc:
                self.add_error(self._error_field(exc), str(exc))
            else:
                data["rule"] = rule
        return data

    def _error_field(self, exc: recurrence.RecurrenceError) -> str | None:
        """The field an engine refusal concerns (T18: never a form-wide error when a field is to blame)."""
        custom = self.cleaned_data.get("repeat") == "custom"
        if isinstance(exc, recurrence.OffPatternStartError):
            return "day"
        if isinstance(exc, recurrence.EmptySeriesError):
            return "rrule" if custom else ("end_on" if self.cleaned_data.get("ends") == "on_date" else "repeat")
        name = getattr(exc, "field", None)
        if custom:
            return "rrule"
        return name if name in self.fields else "repeat"

    def _rule(self, tz: str) -> recurrence.RecurrenceRule:
        d = self.cleaned_data
        day: date = d["day"]
        repeat = d["repeat"]
        if repeat == "custom":
            if not (d.get("rrule") or "").strip():
                raise recurrence.InvalidRuleError("Enter the repeat rule, e.g. FREQ=WEEKLY;BYDAY=TU.", field="rrule")
            return recurrence.parse_rrule(d["rrule"], tz=tz)
        weekdays = d.get("weekdays") or [day.weekday()]
        nth = (day.day - 1) // 7 + 1
        base = recurrence.build_rule(
            pattern=recurrence.RulePattern.WEEKLY if repeat == "weekly"
            else recurrence.RulePattern.MONTHLY_BY_WEEKDAY if repeat == "monthly_nth"
            else recurrence.RulePattern.MONTHLY_BY_DATE,
            tz=tz,
            interval=d.get("interval") or 1,
            weekdays=weekdays if repeat == "weekly" else (),
            month_day={"monthly_last": -1}.get(repeat, day.day),
            nth=(-1 if nth == 5 else nth) if repeat == "monthly_nth" else None,
            weekday=day.weekday() if repeat == "monthly_nth" else None,
            ends={"never": recurrence.RuleEnd.NEVER, "on_date": recurrence.RuleEnd.ON_DATE,
                  "after": recurrence.RuleEnd.AFTER_COUNT}[d.get("ends") or "never"],
            end_on=d.get("end_on"),
            count=d.get("count"),
        )  # fmt: skip
        return self._cadence(base, day)

    def _cadence(self, base: recurrence.RecurrenceRule, day: date) -> recurrence.RecurrenceRule:
        """The cadences build_rule does not know, built on its end (UNTIL or COUNT) and interval."""
        d = self.cleaned_data
        repeat, weekday = d["repeat"], recurrence.Weekday(day.weekday())
        if repeat == "twice_monthly":
            second = d.get("second_day")
            if second is None or second == 0 or second == day.day:
                raise recurrence.InvalidRuleError(SECOND_DAY_MSG, field="second_day")
            return replace(base, month_day=None, month_days=(day.day, second))
        if repeat == "monthly_nth" and d.get("positions"):
            if len(d["positions"]) > 2:
                raise recurrence.InvalidRuleError(TWO_POSITIONS_MSG, field="positions")
            nths = tuple(recurrence.NthWeekday(p, weekday) for p in d["positions"])
            return replace(base, nth_weekday=None, nth_weekdays=nths)
        if repeat == "daily":
            return recurrence.RecurrenceRule(
                recurrence.Frequency.DAILY, interval=base.interval, until=base.until, count=base.count
            )
        if repeat == "yearly_months":
            if not d.get("months"):
                raise recurrence.InvalidRuleError(MONTHS_REQUIRED_MSG, field="months")
            return recurrence.RecurrenceRule(
                recurrence.Frequency.YEARLY, interval=base.interval, months=tuple(d["months"]), until=base.until,
                count=base.count,
            )  # fmt: skip
        return base

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
    day = forms.DateField(
        widget=DATE_INPUT, help_text="For the series scopes, moving the day moves the repeat pattern with it."
    )
    start_time = forms.TimeField(widget=TIME_INPUT)
    duration_min = forms.IntegerField(min_value=15, max_value=12 * 60, label="Duration (minutes)")
    organizers = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )
    rrule = forms.CharField(
        required=False, max_length=300, label="New rule text (RRULE)",
        help_text="Only when the pattern cannot follow a move on its own, e.g. FREQ=MONTHLY;BYMONTHDAY=8,22.",
    )  # fmt: skip
    allow_outside_hours = forms.BooleanField(required=False, label="Book outside working hours")

    def __init__(self, *args: Any, is_series: bool = False, tz: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tz = tz
        cast(forms.ModelMultipleChoiceField, self.fields["organizers"]).queryset = _organizers()
        if not is_series:
            cast(forms.ChoiceField, self.fields["scope"]).choices = self.SCOPES[:1]
            del self.fields["rrule"]

    def clean_rrule(self) -> recurrence.RecurrenceRule | None:
        text = (self.cleaned_data.get("rrule") or "").strip()
        if not text:
            return None
        try:
            rule = recurrence.parse_rrule(text, tz=self.tz)
        except recurrence.RecurrenceError as exc:
            raise forms.ValidationError(str(exc), code="invalid_rule") from exc
        if rule.is_bounded:
            raise forms.ValidationError(
                "Leave out COUNT and UNTIL: the changed visits keep the schedule's end.", code="bounded_rule"
            )
        return rule


class CalendarMoveForm(forms.Form):
    start = forms.DateTimeField()
    end = forms.DateTimeField()

    def clean(self) -> dict[str, Any]:
        super().clean()
        start, end = self.cleaned_data.get("start"), self.cleaned_data.get("end")
        if start and end and end <= start:
            self.add_error("end", forms.ValidationError(END_BEFORE_START_MSG, code="ends_before_start"))
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
