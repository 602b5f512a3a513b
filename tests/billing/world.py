"""The billing scenario fixture of docs/specs/billing.md: organizers Alice ($95) and Ben ($65), four appointment
types, clients Carol and Dan (client rate $85), and the 20-hour package. Helpers book finished visits directly
(billing reads what operations recorded; the booking rules are tested there)."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from billing import charges, invoices, payments
from billing.models import Charge, ClientRate, PackageProduct, TypePricing, VisitTime
from operations.models import Appointment, AppointmentType
from tests.accounts.factories import UserFactory
from tests.clients.factories import ClientFactory, SiteFactory

NY = ZoneInfo("America/New_York")


def ny(*args):
    return datetime(*args, tzinfo=NY)


@dataclass
class World:
    alice: object
    ben: object
    organizing: AppointmentType
    team: AppointmentType
    assessment: AppointmentType
    shopping: AppointmentType
    carol: object
    dan: object
    package: PackageProduct


def _organizer(name, rate):
    user = UserFactory(role="organizer", first_name=name, last_name="", email=f"{name.lower()}@billing.example")
    profile = user.organizer_profile
    profile.billable_rate = Decimal(rate)
    profile.save()
    return user


def _type(name, rate, *, minimum=None, pricing="hourly", flat="0", shopping=False):
    atype = AppointmentType.objects.create(name=name, billable_rate=Decimal(rate))
    TypePricing.objects.create(
        appointment_type=atype, pricing=pricing, flat_price=Decimal(flat), minimum_minutes=minimum, is_shopping=shopping
    )
    return atype


def _client(name):
    client = ClientFactory(name=name)
    SiteFactory(client=client)
    return client


def build_world():
    dan = _client("Dan")
    ClientRate.objects.create(client=dan, rate=Decimal("85.00"))
    return World(
        alice=_organizer("Alice", "95.00"),
        ben=_organizer("Ben", "65.00"),
        organizing=_type("Organizing session", "90.00", minimum=180),
        team=_type("Team session", "0", minimum=180),
        assessment=_type("Assessment", "0", pricing="flat", flat="150.00"),
        shopping=_type("Shopping", "60.00", minimum=0, shopping=True),
        carol=_client("Carol"),
        dan=dan,
        package=PackageProduct.objects.create(
            name="20-hour package", minutes=1200, price=Decimal("1700.00"), validity_months=12,
            free_cancellations=2, cancel_fee_minutes=60, low_balance_minutes=240, covers_shopping=True,
        ),
    )  # fmt: skip


def visit(client, atype, organizers, starts, ends, *, status="completed", times=None, actual=True):
    """A finished visit; `times` maps an organizer to their own (start, end)."""
    appt = Appointment.objects.create(
        client=client, site=client.sites.first(), appointment_type=atype, starts=starts, ends=ends,
        blocked_until=ends, status=status, actual_start=starts if actual else None, actual_end=ends if actual else None,
    )  # fmt: skip
    appt.organizers.set(organizers)
    for organizer, (s, e) in (times or {}).items():
        VisitTime.objects.create(visit=appt, organizer=organizer, starts=s, ends=e)
    return appt


def sync(client):
    charges.charges_sync_client(client=client)
    return list(Charge.objects.filter(client=client).order_by("pk"))


def issue_all(client, *, key, now):
    """Invoice every unbilled charge of the client and issue it."""
    draft = invoices.invoice_create(client=client, creation_key=key)
    return invoices.invoice_issue(invoice=draft, now=now, confirm_review=True)


def sell_package(world, client, *, key="pkg", on, pay=False):
    package = invoices.package_sell(client=client, product=world.package, creation_key=key, sold_on=on)
    invoice = package_invoice(package)
    invoice = invoices.invoice_issue(invoice=invoice, now=on)
    if pay:
        payments.payment_record(client=client, amount=invoice.amount_due, received_on=on.date(), method="check")
    package.refresh_from_db()
    return package


def package_invoice(package):
    from billing.models import InvoiceLine

    return InvoiceLine.objects.get(package=package, kind="package").invoice
