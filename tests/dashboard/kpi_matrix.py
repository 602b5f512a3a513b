"""Authorization-matrix rows for the KPI pages (merged by tests/authz/rules.py): revenue and margins are the
owner's, so office and organizers get 403 on the drill-downs and the CSV exports, whatever the measure."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def rules(*, page: Callable[..., Any]) -> dict[str, Any]:
    return {
        "dashboard:kpi_drill": page(owner=200, office=403, organizer=403),
        "dashboard:kpi_export": page(owner=200, office=403, organizer=403),
    }
