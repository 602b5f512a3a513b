"""Outbox rows: an invoice e-mail is written in the requesting transaction and sent later by a Celery task."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from billing.models.invoices import Invoice


class InvoiceEmail(models.Model):
    """One e-mail of an invoice with its PDF. `claimed_at` is the claim token of the send task holding the row;
    `idempotency_key` goes to the mail provider so a resend after a crash is dropped there."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="emails")
    recipient = models.EmailField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    creation_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["status", "claimed_at"], condition=Q(status__in=["pending", "sending"]),
                         name="invoice_email_open"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.invoice} to {self.recipient} ({self.status})"
