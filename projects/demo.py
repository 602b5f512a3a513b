# ruff: noqa: E501  (the plan tables read best one phase per line)
"""Demo plans: docs/specs/scheduling.md's worked example ("Smith home move") and three organizer templates.

Each plan is data (phases, tasks, links) built through the services, so demo data obeys every rule.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from projects import services
from projects.models import Holiday, Project, Task

# (key, name, duration, parent key or None); a parent has duration None.
WORKED_EXAMPLE_TASKS = [
    ("P1", "Planning", None, None),
    ("A", "Walkthrough & inventory", 2, "P1"),
    ("B", "Book movers & vendors", 3, "P1"),
    ("E", "Order packing supplies", 1, "P1"),
    ("P2", "Declutter & pack", None, None),
    ("C", "Declutter & donate", 4, "P2"),
    ("D", "Pack non-essentials", 5, "P2"),
    ("F", "Pack essentials", 2, "P2"),
    ("H", "Donation pickup", 1, "P2"),
    ("P3", "Move & settle", None, None),
    ("G", "Moving day", 1, "P3"),
    ("I", "Unpack & set up", 3, "P3"),
    ("J", "Storage unit rental", 4, "P3"),
    ("K", "Client sign-off", 0, "P3"),
]
WORKED_EXAMPLE_LINKS = [
    ("A", "B", "FS", 0), ("A", "E", "FS", 0), ("A", "C", "SS", 1), ("C", "D", "FS", -1), ("E", "D", "FS", 2),
    ("D", "F", "FF", 1), ("C", "H", "FS", 0), ("F", "G", "FS", 0), ("P1", "P3", "FS", 0), ("G", "I", "FS", 0),
    ("I", "J", "SF", 0), ("I", "K", "FS", 0), ("H", "K", "FS", 0),
]  # fmt: skip
WORKED_EXAMPLE_START = date(2026, 6, 1)
WORKED_EXAMPLE_HOLIDAY = date(2026, 6, 19)

TEMPLATES: dict[str, dict[str, Any]] = {
    "Whole-home move": {
        "kind": "move",
        "tasks": [
            ("P1", "Plan the move", None, None), ("a", "Walkthrough & room-by-room inventory", 1, "P1"),
            ("b", "Floor plan for the new home", 1, "P1"), ("c", "Book movers", 1, "P1"),
            ("P2", "Edit & pack", None, None), ("d", "Declutter & donate", 3, "P2"), ("e", "Pack non-essentials", 4, "P2"),
            ("f", "Pack kitchen & essentials", 2, "P2"), ("P3", "Move & settle", None, None), ("g", "Moving day", 1, "P3"),
            ("h", "Unpack kitchen & bedrooms", 2, "P3"), ("i", "Set up closets & storage", 2, "P3"),
            ("j", "Client walkthrough", 0, "P3"),
        ],
        "links": [("a", "b", "FS", 0), ("a", "c", "FS", 0), ("a", "d", "SS", 1), ("d", "e", "FS", -1),
                  ("e", "f", "FF", 1), ("c", "g", "FS", 2), ("f", "g", "FS", 0), ("b", "g", "FS", 0),
                  ("g", "h", "FS", 0), ("h", "i", "SS", 1), ("i", "j", "FS", 0)],
    },
    "Office relocation": {
        "kind": "relocation",
        "tasks": [
            ("P1", "Assess", None, None), ("a", "Site survey & inventory", 2, "P1"), ("b", "Space plan sign-off", 1, "P1"),
            ("P2", "Prepare", None, None), ("c", "Purge files & records", 5, "P2"), ("d", "Label furniture & IT", 2, "P2"),
            ("e", "Pack departments", 4, "P2"), ("P3", "Move", None, None), ("f", "Move weekend", 1, "P3"),
            ("g", "Unpack & set up desks", 3, "P3"), ("h", "Go-live", 0, "P3"),
        ],
        "links": [("a", "b", "FS", 0), ("b", "c", "FS", 0), ("c", "e", "SS", 2), ("d", "f", "FS", 0),
                  ("e", "f", "FS", 0), ("b", "d", "FS", 3), ("f", "g", "FS", 0), ("g", "h", "FS", 0)],
    },
    "Garage reset": {
        "kind": "garage",
        "tasks": [
            ("a", "Assessment & zones", 1, None), ("b", "Empty & sort", 1, None), ("c", "Haul-away pickup", 1, None),
            ("d", "Install shelving & hooks", 1, None), ("e", "Return & label", 1, None), ("f", "Client sign-off", 0, None),
        ],
        "links": [("a", "b", "FS", 0), ("b", "c", "FS", 0), ("b", "d", "FS", 0), ("d", "e", "FS", 0),
                  ("c", "e", "SS", 0), ("e", "f", "FS", 0)],
    },
}  # fmt: skip


def build_plan(
    project: Project, tasks: list[tuple[str, str, int | None, str | None]], links: list[tuple[str, str, str, int]]
) -> dict[str, Task]:
    """Create the tasks (phases first) and links of a plan on an empty project; returns tasks by key."""
    by_key: dict[str, Task] = {}
    for position, (key, name, duration, parent) in enumerate(tasks, 1):
        data = {"name": name, "duration_wd": duration or 0, "position": position}
        if parent:
            data["parent"] = by_key[parent]
        by_key[key] = services.task_create(project=project, data=data)
    for pred, succ, kind, lag in links:
        by_key[pred].refresh_from_db()
        by_key[succ].refresh_from_db()
        services.dependency_add(pred=by_key[pred], succ=by_key[succ], kind=kind, lag_wd=lag)
    return by_key


def worked_example_create(*, client: Any, lead: Any = None, name: str = "Smith home move") -> Project:
    calendar = services.calendar_default()
    Holiday.objects.get_or_create(calendar=calendar, date=WORKED_EXAMPLE_HOLIDAY, defaults={"name": "Juneteenth"})
    project = services.project_create(
        data={
            "client": client,
            "name": name,
            "kind": Project.Kind.MOVE,
            "status": Project.Status.ACTIVE,
            "start_on": WORKED_EXAMPLE_START,
            "lead": lead,
            "budget_hours": 120,
            "budget_amount": 9000,
        }  # fmt: skip
    )
    build_plan(project, WORKED_EXAMPLE_TASKS, WORKED_EXAMPLE_LINKS)
    project.refresh_from_db()
    return project


def templates_create() -> list[Project]:
    created = []
    for name, spec in TEMPLATES.items():
        if Project.objects.filter(is_template=True, name=name).exists():
            continue
        project = services.project_create(
            data={"name": name, "kind": spec["kind"], "start_on": WORKED_EXAMPLE_START}, is_template=True
        )
        build_plan(project, spec["tasks"], spec["links"])
        created.append(project)
    return created


def worked_example_progress(project: Project) -> None:
    """docs/specs/one-schedule.md's fixture: A done (Mon 06-01 - Tue 06-02), E half done since Wed 06-03. With the
    status run the June plan then slides to today, and the pages show what is behind (idempotent)."""
    tasks = {t.name: t for t in Task.objects.filter(project=project)}
    walkthrough, supplies = tasks["Walkthrough & inventory"], tasks["Order packing supplies"]
    if walkthrough.progress_pct == 0:
        services.task_update(
            task=walkthrough,
            data={"progress_pct": 100, "actual_start": date(2026, 6, 1), "actual_finish": date(2026, 6, 2)},
        )
    if supplies.progress_pct == 0:
        services.task_update(task=supplies, data={"progress_pct": 50, "actual_start": date(2026, 6, 3)})
