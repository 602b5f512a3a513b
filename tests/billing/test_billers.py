"""Billers: office users the owner marks one by one (docs/specs/billing.md §8). An office biller may bill, another
office user may not (403), organizers never, and only the owner chooses."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from billing import billers
from billing.models import Biller, Payment
from tests.accounts.factories import UserFactory


@pytest.fixture
def staff(world):
    return {
        "owner": UserFactory(role="owner", email="owner@billers.example"),
        "biller": UserFactory(role="office", email="biller@billers.example"),
        "other": UserFactory(role="office", email="other@billers.example"),
        "organizer": world.alice,
    }


def pay(client, world):
    return client.post(reverse("billing:payment_create", args=[world.carol.pk]), {
        "creation_key": "p1", "amount": "50.00", "received_on": "2026-06-05", "method": "check",
    })  # fmt: skip


def test_an_office_biller_may_bill_and_another_office_user_gets_403(client, world, staff):
    client.force_login(staff["owner"])
    response = client.post(reverse("billing:settings"), {"form": "billers", "billers-billers": [staff["biller"].pk]})
    assert response.status_code == 302
    assert list(Biller.objects.values_list("user_id", flat=True)) == [staff["biller"].pk]
    client.force_login(staff["biller"])
    assert client.get(reverse("billing:ready")).status_code == 200
    assert pay(client, world).status_code == 302 and Payment.objects.count() == 1
    assert client.get(reverse("billing:settings")).status_code == 403  # choosing billers stays the owner's
    home = client.get(reverse("billing:ready"))
    assert reverse("billing:ready").encode() in home.content  # the nav shows Billing
    client.force_login(staff["other"])
    assert client.get(reverse("billing:ready")).status_code == 403
    assert client.get(reverse("billing:client_billing_panel", args=[world.carol.pk])).status_code == 403
    assert pay(client, world).status_code == 403 and Payment.objects.count() == 1
    client.force_login(staff["organizer"])
    assert client.get(reverse("billing:ready")).status_code == 403


def test_unmarking_a_biller_takes_access_away(client, world, staff):
    Biller.objects.create(user=staff["biller"])
    client.force_login(staff["owner"])
    page = client.get(reverse("billing:settings"))
    assert page.status_code == 200 and b"biller@billers.example" in page.content
    assert b"other@billers.example" in page.content and b"alice@billing.example" not in page.content
    client.post(reverse("billing:settings"), {"form": "billers"})
    assert not Biller.objects.exists()
    client.force_login(staff["biller"])
    assert client.get(reverse("billing:ready")).status_code == 403


def test_only_active_office_staff_can_be_billers(client, world, staff):
    with pytest.raises(ValidationError):
        billers.billers_set(users=[staff["organizer"]])
    with pytest.raises(ValidationError):
        billers.billers_set(users=[staff["owner"]])
    client.force_login(staff["owner"])
    response = client.post(reverse("billing:settings"), {"form": "billers", "billers-billers": [world.alice.pk]})
    assert response.status_code == 400 and not Biller.objects.exists()
    assert billers.billers_set(users=[staff["biller"], staff["other"]]) == sorted([staff["biller"].pk,
                                                                                  staff["other"].pk])  # fmt: skip
    staff["other"].is_active = False
    staff["other"].save()
    client.force_login(staff["other"])
    assert client.get(reverse("billing:ready")).status_code in (302, 403)  # an inactive user never bills
