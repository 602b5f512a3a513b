"""Charges derived from finished work (P1–P7): rounding, minimum, rates, team time, packages, fees, redo,
shopping, purchases. Scenario values from docs/specs/billing.md."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from billing import charges, invoices, selectors
from billing.models import BillingNotice, Charge, ClientRate, PackageEntry, RedoLink, ShoppingTime, TypePricing
from operations.models import ClientPurchase
from tests.billing.world import issue_all, ny, sell_package, sync, visit

D = Decimal


def test_P1_rounding_minimum_and_rate_precedence(world):
    visit(world.carol, world.organizing, [world.alice], ny(2026, 5, 12, 9), ny(2026, 5, 12, 11, 7))
    (charge,) = sync(world.carol)
    assert (charge.minutes_raw, charge.minutes_rounded, charge.minutes_billed) == (127, 135, 180)
    assert (charge.rate, charge.rate_source, charge.amount) == (D("90.00"), "appointment_type", D("270.00"))
    assert charge.source_key.startswith("visit:") and charge.service_date == date(2026, 5, 12)

    visit(world.dan, world.organizing, [world.alice], ny(2026, 5, 12, 13), ny(2026, 5, 12, 15, 7))
    (dan,) = sync(world.dan)
    assert (dan.amount, dan.rate_source) == (D("255.00"), "client")


def test_P1_type_minimum_of_zero(world):
    TypePricing.objects.filter(appointment_type=world.organizing).update(minimum_minutes=0)
    visit(world.carol, world.organizing, [world.alice], ny(2026, 5, 12, 9), ny(2026, 5, 12, 11, 7))
    (charge,) = sync(world.carol)
    assert charge.amount == D("202.50")


def test_P1_most_specific_client_rate_wins_and_rate_is_a_snapshot(world):
    ClientRate.objects.create(client=world.dan, appointment_type=world.organizing, rate=D("80.00"))
    v = visit(world.dan, world.organizing, [world.alice], ny(2026, 5, 12, 9), ny(2026, 5, 12, 12))
    (charge,) = sync(world.dan)
    assert (charge.rate, charge.amount) == (D("80.00"), D("240.00"))
    ClientRate.objects.filter(client=world.dan, appointment_type=world.organizing).update(rate=D("99.00"))
    v.actual_end = ny(2026, 5, 12, 12, 30)
    v.save()
    (charge,) = sync(world.dan)
    assert (charge.rate, charge.amount) == (D("80.00"), D("280.00"))  # 210 min at the stored rate


def test_P2_team_visit_one_charge_per_organizer(world):
    visit(world.carol, world.team, [world.alice, world.ben], ny(2026, 5, 13, 9), ny(2026, 5, 13, 13, 10),
          times={world.alice: (ny(2026, 5, 13, 9), ny(2026, 5, 13, 13, 10)),
                 world.ben: (ny(2026, 5, 13, 9, 30), ny(2026, 5, 13, 13, 10))})  # fmt: skip
    alice, ben = sync(world.carol)
    assert (alice.minutes_billed, alice.rate, alice.rate_source, alice.amount) == (
        255, D("95.00"), "organizer", D("403.75"),
    )  # fmt: skip
    assert (ben.minutes_billed, ben.amount) == (225, D("243.75"))
    assert alice.amount + ben.amount == D("647.50")


def test_P2_team_on_an_hourly_type_and_per_line_rounding(world):
    visit(world.carol, world.organizing, [world.alice, world.ben], ny(2026, 5, 13, 9), ny(2026, 5, 13, 13, 10),
          times={world.alice: (ny(2026, 5, 13, 9), ny(2026, 5, 13, 13, 10)),
                 world.ben: (ny(2026, 5, 13, 9, 30), ny(2026, 5, 13, 13, 10))})  # fmt: skip
    assert sum(c.amount for c in sync(world.carol)) == D("720.00")
    visit(world.dan, world.team, [world.alice, world.ben], ny(2026, 5, 14, 9), ny(2026, 5, 14, 13, 1))
    assert sum(c.minutes_billed for c in sync(world.dan)) == 510


def test_P3_package_drawn_until_it_runs_out_mid_visit(world):
    package = sell_package(world, world.carol, on=ny(2026, 6, 1, 10))
    assert package.status == "active"
    assert list(PackageEntry.objects.filter(package=package).values_list("kind", "minutes")) == [("purchase", 1200)]
    for day, minutes in ((2, 240), (3, 300), (4, 270), (5, 240)):
        visit(world.carol, world.organizing, [world.alice], ny(2026, 6, day, 9), ny(2026, 6, day, 9 + minutes // 60,
              minutes % 60))  # fmt: skip
        sync(world.carol)
    balances = []
    running = 0
    for entry in PackageEntry.objects.filter(package=package).order_by("pk"):
        running += entry.minutes
        balances.append(running)
    assert balances == [1200, 960, 660, 390, 150]
    assert BillingNotice.objects.filter(package=package, kind="package_low").count() == 1
    visit(world.carol, world.organizing, [world.alice], ny(2026, 6, 8, 13), ny(2026, 6, 8, 16, 40))
    v5 = sync(world.carol)[-1]
    assert (v5.minutes_rounded, v5.package_minutes, v5.hourly_minutes, v5.amount) == (225, 150, 75, D("112.50"))
    assert BillingNotice.objects.filter(package=package, kind="package_low").count() == 1
    values = list(PackageEntry.objects.filter(package=package, kind="drawdown").values_list("value", flat=True))
    assert values == [D("340.00"), D("425.00"), D("382.50"), D("340.00"), D("212.50")]
    assert sum(values) == D("1700.00") and values[-1] + v5.amount == D("325.00")
    package.refresh_from_db()
    assert package.status == "exhausted"
    draft = invoices.invoice_create(client=world.carol, creation_key="p3")
    line = draft.lines.get(charge=v5)
    assert "3 h 45 min: 2 h 30 min from package, 1 h 15 min at $90.00" in line.description
    visit(world.carol, world.organizing, [world.alice], ny(2026, 6, 9, 9), ny(2026, 6, 9, 12))
    assert sync(world.carol)[-1].amount == D("270.00")  # fully hourly now


def test_P4_a_late_cancellation_fee_percent_of_booked(world):
    visit(world.carol, world.organizing, [world.alice], ny(2026, 5, 20, 10), ny(2026, 5, 20, 14),
          status="late_cancelled", actual=False)  # fmt: skip
    visit(world.carol, world.organizing, [world.alice], ny(2026, 5, 21, 10), ny(2026, 5, 21, 14),
          status="cancelled", actual=False)  # fmt: skip
    (fee,) = sync(world.carol)
    assert (fee.kind, fee.amount) == ("cancel_fee", D("180.00"))


def _package_with_balance(world, client, balance):
    package = sell_package(world, client, on=ny(2026, 6, 1, 10))
    used = 1200 - balance
    start = ny(2026, 6, 2, 1)
    visit(client, world.organizing, [world.alice], start, start + timedelta(minutes=used))
    sync(client)
    return package


def test_P4_b_package_free_cancellations_then_fee_minutes(world):
    package = _package_with_balance(world, world.carol, 600)
    for day, status in ((10, "late_cancelled"), (11, "no_show"), (12, "cancelled"), (13, "late_cancelled")):
        visit(world.carol, world.organizing, [world.alice], ny(2026, 6, day, 10), ny(2026, 6, day, 14),
              status=status, actual=False)  # fmt: skip
        sync(world.carol)
    kinds = list(PackageEntry.objects.filter(package=package).values_list("kind", "minutes", "value"))
    assert kinds[2:] == [("cancel_free", 0, D("0")), ("cancel_free", 0, D("0")), ("cancel_fee", -60, D("85.00"))]
    assert selectors.packages.balance_of(package) == 540
    fees = Charge.objects.filter(client=world.carol, kind__in=["cancel_fee", "no_show_fee"])
    assert [c.amount for c in fees] == [D("0.00")] * 3


def test_P4_c_fee_minutes_beyond_the_balance_are_billed_hourly(world):
    package = _package_with_balance(world, world.carol, 30)
    package.free_cancellations = 0
    package.save()
    visit(world.carol, world.organizing, [world.alice], ny(2026, 6, 10, 10), ny(2026, 6, 10, 14),
          status="late_cancelled", actual=False)  # fmt: skip
    fee = sync(world.carol)[-1]
    assert (fee.package_minutes, fee.hourly_minutes, fee.amount) == (30, 30, D("45.00"))
    assert selectors.packages.balance_of(package) == 0


def test_P5_redo_visit_is_free_and_never_draws(world):
    original = visit(world.carol, world.organizing, [world.alice], ny(2026, 5, 12, 9), ny(2026, 5, 12, 12))
    sync(world.carol)
    original.status = "needs_redo"
    original.save()
    sell_package(world, world.carol, on=ny(2026, 5, 13, 9))
    redo = visit(world.carol, world.organizing, [world.alice], ny(2026, 5, 19, 9), ny(2026, 5, 19, 11))
    RedoLink.objects.create(visit=redo, redo_of=original)
    first, second = sync(world.carol)
    assert first.amount == D("270.00")
    assert (second.kind, second.amount, second.description) == ("redo", D("0.00"), "Redo of 12 May visit — no charge")
    assert not PackageEntry.objects.filter(charge=second).exists()


def test_P6_shopping_time_no_minimum_and_package_draw(world):
    ShoppingTime.objects.create(client=world.carol, organizer=world.alice, worked_on=date(2026, 5, 14), minutes=80)
    (charge,) = sync(world.carol)
    assert (charge.kind, charge.minutes_billed, charge.amount) == ("shopping_time", 90, D("90.00"))
    package = sell_package(world, world.dan, on=ny(2026, 5, 14, 9))
    ShoppingTime.objects.create(client=world.dan, organizer=world.alice, worked_on=date(2026, 5, 15), minutes=80)
    (dan,) = sync(world.dan)
    assert (dan.package_minutes, dan.amount) == (90, D("0.00"))
    assert PackageEntry.objects.get(package=package, kind="drawdown").minutes == -90


def test_P7_pass_through_purchase_with_markup_and_tax_invoiced_once(world):
    v = visit(world.carol, world.organizing, [world.alice], ny(2026, 5, 12, 9), ny(2026, 5, 12, 12))
    ClientPurchase.objects.create(appointment=v, description="Bins", store="Container Store", cost=D("120.00"),
                                  markup_pct=D("35"))  # fmt: skip
    sync(world.carol)
    sync(world.carol)
    bins = Charge.objects.get(client=world.carol, kind="purchase")
    assert (bins.amount, bins.cost, bins.taxable) == (D("162.00"), D("120.00"), True)
    invoice = issue_all(world.carol, key="p7", now=ny(2026, 5, 31, 12))
    line = invoice.lines.get(charge=bins)
    assert (line.tax_amount, line.amount + line.tax_amount) == (D("14.38"), D("176.38"))
    assert charges.charges_sync_client(client=world.carol) == 0
    assert Charge.objects.filter(client=world.carol, kind="purchase").count() == 1


def test_P7_organizer_purchase_without_markup_gets_the_default(world):
    v = visit(world.carol, world.organizing, [world.alice], ny(2026, 5, 12, 9), ny(2026, 5, 12, 12))
    ClientPurchase.objects.create(appointment=v, description="Hooks", cost=D("20.00"), created_by=world.alice)
    sync(world.carol)
    assert Charge.objects.get(kind="purchase").amount == D("27.00")


def test_P8_assessment_credited_once_toward_a_package(world):
    visit(world.dan, world.assessment, [world.alice], ny(2026, 5, 4, 10), ny(2026, 5, 4, 11))
    (fee,) = sync(world.dan)
    assert (fee.kind, fee.amount) == ("flat_fee", D("150.00"))
    issue_all(world.dan, key="assess", now=ny(2026, 5, 4, 12))
    package = sell_package(world, world.dan, key="pkg1", on=ny(2026, 5, 20, 10))
    lines = list(invoices.InvoiceLine.objects.filter(invoice__lines__package=package).distinct().order_by("pk"))
    assert [(ln.kind, ln.amount) for ln in lines] == [("package", D("1700.00")), ("assessment_credit", D("-150.00"))]
    invoice = lines[0].invoice
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (D("1550.00"), D("0.00"), D("1550.00"))
    assert package.net_price == D("1550.00") and package.net_price / 20 == D("77.50")
    second = sell_package(world, world.dan, key="pkg2", on=ny(2026, 5, 21, 10))
    assert second.net_price == D("1700.00")


def test_P8_no_credit_after_the_window(world):
    visit(world.dan, world.assessment, [world.alice], ny(2026, 5, 4, 10), ny(2026, 5, 4, 11))
    sync(world.dan)
    issue_all(world.dan, key="assess", now=ny(2026, 5, 4, 12))
    assert sell_package(world, world.dan, on=ny(2026, 6, 4, 10)).net_price == D("1700.00")  # day 31


def _queries_of_a_rerun(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert charges.charges_sync_client(client=client) == 0
    return len(ctx.captured_queries)


def _age(client):
    """Make the client's work and its last sync an hour old (outside the sync's reread overlap)."""
    from datetime import timedelta

    from django.db.models import F

    from billing.models import ChargeSyncMark
    from operations.models import Appointment

    Appointment.objects.filter(client=client).update(updated_at=F("updated_at") - timedelta(hours=1))
    ChargeSyncMark.objects.filter(client=client).update(synced_at=F("synced_at") - timedelta(minutes=30))


def test_P14_a_rerun_on_an_unchanged_history_costs_the_same_for_any_number_of_visits(world):
    for day in range(1, 4):
        visit(world.carol, world.organizing, [world.alice], ny(2026, 5, day, 9), ny(2026, 5, day, 12))
    sync(world.carol)
    assert _queries_of_a_rerun(world.carol) > 0  # within the overlap: reread, nothing written
    _age(world.carol)
    few = _queries_of_a_rerun(world.carol)
    for day in range(4, 20):
        visit(world.carol, world.organizing, [world.alice], ny(2026, 5, day, 9), ny(2026, 5, day, 12))
    sync(world.carol)
    _age(world.carol)
    assert _queries_of_a_rerun(world.carol) == few


def test_P1_a_rate_of_zero_or_below_is_refused_by_the_database(world):
    from django.db import IntegrityError, transaction

    for rate in ("0", "-5"):
        with pytest.raises(IntegrityError), transaction.atomic():
            ClientRate.objects.create(client=world.carol, rate=D(rate))
    with pytest.raises(IntegrityError), transaction.atomic():  # one client-wide rate (NULLS NOT DISTINCT)
        ClientRate.objects.create(client=world.dan, rate=D("70"))
