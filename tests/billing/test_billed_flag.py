"""The stored "billed" state of a charge follows its invoice lines, whoever writes them (P22)."""

from datetime import timedelta
from decimal import Decimal

from django.db import connection

from billing import charges, invoices, selectors
from billing.models import Charge, Invoice, InvoiceLine
from tests.billing.world import ny, visit


def _work(world, day):
    start = ny(2026, 6, day, 9)
    return visit(world.carol, world.organizing, [world.alice], start, start + timedelta(minutes=180))


def _billed(invoice):
    return list(Charge.objects.filter(lines__invoice=invoice).values_list("billed", flat=True))


def test_P22_billed_follows_create_delete_issue_void_and_bulk_lines(world):
    _work(world, 1)
    draft = invoices.invoice_create(client=world.carol, creation_key="p22-a")
    assert _billed(draft) == [True] and selectors.billed_drift() == 0
    assert not Charge.objects.filter(charges.unbilled_charges(world.carol)).exists()
    invoices.invoice_delete_draft(invoice=draft)  # the lines go with the draft: the charge is free again
    assert Charge.objects.get(client=world.carol).billed is False and selectors.billed_drift() == 0
    again = invoices.invoice_create(client=world.carol, creation_key="p22-b")
    issued = invoices.invoice_issue(invoice=again, now=ny(2026, 6, 2, 9))
    assert _billed(issued) == [True]
    invoices.invoice_void(invoice=issued, reason="typo")  # lines switched off, kept
    assert Charge.objects.get(client=world.carol).billed is False and selectors.billed_drift() == 0
    # A bulk writer (the load generator, a raw statement) is covered too: the trigger runs in its transaction.
    charge = Charge.objects.get(client=world.carol)
    bulk = Invoice.objects.create(client=world.carol)
    InvoiceLine.objects.bulk_create([InvoiceLine(invoice=bulk, kind="charge", charge=charge, description="x",
                                                 amount=Decimal("1.00"))])  # fmt: skip
    assert Charge.objects.get(pk=charge.pk).billed is True
    with connection.cursor() as cursor:
        cursor.execute("UPDATE billing_invoiceline SET active = false WHERE invoice_id = %s", [bulk.pk])
    assert Charge.objects.get(pk=charge.pk).billed is False and selectors.billed_drift() == 0


def test_P22_ready_page_reads_the_flag_not_the_lines(world):
    _work(world, 1)
    _work(world, 3)
    charges.charges_sync_client(client=world.carol)
    assert [(r.client, r.count) for r in selectors.ready_to_invoice()] == [(world.carol, 2)]
    invoices.invoice_create(client=world.carol, creation_key="p22-c")
    assert selectors.ready_to_invoice() == []
    sql = str(Charge.objects.filter(charges.unbilled_charges()).query)
    assert "billing_invoiceline" not in sql  # an index read of unbilled charges, no anti-join on the lines
