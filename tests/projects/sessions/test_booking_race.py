"""Two office users booking sessions of one task on the same day for different organizers, at the same moment
(docs/specs/one-schedule.md §2, T42): real concurrent transactions on PostgreSQL. Their busy blocks do not clash,
so only the task lock keeps the limit of sessions per task per day. Own module: it commits."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection

from projects.models import WorkSession
from projects.sessions import services
from tests.projects.sessions import world as w_world
from tests.projects.sessions.world import NOW, at


@pytest.mark.django_db(transaction=True)
def test_T42_two_bookings_of_one_task_on_one_day_at_once_book_one():
    w = w_world.build()
    task, day = w.t["C"], date(2026, 6, 12)
    before = WorkSession.objects.filter(task=task).count()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def book(organizer, hour: int) -> None:
        try:
            barrier.wait(timeout=10)
            services.task_session_book(
                task=task, starts=at(day, hour), ends=at(day, hour + 2), organizers=[organizer], now=NOW,
                confirm_outside_window=True,
            )  # fmt: skip
            outcomes.append("booked")
        except ValidationError as exc:
            outcomes.append(exc.code or "error")
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=book, args=a) for a in ((w.olivia, 9), (w.sam, 13))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["booked", "per_day"]
    assert WorkSession.objects.filter(task=task).count() == before + 1
