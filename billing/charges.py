"""charges_sync: derive charges from the work recorded below billing, idempotently, one client at a time.

No signals: every reader of charges calls `charges_sync_client` in its own transaction first, and beat runs
`charges_sync` every few minutes. Each charge has a unique `source_key` (e.g. ``visit:812:org:7``); a rerun
recomputes the same rows. A charge on an issued invoice is frozen: a later edit of its source becomes an
`adjustment` charge (more) or a draft credit note (less) (docs/specs/billing.md P15).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Max, Min, Q, Sum
from django.utils import timezone

from billing import conf, packages, rates, totals
from billing import money as bm
from billing.models import (
    Charge,
    CreditNote,
    CreditNoteLine,
    InvoiceLine,
    MilestoneFee,
    Package,
    RedoLink,
    ShoppingTime,
    TypePricing,
    VisitTime,
)
from clients.models import Client
from operations.models import Appointment, ClientPurchase

ZERO = Decimal("0.00")
FINISHED = ("completed", "needs_redo", "late_cancelled", "no_show")
FEE_KINDS = ("cancel_fee", "no_show_fee")


@dataclass(frozen=True)
class Spec:
    """What one source should be billed at, before any package is taken into account."""

    key: str
    kind: str
    service_date: date
    description: str
    visit: Appointment | None = None
    purchase: ClientPurchase | None = None
    shopping: ShoppingTime | None = None
    milestone: MilestoneFee | None = None
    organizer_id: int | None = None
    raw: int = 0
    rounded: int = 0
    billed: int = 0
    rate: Decimal = ZERO
    rate_source: str = ""
    fixed: Decimal | None = None  # a fixed amount (fee, purchase, flat fee, milestone); None = minutes × rate
    cost: Decimal | None = None
    taxable: bool = False
    needs_review: bool = False
    draws: str = ""  # "visit" | "shopping" | "cancel": may take minutes from a package


def _services_taxable() -> bool:
    return bool(conf.get("BILLING_TAX_SERVICES"))


def _visit_specs(visit: Appointment, book: rates.Book) -> list[Spec]:
    vtype = visit.appointment_type
    pricing = rates.pricing_of(vtype, book)
    organizers = sorted(visit.organizers.all(), key=lambda u: u.pk)
    day = rates.local_date(visit.actual_start or visit.starts)
    if visit.status in ("late_cancelled", "no_show"):
        return [_fee_spec(visit, organizers, book)]
    if pricing.pricing == TypePricing.Pricing.FLAT:
        return [Spec(f"visit:{visit.pk}:flat", "flat_fee", day, str(vtype), visit=visit, fixed=pricing.flat_price,
                     taxable=_services_taxable())]  # fmt: skip
    redo = (book.redo or {}).get(visit.pk)
    specs = []
    for organizer in organizers:
        worked = rates.worked_minutes(visit, organizer, book)
        if redo:
            was = rates.local_date(redo.redo_of.starts)
            rounded, _ = rates.round_and_minimum(worked.raw, minimum=0)
            specs.append(Spec(
                f"visit:{visit.pk}:org:{organizer.pk}", "redo", day, f"Redo of {was.day} {was:%B} visit — no charge",
                visit=visit, organizer_id=organizer.pk, raw=worked.raw, rounded=rounded, billed=rounded, fixed=ZERO,
            ))  # fmt: skip
            continue
        rounded, billed = rates.round_and_minimum(worked.raw, minimum=rates.minimum_of(pricing))
        rate, source = rates.resolve_rate(client=visit.client, appointment_type=vtype, organizer=organizer, book=book)
        specs.append(Spec(
            f"visit:{visit.pk}:org:{organizer.pk}", "visit_time", day, f"{vtype} — {organizer}", visit=visit,
            organizer_id=organizer.pk, raw=worked.raw, rounded=rounded, billed=billed, rate=rate, rate_source=source,
            taxable=_services_taxable(), needs_review=worked.needs_review, draws="visit",
        ))  # fmt: skip
    return specs


def _fee_spec(visit: Appointment, organizers: list, book: rates.Book) -> Spec:
    kind = "no_show_fee" if visit.status == "no_show" else "cancel_fee"
    label = "No-show" if kind == "no_show_fee" else "Late cancellation"
    day = rates.local_date(visit.updated_at)
    booked = bm.minutes_between(visit.starts, visit.ends)
    fee_kind = conf.get("BILLING_CANCEL_FEE_KIND")
    first_rate = ZERO
    fee = ZERO
    for organizer in organizers:
        rate, _ = rates.resolve_rate(
            client=visit.client, appointment_type=visit.appointment_type, organizer=organizer, book=book
        )
        first_rate = first_rate or rate
        if fee_kind == "percent_of_booked":
            fee += bm.percent_fee(pct=Decimal(conf.get("BILLING_CANCEL_FEE_PERCENT")), booked_minutes=booked, rate=rate)
        elif fee_kind == "hours":
            fee += bm.hourly_amount(int(conf.get("BILLING_CANCEL_FEE_HOURS")) * 60, rate)
    if fee_kind == "fixed":
        fee = Decimal(conf.get("BILLING_CANCEL_FEE_FIXED"))
    return Spec(
        f"visit:{visit.pk}:fee", kind, day, f"{label}: {visit.appointment_type}, {day:%Y-%m-%d}", visit=visit,
        rate=first_rate, fixed=fee, taxable=_services_taxable(), draws="cancel",
    )  # fmt: skip


def _purchase_spec(purchase: ClientPurchase) -> Spec:
    markup = purchase.markup_pct
    if not markup and purchase.created_by is not None and purchase.created_by.is_organizer:
        markup = Decimal(conf.get("BILLING_DEFAULT_MARKUP"))  # an organizer's purchase gets the house markup
    store = f" ({purchase.store})" if purchase.store else ""
    return Spec(
        f"purchase:{purchase.pk}", "purchase", rates.local_date(purchase.created_at), f"{purchase.description}{store}",
        purchase=purchase, fixed=bm.markup_price(purchase.cost, markup), cost=purchase.cost,
        taxable=bool(conf.get("BILLING_TAX_PRODUCTS")),
    )  # fmt: skip


def _shopping_spec(entry: ShoppingTime, book: rates.Book) -> Spec:
    shopping_type = TypePricing.objects.filter(is_shopping=True).select_related("appointment_type").first()
    atype = shopping_type.appointment_type if shopping_type else None
    rounded, billed = rates.round_and_minimum(entry.minutes, minimum=0)
    rate, source = rates.resolve_rate(client=entry.client, appointment_type=atype, organizer=entry.organizer, book=book)
    return Spec(
        f"shopping:{entry.pk}", "shopping_time", entry.worked_on, f"Shopping time — {entry.organizer}",
        shopping=entry, organizer_id=entry.organizer_id, raw=entry.minutes, rounded=rounded, billed=billed, rate=rate,
        rate_source=source, taxable=_services_taxable(), draws="shopping",
    )  # fmt: skip


def _unchanged_visits(client: Client) -> dict[int, datetime]:
    """Visits whose charges are newer than every change of the visit, its times and its redo link: their specs
    need no recomputation (the sync stays cheap for clients with a long history)."""
    charged = dict(
        Charge.objects.filter(client=client, visit__isnull=False).exclude(kind="adjustment")
        .values("visit_id").annotate(t=Min("updated_at")).values_list("visit_id", "t")
    )  # fmt: skip
    for model, stamp in ((VisitTime, "updated_at"), (RedoLink, "created_at")):
        rows = model.objects.filter(visit__client=client).values("visit_id").annotate(t=Max(stamp))
        for visit_id, changed in rows.values_list("visit_id", "t"):
            if visit_id in charged and changed > charged[visit_id]:
                del charged[visit_id]
    return charged


def specs_for(client: Client, *, skip: set[int] | None = None) -> list[Spec]:
    """Specs of every billable source of the client; visits unchanged since their charges are left out and their
    ids added to `skip` when a set is given."""
    specs: list[Spec] = []
    book = rates.Book.for_client(client)
    unchanged = _unchanged_visits(client) if skip is not None else {}
    visits = Appointment.objects.filter(client=client, status__in=FINISHED).select_related("appointment_type", "client")
    for visit in visits.prefetch_related("organizers").order_by("starts", "pk"):
        if skip is not None and visit.pk in unchanged and visit.updated_at <= unchanged[visit.pk]:
            skip.add(visit.pk)
            continue
        specs += _visit_specs(visit, book)
    purchases = ClientPurchase.objects.filter(appointment__client=client).select_related("created_by")
    specs += [_purchase_spec(p) for p in purchases.order_by("pk")]
    shopping = ShoppingTime.objects.filter(client=client).select_related("organizer", "client")
    specs += [_shopping_spec(s, book) for s in shopping.order_by("pk")]
    for milestone in MilestoneFee.objects.filter(client=client, reached_on__isnull=False).order_by("pk"):
        reached = milestone.reached_on or date.min  # the filter guarantees a date
        specs.append(Spec(f"milestone:{milestone.pk}", "milestone", reached, milestone.name, milestone=milestone,
                          fixed=milestone.amount, taxable=_services_taxable()))  # fmt: skip
    return specs


def _amount(spec: Spec, hourly: int, rate: Decimal) -> Decimal:
    return spec.fixed if spec.fixed is not None and spec.draws != "cancel" else bm.hourly_amount(hourly, rate)


def _create(client: Client, spec: Spec, *, has_packages: bool = True) -> Charge:
    direct = not has_packages or not spec.draws or (spec.draws != "cancel" and not spec.billed)
    plain = (spec.fixed or ZERO) if spec.draws == "cancel" else _amount(spec, spec.billed, spec.rate)
    charge = Charge.objects.create(
        client=client, kind=spec.kind, source_key=spec.key, visit=spec.visit, purchase=spec.purchase,
        shopping=spec.shopping, milestone=spec.milestone, organizer_id=spec.organizer_id,
        service_date=spec.service_date, description=spec.description[:300], minutes_raw=spec.raw,
        minutes_rounded=spec.rounded, minutes_billed=spec.billed, rate=spec.rate, rate_source=spec.rate_source,
        cost=spec.cost, amount=plain if direct else ZERO, taxable=spec.taxable, needs_review=spec.needs_review,
        hourly_minutes=spec.billed,
    )  # fmt: skip
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


def _frozen_line(charge: Charge) -> InvoiceLine | None:
    return InvoiceLine.objects.filter(charge=charge, active=True, locked=True).select_related("invoice").first()


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


@transaction.atomic
def charges_sync_client(*, client: Client) -> int:
    """Bring one client's charges up to date; returns how many rows were written. Serialized per client by a lock
    on the client row, so two runs never create or draw the same thing twice."""
    client = Client.all_objects.select_for_update().get(pk=client.pk)
    started = timezone.now()
    skipped: set[int] = set()
    specs = {spec.key: spec for spec in specs_for(client, skip=skipped)}
    existing = {c.source_key: c for c in Charge.objects.filter(client=client).exclude(kind="adjustment")}
    has_packages = Package.objects.filter(client=client, status=Package.Status.ACTIVE).exists()
    written = 0
    for key in sorted(set(specs) | set(existing)):
        charge = existing.get(key)
        if charge is not None and key not in specs and charge.visit_id in skipped:
            continue  # unchanged since it was charged
        spec = specs.get(key) or (_withdrawn(charge) if charge else None)
        if spec is None:
            continue
        if charge is None:
            _create(client, spec, has_packages=has_packages)
            written += 1
            continue
        line = _frozen_line(charge)
        written += int(_adjust(charge, spec, line) if line else _recompute(charge, spec))
    # The visits read here are up to date as of `started`: stamp their charges with it, so the next sync skips
    # them unless the visit changes afterwards (an edit made while this ran is newer and is picked up).
    looked_at = {s.visit.pk for s in specs.values() if s.visit} | {
        c.visit_id for c in existing.values() if c.visit_id and c.visit_id not in skipped
    }
    Charge.objects.filter(client=client, visit_id__in=looked_at).exclude(kind="adjustment").update(updated_at=started)
    return written


def clients_with_work() -> list[int]:
    ids = set(Appointment.objects.filter(status__in=FINISHED).values_list("client_id", flat=True).distinct())
    ids |= set(ClientPurchase.objects.values_list("appointment__client_id", flat=True).distinct())
    ids |= set(ShoppingTime.objects.values_list("client_id", flat=True).distinct())
    ids |= set(MilestoneFee.objects.filter(reached_on__isnull=False).values_list("client_id", flat=True))
    return sorted(ids)


def charges_sync() -> int:
    """Every client with billable work, each in its own short transaction (the beat task)."""
    written = 0
    for client in Client.all_objects.filter(pk__in=clients_with_work()).order_by("pk"):
        written += charges_sync_client(client=client)
    return written


def unbilled_charges(client: Client | None = None) -> Q:
    """Filter for charges that may go on a new invoice (of one client, or of all)."""
    free = Q(credited=False) & ~Q(lines__active=True)
    worth = ~Q(amount=0) | ~Q(minutes_billed=0) | Q(kind="redo") | Q(package__isnull=False)
    return (Q(client=client) if client is not None else Q()) & free & worth
