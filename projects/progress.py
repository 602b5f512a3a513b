"""Services of the status run (docs/specs/one-schedule.md §1): actual dates that follow progress, the status
date's rules, and the refresh of plans whose "today" has moved (the beat task's body).

Kept beside projects.services (which calls the two checks in its project and task edits) so that neither module
grows past the size limit.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min, Q

from projects.dates import business_today, project_status_date
from projects.models import Project, Task, TimeEntry
from projects.planning import project_schedule_recalculate

STATUS_BEFORE_ACTUALS_MSG = (
    "The status date cannot be before work already recorded: %(task)s has an actual date of %(day)s. "
    "Choose %(day)s or later, or clear the field to plan as of today."
)
ACTUAL_START_BEFORE_PROJECT_MSG = "The actual start cannot be before the project start (%(day)s)."
ACTUAL_FINISH_BEFORE_START_MSG = "The actual finish cannot be before the actual start."
ACTUAL_AFTER_STATUS_MSG = "Actual dates cannot be after the status date (%(day)s)."


def _day(value: date) -> str:
    return value.strftime("%a %Y-%m-%d")


def status_override_check(*, project: Project, override: date | None) -> None:
    """A status date is never earlier than a recorded actual start or finish (the plan cannot un-happen)."""
    if override is None or project.pk is None:
        return
    latest = (
        Task.objects.filter(project=project)
        .exclude(actual_start__isnull=True, actual_finish__isnull=True)
        .aggregate(start=Max("actual_start"), finish=Max("actual_finish"))
    )
    recorded = max((d for d in (latest["start"], latest["finish"]) if d is not None), default=None)
    if recorded is None or override >= recorded:
        return
    task = Task.objects.filter(Q(actual_start=recorded) | Q(actual_finish=recorded), project=project).first()
    error = ValidationError(
        STATUS_BEFORE_ACTUALS_MSG, code="before_actuals", params={"task": f"“{task}”", "day": _day(recorded)}
    )
    raise ValidationError({"status_date_override": error})


def task_actuals_apply(*, task: Task) -> list[str]:
    """Keep done and 100 % together, fill or clear the actual dates that follow from the task's progress, and
    check the ones typed in.

    Started without an actual start: the first time entry's date, else the status date. Done without an actual
    finish: the status date. Below 100 % the actual finish is cleared, at 0 % the start too. Returns the fields
    it may have changed, for `save(update_fields=...)`.
    """
    project = task.project
    as_of = project_status_date(project)
    # Done and 100 % are one fact (docs/specs/one-schedule.md §1): either one sets the other.
    if task.progress_pct >= 100 and task.status != Task.Status.DONE:
        task.status = Task.Status.DONE
    elif task.status == Task.Status.DONE and task.progress_pct < 100:
        task.progress_pct = 100
    done = task.progress_pct >= 100
    if task.progress_pct == 0 and not done:
        task.actual_start = task.actual_finish = None
        return ["actual_start", "actual_finish", "status", "progress_pct"]
    if task.actual_start is None:
        first = TimeEntry.objects.filter(task=task).aggregate(first=Min("worked_on"))["first"] if task.pk else None
        task.actual_start = max(project.start_on, min(first or as_of, as_of))
    if done and task.actual_finish is None:
        task.actual_finish = max(as_of, task.actual_start)
    if not done:
        task.actual_finish = None  # reopened: it has not finished after all
    if task.actual_start < project.start_on:
        error = ValidationError(
            ACTUAL_START_BEFORE_PROJECT_MSG, code="before_project", params={"day": project.start_on}
        )
        raise ValidationError({"actual_start": error})
    if task.actual_finish is not None and task.actual_finish < task.actual_start:
        raise ValidationError({"actual_finish": ACTUAL_FINISH_BEFORE_START_MSG}, code="finish_before_start")
    for field in ("actual_start", "actual_finish"):
        value = getattr(task, field)
        if value is not None and value > as_of:
            error = ValidationError(ACTUAL_AFTER_STATUS_MSG, code="after_status", params={"day": _day(as_of)})
            raise ValidationError({field: error})
    return ["actual_start", "actual_finish", "status", "progress_pct"]


def projects_status_refresh(*, today: date | None = None) -> int:
    """Re-run every open plan whose status date has moved since its last run (the hourly beat task).

    Idempotent: a second run the same day finds nothing to do. Each project runs in its own transaction under
    its row lock, so an edit in progress is waited for, never overwritten. Returns how many plans were re-run.
    """
    today = today or business_today()
    stale = (
        Project.objects.filter(is_template=False, status_date_override__isnull=True)
        .exclude(status__in=Project.CLOSED_STATUSES)
        .exclude(schedule_as_of=today)
        .values_list("pk", flat=True)
    )
    count = 0
    for pk in list(stale):
        with transaction.atomic():
            project = Project.objects.select_for_update().filter(pk=pk).first()
            if project is None or project.schedule_as_of == project_status_date(project):
                continue
            project_schedule_recalculate(project=project)
            count += 1
    return count
