"""The pure KPI arithmetic (docs/specs/kpis.md §2, K1, K3, K5–K8) and its properties."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from operations import kpi_math as km

D = Decimal

# K1's week for Alice as summed components: available 36 h, billable 12.5 h, the 1 h redo apart.
ALICE_WEEK = km.Components(
    available_min=36 * 60, billable_min=750, redo_min=60, scheduled=7, completed=4, completed_visits=5,
    cancelled=1, late_cancelled=1, no_show=1, redo=1, supply_cost=D("100.00"), revenue=D("1155.00"),
)  # fmt: skip


def test_K1_alice_week_from_components():
    c = ALICE_WEEK
    assert km.utilization(c) == D("34.7")
    assert km.utilization(c, productive=True) == D("37.5")
    assert km.throughput(c) == 4 and c.completed_visits == 5
    assert km.redo_rate(c) == D("25.0")
    assert km.cancellation_rate(c) == D("28.6")
    assert km.late_cancel_rate(c) == D("14.3")
    assert km.no_show_rate(c) == D("14.3")
    assert km.revenue_per_billable_hour(c) == D("92.40")
    assert km.average_job_size(c) == D("288.75")
    assert km.average_job_size(c, count_redos=True) == D("231.00")
    assert km.supply_cost_per_job(c) == D("25.00")


def test_K1_earned_revenue_is_subtotal_less_discounts():
    assert km.earned_revenue(subtotal=D("300.00"), discounts=D("30.00")) == D("270.00")


def test_K3_ratio_of_sums_not_average_of_ratios():
    day1 = km.Components(available_min=8 * 60, billable_min=6 * 60)
    day2 = km.Components(available_min=2 * 60, billable_min=60)
    assert (km.utilization(day1), km.utilization(day2)) == (D("75.0"), D("50.0"))
    assert km.utilization(km.total([day1, day2])) == D("70.0")


def test_K5_inventory_turns():
    turns = km.inventory_turns(consumed_cost=D("1200"), value_start=D("3000"), value_end=D("2000"), days=30, months=1)
    assert (turns.turns, turns.annualized, turns.days_of_supply) == (D("0.48"), D("5.76"), D("62.5"))
    assert km.inventory_turns(consumed_cost=D("1200"), value_start=D("0"), value_end=D("0"), days=30).turns is None


def test_K6_retention():
    assert km.retention(start_active=40, end_active=45, new=10) == D("87.5")
    assert km.retention(start_active=0, end_active=5, new=5) is None


def test_K7_nps_and_csat():
    survey = km.survey_of(csat=[5] * 10 + [4] * 8 + [2, 3], nps=[10] * 6 + [9] * 6 + [8] * 3 + [7] * 2 + [6, 6, 0])
    assert (survey.promoters, survey.passives, survey.detractors) == (12, 5, 3)
    assert km.nps(survey) == 45
    assert km.csat(survey) == D("90.0")
    assert km.survey_of(csat=[], nps=[6]).detractors == 1  # a 6 is a detractor, not a passive


def test_K8_semi_additive_value_is_last_day_or_labelled_average():
    week = {date(2025, 11, 3) + timedelta(days=i): D(1000 + 100 * i) for i in range(7)}
    assert km.period_stock_value(week) == D("1600")
    assert km.period_stock_value(week, average=True) == D("1300.00")
    assert km.period_stock_value(week) != sum(week.values())
    assert km.period_stock_value({}) is None


def test_zero_denominators_are_no_data():
    empty = km.Components()
    assert km.utilization(empty) is None and km.redo_rate(empty) is None and km.average_job_size(empty) is None
    assert km.nps(km.Survey()) is None and km.change(D("5"), D("0")) is None
    assert km.change(D("110"), D("100")) == D("10.0")


minutes = st.integers(min_value=0, max_value=10_000)
day_st = st.builds(
    lambda a, b, s, done: km.Components(available_min=a, billable_min=min(b, a), scheduled=s, cancelled=min(done, s)),
    minutes,
    minutes,
    st.integers(0, 50),
    st.integers(0, 50),
)


@settings(deadline=None)  # a loaded 2-core machine: timing is not what these check
@given(st.lists(day_st, min_size=1, max_size=20))
def test_period_ratio_is_ratio_of_summed_components(days):
    summed = km.total(days)
    assert summed.available_min == sum(d.available_min for d in days)
    expected = km.percent(sum(d.billable_min for d in days), sum(d.available_min for d in days))
    assert km.utilization(summed) == expected
    if expected is not None:
        assert D(0) <= expected <= D(100)
    rate = km.cancellation_rate(summed)
    assert rate is None or D(0) <= rate <= D(100)


@settings(deadline=None)  # a loaded 2-core machine: timing is not what these check
@given(st.lists(st.integers(0, 10), max_size=60))
def test_nps_is_an_integer_between_minus_100_and_100(answers):
    score = km.nps(km.survey_of(csat=[], nps=answers))
    assert score is None if not answers else -100 <= score <= 100


@settings(deadline=None)  # a loaded 2-core machine: timing is not what these check
@given(st.lists(st.integers(1, 5), max_size=60), st.lists(st.integers(1, 5), max_size=60))
def test_survey_sums_are_additive(a, b):
    assert km.survey_of(csat=a, nps=[]) + km.survey_of(csat=b, nps=[]) == km.survey_of(csat=a + b, nps=[])


@settings(deadline=None)  # a loaded 2-core machine: timing is not what these check
@given(st.dictionaries(st.dates(), st.decimals(min_value=0, max_value=10**6, places=2), min_size=1, max_size=30))
def test_stock_value_of_a_period_never_exceeds_the_largest_day(daily):
    assert km.period_stock_value(daily) <= max(daily.values())
    assert km.period_stock_value(daily, average=True) <= max(daily.values())
