from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count

from accounts import selectors as account_selectors
from clients import selectors as client_selectors
from clients.models import Client


@dataclass(frozen=True)
class BusinessSummary:
    status_counts: list[tuple[str, str, int]]  # (status value, label, count)
    total_clients: int
    team_size: int
    recent_clients: list[Client]


def business_summary(*, user: Any) -> BusinessSummary:
    clients = client_selectors.client_list_for_user(user=user)
    counts = dict(clients.order_by().values_list("status").annotate(n=Count("pk")))
    status_counts = [(value, label, counts.get(value, 0)) for value, label in Client.Status.choices]
    recent = list(clients.order_by("-created_at")[:8])
    team = account_selectors.user_list_for_user(user=user).filter(is_active=True).count()
    return BusinessSummary(status_counts, sum(counts.values()), team, recent)
