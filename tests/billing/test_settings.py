"""Each billing setting (docs/specs/billing.md §9) has its default and changes what it says."""

from datetime import date, timedelta
from decimal import Decimal

from billing import conf, invoices, payments
from billing.models import Charge
from operations.models import ClientPurchase
from tests.billing.world import issue_all, ny, sell_package, sync, visit

D = Decimal


def test_defaults():
    assert {name: conf.get(name) for name in conf.DEFAULTS} == conf.DEFAULTS
    assert conf.get("BILLING_ROUNDING_INCREMENT") == 15 and conf.get("BILLING_DEFAULT_MINIMUM") == 180


def _one_visit(world, minutes=127, client=None, **kw):
    start = ny(2026, 5, 12, 9)
    visit(client or world.carol, world.organizing, [world.alice], start, start + timedelta(minutes=minutes), **kw)
    return sync(client or world.carol)[-1]


def test_rounding_increment_and_mode(world, settings):
    settings.BILLING_ROUNDING_INCREMENT, settings.BILLING_ROUNDING_MODE = 6, "nearest"
    settings.BILLING_DEFAULT_MINIMUM = 0
    from billing.models import TypePricing

    TypePricing.objects.filter(appointment_type=world.organizing).update(minimum_minutes=None)
    assert _one_visit(world).minutes_rounded == 126


def test_default_minimum_applies_when_the_type_sets_none(world, settings):
    from billing.models import TypePricing

    TypePricing.objects.filter(appointment_type=world.organizing).update(minimum_minutes=None)
    settings.BILLING_DEFAULT_MINIMUM = 240
    assert _one_visit(world).minutes_billed == 240


def test_cancel_fee_fixed_and_hours(world, settings):
    settings.BILLING_CANCEL_FEE_KIND, settings.BILLING_CANCEL_FEE_FIXED = "fixed", D("30.00")
    assert _one_visit(world, status="late_cancelled", actual=False).amount == D("30.00")
    settings.BILLING_CANCEL_FEE_KIND, settings.BILLING_CANCEL_FEE_HOURS = "hours", 3
    assert _one_visit(world, client=world.dan, status="no_show", actual=False).amount == D("255.00")


def test_tax_rate_and_what_is_taxed(world, settings):
    settings.BILLING_TAX_RATE, settings.BILLING_TAX_SERVICES, settings.BILLING_TAX_PRODUCTS = D("10"), True, False
    charge = _one_visit(world)
    v = charge.visit
    ClientPurchase.objects.create(appointment=v, description="Bins", cost=D("100.00"), markup_pct=D("0"))
    invoice = issue_all(world.carol, key="k", now=ny(2026, 5, 31, 9))
    assert invoice.tax_total == D("27.00")  # 10 % of the $270.00 service only


def test_default_markup(world, settings):
    settings.BILLING_DEFAULT_MARKUP = D("20")
    v = _one_visit(world).visit
    ClientPurchase.objects.create(appointment=v, description="Hooks", cost=D("10.00"), created_by=world.alice)
    sync(world.carol)
    assert Charge.objects.get(kind="purchase").amount == D("12.00")


def test_payment_terms(world, settings):
    settings.BILLING_PAYMENT_TERMS_DAYS = 30
    _one_visit(world)
    assert issue_all(world.carol, key="k", now=ny(2026, 5, 31, 9)).due_date == date(2026, 6, 30)


def test_auto_apply_credit_off(world, settings):
    settings.BILLING_AUTO_APPLY_CREDIT = False
    payments.payment_record(client=world.carol, amount=D("50"), received_on=date(2026, 5, 1), method="cash")
    _one_visit(world)
    invoice = issue_all(world.carol, key="k", now=ny(2026, 5, 31, 9))
    assert invoice.amount_due == D("270.00") and payments.credit_balance(world.carol) == D("50")


def test_assessment_credit_window(world, settings):
    settings.BILLING_ASSESSMENT_CREDIT_DAYS = 10
    start = ny(2026, 5, 4, 10)
    visit(world.dan, world.assessment, [world.alice], start, start + timedelta(hours=1))
    sync(world.dan)
    issue_all(world.dan, key="a", now=ny(2026, 5, 4, 12))
    assert sell_package(world, world.dan, on=ny(2026, 5, 20, 10)).net_price == D("1700.00")  # 16 days > 10


def test_closeout_refund_threshold(world, settings):
    settings.BILLING_CLOSEOUT_REFUND_PCT = D("100")
    package = sell_package(world, world.carol, on=ny(2026, 5, 1, 9), pay=True)
    note = invoices.package_closeout_refund(package=package, now=ny(2026, 5, 2, 9))
    assert note.total == D("1700.00")
