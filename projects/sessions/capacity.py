"""The capacity view: organizer × ISO week in the business zone (docs/specs/one-schedule.md §4).

Per organizer and day: A available (weekly template minus approved time off inside it), V visits and S sessions
(block lengths by the appointment's category), T travel (blocked_until − ends), U unbooked demand (each unfinished
task's unbooked minutes split evenly among its assignees, then over the task-window days on or after the status
date on which that organizer is available). Weeks sum components, then divide. It warns and never levels.
A constant number of queries whatever the number of organizers, weeks and tasks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from operations import availability, localtime
from operations.models import Appointment
from operations.selectors import sessions as op_sessions
from projects.dates import business_today
from projects.models import Task
from projects.sessions import selectors
from projects.sessions.spread import split_among, spread_evenly


@dataclass
class Cell:
    available: int = 0
    visits: int = 0
    sessions: int = 0
    travel: int = 0
    demand: int = 0
    no_availability: bool = False

    def add(self, other: Cell) -> None:
        self.available += other.available
        self.visits += other.visits
        self.sessions += other.sessions
        self.travel += other.travel
        self.demand += other.demand
        self.no_availability = self.no_availability or other.no_availability

    @property
    def hours(self) -> dict[str, str]:
        """Each component in hours with one decimal, for the page."""
        names = ("available", "visits", "sessions", "travel", "demand")
        return {n: selectors.hours_text(getattr(self, n)) for n in names}

    @property
    def booked(self) -> int:
        return self.visits + self.sessions

    @property
    def load_minutes(self) -> int:
        travel = self.travel if settings.CAPACITY_TRAVEL_IN_LOAD else 0
        return self.booked + travel + self.demand

    @property
    def utilization(self) -> float | None:
        return None if self.available == 0 else 100 * self.booked / self.available

    @property
    def load(self) -> float | None:
        return None if self.available == 0 else 100 * self.load_minutes / self.available

    @property
    def utilization_text(self) -> str:
        return "" if self.utilization is None else f"{self.utilization:.1f}"

    @property
    def load_text(self) -> str:
        return "" if self.load is None else f"{self.load:.1f}"

    @property
    def over_minutes(self) -> int:
        """Minutes above the overallocation threshold (0 when within it)."""
        limit = self.available * settings.CAPACITY_OVERALLOCATION_PCT / 100
        return max(0, round(self.load_minutes - limit))

    @property
    def overallocated(self) -> bool:
        return self.over_minutes > 0

    @property
    def over_hours(self) -> str:
        return selectors.hours_text(self.over_minutes)


@dataclass(frozen=True)
class Item:
    """One line of a day's drill-down: a visit, a session, or a task's demand share."""

    day: date
    kind: str  # "visit" | "session" | "demand"
    label: str
    minutes: int
    travel: int = 0


@dataclass
class Row:
    organizer: User
    weeks: list[Cell]
    days: dict[date, Cell] = field(default_factory=dict)
    items: list[Item] = field(default_factory=list)


@dataclass(frozen=True)
class Capacity:
    mondays: list[date]
    rows: list[Row]
    totals: list[Cell]
    over_counts: list[int]


def _week_index(mondays: Sequence[date], day: date) -> int | None:
    i = (day - mondays[0]).days // 7
    return i if 0 <= i < len(mondays) else None


def _available(hours: Any, tz: str, day: date, time_off: list[tuple[datetime, datetime]]) -> int:
    minutes = 0
    for start, end in availability.working_windows(hours, tz, day, day):
        minutes += int((end - start).total_seconds() // 60)
        for off_start, off_end in time_off:
            overlap = (min(end, off_end) - max(start, off_start)).total_seconds()
            if overlap > 0:
                minutes -= int(overlap // 60)
    return max(0, minutes)


def _demand_tasks(organizer_ids: set[int]) -> list[tuple[Task, int, list[int]]]:
    """Unfinished leaves of open projects with an organizer assignee, the minutes still to place (unbooked U for
    on-site work, planned − logged for off-site work) and all their assignees' ids."""
    pairs = list(
        Task.assignees.through.objects.filter(task__in=selectors.open_leaves()).values_list("task_id", "user_id")
    )
    assignees: dict[int, list[int]] = {}
    for task_id, user_id in sorted(pairs):
        assignees.setdefault(task_id, []).append(user_id)
    query = selectors.open_leaves()
    tasks = selectors.with_projects([t for t in query if organizer_ids.intersection(assignees.get(t.pk, ()))])
    hours = selectors.hours_for_tasks(tasks, among=query)
    out = []
    for t in tasks:
        h = hours[t.pk]
        amount = h.unbooked if t.on_site else max(0, h.planned - h.logged)
        if amount > 0:
            out.append((t, amount, assignees[t.pk]))
    return out


def capacity(*, monday: date | None = None, weeks: int | None = None, now: datetime | None = None) -> Capacity:
    """Every active organizer × `weeks` ISO weeks from `monday` (default: this week, CAPACITY_WEEKS)."""
    now = now or timezone.now()
    today = business_today(now=now)
    weeks = weeks or settings.CAPACITY_WEEKS
    monday = monday or today - timedelta(days=today.weekday())
    mondays = [monday + timedelta(days=7 * i) for i in range(weeks)]
    last_day = mondays[-1] + timedelta(days=6)
    btz = settings.BUSINESS_TIME_ZONE
    bzone = ZoneInfo(btz)
    people = op_sessions.organizers_with_hours()
    ids = {p.organizer.pk for p in people}
    demand_tasks = _demand_tasks(ids)
    calendars = selectors.calendars_for({t.project_id: t.project for t, _, _ in demand_tasks}.values())
    windows = {t.pk: selectors.task_window(t, calendars[t.project_id]) for t, _, _ in demand_tasks}
    span_start = min([monday, *(w[0] for w in windows.values())])
    span_end = max([last_day, *(w[1] for w in windows.values())])
    range_start = localtime.local_day_bounds(span_start, btz)[0] - timedelta(days=1)
    range_end = localtime.local_day_bounds(span_end, btz)[1] + timedelta(days=1)
    offs: dict[int, list[tuple[datetime, datetime]]] = {}
    for off in op_sessions.approved_time_off(organizer_ids=ids, start=range_start, end=range_end):
        offs.setdefault(off.organizer_id, []).append((off.starts, off.ends))
    rows = {p.organizer.pk: Row(p.organizer, [Cell() for _ in mondays]) for p in people}
    avail_cache: dict[tuple[int, date], int] = {}
    by_pk = {p.organizer.pk: p for p in people}

    def avail(org: int, day: date) -> int:
        if (org, day) not in avail_cache:
            p = by_pk[org]
            avail_cache[(org, day)] = _available(p.hours, p.tz, day, offs.get(org, []))
        return avail_cache[(org, day)]

    def cell(org: int, day: date) -> Cell:
        return rows[org].days.setdefault(day, Cell())

    for org in rows:
        for i in range((last_day - monday).days + 1):
            day = monday + timedelta(days=i)
            cell(org, day).available = avail(org, day)
    week_start, week_end = localtime.local_day_bounds(monday, btz)[0], localtime.local_day_bounds(last_day, btz)[1]
    for item in op_sessions.busy_items(organizer_ids=ids, start=week_start, end=week_end):
        day = item.starts.astimezone(bzone).date()
        c = cell(item.organizer_id, day)
        length = int((item.ends - item.starts).total_seconds() // 60)
        travel = int((item.blocked_until - item.ends).total_seconds() // 60)
        session = item.category == Appointment.Category.PROJECT_SESSION
        if session:
            c.sessions += length
        else:
            c.visits += length
        c.travel += travel
        rows[item.organizer_id].items.append(Item(day, "session" if session else "visit", item.label, length, travel))
    for task, amount, assignees in demand_tasks:
        cal = calendars[task.project_id]
        first, last = windows[task.pk]
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        days = [d for d in days if d >= today and cal.is_workday(d)] or [last]
        for person, share in zip(assignees, split_among(amount, len(assignees)), strict=True):
            if person not in rows or share == 0:
                continue
            eligible = [d for d in days if avail(person, d) > 0]
            parts = spread_evenly(share, eligible or [days[-1]])
            for day, minutes in parts.items():
                if monday <= day <= last_day:
                    c = cell(person, day)
                    c.demand += minutes
                    c.no_availability = c.no_availability or not eligible
                    label = f"{task.project.name} · {task.wbs_code} {task.name} (unbooked)"
                    rows[person].items.append(Item(day, "demand", label, minutes))
    totals = [Cell() for _ in mondays]
    over_counts = [0 for _ in mondays]
    for row in rows.values():
        for day, c in row.days.items():
            w = _week_index(mondays, day)
            if w is not None:
                row.weeks[w].add(c)
        for i, c in enumerate(row.weeks):
            totals[i].add(c)
            over_counts[i] += 1 if c.overallocated else 0
        row.items.sort(key=lambda it: (it.day, it.kind != "visit", it.kind == "demand", it.label))
    ordered = [rows[p.organizer.pk] for p in people]
    return Capacity(mondays, ordered, totals, over_counts)


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def iso_week_label(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"
