"""Sizes of the scale data set and the ids one part hands to the next."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class Plan:
    years: int
    organizers: int
    clients: int
    projects: int
    visits_per_week: int  # per organizer, at most SLOTS_PER_DAY * working days
    seed: int
    today: date
    gantt_tasks: int = 300  # one project this large, for the Gantt benchmark

    def rng(self, part: str) -> random.Random:
        """One random stream per part, so changing one part never shifts another's rows."""
        return random.Random(f"{self.seed}:{part}")


@dataclass
class Visit:
    """A visit as the later parts need it (the row itself is already written)."""

    pk: int
    client: int
    organizers: list[int]
    type_pk: int
    starts: datetime
    ends: datetime
    status: str
    updated_at: datetime
    actual_start: datetime | None = None
    actual_end: datetime | None = None
    redo_of: int | None = None


@dataclass
class World:
    owner: int = 0
    office: int = 0
    organizers: list[int] = field(default_factory=list)
    clients: list[int] = field(default_factory=list)
    client_sites: dict[int, list[int]] = field(default_factory=dict)
    client_since: dict[int, date] = field(default_factory=dict)
    client_organizer: dict[int, int] = field(default_factory=dict)
    types: list[tuple[int, int, Decimal]] = field(default_factory=list)  # (pk, duration, rate)
    visits: list[Visit] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
