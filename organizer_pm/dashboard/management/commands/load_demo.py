"""Demo data for `make run`: one owner, one office staff, three organizers, a dozen clients, visits (today's
for every organizer too), projects, and supplies (organizer_pm/dashboard/management/demo_inventory.py).

Idempotent: users are found by email, clients by name, stock moves by their keys, today's visits are added only
for an organizer with none today; running it again the same day changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts import services as account_services
from accounts.mfa import mfa_required
from accounts.models import User
from billing import demo as billing_demo
from clients import services as client_services
from clients.models import Client
from operations.models import Appointment, AppointmentType, Item
from operations.recurrence import parse_rrule
from operations.selectors import my_day as my_day_selectors
from operations.services import series as series_services
from operations.services import visits as operation_services
from organizer_pm.dashboard.management import demo_history, demo_inventory, demo_portal
from photos import demo as photos_demo
from projects import demo as project_demo
from projects.models import Project
from projects.sessions import demo as session_demo

DEMO_PASSWORD = "organize-demo-2026"
# Owner and office must pass a second factor: the demo gives them this published authenticator-app secret
# (README.md, printed with the logins). Demo data only; real users enrol their own secret at first login.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
DEMO_USERS = [
    ("owner@example.com", "Olivia", "Owens", User.Role.OWNER, None),
    ("office@example.com", "Frank", "Ortega", User.Role.OFFICE, None),
    ("maya@example.com", "Maya", "Chen", User.Role.ORGANIZER, ("#d63384", "45", "70")),
    ("leo@example.com", "Leo", "Baptiste", User.Role.ORGANIZER, ("#198754", "40", "65")),
    ("sam@example.com", "Sam", "Rivera", User.Role.ORGANIZER, ("#fd7e14", "38", "60")),
]
# name, kind, status, tags, contact (name, phone, email, channel), site (street, city, region, zip, tz, code), team
DEMO_CLIENTS: list[tuple[Any, ...]] = [
    ("Smith household", "household", "active", ["move", "downsizing"],
     ("Janet Smith", "+12125550101", "janet.smith@example.net", "email"),
     ("14 Orchard Lane", "Montclair", "NJ", "07042", "America/New_York", "4471"), ["maya@example.com"]),
    ("Nguyen family", "household", "maintenance", ["kitchen", "pantry"],
     ("Linh Nguyen", "+12125550102", "linh@example.net", "sms"),
     ("88 Hudson St Apt 5B", "Hoboken", "NJ", "07030", "America/New_York", "1290"), ["maya@example.com"]),
    ("Brightwater Dental", "business", "active", ["office", "relocation"],
     ("Dr. Amal Haddad", "+12125550103", "office@brightwater.example", "email"),
     ("500 Main St Suite 210", "Stamford", "CT", "06901", "America/New_York", ""), ["leo@example.com"]),
    ("Garcia garage", "household", "assessment", ["garage"],
     ("Rosa Garcia", "+13055550104", "rosa.garcia@example.net", "phone"),
     ("2211 Palm Ave", "Miami", "FL", "33137", "America/New_York", "0808"), ["sam@example.com"]),
    ("Okafor estate", "household", "lead", ["estate", "downsizing"],
     ("Chidi Okafor", "+17735550105", "chidi@example.net", "email"),
     ("9 Lakeview Ct", "Evanston", "IL", "60201", "America/Chicago", ""), []),
    ("Patel home office", "household", "active", ["office", "paper"],
     ("Priya Patel", "+12125550106", "priya@example.net", "email"),
     ("31 Elm St", "Summit", "NJ", "07901", "America/New_York", "2580"), ["leo@example.com", "maya@example.com"]),
    ("Harbor Law LLP", "business", "maintenance", ["office", "files"],
     ("Greg Walsh", "+16175550107", "gwalsh@harborlaw.example", "email"),
     ("1 Federal St Floor 9", "Boston", "MA", "02110", "America/New_York", ""), ["sam@example.com"]),
    ("Kim closet refresh", "household", "past", ["closet"],
     ("Daniel Kim", "+12135550108", "dkim@example.net", "sms"),
     ("742 Sunset Blvd", "Los Angeles", "CA", "90026", "America/Los_Angeles", "7788"), []),
    ("Johansson move-in", "household", "active", ["move", "unpacking"],
     ("Erik Johansson", "+12065550109", "erik.j@example.net", "email"),
     ("1200 Pine St Unit 4", "Seattle", "WA", "98101", "America/Los_Angeles", "3141"), ["sam@example.com"]),
    ("Rossi playroom", "household", "lead", ["kids"],
     ("Giulia Rossi", "+12015550110", "giulia@example.net", "phone"),
     ("56 Maple Ave", "Ridgewood", "NJ", "07450", "America/New_York", ""), []),
    ("Greenleaf Cafe", "business", "assessment", ["storage", "business"],
     ("Tom Greenleaf", "+12125550111", "tom@greenleaf.example", "email"),
     ("210 Bleecker St", "New York", "NY", "10012", "America/New_York", ""), ["leo@example.com"]),
    ("Abbott basement", "household", "maintenance", ["basement", "seasonal"],
     ("Helen Abbott", "+12125550112", "helen.abbott@example.net", "email"),
     ("17 Birch Rd", "Westport", "CT", "06880", "America/New_York", "9090"), ["maya@example.com"]),
]  # fmt: skip


APPOINTMENT_TYPES = [
    ("Assessment", 90, 30, "Walk every room\nPhotos before\nGoals and budget confirmed"),
    ("Organizing session", 180, 30, "Photos before\nDonation bags labelled\nPhotos after\nNext session agreed"),
    ("Maintenance visit", 120, 30, "Reset the systems\nRestock labels and bins\nNote anything new"),
    ("Move day", 480, 45, "Movers briefed\nRooms labelled\nEssentials box set aside"),
]
# Today, for each organizer: (client, visit type, local start) on their own clients, so My day is never empty.
TODAY = {
    "maya@example.com": [("Smith household", "Organizing session", time(9)),
                         ("Abbott basement", "Maintenance visit", time(14))],
    "leo@example.com": [("Brightwater Dental", "Organizing session", time(9, 30)),
                        ("Greenleaf Cafe", "Assessment", time(14))],
    "sam@example.com": [("Harbor Law LLP", "Maintenance visit", time(9)),
                        ("Garcia garage", "Assessment", time(13, 30))],
}  # fmt: skip


class Command(BaseCommand):
    help = "Load demo users, clients, visits, projects and supplies (idempotent)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        users: dict[str, User] = {}
        for email, first, last, role, profile in DEMO_USERS:  # the owner comes first: it sets the rates
            user = User.objects.filter(email=email).first()
            if user is None:
                user = account_services.user_create(
                    actor=None, email=email, role=role, password=DEMO_PASSWORD, first_name=first, last_name=last
                )
                if profile:
                    colour, cost, rate = profile
                    account_services.organizer_profile_update(
                        actor=users["owner@example.com"],
                        profile=user.organizer_profile,
                        data={"colour": colour, "hourly_cost": cost, "billable_rate": rate},
                    )
            users[email] = user
            if mfa_required(user) and not Authenticator.objects.filter(user=user).exists():
                TOTP.activate(user, DEMO_TOTP_SECRET)
        owner = users["owner@example.com"]
        for name, kind, status, tags, contact, site, team in DEMO_CLIENTS:
            if Client.all_objects.filter(name=name).exists():
                continue
            client = client_services.client_create(
                actor=owner, data={"name": name, "kind": kind, "status": status, "referral_source": "referral"},
                tag_names=tags,
            )  # fmt: skip
            c_name, phone, email, channel = contact
            client_services.contact_save(
                client=client,
                data={"name": c_name, "phone": phone, "email": email, "preferred_channel": channel, "is_primary": True},
            )
            street, city, region, postal, tz, code = site
            client_services.site_save(
                client=client,
                data={
                    "label": "Office" if kind == "business" else "Home", "street": street, "city": city,
                    "region": region, "postal_code": postal, "time_zone": tz, "entry_code": code,
                    "parking": "Driveway" if kind == "household" else "Visitor garage, level 2",
                    "access_instructions": "Ring the side door bell." if code else "",
                },
            )  # fmt: skip
            client_services.intake_update(
                client=client,
                data={"goals": "Calm, easy-to-maintain spaces.", "budget_range": "3k_7k", "decision_makers": c_name},
            )
            client_services.client_assignments_set(client=client, organizers=[users[e] for e in team])
        self._visits(users)
        self._today(users)
        organizers = [users[email] for email, *_, role, _profile in DEMO_USERS if role == User.Role.ORGANIZER]
        demo_inventory.load(owner=owner, organizers=organizers)
        photos_demo.load(owner=owner, organizers=organizers)
        project_demo.templates_create()
        if not Project.objects.filter(is_template=False, name="Smith home move").exists():
            smith = Client.objects.get(name="Smith household")
            project = project_demo.worked_example_create(client=smith, lead=users["maya@example.com"])
            for task in project.tasks.filter(is_summary=False)[:6]:
                task.assignees.add(users["maya@example.com"])
            project_demo.worked_example_progress(project)
        demo_portal.load(owner=owner)
        # Past visits and close-outs, then the KPI rollup; before the package sale, so the demo package is drawn
        # down only by what comes after it.
        demo_history.load(organizers=organizers)
        billing_demo.load()
        # Work sessions: a garage project booked from "Find slots" (projects/sessions/demo.py).
        session_demo.load(client=Client.objects.get(name="Garcia garage"), organizers=organizers[1:3])
        # Billing's demo logs shopping time yesterday, a closed day the rollup above already stored (T37).
        demo_history.roll_up()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(users)} users, {Client.objects.count()} clients, "
                f"{Project.objects.filter(is_template=False).count()} projects, "
                f"{Project.objects.filter(is_template=True).count()} templates, "
                f"{Appointment.objects.count()} visits, {Item.objects.count()} supply items.\n"
                f"Owner and office log in with the password, then an authenticator-app code for the setup key "
                f"{DEMO_TOTP_SECRET} (README.md)."
            )
        )

    def _visits(self, users: dict[str, User]) -> None:
        """Appointment types, a weekly maintenance series and a few visits over the coming days (once)."""
        types = {}
        for name, duration, travel, checklist in APPOINTMENT_TYPES:
            types[name], _ = AppointmentType.objects.get_or_create(
                name=name,
                defaults={"default_duration_min": duration, "default_travel_min": travel, "checklist": checklist},
            )
        if Appointment.objects.exists():
            return
        now = timezone.now()
        today = now.date()
        nguyen = Client.objects.get(name="Nguyen family")
        start = today + timedelta(days=(1 - today.weekday()) % 7 or 7)  # next Tuesday
        series_services.series_create(
            client=nguyen, site=nguyen.sites.get(), appointment_type=types["Maintenance visit"],
            organizers=[users["maya@example.com"]], local_start=datetime.combine(start, time(10)),
            rule=parse_rrule("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"), duration_min=120, travel_min=30, actor=None, now=now,
            allow_outside_hours=True,
        )  # fmt: skip
        plan = [("Patel home office", "Organizing session", "leo@example.com", 1, time(9)),
                ("Garcia garage", "Assessment", "sam@example.com", 2, time(13)),
                ("Abbott basement", "Organizing session", "maya@example.com", 3, time(13)),
                ("Johansson move-in", "Move day", "sam@example.com", 4, time(9))]  # fmt: skip
        for client_name, type_name, email, days, at in plan:
            client = Client.objects.get(name=client_name)
            day = today + timedelta(days=days)
            while day.weekday() >= 5:
                day += timedelta(days=1)
            site = client.sites.get()
            zone = ZoneInfo(site.time_zone)
            starts = datetime.combine(day, at, tzinfo=zone)
            operation_services.appointment_book(
                client=client, site=site, appointment_type=types[type_name], organizers=[users[email]],
                starts=starts, ends=starts + timedelta(minutes=types[type_name].default_duration_min),
                actor=None, allow_outside_hours=True,
            )  # fmt: skip

    def _today(self, users: dict[str, User]) -> None:
        """Visits today (each organizer's own local day) for an organizer with none yet: the demo is loaded
        again by every `make run`, so a new day gets its own."""
        types = {t.name: t for t in AppointmentType.objects.all()}
        for email, plan in TODAY.items():
            organizer = users[email]
            day, visits = my_day_selectors.my_day(user=organizer)
            if visits:
                continue
            for client_name, type_name, at in plan:
                self._book_on(day, client_name, types[type_name], organizer, at)

    def _book_on(self, day: date, client_name: str, visit_type: AppointmentType, organizer: User, at: time) -> None:
        client = Client.objects.get(name=client_name)
        site = client.sites.get()
        starts = datetime.combine(day, at, tzinfo=ZoneInfo(site.time_zone))
        operation_services.appointment_book(
            client=client, site=site, appointment_type=visit_type, organizers=[organizer], starts=starts,
            actor=None, allow_outside_hours=True,
        )  # fmt: skip
