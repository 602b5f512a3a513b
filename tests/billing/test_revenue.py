"""Edits after invoicing, DST durations, package close-out, expiry, deposits and the three revenues (P15–P21)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from billing import charges, invoices, packages, payments, selectors
from billing.models import Charge, CreditNote, InvoiceLine, MilestoneFee, PackageEntry, TypePricing
from operations.models import ClientPurchase
from tests.billing.world import issue_all, ny, package_invoice, sell_package, sync, visit

D = Decimal


def _invoiced_visit(world, client=None):
    v = visit(client or world.carol, world.organizing, [world.alice], ny(2026, 5, 12, 9), ny(2026, 5, 12, 12, 30))
    (charge,) = sync(v.client)
    assert (charge.minutes_billed, charge.amount) == (210, D("315.00"))
    return v, charge, issue_all(v.client, key="k", now=ny(2026, 5, 31, 12))


def test_P15_longer_visit_after_invoicing_becomes_an_adjustment(world):
    v, charge, invoice = _invoiced_visit(world)
    v.actual_end = ny(2026, 5, 12, 13, 5)
    v.save()
    sync(world.carol)
    sync(world.carol)  # a rerun writes nothing twice
    adj = Charge.objects.get(supersedes=charge)
    assert (adj.kind, adj.amount, adj.minutes_billed) == ("adjustment", D("67.50"), 45)
    assert "+45 min" in adj.description
    invoice.refresh_from_db()
    assert invoice.total == D("315.00") and invoice.lines.get().amount == D("315.00")
    nxt = invoices.invoice_create(client=world.carol, creation_key="next")
    assert list(nxt.lines.values_list("charge", flat=True)) == [adj.pk]


def test_P15_shorter_visit_after_invoicing_drafts_a_credit_note(world):
    v, charge, invoice = _invoiced_visit(world)
    v.actual_end = ny(2026, 5, 12, 11, 50)
    v.save()
    sync(world.carol)
    sync(world.carol)
    note = CreditNote.objects.get()
    assert (note.status, note.total, note.invoice_id) == ("draft", D("45.00"), invoice.pk)
    assert not selectors.unbilled(world.carol).exists()


def test_P15_package_variant_gives_minutes_back(world):
    package = sell_package(world, world.carol, on=ny(2026, 5, 1, 9))
    v = visit(world.carol, world.organizing, [world.alice], ny(2026, 5, 12, 9), ny(2026, 5, 12, 12, 30))
    sync(world.carol)
    issue_all(world.carol, key="k", now=ny(2026, 5, 31, 12))
    v.actual_end = ny(2026, 5, 12, 11, 50)
    v.save()
    sync(world.carol)
    entry = PackageEntry.objects.filter(package=package).order_by("pk").last()
    assert (entry.kind, entry.minutes) == ("adjustment", 30)
    assert packages.balance_of(package) == 1200 - 180


def test_P15_draft_line_is_recomputed_in_place(world):
    v = visit(world.carol, world.organizing, [world.alice], ny(2026, 5, 12, 9), ny(2026, 5, 12, 12, 30))
    sync(world.carol)
    draft = invoices.invoice_create(client=world.carol, creation_key="k")
    v.actual_end = ny(2026, 5, 12, 13, 5)
    v.save()
    sync(world.carol)
    draft.refresh_from_db()
    assert draft.lines.get().amount == D("382.50") and draft.total == D("382.50")
    assert not Charge.objects.filter(kind="adjustment").exists()


def test_P16_duration_across_the_autumn_clock_change(world):
    visit(world.carol, world.organizing, [world.alice], ny(2026, 11, 1, 0, 30), ny(2026, 11, 1, 3, 0))
    (charge,) = sync(world.carol)
    assert (charge.minutes_raw, charge.amount) == (210, D("315.00"))


def test_P18_close_out_refund_within_ten_percent(world):
    package = sell_package(world, world.carol, on=ny(2026, 5, 1, 9), pay=True)
    start = ny(2026, 5, 2, 1)
    visit(world.carol, world.organizing, [world.alice], start, start + timedelta(minutes=1110))
    sync(world.carol)
    note = invoices.package_closeout_refund(package=package, now=ny(2026, 5, 20, 9))
    assert (note.total, note.pre_payment, note.post_payment) == (D("127.50"), D("0.00"), D("127.50"))
    assert PackageEntry.objects.get(package=package, kind="refund").minutes == -90
    assert selectors.collected(date(2026, 5, 1), date(2026, 5, 31)) == D("1700.00") - D("127.50")
    assert payments.credit_balance(world.carol) == D("0.00")
    assert selectors.deferred_at(date(2026, 5, 31)) == D("0.00")
    assert selectors.earned(date(2026, 5, 1), date(2026, 5, 31)) == D("1572.50")


def test_P18_no_refund_above_the_threshold(world):
    package = sell_package(world, world.carol, on=ny(2026, 5, 1, 9), pay=True)
    with pytest.raises(ValidationError) as exc:
        invoices.package_closeout_refund(package=package, now=ny(2026, 5, 20, 9))
    assert exc.value.code == "not_refundable"


def test_P18_overdraft_tolerance_then_hourly_and_upgrade_flag(world):
    world.package.overage_policy = "allow_negative"
    world.package.save()
    TypePricing.objects.filter(appointment_type=world.organizing).update(minimum_minutes=0)
    package = sell_package(world, world.carol, on=ny(2026, 5, 1, 9))
    for day, minutes in ((2, 1200), (3, 90), (4, 60)):
        start = ny(2026, 5, day, 1)
        visit(world.carol, world.organizing, [world.alice], start, start + timedelta(minutes=minutes))
        sync(world.carol)
    last = Charge.objects.order_by("pk").last()
    assert (last.package_minutes, last.hourly_minutes, last.amount) == (30, 30, D("45.00"))
    assert packages.balance_of(package) == -120
    package.refresh_from_db()
    assert package.upgrade_required


def test_P19_expiry_writes_breakage_once(world):
    package = sell_package(world, world.carol, on=ny(2025, 6, 1, 9))
    start = ny(2025, 6, 2, 1)
    visit(world.carol, world.organizing, [world.alice], start, start + timedelta(minutes=1080))
    sync(world.carol)
    assert packages.packages_expire(today=date(2026, 5, 31)) == 0
    assert packages.packages_expire(today=date(2026, 6, 1)) == 1
    assert packages.packages_expire(today=date(2026, 6, 2)) == 0
    entry = PackageEntry.objects.get(package=package, kind="expiry")
    assert (entry.minutes, entry.value, entry.entry_date) == (-120, D("170.00"), date(2026, 6, 1))
    package.refresh_from_db()
    assert package.status == "expired" and packages.balance_of(package) == 0
    assert selectors.earned(date(2026, 6, 1), date(2026, 6, 1)) == D("170.00")


def test_P20_earned_invoiced_collected_in_one_month(world):
    package = sell_package(world, world.carol, on=ny(2026, 6, 1, 9))
    payments.payment_record(client=world.carol, amount=D("1000.00"), received_on=date(2026, 6, 5), method="check")
    for day, minutes in ((10, 300), (17, 240)):
        start = ny(2026, 6, day, 9)
        visit(world.carol, world.organizing, [world.alice], start, start + timedelta(minutes=minutes))
    sync(world.carol)
    payments.payment_record(client=world.carol, amount=D("700.00"), received_on=date(2026, 7, 2), method="check")
    june = (date(2026, 6, 1), date(2026, 6, 30))
    assert selectors.earned(*june) == D("765.00")
    assert selectors.invoiced(*june) == D("1700.00")
    assert selectors.collected(*june) == D("1000.00")
    end, before = date(2026, 6, 30), date(2026, 5, 31)
    assert selectors.deferred_at(end) == D("935.00")
    aging = selectors.ar_aging(on=end)
    assert (aging.gross, [r.bucket for r in aging.rows], [r.age for r in aging.rows]) == (D("700.00"), ["1-30"], [14])
    d_deferred = selectors.deferred_at(end) - selectors.deferred_at(before)
    d_unbilled = selectors.unbilled_at(end) - selectors.unbilled_at(before)
    assert selectors.earned(*june) == selectors.invoiced(*june) - d_deferred + d_unbilled
    assert selectors.collected(date(2026, 7, 1), date(2026, 7, 31)) == D("700.00")
    assert selectors.invoiced(date(2026, 7, 1), date(2026, 7, 31)) == D("0.00")
    assert package_invoice(package).status == "paid"


def _deposit(world, amount="500.00"):
    deposit = invoices.deposit_invoice_create(
        client=world.carol, amount=D(amount), description="Deposit, garage project", creation_key="dep"
    )
    deposit = invoices.invoice_issue(invoice=deposit, now=ny(2026, 4, 1, 9))
    payments.payment_record(client=world.carol, amount=D(amount), received_on=date(2026, 4, 3), method="check")
    return deposit


def test_P21_project_deposit_deducted_on_the_final_invoice(world):
    deposit = _deposit(world)
    MilestoneFee.objects.create(
        client=world.carol, name="Garage done", amount=D("1500.00"), reached_on=date(2026, 4, 20)
    )
    v = visit(world.carol, world.assessment, [world.alice], ny(2026, 4, 20, 9), ny(2026, 4, 20, 10))
    shelving = ClientPurchase.objects.create(
        appointment=v, description="Shelving", cost=D("200.00"), markup_pct=D("35")
    )
    ClientPurchase.objects.filter(pk=shelving.pk).update(created_at=ny(2026, 4, 20, 12))
    TypePricing.objects.filter(appointment_type=world.assessment).update(flat_price=0)
    final = issue_all(world.carol, key="final", now=ny(2026, 4, 20, 18))
    applied = final.lines.get(kind="prepayment_applied")
    assert (applied.amount, applied.description) == (D("-500.00"), f"Deposit applied ({deposit.number})")
    assert (final.subtotal, final.tax_total, final.total) == (D("1270.00"), D("23.96"), D("1293.96"))
    april = (date(2026, 4, 1), date(2026, 4, 30))
    assert selectors.invoiced(*april) == D("1770.00") == selectors.earned(*april)
    assert selectors.deferred_at(date(2026, 4, 30)) == D("0.00")
    assert selectors.collected(*april) == D("500.00")


def test_P21_deduction_is_capped_and_the_rest_carries(world):
    _deposit(world)
    MilestoneFee.objects.create(client=world.carol, name="Phase 1", amount=D("400.00"), reached_on=date(2026, 4, 20))
    first = issue_all(world.carol, key="one", now=ny(2026, 4, 21, 9))
    assert first.lines.get(kind="prepayment_applied").amount == D("-400.00") and first.total == D("0.00")
    MilestoneFee.objects.create(client=world.carol, name="Phase 2", amount=D("300.00"), reached_on=date(2026, 4, 25))
    second = issue_all(world.carol, key="two", now=ny(2026, 4, 26, 9))
    assert second.lines.get(kind="prepayment_applied").amount == D("-100.00") and second.total == D("200.00")


def test_P21_an_unpaid_deposit_is_never_deducted(world):
    deposit = invoices.deposit_invoice_create(client=world.carol, amount=D("500"), description="Deposit",
                                              creation_key="dep")  # fmt: skip
    invoices.invoice_issue(invoice=deposit, now=ny(2026, 4, 1, 9))
    MilestoneFee.objects.create(client=world.carol, name="Garage", amount=D("1500.00"), reached_on=date(2026, 4, 20))
    final = issue_all(world.carol, key="final", now=ny(2026, 4, 20, 18))
    assert not final.lines.filter(kind="prepayment_applied").exists()
    assert charges.charges_sync_client(client=world.carol) == 0
    assert InvoiceLine.objects.filter(kind="prepayment").count() == 1


def test_P2_earned_per_organizer_for_a_team_visit_and_package_work(world):
    visit(world.carol, world.team, [world.alice, world.ben], ny(2026, 5, 13, 9), ny(2026, 5, 13, 13, 10),
          times={world.alice: (ny(2026, 5, 13, 9), ny(2026, 5, 13, 13, 10)),
                 world.ben: (ny(2026, 5, 13, 9, 30), ny(2026, 5, 13, 13, 10))})  # fmt: skip
    sync(world.carol)
    sell_package(world, world.dan, on=ny(2026, 5, 1, 9))
    visit(world.dan, world.organizing, [world.ben], ny(2026, 5, 14, 9), ny(2026, 5, 14, 13))
    sync(world.dan)
    by = selectors.earned_by_organizer(date(2026, 5, 1), date(2026, 5, 31))
    assert by == {world.alice.pk: D("403.75"), world.ben.pk: D("243.75") + D("340.00")}
    assert sum(by.values()) == selectors.earned(date(2026, 5, 1), date(2026, 5, 31))


def test_P2_earned_per_organizer_per_day_adds_up_to_the_period(world):
    visit(world.carol, world.team, [world.alice, world.ben], ny(2026, 5, 13, 9), ny(2026, 5, 13, 13, 10),
          times={world.alice: (ny(2026, 5, 13, 9), ny(2026, 5, 13, 13, 10)),
                 world.ben: (ny(2026, 5, 13, 9, 30), ny(2026, 5, 13, 13, 10))})  # fmt: skip
    sync(world.carol)
    sell_package(world, world.dan, on=ny(2026, 5, 1, 9))
    visit(world.dan, world.organizing, [world.ben], ny(2026, 5, 14, 9), ny(2026, 5, 14, 13))
    sync(world.dan)
    by_day = selectors.earned_by_organizer_day(date(2026, 5, 1), date(2026, 5, 31))
    assert by_day == {
        (date(2026, 5, 13), world.alice.pk): D("403.75"), (date(2026, 5, 13), world.ben.pk): D("243.75"),
        (date(2026, 5, 14), world.ben.pk): D("340.00"),
    }  # fmt: skip
    assert sum(by_day.values()) == selectors.earned(date(2026, 5, 1), date(2026, 5, 31))
