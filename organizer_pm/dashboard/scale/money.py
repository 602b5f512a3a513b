"""Billing rows of the scale data set, written with the billing models' fields as they stand: per-organizer visit
times, redo links, one charge per billable fact (keyed as `charges_sync` keys them, stamped after the visit's last
change so a later sync finds nothing to redo), monthly invoices of those charges, and payments.

Hourly visits are billed in whole quarter hours above a 60-minute minimum at the visit type's rate (else the
organizer's); late cancellations and no-shows cost half the booked time. Invoices up to last month are issued on the
1st of the next month and mostly paid within weeks; this month's charges are left ready to invoice.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection

from accounts.models import OrganizerProfile
from billing.models import (
    Allocation,
    Charge,
    ChargeSyncMark,
    Counter,
    Invoice,
    InvoiceLine,
    Payment,
    RedoLink,
    TypePricing,
    VisitTime,
)
from clients.models import Client
from organizer_pm.dashboard.scale.bulk import copy_rows, reserve_ids
from organizer_pm.dashboard.scale.plan import Plan, Visit, World

CENT = Decimal("0.01")
MINIMUM = 60


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def _charges(plan: Plan, world: World) -> list[dict]:
    zone = ZoneInfo(settings.BUSINESS_TIME_ZONE)
    type_rate = {pk: rate for pk, _, rate in world.types}
    org_rate = dict(
        OrganizerProfile.objects.filter(user_id__in=world.organizers).values_list("user_id", "billable_rate")
    )
    billable = [v for v in world.visits if v.status in ("completed", "needs_redo", "late_cancelled", "no_show")]
    times, redos, charges = [], [], []
    pk = reserve_ids(Charge, sum(len(v.organizers) for v in billable))
    time_pk = reserve_ids(VisitTime, sum(len(v.organizers) for v in billable))
    redo_pk = reserve_ids(RedoLink, sum(1 for v in billable if v.redo_of))

    def charge(visit: Visit, **values: object) -> None:
        nonlocal pk
        stamp = visit.updated_at + timedelta(hours=1)
        charges.append({"id": pk, "client_id": visit.client, "visit_id": visit.pk, "purchase_id": None,
                        "shopping_id": None, "milestone_id": None, "package_id": None, "package_minutes": 0,
                        "cost": None, "taxable": False, "supersedes_id": None, "needs_review": False,
                        "credited": False, "created_at": stamp, "updated_at": stamp, **values})  # fmt: skip
        pk += 1

    for visit in billable:
        if visit.status in ("late_cancelled", "no_show"):
            rate = type_rate[visit.type_pk] or org_rate[visit.organizers[0]]
            day = visit.updated_at.astimezone(zone).date()
            label = "No-show" if visit.status == "no_show" else "Late cancellation"
            charge(visit, kind="no_show_fee" if visit.status == "no_show" else "cancel_fee",
                   source_key=f"visit:{visit.pk}:fee", organizer_id=None, service_date=day,
                   description=f"{label}: visit, {day:%Y-%m-%d}", minutes_raw=0, minutes_rounded=0, minutes_billed=0,
                   hourly_minutes=0, rate=rate, rate_source="", amount=_cents(Decimal(45) * rate / 60))  # fmt: skip
            continue
        assert visit.actual_start and visit.actual_end
        day = visit.actual_start.astimezone(zone).date()
        raw = int((visit.actual_end - visit.actual_start).total_seconds() // 60)
        if visit.redo_of:
            redos.append({"id": redo_pk, "visit_id": visit.pk, "redo_of_id": visit.redo_of,
                          "created_at": visit.updated_at})  # fmt: skip
            redo_pk += 1
        for organizer in sorted(visit.organizers):
            times.append(
                {
                    "id": time_pk,
                    "visit_id": visit.pk,
                    "organizer_id": organizer,
                    "starts": visit.actual_start,
                    "ends": visit.actual_end,
                    "updated_at": visit.updated_at,
                }
            )
            time_pk += 1
            rate, source = (type_rate[visit.type_pk], "appointment_type") if type_rate[visit.type_pk] else (
                org_rate[organizer], "organizer")  # fmt: skip
            billed = raw if visit.redo_of else max(raw, MINIMUM)
            common = {
                "source_key": f"visit:{visit.pk}:org:{organizer}",
                "organizer_id": organizer,
                "service_date": day,
                "minutes_raw": raw,
                "minutes_rounded": raw,
                "minutes_billed": billed,
            }
            if visit.redo_of:
                charge(visit, kind="redo", description="Redo visit — no charge", hourly_minutes=0, rate=Decimal(0),
                       rate_source="", amount=Decimal("0.00"), **common)  # fmt: skip
            else:
                charge(visit, kind="visit_time", description=f"Visit — organizer {organizer}", hourly_minutes=billed,
                       rate=rate, rate_source=source, amount=_cents(Decimal(billed) * rate / 60), **common)  # fmt: skip
    world.counts["visit times"] = copy_rows(VisitTime, times)
    world.counts["redo links"] = copy_rows(RedoLink, redos)
    world.counts["charges"] = copy_rows(Charge, charges)
    return charges


def _line(c: dict, invoice: int, pk: int) -> dict:
    hours = c["kind"] in ("visit_time", "redo") and c["hourly_minutes"] > 0
    return {
        "id": pk,
        "invoice_id": invoice,
        "kind": "charge",
        "charge_id": c["id"],
        "credits_charge_id": None,
        "package_id": None,
        "deposit_of_id": None,
        "description": c["description"],
        "service_date": c["service_date"],
        "quantity": _cents(Decimal(c["hourly_minutes"]) / 60) if hours else 1,
        "unit": "h" if hours else "ea",
        "unit_price": c["rate"] if hours else c["amount"],
        "amount": c["amount"],
        "taxable": False,
        "tax_rate": Decimal(0),
        "tax_amount": Decimal("0.00"),
        "active": True,
        "locked": True,
    }


def _invoices(plan: Plan, world: World, charges: list[dict]) -> None:
    rng = plan.rng("money")
    this_month = plan.today.replace(day=1)
    months: dict[tuple[date, int], list[dict]] = defaultdict(list)
    for c in charges:
        month = c["service_date"].replace(day=1)
        if month < this_month:
            months[(month, c["client_id"])].append(c)
    keys = sorted(months, key=lambda k: (k[0], k[1]))
    pk = reserve_ids(Invoice, len(keys))
    line_pk = reserve_ids(InvoiceLine, sum(len(v) for v in months.values()))
    pay_pk = reserve_ids(Payment, len(keys))
    alloc_pk = reserve_ids(Allocation, len(keys))
    numbers: dict[int, int] = defaultdict(int)
    invoices, lines, payments, allocations = [], [], [], []
    for month, client in keys:
        issue = (month + timedelta(days=32)).replace(day=1)
        numbers[issue.year] += 1
        total = sum((c["amount"] for c in months[(month, client)]), Decimal("0.00"))
        paid_on = issue + timedelta(days=rng.randrange(3, 40))
        paid = total if paid_on <= plan.today and rng.random() < 0.97 else Decimal("0.00")
        if paid and rng.random() < 0.03:
            paid = _cents(total / 2)
        status = "paid" if paid == total else "partially_paid" if paid else "issued"
        invoices.append({
            "id": pk, "client_id": client, "status": status, "number": f"{issue.year}-{numbers[issue.year]:04d}",
            "issue_date": issue, "due_date": issue + timedelta(days=15),
            "issued_at": datetime.combine(issue, time(15), tzinfo=UTC), "subtotal": total, "tax_total": Decimal(0),
            "total": total, "amount_due": total - paid, "creation_key": None, "void_reason": "",
            "created_at": datetime.combine(issue, time(14), tzinfo=UTC), "created_by_id": world.owner,
        })  # fmt: skip
        for c in months[(month, client)]:
            lines.append(_line(c, pk, line_pk))
            line_pk += 1
        if paid:
            payments.append({"id": pay_pk, "client_id": client, "received_on": paid_on, "amount": paid,
                             "method": rng.choice(("check", "zelle", "card", "transfer")), "reference": "",
                             "note": "", "creation_key": None,
                             "created_at": datetime.combine(paid_on, time(16), tzinfo=UTC)})  # fmt: skip
            allocations.append({"id": alloc_pk, "invoice_id": pk, "payment_id": pay_pk, "credit_entry_id": None,
                                "amount": paid, "applied_on": paid_on})  # fmt: skip
            pay_pk += 1
            alloc_pk += 1
        pk += 1
    world.counts["invoices"] = copy_rows(Invoice, invoices)
    world.counts["invoice lines"] = _copy_lines(lines)
    world.counts["payments"] = copy_rows(Payment, payments)
    copy_rows(Allocation, allocations)
    for year, value in numbers.items():
        Counter.objects.update_or_create(name=f"invoice-{year}", defaults={"value": value})


def _copy_lines(lines: list[dict]) -> int:
    """COPY the invoice lines with the per-row `billed` trigger paused, then set every charge's flag in one
    statement. Row by row, the trigger's lookup is planned while the freshly copied tables look empty: a
    sequential scan per line, minutes for a five-year set (the flag's rule: docs/specs/billing.md P22)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'billing_invoiceline'::regclass"
            " AND tgname LIKE 'pgtrigger_invoice_line_charge_billed_%%'"
        )
        [(trigger,)] = cursor.fetchall()
        # ALTER TABLE refuses while deferred foreign-key checks of the earlier COPYs are pending: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f'ALTER TABLE billing_invoiceline DISABLE TRIGGER "{trigger}"')
        count = copy_rows(InvoiceLine, lines)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f'ALTER TABLE billing_invoiceline ENABLE TRIGGER "{trigger}"')
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute("ANALYZE billing_invoiceline")
        cursor.execute(
            "UPDATE billing_charge c SET billed = true FROM billing_invoiceline l"
            " WHERE l.charge_id = c.id AND l.active AND NOT c.billed"
        )
    return count


def build(plan: Plan, world: World) -> None:
    for pk, _, _ in world.types:
        TypePricing.objects.update_or_create(appointment_type_id=pk,
                                             defaults={"pricing": "hourly", "minimum_minutes": MINIMUM})  # fmt: skip
    _invoices(plan, world, _charges(plan, world))
    # Every source was charged above: mark each client synced now, so pages show no "pending" work and the next
    # sync reads only what changes from here on (docs/specs/billing.md "Keeping charges current").
    now = datetime.now(UTC)
    client_ids = Client.objects.values_list("pk", flat=True)
    world.counts["charge sync marks"] = copy_rows(
        ChargeSyncMark, ({"client_id": pk, "synced_at": now} for pk in client_ids)
    )
