"""The revenue identities of docs/specs/billing.md hold for any period, over random sequences of visits, package
sales, invoices, payments and credit notes (hypothesis, each example rolled back):

    Earned = Invoiced − Δ deferred + Δ unbilled
    Collected − refunds = Invoiced + tax − Δ AR + Δ unapplied credit
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing import charges, invoices, payments, selectors
from billing.models import Invoice, InvoiceLine
from tests.billing.world import build_world, ny, visit

STEP = st.tuples(
    st.integers(0, 3),  # days after the previous step
    st.sampled_from(["visit", "visit", "package", "invoice", "pay", "credit"]),
    st.integers(0, 1),  # which client
    st.integers(1, 600),  # minutes, or a share of an amount
)


def _run(world, day, op, who, n, key):
    client = (world.carol, world.dan)[who]
    if op == "visit":
        start = ny(day.year, day.month, day.day, 6)
        visit(client, world.organizing, [world.alice], start, start + timedelta(minutes=n))
        charges.charges_sync_client(client=client)
    elif op == "package":
        package = invoices.package_sell(client=client, product=world.package, creation_key=key, sold_on=ny(
            day.year, day.month, day.day, 7))  # fmt: skip
        draft = InvoiceLine.objects.get(package=package).invoice
        invoices.invoice_issue(invoice=draft, now=ny(day.year, day.month, day.day, 8))
    elif op == "invoice":
        try:
            draft = invoices.invoice_create(client=client, creation_key=key)
        except ValidationError:
            return
        invoices.invoice_issue(invoice=draft, now=ny(day.year, day.month, day.day, 20), confirm_review=True)
    elif op == "pay":
        payments.payment_record(client=client, amount=Decimal(n * 3), received_on=day, method="cash")
    elif op == "credit":
        line = (
            InvoiceLine.objects.filter(invoice__client=client, kind="charge", active=True, locked=True)
            .exclude(invoice__status__in=["void", "draft"]).order_by("-pk").first()
        )  # fmt: skip
        if line is None:
            return
        left = line.amount - invoices.credited_so_far(line)
        amount = min(left, Decimal(n))
        if amount <= 0:
            return
        note = invoices.credit_note_create(invoice=line.invoice, amounts={line.pk: amount}, reason="dispute")
        invoices.credit_note_issue(note=note, now=ny(day.year, day.month, day.day, 21))


def _check(start, end):
    before = start - timedelta(days=1)
    d_def = selectors.deferred_at(end) - selectors.deferred_at(before)
    d_unbilled = selectors.unbilled_at(end) - selectors.unbilled_at(before)
    invoiced = selectors.invoiced(start, end)
    assert selectors.earned(start, end) == invoiced - d_def + d_unbilled
    d_ar = selectors.ar_at(end) - selectors.ar_at(before)
    d_credit = selectors.credit_at(end) - selectors.credit_at(before)
    assert selectors.collected(start, end) == invoiced + selectors.tax_invoiced(start, end) - d_ar + d_credit


@pytest.mark.django_db
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(STEP, min_size=1, max_size=10), cut=st.integers(1, 20))
def test_P20_revenue_identities_hold_for_any_period(steps, cut):
    with transaction.atomic():
        world = build_world()
        day = date(2026, 6, 1)
        for i, (gap, op, who, n) in enumerate(steps):
            day += timedelta(days=gap)
            _run(world, day, op, who, n, key=f"k{i}")
        charges.charges_sync()
        assert Invoice.objects.exclude(status="draft").filter(number__isnull=True).count() == 0
        first, last = date(2026, 6, 1), date(2026, 7, 31)
        middle = first + timedelta(days=cut)
        for start, end in ((first, last), (first, middle), (middle + timedelta(days=1), last)):
            _check(start, end)
        transaction.set_rollback(True)
