"""Authorization-matrix rows for work sessions, unbooked work and capacity (docs/specs/one-schedule.md), merged by
tests/authz/rules.py. Office books and plans; organizers see and complete the sessions they are booked on."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def rules(*, page: Any, obj: Any, Rule: Any) -> dict[str, Any]:
    staff_only_user = Rule("GET", "user", {"owner": (200, 200, 404), "office": (200, 200, 404),
                                           "organizer": (403, 403, 403)})  # fmt: skip
    return {
        "projects:session_book": obj("ptask", owner=200, office=200, organizer=403),
        "projects:session_slots": obj("ptask", owner=200, office=200, organizer=403),
        "projects:session_detail": obj("wsession", owner=200, office=200, organizer=200),
        "projects:session_panel": obj("wsession", owner=200, office=200, organizer=200),
        "projects:session_complete": obj("wsession", owner=200, office=200, organizer=200),
        "projects:session_checklist": obj("wsession", "POST", owner=400, office=400, organizer=400),  # no item
        "projects:task_checklist": obj("ptask", owner=200, office=200, organizer=403),
        "projects:unbooked_work": page(owner=200, office=200, organizer=403),
        "projects:capacity": page(owner=200, office=200, organizer=403),
        "projects:capacity_cell": staff_only_user,
    }


def objects_for(*, task: Any, organizer: Any) -> dict[str, Any]:
    """A scheduled session of `task` for `organizer` (outside the task's window, confirmed)."""
    from projects.sessions import services

    session = services.task_session_book(
        task=task, starts=datetime(2030, 1, 9, 15, tzinfo=UTC), ends=datetime(2030, 1, 9, 17, tzinfo=UTC),
        organizers=[organizer], confirm_outside_window=True, allow_outside_hours=True,
    )  # fmt: skip
    return {"wsession": session}
