"""The client page as one timeline (docs/specs/one-schedule.md §5), composed here because only the top layer may
read every app: visits and maintenance series (operations), projects with status and finish (projects), invoices
(billing, for users who may bill). The clients app loads it with hx-get, as it does its other panels."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from billing import selectors as billing_selectors
from operations.formats import fmt_money
from operations.selectors import client_timeline as visit_timeline
from projects import selectors as project_selectors


@dataclass(frozen=True)
class Entry:
    """One line of the timeline: when, what kind, the words, and where it links."""

    on: date
    kind: str  # "visit", "project", "invoice"
    title: str
    detail: str = ""
    url: str = ""
    flags: list[str] = field(default_factory=list)


@dataclass
class Timeline:
    upcoming: list[Entry]
    past: list[Entry]
    series: list[visit_timeline.SeriesRow]


def _local_day(moment: datetime, tz: str) -> date:
    return moment.astimezone(ZoneInfo(tz)).date()


def _visit_entry(visit: Any) -> Entry:
    tz = visit.site.time_zone
    local = visit.starts.astimezone(ZoneInfo(tz))
    people = ", ".join(p.first_name or p.email for p in getattr(visit, "people", []))
    return Entry(
        on=local.date(),
        kind="visit",
        title=f"{visit.appointment_type.name} {local:%H:%M}",
        detail=f"{visit.get_status_display()}{' · ' + people if people else ''}",
        url=reverse("operations:appointment_detail", kwargs={"pk": visit.pk}),
    )


def _project_entry(project: Any) -> Entry:
    finish = project.finish_on or project.start_on
    if project.is_completed:
        title = f"{project.name}, completed {finish:%a %Y-%m-%d}"
    elif project.is_closed:
        title = f"{project.name}, {project.get_status_display().lower()}"
    else:
        title = f"{project.name}, {project.get_status_display().lower()}, forecast finish {finish:%a %Y-%m-%d}"
    flags = []
    if getattr(project, "late", False):
        flags.append(f"late by {project.late_by} working day{'s' if project.late_by != 1 else ''}")
    if getattr(project, "behind", False):
        flags.append("behind")
    return Entry(on=finish, kind="project", title=title, url=project.get_absolute_url(), flags=flags)


def _invoice_entry(invoice: Any) -> Entry:
    issued = invoice.issued_at or invoice.created_at
    day = _local_day(issued, settings.BUSINESS_TIME_ZONE)
    return Entry(
        on=day,
        kind="invoice",
        title=f"Invoice {invoice.number}",
        detail=f"{invoice.get_status_display()} · {fmt_money(invoice.total)} · due {fmt_money(invoice.amount_due)}",
        url=reverse("billing:invoice_detail", kwargs={"pk": invoice.pk}),
    )


def client_timeline_for_user(*, user: Any, client_id: int, now: datetime | None = None) -> Timeline:
    """Upcoming visits and open projects ahead; past visits, finished projects and invoices behind, newest first."""
    now = now or timezone.now()
    today = _local_day(now, settings.BUSINESS_TIME_ZONE)
    ahead, behind = visit_timeline.client_visits_for_user(user=user, client_id=client_id, now=now)
    upcoming = [_visit_entry(v) for v in ahead]
    past = [_visit_entry(v) for v in behind]
    for project in project_selectors.project_list_for_user(user=user, client=str(client_id)):
        entry = _project_entry(project)
        (past if project.is_closed or entry.on < today else upcoming).append(entry)
    if billing_selectors.may_bill(user):
        past.extend(_invoice_entry(i) for i in billing_selectors.client_invoices(client_id=client_id))
    upcoming.sort(key=lambda e: e.on)
    past.sort(key=lambda e: e.on, reverse=True)
    series = visit_timeline.client_series_for_user(user=user, client_id=client_id, now=now)
    return Timeline(upcoming=upcoming, past=past, series=series)
