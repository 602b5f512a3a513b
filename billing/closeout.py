"""Package close-out and moving minutes between packages (docs/specs/billing.md "Packages", P18).

Closing a package settles its balance: unused minutes within the refund threshold are refunded by a credit note
on the package invoice (above it the package is not refundable), an overdraft (`allow_negative`) is billed at the
package's value per minute as a charge on the next invoice (overdrawn minutes are worth nothing in the ledger,
so they are earned once, by that charge), with an `adjustment` entry bringing the ledger back to zero. Moving
minutes writes an adjustment pair: minus on one package, plus on the other. Each entry is valued by its own
package's cumulative allocation, so the minutes leaving the source are recognised at its price per minute and the
target's first extra minutes are worth nothing: each package still earns exactly its net price over its life.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from billing import charges, conf, invoices, packages, rates
from billing import money as bm
from billing.models import Charge, Package, PackageEntry
from operations.formats import fmt_money

OPEN = (Package.Status.ACTIVE, Package.Status.EXHAUSTED)


@transaction.atomic
def package_close(*, package: Package, now: datetime | None = None, disposition: str = "refund") -> Package:
    """Close an active or used-up package, settling its balance (see the module docstring)."""
    day = rates.local_date(now or timezone.now())
    charges.charges_sync_client(client=package.client)  # the last visits draw first; also locks the client row
    package = Package.objects.select_for_update().get(pk=package.pk)
    if package.status not in OPEN:
        raise ValidationError("Only an active or used-up package can be closed.", code="not_open")
    balance = packages.balance_of(package)
    if balance > 0:
        invoices.package_closeout_refund(package=package, now=now, disposition=disposition)
    elif balance < 0:
        _bill_overdraft(package, -balance, day)
    package.refresh_from_db()
    if package.status != Package.Status.CLOSED:
        package.status = Package.Status.CLOSED
        package.save(update_fields=["status"])
    return package


def _bill_overdraft(package: Package, minutes: int, day: date) -> Charge:
    """The minutes drawn beyond zero (within the tolerance) billed at the package's hourly value (P18)."""
    hourly = bm.money(package.net_price * 60 / package.minutes)
    over = f"{package.name}: {bm.minutes_text(minutes)} over the package at {fmt_money(hourly)}/h"
    charge = Charge.objects.create(
        client=package.client, kind="package_overage", source_key=f"package:{package.pk}:overage", package=package,
        service_date=day, description=over,
        minutes_billed=minutes, rate=hourly, rate_source="package", amount=0,
        taxable=bool(conf.get("BILLING_TAX_SERVICES")),
    )  # fmt: skip
    packages.ledger_entry(package, "adjustment", minutes, day, charge, "close-out: overdraft billed")
    charge.amount = bm.money(minutes * package.net_price / package.minutes)  # 90 min of $1,700 / 1,200 = 127.50
    charge.save(update_fields=["amount"])
    return charge


@transaction.atomic
def package_minutes_move(
    *, source: Package, target: Package, minutes: int, reason: str, now: datetime | None = None
) -> tuple[PackageEntry, PackageEntry]:
    """Move unused minutes from one of the client's packages to another (e.g. work billed before a package was
    activated moved onto it, or a close-out transfer): an adjustment pair in the ledger."""
    day = rates.local_date(now or timezone.now())
    if source.pk == target.pk or source.client_id != target.client_id:
        raise ValidationError("Choose two different packages of the same client.", code="same_package")
    if minutes <= 0:
        raise ValidationError({"minutes": "Move at least one minute."}, code="minutes")
    if not reason.strip():
        raise ValidationError({"reason": "Give a reason: it stays in both ledgers."}, code="reason")
    locked = {p.pk: p for p in Package.objects.select_for_update().filter(pk__in=[source.pk, target.pk]).order_by("pk")}
    source, target = locked[source.pk], locked[target.pk]
    if source.status not in OPEN or target.status not in (*OPEN, Package.Status.PENDING):
        raise ValidationError("Minutes move only between open packages.", code="not_open")
    if packages.balance_of(source) < minutes:
        raise ValidationError({"minutes": "The package has fewer unused minutes than that."}, code="too_many")
    text = f"moved to {target.name} #{target.pk}: {reason.strip()}"[:200]
    out = packages.ledger_entry(source, "adjustment", -minutes, day, None, text)
    text = f"moved from {source.name} #{source.pk}: {reason.strip()}"[:200]
    into = packages.ledger_entry(target, "adjustment", minutes, day, None, text)
    for package in (source, target):
        packages.status_follow_balance(package)
    return out, into
