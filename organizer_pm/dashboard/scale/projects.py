"""Projects of the scale data set: phases, tasks and links, scheduled through the real CPM engine.

Rows are bulk-inserted, then `projects.planning.project_schedule_recalculate` schedules each project exactly as an
edit would, so every stored date, float and critical flag is what the engine computes.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from projects.models import Dependency, Project, Task
from projects.planning import project_schedule_recalculate
from projects.services import calendar_default
from organizer_pm.dashboard.scale.plan import Plan, World

KINDS = ["move", "relocation", "garage", "declutter", "storage", "estate", "other"]
PHASES = ["Assess", "Sort", "Pack", "Move", "Unpack", "Set up", "Close out"]


def _status(rng, start, today) -> str:
    if start > today:
        return rng.choice(("proposed", "planned", "planned"))
    if start > today - timedelta(days=120):
        return rng.choice(("active", "active", "active", "on_hold"))
    return "cancelled" if rng.random() < 0.06 else "completed"


def build(plan: Plan, world: World) -> None:
    rng = plan.rng("projects")
    calendar = calendar_default()
    first_day = plan.today - timedelta(days=365 * plan.years)
    span = (plan.today + timedelta(days=60) - first_day).days
    projects, shapes = [], []
    for n in range(plan.projects):
        client = world.clients[rng.randrange(len(world.clients))]
        start = max(first_day + timedelta(days=rng.randrange(span)), world.client_since[client])
        big = n == plan.projects // 2  # the Gantt benchmark's project, started recently
        if big:
            start = plan.today - timedelta(days=30)
        status = "active" if big else _status(rng, start, plan.today)
        done = status == "completed"
        projects.append(Project(
            client_id=client, name=f"{'Whole-house move' if big else KINDS[n % 7].title()} {n + 1}",
            kind=KINDS[n % 7], status=status, start_on=start, lead_id=world.client_organizer[client],
            calendar=calendar, budget_hours=Decimal(rng.randrange(10, 200)),
            budget_amount=Decimal(rng.randrange(10, 200) * 95), is_template=False,
            completed_at=datetime.combine(start + timedelta(days=rng.randrange(20, 90)), time(17), tzinfo=UTC)
            if done else None,
            csat=rng.choice((3, 4, 4, 5, 5, 5)) if done and rng.random() < 0.7 else None,
            nps=rng.choice((6, 8, 9, 9, 10, 10)) if done and rng.random() < 0.6 else None,
        ))  # fmt: skip
        phases = 20 if big else rng.randrange(2, 6)
        leaves = 14 if big else rng.randrange(2, 6)
        shapes.append((phases, leaves, done))
    projects = Project.objects.bulk_create(projects, batch_size=2000)
    summaries = []
    for project, (phases, _, done) in zip(projects, shapes, strict=True):
        for p in range(phases):
            summaries.append(Task(project=project, position=p, name=PHASES[p % len(PHASES)] + f" {p // 7 + 1}",
                                  status="done" if done else "todo", progress_pct=100 if done else 0))  # fmt: skip
    summaries = Task.objects.bulk_create(summaries, batch_size=5000)
    leaves, index = [], 0
    for project, (phases, count, done) in zip(projects, shapes, strict=True):
        for p in range(phases):
            parent = summaries[index]
            index += 1
            for k in range(count):
                leaves.append(Task(project=project, parent=parent, position=k, name=f"{parent.name}: step {k + 1}",
                                   duration_wd=0 if k == count - 1 and rng.random() < 0.2 else rng.randrange(1, 6),
                                   estimate_hours=Decimal(rng.randrange(2, 16)), status="done" if done else "todo",
                                   progress_pct=100 if done else 0))  # fmt: skip
    leaves = Task.objects.bulk_create(leaves, batch_size=5000)
    deps, by_project = [], {}
    for task in leaves:
        by_project.setdefault(task.project_id, []).append(task)
    for tasks in by_project.values():
        for i in range(1, len(tasks)):
            pred = tasks[i - 1] if rng.random() < 0.8 or i < 2 else tasks[i - 2]
            kind = "FS" if rng.random() < 0.8 else "SS"
            deps.append(Dependency(project_id=pred.project_id, pred=pred, succ=tasks[i], kind=kind,
                                   lag_wd=rng.choice((0, 0, 0, 1, 2))))  # fmt: skip
    Dependency.objects.bulk_create(deps, batch_size=5000)
    for project in projects:
        project_schedule_recalculate(project=project)
    world.counts["projects"] = len(projects)
    world.counts["tasks"] = len(summaries) + len(leaves)
    world.counts["links"] = len(deps)
