"""Writes for work sessions (docs/specs/one-schedule.md §2-§3): book one, book several proposals all or none,
reschedule, cancel, complete with time per organizer, refresh window flags, tick the task's checklist.

Booking goes through operations' booking service (organizer-row locks in key order, working hours, travel buffer,
the exclusion constraint; a clash is ValidationError "double_booked"), so visits and sessions can never overlap.
A re-schedule of the plan never moves a session: it only changes its window flag.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from operations.models import Appointment
from operations.services import sessions as op_sessions
from operations.services import visits as op_visits
from projects.dates import business_today
from projects.models import Project, Task, TaskChecklistItem, TimeEntry, WorkSession
from projects.planning import project_schedule_recalculate
from projects.sessions import selectors

# Flags are refreshed by the status run itself (projects.planning) and hourly; they live in their own module so
# planning can call them without importing this one. Still reachable from here, where the other writes are.
from projects.sessions.flags import session_flags_refresh, session_flags_refresh_all  # noqa: F401

SUMMARY_MSG = "Sessions are booked on a task, not on a phase."
OFF_SITE_MSG = "“%(task)s” is off-site work: it gets no sessions."
DONE_MSG = "“%(task)s” is done: it needs no more sessions."
CLOSED_MSG = "This project is closed: it takes no more sessions."
NO_SITE_MSG = "The project's client has no site to work at."
NOT_ASSIGNEE_MSG = "%(who)s is not assigned to “%(task)s”. Assign them to the task first."
NO_ORGANIZER_MSG = "Choose at least one organizer."
ENDS_BEFORE_START_MSG = "The session must end after it starts."
TWO_DAYS_MSG = "A session stays on one day (%(day)s at the site). Book one session per day."
DST_MSG = "This session crosses the clock change on %(day)s. Book it to end before or start after the change."
PER_DAY_MSG = "“%(task)s” already has %(count)s session(s) on %(day)s; at most %(max)s a day."
OUTSIDE_WINDOW_MSG = "%(when)s is outside the task's window (%(bound)s). Confirm to book it anyway; it stays flagged."
BOOK_SELECTED_MSG = "Nothing was booked: proposal %(n)s (%(when)s) failed. %(reason)s"
NOTHING_SELECTED_MSG = "Select at least one proposal."
MINUTES_NEGATIVE_MSG = "Minutes cannot be negative."
MINUTES_TOO_MANY_MSG = "%(who)s: %(minutes)s minutes is more than a day."
MINUTES_OVER_MSG = (
    "%(who)s: %(minutes)s minutes is over the booked %(booked)s by more than %(tol)s. Confirm to record it."
)
PROGRESS_RANGE_MSG = "Progress is a percentage from 0 to 99 (tick “task finished” for 100)."
PROGRESS_LOWER_MSG = "Progress cannot go below the recorded %(pct)s %%."


def _fmt(day: datetime) -> str:
    return f"{day:%a %m-%d}"


def _check_task(task: Task) -> Project:
    project = Project.objects.select_related("calendar").get(pk=task.project_id)
    if task.is_summary:
        raise ValidationError(SUMMARY_MSG, code="summary")
    if not task.on_site:
        raise ValidationError(OFF_SITE_MSG, code="off_site", params={"task": task.name})
    if task.is_done:
        raise ValidationError(DONE_MSG, code="done", params={"task": task.name})
    if project.is_closed or project.is_template:
        raise ValidationError(CLOSED_MSG, code="closed")
    return project


def _check_span(starts: datetime, ends: datetime, zone: ZoneInfo) -> None:
    if ends <= starts:
        raise ValidationError(ENDS_BEFORE_START_MSG, code="ends_before_start")
    local_start, local_end = starts.astimezone(zone), ends.astimezone(zone)
    if local_start.date() != (local_end - timedelta(microseconds=1)).date():
        raise ValidationError(TWO_DAYS_MSG, code="two_days", params={"day": f"{local_start:%a %Y-%m-%d}"})
    if local_start.utcoffset() != local_end.utcoffset():
        raise ValidationError(DST_MSG, code="dst_change", params={"day": f"{local_start:%a %Y-%m-%d}"})


def _flag_for(task: Task, project: Project, local_day: date, now: datetime) -> tuple[str, tuple[date, date]]:
    window = selectors.task_window(task, selectors.calendars_for([project])[project.pk])
    flag = selectors.window_flag(local_day=local_day, window=window, today=business_today(now=now), upcoming=True)
    return flag, window


@transaction.atomic
def task_session_book(
    *, task: Task, starts: datetime, ends: datetime, organizers: Sequence[User], actor: User | None = None,
    travel_min: int | None = None, confirm_outside_window: bool = False, allow_outside_hours: bool = False,
    now: datetime | None = None, refuse_past: bool = False,
) -> WorkSession:  # fmt: skip
    """Book one session of `task` for `organizers` (all assignees), all of them or none. `refuse_past`: a person
    chose the time, so it must lie ahead of now (T47); the demo writes sessions that already happened."""
    now = now or timezone.now()
    # The task row lock serializes bookings of one task: two people booking different organizers on the same day
    # cannot both see room under SESSION_MAX_PER_TASK_PER_DAY (their busy blocks do not clash, so nothing else
    # would stop the second). Taken before the organizer locks of the booking service, always in that order.
    list(Task.objects.select_for_update().filter(pk=task.pk).values_list("pk", flat=True))
    project = _check_task(task)
    site = selectors.project_site(project)
    if site is None or project.client is None:
        raise ValidationError(NO_SITE_MSG, code="no_site")
    if not organizers:
        raise ValidationError(NO_ORGANIZER_MSG, code="no_organizer")
    assignees = set(task.assignees.values_list("pk", flat=True))
    strangers = [o for o in organizers if o.pk not in assignees]
    if strangers:
        who = ", ".join(map(str, strangers))
        raise ValidationError(NOT_ASSIGNEE_MSG, code="not_assignee", params={"who": who, "task": task.name})
    zone = ZoneInfo(site.time_zone)
    _check_span(starts, ends, zone)
    if refuse_past:  # before the window and per-day checks, whose messages would miss the point
        op_visits.check_start_ahead(starts=starts, now=now, tz=site.time_zone)
    local_day = starts.astimezone(zone).date()
    count = selectors.session_days(task=task, zone=zone).get(local_day, 0)
    most = settings.SESSION_MAX_PER_TASK_PER_DAY
    if count >= most:
        params = {"task": task.name, "count": count, "day": f"{local_day:%a %m-%d}", "max": most}
        raise ValidationError(PER_DAY_MSG, code="per_day", params=params)
    flag, window = _flag_for(task, project, local_day, now)
    if (
        flag in (WorkSession.WindowFlag.BEFORE_WINDOW, WorkSession.WindowFlag.AFTER_WINDOW)
        and not confirm_outside_window
    ):
        bound = (
            f"earliest start {window[0]:%a %m-%d}" if flag == WorkSession.WindowFlag.BEFORE_WINDOW
            else f"latest finish {window[1]:%a %m-%d}"
        )  # fmt: skip
        raise ValidationError(
            OUTSIDE_WINDOW_MSG, code="outside_window", params={"when": f"{local_day:%a %m-%d}", "bound": bound}
        )
    appointment = op_visits.appointment_book(
        client=project.client, site=site, appointment_type=op_sessions.session_appointment_type(),
        organizers=organizers, starts=starts, ends=ends,
        travel_min=settings.SESSION_TRAVEL_MINUTES if travel_min is None else travel_min, actor=actor,
        allow_outside_hours=allow_outside_hours, now=now, category=Appointment.Category.PROJECT_SESSION,
        title=f"{project.name} · {task.wbs_code} {task.name}".replace("  ", " "),
    )  # fmt: skip
    session = WorkSession.objects.create(task=task, appointment=appointment, window_flag=flag, created_by=actor)
    op_sessions.appointment_label_set(
        appointment=appointment, title=appointment.title,
        link_url=reverse("projects:session_detail", kwargs={"appt_pk": appointment.pk}),
    )  # fmt: skip
    return session


@transaction.atomic
def task_sessions_book_selected(
    *, task: Task, organizers: Sequence[User], slots: Sequence[tuple[datetime, datetime]], actor: User | None = None,
    now: datetime | None = None, refuse_past: bool = False,
) -> list[WorkSession]:  # fmt: skip
    """Book the chosen proposals in one transaction: any clash books none (the caller shows fresh proposals)."""
    if not slots:
        raise ValidationError(NOTHING_SELECTED_MSG, code="nothing_selected")
    zone = ZoneInfo(getattr(selectors.project_site(task.project), "time_zone", settings.BUSINESS_TIME_ZONE))
    booked = []
    for n, (starts, ends) in enumerate(sorted(slots), 1):
        try:
            booked.append(
                task_session_book(
                    task=task,
                    starts=starts,
                    ends=ends,
                    organizers=organizers,
                    actor=actor,
                    now=now,
                    refuse_past=refuse_past,
                )
            )
        except ValidationError as exc:
            when = f"{starts.astimezone(zone):%a %m-%d %H:%M}"
            code = "double_booked" if getattr(exc, "code", None) == "double_booked" else "book_selected"
            reason = " ".join(exc.messages)
            raise ValidationError(
                BOOK_SELECTED_MSG, code=code, params={"n": n, "when": when, "reason": reason}
            ) from exc
    return booked


@transaction.atomic
def task_session_reschedule(
    *, session: WorkSession, starts: datetime, ends: datetime, actor: User | None = None, now: datetime | None = None
) -> WorkSession:
    """Move a session (the office's decision on a flagged one); the flag follows the new day."""
    now = now or timezone.now()
    zone = ZoneInfo(session.appointment.site.time_zone)
    _check_span(starts, ends, zone)
    op_visits.appointment_reschedule(appointment=session.appointment, starts=starts, ends=ends, actor=actor, now=now)
    session.refresh_from_db()
    project = Project.objects.select_related("calendar").get(pk=session.task.project_id)
    session.window_flag, _ = _flag_for(session.task, project, starts.astimezone(zone).date(), now)
    session.save(update_fields=["window_flag"])
    return session


def task_session_cancel(*, session: WorkSession, actor: User | None = None, now: datetime | None = None) -> WorkSession:
    """Cancel the visit: its busy time is freed and its hours are unbooked again at once."""
    op_visits.appointment_cancel(appointment=session.appointment, actor=actor, now=now)
    session.refresh_from_db()
    return session


# --- completion -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Completion:
    session: WorkSession
    entries: list[TimeEntry]
    progress: int
    created: bool


def _check_minutes(session: WorkSession, minutes: Mapping[User, int], confirm_over: bool) -> None:
    booked = selectors.booked_minutes(session=session)
    tol = settings.SESSION_COMPLETION_TOLERANCE_MINUTES
    for who, m in minutes.items():
        if m < 0:
            raise ValidationError({"minutes": ValidationError(MINUTES_NEGATIVE_MSG, code="minutes_negative")})
        if m > 24 * 60:
            error = ValidationError(MINUTES_TOO_MANY_MSG, code="minutes_too_many", params={"who": who, "minutes": m})
            raise ValidationError({"minutes": error})
        if m > booked + tol and not confirm_over:
            params = {"who": who, "minutes": m, "booked": booked, "tol": tol}
            raise ValidationError({"minutes": ValidationError(MINUTES_OVER_MSG, code="minutes_over", params=params)})


@transaction.atomic
def task_session_complete(
    *, session: WorkSession, minutes: Mapping[User, int], progress: int | None = None, task_finished: bool = False,
    confirm_over: bool = False, actor: User | None = None, now: datetime | None = None,
) -> Completion:  # fmt: skip
    """Complete the session: worked minutes per organizer on the busy blocks (the KPI source), one session time
    entry per organizer who worked (project actuals), the task's actual start and progress, then the schedule.
    A second call for a completed session writes nothing and returns what the first wrote."""
    now = now or timezone.now()
    session = WorkSession.objects.select_related("task", "appointment__site").get(pk=session.pk)
    task = Task.objects.select_for_update().get(pk=session.task_id)
    if session.appointment.status == Appointment.Status.COMPLETED:
        return Completion(session, list(session.entries.all()), task.progress_pct, False)
    _check_minutes(session, minutes, confirm_over)
    new_minutes = sum(minutes.values())
    proposal = selectors.progress_proposal(task=task, extra_minutes=new_minutes)
    if progress is not None and not task_finished:
        if not 0 <= progress <= 99:
            raise ValidationError({"progress": ValidationError(PROGRESS_RANGE_MSG, code="progress_range")})
        if progress < task.progress_pct:
            error = ValidationError(PROGRESS_LOWER_MSG, code="progress_lower", params={"pct": task.progress_pct})
            raise ValidationError({"progress": error})
    appointment, created = op_sessions.appointment_complete_worked(
        appointment=session.appointment, worked_minutes={u.pk: m for u, m in minutes.items()}, actor=actor, now=now
    )
    if not created:  # completed by a concurrent request after our read: that one wrote the time
        return Completion(session, list(session.entries.all()), task.progress_pct, False)
    day = appointment.starts.astimezone(ZoneInfo(appointment.site.time_zone)).date()
    entries = []
    for who, m in sorted(minutes.items(), key=lambda kv: kv[0].pk):
        if m <= 0:
            continue  # did not attend: no time to log (entries are at least one minute)
        try:
            with transaction.atomic():
                entries.append(TimeEntry.objects.create(
                    task=task, organizer=who, worked_on=day, minutes=m, source=TimeEntry.Source.SESSION,
                    session=session, created_by=actor,
                ))  # fmt: skip
        except IntegrityError:
            continue  # already written for this session and organizer
    fields = ["progress_pct"]
    if task.actual_start is None:
        task.actual_start = day
        fields.append("actual_start")
    if task_finished:
        task.progress_pct, task.status, task.actual_finish = 100, Task.Status.DONE, day
        fields += ["status", "actual_finish"]
    else:
        task.progress_pct = proposal if progress is None else progress
        if task.status == Task.Status.TODO and task.progress_pct > 0:
            task.status = Task.Status.DOING
            fields.append("status")
    task.save(update_fields=fields)
    project = Project.objects.select_for_update().get(pk=task.project_id)
    project_schedule_recalculate(project=project)
    session.window_flag = selectors.window_flag(
        local_day=day, window=(day, day), today=business_today(now=now), upcoming=False
    )
    session.save(update_fields=["window_flag"])
    return Completion(session, entries, task.progress_pct, True)


def checklist_toggle(
    *, item: TaskChecklistItem, actor: User, done: bool, now: datetime | None = None
) -> TaskChecklistItem:
    """Tick or untick a step of the task; who and when are recorded (history keeps the rest)."""
    item.done_by, item.done_at = (actor, now or timezone.now()) if done else (None, None)
    item.save(update_fields=["done_by", "done_at"])
    return item
