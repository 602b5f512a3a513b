"""Input shape for session pages. Wall times are typed in the site's zone and turned into instants here; a time
the clocks skip or repeat on that day is refused, so nothing guesses which hour was meant."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django import forms

from accounts.models import User

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M")
SKIPPED_TIME_MSG = "%(time)s does not exist on %(day)s at the site: the clocks go forward. Choose another time."
REPEATED_TIME_MSG = "%(time)s happens twice on %(day)s at the site (the clocks go back). Choose another time."
END_BEFORE_START_MSG = "The session must end after it starts (one session stays on one day)."


def wall_to_utc(day: date, at: time, tz: str, field: str) -> datetime:
    """The instant of a wall time on `day` in `tz`; a skipped or repeated wall time is a field error."""
    zone = ZoneInfo(tz)
    local = datetime.combine(day, at, tzinfo=zone)
    params = {"time": f"{at:%H:%M}", "day": f"{day:%a %Y-%m-%d}"}
    if local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise forms.ValidationError({field: forms.ValidationError(SKIPPED_TIME_MSG, code="skipped", params=params)})
    if local.replace(fold=1).utcoffset() != local.utcoffset():
        raise forms.ValidationError({field: forms.ValidationError(REPEATED_TIME_MSG, code="repeated", params=params)})
    return local.astimezone(UTC)


class SessionForm(forms.Form):
    day = forms.DateField(widget=DATE_INPUT)
    start = forms.TimeField(widget=TIME_INPUT)
    end = forms.TimeField(widget=TIME_INPUT)
    organizers = forms.ModelMultipleChoiceField(queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple)
    confirm_outside_window = forms.BooleanField(required=False, label="Book it even outside the task's window")

    def __init__(self, *args: Any, assignees: Any, tz: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any active organizer is listed so the service can say who is not an assignee, rather than hide them.
        self.fields["organizers"].queryset = User.objects.filter(role=User.Role.ORGANIZER, is_active=True)  # type: ignore[attr-defined]
        self.tz = tz
        self.assignees = assignees

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if all(data.get(k) for k in ("day", "start", "end")):
            if data["end"] <= data["start"]:
                raise forms.ValidationError({"end": forms.ValidationError(END_BEFORE_START_MSG, code="ends_before")})
            data["starts"] = wall_to_utc(data["day"], data["start"], self.tz, "start")
            data["ends"] = wall_to_utc(data["day"], data["end"], self.tz, "end")
        return data


class CompleteForm(forms.Form):
    progress = forms.IntegerField(required=False, min_value=0, max_value=99, label="Progress of the task (%)")
    task_finished = forms.BooleanField(required=False, label="The task is finished (100 %)")
    confirm_over = forms.BooleanField(required=False, label="Yes, record more minutes than booked")

    def __init__(self, *args: Any, people: list[User], booked: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = people
        for person in people:
            self.fields[f"minutes_{person.pk}"] = forms.IntegerField(
                label=f"Minutes worked by {person}", min_value=0, max_value=24 * 60, initial=booked
            )

    def minutes(self) -> dict[User, int]:
        return {p: self.cleaned_data[f"minutes_{p.pk}"] for p in self.people}


class ChecklistEditForm(forms.Form):
    """One change to a task's checklist: add a step, reword, remove or move one (the service checks the text)."""

    action = forms.ChoiceField(choices=[(a, a) for a in ("add", "rename", "remove", "up", "down")])
    item = forms.IntegerField(required=False, min_value=1)
    text = forms.CharField(required=False, strip=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action") not in (None, "add") and not data.get("item"):
            raise forms.ValidationError("Which step? Reload the page and try again.", code="no_item")
        return data
