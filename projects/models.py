"""Engagements: projects with a WBS of tasks, dependencies, a working calendar, baselines, time and close-out.

The schedule columns on Task (es ... finish_on) and Project (finish_on, min_total_float) are written only by
`planning.project_schedule_recalculate`, which runs the pure CPM engine in `projects.scheduling` inside the
same transaction as every edit. They are stored so that lists can sort and filter on them.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from accounts.daily_rollup import DailyRollup, one_row_per_organizer_day
from clients.models import Client

ZERO = Decimal("0")
# Sane bounds for what people type (docs/specs/defects.md, T5): ten years of working days is longer than any
# engagement, and keeps every computed date far inside what Python's date can hold.
MAX_DURATION_WD = 3650
MAX_LAG_WD = 3650
DATE_WINDOW_YEARS = 20  # constraint dates and deadlines lie within this many years of the project start


def minutes_to_hours(minutes: int | None) -> Decimal:
    """Logged minutes as hours, to the hundredth (90 -> 1.50)."""
    return (Decimal(minutes or 0) / 60).quantize(Decimal("0.01"))


class WorkCalendar(models.Model):
    """Working weekdays (0 = Monday) and holidays. One is the business default; projects may add blackouts."""

    DEFAULT_NAME = "Business calendar"
    DEFAULT_WORKDAYS = (0, 1, 2, 3, 4)  # Monday to Friday, until the owner or office changes it

    name = models.CharField(max_length=100)
    workdays = ArrayField(models.PositiveSmallIntegerField(), default=list, size=7)
    is_default = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="one_default_calendar"),
            models.CheckConstraint(condition=~Q(workdays=[]), name="calendar_has_a_working_day"),
        ]

    def __str__(self) -> str:
        return self.name


class Holiday(models.Model):
    calendar = models.ForeignKey(WorkCalendar, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField()
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="holiday_unique_per_calendar")]

    def __str__(self) -> str:
        return f"{self.date}: {self.name}"


class Project(models.Model):
    class Kind(models.TextChoices):
        MOVE = "move", "Home move"
        RELOCATION = "relocation", "Office relocation"
        GARAGE = "garage", "Garage reset"
        DECLUTTER = "declutter", "Declutter"
        STORAGE = "storage", "Storage systems"
        ESTATE = "estate", "Estate / downsizing"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        PLANNED = "planned", "Planned"
        ACTIVE = "active", "Active"
        ON_HOLD = "on_hold", "On hold"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    # Closed projects are no longer rescheduled; close-out completes only a project that is under way or planned.
    CLOSED_STATUSES = (Status.COMPLETED, Status.CANCELLED)
    CLOSABLE_STATUSES = (Status.ACTIVE, Status.PLANNED, Status.ON_HOLD)

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.MOVE)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROPOSED)
    start_on = models.DateField("start date")
    deadline_on = models.DateField("deadline", null=True, blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="led_projects", null=True, blank=True
    )
    calendar = models.ForeignKey(WorkCalendar, on_delete=models.PROTECT, related_name="projects")
    blackout_days = ArrayField(models.DateField(), default=list, blank=True, help_text="Days this project skips.")
    budget_hours = models.DecimalField(
        max_digits=8, decimal_places=2, default=ZERO, validators=[MinValueValidator(ZERO)]
    )
    budget_amount = models.DecimalField(
        max_digits=10, decimal_places=2, default=ZERO, validators=[MinValueValidator(ZERO)]
    )
    scope_notes = models.TextField(blank=True, max_length=10_000)
    is_template = models.BooleanField(default=False)
    # Written by the scheduler.
    finish_on = models.DateField(null=True, blank=True)
    min_total_float = models.IntegerField(default=0)
    baseline_finish_on = models.DateField(null=True, blank=True)  # finish of the latest baseline
    # The status run (docs/specs/one-schedule.md §1): finish_on above is the forecast as of `schedule_as_of`.
    status_date_override = models.DateField(
        "status date", null=True, blank=True,
        help_text="Leave empty to plan as of today. Never before a recorded actual start or finish.",
    )  # fmt: skip
    schedule_as_of = models.DateField(null=True, blank=True)
    is_late = models.BooleanField(default=False)  # forecast finish after the deadline
    late_by = models.IntegerField(default=0)  # working days past the deadline
    # Maintenance visits started at close-out (docs/specs/one-schedule.md §5); a string reference, so that
    # projects imports nothing from operations' models.
    followup_series = models.ForeignKey(
        "operations.RecurringSeries", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Close-out.
    completed_at = models.DateTimeField(null=True, blank=True)
    csat = models.PositiveSmallIntegerField(
        "client satisfaction (1-5)", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    nps = models.PositiveSmallIntegerField(
        "likely to recommend (0-10)", null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    closeout_comment = models.TextField(blank=True, max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(is_template=True) | Q(client__isnull=False), name="project_has_client"),
            models.CheckConstraint(
                condition=Q(deadline_on__isnull=True) | Q(deadline_on__gte=F("start_on")), name="deadline_after_start"
            ),
            models.CheckConstraint(condition=Q(csat__isnull=True) | Q(csat__gte=1, csat__lte=5), name="csat_1_to_5"),
            models.CheckConstraint(condition=Q(nps__isnull=True) | Q(nps__lte=10), name="nps_0_to_10"),
        ]
        indexes = [models.Index(fields=["status"]), models.Index(fields=["is_template"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("projects:project_detail", kwargs={"pk": self.pk})

    @property
    def is_completed(self) -> bool:
        return self.status == self.Status.COMPLETED

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED_STATUSES

    @property
    def can_close_out(self) -> bool:
        return self.status in self.CLOSABLE_STATUSES


class Task(models.Model):
    class Status(models.TextChoices):
        TODO = "todo", "To do"
        DOING = "doing", "Doing"
        BLOCKED = "blocked", "Blocked"
        DONE = "done", "Done"

    class ConstraintKind(models.TextChoices):
        ASAP = "", "As soon as possible"
        SNET = "SNET", "Start no earlier than"
        FNET = "FNET", "Finish no earlier than"
        SNLT = "SNLT", "Start no later than"
        FNLT = "FNLT", "Finish no later than"
        MSO = "MSO", "Must start on"
        MFO = "MFO", "Must finish on"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tasks")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, related_name="children", null=True, blank=True)
    position = models.PositiveIntegerField(default=0, help_text="Order among siblings.")
    wbs_code = models.CharField(max_length=40, blank=True)
    name = models.CharField(max_length=200)
    duration_wd = models.PositiveIntegerField(
        "duration (working days)", default=1, validators=[MaxValueValidator(MAX_DURATION_WD)]
    )
    constraint_kind = models.CharField(max_length=4, choices=ConstraintKind.choices, blank=True, default="")
    constraint_on = models.DateField("constraint date", null=True, blank=True)
    assignees = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="project_tasks", blank=True)
    estimate_hours = models.DecimalField(
        max_digits=7, decimal_places=2, default=ZERO, validators=[MinValueValidator(ZERO)]
    )
    progress_pct = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.TODO)
    notes = models.TextField(blank=True, max_length=4000)
    # Work at the client's site is booked as sessions; off-site tasks ("order supplies") never are.
    on_site = models.BooleanField(default=True, db_default=True)
    actual_start = models.DateField(null=True, blank=True)
    actual_finish = models.DateField(null=True, blank=True)
    # Written by the scheduler.
    is_summary = models.BooleanField(default=False)
    es = models.IntegerField(default=0)
    ef = models.IntegerField(default=0)
    ls = models.IntegerField(default=0)
    lf = models.IntegerField(default=0)
    total_float = models.IntegerField(null=True, default=0)  # None for done tasks and all-done phases
    free_float = models.IntegerField(null=True, blank=True)
    is_critical = models.BooleanField(default=False)
    start_on = models.DateField(null=True, blank=True)
    finish_on = models.DateField(null=True, blank=True)
    late_start_on = models.DateField(null=True, blank=True)
    late_finish_on = models.DateField(null=True, blank=True)
    driving_link = models.ForeignKey(
        "Dependency", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="The incoming link that sets the early start (None: the project start or a constraint).",
    )  # fmt: skip
    # The as-planned run (entered durations, no actuals) and the status flags measured against it.
    plan_es = models.IntegerField(null=True, blank=True)
    plan_ef = models.IntegerField(null=True, blank=True)
    is_behind = models.BooleanField(default=False)
    is_start_overdue = models.BooleanField(default=False)
    is_out_of_sequence = models.BooleanField(default=False)

    class Meta:
        ordering = ["project", "wbs_code", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(progress_pct__lte=100), name="task_progress_0_100"),
            models.CheckConstraint(
                condition=Q(constraint_kind="", constraint_on__isnull=True)
                | (~Q(constraint_kind="") & Q(constraint_on__isnull=False)),
                name="task_constraint_kind_and_date_together",
            ),
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="task_not_own_parent"),
        ]
        indexes = [models.Index(fields=["project", "is_critical"]), models.Index(fields=["project", "status"])]

    def __str__(self) -> str:
        return f"{self.wbs_code} {self.name}".strip()

    @property
    def is_milestone(self) -> bool:
        return not self.is_summary and self.duration_wd == 0

    @property
    def is_done(self) -> bool:
        return self.progress_pct >= 100 or self.status == self.Status.DONE

    @property
    def estimate_minutes(self) -> int:
        return int(self.estimate_hours * 60)

    @property
    def is_started(self) -> bool:
        return not self.is_done and self.progress_pct > 0

    @property
    def status_flags(self) -> list[str]:
        """The status run's flags in words, for tables and tooltips (never colour alone)."""
        flags = []
        if self.is_behind:
            flags.append("behind")
        if self.is_start_overdue:
            flags.append("start overdue")
        if self.is_out_of_sequence:
            flags.append("out of sequence")
        if self.total_float is not None and self.total_float < 0 and not self.is_done:
            flags.append(f"negative float ({self.total_float} d)")
        return flags

    @property
    def span_wd(self) -> int:
        """Working days the scheduled task spans (EF - ES): a phase's rolled-up duration, as the Gantt shows."""
        return self.ef - self.es


class Dependency(models.Model):
    class Kind(models.TextChoices):
        FS = "FS", "Finish to start"
        SS = "SS", "Start to start"
        FF = "FF", "Finish to finish"
        SF = "SF", "Start to finish"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="dependencies")
    pred = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="outgoing")
    succ = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="incoming")
    kind = models.CharField(max_length=2, choices=Kind.choices, default=Kind.FS)
    lag_wd = models.IntegerField(
        "lag (working days, negative = lead)", default=0,
        validators=[MinValueValidator(-MAX_LAG_WD), MaxValueValidator(MAX_LAG_WD)],
    )  # fmt: skip
    is_critical = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pred", "succ"], name="dependency_unique_pair"),
            models.CheckConstraint(condition=~Q(pred=F("succ")), name="dependency_not_self"),
        ]

    def __str__(self) -> str:
        lag = f" {self.lag_wd:+d}" if self.lag_wd else ""
        return f"{self.pred.name} → {self.succ.name} {self.kind}{lag}"


# dhtmlx-gantt numbers the link types; the chart's JSON and its edits use these codes.
GANTT_LINK_TYPE_CODES: dict[str, str] = {
    Dependency.Kind.FS: "0",
    Dependency.Kind.SS: "1",
    Dependency.Kind.FF: "2",
    Dependency.Kind.SF: "3",
}


class Baseline(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="baselines")
    name = models.CharField(max_length=100)
    finish_on = models.DateField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name


class BaselineTask(models.Model):
    baseline = models.ForeignKey(Baseline, on_delete=models.CASCADE, related_name="tasks")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="baseline_rows")
    start_on = models.DateField(null=True)
    finish_on = models.DateField(null=True)
    duration_wd = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["baseline", "task"], name="baseline_task_unique")]

    def __str__(self) -> str:
        return f"{self.baseline}: {self.task}"


class WorkSession(models.Model):
    """A visit of category project_session booked for a leaf task (docs/specs/one-schedule.md §2)."""

    class WindowFlag(models.TextChoices):
        IN_WINDOW = "in_window", "In the task's window"
        BEFORE_WINDOW = "before_window", "Before the task's window"
        AFTER_WINDOW = "after_window", "After the task's window"
        AWAITING_COMPLETION = "awaiting_completion", "Past, not completed"

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="sessions")
    appointment = models.OneToOneField("operations.Appointment", on_delete=models.PROTECT, related_name="work_session")
    window_flag = models.CharField(
        max_length=20, choices=WindowFlag.choices, default=WindowFlag.IN_WINDOW, db_default=WindowFlag.IN_WINDOW
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["task", "window_flag"])]

    def __str__(self) -> str:
        return f"Session of {self.task} ({self.window_flag})"


class TaskChecklistItem(models.Model):
    """A step of a task, shared by all its sessions; ticking records who and when."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="checklist_items")
    text = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["task", "position", "pk"]

    def __str__(self) -> str:
        return self.text


class TimeEntry(models.Model):
    class Source(models.TextChoices):
        SESSION = "session", "Work session"
        MANUAL = "manual", "Entered by hand"

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="time_entries")
    organizer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="time_entries")
    worked_on = models.DateField()
    minutes = models.PositiveIntegerField(validators=[MinValueValidator(1), MaxValueValidator(24 * 60)])
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.MANUAL, db_default=Source.MANUAL)
    session = models.ForeignKey(WorkSession, on_delete=models.PROTECT, null=True, blank=True, related_name="entries")

    class Meta:
        ordering = ["-worked_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gte=1, minutes__lte=1440), name="time_entry_minutes_in_a_day"),
            # A replayed completion cannot write an organizer's session time twice.
            models.UniqueConstraint(
                fields=["session", "organizer"], condition=Q(session__isnull=False), name="time_entry_once_per_session"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organizer} {self.minutes} min on {self.task}"

    @property
    def hours(self) -> Decimal:
        return minutes_to_hours(self.minutes)


class SurveyDaily(DailyRollup):
    """Close-out survey answers per project lead and local day of completion (docs/specs/kpis.md §3); a NULL
    organizer is the whole business. Counts only, so periods are sums. Written only by projects.rollups."""

    csat_answers = models.IntegerField(default=0)
    csat_positive = models.IntegerField(default=0)
    promoters = models.IntegerField(default=0)
    passives = models.IntegerField(default=0)
    detractors = models.IntegerField(default=0)

    class Meta:
        constraints = [one_row_per_organizer_day("survey_daily_one_per_organizer_day")]
        indexes = [models.Index(fields=["is_month", "local_date"])]

    def __str__(self) -> str:
        return f"survey {self.organizer_id or 'business'} {self.local_date}"
