"""Operator's integrity check: recompute every stock level from the ledger; exit 1 on any difference."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from operations.selectors import inventory


class Command(BaseCommand):
    help = "Recompute stock levels from the move ledger and report differences or negative levels."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = inventory.inventory_audit()
        for p in problems:
            self.stdout.write(f"{p.item} @ {p.location}: cached {p.cached}, ledger {p.ledger}")
        if problems:
            raise CommandError(f"{len(problems)} stock level(s) differ from the ledger.")
        self.stdout.write(self.style.SUCCESS("Every stock level matches the ledger."))
