"""Visits: appointment types, recurring series, appointments, organizer busy blocks, time off, reminders.

Double booking is impossible at the database level: every appointment and every approved time off writes one
OrganizerBlock per organizer, and an exclusion constraint forbids two active blocks of one organizer whose
[starts, blocked_until) ranges overlap (docs/specs/booking.md). The booking service locks the organizer rows first,
so races end in a clean "slot just taken" instead of a database error.
"""

from __future__ import annotations

import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateTimeRangeField, RangeBoundary, RangeOperators
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Func, Q
from django.urls import reverse

from clients.models import Client, Site


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class AppointmentType(models.Model):
    name = models.CharField(max_length=100, unique=True)
    default_duration_min = models.PositiveIntegerField(
        "default duration (minutes)", default=120, validators=[MinValueValidator(15), MaxValueValidator(12 * 60)]
    )
    default_travel_min = models.PositiveIntegerField(
        "travel buffer after (minutes)", default=30, validators=[MaxValueValidator(240)]
    )
    checklist = models.TextField(blank=True, help_text="One item per line; copied onto each visit.")
    billable_rate = models.DecimalField(
        max_digits=8, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def checklist_items(self) -> list[str]:
        return [line.strip() for line in self.checklist.splitlines() if line.strip()]


class RecurringSeries(models.Model):
    """A recurring visit: local wall time + IANA zone of the site + an RFC 5545 rule (docs/specs/recurrence.md)."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.PROTECT, related_name="series")
    organizers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="series")
    tz = models.CharField(max_length=64)
    local_start = models.CharField(max_length=19, help_text="Wall time of the first visit, YYYY-MM-DDTHH:MM:SS.")
    duration_min = models.PositiveIntegerField()
    travel_min = models.PositiveIntegerField(default=0)
    rrule = models.CharField(max_length=300)
    exdates = ArrayField(models.CharField(max_length=19), default=list, blank=True)  # local wall times
    parent_series = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    sequence = models.PositiveIntegerField(default=0)
    notes = models.TextField(blank=True, max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.appointment_type} for {self.client} ({self.rrule})"


class Appointment(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CONFIRMED = "confirmed", "Confirmed"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"
        LATE_CANCELLED = "late_cancelled", "Cancelled late by client"
        NO_SHOW = "no_show", "No-show"
        NEEDS_REDO = "needs_redo", "Needs redo"

    class Category(models.TextChoices):
        VISIT = "visit", "Visit"
        PROJECT_SESSION = "project_session", "Project work session"

    # Named once: a visit that has not happened yet may be moved, cancelled and reminded of.
    UPCOMING_STATUSES = (Status.SCHEDULED, Status.CONFIRMED)
    CANCELLED_STATUSES = (Status.CANCELLED, Status.LATE_CANCELLED)

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    series = models.ForeignKey(RecurringSeries, on_delete=models.PROTECT, null=True, blank=True, related_name="visits")
    original_start = models.DateTimeField(null=True, blank=True, help_text="RECURRENCE-ID; never changes.")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.PROTECT, related_name="appointments")
    organizers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="appointments")
    starts = models.DateTimeField()
    ends = models.DateTimeField()
    blocked_until = models.DateTimeField(help_text="ends + travel buffer")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    is_exception = models.BooleanField(default=False)
    sequence = models.PositiveIntegerField(default=0)
    notes = models.TextField(blank=True, max_length=4000)
    checklist = models.JSONField(default=list, blank=True)  # [{"text": ..., "done": bool}]
    checklist_left_open = models.JSONField(
        default=list, blank=True, help_text="Checklist items still unticked when the visit was completed."
    )
    actual_start = models.DateTimeField(null=True, blank=True)
    actual_end = models.DateTimeField(null=True, blank=True)
    outcome_notes = models.TextField(blank=True, max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A project work session is booked like a visit (docs/specs/one-schedule.md §2). Title and link are plain
    # strings set by the caller, so calendars can label and link a session without operations knowing projects.
    category = models.CharField(
        max_length=16, choices=Category.choices, default=Category.VISIT, db_default=Category.VISIT
    )
    title = models.CharField(max_length=300, blank=True, default="", db_default="")
    link_url = models.CharField(max_length=300, blank=True, default="", db_default="")

    class Meta:
        ordering = ["starts", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["series", "original_start"], name="appointment_unique_occurrence"),
            models.CheckConstraint(condition=Q(ends__gt=F("starts")), name="appointment_ends_after_start"),
            models.CheckConstraint(condition=Q(blocked_until__gte=F("ends")), name="appointment_buffer_after_end"),
            models.CheckConstraint(
                condition=Q(actual_start__isnull=True)
                | Q(actual_end__isnull=True)
                | Q(actual_end__gte=F("actual_start")),
                name="appointment_actual_end_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["starts"]),
            models.Index(fields=["status", "starts"]),
            models.Index(fields=["updated_at"], name="appointment_updated"),  # billing's incremental charges sync
            # Windows ask "starts < end AND ends > start": with years of visits behind them, the recent ones are
            # found through `ends` (calendar week, My day; docs/PERFORMANCE.md).
            models.Index(fields=["ends"], name="appointment_ends_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.appointment_type} at {self.client} {self.starts:%Y-%m-%d %H:%M}Z"

    def get_absolute_url(self) -> str:
        return reverse("operations:appointment_detail", kwargs={"pk": self.pk})

    @property
    def is_session(self) -> bool:
        return self.category == self.Category.PROJECT_SESSION

    @property
    def is_cancelled(self) -> bool:
        return self.status in self.CANCELLED_STATUSES

    @property
    def is_upcoming(self) -> bool:
        """Scheduled or confirmed: not started, not finished, not cancelled."""
        return self.status in self.UPCOMING_STATUSES


class TimeOff(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        CANCELLED = "cancelled", "Cancelled"

    organizer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="time_off")
    starts = models.DateTimeField()
    ends = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REQUESTED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts"]
        constraints = [models.CheckConstraint(condition=Q(ends__gt=F("starts")), name="time_off_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.organizer} off {self.starts:%Y-%m-%d}"


class OrganizerBlock(models.Model):
    """Busy time of one organizer: a visit (with its travel buffer) or approved time off."""

    class Kind(models.TextChoices):
        APPOINTMENT = "appointment", "Visit"
        TIME_OFF = "time_off", "Time off"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        CANCELLED = "cancelled", "Cancelled"

    organizer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="blocks")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, null=True, blank=True, related_name="blocks")
    time_off = models.ForeignKey(TimeOff, on_delete=models.CASCADE, null=True, blank=True, related_name="blocks")
    starts = models.DateTimeField()
    ends = models.DateTimeField()
    blocked_until = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    # Minutes this organizer worked, set when the visit or session is completed with minutes (the KPI source).
    worked_minutes = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            ExclusionConstraint(
                name="organizer_block_no_overlap",
                expressions=[
                    (TsTzRange("starts", "blocked_until", RangeBoundary()), RangeOperators.OVERLAPS),
                    ("organizer", RangeOperators.EQUAL),
                ],
                condition=Q(status="active"),
                violation_error_code="double_booked",
                violation_error_message="This organizer is already busy at that time.",
            ),
            models.CheckConstraint(
                condition=Q(ends__gt=F("starts")) & Q(blocked_until__gte=F("ends")), name="block_range_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind="appointment", appointment__isnull=False, time_off__isnull=True)
                | Q(kind="time_off", time_off__isnull=False, appointment__isnull=True),
                name="block_has_one_source",
            ),
        ]
        indexes = [models.Index(fields=["organizer", "starts"])]

    def __str__(self) -> str:
        return f"{self.organizer} busy {self.starts:%Y-%m-%d %H:%M}Z-{self.blocked_until:%H:%M}Z"


class Reminder(models.Model):
    """Outbox row: written in the booking's transaction, claimed and sent by the beat-driven dispatcher."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"
        EXPIRED = "expired", "Expired"

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "Text message"

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=32)  # e.g. "client_48h", "organizer_evening"
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    recipient = models.CharField(max_length=254)
    send_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_message_id = models.CharField(max_length=200, blank=True)
    idempotency_key = models.UUIDField(default=uuid.uuid4, editable=False)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["appointment", "kind"], name="reminder_unique_kind")]
        indexes = [models.Index(fields=["status", "send_at"])]

    def __str__(self) -> str:
        return f"{self.kind} for appointment {self.appointment_id} ({self.status})"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """The secret URL of an organizer's ICS feed. Regenerating the token revokes the old URL."""

    organizer = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Feed of {self.organizer}"
