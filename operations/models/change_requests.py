"""A client's request, from the portal, to move or cancel one visit (docs/specs/portal.md §4)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from operations.models.visits import Appointment


class VisitChangeRequest(models.Model):
    class Kind(models.TextChoices):
        RESCHEDULE = "reschedule", "Reschedule"
        CANCEL = "cancel", "Cancel"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the office"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="change_requests")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    # Site-local wall times the client would prefer, as "YYYY-MM-DDTHH:MM" strings (shown, never parsed back).
    preferred_windows = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True, max_length=2000)
    late = models.BooleanField(default=False, help_text="A cancellation inside the late-cancel window.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_message = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # A double-submitted request finds this row instead of writing a second one.
            models.UniqueConstraint(
                fields=["appointment"], condition=Q(status="pending"), name="change_request_one_pending_per_visit"
            ),
            models.CheckConstraint(condition=Q(kind__in=["reschedule", "cancel"]), name="change_request_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "accepted", "declined"]), name="change_request_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} request for visit {self.appointment_id} ({self.status})"
