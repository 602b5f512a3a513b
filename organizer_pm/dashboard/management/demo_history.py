"""Twelve weeks of finished visits and two closed-out projects for the demo, then the KPI rollup of the days
since the last run (docs/specs/kpis.md §3), so the owner's dashboard opens filled. Idempotent: history is written
once (marked by its notes); rolling up again rewrites the same rows."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from clients.models import Client
from operations.models import Appointment, AppointmentType, OpsDaily
from organizer_pm.dashboard import rollups
from projects import services as project_services
from projects.models import Project

MARK = "Demo history"
WEEKS = 12
ROLLUP_DAYS = WEEKS * 7 + 7
STATUSES = ["completed"] * 17 + ["cancelled", "late_cancelled", "no_show"]


def load(*, organizers: list[User]) -> None:
    zone = ZoneInfo(settings.BUSINESS_TIME_ZONE)
    today = timezone.now().astimezone(zone).date()
    if not Appointment.objects.filter(notes=MARK).exists():
        _visits(organizers, today, zone)
        _closed_projects(organizers, today, zone)
    _roll_up(today)


def _visits(organizers: list[User], today: date, zone: ZoneInfo) -> None:
    rng = random.Random(2026)  # the same history on every machine
    kinds = list(AppointmentType.objects.filter(is_active=True).order_by("name"))
    clients = [c for c in Client.objects.order_by("name").prefetch_related("sites") if c.sites.all()]
    monday = today - timedelta(days=today.weekday() + 7 * WEEKS)
    slots = [(weekday, hour) for weekday in range(5) for hour in (9, 13)]
    for week in range(WEEKS + 1):  # up to yesterday
        for n, organizer in enumerate(organizers):
            for weekday, hour in slots:
                day = monday + timedelta(days=7 * week + weekday)
                if day >= today or rng.random() < 0.3:  # about 7 visits a week each
                    continue
                starts = datetime.combine(day, time(hour), tzinfo=zone)
                hours = rng.choice([2, 2.5, 3, 3.5])
                status = rng.choice(STATUSES)
                done = status == "completed"
                late = timedelta(minutes=rng.choice([0, 10, 20]))
                client = clients[(week + n + weekday) % len(clients)]
                visit = Appointment.objects.create(
                    client=client, site=client.sites.all()[0], appointment_type=kinds[(n + weekday) % len(kinds)],
                    starts=starts, ends=starts + timedelta(hours=hours), blocked_until=starts + timedelta(hours=hours),
                    status=status, notes=MARK, actual_start=starts if done else None,
                    actual_end=starts + timedelta(hours=hours) + late if done else None,
                )  # fmt: skip
                visit.organizers.set([organizer])
                # The row's last change is when its status was decided, as if it had been recorded then: billing
                # dates a late-cancellation or no-show fee by it (billing/specs.py), so a visit written today
                # would put every fee of the twelve weeks on today (T35, docs/specs/defects.md).
                Appointment.objects.filter(pk=visit.pk).update(updated_at=_decided_at(visit))


def _decided_at(visit: Appointment) -> datetime:
    """When a past visit's status would have been recorded: a cancellation ahead of time, a late one hours before
    the start, a no-show soon after it, a finished visit at its end."""
    return {
        "cancelled": visit.starts - timedelta(days=3),
        "late_cancelled": visit.starts - timedelta(hours=3),
        "no_show": visit.starts + timedelta(minutes=30),
    }.get(visit.status, visit.actual_end or visit.ends)


def _closed_projects(organizers: list[User], today: date, zone: ZoneInfo) -> None:
    answers = [("Lee closet refresh", 5, 10), ("Ortiz pantry", 4, 8), ("Brook studio", 3, 6)]
    clients = list(Client.objects.order_by("name"))
    for n, (name, csat, nps) in enumerate(answers):
        if Project.objects.filter(name=name).exists():
            continue
        project = project_services.project_create(
            data={"client": clients[n % len(clients)], "name": name, "start_on": today - timedelta(days=60),
                  "deadline_on": None, "lead": organizers[n % len(organizers)]}
        )  # fmt: skip
        closed = datetime.combine(today - timedelta(days=5 + 9 * n), time(15), tzinfo=zone)
        Project.objects.filter(pk=project.pk).update(status="completed", completed_at=closed, csat=csat, nps=nps)


def roll_up() -> None:
    """The rollup again, after the rest of the demo wrote work dated in the past (shopping time yesterday):
    otherwise a tile shows the stale figure of a closed day while its drill-down lists the new rows (T37)."""
    _roll_up(timezone.now().astimezone(ZoneInfo(settings.BUSINESS_TIME_ZONE)).date())


def _roll_up(today: date) -> None:
    """From the last rolled-up day (less the trailing recompute window) to yesterday, at most ROLLUP_DAYS back."""
    yesterday = today - timedelta(days=1)
    last = (
        OpsDaily.objects.filter(organizer__isnull=True, is_month=False)
        .order_by("-local_date")
        .values_list("local_date", flat=True)
    )
    start = today - timedelta(days=ROLLUP_DAYS)
    if last.exists():
        start = max(start, min(last[0], yesterday) - timedelta(days=settings.KPI_RECOMPUTE_DAYS))
    rollups.rollup_range(start, yesterday)
