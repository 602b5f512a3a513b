"""Reminders as a transactional outbox (OPERATIONS.md §5.2).

`reminders_write` runs inside the booking's transaction: it creates, moves or cancels the visit's reminder rows,
so a rolled-back booking leaves none and no broker call happens in the request. The beat task
`dispatch_due_reminders` claims due rows with FOR UPDATE SKIP LOCKED and a lease, sends each outside the claim
transaction, and marks it sent only if it is still "sending". A crash after the provider accepted a message and
before the mark re-sends after the lease: delivery is at least once, and exactly once in effect where the
provider honours our idempotency key (sent as the Idempotency-Key / X-Idempotency-Key header).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.module_loading import import_string

from operations.models import Appointment, Reminder

logger = logging.getLogger("organizer_pm.reminders")

SENDABLE_STATUSES = {"scheduled", "confirmed"}


def _lease() -> timedelta:
    return timedelta(minutes=settings.REMINDER_LEASE_MINUTES)


def _wanted(appointment: Appointment) -> dict[str, tuple[str, str, datetime]]:
    """kind -> (channel, recipient, send_at) for every reminder this visit should have."""
    wanted: dict[str, tuple[str, str, datetime]] = {}
    contact = appointment.client.contacts.filter(is_primary=True).first()
    if contact is not None:
        if contact.preferred_channel == "sms" and contact.phone:
            channel, recipient = Reminder.Channel.SMS, contact.phone
        else:
            channel, recipient = Reminder.Channel.EMAIL, contact.email
        if recipient:
            for hours in settings.REMINDER_CLIENT_OFFSETS_HOURS:
                wanted[f"{hours}h"] = (channel, recipient, appointment.starts - timedelta(hours=hours))
    for organizer in appointment.organizers.all().select_related("organizer_profile"):
        profile = getattr(organizer, "organizer_profile", None)
        zone = ZoneInfo(profile.time_zone if profile else appointment.site.time_zone)
        local_day = appointment.starts.astimezone(zone).date() - timedelta(days=1)
        evening = datetime(
            local_day.year, local_day.month, local_day.day, settings.REMINDER_ORGANIZER_HOUR, tzinfo=zone
        )
        wanted[f"organizer_evening_{organizer.pk}"] = (Reminder.Channel.EMAIL, organizer.email, evening)
    return wanted


def reminders_write(*, appointment: Appointment) -> None:
    """Bring the visit's reminder rows in line with the visit (call inside its transaction).

    A moved visit moves its pending reminders (status back to pending, lease cleared); a cancelled or finished
    visit cancels them; a reminder already sent is left alone.
    """
    existing = {r.kind: r for r in Reminder.objects.filter(appointment=appointment)}
    wanted = _wanted(appointment) if appointment.status in SENDABLE_STATUSES else {}
    for kind, stale in existing.items():
        if kind not in wanted and stale.status in (Reminder.Status.PENDING, Reminder.Status.SENDING):
            stale.status = Reminder.Status.CANCELLED
            stale.save(update_fields=["status"])
    for kind, (channel, recipient, send_at) in wanted.items():
        reminder = existing.get(kind)
        if reminder is None:
            Reminder.objects.create(
                appointment=appointment, kind=kind, channel=channel, recipient=recipient, send_at=send_at
            )
        elif reminder.status != Reminder.Status.SENT:
            reminder.channel, reminder.recipient, reminder.send_at = channel, recipient, send_at
            reminder.status, reminder.claimed_at = Reminder.Status.PENDING, None
            reminder.save(update_fields=["channel", "recipient", "send_at", "status", "claimed_at"])


def reminders_claim_due(*, now: datetime, limit: int = 50) -> list[int]:
    """Claim due reminders (and ones whose lease expired). Concurrent callers never get the same row."""
    with transaction.atomic():
        ids = list(
            Reminder.objects.select_for_update(skip_locked=True)
            .filter(
                Q(status=Reminder.Status.PENDING, send_at__lte=now)
                | Q(status=Reminder.Status.SENDING, claimed_at__lt=now - _lease())
            )
            .order_by("send_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        Reminder.objects.filter(pk__in=ids).update(
            status=Reminder.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    return ids


def reminder_send(*, reminder_id: int, now: datetime | None = None) -> str:
    """Send one claimed reminder; returns what happened ("sent", "expired", "cancelled", "skipped", "failed",
    "retry"). Safe to call twice: only a row still in "sending" is sent."""
    now = now or timezone.now()
    found = Reminder.objects.select_related("appointment__client", "appointment__site").filter(pk=reminder_id).first()
    if found is None or found.status != Reminder.Status.SENDING:
        return "skipped"
    reminder = found
    appointment = reminder.appointment
    if appointment.status not in SENDABLE_STATUSES:
        return _finish(reminder, Reminder.Status.CANCELLED)
    if appointment.starts <= now:
        return _finish(reminder, Reminder.Status.EXPIRED)
    try:
        message_id = _deliver(reminder)
    except Exception as exc:  # noqa: BLE001 - any provider failure is recorded, retried, then marked failed
        logger.warning(
            "reminder_send_failed id=%s attempt=%s error=%s", reminder.pk, reminder.attempts, type(exc).__name__
        )
        final = reminder.attempts >= settings.REMINDER_MAX_ATTEMPTS
        Reminder.objects.filter(pk=reminder.pk, status=Reminder.Status.SENDING).update(
            status=Reminder.Status.FAILED if final else Reminder.Status.PENDING, last_error=str(exc)[:500]
        )
        if final:
            logger.error("reminder_failed id=%s attempts=%s", reminder.pk, reminder.attempts)
        return "failed" if final else "retry"
    Reminder.objects.filter(pk=reminder.pk, status=Reminder.Status.SENDING).update(
        status=Reminder.Status.SENT, sent_at=timezone.now(), provider_message_id=message_id[:200]
    )
    return "sent"


def _finish(reminder: Reminder, status: str) -> str:
    Reminder.objects.filter(pk=reminder.pk, status=Reminder.Status.SENDING).update(status=status)
    return str(status)


def reminder_context(reminder: Reminder) -> dict[str, Any]:
    appointment = reminder.appointment
    zone = ZoneInfo(appointment.site.time_zone)
    return {
        "appointment": appointment,
        "client": appointment.client,
        "site": appointment.site,
        "local_start": appointment.starts.astimezone(zone),
        "local_end": appointment.ends.astimezone(zone),
        "for_organizer": reminder.kind.startswith("organizer"),
        "site_url": settings.SITE_URL,
    }


def _deliver(reminder: Reminder) -> str:
    context = reminder_context(reminder)
    name = "reminder_organizer" if context["for_organizer"] else "reminder_client"
    if reminder.channel == Reminder.Channel.SMS:
        backend = import_string(settings.SMS_BACKEND)()
        text = render_to_string(f"emails/{name}_sms.txt", context).strip()
        return str(backend.send(to=reminder.recipient, body=text, idempotency_key=str(reminder.idempotency_key)))
    subject = render_to_string(f"emails/{name}_subject.txt", context).strip()
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"emails/{name}_body.txt", context),
        to=[reminder.recipient],
        headers={"Idempotency-Key": str(reminder.idempotency_key), "X-Idempotency-Key": str(reminder.idempotency_key)},
    )
    message.attach_alternative(render_to_string(f"emails/{name}_body.html", context), "text/html")
    message.send()
    return str(reminder.idempotency_key)


def reminders_dispatch(*, now: datetime | None = None, limit: int = 50) -> dict[str, int]:
    """One dispatcher tick: claim a batch and send each. Returns counts per outcome."""
    outcomes: dict[str, int] = {}
    for reminder_id in reminders_claim_due(now=now or timezone.now(), limit=limit):
        result = reminder_send(reminder_id=reminder_id)
        outcomes[result] = outcomes.get(result, 0) + 1
    return outcomes
