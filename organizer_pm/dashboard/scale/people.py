"""Users, clients with their contacts and sites, and visit types of the scale data set."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from accounts.models import OrganizerProfile, WorkingHours
from accounts.services import user_create
from clients.models import Client, Contact, Site
from operations.models import AppointmentType
from organizer_pm.dashboard.scale.bulk import copy_rows, reserve_ids
from organizer_pm.dashboard.scale.plan import Plan, World

FIRST = [
    "Ava",
    "Ben",
    "Chloe",
    "Dan",
    "Eve",
    "Finn",
    "Grace",
    "Hugo",
    "Iris",
    "Jack",
    "Kate",
    "Liam",
    "Maya",
    "Noah",
    "Olive",
    "Paul",
    "Quinn",
    "Rosa",
    "Sam",
    "Tara",
    "Uma",
    "Vic",
    "Wes",
    "Xena",
    "Yara",
    "Zack",
]
LAST = ["Adams", "Baker", "Clark", "Davis", "Evans", "Flores", "Garcia", "Hill", "Ito", "Jones", "King", "Lopez",
        "Moore", "Nguyen", "Ortiz", "Patel", "Reed", "Smith", "Turner", "Vega", "Walsh", "Young"]  # fmt: skip
STREETS = ["Oak St", "Maple Ave", "Cedar Ln", "Pine Rd", "Elm St", "Birch Way", "Lake Dr", "Hill Rd", "Park Ave"]
CITIES = [("Brooklyn", "NY", "112"), ("Hoboken", "NJ", "070"), ("Stamford", "CT", "069"), ("Yonkers", "NY", "107")]
TYPES = [  # name, booked minutes, hourly rate
    ("Organizing session", 90, Decimal("95.00")),
    ("Assessment", 90, Decimal("0.00")),
    ("Maintenance visit", 90, Decimal("85.00")),
    ("Move-in unpacking", 90, Decimal("110.00")),
]
STATUSES = ["active"] * 5 + ["maintenance"] * 3 + ["past"] * 3 + ["lead", "assessment"]
SOURCES = ["referral", "partner", "website", "social", "directory", "repeat", "other", ""]


def _users(plan: Plan, world: World) -> None:
    world.owner = user_create(actor=None, email="scale-owner@example.com", role="owner", password=None,
                              first_name="Olivia", last_name="Owner").pk  # fmt: skip
    world.office = user_create(actor=None, email="scale-office@example.com", role="office", password=None,
                               first_name="Oscar", last_name="Office").pk  # fmt: skip
    rng = plan.rng("people")
    for n in range(plan.organizers):
        user = user_create(actor=None, email=f"scale-organizer{n + 1}@example.com", role="organizer", password=None,
                           first_name=FIRST[n % len(FIRST)], last_name=f"{LAST[n % len(LAST)]} {n + 1}")  # fmt: skip
        world.organizers.append(user.pk)
    profiles = OrganizerProfile.objects.filter(user_id__in=world.organizers).order_by("user_id")
    for n, profile in enumerate(profiles):
        profile.colour = f"#{rng.randrange(0x202020, 0xE0E0E0):06x}"
        profile.billable_rate = Decimal(75 + 5 * (n % 6))
        profile.hourly_cost = Decimal(30 + 2 * (n % 5))
        profile.save()
    # Saturdays are worked too: the visit grid fills Monday to Saturday, 9:00 to 17:00.
    WorkingHours.objects.bulk_create(
        [WorkingHours(profile=p, weekday=5, starts_at=time(9), ends_at=time(17)) for p in profiles],
        ignore_conflicts=True,
    )


def _types(world: World) -> None:
    for name, minutes, rate in TYPES:
        atype, _ = AppointmentType.objects.get_or_create(
            name=name, defaults={"default_duration_min": minutes, "default_travel_min": 30, "billable_rate": rate,
                                 "checklist": "Photos before\nSort and purge\nPhotos after"},
        )  # fmt: skip
        world.types.append((atype.pk, minutes, rate))


def _clients(plan: Plan, world: World) -> None:
    rng = plan.rng("clients")
    first_day = plan.today - timedelta(days=365 * plan.years)
    span = (plan.today - first_day).days
    first = reserve_ids(Client, plan.clients)
    clients, contacts, sites = [], [], []
    contact_pk = reserve_ids(Contact, plan.clients * 2)
    site_pk = reserve_ids(Site, plan.clients * 2)
    for n in range(plan.clients):
        pk = first + n
        # Clients arrive through the whole period; a fifth were already clients before it began.
        since = first_day if rng.random() < 0.2 else first_day + timedelta(days=int(span * rng.random() ** 1.3))
        created = datetime.combine(since, time(14), tzinfo=UTC)
        business = rng.random() < 0.15
        surname = LAST[rng.randrange(len(LAST))]
        name = f"{surname} {'Studio' if business else 'household'} {n + 1}"
        clients.append({
            "id": pk, "kind": "business" if business else "household", "name": name,
            "status": STATUSES[rng.randrange(len(STATUSES))], "referral_source": SOURCES[rng.randrange(len(SOURCES))],
            "referral_detail": "", "notes": "", "created_at": created, "updated_at": created,
            "created_by_id": world.office, "archived_at": None, "archived_by_id": None,
        })  # fmt: skip
        for k in range(1 + (rng.random() < 0.3)):
            person = f"{FIRST[rng.randrange(len(FIRST))]} {surname}"
            contacts.append({
                "id": contact_pk, "client_id": pk, "name": person, "role": "homeowner" if k == 0 else "partner",
                "phone": f"+1212555{rng.randrange(10000):04d}", "email": f"c{n + 1}.{k}@example.com",
                "preferred_channel": "email", "is_primary": k == 0,
            })  # fmt: skip
            contact_pk += 1
        city, region, prefix = CITIES[rng.randrange(len(CITIES))]
        world.client_sites[pk] = []
        for k in range(1 + (rng.random() < 0.1)):
            sites.append({
                "id": site_pk, "client_id": pk, "label": "Home" if k == 0 else "Storage unit",
                "street": f"{rng.randrange(1, 999)} {STREETS[rng.randrange(len(STREETS))]}", "unit": "",
                "city": city, "region": region, "postal_code": f"{prefix}{rng.randrange(100):02d}",
                "country": "United States", "time_zone": "America/New_York", "parking": "", "pets": "",
                "access_instructions": "", "entry_code": "",
            })  # fmt: skip
            world.client_sites[pk].append(site_pk)
            site_pk += 1
        world.clients.append(pk)
        world.client_since[pk] = since
        world.client_organizer[pk] = world.organizers[n % len(world.organizers)]
    world.counts["clients"] = copy_rows(Client, clients)
    world.counts["contacts"] = copy_rows(Contact, contacts)
    world.counts["sites"] = copy_rows(Site, sites)


def build(plan: Plan, world: World) -> None:
    _users(plan, world)
    _types(world)
    _clients(plan, world)
