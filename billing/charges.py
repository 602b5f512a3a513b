"""charges_sync: derive charges from the work recorded below billing, idempotently, one client at a time.

No signals: every action that writes from charges (invoice creation, a batch, a package sale, "Update charges")
calls `charges_sync_client` in its own transaction first, and beat runs `charges_sync` every few minutes; pages
(GET) never sync, they read stored charges and show changed work as pending (`billing.watermarks`). A sync reads
only the sources changed since the client's watermark. Each charge has a unique `source_key` (e.g.
``visit:812:org:7``); a rerun recomputes the same rows. A charge on an issued invoice is frozen: a later edit of
its source becomes an `adjustment` charge (more) or a draft credit note (less) (docs/specs/billing.md P15).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from billing import money as bm
from billing import packages, rates, specs, totals, watermarks
from billing.models import (
    Charge,
    ChargeSyncMark,
    CreditNote,
    CreditNoteLine,
    InvoiceLine,
    MilestoneFee,
    Package,
    ShoppingTime,
)
from billing.specs import FEE_KINDS, FINISHED, ZERO, Spec
from clients.models import Client
from operations.models import Appointment, ClientPurchase


def _amount(spec: Spec, hourly: int, rate: Decimal) -> Decimal:
    return spec.fixed if spec.fixed is not None and spec.draws != "cancel" else bm.hourly_amount(hourly, rate)


def _is_direct(spec: Spec, has_packages: bool) -> bool:
    """Billed as it is, without touching a package (no package, or nothing a package could cover)."""
    return not has_packages or not spec.draws or (spec.draws != "cancel" and not spec.billed)


def _new_charge(client: Client, spec: Spec, *, direct: bool) -> Charge:
    plain = (spec.fixed or ZERO) if spec.draws == "cancel" else _amount(spec, spec.billed, spec.rate)
    return Charge(
        client=client, kind=spec.kind, source_key=spec.key, visit=spec.visit, purchase=spec.purchase,
        shopping=spec.shopping, milestone=spec.milestone, organizer_id=spec.organizer_id,
        service_date=spec.service_date, description=spec.description[:300], minutes_raw=spec.raw,
        minutes_rounded=spec.rounded, minutes_billed=spec.billed, rate=spec.rate, rate_source=spec.rate_source,
        cost=spec.cost, amount=plain if direct else ZERO, taxable=spec.taxable, needs_review=spec.needs_review,
        hourly_minutes=spec.billed,
    )  # fmt: skip


def _create(client: Client, spec: Spec, *, has_packages: bool = True) -> Charge:
    direct = _is_direct(spec, has_packages)
    plain = (spec.fixed or ZERO) if spec.draws == "cancel" else _amount(spec, spec.billed, spec.rate)
    charge = _new_charge(client, spec, direct=direct)
    charge.save()
    if direct:
        return charge
    if spec.draws == "cancel":
        package, covered, hourly = packages.cancel_fee_draw(client=client, on=spec.service_date, charge=charge)
        if package is None:
            charge.amount = plain
        else:
            charge.package, charge.package_minutes, charge.hourly_minutes = package, covered, hourly
            charge.minutes_billed = covered + hourly
            charge.amount = bm.hourly_amount(hourly, spec.rate)
    else:
        got = packages.draw(client=client, minutes=spec.billed, on=spec.service_date, charge=charge,
                            shopping=spec.draws == "shopping")  # fmt: skip
        charge.package, charge.package_minutes, charge.hourly_minutes = got.package, got.minutes, got.hourly
        charge.amount = bm.hourly_amount(got.hourly, spec.rate)
    charge.save()
    return charge


def _minutes_change(
    charge: Charge, delta: int, on: date, reason: str, *, entry_charge: Charge | None = None
) -> tuple[int, int]:
    """Apply a change of billed minutes to a charge's split: more minutes draw from the package first, fewer
    give hourly minutes back first. Returns (covered delta, hourly delta). Ledger entries point to
    `entry_charge` (the adjustment) when given."""
    entry_charge = entry_charge or charge
    if delta > 0 and charge.kind in ("visit_time", "shopping_time"):
        got = packages.draw(client=charge.client, minutes=delta, on=on, charge=entry_charge,
                            shopping=charge.kind == "shopping_time")  # fmt: skip
        if got.package and not charge.package_id:
            charge.package = got.package
        return got.minutes, got.hourly
    if delta > 0:
        return 0, delta
    hourly_back = max(delta, -charge.hourly_minutes)
    covered_back = delta - hourly_back
    if covered_back and charge.package:
        packages.give_back(package=charge.package, minutes=-covered_back, on=on, charge=entry_charge, reason=reason)
    return covered_back, hourly_back


def _recompute(charge: Charge, spec: Spec) -> bool:
    """An unbilled (or draft-only) charge follows its source; the rate stays the one stored at creation."""
    if charge.kind in FEE_KINDS or charge.kind == "redo":
        if spec.fixed is not None and spec.fixed == ZERO and charge.amount and charge.kind in FEE_KINDS:
            charge.amount = ZERO  # the visit was un-cancelled
            charge.save(update_fields=["amount", "updated_at"])
            return True
        return False
    changed = False
    if spec.draws:
        delta = spec.billed - charge.minutes_billed
        if delta or spec.raw != charge.minutes_raw:
            covered, hourly = _minutes_change(charge, delta, spec.service_date, "visit edited before invoicing")
            charge.package_minutes += covered
            charge.hourly_minutes += hourly
            charge.minutes_raw, charge.minutes_rounded, charge.minutes_billed = spec.raw, spec.rounded, spec.billed
            charge.needs_review = spec.needs_review
            changed = True
        amount = bm.hourly_amount(charge.hourly_minutes, charge.rate)
    else:
        amount = _amount(spec, spec.billed, charge.rate)
    if amount != charge.amount:
        charge.amount, changed = amount, True
    if changed:
        charge.save()
        totals.draft_line_refresh(charge)
    return changed


def _adjust(charge: Charge, spec: Spec, line: InvoiceLine) -> bool:
    """The source of an invoiced charge changed: record the difference, never touch the issued invoice."""
    if charge.kind in FEE_KINDS or charge.kind == "redo":
        return False
    adjustments = Charge.objects.filter(supersedes=charge)
    sums = adjustments.aggregate(b=Sum("minutes_billed"), p=Sum("package_minutes"), h=Sum("hourly_minutes"),
                                 a=Sum("amount"))  # fmt: skip
    billed = charge.minutes_billed + (sums["b"] or 0)
    hourly = charge.hourly_minutes + (sums["h"] or 0)
    amount_now = charge.amount + (sums["a"] or ZERO)
    delta = spec.billed - billed if spec.draws else 0
    if spec.draws and not delta:
        return False
    if not spec.draws and _amount(spec, 0, charge.rate) == amount_now:
        return False
    made = Charge.objects.create(
        client=charge.client, kind="adjustment", source_key=f"{charge.source_key}:adj:{adjustments.count() + 1}",
        visit=charge.visit, purchase=charge.purchase, shopping=charge.shopping, milestone=charge.milestone,
        organizer=charge.organizer, service_date=charge.service_date, description="Adjustment",
        minutes_raw=spec.raw - charge.minutes_raw, minutes_billed=delta, package=charge.package, rate=charge.rate,
        rate_source=charge.rate_source, amount=ZERO, taxable=charge.taxable, supersedes=charge,
    )  # fmt: skip
    if spec.draws:
        probe = Charge(client=charge.client, kind=charge.kind, package=charge.package, hourly_minutes=hourly)
        covered, hourly_delta = _minutes_change(
            probe, delta, spec.service_date, f"adjustment of {charge.source_key}", entry_charge=made
        )
        new_amount = bm.hourly_amount(hourly + hourly_delta, charge.rate) - amount_now
        what = f"{'+' if delta >= 0 else '-'}{bm.minutes_text(abs(delta))}"
    else:
        covered, hourly_delta = 0, 0
        new_amount = _amount(spec, 0, charge.rate) - amount_now
        what = f"{new_amount:+}"
    made.package_minutes, made.hourly_minutes, made.amount = covered, hourly_delta, new_amount
    made.description = f"Adjustment: {charge.description}, {what}"[:300]
    made.credited = new_amount < 0
    made.save()
    if new_amount < 0:
        _draft_credit_note(made, line)
    return True


def _draft_credit_note(adjustment: Charge, line: InvoiceLine) -> CreditNote:
    amount = -adjustment.amount
    tax = bm.tax_of(amount, line.tax_rate) if line.taxable else ZERO
    note = CreditNote.objects.create(
        client=adjustment.client, invoice=line.invoice, reason=adjustment.description[:200], subtotal=amount,
        tax_total=tax, total=amount + tax,
    )  # fmt: skip
    CreditNoteLine.objects.create(credit_note=note, invoice_line=line, description=adjustment.description,
                                  amount=amount, tax_amount=tax)  # fmt: skip
    return note


def _withdrawn(charge: Charge) -> Spec:
    """The source no longer bills (e.g. a late cancellation was undone): the same charge at zero."""
    return Spec(charge.source_key, charge.kind, charge.service_date, charge.description, fixed=ZERO,
                draws="visit" if charge.kind in ("visit_time", "shopping_time") else "")  # fmt: skip


def charges_sync_client(
    *, client: Client, known: watermarks.Changes | None = None, known_at: datetime | None = None,
    savepoint: bool = True, shared: rates.Shared | None = None,
) -> int:  # fmt: skip
    """Bring one client's charges up to date; returns how many rows were written. Reads only the sources changed
    since the client's watermark (all of them the first time), then moves the watermark to the moment this run
    started. A batch passes the changes it read for every client at once (`known`, read at `known_at`, which then
    becomes the watermark, so nothing saved after that read is skipped). Serialized per client by a lock on the
    client row, so two runs never create or draw the same thing twice. A caller already inside its own
    transaction that fails as a whole on any error (invoice creation) passes `savepoint=False` (two queries
    less); a batch passes `shared`, the pricing and organizer rates read once for all its clients."""
    with transaction.atomic(savepoint=savepoint):
        return _sync_client(client, known, known_at, shared)


def _sync_client(
    client: Client, known: watermarks.Changes | None, known_at: datetime | None, shared: rates.Shared | None
) -> int:
    client = Client.all_objects.select_for_update().get(pk=client.pk)
    started = known_at or timezone.now()
    if known is None:
        found = watermarks.changed_sources(client_id=client.pk, overlap=watermarks.OVERLAP, finished_only=False)
        known = found.get(client.pk)
    written = _sync_sources(client, known, shared) if known and known.count else 0
    ChargeSyncMark.objects.bulk_create([ChargeSyncMark(client=client, synced_at=started)], update_conflicts=True,
                                       unique_fields=["client"], update_fields=["synced_at"])  # fmt: skip
    return written


def _sync_sources(client: Client, found: watermarks.Changes, shared: rates.Shared | None = None) -> int:
    wanted = specs.Sources(visits=found.visits, purchases=found.purchases, shopping=found.shopping,
                           milestones=found.milestones)  # fmt: skip
    made = {spec.key: spec for spec in specs.specs_for(client, wanted, shared)}
    of_sources = (
        Q(visit_id__in=found.visits) | Q(purchase_id__in=found.purchases) | Q(shopping_id__in=found.shopping)
        | Q(milestone_id__in=found.milestones)
    )  # fmt: skip
    existing = {c.source_key: c for c in Charge.objects.filter(of_sources, client=client).exclude(kind="adjustment")}
    has_packages = Package.objects.filter(client=client, status=Package.Status.ACTIVE).exists()
    # The issued lines of the charges reread, in one query (a reread within the overlap is mostly unchanged).
    frozen = {
        line.charge_id: line
        for line in InvoiceLine.objects.filter(charge__in=list(existing.values()), active=True, locked=True)
        .select_related("invoice")
    } if existing else {}  # fmt: skip
    written = 0
    plain: list[Charge] = []  # new charges that touch no package: inserted together
    for key in sorted(set(made) | set(existing)):
        charge = existing.get(key)
        spec = made.get(key) or (_withdrawn(charge) if charge else None)
        if spec is None:
            continue
        if charge is None:
            if _is_direct(spec, has_packages):
                plain.append(_new_charge(client, spec, direct=True))
            else:
                _create(client, spec, has_packages=has_packages)
            written += 1
            continue
        line = frozen.get(charge.pk)
        written += int(_adjust(charge, spec, line) if line else _recompute(charge, spec))
    Charge.objects.bulk_create(plain)
    return written


def clients_with_work() -> list[int]:
    ids = set(Appointment.objects.filter(status__in=FINISHED).values_list("client_id", flat=True).distinct())
    ids |= set(ClientPurchase.objects.values_list("appointment__client_id", flat=True).distinct())
    ids |= set(ShoppingTime.objects.values_list("client_id", flat=True).distinct())
    ids |= set(MilestoneFee.objects.filter(reached_on__isnull=False).values_list("client_id", flat=True))
    return sorted(ids)


def changes_of_all() -> dict[int, watermarks.Changes]:
    """Per client, the sources to reread (changed since its watermark, less the overlap): what beat and batches
    sync, read for every client at once."""
    return watermarks.changed_sources(overlap=watermarks.OVERLAP, finished_only=False)


def clients_to_sync() -> list[int]:
    return sorted(changes_of_all())


def clients_to_invoice(changes: dict[int, watermarks.Changes] | None = None) -> list[int]:
    """Clients with unbilled charges or with changed work (whose invoice_create will charge it first)."""
    found = set(Charge.objects.filter(unbilled_charges()).values_list("client_id", flat=True).distinct())
    return sorted(found | set(changes_of_all() if changes is None else changes))


def charges_sync() -> int:
    """Every client with changed work, each in its own short transaction (the beat task)."""
    written, at = 0, timezone.now()
    changes = changes_of_all()
    for client in Client.all_objects.filter(pk__in=list(changes)).order_by("pk"):
        written += charges_sync_client(client=client, known=changes[client.pk], known_at=at)
    # Clients with nothing changed are up to date as of `at` too: moving their watermark keeps the oldest one
    # recent, so the "changed since" reads stay short ranges of the indexes (the overlap still covers a row
    # committed late). Moving a watermark back, if another sync moved it further meanwhile, is harmless.
    idle = Client.all_objects.exclude(pk__in=list(changes)).values_list("pk", flat=True)
    ChargeSyncMark.objects.bulk_create(
        [ChargeSyncMark(client_id=pk, synced_at=at) for pk in idle],
        update_conflicts=True, unique_fields=["client"], update_fields=["synced_at"],
    )  # fmt: skip
    return written


def unbilled_charges(client: Client | None = None) -> Q:
    """Filter for charges that may go on a new invoice (of one client, or of all)."""
    free = Q(credited=False, billed=False)  # `billed` mirrors "an active line holds it" (a trigger keeps it)
    worth = ~Q(amount=0) | ~Q(minutes_billed=0) | Q(kind="redo") | Q(package__isnull=False)
    return (Q(client=client) if client is not None else Q()) & free & worth
