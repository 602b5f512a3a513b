"""Plain data for the portal's pages, built from the apps' models and selectors (docs/specs/portal.md §3).

Templates get these dataclasses, never model instances, so an internal field (internal notes, the entry code,
organizers' surnames, phones or rates) cannot render by mistake.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from billing import selectors as billing_selectors
from clients.models import Client, Contact, Intake, Site
from clients.portal_services import PORTAL_INTAKE_FIELDS


@dataclass(frozen=True)
class PortalSite:
    pk: int
    label: str
    address: str
    parking: str
    pets: str
    access_instructions: str
    entry_code_on_file: bool


@dataclass(frozen=True)
class PortalContact:
    name: str
    email: str
    phone: str
    preferred_channel: str


@dataclass(frozen=True)
class PortalAnswer:
    label: str
    value: str


def portal_sites(*, client: Client) -> list[PortalSite]:
    return [
        PortalSite(s.pk, s.label, s.one_line_address, s.parking, s.pets, s.access_instructions, bool(s.entry_code))
        for s in Site.objects.filter(client=client).order_by("label", "pk")
    ]


def portal_contact(*, contact: Contact | None) -> PortalContact | None:
    if contact is None:
        return None
    return PortalContact(contact.name, contact.email, contact.phone, contact.get_preferred_channel_display())


def portal_intake_answers(*, client: Client) -> list[PortalAnswer]:
    intake = Intake.objects.filter(client=client).first()
    answers = []
    for name in PORTAL_INTAKE_FIELDS:
        field: Any = Intake._meta.get_field(name)
        answers.append(PortalAnswer(str(field.verbose_name).capitalize(), getattr(intake, name, "") or ""))
    return answers


def intake_of(*, client: Client) -> Intake:
    """The intake row behind the edit form (the form renders only the client-editable fields)."""
    return Intake.objects.filter(client=client).first() or Intake(client=client)


@dataclass(frozen=True)
class PortalInvoice:
    number: str
    issue_date: Any
    due_date: Any
    total: Decimal
    open: Decimal
    overdue_days: int


@dataclass(frozen=True)
class PortalPackage:
    name: str
    minutes_bought: int  # shown in hours and minutes (billing_format.hours_minutes, T44)
    minutes_left: int
    expires_on: Any
    status: str


@dataclass(frozen=True)
class PortalInvoiceRecord:
    number: str
    issue_date: Any
    total: Decimal
    status: str


@dataclass(frozen=True)
class PortalPayment:
    received_on: Any
    amount: Decimal
    method: str


def portal_bills(*, client: Client, on: date) -> dict[str, Any]:
    """The client's open invoices, credit, package hours, paid invoices and payments, read through billing's
    read-only selectors (ar_aging, package_balances, client_statement): a GET here never syncs charges. Payments
    show date, amount and method only (their reference and note are the office's)."""
    aging = billing_selectors.ar_aging(on=on, client=client)
    invoices = [
        PortalInvoice(
            str(r.invoice.number), r.invoice.issue_date, r.invoice.due_date, r.invoice.total, r.open, max(r.age, 0)
        )  # fmt: skip
        for r in aging.rows
    ]
    packages = [
        PortalPackage(p.name, p.minutes, left, p.expires_on, p.get_status_display())
        for p, left in billing_selectors.package_balances(client)
    ]
    statement = billing_selectors.client_statement(client)
    paid = [
        PortalInvoiceRecord(str(i.number), i.issue_date, i.total, i.get_status_display())
        for i in statement["invoices"]
        if i.status == "paid"
    ]
    payments = [PortalPayment(p.received_on, p.amount, p.get_method_display()) for p in statement["payments"]]
    return {
        "invoices": invoices, "open_total": aging.gross, "credit": aging.credit, "packages": packages,
        "paid_invoices": paid, "payments": payments,
    }  # fmt: skip
