"""Benchmark: the capacity view (20 organizers × 8 ISO weeks) and the unbooked-work list, side by side with a
named baseline, the calendar's events for one week and all organizers (a page of the same scope that already
met its target).

Run: `.venv/bin/python bench/sessions.py` (its own database, `bench_sessions`, on the app's PostgreSQL server:
the embedded one or DATABASE_URL's; seeded once, `--reseed` drops and seeds it again). Target (docs/specs/
one-schedule.md): p95 at most 150 ms for each, with a query count that does not grow with the data.

The fixture, relative to today in the business zone: 20 organizers working Mon–Fri 09:00–17:00, 60 clients with a
site each, 30 open projects of 20 on-site leaf tasks (2 assignees, 8–40 h estimated, windows from the plain CPM
schedule) and one off-site task each, so 630 tasks; over the next 8 weeks, per organizer and working day a 2-hour
visit with 30 min travel (800 visits) and, every other day, a 3-hour session of one of their tasks (400
sessions, 800 busy blocks with the co-assignee); one approved day off per organizer. Rows are bulk-created with
the values the services write.

Measured through Django's test client in-process (real middleware, templates, ORM) as an office user: p50 / p95
of 20 requests after 3 warm-ups, and the SQL queries of one request, at the full data set and at a quarter of
the projects (the query count must be the same). Results go to docs/PERFORMANCE.md by hand.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

# bench/ must not be on the path: bench/calendar.py would shadow the standard library's calendar module.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "organizer_pm.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

DB = "bench_sessions"
ORGANIZERS, CLIENTS, PROJECTS, TASKS, WEEKS, RUNS = 20, 60, 30, 20, 8, 20
NY = ZoneInfo("America/New_York")


def use_database(name: str, *, reseed: bool) -> None:
    connections["default"].close()
    settings.DATABASES["default"]["NAME"] = "organizer_pm"
    settings.DATABASES["default"]["TEST"]["NAME"] = name
    connections["default"].creation.create_test_db(verbosity=0, autoclobber=True, keepdb=not reseed)


def local(day, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=NY).astimezone(UTC)


def seed() -> None:
    from accounts.services import user_create
    from clients.models import Client as Customer
    from clients.models import Site
    from operations.models import Appointment, OrganizerBlock, TimeOff
    from operations.services.sessions import session_appointment_type
    from projects import planning
    from projects import services as project_services
    from projects.dates import business_today
    from projects.models import Project, Task, WorkSession
    from tests.operations.factories import AppointmentTypeFactory

    if Project.objects.filter(is_template=False).exists():
        return
    started = time.perf_counter()
    user_create(actor=None, email="bench-office@example.com", role="office", password=None, first_name="Office")
    organizers = [
        user_create(actor=None, email=f"org{n}@example.com", role="organizer", password=None, first_name=f"Org{n:02d}")
        for n in range(ORGANIZERS)
    ]
    clients = Customer.objects.bulk_create([Customer(name=f"Client {n:03d} household") for n in range(CLIENTS)])
    sites = Site.objects.bulk_create(
        [Site(client=c, street=f"{n} Elm Street", city="Montclair", time_zone="America/New_York")
         for n, c in enumerate(clients)]
    )  # fmt: skip
    today = business_today()
    monday = today - timedelta(days=today.weekday())
    days = [monday + timedelta(days=i) for i in range(7 * WEEKS) if (monday + timedelta(days=i)).weekday() < 5]
    visit_type = AppointmentTypeFactory(name="Bench visit", default_duration_min=120, default_travel_min=30)
    session_type = session_appointment_type()
    tasks_by_org: dict[int, list[Task]] = {o.pk: [] for o in organizers}
    for p in range(PROJECTS):
        project = project_services.project_create(
            data={"client": clients[p], "name": f"Project {p:02d}", "start_on": today - timedelta(days=7),
                  "status": Project.Status.ACTIVE}
        )  # fmt: skip
        rows = [
            Task(project=project, name=f"Task {p:02d}.{t:02d}", duration_wd=1 + (t % 5), position=t,
                 estimate_hours=Decimal(8 + 8 * (t % 5)), on_site=t < TASKS)
            for t in range(TASKS + 1)
        ]  # fmt: skip
        Task.objects.bulk_create(rows)
        for t, task in enumerate(rows):
            a, b = organizers[(p + t) % ORGANIZERS], organizers[(p + t + 1) % ORGANIZERS]
            task.assignees.set([a, b])
            tasks_by_org[a.pk].append(task)
        planning.project_schedule_recalculate(project=project)
    appts, who = [], []
    for n, organizer in enumerate(organizers):
        for d, day in enumerate(days):
            appts.append(Appointment(
                client=clients[(n + d) % CLIENTS], site=sites[(n + d) % CLIENTS], appointment_type=visit_type,
                starts=local(day, 9), ends=local(day, 11), blocked_until=local(day, 11, 30),
            ))  # fmt: skip
            who.append([organizer])
            if d % 2 == 0 and tasks_by_org[organizer.pk]:
                task = tasks_by_org[organizer.pk][d % len(tasks_by_org[organizer.pk])]
                partner = organizers[(n + 1) % ORGANIZERS]
                # Pairs share their 12:00 session; the second of a pair also works alone from 14:30.
                start = (12, 0) if n % 2 == 0 else (14, 30)
                ends = local(day, start[0] + 2, start[1])
                appts.append(Appointment(
                    client=task.project.client, site=sites[clients.index(task.project.client)],
                    appointment_type=session_type, category="project_session",
                    title=f"{task.project.name} · {task.name}", starts=local(day, *start), ends=ends,
                    blocked_until=ends + timedelta(minutes=30),
                ))  # fmt: skip
                who.append([organizer, partner] if n % 2 == 0 else [organizer])
                appts[-1]._task = task  # type: ignore[attr-defined]
    made = Appointment.objects.bulk_create(appts, batch_size=2000)
    through = Appointment.organizers.through
    through.objects.bulk_create(
        [through(appointment_id=a.pk, user_id=o.pk) for a, people in zip(made, who, strict=True) for o in people],
        batch_size=5000,
    )
    OrganizerBlock.objects.bulk_create(
        [OrganizerBlock(organizer=o, kind="appointment", appointment=a, starts=a.starts, ends=a.ends,
                        blocked_until=a.blocked_until)
         for a, people in zip(made, who, strict=True) for o in people],
        batch_size=5000,
    )  # fmt: skip
    WorkSession.objects.bulk_create(
        [WorkSession(task=a._task, appointment=a) for a in made if a.category == "project_session"]  # type: ignore[attr-defined]
    )
    for n, organizer in enumerate(organizers):
        off = days[(n * 3) % len(days)]
        time_off = TimeOff.objects.create(
            organizer=organizer, starts=local(off, 0), ends=local(off + timedelta(days=1), 0), status="approved"
        )
        OrganizerBlock.objects.filter(
            organizer=organizer, starts__gte=time_off.starts, starts__lt=time_off.ends
        ).update(status="cancelled")
        OrganizerBlock.objects.create(organizer=organizer, kind="time_off", time_off=time_off, starts=time_off.starts,
                                      ends=time_off.ends, blocked_until=time_off.ends)  # fmt: skip
    print(f"seeded in {time.perf_counter() - started:.0f} s", flush=True)


def measure(client: Client, url: str, runs: int = RUNS) -> tuple[float, float, float, int]:
    """p50 and p95 wall time, p50 CPU time of this process (Python's share, steadier on a loaded machine), and
    the query count of one request."""
    for _ in range(3):
        assert client.get(url).status_code == 200, url
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        client.get(url)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    wall.sort()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return statistics.median(wall), wall[max(int(len(wall) * 0.95) - 1, 0)], statistics.median(cpu), len(queries)


def main() -> None:
    from accounts.models import User
    from operations.models import Appointment
    from projects.dates import business_today
    from projects.models import Project, Task, WorkSession

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.SECURE_SSL_REDIRECT = False
    use_database(DB, reseed="--reseed" in sys.argv)
    seed()
    with connection.cursor() as cursor:  # bulk-loaded tables: give the planner real row counts, as autovacuum would
        cursor.execute("ANALYZE")
    print(
        f"{User.objects.filter(role='organizer').count()} organizers, {Project.objects.count()} projects, "
        f"{Task.objects.count()} tasks, {Appointment.objects.filter(category='visit').count()} visits, "
        f"{WorkSession.objects.count()} sessions; load {os.getloadavg()[0]:.1f}"
    )
    client = Client()
    client.force_login(User.objects.get(email="bench-office@example.com"))
    today = business_today()
    monday = today - timedelta(days=today.weekday())
    start, end = local(monday, 0), local(monday + timedelta(days=7), 0)
    pages = [
        ("baseline: calendar events, one week, all organizers", reverse("operations:calendar_events")
         + f"?start={start.isoformat().replace('+', '%2B')}&end={end.isoformat().replace('+', '%2B')}"),
        ("capacity, 20 organizers × 8 weeks", reverse("projects:capacity")),
        ("unbooked work (630 tasks, 30 projects)", reverse("projects:unbooked_work")),
    ]  # fmt: skip
    print("| page | p50 ms | p95 ms | CPU p50 ms | queries |")
    print("|---|---:|---:|---:|---:|")
    for label, url in pages:
        p50, p95, cpu, queries = measure(client, url)
        print(f"| {label} | {p50:.0f} | {p95:.0f} | {cpu:.0f} | {queries} |", flush=True)
    # Same pages with three quarters of the projects closed: the query count must not change.
    closed = list(
        Project.objects.filter(is_template=False).order_by("pk")[PROJECTS // 4 :].values_list("pk", flat=True)
    )
    Project.objects.filter(pk__in=closed).update(status="completed")
    try:
        for label, url in pages[1:]:
            p50, p95, cpu, queries = measure(client, url, runs=5)
            print(
                f"| {label}, a quarter of the projects open | {p50:.0f} | {p95:.0f} | {cpu:.0f} | {queries} |",
                flush=True,
            )
    finally:
        Project.objects.filter(pk__in=closed).update(status="active")


if __name__ == "__main__":
    main()
