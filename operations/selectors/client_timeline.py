"""The client's visits and repeating series as plain rows, for the client timeline composed in organizer_pm
(docs/specs/one-schedule.md §5). Scoped like every visit read: an organizer sees the visits they are booked on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from operations.models import Appointment, RecurringSeries
from operations.recurrence_text import describe_stored
from operations.selectors.visits import _with_people, appointment_list_for_user


@dataclass(frozen=True)
class SeriesRow:
    series_id: int
    words: str  # the rule in words ("Monthly on the second Tuesday")
    local_times: str  # "10:00–12:00" in the site's zone
    appointment_type: str
    organizers: list[str]
    next_visit: Appointment | None


def client_visits_for_user(
    *, user: Any, client_id: int, now: datetime | None = None, upcoming: int = 10, past: int = 10
) -> tuple[list[Appointment], list[Appointment]]:
    """The next `upcoming` visits (cancelled left out) and the last `past` ones (all statuses), two queries each."""
    now = now or timezone.now()
    visits = _with_people(appointment_list_for_user(user=user).filter(client_id=client_id))
    ahead = list(
        visits.filter(starts__gte=now).exclude(status__in=Appointment.CANCELLED_STATUSES).order_by("starts")[:upcoming]
    )
    behind = list(visits.filter(starts__lt=now).order_by("-starts")[:past])
    return ahead, behind


def client_series_for_user(*, user: Any, client_id: int, now: datetime | None = None) -> list[SeriesRow]:
    """The client's repeating series that still have a visit ahead the user may see, with that next visit."""
    now = now or timezone.now()
    visible = appointment_list_for_user(user=user).filter(client_id=client_id, series__isnull=False)
    series_ids = set(visible.filter(starts__gte=now).values_list("series_id", flat=True))
    rows = []
    for series in RecurringSeries.objects.filter(pk__in=series_ids).select_related("appointment_type").order_by("pk"):
        next_visit = (
            _with_people(visible.filter(series=series, starts__gte=now))
            .exclude(status__in=Appointment.CANCELLED_STATUSES)
            .order_by("starts")
            .first()
        )
        rows.append(
            SeriesRow(
                series_id=series.pk,
                words=describe_stored(series.rrule, tz=series.tz, local_start=series.local_start),
                local_times=_span(series.local_start, series.duration_min),
                appointment_type=series.appointment_type.name,
                organizers=[u.first_name or u.email for u in series.organizers.order_by("first_name")],
                next_visit=next_visit,
            )
        )
    return rows


def _span(local_start: str, minutes: int) -> str:
    start = datetime.fromisoformat(local_start)
    return f"{start:%H:%M}–{start + timedelta(minutes=minutes):%H:%M}"
