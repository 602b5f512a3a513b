"""Writes operations owns for project work sessions (docs/specs/one-schedule.md §2).

A session is an ordinary Appointment of category "project_session": it is booked, moved and cancelled by the
services in operations.services.visits. Projects call these two helpers for what only sessions need: the label
and link the calendar shows, and completion with the minutes each organizer worked (the KPI source).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from operations.models import Appointment, AppointmentType, OrganizerBlock
from operations.services import visits

WORKED_MINUTES_MSG = "Worked minutes must be given for every organizer of the visit, as whole minutes from 0."
SESSION_TYPE_NAME = "Project work session"


def session_appointment_type() -> AppointmentType:
    """The visit type sessions are booked with (created on first use), with no rate of its own: a completed
    session's time is priced by billing's usual rate order like any finished visit."""
    kind, _ = AppointmentType.objects.get_or_create(
        name=SESSION_TYPE_NAME,
        defaults={
            "default_duration_min": settings.SESSION_DEFAULT_MINUTES,
            "default_travel_min": settings.SESSION_TRAVEL_MINUTES,
        },
    )  # fmt: skip
    return kind


def appointment_label_set(*, appointment: Appointment, title: str, link_url: str) -> Appointment:
    """The caller's words and link for a session (set once its page exists, i.e. after booking)."""
    appointment.title, appointment.link_url = title[:300], link_url[:300]
    appointment.save(update_fields=["title", "link_url", "updated_at"])
    return appointment


@transaction.atomic
def appointment_complete_worked(
    *, appointment: Appointment, worked_minutes: Mapping[int, int], actor: User | None = None,
    now: datetime | None = None,
) -> tuple[Appointment, bool]:  # fmt: skip
    """Complete the visit and record each organizer's worked minutes on their busy block.

    Idempotent: a visit already completed is returned unchanged with `False` (a double tap or a replayed request
    writes nothing twice). Returns (appointment, whether this call completed it).
    """
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.status == Appointment.Status.COMPLETED:
        return appointment, False
    blocks = list(OrganizerBlock.objects.filter(appointment=appointment).order_by("organizer_id"))
    if {b.organizer_id for b in blocks} != set(worked_minutes) or any(m < 0 for m in worked_minutes.values()):
        raise ValidationError(WORKED_MINUTES_MSG, code="worked_minutes")
    appointment = visits.appointment_progress(appointment=appointment, action="complete", actor=actor, now=now)
    for block in blocks:
        block.worked_minutes = worked_minutes[block.organizer_id]
    OrganizerBlock.objects.bulk_update(blocks, fields=["worked_minutes"])
    return appointment, True
