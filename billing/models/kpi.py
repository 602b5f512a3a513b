"""Earned revenue per organizer and local day (docs/specs/kpis.md §3); a NULL organizer is the whole business
(credit notes and unattributed fees included there). Written only by billing.rollups."""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from accounts.daily_rollup import DailyRollup, one_row_per_organizer_day


class RevenueDaily(DailyRollup):
    earned = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))

    class Meta:
        constraints = [one_row_per_organizer_day("revenue_daily_one_per_organizer_day")]
        indexes = [models.Index(fields=["is_month", "local_date"])]

    def __str__(self) -> str:
        return f"earned {self.organizer_id or 'business'} {self.local_date}: {self.earned}"
