"""Daily KPI components operations owns (docs/specs/kpis.md §3): additive numbers per organizer and local day, and
stock value per location and day. A NULL organizer is the whole business; NULLS NOT DISTINCT keeps that row single
across reruns. Written only by operations.rollups; ratios are never stored."""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from accounts.daily_rollup import DailyRollup, one_row_per_organizer_day
from operations.models.inventory import Location

ZERO = Decimal("0")


class OpsDaily(DailyRollup):
    available_min = models.IntegerField(default=0)
    billable_min = models.IntegerField(default=0)
    redo_min = models.IntegerField(default=0)
    scheduled = models.IntegerField(default=0)
    completed = models.IntegerField(default=0)  # completed jobs: no redos, no project sessions
    completed_visits = models.IntegerField(default=0)
    cancelled = models.IntegerField(default=0)
    late_cancelled = models.IntegerField(default=0)
    no_show = models.IntegerField(default=0)
    redo = models.IntegerField(default=0)
    supply_cost = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    # Business row only (semi-additive: a count on a day, never summed over days).
    active_clients = models.IntegerField(default=0, db_default=0)  # month rows leave it at 0
    new_clients = models.IntegerField(default=0)  # additive: clients created that day

    class Meta:
        constraints = [one_row_per_organizer_day("ops_daily_one_per_organizer_day")]
        indexes = [models.Index(fields=["is_month", "local_date"])]

    def __str__(self) -> str:
        return f"ops {self.organizer_id or 'business'} {self.local_date}"


class StockValueDaily(models.Model):
    """Ledger value of one internal location at the end of a local day (semi-additive) and the cost consumed on
    jobs from it that day (additive)."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+")
    local_date = models.DateField()
    value = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    consumed_cost = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["location", "local_date"], name="stock_value_daily_one_per_day")]
        indexes = [models.Index(fields=["local_date"])]

    def __str__(self) -> str:
        return f"{self.location_id} {self.local_date}: {self.value}"
