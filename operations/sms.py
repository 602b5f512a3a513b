"""Text-message backends. A real provider plugs in by implementing `send` and naming its class in SMS_BACKEND."""

from __future__ import annotations

import logging
import uuid
from typing import Protocol

logger = logging.getLogger("organizer_pm.sms")


class SmsBackend(Protocol):
    def send(self, *, to: str, body: str, idempotency_key: str) -> str:
        """Send one message; return the provider's message id. Providers that dedupe use idempotency_key."""
        ...


class ConsoleSmsBackend:
    """Development backend: writes the message to the log instead of sending it."""

    def send(self, *, to: str, body: str, idempotency_key: str) -> str:
        logger.info("sms to=%s key=%s body=%s", to[:4] + "…", idempotency_key, body)
        return f"console-{uuid.uuid4()}"
