"""What each source of work should be billed at (a `Spec` per future charge), read from the work recorded below
billing: finished visits (one per organizer, flat fees, redo, cancellation fees), shopping time, pass-through
purchases and reached milestones. Pure reads: `charges` turns specs into rows, selectors price them unsaved."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from billing import conf, rates
from billing import money as bm
from billing.models import MilestoneFee, ShoppingTime, TypePricing
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


@dataclass(frozen=True)
class Sources:
    """Which sources of one client to read: None = all of them (a full sync), else only these ids."""

    visits: Iterable[int] | None = None
    purchases: Iterable[int] | None = None
    shopping: Iterable[int] | None = None
    milestones: Iterable[int] | None = None


def specs_for(client: Client, sources: Sources | None = None, shared: rates.Shared | None = None) -> list[Spec]:
    """Specs of the client's billable sources (all of them, or only those named in `sources`)."""
    sources = sources or Sources()
    specs: list[Spec] = []
    book = rates.Book.for_client(client, sources.visits, shared)
    visits = Appointment.objects.filter(client=client, status__in=FINISHED)
    if sources.visits is not None:
        visits = visits.filter(pk__in=list(sources.visits))
    visits = visits.select_related("appointment_type", "client").prefetch_related("organizers")
    for visit in visits.order_by("starts", "pk"):
        specs += _visit_specs(visit, book)
    purchases = ClientPurchase.objects.filter(appointment__client=client).select_related("created_by")
    if sources.purchases is not None:
        purchases = purchases.filter(pk__in=list(sources.purchases))
    specs += [_purchase_spec(p) for p in purchases.order_by("pk")]
    shopping = ShoppingTime.objects.filter(client=client).select_related("organizer", "client")
    if sources.shopping is not None:
        shopping = shopping.filter(pk__in=list(sources.shopping))
    specs += [_shopping_spec(s, book) for s in shopping.order_by("pk")]
    milestones = MilestoneFee.objects.filter(client=client, reached_on__isnull=False)
    if sources.milestones is not None:
        milestones = milestones.filter(pk__in=list(sources.milestones))
    for milestone in milestones.order_by("pk"):
        reached = milestone.reached_on or date.min  # the filter guarantees a date
        specs.append(Spec(f"milestone:{milestone.pk}", "milestone", reached, milestone.name, milestone=milestone,
                          fixed=milestone.amount, taxable=_services_taxable()))  # fmt: skip
    return specs
