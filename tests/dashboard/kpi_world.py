"""The KPI fixture of docs/specs/kpis.md §5: business zone New York, week 2025-11-03..09, Alice working 40 h with
4 h of approved time off, jobs J1-J7 and the redo J3R; Ben with one job; a warehouse and supplies consumed on
jobs; close-out answers on two projects. Rows are written directly (the rules that make them are tested in their
apps); revenue is charges by service date, as billing records it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from accounts.services import working_hours_set
from billing.models import Charge, RedoLink
from clients.models import Client
from operations.models import Appointment, AppointmentType, Item, Location, StockMove, TimeOff
from projects import services as project_services
from projects.models import Project
from tests.accounts.factories import UserFactory
from tests.clients.factories import ClientFactory, SiteFactory

NY = ZoneInfo("America/New_York")
WEEK = (date(2025, 11, 3), date(2025, 11, 9))
D = Decimal


def ny(*args):
    return datetime(*args, tzinfo=NY)


@dataclass
class World:
    alice: object
    ben: object
    owner: object
    office: object
    client: Client
    jobs: dict[str, Appointment] = field(default_factory=dict)
    warehouse: Location | None = None
    projects: list[Project] = field(default_factory=list)


def _organizer(name):
    user = UserFactory(role="organizer", first_name=name, last_name="K", email=f"{name.lower()}@kpi.example")
    profile = user.organizer_profile
    profile.time_zone = "America/New_York"
    profile.save(update_fields=["time_zone"])
    working_hours_set(profile=profile, hours={d: (time(8), time(16)) for d in range(5)})
    return user


def visit(world, key, organizer, starts, hours, status="completed", *, revenue=None, supply=None):
    ends = starts + timedelta(minutes=int(D(str(hours)) * 60))
    done = status == "completed"
    appt = Appointment.objects.create(
        client=world.client, site=world.client.sites.first(), appointment_type=AppointmentType.objects.first(),
        starts=starts, ends=ends, blocked_until=ends, status=status,
        actual_start=starts if done else None, actual_end=ends if done else None,
    )  # fmt: skip
    appt.organizers.set([organizer])
    if revenue is not None:
        Charge.objects.create(
            client=world.client, kind="visit_time", source_key=f"kpi-{key}", visit=appt, organizer=organizer,
            service_date=starts.date(), description=key, amount=D(revenue),
        )  # fmt: skip
    if supply:
        consumed = Location.objects.get(kind="consumed")
        item = Item.objects.first()
        StockMove.objects.create(
            item=item, qty=D("1"), unit_cost=D(supply), from_location=world.warehouse, to_location=consumed,
            reason="consume", appointment=appt,
        )  # fmt: skip
    world.jobs[key] = appt
    return appt


def build_world(*, with_j7_completed=True) -> World:
    AppointmentType.objects.get_or_create(name="Organizing session")
    client = ClientFactory(name="Carol KPI")
    SiteFactory(client=client)
    world = World(
        alice=_organizer("Alice"), ben=_organizer("Ben"),
        owner=UserFactory(role="owner", email="owner@kpi.example"),
        office=UserFactory(role="office", email="office@kpi.example"), client=client,
    )  # fmt: skip
    world.warehouse = Location.objects.create(kind="warehouse", name="KPI warehouse")
    supplier = Location.objects.get_or_create(kind="supplier", defaults={"name": "Suppliers"})[0]
    Location.objects.get_or_create(kind="consumed", defaults={"name": "Used on jobs"})
    item = Item.objects.create(sku="KPI-BOX", name="Box")
    StockMove.objects.create(
        item=item, qty=D("100"), unit_cost=D("10"), from_location=supplier, to_location=world.warehouse,
        reason="receipt",
    )  # fmt: skip
    TimeOff.objects.create(
        organizer=world.alice, starts=ny(2025, 11, 5, 9), ends=ny(2025, 11, 5, 13), status="approved"
    )
    a = world.alice
    visit(world, "J1", a, ny(2025, 11, 3, 9), 3, revenue="270", supply="45")
    visit(world, "J2", a, ny(2025, 11, 4, 9), 4, revenue="360", supply="30")
    visit(world, "J3", a, ny(2025, 11, 4, 21), 2.5, revenue="225")  # ends 23:30 New York, 04:30Z the next day
    redo = visit(world, "J3R", a, ny(2025, 11, 6, 9), 1, revenue="0")
    RedoLink.objects.create(visit=redo, redo_of=world.jobs["J3"])
    visit(world, "J4", a, ny(2025, 11, 6, 13), 2, "cancelled")
    visit(world, "J5", a, ny(2025, 11, 7, 9), 2, "late_cancelled")
    visit(world, "J6", a, ny(2025, 11, 7, 13), 2, "no_show")
    if with_j7_completed:
        visit(world, "J7", a, ny(2025, 11, 4, 14), 3, revenue="300", supply="25")
    else:
        visit(world, "J7", a, ny(2025, 11, 4, 14), 3, "scheduled")
    visit(world, "B1", world.ben, ny(2025, 11, 5, 10), 2, revenue="180")
    for name, csat, nps, lead in (("Move", 5, 10, world.alice), ("Attic", 3, 6, world.ben)):
        project = project_services.project_create(
            data={"client": client, "name": name, "start_on": date(2025, 10, 1), "deadline_on": None, "lead": lead}
        )
        Project.objects.filter(pk=project.pk).update(
            status="completed", completed_at=ny(2025, 11, 5, 12), csat=csat, nps=nps
        )
        world.projects.append(project)
    return world
