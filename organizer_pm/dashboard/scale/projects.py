"""Projects of the scale data set: phases, tasks and links, scheduled by the app's own status run.

Rows are built in memory with reserved ids, each project goes through `projects.planning.schedule_apply` (the
adapter, status run and engine every edit uses, without saving), and everything is written once with COPY.
Calling `project_schedule_recalculate` per project costs six round trips and two bulk updates each: most of the
load time under a busy machine.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from organizer_pm.dashboard.scale.bulk import copy_rows, reserve_ids
from organizer_pm.dashboard.scale.plan import Plan, World
from projects.models import Dependency, Project, Task
from projects.planning import schedule_apply
from projects.services import calendar_default

KINDS = ["move", "relocation", "garage", "declutter", "storage", "estate", "other"]
PHASES = ["Assess", "Sort", "Pack", "Move", "Unpack", "Set up", "Close out"]


def _status(rng, start: date, today: date) -> str:
    if start > today:
        return rng.choice(("proposed", "planned", "planned"))
    if start > today - timedelta(days=120):
        return rng.choice(("active", "active", "active", "on_hold"))
    return "cancelled" if rng.random() < 0.06 else "completed"


def _rows(obj: object) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}  # type: ignore[attr-defined]


def _schedule(project: Project, tasks: list[Task], deps: list[Dependency]) -> None:
    """The app's own status run, in memory: the rows are then written once with COPY."""
    schedule_apply(project=project, tasks=tasks, deps=deps)


def build(plan: Plan, world: World) -> None:
    rng = plan.rng("projects")
    calendar = calendar_default()
    first_day = plan.today - timedelta(days=365 * plan.years)
    span = (plan.today + timedelta(days=60) - first_day).days
    now = timezone.now()
    project_pk, task_pk = reserve_ids(Project, plan.projects), 0
    projects, deps = [], []
    for n in range(plan.projects):
        client = world.clients[rng.randrange(len(world.clients))]
        start = max(first_day + timedelta(days=rng.randrange(span)), world.client_since[client])
        big = n == plan.projects // 2  # the Gantt benchmark's project, started recently
        if big:
            start = plan.today - timedelta(days=30)
        status = "active" if big else _status(rng, start, plan.today)
        done = status == "completed"
        project = Project(
            pk=project_pk + n, client_id=client, name=f"{'Whole-house move' if big else KINDS[n % 7].title()} {n + 1}",
            kind=KINDS[n % 7], status=status, start_on=start, lead_id=world.client_organizer[client],
            calendar=calendar, budget_hours=Decimal(rng.randrange(10, 200)),
            budget_amount=Decimal(rng.randrange(10, 200) * 95), is_template=False, created_at=now, updated_at=now,
            completed_at=datetime.combine(start + timedelta(days=rng.randrange(20, 90)), time(17), tzinfo=UTC)
            if done else None,
            csat=rng.choice((3, 4, 4, 5, 5, 5)) if done and rng.random() < 0.7 else None,
            nps=rng.choice((6, 8, 9, 9, 10, 10)) if done and rng.random() < 0.6 else None,
        )  # fmt: skip
        phases = 20 if big else rng.randrange(2, 6)
        count = 14 if big else rng.randrange(2, 6)
        own: list[Task] = []
        for p in range(phases):
            parent = Task(project=project, position=p, name=PHASES[p % len(PHASES)] + f" {p // 7 + 1}",
                          status="done" if done else "todo", progress_pct=100 if done else 0)  # fmt: skip
            own.append(parent)
            for k in range(count):
                own.append(Task(project=project, parent=parent, position=k, name=f"{parent.name}: step {k + 1}",
                                duration_wd=0 if k == count - 1 and rng.random() < 0.2 else rng.randrange(1, 6),
                                estimate_hours=Decimal(rng.randrange(2, 16)), status="done" if done else "todo",
                                progress_pct=100 if done else 0))  # fmt: skip
        projects.append((project, own))
        task_pk += len(own)
    first_task = reserve_ids(Task, task_pk)
    next_task = first_task
    for project, own in projects:
        for task in own:
            task.pk, next_task = next_task, next_task + 1
        for task in own:
            task.parent_id = task.parent.pk if task.parent else None
        leaves = [t for t in own if t.parent_id]
        mine = []
        for i in range(1, len(leaves)):
            pred = leaves[i - 1] if rng.random() < 0.8 or i < 2 else leaves[i - 2]
            mine.append(
                Dependency(
                    project_id=project.pk,
                    pred_id=pred.pk,
                    succ_id=leaves[i].pk,
                    kind="FS" if rng.random() < 0.8 else "SS",
                    lag_wd=rng.choice((0, 0, 0, 1, 2)),
                )
            )
        deps.append(mine)
    first_dep = reserve_ids(Dependency, sum(len(d) for d in deps))
    for mine in deps:
        for dep in mine:
            dep.pk, first_dep = first_dep, first_dep + 1
    for (project, own), mine in zip(projects, deps, strict=True):
        _schedule(project, own, mine)
    copy_rows(Project, (_rows(p) for p, _ in projects))
    world.counts["projects"] = len(projects)
    world.counts["tasks"] = copy_rows(Task, (_rows(t) for _, own in projects for t in own))
    world.counts["links"] = copy_rows(Dependency, (_rows(d) for mine in deps for d in mine))
