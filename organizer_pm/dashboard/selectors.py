from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from accounts import selectors as account_selectors
from billing import home as billing_home
from billing import selectors as billing_selectors
from clients import selectors as client_selectors
from clients.models import Client
from operations import kpi_math, localtime
from operations import rollups as ops_rollups
from operations.selectors import my_day as my_day_selectors
from operations.selectors import office as office_selectors


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


def office_home(*, user: Any) -> dict[str, Any]:
    """The office's day; billers also get the ready-to-invoice and overdue counts. No money figures."""
    context = office_selectors.office_home()
    context["business_tz"] = settings.BUSINESS_TIME_ZONE
    context["summary"] = business_summary(user=user)
    context["biller"] = billing_home.biller_counts(today=context["today"]) if billing_selectors.may_bill(user) else None
    return context


def organizer_home(*, user: Any) -> dict[str, Any]:
    """My day first, then the organizer's own week: hours booked, completed, utilization. Nothing about others."""
    zone = localtime.ZoneInfo(settings.BUSINESS_TIME_ZONE)
    today = timezone.now().astimezone(zone).date()
    day, visits = my_day_selectors.my_day(user=user)
    week = office_selectors.organizer_week(user=user, day=today)
    available = sum(ops_rollups.available_minutes(week["monday"] + timedelta(days=n)).get(user.pk, 0) for n in range(7))
    week["available_min"] = available
    week["utilization"] = kpi_math.percent(week["completed_min"], available)
    return {"day": day, "visits": visits, "week": week}
