"""Benchmark: previewing the ICS import of a 500-event calendar (issue 15: at most 2 s).

Run: `.venv/bin/python bench/ics_import.py` (uses its own database, `bench_ics_import`, on the same PostgreSQL
server as the app; `--repeat N`). It seeds one client site, two organizers and a year of their existing bookings
(3 a weekday each, so the clash check has blocks to search), then times `ics_plan` on a generated calendar of 500
VEVENTs as Google or Outlook write them: 100 weekly or monthly series in America/New_York (every fifth with
EXDATEs, every tenth with a moved instance and every twentieth with a RANGE=THISANDFUTURE override), and 370
one-off events, some in the past and some all-day. The figure is the median of `--repeat` runs after one warm-up.
Results go to docs/PERFORMANCE.md by hand (the script prints a Markdown table).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

# Run as a script, Python puts bench/ first on sys.path, where bench/calendar.py would shadow the standard
# library's `calendar` module. Put the repository root there instead.
BENCH_DIR = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(BENCH_DIR.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "organizer_pm.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connections  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

BENCH_DB = "bench_ics_import"
NOW = datetime(2027, 3, 1, 5, tzinfo=UTC)


def seed() -> tuple[object, list[object]]:
    from accounts.models import User
    from accounts.services import organizer_profile_ensure
    from operations.models import Appointment, AppointmentType, OrganizerBlock
    from tests.clients.factories import ClientFactory, SiteFactory

    kind, _ = AppointmentType.objects.get_or_create(name="Bench import", defaults={"default_duration_min": 60})
    organizers = []
    for n in range(2):
        user, _ = User.objects.get_or_create(email=f"ics{n}@example.com", defaults={"role": "organizer"})
        organizer_profile_ensure(user=user)
        organizers.append(user)
    site = SiteFactory(client=ClientFactory(), time_zone="America/New_York")
    if not Appointment.objects.exists():
        other = SiteFactory(client=ClientFactory(), time_zone="America/New_York")
        visits, owners = [], []
        day = date(2027, 3, 1)
        while day < date(2028, 3, 1):
            if day.weekday() < 5:
                for organizer in organizers:
                    for slot in range(3):
                        starts = datetime(day.year, day.month, day.day, 12 + slot * 2, 40, tzinfo=UTC)
                        visits.append(Appointment(client_id=other.client_id, site=other, appointment_type=kind,
                                                  starts=starts, ends=starts + timedelta(hours=1),
                                                  blocked_until=starts + timedelta(hours=1)))  # fmt: skip
                        owners.append(organizer)
            day += timedelta(days=1)
        Appointment.objects.bulk_create(visits, batch_size=2000)
        OrganizerBlock.objects.bulk_create(
            [OrganizerBlock(organizer=o, kind="appointment", appointment=v, starts=v.starts, ends=v.ends,
                            blocked_until=v.blocked_until) for v, o in zip(visits, owners, strict=True)],
            batch_size=5000,
        )  # fmt: skip
    return site, organizers


def calendar_500() -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bench//EN"]
    tz = "TZID=America/New_York"
    for n in range(100):
        day = date(2027, 3, 1) + timedelta(days=n % 28)
        start = f"{day:%Y%m%d}T{8 + n % 8:02d}0000"
        end = f"{day:%Y%m%d}T{9 + n % 8:02d}0000"
        rule = "FREQ=WEEKLY;INTERVAL=2;WKST=SU" if n % 2 else f"FREQ=MONTHLY;BYMONTHDAY={day.day}"
        event = [f"UID:series-{n}@bench", f"SUMMARY:Series {n}", f"DTSTART;{tz}:{start}", f"DTEND;{tz}:{end}",
                 f"RRULE:{rule}"]  # fmt: skip
        if n % 5 == 0:
            event.append(f"EXDATE;{tz}:{(day + timedelta(days=28 if n % 2 == 0 else 14)):%Y%m%d}T{8 + n % 8:02d}0000")
        lines += ["BEGIN:VEVENT", *event, "END:VEVENT"]
        if n % 10 == 1:
            moved = day + timedelta(days=14)
            lines += ["BEGIN:VEVENT", f"UID:series-{n}@bench", f"SUMMARY:Series {n}",
                      f"RECURRENCE-ID;{tz}:{moved:%Y%m%d}T{8 + n % 8:02d}0000",
                      f"DTSTART;{tz}:{moved:%Y%m%d}T170000", f"DTEND;{tz}:{moved:%Y%m%d}T180000",
                      "END:VEVENT"]  # fmt: skip
        if n % 20 == 3:
            split = day + timedelta(days=56)
            lines += ["BEGIN:VEVENT", f"UID:series-{n}@bench", f"SUMMARY:Series {n}",
                      f"RECURRENCE-ID;RANGE=THISANDFUTURE;{tz}:{split:%Y%m%d}T{8 + n % 8:02d}0000",
                      f"DTSTART;{tz}:{split:%Y%m%d}T180000", f"DTEND;{tz}:{split:%Y%m%d}T190000",
                      "END:VEVENT"]  # fmt: skip
    count = sum(1 for line in lines if line == "BEGIN:VEVENT")
    n = 0
    while count < 500:
        day = date(2027, 1, 1) + timedelta(days=n % 300)
        if n % 25 == 0:
            body = [f"DTSTART;VALUE=DATE:{day:%Y%m%d}"]
        else:
            body = [f"DTSTART:{day:%Y%m%d}T{13 + n % 6:02d}0000Z", f"DTEND:{day:%Y%m%d}T{14 + n % 6:02d}0000Z"]
        lines += ["BEGIN:VEVENT", f"UID:one-{n}@bench", f"SUMMARY:One-off {n}", *body, "END:VEVENT"]
        n += 1
        count += 1
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    setup_test_environment()
    settings.DATABASES["default"]["TEST"]["NAME"] = BENCH_DB
    connections["default"].creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True)
    from operations.services import ics_import

    site, organizers = seed()
    data = calendar_500()

    def run() -> object:
        return ics_import.ics_plan(
            data=data, site=site, organizers=organizers, default_duration_min=60, travel_min=0, now=NOW
        )

    plan = run()
    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    print(f"{len(data) // 1024} KB, 500 VEVENTs: {len(plan.series)} series, {len(plan.visits)} one-offs, "  # type: ignore[attr-defined]
          f"{len(plan.skipped)} skipped, {len(plan.clashes)} clashes")  # type: ignore[attr-defined]  # fmt: skip
    print("| what | median ms | runs |\n|---|---:|---:|")
    print(f"| preview (ics_plan) of a 500-event calendar | {statistics.median(times):.0f} | {args.repeat} |")


if __name__ == "__main__":
    main()
