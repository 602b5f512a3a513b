"""Demo work sessions for `load_demo`: a garage project starting today whose tasks carry estimates, assignees, a
checklist and notes, with sessions booked from "Find slots" (once; a clash just skips a proposal)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import User
from clients.models import Client
from projects import demo
from projects import services as project_services
from projects.dates import business_today
from projects.models import Project, Task, TaskChecklistItem, WorkSession
from projects.sessions import selectors, services

NAME = "Garcia garage reset"
ESTIMATES = {"Assessment & zones": 4, "Empty & sort": 12, "Haul-away pickup": 2, "Install shelving & hooks": 8,
             "Return & label": 8, "Client sign-off": 1}  # fmt: skip
CHECKLIST = ["Sort keep/donate/discard", "Photograph donations", "Bag and label donations"]


def load(*, client: Client, organizers: list[User]) -> None:
    if Project.objects.filter(name=NAME).exists() or WorkSession.objects.exists():
        return
    spec = demo.TEMPLATES["Garage reset"]
    project = project_services.project_create(
        data={"client": client, "name": NAME, "kind": Project.Kind.GARAGE, "status": Project.Status.ACTIVE,
              "start_on": business_today()}
    )  # fmt: skip
    tasks = demo.build_plan(project, spec["tasks"], spec["links"])
    for task in tasks.values():
        Task.objects.filter(pk=task.pk).update(
            estimate_hours=Decimal(ESTIMATES.get(task.name, 4)), on_site=task.name != "Haul-away pickup",
            notes="Client keeps all tools on the left wall." if task.name == "Empty & sort" else "",
        )  # fmt: skip
        task.assignees.set(organizers[:2])
    sort = Task.objects.get(project=project, name="Empty & sort")
    for i, text in enumerate(CHECKLIST):
        TaskChecklistItem.objects.create(task=sort, text=text, position=i)
    now = timezone.now()
    for name in ("Assessment & zones", "Empty & sort"):
        task = Task.objects.get(project=project, name=name)
        plan = selectors.session_proposals(task=task, organizers=organizers[:2], now=now)
        for proposal in plan.proposals[:2]:
            try:
                services.task_session_book(
                    task=task, starts=proposal.starts, ends=proposal.ends, organizers=organizers[:2], now=now,
                    confirm_outside_window=True,
                )  # fmt: skip
            except ValidationError:
                continue
