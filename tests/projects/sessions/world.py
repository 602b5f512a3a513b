"""Fixture W of docs/specs/one-schedule.md §6: the worked example on Wed 2026-06-10 with its people, visits,
time off and sessions. The stored schedule is OS1's status run (the status run writes these columns; here
they are set directly so these tests do not depend on it)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from operations.models import OrganizerBlock, TimeOff
from operations.services import visits as op_visits
from projects import demo
from projects.models import Task, TimeEntry
from projects.sessions import services
from tests.accounts.factories import UserFactory
from tests.clients.factories import ClientFactory, SiteFactory
from tests.operations.factories import AppointmentTypeFactory
from tests.support.projects import worked_task

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 6, 10, 8, 0, tzinfo=NY)  # Wed 06-10 08:00 EDT
BOOKED_ON = datetime(2026, 6, 3, 8, 0, tzinfo=NY)

# key: (assignees, on site, estimate hours)
TASKS = {
    "A": ("o", True, 4), "B": ("p", False, 3), "E": ("p", False, 2), "C": ("os", True, 24), "D": ("m", True, 40),
    "F": ("os", True, 12), "G": ("os", True, 16), "H": ("m", True, 2), "I": ("os", True, 48), "J": ("m", True, 3),
    "K": ("o", True, 1),
}  # fmt: skip
# OS1: key -> (ES, EF, LS, LF, TF)
OS1 = {
    "A": (0, 2, 0, 2, 0), "B": (7, 10, 13, 16, 6), "E": (7, 8, 7, 8, 0), "C": (7, 11, 7, 11, 0),
    "D": (10, 15, 10, 15, 0), "F": (14, 16, 14, 16, 0), "H": (11, 12, 19, 20, 8), "G": (16, 17, 16, 17, 0),
    "I": (17, 20, 17, 20, 0), "J": (13, 17, 16, 20, 3), "K": (20, 20, 20, 20, 0),
}  # fmt: skip


def at(day: date, hh: int, mm: int = 0) -> datetime:
    """A New York wall time as an aware UTC instant."""
    return datetime.combine(day, time(hh, mm), tzinfo=NY).astimezone(UTC)


def store_os1(project) -> None:
    """Write OS1's stored schedule onto the tasks (what the status run at 06-10 stores)."""
    for key, (es, ef, ls, lf, tf) in OS1.items():
        Task.objects.filter(pk=worked_task(project, key).pk).update(
            es=es, ef=ef, ls=ls, lf=lf, total_float=tf, is_critical=tf == 0
        )


def build(*, sessions: bool = True) -> SimpleNamespace:
    w = SimpleNamespace()
    w.olivia = UserFactory(first_name="Olivia", last_name="Ortiz", email="olivia.w@example.com")
    w.sam = UserFactory(first_name="Sam", last_name="Silva", email="sam.w@example.com")
    w.max = UserFactory(first_name="Max", last_name="Moreau", email="max.w@example.com")
    w.priya = UserFactory(first_name="Priya", last_name="Patel", email="priya.w@example.com", role="office")
    people = {"o": w.olivia, "s": w.sam, "m": w.max, "p": w.priya}
    w.client = ClientFactory(name="Smith household")
    w.site = SiteFactory(client=w.client, time_zone="America/New_York")
    w.project = demo.worked_example_create(client=w.client)
    w.t = {key: worked_task(w.project, key) for key in OS1}
    for key, (who, on_site, hours) in TASKS.items():
        Task.objects.filter(pk=w.t[key].pk).update(on_site=on_site, estimate_hours=Decimal(hours))
        w.t[key].assignees.set([people[c] for c in who])
    Task.objects.filter(pk=w.t["A"].pk).update(
        progress_pct=100, status="done", actual_start=date(2026, 6, 1), actual_finish=date(2026, 6, 2)
    )
    Task.objects.filter(pk=w.t["E"].pk).update(progress_pct=50, status="doing", actual_start=date(2026, 6, 3))
    TimeEntry.objects.create(task=w.t["A"], organizer=w.olivia, worked_on=date(2026, 6, 1), minutes=240)
    TimeEntry.objects.create(task=w.t["E"], organizer=w.priya, worked_on=date(2026, 6, 3), minutes=60)
    store_os1(w.project)
    w.t = {key: Task.objects.get(pk=t.pk) for key, t in w.t.items()}
    w.jones = ClientFactory(name="Jones household")
    jones_site = SiteFactory(client=w.jones, time_zone="America/New_York")
    w.lee = ClientFactory(name="Lee household")
    lee_site = SiteFactory(client=w.lee, time_zone="America/New_York")
    tidy = AppointmentTypeFactory(name="Tidy", default_travel_min=30, checklist="")
    w.jones_visit = op_visits.appointment_book(
        client=w.jones, site=jones_site, appointment_type=tidy, organizers=[w.olivia],
        starts=at(date(2026, 6, 10), 9), ends=at(date(2026, 6, 10), 11), now=BOOKED_ON,
    )  # fmt: skip
    op_visits.appointment_book(
        client=w.jones, site=jones_site, appointment_type=tidy, organizers=[w.olivia],
        starts=at(date(2026, 6, 23), 9), ends=at(date(2026, 6, 23), 11), now=BOOKED_ON,
    )  # fmt: skip
    op_visits.appointment_book(
        client=w.lee, site=lee_site, appointment_type=tidy, organizers=[w.olivia],
        starts=at(date(2026, 6, 25), 13), ends=at(date(2026, 6, 25), 16), now=BOOKED_ON,
    )  # fmt: skip
    off = TimeOff.objects.create(
        organizer=w.olivia, starts=at(date(2026, 6, 26), 0), ends=at(date(2026, 6, 27), 0), reason="Day off"
    )
    op_visits.time_off_approve(time_off=off)
    w.sessions = {}
    if sessions:
        book = [
            ("D1", "D", [w.max], date(2026, 6, 15), 9, 17), ("D2", "D", [w.max], date(2026, 6, 16), 9, 17),
            ("F", "F", [w.olivia, w.sam], date(2026, 6, 22), 9, 15),
            ("G", "G", [w.olivia, w.sam], date(2026, 6, 16), 9, 17),
            ("H", "H", [w.max], date(2026, 6, 17), 9, 10),
        ]  # fmt: skip
        for name, key, who, day, h1, h2 in book:
            w.sessions[name] = services.task_session_book(
                task=w.t[key], starts=at(day, h1), ends=at(day, h2), organizers=who, now=BOOKED_ON,
                confirm_outside_window=True,
            )  # fmt: skip
    return w


def blocks_of(user) -> list[OrganizerBlock]:
    return list(OrganizerBlock.objects.filter(organizer=user, status="active").order_by("starts"))


ONE_HOUR = timedelta(hours=1)
