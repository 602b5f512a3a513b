"""Authorization-matrix rows for the recurrence pages (booking helpers, ICS import); tests/test_authz_matrix.py
merges them like the inventory rows (move them into tests/authz/ when that folder lands)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def rules(*, page: Callable[..., Any]) -> dict[str, Any]:
    return {
        "operations:booking_sites": page(owner=200, office=200, organizer=403),
        "operations:booking_preview": page(owner=200, office=200, organizer=403),
        "operations:ics_import": page(owner=200, office=200, organizer=403),
    }
