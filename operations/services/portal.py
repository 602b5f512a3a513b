"""A client's changes to their visits from the portal, and the office's answer (docs/specs/portal.md §4).

One number, LATE_CANCEL_HOURS, governs both: a change is free while `starts - now >= window` (UTC instants, so
exactly 24 h 00 m 00 s ahead is free). Outside the window a client may ask to reschedule (the office decides) or
cancel at once; inside it only a cancel acknowledged as late; at or after the start, nothing.

Every service locks the visit row and checks again, inside its own transaction, that the visit belongs to a
client the user may see in the portal now, so a revoked access or a forged id changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import access
from accounts.models import User
from accounts.notify import office_notify
from clients.portal_selectors import portal_clients_for
from operations.models import Appointment, VisitChangeRequest
from operations.selectors.portal import late_cancel_window
from operations.services import visits as visit_services

POLICY_MSG = (
    "Visits can be moved or cancelled online until %(hours)s hours before they start. Closer to the visit, "
    "please call us at %(phone)s."
)
STARTED_MSG = "This visit has already started. Please call us at %(phone)s."
NOT_UPCOMING_MSG = "This visit can no longer be changed."
NOT_FOUND_MSG = "No such visit."
LATE_ACK_MSG = "Tick the box to confirm that this counts as a late cancellation."
WINDOW_REQUIRED_MSG = "Give at least one time that would suit you."
WINDOW_PAST_MSG = "%(when)s has already passed: choose a time ahead."
WINDOW_FORMAT = "%Y-%m-%d %H:%M"  # the portal form's windows(): wall times at the visit's site
ALREADY_DECIDED_MSG = "This request was already answered."
DECIDE_FORBIDDEN_MSG = "Only the owner or office can answer requests."
LATE_NOTE = ", inside the late-cancel window"


def _params() -> dict[str, Any]:
    return {"hours": settings.LATE_CANCEL_HOURS, "phone": settings.PORTAL_BUSINESS_PHONE}


def _locked_visit(*, user: User, appointment_id: int) -> Appointment:
    visit = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("client", "site")
        .filter(pk=appointment_id, client__in=portal_clients_for(user=user))
        .first()
    )
    if visit is None:
        raise ValidationError(NOT_FOUND_MSG, code="not_found")
    return visit


def _check_changeable(visit: Appointment, now: datetime) -> None:
    if visit.starts <= now:
        raise ValidationError(STARTED_MSG, code="started", params=_params())
    if not visit.is_upcoming:
        raise ValidationError(NOT_UPCOMING_MSG, code="not_upcoming")


def _visit_line(visit: Appointment) -> str:
    """The visit as the office reads it: the site's wall time with its zone (T50: it was the server's, UTC)."""
    local = visit.starts.astimezone(ZoneInfo(visit.site.time_zone))
    return f"{visit.client.name}, visit {visit.pk} on {local:%a %Y-%m-%d %H:%M} {local.tzname()}"


@transaction.atomic
def visit_reschedule_request(
    *, user: User, appointment_id: int, preferred_windows: list[str], note: str = "", now: datetime | None = None
) -> tuple[VisitChangeRequest, bool]:
    """Ask the office to move a visit. Returns (request, created): a visit's pending request is returned as it
    is, so a double-submitted form makes one request. The visit itself does not change."""
    now = now or timezone.now()
    visit = _locked_visit(user=user, appointment_id=appointment_id)
    existing = VisitChangeRequest.objects.filter(appointment=visit, status=VisitChangeRequest.Status.PENDING).first()
    if existing is not None:
        return existing, False
    _check_changeable(visit, now)
    if visit.starts - now < late_cancel_window():
        raise ValidationError(POLICY_MSG, code="inside_window", params=_params())
    windows = [w for w in preferred_windows if w]
    if not windows:
        raise ValidationError(WINDOW_REQUIRED_MSG, code="no_window")
    _check_windows_ahead(visit, preferred_windows, now)
    request = VisitChangeRequest.objects.create(
        appointment=visit, kind=VisitChangeRequest.Kind.RESCHEDULE, preferred_windows=windows, note=note,
        requested_by=user,
    )  # fmt: skip
    office_notify(
        subject=f"Reschedule request: {visit.client.name}",
        body=(
            f"{user} asked to move {_visit_line(visit)}.\n"
            f"Preferred ({visit.site.time_zone} time): {', '.join(windows)}\nNote: {note or '-'}\n"
        ),
    )
    return request, True


def _check_windows_ahead(visit: Appointment, preferred_windows: list[str], now: datetime) -> None:
    """Each preferred time given as a wall time at the visit's site ("YYYY-MM-DD HH:MM", the portal form's) lies
    ahead: the office cannot move a visit into the past (T38, docs/specs/defects.md). Errors are keyed
    preferred_1, preferred_2 by position, the portal form's fields."""
    zone = ZoneInfo(visit.site.time_zone)
    errors = {}
    for position, text in enumerate(preferred_windows, start=1):
        if not text:
            continue
        try:
            wall = datetime.strptime(text, WINDOW_FORMAT).replace(tzinfo=zone)
        except ValueError:
            continue  # free text ("Thursday morning", from the office or the demo): the office reads it
        if wall <= now:
            errors[f"preferred_{position}"] = ValidationError(
                WINDOW_PAST_MSG, code="window_past", params={"when": wall.strftime("%a %b %-d, %Y %H:%M")}
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def visit_cancel_by_client(
    *, user: User, appointment_id: int, acknowledge_late: bool, now: datetime | None = None
) -> VisitChangeRequest:
    """Cancel a visit from the portal: free outside the window; inside it only with the late acknowledgement
    (the visit becomes late_cancelled; any fee or package deduction is billing's, derived from that status)."""
    now = now or timezone.now()
    visit = _locked_visit(user=user, appointment_id=appointment_id)
    _check_changeable(visit, now)
    late = visit.starts - now < late_cancel_window()
    if late and not acknowledge_late:
        raise ValidationError({"acknowledge_late": ValidationError(LATE_ACK_MSG, code="late_not_acknowledged")})
    visit_services.appointment_cancel(appointment=visit, actor=user, by_client=True, now=now)
    VisitChangeRequest.objects.filter(appointment=visit, status=VisitChangeRequest.Status.PENDING).update(
        status=VisitChangeRequest.Status.DECLINED, decided_at=now, decision_message="The visit was cancelled."
    )
    request = VisitChangeRequest.objects.create(
        appointment=visit, kind=VisitChangeRequest.Kind.CANCEL, status=VisitChangeRequest.Status.ACCEPTED,
        late=late, requested_by=user, decided_at=now,
    )  # fmt: skip
    office_notify(
        subject=f"{'Late cancellation' if late else 'Cancellation'}: {visit.client.name}",
        body=f"{user} cancelled {_visit_line(visit)} in the portal{LATE_NOTE if late else ''}.\n",
    )
    return request


def _locked_request(*, actor: User, change_request: VisitChangeRequest) -> VisitChangeRequest:
    if not access.is_staff_role(actor):
        raise ValidationError(DECIDE_FORBIDDEN_MSG, code="forbidden")
    locked = VisitChangeRequest.objects.select_for_update().get(pk=change_request.pk)
    if locked.status != VisitChangeRequest.Status.PENDING:
        raise ValidationError(ALREADY_DECIDED_MSG, code="decided")
    return locked


@transaction.atomic
def change_request_accept(
    *, actor: User, change_request: VisitChangeRequest, starts: datetime, ends: datetime,
    allow_outside_hours: bool = False, now: datetime | None = None,
) -> VisitChangeRequest:  # fmt: skip
    """Move the visit through the ordinary reschedule service (its double-booking lock and reminder rewrite
    apply), then mark the request accepted; a refused move leaves the request pending."""
    now = now or timezone.now()
    request = _locked_request(actor=actor, change_request=change_request)
    visit_services.appointment_reschedule(
        appointment=request.appointment, starts=starts, ends=ends, actor=actor, allow_outside_hours=allow_outside_hours,
        now=now,
    )  # fmt: skip
    request.status, request.decided_by, request.decided_at = VisitChangeRequest.Status.ACCEPTED, actor, now
    request.save(update_fields=["status", "decided_by", "decided_at"])
    return request


@transaction.atomic
def change_request_decline(
    *, actor: User, change_request: VisitChangeRequest, message: str, now: datetime | None = None
) -> VisitChangeRequest:
    request = _locked_request(actor=actor, change_request=change_request)
    request.status, request.decided_by, request.decided_at = (
        VisitChangeRequest.Status.DECLINED,
        actor,
        now or timezone.now(),
    )
    request.decision_message = message
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_message"])
    return request
