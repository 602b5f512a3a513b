"""Projects of the scale data set: phases, tasks and links, scheduled by the real CPM engine.

Rows are built in memory with reserved ids, each project goes through `projects.planning.plan_input` and
`projects.scheduling.schedule` (the adapter and engine every edit uses), the results are stored on the rows the
way `planning.project_schedule_recalculate` stores them, and everything is written once with COPY. Calling that
function per project costs six round trips and two bulk updates each: most of the load time under a busy machine.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import cast

from django.utils import timezone

from organizer_pm.dashboard.scale.bulk import copy_rows, reserve_ids
from organizer_pm.dashboard.scale.plan import Plan, World
from projects import scheduling
from projects.models import Dependency, Project, Task
from projects.planning import plan_input
from projects.scheduling.model import LinkKind
from projects.services import calendar_default

KINDS = ["move", "relocation", "garage", "declutter", "storage", "estate", "other"]
PHASES = ["Assess", "Sort", "Pack", "Move", "Unpack", "Set up", "Close out"]
SLACK = {  # how far a link's successor could move before the link drives it (planning._driving_links)
    "FS": lambda me, pred, lag: me.es - lag - pred.ef,
    "SS": lambda me, pred, lag: me.es - lag - pred.es,
    "FF": lambda me, pred, lag: me.ef - lag - pred.ef,
    "SF": lambda me, pred, lag: me.ef - lag - pred.es,
}


def _status(rng, start: date, today: date) -> str:
    if start > today:
        return rng.choice(("proposed", "planned", "planned"))
    if start > today - timedelta(days=120):
        return rng.choice(("active", "active", "active", "on_hold"))
    return "cancelled" if rng.random() < 0.06 else "completed"


def _rows(obj: object) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}  # type: ignore[attr-defined]


def _codes(tasks: list[Task]) -> None:
    """Outline numbers: phases 1, 2, ...; their tasks 1.1, 1.2, ... (positions are in creation order)."""
    for task in tasks:
        task.wbs_code = str(task.position + 1)
    by_id = {t.pk: t for t in tasks}
    for task in tasks:
        if task.parent_id:
            task.wbs_code = f"{by_id[task.parent_id].wbs_code}.{task.position + 1}"


def _schedule(project: Project, tasks: list[Task], deps: list[Dependency]) -> None:
    plan = plan_input(project, tasks, deps)
    result = scheduling.schedule(plan.tasks, plan.links, deadline=plan.deadline)
    calendar = plan.calendar
    parents = {t.parent_id for t in tasks if t.parent_id}
    by_id = {t.pk: t for t in tasks}
    incoming: dict[int, list[Dependency]] = {}
    for dep in deps:
        incoming.setdefault(dep.succ_id, []).append(dep)
        link = scheduling.Link(dep.pred_id, dep.succ_id, kind=cast(LinkKind, dep.kind), lag=dep.lag_wd)
        dep.is_critical = result.is_critical_link(link)
    _codes(tasks)
    for task in tasks:
        r = result.tasks[task.pk]
        span = r.ef - r.es
        task.is_summary = task.pk in parents
        task.es, task.ef, task.ls, task.lf = r.es, r.ef, r.ls, r.lf
        task.total_float, task.free_float, task.is_critical = r.total_float, r.free_float, r.critical
        task.finish_on = calendar.finish_date(r.ef, span)
        task.late_finish_on = calendar.finish_date(r.lf, r.lf - r.ls)
        milestone = span == 0 and not task.is_summary
        task.start_on = task.finish_on if milestone else calendar.start_date(r.es)
        task.late_start_on = task.late_finish_on if milestone else calendar.start_date(r.ls)
        node: Task | None = task if r.es else None
        while node is not None and task.driving_link_id is None:
            for dep in incoming.get(node.pk, []):
                if SLACK[dep.kind](r, result.tasks[dep.pred_id], dep.lag_wd) == 0:
                    task.driving_link_id = dep.pk
                    break
            node = by_id.get(node.parent_id) if node.parent_id else None
    leaves = [result.tasks[t.pk] for t in tasks if t.pk not in parents]
    project.finish_on = calendar.finish_date(result.finish, result.finish) if tasks else project.start_on
    project.min_total_float = min((r.total_float for r in leaves), default=0)


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
