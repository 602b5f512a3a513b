"""Hour packages: sale, activation at issue, draw-down under a row lock, cancellation fees, expiry, close-out.

The ledger (PackageEntry) is append-only; the balance is its sum. Every movement that consumes minutes carries
its money value, allocated cumulatively over the package's net price (docs/specs/billing.md "Packages").
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum

from billing import money as bm
from billing.models import BillingNotice, Charge, Package, PackageEntry, PackageProduct
from clients.models import Client

CONSUMING = ("drawdown", "cancel_fee", "adjustment", "expiry", "refund")


def balance_of(package: Package) -> int:
    return int(PackageEntry.objects.filter(package=package).aggregate(s=Sum("minutes"))["s"] or 0)


def consumed_of(package: Package) -> int:
    """Minutes consumed so far (purchase minus balance): the position for cumulative value allocation."""
    total = PackageEntry.objects.filter(package=package).aggregate(
        bought=Sum("minutes", filter=Q(kind="purchase")), all=Sum("minutes")
    )
    return int(total["bought"] or 0) - int(total["all"] or 0)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def active_packages(*, client: Client, on: date, shopping: bool = False) -> list[Package]:
    """The client's usable packages, locked, in consumption order: expiring first, then the oldest."""
    qs = Package.objects.select_for_update().filter(client=client, status=Package.Status.ACTIVE)
    qs = qs.filter(Q(expires_on__isnull=True) | Q(expires_on__gt=on))
    if shopping:
        qs = qs.filter(covers_shopping=True)
    return sorted(qs.order_by("pk"), key=lambda p: (p.expires_on or date.max, p.activated_on or date.max, p.pk))


def ledger_entry(
    package: Package, kind: str, minutes: int, on: date, charge: Charge | None, reason: str = ""
) -> PackageEntry:
    """Append one movement, valued cumulatively; the caller holds the package's row lock."""
    return _entry(package, kind, minutes, on, charge, reason)


def status_follow_balance(package: Package) -> None:
    """Used up at zero (split_hourly), active again when minutes come back; the caller holds the row lock."""
    balance = balance_of(package)
    if (
        package.status == Package.Status.ACTIVE
        and balance <= 0
        and (package.overage_policy == PackageProduct.Overage.SPLIT_HOURLY)
    ):
        package.status = Package.Status.EXHAUSTED
        package.save(update_fields=["status"])
    elif package.status == Package.Status.EXHAUSTED and balance > 0:
        package.status = Package.Status.ACTIVE
        package.save(update_fields=["status"])


def _entry(
    package: Package, kind: str, minutes: int, on: date, charge: Charge | None, reason: str = ""
) -> PackageEntry:
    before = consumed_of(package)
    value = bm.cumulative_value(
        before=before, after=before - minutes, net_price=package.net_price, package_minutes=package.minutes
    )
    return PackageEntry.objects.create(
        package=package, kind=kind, minutes=minutes, value=value, entry_date=on, charge=charge, reason=reason
    )


def client_balance(client: Client, on: date) -> int:
    """Minutes left on all the client's usable packages (the figure the low-balance alert watches)."""
    usable = PackageEntry.objects.filter(package__client=client, package__status=Package.Status.ACTIVE).filter(
        Q(package__expires_on__isnull=True) | Q(package__expires_on__gt=on)
    )
    return int(usable.aggregate(s=Sum("minutes"))["s"] or 0)


def low_balance_check(*, package: Package, before: int, after: int) -> BillingNotice | None:
    """One "offer a top-up" notice when the client's package minutes cross the threshold downwards, written in
    the drawdown's transaction (an outbox row, sent by `billing.dispatch_notices`). Callers hold the lock on the
    client's active packages, so two drawdowns never both see the crossing; a purchase or a minute returned
    lifts the balance above the line again and re-arms the alert."""
    if not before >= package.low_balance_minutes > after:
        return None
    return BillingNotice.objects.create(
        kind="package_low", package=package,
        text=f"{package.client}: {bm.minutes_text(max(after, 0))} of package time left; offer a top-up.",
    )  # fmt: skip


def _after_movement(package: Package) -> None:
    balance = balance_of(package)
    if balance <= 0 and package.overage_policy == PackageProduct.Overage.SPLIT_HOURLY:
        package.status = Package.Status.EXHAUSTED
        package.save(update_fields=["status"])


@dataclass
class Covered:
    package: Package | None
    minutes: int
    hourly: int


def draw(
    *, client: Client, minutes: int, on: date, charge: Charge, kind: str = "drawdown", shopping: bool = False
) -> Covered:
    """Take up to `minutes` from the client's packages (one entry per package used); the rest is hourly."""
    remaining, first, covered = minutes, None, 0
    usable = active_packages(client=client, on=on, shopping=shopping)
    before = client_balance(client, on) if usable else 0
    for package in usable:
        if remaining <= 0:
            break
        balance = balance_of(package)
        split = bm.drawdown(
            billed=remaining, balance=balance, policy=package.overage_policy, tolerance=package.tolerance_minutes
        )
        if split.upgrade_required and not package.upgrade_required:
            package.upgrade_required = True
            package.save(update_fields=["upgrade_required"])
        if split.covered:
            _entry(package, kind, -split.covered, on, charge)
            _after_movement(package)
            first = first or package
            covered += split.covered
            remaining -= split.covered
    if first is not None:
        low_balance_check(package=first, before=before, after=before - covered)
    return Covered(first, covered, remaining)


def give_back(*, package: Package, minutes: int, on: date, charge: Charge, reason: str) -> None:
    """Return minutes to a package (an edit shortened covered work): a positive adjustment entry."""
    package = Package.objects.select_for_update().get(pk=package.pk)
    _entry(package, "adjustment", minutes, on, charge, reason)
    if package.status == Package.Status.EXHAUSTED and balance_of(package) > 0:
        package.status = Package.Status.ACTIVE
        package.save(update_fields=["status"])


def free_cancellations_used(package: Package) -> int:
    return PackageEntry.objects.filter(package=package, kind="cancel_free").count()


def cancel_fee_draw(*, client: Client, on: date, charge: Charge) -> tuple[Package | None, int, int]:
    """A late cancellation or no-show of a package client: free ones first, then the fee minutes.
    Returns (package, covered minutes, minutes to bill hourly); (None, 0, 0) without an active package."""
    packages = active_packages(client=client, on=on)
    if not packages:
        return None, 0, 0
    package = packages[0]
    if free_cancellations_used(package) < package.free_cancellations:
        _entry(package, "cancel_free", 0, on, charge, "free late cancellation")
        return package, 0, 0
    balance = balance_of(package)
    split = bm.drawdown(billed=package.cancel_fee_minutes, balance=balance)
    if split.covered:
        before = client_balance(client, on)
        _entry(package, "cancel_fee", -split.covered, on, charge)
        _after_movement(package)
        low_balance_check(package=package, before=before, after=before - split.covered)
    return package, split.covered, split.hourly


@transaction.atomic
def package_activate(*, package: Package, on: date) -> None:
    """The package invoice was issued: the purchase entry is written and the validity starts."""
    package = Package.objects.select_for_update().get(pk=package.pk)
    if package.status != Package.Status.PENDING:
        return
    PackageEntry.objects.create(package=package, kind="purchase", minutes=package.minutes, entry_date=on)
    package.status = Package.Status.ACTIVE
    package.activated_on = on
    package.expires_on = add_months(on, package.validity_months)
    package.save(update_fields=["status", "activated_on", "expires_on"])


@transaction.atomic
def packages_expire(*, today: date) -> int:
    """Nightly and idempotent: a package past its expiry loses its remaining minutes (breakage is earned)."""
    count = 0
    due = Package.objects.select_for_update().filter(status=Package.Status.ACTIVE, expires_on__lte=today)
    for package in due.order_by("pk"):
        if PackageEntry.objects.filter(package=package, kind="expiry").exists():
            continue
        balance = balance_of(package)
        _entry(package, "expiry", -max(balance, 0), package.expires_on or today, None, "expired")
        package.status = Package.Status.EXPIRED
        package.save(update_fields=["status"])
        count += 1
    return count


def closeout_refund_value(*, package: Package, unused: int) -> Decimal:
    before = consumed_of(package)
    return bm.cumulative_value(
        before=before, after=before + unused, net_price=package.net_price, package_minutes=package.minutes
    )


@transaction.atomic
def package_refund_entry(*, package: Package, on: date, max_pct: Decimal) -> PackageEntry:
    """Close-out with unused minutes at most `max_pct` of the package: a refund entry (paired with a credit note
    by the caller). Above the threshold the package is non-refundable."""
    package = Package.objects.select_for_update().get(pk=package.pk)
    unused = balance_of(package)
    if unused <= 0:
        raise ValidationError("Nothing is left to refund on this package.", code="nothing_left")
    if Decimal(unused) * 100 > max_pct * package.minutes:
        raise ValidationError(
            "More than %(pct)s%% of the package is unused: it is not refundable.", code="not_refundable",
            params={"pct": max_pct},
        )  # fmt: skip
    entry = _entry(package, "refund", -unused, on, None, "close-out refund")
    package.status = Package.Status.CLOSED
    package.save(update_fields=["status"])
    return entry
