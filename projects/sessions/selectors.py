"""Reads for work sessions: task windows, planned/booked/logged/unbooked hours, the unbooked-work list, slot
proposals for a task, and a session as its viewer may see it (docs/specs/one-schedule.md §2-§3).

Lists keep a constant number of queries: calendars, logged time and booked time are fetched for all tasks at once.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, F, Func, IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Cast, Coalesce, Floor
from django.http import Http404
from django.utils import timezone

from accounts import access
from accounts.models import User
from clients.models import Site
from operations.models import Appointment
from operations.selectors import sessions as op_sessions
from operations.selectors import visits as visit_selectors
from projects import scheduling
from projects.dates import business_today
from projects.models import Holiday, Project, Task, TaskChecklistItem, TimeEntry, WorkSession
from projects.sessions.spread import ceil_to_step, window_points


def hours_text(minutes: int) -> str:
    """Organizer-minutes as hours with one decimal ("7.5")."""
    return str((Decimal(minutes) / 60).quantize(Decimal("0.1")))


# --- calendars and windows ------------------------------------------------------------------------------


def calendars_for(projects: Iterable[Project]) -> dict[int, scheduling.WorkCalendar]:
    """Each project's working calendar (weekdays, holidays, blackouts) with one query for all holidays. The
    projects must come with `calendar` selected."""
    projects = list(projects)
    holidays: dict[int, set[date]] = {}
    for cal_id, day in Holiday.objects.filter(calendar_id__in={p.calendar_id for p in projects}).values_list(
        "calendar_id", "date"
    ):
        holidays.setdefault(cal_id, set()).add(day)
    return {
        p.pk: scheduling.WorkCalendar(
            p.start_on,
            workdays=frozenset(p.calendar.workdays),
            holidays=holidays.get(p.calendar_id, set()) | set(p.blackout_days or []),
        )  # fmt: skip
        for p in projects
    }


def task_window(task: Task, calendar: scheduling.WorkCalendar) -> tuple[date, date]:
    """The dates a session of this task should fall in, from the stored schedule (the status run keeps it
    current): early start to the later of late and early finish."""
    first, last = window_points(es=task.es, ef=task.ef, lf=task.lf, milestone=task.is_milestone)
    return calendar.day(first), calendar.day(max(first, last))


def window_flag(*, local_day: date, window: tuple[date, date], today: date, upcoming: bool) -> str:
    """in_window / before_window / after_window, or awaiting_completion for a past day still not done."""
    if local_day < today and upcoming:
        return WorkSession.WindowFlag.AWAITING_COMPLETION
    if local_day < window[0]:
        return WorkSession.WindowFlag.BEFORE_WINDOW
    if local_day > window[1]:
        return WorkSession.WindowFlag.AFTER_WINDOW
    return WorkSession.WindowFlag.IN_WINDOW


def project_site(project: Project) -> Site | None:
    """Where the project's sessions happen: the client's first site."""
    if project.client_id is None:  # a template has no client
        return None
    return Site.objects.filter(client_id=project.client_id).order_by("pk").first()


# --- planned, booked, logged, unbooked ------------------------------------------------------------------


@dataclass(frozen=True)
class Hours:
    planned: int
    booked: int
    logged: int
    unbooked: int

    @property
    def text(self) -> str:
        return " | ".join(hours_text(m) for m in (self.planned, self.booked, self.logged, self.unbooked))


def hours_for_tasks(tasks: Sequence[Task], *, among: QuerySet[Task] | None = None) -> dict[int, Hours]:
    """P | Bk | Lg | U in organizer-minutes per leaf task: three queries whatever the number of tasks. `among`, the
    query the tasks came from, is used as a subquery instead of a list of hundreds of ids."""
    ids: Any = among.values("pk") if among is not None else [t.pk for t in tasks]
    logged = dict(
        TimeEntry.objects.filter(task_id__in=ids)
        .values("task_id")
        .annotate(m=Sum("minutes"))
        .values_list("task_id", "m")
    )
    sessions = WorkSession.objects.filter(task_id__in=ids)
    per_appt = op_sessions.session_booked_minutes(appointment_ids=sessions.values("appointment_id"))
    booked: dict[int, int] = {}
    for task_id, appt_id in sessions.values_list("task_id", "appointment_id"):
        booked[task_id] = booked.get(task_id, 0) + per_appt.get(appt_id, 0)
    out = {}
    for t in tasks:
        p, bk, lg = t.estimate_minutes, booked.get(t.pk, 0), logged.get(t.pk, 0) or 0
        u = 0 if (t.is_done or not t.on_site or t.is_summary) else max(0, p - lg - bk)
        out[t.pk] = Hours(p, bk, lg, u)
    return out


def project_hours_context(*, project: Project) -> dict[str, Any]:
    """The project page's hours per leaf task and its flagged sessions (four queries)."""
    leaves = list(Task.objects.filter(project=project, is_summary=False).order_by("wbs_code", "pk"))
    hours = hours_for_tasks(leaves)
    return {"task_hours": [(t, hours[t.pk]) for t in leaves], "flagged_sessions": flagged_sessions(project=project)}


@dataclass(frozen=True)
class UnbookedRow:
    task: Task
    project: Project
    assignees: list[User]
    window: tuple[date, date]
    unbooked: int
    flagged_sessions: int

    @property
    def unbooked_text(self) -> str:
        return hours_text(self.unbooked)


# What the lists read of a task: enough for hours, windows and the row, nothing more (hundreds of rows: every
# loaded field and every model instance costs).
TASK_LIST_FIELDS = (
    "pk", "name", "wbs_code", "es", "ef", "lf", "total_float", "is_critical", "estimate_hours", "progress_pct",
    "status", "on_site", "is_summary", "duration_wd", "project_id",
)  # fmt: skip


def open_leaves() -> Any:
    """Unfinished leaf tasks of open (not template, not closed) projects."""
    return (
        Task.objects.filter(is_summary=False, project__is_template=False)
        .exclude(project__status__in=Project.CLOSED_STATUSES)
        .exclude(status=Task.Status.DONE)
        .exclude(progress_pct__gte=100)
        .only(*TASK_LIST_FIELDS)
    )


def with_projects(tasks: list[Task]) -> list[Task]:
    """Attach each task's project (with its calendar) from one query: one instance per project, not per task."""
    projects = Project.objects.filter(pk__in={t.project_id for t in tasks}).select_related("calendar")
    by_pk = {p.pk: p for p in projects.only(
        "name", "deadline_on", "start_on", "blackout_days", "calendar_id", "calendar__workdays"
    )}  # fmt: skip
    for t in tasks:
        t.project = by_pk[t.project_id]
    return tasks


def assignees_of(task_ids: Any) -> dict[int, list[User]]:
    """Each task's assignees (names only), ordered by first name: two queries for any number of tasks."""
    pairs = list(Task.assignees.through.objects.filter(task_id__in=task_ids).values_list("task_id", "user_id"))
    users = {
        u.pk: u for u in User.objects.filter(pk__in={u for _, u in pairs}).only("first_name", "last_name", "email")
    }
    out: dict[int, list[User]] = {}
    for task_id, user_id in pairs:
        out.setdefault(task_id, []).append(users[user_id])
    for people in out.values():
        people.sort(key=lambda u: (u.first_name, u.pk))
    return out


def unbooked_tasks() -> QuerySet[Any]:  # Task rows annotated with unbooked_minutes
    """On-site leaves of open projects with unbooked hours, most urgent first: total float (negative first, none
    last), early start, early finish, project deadline (none last), WBS code. Hours are computed, filtered and
    ordered in the database, so a page of the list reads only its own rows (`unbooked` is in organizer-minutes,
    the same figure as `hours_for_tasks`)."""
    logged = (
        TimeEntry.objects.filter(task_id=OuterRef("pk"))
        .order_by()
        .annotate(m=Func(F("minutes"), function="SUM", output_field=IntegerField()))
        .values("m")
    )
    session_appointments = WorkSession.objects.filter(task_id=OuterRef(OuterRef("pk"))).values("appointment_id")
    planned = Cast(Floor(F("estimate_hours") * 60), IntegerField())
    return (
        open_leaves()
        .filter(on_site=True)
        .annotate(
            unbooked_minutes=planned
            - Coalesce(Subquery(logged, output_field=IntegerField()), 0)
            - op_sessions.booked_minutes_subquery(session_appointments)
        )
        .filter(unbooked_minutes__gt=0)
        .order_by(
            F("total_float").asc(nulls_last=True),
            F("es").asc(nulls_last=True),
            F("ef").asc(nulls_last=True),
            F("project__deadline_on").asc(nulls_last=True),
            "wbs_code",
            "pk",
        )  # fmt: skip
    )


def unbooked_rows(tasks: Iterable[Any]) -> list[UnbookedRow]:
    """The rows for these tasks of `unbooked_tasks` (a page of it), in their order: four queries whatever the
    number of rows."""
    rows: list[Any] = with_projects(list(tasks))
    ids = [t.pk for t in rows]
    people = assignees_of(ids)
    flagged = dict(
        WorkSession.objects.filter(task_id__in=ids, appointment__status__in=Appointment.UPCOMING_STATUSES)
        .exclude(window_flag=WorkSession.WindowFlag.IN_WINDOW)
        .values("task_id")
        .annotate(n=Count("pk"))
        .values_list("task_id", "n")
    )
    calendars = calendars_for({t.project_id: t.project for t in rows}.values())
    return [
        UnbookedRow(
            t,
            t.project,
            people.get(t.pk, []),
            task_window(t, calendars[t.project_id]),
            t.unbooked_minutes,
            flagged.get(t.pk, 0),
        )  # fmt: skip
        for t in rows
    ]


def unbooked_work() -> list[UnbookedRow]:
    """The whole unbooked-work list (the page shows `unbooked_tasks` 50 at a time)."""
    return unbooked_rows(unbooked_tasks())


def flagged_sessions(*, project: Project) -> list[WorkSession]:
    """Scheduled sessions of the project outside their task's window or past and not completed."""
    return list(
        WorkSession.objects.filter(task__project=project, appointment__status__in=Appointment.UPCOMING_STATUSES)
        .exclude(window_flag=WorkSession.WindowFlag.IN_WINDOW)
        .select_related("task", "appointment")
        .order_by("appointment__starts")
    )


def scheduled_sessions(*, project: Project | None = None, task_ids: Iterable[int] | None = None) -> list[WorkSession]:
    sessions = WorkSession.objects.filter(appointment__status__in=Appointment.UPCOMING_STATUSES)
    if project is not None:
        sessions = sessions.filter(task__project=project)
    if task_ids is not None:
        sessions = sessions.filter(task_id__in=list(task_ids))
    return list(sessions.select_related("task", "appointment__site").order_by("appointment__starts"))


def session_text(session: WorkSession) -> str:
    """ "C Declutter & donate, Wed 07-01 09:00" in the site's zone."""
    appt = session.appointment
    zone = ZoneInfo(appt.site.time_zone)
    return f"{session.task.wbs_code} {session.task.name}, {appt.starts.astimezone(zone):%a %m-%d %H:%M}".strip()


def sessions_for_task(*, task: Task) -> list[WorkSession]:
    return list(
        WorkSession.objects.filter(task=task)
        .select_related("appointment")
        .prefetch_related("appointment__organizers")
        .order_by("appointment__starts")
    )


def session_get_for_user(*, user: Any, appointment_pk: int) -> WorkSession:
    """The session if `user` may see it (staff; organizers booked on it), else Http404 as for a missing id."""
    sessions = WorkSession.objects.select_related("task__project", "appointment__site", "appointment__client")
    if not access.is_staff_role(user):
        if not access.is_organizer(user):
            raise Http404
        sessions = sessions.filter(appointment__organizers=user)
    found = sessions.filter(appointment_id=appointment_pk).first()
    if found is None:
        raise Http404
    return found


def session_people(*, session: WorkSession) -> list[User]:
    return list(session.appointment.organizers.order_by("first_name", "pk"))


def checklist_for(*, task: Task) -> list[TaskChecklistItem]:
    return list(TaskChecklistItem.objects.filter(task=task).select_related("done_by"))


def checklist_item_get(*, task: Task, pk: int) -> TaskChecklistItem:
    """A step of this task (another task's step is 404, like any foreign object)."""
    item = TaskChecklistItem.objects.filter(task=task, pk=pk).select_related("task").first()
    if item is None:
        raise Http404
    return item


def booked_minutes(*, session: WorkSession) -> int:
    appt = session.appointment
    return int((appt.ends - appt.starts).total_seconds() // 60)


def progress_proposal(*, task: Task, extra_minutes: int = 0) -> int:
    """max(progress, min(99, floor(100 × logged ÷ estimate))): never lowered, never 100 without the tick."""
    if not settings.SESSION_PROGRESS_PROPOSAL or task.estimate_minutes <= 0:
        return task.progress_pct
    logged = (TimeEntry.objects.filter(task=task).aggregate(m=Sum("minutes"))["m"] or 0) + extra_minutes
    return max(task.progress_pct, min(99, math.floor(100 * logged / task.estimate_minutes)))


# --- proposals ("find slots for this task") -------------------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    starts: datetime
    ends: datetime
    local_start: datetime
    local_end: datetime

    @property
    def key(self) -> str:
        return self.starts.isoformat()


@dataclass
class SlotPlan:
    task: Task
    organizers: list[User]
    length: int
    unbooked: int
    tz: str
    proposals: list[Proposal] = field(default_factory=list)

    @property
    def covered(self) -> int:
        return len(self.proposals) * self.length * len(self.organizers)

    @property
    def left(self) -> int:
        return max(0, self.unbooked - self.covered)

    @property
    def left_text(self) -> str:
        return hours_text(self.left)


def session_proposals(
    *, task: Task, organizers: Sequence[User], now: datetime | None = None, days: int | None = None
) -> SlotPlan:
    """At most one session a day, for all `organizers` together, inside the task's window from today, each of
    length min(SESSION_DEFAULT_MINUTES, U ÷ n rounded up to the step), earliest common start first, until the
    proposals cover U (docs/specs/one-schedule.md §3). `days=0` only sizes the sessions (no search)."""
    now = now or timezone.now()
    project = Project.objects.select_related("calendar").get(pk=task.project_id)
    site = project_site(project)
    tz = site.time_zone if site else settings.BUSINESS_TIME_ZONE
    unbooked = hours_for_tasks([task])[task.pk].unbooked
    step = settings.SESSION_FINDER_STEP_MINUTES
    people = list(organizers)
    length = min(settings.SESSION_DEFAULT_MINUTES, ceil_to_step(math.ceil(unbooked / max(1, len(people))), step))
    plan = SlotPlan(task, people, length, unbooked, tz)
    if not people or unbooked <= 0 or length <= 0 or days == 0:
        return plan
    calendar = calendars_for([project])[project.pk]
    first, last = task_window(task, calendar)
    day = max(first, business_today(now=now))
    zone = ZoneInfo(tz)
    taken = {d for d, n in session_days(task=task, zone=zone).items() if n >= settings.SESSION_MAX_PER_TASK_PER_DAY}
    while day <= last and plan.covered < unbooked:
        if calendar.is_workday(day) and day not in taken:
            found = visit_selectors.free_starts_that_day(
                organizers=people, starts=datetime.combine(day, time(0), tzinfo=zone),
                duration=timedelta(minutes=length),
                travel=timedelta(minutes=settings.SESSION_TRAVEL_MINUTES), tz=tz, limit=1, now=now, step_min=step,
                notice_min=settings.SESSION_MIN_NOTICE_MINUTES,
            )  # fmt: skip
            if found:
                start = found[0]
                end = start + timedelta(minutes=length)
                plan.proposals.append(Proposal(start, end, start.astimezone(zone), end.astimezone(zone)))
        day += timedelta(days=1)
    return plan


def session_days(*, task: Task, zone: ZoneInfo) -> dict[date, int]:
    """How many sessions (not cancelled) the task has on each local day."""
    counts: dict[date, int] = {}
    for starts in (
        WorkSession.objects.filter(task=task)
        .exclude(appointment__status__in=Appointment.CANCELLED_STATUSES)
        .values_list("appointment__starts", flat=True)
    ):
        day = starts.astimezone(zone).date()
        counts[day] = counts.get(day, 0) + 1
    return counts
