"""Input shape for project pages; rules that need the database live in projects.services."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms

from accounts.models import User
from clients.models import Client, Site
from operations import recurrence
from operations.selectors import visits as visit_selectors
from projects.dates import business_today
from projects.models import GANTT_LINK_TYPE_CODES, MAX_DURATION_WD, Dependency, Project, Task

BLACKOUT_FORMAT_MSG = "List dates as YYYY-MM-DD, separated by commas or new lines."
CONSTRAINT_NEEDS_DATE_MSG = "Choose the date of the constraint."
DATE_NEEDS_CONSTRAINT_MSG = "Choose a constraint type for this date, or clear the date."
DEADLINE_BEFORE_START_MSG = "The deadline cannot be before the start date."
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def parse_dates(text: str) -> list[date]:
    values = [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]
    try:
        return sorted({date.fromisoformat(v) for v in values})
    except ValueError as exc:
        raise forms.ValidationError(BLACKOUT_FORMAT_MSG, code="bad_date") from exc


class ProjectForm(forms.ModelForm):  # type: ignore[type-arg]
    blackout_days = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="Extra non-working days for this project."
    )

    class Meta:
        model = Project
        fields = [
            "client", "name", "kind", "status", "start_on", "deadline_on", "lead", "budget_hours", "budget_amount",
            "scope_notes", "status_date_override",
        ]  # fmt: skip
        widgets = {
            "start_on": DATE_INPUT, "deadline_on": DATE_INPUT, "scope_notes": forms.Textarea(attrs={"rows": 3}),
            "status_date_override": DATE_INPUT,
        }  # fmt: skip

    def __init__(self, *args: Any, show_money: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["client"]).queryset = Client.objects.all()  # archived are hidden
        self.fields["client"].required = True
        cast(forms.ModelChoiceField, self.fields["lead"]).queryset = User.objects.filter(
            role=User.Role.ORGANIZER, is_active=True
        )
        if self.instance.pk and not self.is_bound:
            self.initial["blackout_days"] = ", ".join(d.isoformat() for d in self.instance.blackout_days)
        if not show_money:
            del self.fields["budget_amount"]  # money is the owner's alone

    def clean_blackout_days(self) -> list[date]:
        return parse_dates(self.cleaned_data["blackout_days"])

    def clean(self) -> dict[str, Any]:
        super().clean()
        start, deadline = self.cleaned_data.get("start_on"), self.cleaned_data.get("deadline_on")
        if start and deadline and deadline < start:
            self.add_error("deadline_on", DEADLINE_BEFORE_START_MSG)
        return self.cleaned_data


class TaskForm(forms.ModelForm):  # type: ignore[type-arg]
    assignees = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Task
        fields = [
            "name", "parent", "duration_wd", "constraint_kind", "constraint_on", "estimate_hours", "progress_pct",
            "status", "notes", "actual_start", "actual_finish",
        ]  # fmt: skip
        widgets = {
            "constraint_on": DATE_INPUT, "notes": forms.Textarea(attrs={"rows": 2}),
            "actual_start": DATE_INPUT, "actual_finish": DATE_INPUT,
        }  # fmt: skip

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parents = Task.objects.filter(project=project, duration_wd__gte=0)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        parent_field = cast(forms.ModelChoiceField, self.fields["parent"])
        parent_field.queryset = parents.order_by("wbs_code")
        parent_field.label = "Phase"
        parent_field.empty_label = "(top level)"
        cast(forms.ModelMultipleChoiceField, self.fields["assignees"]).queryset = User.objects.filter(
            role=User.Role.ORGANIZER, is_active=True
        )
        if self.instance.pk and not self.is_bound:
            self.initial["assignees"] = list(self.instance.assignees.all())

    def clean(self) -> dict[str, Any]:
        super().clean()
        kind, on = self.cleaned_data.get("constraint_kind"), self.cleaned_data.get("constraint_on")
        if kind and on is None and "constraint_on" not in self.errors:
            self.add_error("constraint_on", CONSTRAINT_NEEDS_DATE_MSG)
        if on is not None and not kind and "constraint_kind" not in self.errors:
            self.add_error("constraint_kind", DATE_NEEDS_CONSTRAINT_MSG)
        return self.cleaned_data


class DependencyForm(forms.Form):
    pred = forms.ModelChoiceField(queryset=Task.objects.none(), label="Predecessor")
    kind = forms.ChoiceField(choices=Dependency.Kind.choices, initial=Dependency.Kind.FS)
    lag_wd = forms.IntegerField(initial=0, min_value=-365, max_value=365, label="Lag (working days; negative = lead)")

    def __init__(self, *args: Any, task: Task, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["pred"]).queryset = (
            Task.objects.filter(project_id=task.project_id).exclude(pk=task.pk).order_by("wbs_code")
        )


class GanttTaskForm(forms.Form):
    """A drag in the Gantt: a new start (move) and/or duration (resize) and/or progress."""

    start_on = forms.DateField(required=False)
    duration_wd = forms.IntegerField(required=False, min_value=0, max_value=MAX_DURATION_WD)
    progress_pct = forms.IntegerField(required=False, min_value=0, max_value=100)


class GanttLinkForm(forms.Form):
    source = forms.IntegerField()
    target = forms.IntegerField()
    type = forms.ChoiceField(choices=[(code, kind) for kind, code in GANTT_LINK_TYPE_CODES.items()])
    lag = forms.IntegerField(required=False, min_value=-365, max_value=365)

    def clean_type(self) -> str:
        """The chart's type code as the link kind ("0" -> "FS")."""
        kinds = {code: kind for kind, code in GANTT_LINK_TYPE_CODES.items()}
        return str(kinds[self.cleaned_data["type"]])


class KanbanMoveForm(forms.Form):
    status = forms.ChoiceField(choices=Task.Status.choices)


class BaselineForm(forms.Form):
    name = forms.CharField(max_length=100, initial="Plan as agreed")


class TimeEntryForm(forms.Form):
    task = forms.ModelChoiceField(queryset=Task.objects.none())
    organizer = forms.ModelChoiceField(queryset=User.objects.none())
    worked_on = forms.DateField(widget=DATE_INPUT)
    hours = forms.DecimalField(min_value=0.25, max_value=24, decimal_places=2, help_text="e.g. 1.5 for 1 h 30")
    note = forms.CharField(max_length=300, required=False)

    def __init__(self, *args: Any, tasks: Any, organizers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["task"]).queryset = tasks
        cast(forms.ModelChoiceField, self.fields["organizer"]).queryset = organizers
        # The browser's date picker offers no future day; the service refuses one anyway.
        self.fields["worked_on"].widget.attrs["max"] = business_today().isoformat()


NOT_ASKED = "not_asked"


def _score_or_none(value: str) -> int | None:
    return None if value == NOT_ASKED else int(value)


def _score_field(label: str, scores: range, help_text: str) -> forms.TypedChoiceField:
    """A required choice with no preselected score: a real answer, or explicitly "not asked"."""
    choices = [("", "Choose…"), *((str(i), str(i)) for i in scores), (NOT_ASKED, "Not asked")]
    return forms.TypedChoiceField(
        label=label, choices=choices, coerce=_score_or_none, empty_value="", help_text=help_text,
        error_messages={"required": "Choose a score, or “Not asked” if the client was not asked."},
    )  # fmt: skip


class CloseOutForm(forms.Form):
    """Close-out: no score is preselected (docs/specs/defects.md T8); with unfinished tasks, a confirmation; and
    an optional *Start maintenance* part that starts the client's repeating visits (docs/specs/one-schedule.md §5).
    """

    REPEAT = [
        ("weekly", "Every N weeks on a weekday"),
        ("monthly_date", "Monthly on a day of the month"),
        ("monthly_last", "Monthly on the last day"),
        ("monthly_nth", "Monthly on the nth weekday (2nd Tuesday, last Friday)"),
        ("quarterly", "Every 3 months on a day of the month"),
    ]
    ENDS = [("never", "Never"), ("on_date", "On a date"), ("after_count", "After a number of visits")]
    NTH = [(1, "first"), (2, "second"), (3, "third"), (4, "fourth"), (-1, "last")]

    csat = _score_field("Client satisfaction", range(1, 6), "1 = very unhappy, 5 = delighted")
    nps = _score_field("How likely to recommend us (0-10)", range(11), "0 = not at all, 10 = extremely likely")
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000)
    confirm_open_tasks = forms.BooleanField(required=False)
    # Start maintenance (all optional unless the box is ticked).
    maintenance = forms.BooleanField(required=False, label="Start maintenance visits for this client")
    appointment_type = forms.ModelChoiceField(queryset=visit_selectors.appointment_types(), required=False,
                                              label="Visit type")  # fmt: skip
    site = forms.ModelChoiceField(queryset=Site.objects.none(), required=False, help_text="Times are in its zone.")
    repeat = forms.ChoiceField(choices=REPEAT, initial="monthly_nth", required=False)
    interval = forms.IntegerField(min_value=1, max_value=52, initial=2, required=False, label="Every … weeks")
    weekday = forms.TypedChoiceField(
        choices=[(d.value, d.name.title()) for d in recurrence.Weekday], coerce=int, required=False, initial=1
    )
    nth = forms.TypedChoiceField(choices=NTH, coerce=int, required=False, initial=2, label="Which one in the month")
    month_day = forms.IntegerField(min_value=1, max_value=31, required=False, label="Day of the month")
    first_day = forms.DateField(
        widget=DATE_INPUT, required=False, label="First visit",
        help_text="Leave empty for the rule's first day after the project's actual finish.",
    )  # fmt: skip
    start_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), required=False,
                                 initial="10:00", label="Local time")  # fmt: skip
    organizers = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    ends = forms.ChoiceField(choices=ENDS, initial="never", required=False)
    end_on = forms.DateField(widget=DATE_INPUT, required=False, label="Last date")
    count = forms.IntegerField(min_value=1, max_value=200, required=False, label="Number of visits")

    MAINTENANCE_FIELDS = (
        "appointment_type", "site", "repeat", "interval", "weekday", "nth", "month_day", "first_day", "start_time",
        "organizers", "ends", "end_on", "count",
    )  # fmt: skip

    def __init__(self, *args: Any, open_tasks: int = 0, project: Project | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if open_tasks:
            noun = "task is" if open_tasks == 1 else "tasks are"
            self.fields["confirm_open_tasks"].label = f"Complete anyway: {open_tasks} {noun} not done yet"
        else:
            del self.fields["confirm_open_tasks"]
        client_id = project.client_id if project is not None else None
        sites = Site.objects.filter(client_id=client_id) if client_id is not None else Site.objects.none()
        cast(forms.ModelChoiceField, self.fields["site"]).queryset = sites
        self.fields["site"].initial = sites.first()
        cast(forms.ModelMultipleChoiceField, self.fields["organizers"]).queryset = User.objects.filter(
            role=User.Role.ORGANIZER, is_active=True
        )
        if project is not None and project.lead_id:
            self.fields["organizers"].initial = [project.lead_id]

    def clean(self) -> dict[str, Any]:
        super().clean()
        d = self.cleaned_data
        if not d.get("maintenance"):
            return d
        for name in ("appointment_type", "site", "repeat", "start_time", "organizers"):
            if not d.get(name) and name not in self.errors:
                self.add_error(name, "Required to start maintenance visits.")
        if d.get("repeat") and d.get("site") and not self.errors:
            try:
                d["rule"] = self._rule(d["site"].time_zone)
            except recurrence.RecurrenceError as exc:
                field = getattr(exc, "field", None)
                self.add_error(field if field in self.fields else "repeat", str(exc))
        return d

    def _rule(self, tz: str) -> recurrence.RecurrenceRule:
        d = self.cleaned_data
        repeat = d["repeat"]
        if repeat in ("monthly_date", "quarterly") and not d.get("month_day"):
            raise recurrence.InvalidRuleError("Choose the day of the month.", field="month_day")
        if repeat in ("weekly", "monthly_nth") and d.get("weekday") in (None, ""):
            raise recurrence.InvalidRuleError("Choose the weekday.", field="weekday")
        pattern = {"weekly": recurrence.RulePattern.WEEKLY, "monthly_nth": recurrence.RulePattern.MONTHLY_BY_WEEKDAY}
        return recurrence.build_rule(
            pattern=pattern.get(repeat, recurrence.RulePattern.MONTHLY_BY_DATE), tz=tz,
            interval={"weekly": d.get("interval") or 1, "quarterly": 3}.get(repeat, 1),
            weekdays=[d["weekday"]] if repeat == "weekly" else (),
            month_day=-1 if repeat == "monthly_last" else d.get("month_day"),
            nth=d.get("nth") or 1 if repeat == "monthly_nth" else None,
            weekday=d.get("weekday") if repeat == "monthly_nth" else None,
            ends=d.get("ends") or "never", end_on=d.get("end_on"), count=d.get("count"),
        )  # fmt: skip


class FromTemplateForm(forms.Form):
    template = forms.ModelChoiceField(queryset=Project.objects.filter(is_template=True).order_by("name"))
    client = forms.ModelChoiceField(queryset=Client.objects.all())
    name = forms.CharField(max_length=200)
    start_on = forms.DateField(widget=DATE_INPUT, label="Start date")
    lead = forms.ModelChoiceField(
        queryset=User.objects.filter(role=User.Role.ORGANIZER, is_active=True), required=False
    )


class SaveTemplateForm(forms.Form):
    name = forms.CharField(max_length=200)


class CalendarForm(forms.Form):
    workdays = forms.TypedMultipleChoiceField(
        choices=list(enumerate(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])), coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    holidays = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One per line: YYYY-MM-DD name, e.g. 2026-12-25 Christmas",
    )  # fmt: skip

    def clean_holidays(self) -> list[tuple[date, str]]:
        result = []
        for number, line in enumerate(self.cleaned_data["holidays"].splitlines(), 1):
            if not line.strip():
                continue
            day, _, name = line.strip().partition(" ")
            try:
                result.append((date.fromisoformat(day), name.strip()[:100] or "Holiday"))
            except ValueError as exc:
                raise forms.ValidationError(
                    f"Line {number}: start with a date as YYYY-MM-DD.", code="bad_holiday"
                ) from exc
        days = [d for d, _ in result]
        if len(days) != len(set(days)):
            raise forms.ValidationError("A date is listed twice.", code="duplicate_holiday")
        return result
