"""The shape of the daily KPI tables (docs/specs/kpis.md §3). Each app owns its own table (operations.OpsDaily,
billing.RevenueDaily, projects.SurveyDaily) and rolls up what it owns; they share this abstract base, which lives
in the lowest layer because every row is per organizer (a user) and every app may import it."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class DailyRollup(models.Model):
    """The shape every daily KPI table shares (operations, billing, projects each own one): per organizer (NULL =
    the whole business) and local day, plus month rows, rewritten by the nightly rollup (`computed_at`)."""

    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    local_date = models.DateField()
    # A month row (local_date = the 1st) holds the month's sums, refreshed with each of its days: long windows
    # read whole months from these rows and only their ragged ends from day rows.
    is_month = models.BooleanField(default=False, db_default=False)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def one_row_per_organizer_day(name: str) -> models.UniqueConstraint:
    """One row per (organizer, day or month), the business row (organizer NULL) included: NULLS NOT DISTINCT."""
    return models.UniqueConstraint(fields=["organizer", "local_date", "is_month"], nulls_distinct=False, name=name)
