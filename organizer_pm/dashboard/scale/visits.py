"""Recurring series, visits and busy blocks of the scale data set.

Visits sit on a grid: each organizer has four 90-minute slots a day (9:00, 11:00, 13:00, 15:00 local, each
followed by 30 minutes of travel), Monday to Saturday. A slot holds at most one visit per organizer, so the busy
blocks never overlap (the exclusion constraint checks it again when they are written). Series are placed first
(an occurrence whose slot is taken becomes an exception date), then one-off visits fill free slots.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from clients.models import ClientAssignment
from operations.models import Appointment, OrganizerBlock, RecurringSeries
from organizer_pm.dashboard.scale.bulk import copy_rows, reserve_ids
from organizer_pm.dashboard.scale.plan import Plan, Visit, World

ZONE = ZoneInfo("America/New_York")
SLOTS = (time(9), time(11), time(13), time(15))
BOOKED, TRAVEL = timedelta(minutes=90), timedelta(minutes=30)
SERIES_AHEAD, ONE_OFF_AHEAD = 60, 21  # days after today that hold series visits, one-off visits
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA"]
CHECKLIST = [{"text": "Photos before", "done": False}, {"text": "Sort and purge", "done": False}]


def local(day: date, slot: int) -> datetime:
    return datetime.combine(day, SLOTS[slot], tzinfo=ZONE).astimezone(UTC)


class Grid:
    def __init__(self, plan: Plan, world: World) -> None:
        self.plan, self.world = plan, world
        self.first_day = plan.today - timedelta(days=365 * plan.years)
        self.taken: set[tuple[int, date, int]] = set()
        self.placed: list[tuple[datetime, int, list[int], int, int | None, datetime | None]] = []
        self.series_rows: list[dict] = []
        self.series_orgs: list[tuple[int, int]] = []
        self.until: dict[int, date] = {}  # client -> last day they book

    def free(self, organizer: int, day: date, slot: int) -> bool:
        return (organizer, day, slot) not in self.taken

    def place(self, client: int, organizers: list[int], day: date, slot: int, series: int | None) -> None:
        for organizer in organizers:
            self.taken.add((organizer, day, slot))
        starts = local(day, slot)
        self.placed.append((starts, client, organizers, day.toordinal(), series, starts if series else None))


def _client_ends(plan: Plan, world: World, grid: Grid) -> None:
    rng = plan.rng("client-ends")
    for client in world.clients:
        since = max(world.client_since[client], grid.first_day)
        # A third of the clients finished with us; the others keep booking.
        if rng.random() < 0.33:
            grid.until[client] = min(since + timedelta(days=rng.randrange(60, 900)), plan.today)
        else:
            grid.until[client] = plan.today + timedelta(days=SERIES_AHEAD)


def _series(plan: Plan, world: World, grid: Grid) -> None:
    rng = plan.rng("series")
    chosen = [c for c in world.clients if rng.random() < 0.35]
    pk = reserve_ids(RecurringSeries, len(chosen))
    for client in chosen:
        organizer = world.client_organizer[client]
        weekday, slot = rng.randrange(6), rng.randrange(len(SLOTS))
        interval = rng.choice((1, 2, 2, 2, 4))
        since = max(world.client_since[client], grid.first_day) + timedelta(days=rng.randrange(0, 60))
        first = since + timedelta(days=(weekday - since.weekday()) % 7)
        last = min(grid.until[client], plan.today + timedelta(days=SERIES_AHEAD))
        if first > last:
            continue
        ends_early = grid.until[client] <= plan.today
        rule = f"FREQ=WEEKLY;INTERVAL={interval};BYDAY={WEEKDAYS[weekday]}"
        if ends_early:
            rule += f";UNTIL={last:%Y%m%d}T235959Z"
        start_local = datetime.combine(first, SLOTS[slot])
        exdates = []
        day = first
        while day <= last:
            if grid.free(organizer, day, slot):
                grid.place(client, [organizer], day, slot, pk)
            else:
                exdates.append(datetime.combine(day, SLOTS[slot]).isoformat())
            day += timedelta(days=7 * interval)
        site = world.client_sites[client][0]
        grid.series_rows.append({
            "id": pk, "client_id": client, "site_id": site, "appointment_type_id": world.types[2][0],
            "tz": "America/New_York", "local_start": start_local.isoformat(), "duration_min": 90, "travel_min": 30,
            "rrule": rule, "exdates": exdates, "parent_series_id": None, "sequence": 0, "notes": "",
            "created_at": datetime.combine(since, time(12), tzinfo=UTC), "created_by_id": world.office,
        })  # fmt: skip
        grid.series_orgs.append((pk, organizer))
        pk += 1


def _one_offs(plan: Plan, world: World, grid: Grid) -> None:
    rng = plan.rng("one-offs")
    share = min(plan.visits_per_week / (6 * len(SLOTS)), 1.0)
    by_organizer: dict[int, list[int]] = {}
    for client in world.clients:
        by_organizer.setdefault(world.client_organizer[client], []).append(client)
    day = grid.first_day
    end = plan.today + timedelta(days=ONE_OFF_AHEAD)
    organizers = world.organizers
    while day <= end:
        if day.weekday() < 6:
            for index, organizer in enumerate(organizers):
                active = [c for c in by_organizer.get(organizer, ())
                          if world.client_since[c] <= day <= grid.until[c]]  # fmt: skip
                for slot in range(len(SLOTS)):
                    if not active or not grid.free(organizer, day, slot) or rng.random() >= share:
                        continue
                    team = [organizer]
                    partner = organizers[(index + 1) % len(organizers)]
                    if partner != organizer and rng.random() < 0.05 and grid.free(partner, day, slot):
                        team.append(partner)
                    grid.place(active[rng.randrange(len(active))], team, day, slot, None)
        day += timedelta(days=1)


def _status(rng, starts: datetime, now: datetime) -> str:
    if starts >= now:
        roll = rng.random()
        return "cancelled" if roll < 0.03 else "confirmed" if roll < 0.33 else "scheduled"
    roll = rng.random()
    for limit, status in ((0.05, "cancelled"), (0.08, "late_cancelled"), (0.10, "no_show"), (0.115, "needs_redo")):
        if roll < limit:
            return status
    return "completed"


def _write(plan: Plan, world: World, grid: Grid) -> None:
    rng = plan.rng("visit-rows")
    now = datetime.combine(plan.today, time(12), tzinfo=ZONE).astimezone(UTC)
    grid.placed.sort(key=lambda p: (p[0], p[1]))
    pk = reserve_ids(Appointment, len(grid.placed))
    through_pk = reserve_ids(Appointment.organizers.through, sum(len(p[2]) for p in grid.placed))
    block_pk = reserve_ids(OrganizerBlock, sum(len(p[2]) for p in grid.placed))
    seen_client: set[int] = set()
    pending_redo: dict[int, int] = {}
    visits, through, blocks = [], [], []
    for starts, client, organizers, _, series, original in grid.placed:
        ends, blocked = starts + BOOKED, starts + BOOKED + TRAVEL
        status = _status(rng, starts, now)
        type_index = 1 if client not in seen_client else 2 if series else rng.choice((0, 0, 0, 0, 0, 2, 3))
        seen_client.add(client)
        created = max(starts - timedelta(days=rng.randrange(3, 30)),
                      datetime.combine(world.client_since[client], time(15), tzinfo=UTC))  # fmt: skip
        created = min(created, starts - timedelta(hours=1))
        visit = Visit(pk, client, organizers, world.types[type_index][0], starts, ends, status, created)
        if status in ("completed", "needs_redo"):
            visit.actual_start = starts + timedelta(minutes=5 * rng.randrange(-2, 4))
            visit.actual_end = visit.actual_start + timedelta(minutes=15 * rng.randrange(4, 9))
            visit.updated_at = visit.actual_end + timedelta(minutes=10)
            if status == "completed" and client in pending_redo:
                visit.redo_of = pending_redo.pop(client)
            if status == "needs_redo":
                pending_redo[client] = pk
        elif status == "cancelled":
            visit.updated_at = max(created, starts - timedelta(days=rng.randrange(2, 10)))
        elif status == "late_cancelled":
            visit.updated_at = max(created, starts - timedelta(hours=rng.randrange(2, 20)))
        elif status == "no_show":
            visit.updated_at = starts + timedelta(minutes=30)
        world.visits.append(visit)
        visits.append({
            "id": pk, "uid": uuid.UUID(int=rng.getrandbits(128), version=4), "series_id": series,
            "original_start": original, "client_id": client, "site_id": world.client_sites[client][0],
            "appointment_type_id": visit.type_pk, "starts": starts, "ends": ends, "blocked_until": blocked,
            "status": status, "is_exception": False, "sequence": 0, "notes": "",
            "checklist": [dict(item, done=status == "completed") for item in CHECKLIST], "checklist_left_open": [],
            "actual_start": visit.actual_start, "actual_end": visit.actual_end, "outcome_notes": "",
            "created_at": created, "updated_at": visit.updated_at, "created_by_id": world.office,
        })  # fmt: skip
        cancelled = status in ("cancelled", "late_cancelled")
        for organizer in organizers:
            through.append({"id": through_pk, "appointment_id": pk, "user_id": organizer})
            blocks.append({
                "id": block_pk, "organizer_id": organizer, "kind": "appointment", "appointment_id": pk,
                "time_off_id": None, "starts": starts, "ends": ends, "blocked_until": blocked,
                "status": "cancelled" if cancelled else "active",
            })  # fmt: skip
            through_pk += 1
            block_pk += 1
        pk += 1
    world.counts["series"] = copy_rows(RecurringSeries, grid.series_rows)
    series_through = RecurringSeries.organizers.through
    first = reserve_ids(series_through, len(grid.series_orgs))
    copy_rows(series_through, ({"id": first + n, "recurringseries_id": s, "user_id": o}
                               for n, (s, o) in enumerate(grid.series_orgs)))  # fmt: skip
    world.counts["visits"] = copy_rows(Appointment, visits)
    copy_rows(Appointment.organizers.through, through)
    world.counts["busy blocks"] = copy_rows(OrganizerBlock, blocks)


def _assignments(world: World) -> None:
    pairs = sorted({(v.client, o) for v in world.visits for o in v.organizers})
    first = reserve_ids(ClientAssignment, len(pairs))
    copy_rows(ClientAssignment, ({"id": first + n, "client_id": c, "organizer_id": o,
                                  "assigned_at": datetime.combine(world.client_since[c], time(15), tzinfo=UTC)}
                                 for n, (c, o) in enumerate(pairs)))  # fmt: skip


def build(plan: Plan, world: World) -> None:
    grid = Grid(plan, world)
    _client_ends(plan, world, grid)
    _series(plan, world, grid)
    _one_offs(plan, world, grid)
    _write(plan, world, grid)
    _assignments(world)
