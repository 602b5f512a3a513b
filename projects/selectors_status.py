"""Reads of the status run's results (docs/specs/one-schedule.md §1) for pages and other apps.

`projects_at_risk` is the one other apps (dashboards, KPIs) use for "projects at risk": the same flags as the
project list's at-risk filter, from the rows the status run stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet

from projects.models import Project, Task
from projects.selectors import project_list_for_user


@dataclass(frozen=True)
class StatusSummary:
    as_of: date | None
    forecast_finish: date | None
    is_late: bool
    late_by: int
    behind: int
    start_overdue: int
    out_of_sequence: int
    negative_float: int

    @property
    def words(self) -> list[str]:
        """The flags in words, for the project page, the Gantt and lists (never colour alone)."""
        words = []
        if self.is_late:
            words.append(f"late by {self.late_by} working day{'s' if self.late_by != 1 else ''}")
        for count, label in (
            (self.behind, "behind"),
            (self.start_overdue, "start overdue"),
            (self.out_of_sequence, "out of sequence"),
            (self.negative_float, "with negative float"),
        ):
            if count:
                words.append(f"{count} task{'s' if count != 1 else ''} {label}")
        return words


def project_status_summary(*, project: Project) -> StatusSummary:
    """Counts of the flagged tasks and the project's forecast, in one query."""
    unfinished = Q(progress_pct__lt=100) & ~Q(status=Task.Status.DONE)
    counts = Task.objects.filter(project=project, is_summary=False).aggregate(
        behind=Count("pk", filter=Q(is_behind=True)),
        start_overdue=Count("pk", filter=Q(is_start_overdue=True)),
        out_of_sequence=Count("pk", filter=Q(is_out_of_sequence=True)),
        negative_float=Count("pk", filter=unfinished & Q(total_float__lt=0)),
    )
    return StatusSummary(
        as_of=project.schedule_as_of,
        forecast_finish=project.finish_on,
        is_late=project.is_late,
        late_by=project.late_by,
        **counts,
    )


def projects_at_risk(*, user: Any) -> QuerySet[Project]:
    """Open projects the user may see that are late, behind, overdue to start, with negative float, behind their
    baseline or over their hours budget (the annotations say which; `risk_words` puts them in words)."""
    return project_list_for_user(user=user, at_risk=True)


def risk_words(project: Project) -> list[str]:
    """Why a project from `projects_at_risk` is at risk, in the project list's words (T30, docs/specs/defects.md)."""
    words = []
    if getattr(project, "late", False):
        words.append(f"late by {project.late_by} working day{'s' if project.late_by != 1 else ''}")
    for flag, label in (
        ("behind", "behind"),
        ("start_overdue", "start overdue"),
        ("negative_float", "negative float"),
        ("behind_baseline", "behind baseline"),
        ("over_budget", "over budget"),
    ):
        if getattr(project, flag, False):
            words.append(label)
    return words


def unstarted_predecessors(*, task: Task) -> list[Task]:
    """For a task flagged out of sequence: its predecessors (leaves, through phases too) that have not started.
    The task page offers to mark them done rather than assume it (docs/specs/one-schedule.md §1)."""
    if not task.is_out_of_sequence:
        return []
    node_ids = []
    node: Task | None = task
    while node is not None:
        node_ids.append(node.pk)
        node = node.parent
    preds = Task.objects.filter(project_id=task.project_id, outgoing__succ_id__in=node_ids)
    leaves = Task.objects.filter(project_id=task.project_id, is_summary=False, progress_pct=0)
    direct = leaves.filter(pk__in=preds.filter(is_summary=False).values("pk"))
    inside = leaves.filter(parent__in=preds.filter(is_summary=True).values("pk"))
    return list((direct | inside).exclude(status=Task.Status.DONE).distinct().order_by("wbs_code"))
