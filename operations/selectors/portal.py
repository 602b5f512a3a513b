"""What a portal user sees of visits: plain dataclasses, never model instances (docs/specs/portal.md §3), so a
template cannot reach an internal field (notes, organizers' surnames or phones, rates) by mistake."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from accounts import access
from accounts.models import User
from operations.models import Appointment, VisitChangeRequest


def late_cancel_window() -> timedelta:
    return timedelta(hours=settings.LATE_CANCEL_HOURS)


@dataclass(frozen=True)
class PortalRequest:
    pk: int
    kind: str
    status: str
    status_label: str
    preferred_windows: list[str]
    note: str
    decision_message: str


@dataclass(frozen=True)
class PortalVisit:
    pk: int
    client_id: int
    date_label: str
    time_label: str
    zone: str
    duration_min: int
    status_label: str
    visit_type: str
    site_label: str
    site_address: str
    organizer_first_names: list[str]
    is_upcoming: bool
    change_is_free: bool  # outside the late-cancel window: reschedule or cancel at no charge
    has_started: bool
    in_series: bool
    entry_code_on_file: bool
    pending_request: PortalRequest | None


def _request_data(req: VisitChangeRequest) -> PortalRequest:
    return PortalRequest(
        req.pk, req.kind, req.status, req.get_status_display(), list(req.preferred_windows), req.note,
        req.decision_message,
    )  # fmt: skip


def _visit_data(visit: Appointment, now: datetime) -> PortalVisit:
    zone = ZoneInfo(visit.site.time_zone)
    start, end = visit.starts.astimezone(zone), visit.ends.astimezone(zone)
    pending = list(visit.pending_requests)  # type: ignore[attr-defined]
    return PortalVisit(
        pk=visit.pk,
        client_id=visit.client_id,
        date_label=f"{start:%A, %B} {start.day}, {start:%Y}",
        time_label=f"{start:%H:%M}–{end:%H:%M}",
        zone=start.tzname() or visit.site.time_zone,
        duration_min=int((visit.ends - visit.starts).total_seconds() // 60),
        status_label=visit.get_status_display(),
        visit_type=visit.appointment_type.name,
        site_label=visit.site.label,
        site_address=visit.site.one_line_address,
        organizer_first_names=[p.first_name for p in visit.people if p.first_name],  # type: ignore[attr-defined]
        is_upcoming=visit.is_upcoming and visit.starts > now,
        change_is_free=visit.starts - now >= late_cancel_window(),
        has_started=visit.starts <= now,
        in_series=visit.series_id is not None,
        entry_code_on_file=bool(visit.site.entry_code),
        pending_request=_request_data(pending[0]) if pending else None,
    )


def _visits_of(client_ids: list[int]) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(client_id__in=client_ids)
        .select_related("site", "appointment_type")
        .prefetch_related(
            Prefetch("organizers", queryset=User.objects.order_by("first_name"), to_attr="people"),
            Prefetch(
                "change_requests",
                queryset=VisitChangeRequest.objects.filter(status=VisitChangeRequest.Status.PENDING),
                to_attr="pending_requests",
            ),
        )
    )


def portal_visits(*, client_ids: list[int], now: datetime, past_limit: int = 20) -> dict[str, list[PortalVisit]]:
    """Upcoming visits (soonest first) and past ones (latest first) of the given clients."""
    upcoming = _visits_of(client_ids).filter(starts__gt=now).order_by("starts", "pk")
    past = _visits_of(client_ids).filter(starts__lte=now).order_by("-starts", "-pk")[:past_limit]
    return {
        "upcoming": [_visit_data(v, now) for v in upcoming],
        "past": [_visit_data(v, now) for v in past],
    }


def portal_visit_get(*, client_ids: list[int], pk: int, now: datetime) -> PortalVisit:
    """One visit of the given clients; any other id, another client's or a missing one, is the same 404."""
    visit = _visits_of(client_ids).filter(pk=pk).first()
    if visit is None:
        raise Http404
    return _visit_data(visit, now)


def portal_visit_requests(*, client_ids: list[int], pk: int) -> list[PortalRequest]:
    found = VisitChangeRequest.objects.filter(appointment_id=pk, appointment__client_id__in=client_ids)
    return [_request_data(r) for r in found.order_by("-requested_at", "-pk")]


# --- the office's side --------------------------------------------------------------------------------------


def change_requests_for_staff(*, user: Any, status: str = "pending") -> QuerySet[VisitChangeRequest]:
    found = VisitChangeRequest.objects.all() if access.is_staff_role(user) else VisitChangeRequest.objects.none()
    if status:
        found = found.filter(status=status)
    return found.select_related(
        "appointment__client", "appointment__site", "appointment__appointment_type", "requested_by", "decided_by"
    )


def change_request_get_for_staff(*, user: Any, pk: int) -> VisitChangeRequest:
    found = change_requests_for_staff(user=user, status="").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found
