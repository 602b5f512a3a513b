"""Quantities and money as text: one formatter for messages, the `qty` and `money` filters for pages."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from operations.formats import cents, fmt_qty
from operations.models import ClientPurchase, StockMove


@pytest.mark.parametrize(
    ("value", "text"), [("10.000", "10"), ("2.500", "2.5"), ("0.000", "0"), ("0.125", "0.125"), ("100", "100")]
)
def test_fmt_qty_drops_trailing_zeros_and_never_uses_an_exponent(value, text):
    assert fmt_qty(Decimal(value)) == text


def test_page_filters_show_quantities_like_floatformat_minus_3_and_money_with_a_dollar_sign():
    page = Template(
        "{% load operations_format %}{{ a|qty }} {{ b|qty }} {{ c|money }} {{ d|money:4 }} [{{ e|money }}]"
    ).render(Context({"a": Decimal("10.000"), "b": Decimal("2.500"), "c": Decimal("27"), "d": Decimal("4.5"),
                      "e": None}))  # fmt: skip
    assert page == "10 2.500 $27.00 $4.5000 []"


@pytest.mark.parametrize(
    ("value", "rounded"), [("0.125", "0.13"), ("2.675", "2.68"), ("0.135", "0.14"), ("-0.125", "-0.13")]
)
def test_T23_operations_money_rounds_half_up_at_the_cent(value, rounded):
    assert cents(Decimal(value)) == Decimal(rounded)
    assert StockMove(qty=Decimal("1"), unit_cost=Decimal(value)).value == Decimal(rounded)
    assert ClientPurchase(cost=Decimal(value), markup_pct=Decimal("0")).billed == Decimal(rounded)
