"""Owner notices (e.g. a package running low) through an outbox, like invoice e-mails and reminders.

The notice row is written in the transaction that caused it (`packages.low_balance_check`), so a rolled-back
drawdown leaves none. `billing.dispatch_notices` (beat, every minute) sends each unsent row in its own short
transaction: the row is locked with SKIP LOCKED (two workers never take the same row), e-mailed to the owners
with an Idempotency-Key of the row, and marked sent in that transaction. A worker killed after the provider
accepted the message and before the commit sends it again with the same key, which a deduplicating provider
drops: exactly once in effect.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from billing import conf
from billing.models import BillingNotice

logger = logging.getLogger("organizer_pm.billing")
BATCH_SIZE = 50


def _owners() -> list[str]:
    found = User.objects.filter(role=User.Role.OWNER, is_active=True).exclude(email="")
    return list(found.order_by("pk").values_list("email", flat=True))


def notice_send_one(*, now: datetime) -> BillingNotice | None:
    """Send the oldest unsent notice nobody else holds; None when there is none left."""
    with transaction.atomic():
        notice = (
            BillingNotice.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(sent_at__isnull=True).select_related("package__client").order_by("pk").first()
        )  # fmt: skip
        if notice is None:
            return None
        recipients = _owners()
        if recipients:
            key = f"billing-notice-{notice.pk}"
            EmailMessage(
                subject=f"{conf.get('BILLING_BUSINESS_NAME')}: {notice.package.client if notice.package else 'billing'}"
                " is running low on package time",
                body=f"{notice.text}\n",
                to=recipients,
                headers={"Idempotency-Key": key, "X-Idempotency-Key": key},
            ).send()
        else:
            logger.warning("billing_notice_no_owner id=%s", notice.pk)
        notice.sent_at = now
        notice.save(update_fields=["sent_at"])
        return notice


def notices_dispatch(*, now: datetime | None = None, limit: int = BATCH_SIZE) -> int:
    """Beat's body: send up to `limit` unsent notices; returns how many were sent."""
    now = now or timezone.now()
    sent = 0
    while sent < limit and notice_send_one(now=now) is not None:
        sent += 1
    return sent
