"""Earned revenue per organizer and local day (docs/specs/kpis.md §3); a NULL organizer is the whole business
(credit notes and unattributed fees included there). Written only by billing.rollups."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models


class RevenueDaily(models.Model):
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    local_date = models.DateField()
    # A month row (local_date = the 1st) holds the month's sums, refreshed with each of its days: long windows
    # read whole months from these rows and only their ragged ends from day rows.
    is_month = models.BooleanField(default=False, db_default=False)
    earned = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organizer", "local_date", "is_month"],
                nulls_distinct=False,
                name="revenue_daily_one_per_organizer_day",
            )
        ]
        indexes = [models.Index(fields=["is_month", "local_date"])]

    def __str__(self) -> str:
        return f"earned {self.organizer_id or 'business'} {self.local_date}: {self.earned}"
