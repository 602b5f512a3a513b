"""Invoices, numbering, dates, payments, credit notes and AR aging (P9–P14)."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from billing import invoices, payments, selectors
from billing.models import Charge, ClientCreditEntry, Counter, CreditNote, Invoice, InvoiceLine
from operations.models import ClientPurchase
from tests.accounts.factories import UserFactory
from tests.billing.world import issue_all, ny, sync, visit

D = Decimal


def _work(world, client, day, minutes=180, month=6, year=2026):
    start = ny(year, month, day, 9)
    return visit(client, world.organizing, [world.alice], start, start + timedelta(minutes=minutes))


def _draft(world, client, day, key, **kw):
    _work(world, client, day, **kw)
    return invoices.invoice_create(client=client, creation_key=key)


def test_P9_numbers_are_gapless_and_yearly(world, monkeypatch):
    Counter.objects.create(name="invoice-2026", value=41)
    d1 = _draft(world, world.carol, 1, "d1")
    first = invoices.invoice_issue(invoice=d1, now=ny(2026, 6, 2, 9))
    d2 = _draft(world, world.carol, 3, "d2")
    second = invoices.invoice_issue(invoice=d2, now=ny(2026, 6, 4, 9))
    assert (first.number, second.number) == ("2026-0042", "2026-0043")
    d3 = _draft(world, world.carol, 5, "d3")
    monkeypatch.setattr(payments, "credit_apply", lambda **kw: (_ for _ in ()).throw(ValidationError("boom")))
    with pytest.raises(ValidationError):
        invoices.invoice_issue(invoice=d3, now=ny(2026, 6, 6, 9))
    monkeypatch.undo()
    d3.refresh_from_db()
    assert d3.number is None and d3.status == "draft"
    assert invoices.invoice_issue(invoice=d3, now=ny(2026, 6, 6, 9)).number == "2026-0044"
    invoices.invoice_void(invoice=second, reason="typo")
    second.refresh_from_db()
    assert (second.status, second.number) == ("void", "2026-0043")
    d4 = invoices.invoice_create(client=world.carol, creation_key="d4")  # the voided charge is billable again
    assert invoices.invoice_issue(invoice=d4, now=ny(2026, 6, 7, 9)).number == "2026-0045"
    note = invoices.credit_note_create(invoice=first, amounts={first.lines.get().pk: D("10.00")}, reason="goodwill")
    assert invoices.credit_note_issue(note=note, now=ny(2026, 6, 8, 9)).number == "CN-2026-0001"
    d5 = _draft(world, world.carol, 20, "d5", month=12)
    assert invoices.invoice_issue(invoice=d5, now=ny(2027, 1, 1, 0, 5)).number == "2027-0001"


def test_P9_issued_invoice_and_lines_are_frozen_in_the_database(world):
    invoice = issue_all_after_work(world)
    line = invoice.lines.get()
    with (
        pytest.raises(Exception, match="protect|Protect|pgtrigger"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE billing_invoiceline SET amount = 1 WHERE id = %s", [line.pk])
    with pytest.raises(Exception, match="protect|Protect|pgtrigger"), transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(number="2026-9999")
    with pytest.raises(ValidationError):
        invoices.invoice_line_add(invoice=invoice, description="x", quantity=D("1"), unit_price=D("1"), taxable=False)
    with pytest.raises(ValidationError):
        invoices.invoice_issue(invoice=invoice)


def issue_all_after_work(world):
    _work(world, world.carol, 1)
    return issue_all(world.carol, key="k", now=ny(2026, 6, 2, 9))


def test_P9_empty_draft_cannot_be_issued(world):
    draft = _draft(world, world.carol, 1, "k")
    draft.lines.all().delete()
    with pytest.raises(ValidationError) as exc:
        invoices.invoice_issue(invoice=draft)
    assert exc.value.code == "empty"


def test_P10_issue_date_is_the_business_local_date(world):
    invoice = _draft(world, world.carol, 30, "k", month=12)
    invoice = invoices.invoice_issue(invoice=invoice, now=datetime(2027, 1, 1, 1, 30, tzinfo=UTC))
    assert (invoice.issue_date, invoice.due_date) == (date(2026, 12, 31), date(2027, 1, 15))
    assert invoice.number.startswith("2026-")
    (row,) = selectors.ar_aging(on=date(2027, 1, 16)).rows
    assert (row.age, row.bucket) == (1, "1-30")


def test_P11_partial_payment_overpayment_and_credit_at_issue(world):
    Counter.objects.create(name="invoice-2026", value=59)
    _work(world, world.carol, 1, minutes=270, month=7)
    first = issue_all(world.carol, key="a", now=ny(2026, 7, 1, 12))
    assert (first.number, first.total) == ("2026-0060", D("405.00"))
    payments.payment_record(client=world.carol, amount=D("200.00"), received_on=date(2026, 7, 1), method="check")
    first.refresh_from_db()
    assert (first.amount_due, first.status) == (D("205.00"), "partially_paid")
    payments.payment_record(client=world.carol, amount=D("250.00"), received_on=date(2026, 7, 10), method="zelle")
    first.refresh_from_db()
    assert (first.amount_due, first.status) == (D("0.00"), "paid")
    assert payments.credit_balance(world.carol) == D("45.00")
    _work(world, world.carol, 14, minutes=180, month=7)
    second = issue_all(world.carol, key="b", now=ny(2026, 7, 15, 12))
    assert (second.number, second.total, second.amount_due) == ("2026-0061", D("270.00"), D("225.00"))
    assert payments.credit_balance(world.carol) == D("0.00")
    july = (date(2026, 7, 1), date(2026, 7, 31))
    assert selectors.collected(*july) == D("450.00")
    delta_ar = selectors.ar_at(date(2026, 7, 31)) - selectors.ar_at(date(2026, 6, 30))
    delta_credit = selectors.credit_at(date(2026, 7, 31)) - selectors.credit_at(date(2026, 6, 30))
    assert selectors.invoiced(*july) + selectors.tax_invoiced(*july) - delta_ar + delta_credit == D("450.00")


def test_P11_bad_payments_are_refused_and_change_nothing(world):
    invoice = issue_all_after_work(world)
    for amount in (D("0"), D("-5")):
        with pytest.raises(ValidationError):
            payments.payment_record(client=world.carol, amount=amount, received_on=date(2026, 6, 3), method="cash")
    with pytest.raises(ValidationError):
        payments.payment_record(client=world.carol, amount=D("500"), received_on=date(2026, 6, 3), method="cash",
                                allocations=[(invoice, D("300.00"))])  # fmt: skip
    invoices.invoice_void(invoice=invoice, reason="x")
    with pytest.raises(ValidationError):
        payments.payment_record(client=world.carol, amount=D("50"), received_on=date(2026, 6, 3), method="cash",
                                allocations=[(invoice, D("50"))])  # fmt: skip
    assert not payments.Payment.objects.exists() and not ClientCreditEntry.objects.exists()


def test_P12_credit_note_on_a_partly_paid_invoice(world):
    v = _work(world, world.carol, 1, minutes=360)
    ClientPurchase.objects.create(appointment=v, description="Bins", cost=D("120.00"), markup_pct=D("35"))
    invoice = issue_all(world.carol, key="k", now=ny(2026, 6, 2, 9))
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (D("702.00"), D("14.38"), D("716.38"))
    payments.payment_record(client=world.carol, amount=D("500.00"), received_on=date(2026, 6, 5), method="check")
    hours = invoice.lines.get(charge__kind="visit_time")
    bins = invoice.lines.get(charge__kind="purchase")
    earned_before = selectors.earned(date(2026, 6, 1), date(2026, 6, 30))
    note = invoices.credit_note_create(
        invoice=invoice, amounts={hours.pk: D("180.00"), bins.pk: D("162.00")}, reason="bins returned, 2 h disputed"
    )
    with pytest.raises(ValidationError):
        invoices.credit_note_create(invoice=invoice, amounts={hours.pk: D("361.00")}, reason="too much")
    note = invoices.credit_note_issue(note=note, now=ny(2026, 6, 10, 9))
    assert (note.total, note.pre_payment, note.post_payment) == (D("356.38"), D("216.38"), D("140.00"))
    invoice.refresh_from_db()
    assert (invoice.amount_due, invoice.status, invoice.total, invoice.number) == (
        D("0.00"), "paid", D("716.38"), "2026-0001",
    )  # fmt: skip
    assert payments.credit_balance(world.carol) == D("140.00")
    assert selectors.earned(date(2026, 6, 1), date(2026, 6, 30)) == earned_before - D("342.00")
    assert selectors.invoiced(date(2026, 6, 1), date(2026, 6, 30)) == D("702.00") - D("342.00")
    assert selectors.collected(date(2026, 6, 1), date(2026, 6, 30)) == D("500.00")
    with pytest.raises(ValidationError):  # nothing is left to credit on the bins
        invoices.credit_note_create(invoice=invoice, amounts={bins.pk: D("0.01")}, reason="again")


def _issued(client, number, issue, total, status="issued"):
    return Invoice.objects.create(
        client=client, status=status, number=number, issue_date=issue, due_date=issue + timedelta(days=15),
        total=D(total), subtotal=D(total), amount_due=D(total),
    )  # fmt: skip


def test_P13_ar_aging_as_of_a_date(world):
    carol = world.carol
    _issued(carol, "2026-0010", date(2026, 6, 20), "400.00")
    i7 = _issued(carol, "2026-0007", date(2026, 5, 20), "600.00")
    i5 = _issued(carol, "2026-0005", date(2026, 5, 1), "250.00")
    _issued(carol, "2026-0004", date(2026, 4, 10), "350.00")
    i2 = _issued(carol, "2026-0002", date(2026, 2, 1), "900.00")
    _issued(carol, "2026-0006", date(2026, 3, 1), "300.00", status="void")
    Invoice.objects.create(client=carol, total=D("120.00"), subtotal=D("120.00"))
    payments.payment_record(client=carol, amount=D("200"), received_on=date(2026, 6, 10), method="check",
                            allocations=[(i7, D("200"))])  # fmt: skip
    payments.payment_record(client=carol, amount=D("250"), received_on=date(2026, 7, 2), method="check",
                            allocations=[(i5, D("250"))])  # fmt: skip
    CreditNote.objects.create(
        client=carol, invoice=i2, status="issued", number="CN-2026-0001", issue_date=date(2026, 3, 1), reason="r",
        total=D("100"), pre_payment=D("100"),
    )  # fmt: skip
    payments.payment_record(client=world.dan, amount=D("50"), received_on=date(2026, 6, 1), method="cash")
    aging = selectors.ar_aging(on=date(2026, 6, 30))
    assert aging.buckets == {
        "current": D("400.00"), "1-30": D("400.00"), "31-60": D("250.00"), "61-90": D("350.00"), "90+": D("800.00"),
    }  # fmt: skip
    assert [(r.invoice.number, r.age) for r in aging.rows if r.invoice.number == "2026-0002"] == [("2026-0002", 134)]
    assert (aging.gross, aging.credit, aging.net) == (D("2200.00"), D("50.00"), D("2150.00"))
    later = selectors.ar_aging(on=date(2026, 7, 5))
    assert "2026-0005" not in [r.invoice.number for r in later.rows]
    assert [(r.age, r.bucket) for r in later.rows if r.invoice.number == "2026-0010"] == [(0, "current")]
    # The finance page sums the same invoices per client: the same buckets, Carol's row holding them all.
    by_client = selectors.ar_aging_by_client(on=date(2026, 6, 30))
    assert (by_client.buckets, by_client.gross, by_client.credit) == (aging.buckets, aging.gross, aging.credit)
    (row,) = by_client.clients
    assert (row.name, row.invoices, row.oldest_age, row.open) == ("Carol", 5, 134, D("2200.00"))
    assert row.amounts == list(aging.buckets.values())
    assert selectors.ar_at(date(2026, 6, 30)) == D("2200.00")


def test_P13_finance_page_lists_clients_most_overdue_first_and_the_csv_every_invoice(client, world):
    _issued(world.carol, "2026-0001", date(2026, 6, 20), "400.00")
    _issued(world.dan, "2026-0002", date(2026, 3, 1), "90.00")
    _issued(world.dan, "2026-0003", date(2026, 6, 1), "10.00")
    client.force_login(UserFactory(role="owner"))
    page = client.get(reverse("billing:finance") + "?on=2026-06-30&year=2026").content.decode()
    table = page[page.index('id="aging-clients"') :]
    assert table.index(world.dan.name) < table.index(world.carol.name)  # Dan's oldest is 106 days overdue
    assert "(2 invoices)" in table and "$100.00" in table
    csv = client.get(reverse("billing:aging_csv") + "?on=2026-06-30").content.decode().splitlines()
    assert csv[0] == "invoice,client,issue_date,due_date,open,age_days,bucket"
    assert [line.split(",")[0] for line in csv[1:]] == ["2026-0002", "2026-0003", "2026-0001"]
    assert csv[1].endswith(",90.00,106,90+")


def test_P14_the_same_visit_is_never_invoiced_twice(world):
    _work(world, world.carol, 1)
    _work(world, world.carol, 2)
    draft = invoices.invoice_create(client=world.carol, creation_key="K1")
    assert draft.lines.count() == 2
    assert invoices.invoice_create(client=world.carol, creation_key="K1") == draft
    with pytest.raises(ValidationError) as exc:
        invoices.invoice_create(client=world.carol, creation_key="K2")
    assert exc.value.code == "nothing_to_invoice"
    assert Invoice.objects.count() == 1
    c1 = Charge.objects.order_by("pk").first()
    with pytest.raises(IntegrityError), transaction.atomic():
        other = Invoice.objects.create(client=world.carol)
        InvoiceLine.objects.create(invoice=other, kind="charge", charge=c1, description="dup", amount=D("1"))
    invoices.invoice_delete_draft(invoice=draft)
    assert selectors.unbilled(world.carol).count() == 2
    issued = issue_all(world.carol, key="K3", now=ny(2026, 6, 3, 9))
    invoices.invoice_void(invoice=issued, reason="wrong client")
    assert not InvoiceLine.objects.filter(invoice=issued, active=True).exists()
    again = issue_all(world.carol, key="K4", now=ny(2026, 6, 4, 9))
    assert again.lines.count() == 2 and again.number != issued.number
    assert len(sync(world.carol)) == 2


def test_P17_a_line_of_three_at_33_335_is_100_01(world):
    draft = _draft(world, world.carol, 1, "k")
    line = invoices.invoice_line_add(
        invoice=draft, description="Drawer dividers", quantity=D("3"), unit_price=D("33.3350"), taxable=False
    )
    draft.refresh_from_db()
    assert line.amount == D("100.01") and draft.subtotal == D("270.00") + D("100.01")
