"""Calendar events brought in by ICS import, remembered by UID so the same file never creates anything twice."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from operations.models.visits import Appointment, RecurringSeries


class ImportedEvent(models.Model):
    """One VEVENT (a series master, a one-off, or an override by RECURRENCE-ID) that an import created."""

    uid = models.CharField(max_length=255)
    recurrence_id = models.CharField(max_length=40, blank=True, help_text="Empty for a master or a one-off.")
    summary = models.CharField(max_length=255, blank=True)
    series = models.ForeignKey(RecurringSeries, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    appointment = models.ForeignKey(Appointment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["uid", "recurrence_id"], name="imported_event_unique_uid")]

    def __str__(self) -> str:
        return f"{self.uid} {self.recurrence_id}".strip()
