"""What a client sees of their projects in the portal (docs/specs/portal.md §10): milestones with their forecast
or actual date, and progress as the duration-weighted mean of the leaf tasks (docs/specs/scheduling.md §2.6).
Plain dataclasses only: no task notes, assignees, hours, rates or budgets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.http import Http404

from projects.models import Project, Task


@dataclass(frozen=True)
class PortalMilestone:
    name: str
    on: date | None
    done: bool


@dataclass(frozen=True)
class PortalProject:
    pk: int
    name: str
    status: str
    start_on: date
    finish_on: date | None
    progress_pct: float
    milestones: list[PortalMilestone]


def _portal_project(project: Project, tasks: list[Task]) -> PortalProject:
    leaves = [t for t in tasks if not t.is_summary]
    weight = sum(t.duration_wd for t in leaves)
    progress = round(sum(t.progress_pct * t.duration_wd for t in leaves) / weight, 1) if weight else 0.0
    milestones = [
        PortalMilestone(t.name, t.finish_on, t.status == Task.Status.DONE)
        for t in sorted(leaves, key=lambda t: (t.finish_on or date.max, t.pk))
        if t.is_milestone
    ]
    return PortalProject(
        project.pk, project.name, project.get_status_display(), project.start_on, project.finish_on, progress,
        milestones,
    )  # fmt: skip


def _projects_of(client_ids: list[int], pk: int | None = None) -> list[Project]:
    found = Project.objects.filter(client_id__in=client_ids, is_template=False).exclude(status=Project.Status.CANCELLED)
    if pk is not None:
        found = found.filter(pk=pk)
    return list(found.prefetch_related("tasks").order_by("start_on", "pk"))


def portal_projects(*, client_ids: list[int]) -> list[PortalProject]:
    return [_portal_project(p, list(p.tasks.all())) for p in _projects_of(client_ids)]


def portal_project_get(*, client_ids: list[int], pk: int) -> PortalProject:
    """One project of the given clients; another client's id or a missing one is the same 404."""
    found = _projects_of(client_ids, pk=pk)
    if not found:
        raise Http404
    return _portal_project(found[0], list(found[0].tasks.all()))
