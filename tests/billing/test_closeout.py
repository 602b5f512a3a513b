"""P18 close-out (an overdraft billed at the package's value, unused minutes refunded within the threshold),
moving minutes between packages, and re-pricing unbilled charges after a rate change (docs/specs/billing.md)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from billing import closeout, invoices, packages, reprice, selectors
from billing.models import Charge, ClientRate, CreditNote, PackageEntry, TypePricing
from tests.accounts.factories import UserFactory
from tests.billing.world import issue_all, ny, sell_package, sync, visit

D = Decimal


def _work(world, client, day, minutes):
    start = ny(2026, 5, day, 1)
    visit(client, world.organizing, [world.alice], start, start + timedelta(minutes=minutes))
    sync(client)


def test_P18_an_overdrawn_package_is_billed_at_its_own_rate_when_closed(world):
    world.package.overage_policy = "allow_negative"
    world.package.save()
    TypePricing.objects.filter(appointment_type=world.organizing).update(minimum_minutes=0)
    package = sell_package(world, world.carol, on=ny(2026, 5, 1, 9))
    _work(world, world.carol, 2, 1200)
    _work(world, world.carol, 3, 90)
    assert packages.balance_of(package) == -90
    earned_before = selectors.earned(date(2026, 5, 1), date(2026, 5, 31))
    closed = closeout.package_close(package=package, now=ny(2026, 5, 20, 9))
    assert closed.status == "closed" and packages.balance_of(package) == 0
    overage = Charge.objects.get(kind="package_overage")
    assert (overage.amount, overage.minutes_billed, overage.rate) == (D("127.50"), 90, D("85.00"))
    assert "1 h 30 min over the package at $85.00/h" in overage.description
    # Overdrawn minutes are worth nothing in the ledger: they are earned once, by the close-out charge.
    assert selectors.earned(date(2026, 5, 1), date(2026, 5, 31)) == earned_before + D("127.50")
    assert selectors.deferred_at(date(2026, 5, 31)) == D("1700.00") - D("1700.00")  # the package is settled
    draft = invoices.invoice_create(client=world.carol, creation_key="after-close")
    assert draft.lines.get(charge=overage).amount == D("127.50")
    with pytest.raises(ValidationError) as exc:
        closeout.package_close(package=package)
    assert exc.value.code == "not_open"


def test_P18_closing_with_few_minutes_left_refunds_them(world):
    package = sell_package(world, world.carol, on=ny(2026, 5, 1, 9), pay=True)
    _work(world, world.carol, 2, 1110)
    closeout.package_close(package=package, now=ny(2026, 5, 20, 9), disposition="credit")
    note = CreditNote.objects.get()
    assert (note.total, note.disposition) == (D("127.50"), "credit")
    assert PackageEntry.objects.get(package=package, kind="refund").minutes == -90


def test_P18_a_package_with_much_left_is_not_refundable_and_stays_open(world):
    package = sell_package(world, world.carol, on=ny(2026, 5, 1, 9), pay=True)
    with pytest.raises(ValidationError) as exc:
        closeout.package_close(package=package)
    assert exc.value.code == "not_refundable"
    package.refresh_from_db()
    assert package.status == "active" and not PackageEntry.objects.exclude(kind="purchase").exists()


def test_moving_minutes_writes_an_adjustment_pair_and_keeps_each_package_whole(world):
    first = sell_package(world, world.carol, on=ny(2026, 5, 1, 9))
    second = sell_package(world, world.carol, key="second", on=ny(2026, 5, 2, 9))
    out, into = closeout.package_minutes_move(source=first, target=second, minutes=120, reason="client asked",
                                              now=ny(2026, 5, 3, 9))  # fmt: skip
    assert (out.kind, out.minutes, into.kind, into.minutes) == ("adjustment", -120, "adjustment", 120)
    assert "client asked" in out.reason and f"#{first.pk}" in into.reason
    assert (packages.balance_of(first), packages.balance_of(second)) == (1080, 1320)
    # Recognised as the minutes leave the first package; the second's extra minutes are worth nothing more, so
    # each package still earns exactly its net price.
    assert (out.value, into.value) == (D("170.00"), D("0.00"))
    bad = [
        {"source": first, "target": first, "minutes": 10, "reason": "x"},
        {"source": first, "target": second, "minutes": 0, "reason": "x"},
        {"source": first, "target": second, "minutes": 10, "reason": " "},
        {"source": first, "target": second, "minutes": 5000, "reason": "x"},
    ]
    for kwargs in bad:
        with pytest.raises(ValidationError):
            closeout.package_minutes_move(**kwargs)
    assert PackageEntry.objects.filter(kind="adjustment").count() == 2


def test_rate_change_reprices_only_unbilled_charges_on_request(world):
    _work(world, world.carol, 2, 180)  # $270.00 at the type's $90
    issue_all(world.carol, key="first", now=ny(2026, 5, 3, 9))
    _work(world, world.carol, 4, 180)
    draft = invoices.invoice_create(client=world.carol, creation_key="second")
    _work(world, world.carol, 5, 180)
    ClientRate.objects.create(client=world.carol, rate=D("100.00"))
    assert sorted(Charge.objects.values_list("amount", flat=True)) == [D("270.00")] * 3  # the rate is a snapshot
    assert reprice.charges_reprice(client=world.carol) == 2
    assert sorted(Charge.objects.values_list("amount", "rate_source")) == [
        (D("270.00"), "appointment_type"), (D("300.00"), "client"), (D("300.00"), "client"),
    ]  # fmt: skip
    draft.refresh_from_db()
    assert draft.total == D("300.00")  # the draft line followed
    assert reprice.charges_reprice(client=world.carol) == 0


def test_owner_moves_minutes_reprices_and_closes_from_the_pages_bad_input_changes_nothing(client, world):
    owner = UserFactory(role="owner", email="owner@close.example")
    client.force_login(owner)
    first = sell_package(world, world.carol, on=ny(2026, 5, 1, 9))
    second = sell_package(world, world.carol, key="second", on=ny(2026, 5, 2, 9))
    panel = client.get(reverse("billing:client_billing_panel", args=[world.carol.pk])).content.decode()
    assert "Move minutes between packages" in panel and "Close out" in panel
    url = reverse("billing:package_move", args=[world.carol.pk])
    for bad in (
        {},
        {"move-source": first.pk, "move-target": second.pk, "move-minutes": "x", "move-reason": "r"},
        {"move-source": first.pk, "move-target": second.pk, "move-minutes": "9999", "move-reason": "r"},
    ):
        assert client.post(url, bad).status_code == 302
    assert not PackageEntry.objects.filter(kind="adjustment").exists()
    good = {"move-source": first.pk, "move-target": second.pk, "move-minutes": "60", "move-reason": "transfer"}
    assert client.post(url, good).status_code == 302
    assert PackageEntry.objects.filter(kind="adjustment").count() == 2
    assert client.post(reverse("billing:charges_reprice", args=[world.carol.pk])).status_code == 302
    assert client.post(reverse("billing:package_close", args=[first.pk])).status_code == 302  # too much left
    first.refresh_from_db()
    assert first.status == "active"
    assert client.post(reverse("billing:package_close", args=[999999])).status_code == 404
