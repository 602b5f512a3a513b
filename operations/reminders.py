"""Reminders as a transactional outbox (docs/specs/reminders-and-celery.md, docs/specs/security.md).

How a reminder travels
1. `reminders_write` runs inside the booking's transaction: it creates, moves or cancels the visit's reminder rows,
   so a rolled-back booking leaves none and the request makes no broker call.
2. The beat task `operations.dispatch_due_reminders` (every 60 s) calls `reminders_dispatch`. It claims due rows
   with FOR UPDATE SKIP LOCKED (pending -> sending, `claimed_at` = the tick's time, which is the claim token) and
   publishes one `operations.send_reminder(reminder_id, claim)` message per row. No ETA or countdown anywhere: a
   reminder waits in the database, never in the broker.
3. `reminder_send` (the send task's body) counts the try in its own committed transaction, re-checks the visit,
   calls the provider with the reminder's idempotency key, and marks the row sent only while it still holds the
   claim. A duplicate or stale message (row already sent, moved, cancelled or re-claimed) is a no-op.

What survives what
- Redis, every worker or beat down: the rows wait in the database and the first tick afterwards catches up. A
  reminder whose visit has started by then is marked expired, not sent.
- Concurrent dispatchers (two beats, overlapping ticks): SKIP LOCKED hands every row to exactly one of them.
- A worker killed mid-send: the send task has acks_late and reject_on_worker_lost, so the message comes back (at
  once when the pool child dies; after the Redis visibility timeout when the whole worker dies) and the retry
  sends under the same claim. A claim whose message is lost altogether is re-claimed after the lease
  (REMINDER_LEASE_MINUTES).
- Poison: the try is counted before the provider is called, so a message that kills its worker every time ends
  `failed` after REMINDER_MAX_ATTEMPTS tries (logged at ERROR) instead of looping. Provider errors are retried by
  later ticks with exponential backoff (1, 2, 4, 8 ... minutes) up to the same limit.

Delivery semantics: at least once, exactly once *in effect* only with provider-side idempotency
A crash after the provider accepted a message and before "sent" is committed makes the retry send it again.
Exactly-once delivery to an outside provider is impossible; what we guarantee is at-least-once sending plus a
stable idempotency key per reminder (SMS backends receive `idempotency_key`; emails carry the Idempotency-Key and
X-Idempotency-Key headers). With a provider that dedupes on that key the duplicate is suppressed, so each
reminder is delivered exactly once in effect. With a provider that ignores it, a crash in that window can deliver
a reminder twice. Marking "sent" before sending would be at most once instead; a missed reminder is worse than a
rare duplicate. A moved reminder gets a new key, because its text (the new time) differs.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.module_loading import import_string

from operations.models import Appointment, Reminder

logger = logging.getLogger("organizer_pm.reminders")

SENDABLE_STATUSES = Appointment.UPCOMING_STATUSES  # a reminder is sent only for a visit still to come
BATCH_SIZE = 50  # rows claimed per tick; the next tick (60 s later) takes the rest
RETRY_BACKOFF = timedelta(minutes=1)  # wait after a failed try: 1, 2, 4, 8 ... minutes (one beat tick at least)
RETRY_BACKOFF_MAX = timedelta(hours=1)

Publish = Callable[[int, datetime], object]
TOO_LATE_MSG = "Not sent: its time had already passed when the visit was booked or moved."


def _lease() -> timedelta:
    return timedelta(minutes=settings.REMINDER_LEASE_MINUTES)


def _max_attempts() -> int:
    return int(settings.REMINDER_MAX_ATTEMPTS)


def retry_delay(attempts: int) -> timedelta:
    """How long a reminder whose try number `attempts` failed waits before the next try."""
    return min(RETRY_BACKOFF * 2 ** max(attempts - 1, 0), RETRY_BACKOFF_MAX)


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


def reminders_write(*, appointment: Appointment, now: datetime | None = None) -> None:
    """Bring the visit's reminder rows in line with the visit (call inside its transaction).

    A reminder whose send time has already passed when it is written (a visit booked or moved closer than the
    reminder's offset) is not sent: the person who booked it just heard about it (T10). Its row is kept, as
    expired with the reason, so the visit page shows why nothing went out.

    A moved visit moves its unsent reminders: back to pending, lease and tries cleared, and a new idempotency key,
    so an in-flight send of the old text cannot mark the new one sent and a provider does not drop the new text
    as a duplicate. A cancelled or finished visit cancels them; a reminder already sent is left alone, and so is
    one whose visit did not change (an in-flight send keeps its claim). The rows are locked first, so a send
    that commits meanwhile is seen as sent rather than overwritten.
    """
    now = now or timezone.now()
    existing = {r.kind: r for r in Reminder.objects.select_for_update().filter(appointment=appointment)}
    wanted = _wanted(appointment) if appointment.status in SENDABLE_STATUSES else {}
    for kind, stale in existing.items():
        if kind not in wanted and stale.status in (Reminder.Status.PENDING, Reminder.Status.SENDING):
            stale.status = Reminder.Status.CANCELLED
            stale.save(update_fields=["status"])
    for kind, (channel, recipient, send_at) in wanted.items():
        reminder = existing.get(kind)
        status, last_error = (
            (Reminder.Status.EXPIRED, TOO_LATE_MSG) if send_at <= now else (Reminder.Status.PENDING, "")
        )
        if reminder is None:
            Reminder.objects.create(
                appointment=appointment, kind=kind, channel=channel, recipient=recipient, send_at=send_at,
                status=status, last_error=last_error,
            )  # fmt: skip
            continue
        changed = (reminder.channel, reminder.recipient, reminder.send_at) != (channel, recipient, send_at)
        if reminder.status == Reminder.Status.SENT or not (changed or reminder.status == Reminder.Status.CANCELLED):
            continue
        if changed:
            reminder.channel, reminder.recipient, reminder.send_at = channel, recipient, send_at
            reminder.idempotency_key = uuid.uuid4()
        reminder.status, reminder.claimed_at = status, None
        reminder.attempts, reminder.last_error = 0, last_error
        reminder.save(
            update_fields=[
                "channel", "recipient", "send_at", "idempotency_key", "status", "claimed_at", "attempts", "last_error",
            ]
        )  # fmt: skip


def _retry_window_open(now: datetime) -> Q:
    """Pending rows that never failed, or whose backoff after the last failed try has passed."""
    window = Q(attempts=0) | Q(claimed_at__isnull=True) | Q(attempts__gte=_max_attempts())
    for attempts in range(1, _max_attempts()):
        window |= Q(attempts=attempts, claimed_at__lte=now - retry_delay(attempts))
    return window


def reminders_claim_due(*, now: datetime, limit: int = BATCH_SIZE) -> list[int]:
    """Claim due reminders (and ones whose lease expired): pending -> sending with `claimed_at = now`, the claim
    token the send task must still hold. Concurrent callers never get the same row (FOR UPDATE SKIP LOCKED)."""
    due = Q(status=Reminder.Status.PENDING, send_at__lte=now) & _retry_window_open(now)
    lease_expired = Q(status=Reminder.Status.SENDING, claimed_at__lt=now - _lease())
    with transaction.atomic():
        ids = list(
            Reminder.objects.select_for_update(skip_locked=True)
            .filter(due | lease_expired)
            .order_by("send_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        Reminder.objects.filter(pk__in=ids).update(status=Reminder.Status.SENDING, claimed_at=now)
    return ids


def reminders_dispatch(*, publish: Publish, now: datetime | None = None, limit: int = BATCH_SIZE) -> int:
    """One dispatcher tick: claim a batch and hand each row to `publish(reminder_id, claim)` (the beat task passes
    one that queues the send task; this module imports no task, so tasks -> reminders is the only direction).
    Returns how many rows were handed over.

    If publishing fails (the broker went away mid-tick), the rows not handed over go back to pending so the next
    tick takes them at once, and the error propagates (the tick fails loudly; nothing is lost).
    """
    now = now or timezone.now()
    ids = reminders_claim_due(now=now, limit=limit)
    for done, reminder_id in enumerate(ids):
        try:
            publish(reminder_id, now)
        except Exception:
            Reminder.objects.filter(pk__in=ids[done:], status=Reminder.Status.SENDING, claimed_at=now).update(
                status=Reminder.Status.PENDING, claimed_at=None
            )
            logger.warning("reminder_dispatch_publish_failed released=%s", len(ids) - done)
            raise
    return len(ids)


def reminder_send(*, reminder_id: int, claim: datetime, now: datetime | None = None) -> str:
    """Send one claimed reminder: the body of the send task. Safe to run any number of times.

    Returns "sent"; "retry" (provider error, a later tick retries after the backoff) or "failed" (the last try
    failed, or a message kept killing its worker); "cancelled" or "expired" (the visit was cancelled or has
    started: nothing sent); "skipped" when this message no longer holds the claim (already sent, moved,
    cancelled or re-claimed); "superseded" when the claim was lost while the provider was being called.
    """
    now = now or timezone.now()
    held = Reminder.objects.filter(pk=reminder_id, status=Reminder.Status.SENDING, claimed_at=claim)
    with transaction.atomic():
        reminder = (
            held.select_for_update(of=("self",))
            .select_related("appointment__client", "appointment__site", "appointment__appointment_type")
            .first()
        )
        if reminder is None:
            return "skipped"
        if reminder.appointment.status not in SENDABLE_STATUSES:
            return _finish(held, Reminder.Status.CANCELLED)
        if reminder.appointment.starts <= now:
            return _finish(held, Reminder.Status.EXPIRED)
        if reminder.attempts >= _max_attempts():
            logger.error("reminder_failed id=%s attempts=%s reason=attempts_exhausted", reminder.pk, reminder.attempts)
            return _finish(held, Reminder.Status.FAILED, last_error="Gave up: the send kept failing or crashing.")
        # Counted and committed before the provider is called: a try that kills the process still counts.
        reminder.attempts += 1
        reminder.save(update_fields=["attempts"])
    try:
        message_id = _deliver(reminder, now=now)
    except Exception as exc:  # noqa: BLE001 - any provider failure is recorded, retried with backoff, then failed
        final = reminder.attempts >= _max_attempts()
        logger.warning(
            "reminder_send_failed id=%s attempt=%s error=%s", reminder.pk, reminder.attempts, type(exc).__name__
        )
        if final:
            logger.error("reminder_failed id=%s attempts=%s reason=provider_error", reminder.pk, reminder.attempts)
        status = Reminder.Status.FAILED if final else Reminder.Status.PENDING
        _finish(held, status, last_error=f"{type(exc).__name__}: {exc}"[:500])
        return "failed" if final else "retry"
    if not held.update(status=Reminder.Status.SENT, sent_at=now, provider_message_id=message_id[:200]):
        logger.warning("reminder_claim_lost id=%s", reminder.pk)  # moved or cancelled while being sent
        return "superseded"
    return "sent"


def _finish(held: QuerySet[Reminder], status: str, **fields: Any) -> str:
    held.update(status=status, **fields)
    return str(status)


def when_text(starts: datetime, now: datetime) -> str:
    """When the visit is, counted from the moment the reminder goes out, both in the zone of `starts`
    ("today at 10:50 PM", "tomorrow at 10:00 AM", "on Thursday, March 4 at 9:00 AM"). Never a fixed
    "tomorrow": a late or delayed reminder says what is true when it is read (T10)."""
    days = (starts.date() - now.astimezone(starts.tzinfo).date()).days
    clock = starts.strftime("%I:%M %p").lstrip("0")
    if days == 0:
        return f"today at {clock}"
    if days == 1:
        return f"tomorrow at {clock}"
    return f"on {starts:%A, %B} {starts.day} at {clock}"


def reminder_context(reminder: Reminder, now: datetime | None = None) -> dict[str, Any]:
    appointment = reminder.appointment
    zone = ZoneInfo(appointment.site.time_zone)
    local_start = appointment.starts.astimezone(zone)
    return {
        "appointment": appointment,
        "client": appointment.client,
        "site": appointment.site,
        "local_start": local_start,
        "local_end": appointment.ends.astimezone(zone),
        "when": when_text(local_start, now or timezone.now()),
        "for_organizer": reminder.kind.startswith("organizer"),
        "site_url": settings.SITE_URL,
    }


def _deliver(reminder: Reminder, now: datetime | None = None) -> str:
    context = reminder_context(reminder, now)
    name = "reminder_organizer" if context["for_organizer"] else "reminder_client"
    # Templates show aware datetimes in the current zone: make it the visit's site zone (the worker runs in UTC).
    with timezone.override(ZoneInfo(reminder.appointment.site.time_zone)):
        if reminder.channel == Reminder.Channel.SMS:
            backend = import_string(settings.SMS_BACKEND)()
            text = render_to_string(f"emails/{name}_sms.txt", context).strip()
            return str(backend.send(to=reminder.recipient, body=text, idempotency_key=str(reminder.idempotency_key)))
        subject = render_to_string(f"emails/{name}_subject.txt", context).strip()
        key = str(reminder.idempotency_key)
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string(f"emails/{name}_body.txt", context),
            to=[reminder.recipient],
            headers={"Idempotency-Key": key, "X-Idempotency-Key": key},
        )
        message.attach_alternative(render_to_string(f"emails/{name}_body.html", context), "text/html")
    message.send()
    return key
