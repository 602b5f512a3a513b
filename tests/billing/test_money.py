"""The pure billing arithmetic (billing.money): no database."""

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing import money as bm

NY = ZoneInfo("America/New_York")
D = Decimal


def test_P1_rounding_up_then_minimum_then_type_rate():
    assert bm.billed_minutes(127, increment=15, mode="up", minimum=180) == (135, 180)
    rate, source = bm.choose_rate(client_rate=None, type_rate=D("90.00"), organizer_rate=D("95.00"))
    assert (rate, source) == (D("90.00"), "appointment_type")
    assert bm.hourly_amount(180, rate) == D("270.00")
    assert bm.hourly_amount(135, rate) == D("202.50")
    assert bm.choose_rate(client_rate=D("85.00"), type_rate=D("90.00"), organizer_rate=D("95.00")) == (
        D("85.00"), "client",
    )  # fmt: skip
    assert bm.hourly_amount(180, D("85.00")) == D("255.00")


def test_P2_rounding_per_organizer_line_not_on_the_team_sum():
    per_line = sum(bm.round_minutes(241, increment=15) for _ in range(2))
    assert per_line == 510
    assert bm.round_minutes(482, increment=15) == 495  # the wrong order
    assert bm.choose_rate(client_rate=None, type_rate=D("0"), organizer_rate=D("95")) == (D("95"), "organizer")


@pytest.mark.parametrize(
    ("raw", "mode", "expected"),
    [(127, "up", 135), (127, "nearest", 120), (128, "nearest", 135), (127, "down", 120), (135, "up", 135)],
)
def test_P1_rounding_modes(raw, mode, expected):
    assert bm.round_minutes(raw, increment=15, mode=mode) == expected


def test_P3_cumulative_values_sum_to_the_net_price():
    cum, values = 0, []
    for used in (240, 300, 270, 240, 150):
        values.append(bm.cumulative_value(before=cum, after=cum + used, net_price=D("1700.00"), package_minutes=1200))
        cum += used
    assert values == [D("340.00"), D("425.00"), D("382.50"), D("340.00"), D("212.50")]
    assert sum(values) == D("1700.00")
    split = bm.drawdown(billed=225, balance=150)
    assert (split.covered, split.hourly) == (150, 75)
    assert bm.hourly_amount(75, D("90")) == D("112.50")


def test_P7_markup_and_line_tax():
    price = bm.markup_price(D("120.00"), D("35"))
    assert price == D("162.00")
    assert bm.tax_of(price, D("8.875")) == D("14.38")


def test_P12_credit_split_pre_and_post_payment():
    assert bm.credit_split(total=D("356.38"), amount_due=D("216.38")) == (D("216.38"), D("140.00"))


def test_P13_aging_buckets():
    assert [bm.aging_bucket(a) for a in (-5, 0, 1, 26, 30, 31, 45, 60, 61, 66, 90, 91, 134)] == [
        "current", "current", "1-30", "1-30", "1-30", "31-60", "31-60", "31-60", "61-90", "61-90", "61-90", "90+",
        "90+",
    ]  # fmt: skip


def test_P16_minutes_between_instants_on_daylight_saving_days():
    start = datetime(2026, 11, 1, 0, 30, tzinfo=NY)  # EDT
    end = datetime(2026, 11, 1, 3, 0, tzinfo=NY)  # EST
    assert bm.minutes_between(start, end) == 210  # same-ZoneInfo subtraction would say 150
    assert end - start == (end.replace(tzinfo=None) - start.replace(tzinfo=None))  # the pitfall, shown
    assert bm.minutes_between(datetime(2026, 3, 8, 0, 30, tzinfo=NY), datetime(2026, 3, 8, 4, 0, tzinfo=NY)) == 150
    assert bm.hourly_amount(bm.round_minutes(210, increment=15), D("90")) == D("315.00")
    with pytest.raises(ValueError):
        bm.minutes_between(datetime(2026, 1, 1), datetime(2026, 1, 1, 1, tzinfo=UTC))


def test_P17_half_up_at_the_cent_never_float():
    assert bm.money(D(3) * D("33.3350")) == D("100.01")
    assert (D(3) * D("33.3350")).quantize(D("0.01")) == D("100.00")  # the default half-even context
    assert round(3 * 33.335, 2) == 100.0  # float: the pitfall


def test_P18_overdraft_tolerance_and_floor():
    first = bm.drawdown(billed=90, balance=0, policy="allow_negative", tolerance=120)
    assert (first.covered, first.hourly, first.upgrade_required) == (90, 0, False)
    second = bm.drawdown(billed=60, balance=-90, policy="allow_negative", tolerance=120)
    assert (second.covered, second.hourly, second.upgrade_required) == (30, 30, True)
    assert bm.hourly_amount(30, D("90")) == D("45.00")
    assert bm.money(D(90) * D("1700") / 1200) == D("127.50")


def test_P19_breakage_value():
    assert bm.cumulative_value(before=1080, after=1200, net_price=D("1700"), package_minutes=1200) == D("170.00")


def test_P21_deposit_deduction_is_capped():
    assert bm.deposit_deduction(available=D("500"), subtotal=D("1770")) == D("500")
    assert bm.deposit_deduction(available=D("500"), subtotal=D("400")) == D("400")


def test_P9_number_format():
    assert bm.invoice_number(2026, 42) == "2026-0042"
    assert bm.invoice_number(2026, 10000) == "2026-10000"
    assert bm.invoice_number(2026, 1, prefix="CN-") == "CN-2026-0001"


@given(st.integers(0, 24 * 60), st.sampled_from([1, 5, 6, 10, 15, 30, 60]), st.sampled_from(bm.ROUNDING_MODES))
def test_P1_rounding_lands_on_the_increment_within_one_step(raw, increment, mode):
    rounded = bm.round_minutes(raw, increment=increment, mode=mode)
    assert rounded % increment == 0
    assert abs(rounded - raw) < increment
    if mode == "up":
        assert rounded >= raw


@given(st.lists(st.integers(1, 400), max_size=12), st.integers(1, 2400), st.integers(1, 500_000))
def test_P3_cumulative_allocation_never_drifts(uses, size, cents):
    net = D(cents) / 100
    cum, total = 0, D("0")
    for used in uses:
        total += bm.cumulative_value(before=cum, after=cum + used, net_price=net, package_minutes=size)
        cum += used
    assert total == bm.money(D(min(cum, size)) * net / size)


@given(st.integers(0, 2000), st.integers(-200, 2000), st.integers(0, 300))
def test_P18_drawdown_never_passes_the_floor(billed, balance, tolerance):
    split = bm.drawdown(billed=billed, balance=balance, policy="allow_negative", tolerance=tolerance)
    assert split.covered + split.hourly == billed
    assert balance - split.covered >= min(balance, -tolerance)
    plain = bm.drawdown(billed=billed, balance=balance)
    assert plain.covered + plain.hourly == billed and balance - plain.covered >= min(balance, 0)


@given(st.lists(st.integers(0, 100_000), max_size=6), st.integers(0, 500_000))
def test_P11_allocation_never_exceeds_a_due_amount(dues_cents, amount_cents):
    dues = [D(c) / 100 for c in dues_cents]
    parts, rest = bm.allocate_oldest_first(D(amount_cents) / 100, dues)
    assert all(0 <= p <= d for p, d in zip(parts, dues, strict=True))
    assert sum(parts, D("0")) + rest == D(amount_cents) / 100
