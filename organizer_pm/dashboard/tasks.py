"""Beat task of the KPI rollup: thin; the work and its guarantees are in organizer_pm.dashboard.rollups."""

from __future__ import annotations

from celery import shared_task

from organizer_pm.dashboard import rollups


@shared_task(name="dashboard.kpi_rollup_nightly")
def kpi_rollup_nightly() -> list[str]:
    return rollups.rollup_nightly()
