"""KPI arithmetic over additive components (docs/specs/kpis.md §2). Pure: no Django, no database.

Every ratio here takes *summed* numerators and denominators: a period's utilization is Σ billable ÷ Σ available,
never the mean of daily percentages (K3). Semi-additive values (stock value on a day) are never summed over days:
`period_stock_value` takes the last day or a labelled average (K8). A ratio whose denominator is zero is None
("no data"), never 0 and never an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
ZERO = Decimal("0")


def ratio(numerator: Decimal | int, denominator: Decimal | int) -> Decimal | None:
    """numerator ÷ denominator, or None when there is nothing to divide by."""
    if not denominator:
        return None
    return Decimal(numerator) / Decimal(denominator)


def percent(numerator: Decimal | int, denominator: Decimal | int) -> Decimal | None:
    """A percentage with one decimal, half up (34.7 for 12.5 ÷ 36)."""
    value = ratio(numerator, denominator)
    return None if value is None else (value * 100).quantize(TENTH, rounding=ROUND_HALF_UP)


def money(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Components:
    """One organizer's (or the business's) additive operations components for a day or a summed period."""

    available_min: int = 0
    billable_min: int = 0
    redo_min: int = 0
    scheduled: int = 0
    completed: int = 0  # completed jobs: redo visits and project sessions are not jobs
    completed_visits: int = 0  # every completed visit, redos included (shown beside throughput)
    cancelled: int = 0
    late_cancelled: int = 0
    no_show: int = 0
    redo: int = 0
    supply_cost: Decimal = ZERO
    revenue: Decimal = ZERO

    def __add__(self, other: Components) -> Components:
        return Components(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})


def total(rows: Iterable[Components]) -> Components:
    """Σ of components: the only way a period is made from days."""
    result = Components()
    for row in rows:
        result = result + row
    return result


def utilization(c: Components, *, productive: bool = False) -> Decimal | None:
    """Billable ÷ available hours in %; the labelled "productive" variant also counts redo time."""
    worked = c.billable_min + (c.redo_min if productive else 0)
    return percent(worked, c.available_min)


def throughput(c: Components) -> int:
    return c.completed


def redo_rate(c: Components) -> Decimal | None:
    return percent(c.redo, c.completed)


def cancellation_rate(c: Components) -> Decimal | None:
    """Cancelled and late-cancelled ÷ scheduled (no-shows are kept apart)."""
    return percent(c.cancelled + c.late_cancelled, c.scheduled)


def late_cancel_rate(c: Components) -> Decimal | None:
    return percent(c.late_cancelled, c.scheduled)


def no_show_rate(c: Components) -> Decimal | None:
    return percent(c.no_show, c.scheduled)


def earned_revenue(*, subtotal: Decimal, discounts: Decimal) -> Decimal:
    """Earned revenue of a piece of work: subtotal minus discounts; tax and tips are never revenue."""
    return (subtotal - discounts).quantize(CENT, rounding=ROUND_HALF_UP)


def revenue_per_billable_hour(c: Components) -> Decimal | None:
    return money(ratio(c.revenue * 60, c.billable_min))


def average_job_size(c: Components, *, count_redos: bool = False) -> Decimal | None:
    """Revenue ÷ completed jobs. `count_redos` is the labelled variant that counts $0 redos as jobs (lower)."""
    jobs = c.completed + (c.redo if count_redos else 0)
    return money(ratio(c.revenue, jobs))


def supply_cost_per_job(c: Components) -> Decimal | None:
    return money(ratio(c.supply_cost, c.completed))


@dataclass(frozen=True)
class Turns:
    turns: Decimal | None  # for the period
    annualized: Decimal | None
    days_of_supply: Decimal | None


def inventory_turns(
    *, consumed_cost: Decimal, value_start: Decimal, value_end: Decimal, days: int, months: int | None = None
) -> Turns:
    """Consumed cost ÷ average of the start and end values; days of supply = days ÷ turns. Annualized × 12 ÷ months
    for whole calendar months (K5: a month is a twelfth of a year, whatever its length), else × 365 ÷ days."""
    average = (value_start + value_end) / 2
    turns = ratio(consumed_cost, average)
    if turns is None or days <= 0:
        return Turns(turns, None, None)
    annualized = turns * 12 / months if months else turns * 365 / days
    supply = ratio(days, turns)
    q = Decimal("0.01")
    return Turns(
        turns.quantize(q, rounding=ROUND_HALF_UP),
        annualized.quantize(q, rounding=ROUND_HALF_UP),
        None if supply is None else supply.quantize(TENTH, rounding=ROUND_HALF_UP),
    )


def period_stock_value(daily: Mapping[date, Decimal], *, average: bool = False) -> Decimal | None:
    """A semi-additive value over a period: the last day's value, or (labelled) the mean of the days. Never Σ."""
    if not daily:
        return None
    if average:
        return money(sum(daily.values(), ZERO) / len(daily))
    return daily[max(daily)]


def retention(*, start_active: int, end_active: int, new: int) -> Decimal | None:
    """((E − N) ÷ S) × 100 over active clients."""
    return percent(end_active - new, start_active)


@dataclass(frozen=True)
class Survey:
    """Summed survey answers: CSAT positives (4–5) of CSAT answers, NPS groups of NPS answers."""

    csat_answers: int = 0
    csat_positive: int = 0
    promoters: int = 0
    passives: int = 0
    detractors: int = 0

    def __add__(self, other: Survey) -> Survey:
        return Survey(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    @property
    def nps_answers(self) -> int:
        return self.promoters + self.passives + self.detractors


def survey_of(*, csat: Sequence[int], nps: Sequence[int]) -> Survey:
    """Classify raw answers: CSAT 4–5 is positive; NPS 9–10 promoter, 7–8 passive, 0–6 detractor (a 6 too)."""
    return Survey(
        csat_answers=len(csat),
        csat_positive=sum(1 for a in csat if a >= 4),
        promoters=sum(1 for a in nps if a >= 9),
        passives=sum(1 for a in nps if 7 <= a <= 8),
        detractors=sum(1 for a in nps if a <= 6),
    )


def csat(s: Survey) -> Decimal | None:
    return percent(s.csat_positive, s.csat_answers)


def nps(s: Survey) -> int | None:
    """% promoters − % detractors as an integer in [−100, 100], half away from zero."""
    if not s.nps_answers:
        return None
    score = Decimal(100 * (s.promoters - s.detractors)) / s.nps_answers
    return int(score.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def change(current: Decimal | int | None, previous: Decimal | int | None) -> Decimal | None:
    """Relative change in % against a comparison period (None when there is nothing to compare with)."""
    if current is None or previous is None or not previous:
        return None
    return percent(Decimal(current) - Decimal(previous), abs(Decimal(previous)))
