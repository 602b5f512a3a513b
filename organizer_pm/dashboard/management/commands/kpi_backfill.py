"""Roll up the KPI components of any range of local days, with a progress bar (docs/specs/kpis.md §3)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from rich.progress import Progress

from organizer_pm.dashboard import rollups


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"Not a date (YYYY-MM-DD): {text}") from exc


class Command(BaseCommand):
    help = "Recompute the daily KPI tables for local days START to END (inclusive)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("start", type=_day)
        parser.add_argument("end", type=_day)

    def handle(self, *args: Any, start: date, end: date, **options: Any) -> None:
        if end < start:
            raise CommandError("The end date is before the start date.")
        total = (end - start).days + 1
        with Progress(disable=options["verbosity"] == 0) as progress:
            bar = progress.add_task("Rolling up KPI days", total=total)
            done = rollups.rollup_range(start, end, progress=lambda day: progress.advance(bar))
        self.stdout.write(f"Rolled up {done} days from {start} to {end}.")
