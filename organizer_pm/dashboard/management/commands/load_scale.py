"""`manage.py load_scale`: a deterministic business of several years for benchmarks (docs/PERFORMANCE.md).

About 600 clients, 120,000 visits, 1,500 projects, 200,000 stock moves, invoices and payments for the defaults
(`--years 5 --organizers 20`); the same seed and `--today` give the same rows. Refuses a database that holds
clients or users unless `--wipe` is given. Backfills the KPI rollups afterwards when that command is installed.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from organizer_pm.dashboard.scale.load import backfill, load
from organizer_pm.dashboard.scale.plan import Plan
from projects.dates import business_today


class Command(BaseCommand):
    help = "Build the scale data set (years of visits, projects, stock and billing) with bulk inserts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--years", type=int, default=5)
        parser.add_argument("--organizers", type=int, default=20)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--clients", type=int, default=None, help="Default: 30 per organizer.")
        parser.add_argument("--projects", type=int, default=None, help="Default: 300 per year.")
        parser.add_argument("--visits-per-week", type=int, default=23, help="Per organizer (at most 24).")
        parser.add_argument("--today", type=date.fromisoformat, default=None, help="Default: the business today.")
        parser.add_argument("--wipe", action="store_true", help="Erase every row of the app first.")
        parser.add_argument("--no-backfill", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["years"] < 1 or options["organizers"] < 1:
            raise CommandError("--years and --organizers must be at least 1.")
        plan = Plan(
            years=options["years"], organizers=options["organizers"],
            clients=options["clients"] or 30 * options["organizers"],
            projects=options["projects"] if options["projects"] is not None else 300 * options["years"],
            visits_per_week=min(options["visits_per_week"], 24), seed=options["seed"],
            today=options["today"] or business_today(),
        )  # fmt: skip
        started = time.perf_counter()
        try:
            world = load(plan, out=self.stdout.write, do_wipe=options["wipe"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(", ".join(f"{v:,} {k}" for k, v in world.counts.items() if k != "seconds"))
        if not options["no_backfill"]:
            backfill(plan, self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Scale data set loaded in {time.perf_counter() - started:.0f} s."))
