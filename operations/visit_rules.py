"""When a visit's actions on the day are accepted (docs/specs/defects.md T3, T24), in one place: the service
refuses by it and My day, the visit page and a session's card offer by it, so no page shows a button that only
produces an error.

Pure: statuses are the plain strings of Appointment.Status, times are aware datetimes, and the caller passes
`now` and how early "Start" opens (the VISIT_START_EARLY_MINUTES setting).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

UPCOMING = frozenset({"scheduled", "confirmed"})

# action -> (the statuses it applies to, the status it leads to). "client_cancel" is appointment_cancel's
# business (it frees the busy time and the reminders); it is listed so the pages offer it by the same rule.
PROGRESS: dict[str, tuple[frozenset[str], str]] = {
    "start": (UPCOMING, "in_progress"),
    "complete": (UPCOMING | {"in_progress"}, "completed"),
    "no_show": (UPCOMING, "no_show"),
    "needs_redo": (frozenset({"completed", "in_progress"}), "needs_redo"),
}
CLIENT_CANCEL = "client_cancel"
ACTIONS = ("start", "complete", CLIENT_CANCEL, "no_show", "needs_redo")  # the order the pages show them in
LABELS = {
    "start": "Start",
    "complete": "Complete",
    CLIENT_CANCEL: "Client cancelled",
    "no_show": "No-show",
    "needs_redo": "Needs redo",
}


def status_allows(action: str, status: str) -> bool:
    if action == CLIENT_CANCEL:
        return status in UPCOMING
    return status in PROGRESS[action][0]


def opens_at(action: str, *, starts: datetime, actual_start: datetime | None, early: timedelta) -> datetime | None:
    """The first instant `action` is accepted, or None when the clock never stands in its way.

    Nothing is finished before it starts: complete, no-show and needs redo wait for the visit's start (its
    actual start once started early); "Start" opens `early` before the start; a client may cancel ahead of time.
    """
    if action == CLIENT_CANCEL:
        return None
    if action == "start":
        return starts - early
    return actual_start or starts


@dataclass(frozen=True)
class DayAction:
    action: str
    label: str
    open_now: bool
    opens: datetime | None  # when it opens, for an action only the clock holds back


def day_actions(
    *, status: str, starts: datetime, actual_start: datetime | None, now: datetime, early: timedelta
) -> list[DayAction]:
    """Every action the visit's status allows, in page order: open now, or with the instant it opens."""
    actions = []
    for action in ACTIONS:
        if not status_allows(action, status):
            continue
        opens = opens_at(action, starts=starts, actual_start=actual_start, early=early)
        actions.append(DayAction(action, LABELS[action], opens is None or now >= opens, opens))
    return actions
