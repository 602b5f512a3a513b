"""Authorization-matrix rows for the recurrence pages (booking helpers, ICS import), merged by tests/authz/rules.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def rules(*, page: Callable[..., Any]) -> dict[str, Any]:
    return {
        "operations:booking_sites": page(owner=200, office=200, organizer=403),
        "operations:booking_preview": page(owner=200, office=200, organizer=403),
        "operations:ics_import": page(owner=200, office=200, organizer=403),
    }
