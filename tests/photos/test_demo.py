"""The demo shows photos (W41, W44): pairs on the Smith visit, a gallery, a portfolio with a recorded use, a
takedown task; loading it again adds nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from photos.models import Photo, PortfolioUse, TakedownTask

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_W41_W44_demo_fills_the_photo_pages_once(client):
    call_command("load_demo", stdout=io.StringIO())
    counts = (Photo.objects.count(), PortfolioUse.objects.count(), TakedownTask.objects.count())
    assert counts == (10, 2, 1)  # 5 for the Smith and Garcia pages, 5 for the portal client
    call_command("load_demo", stdout=io.StringIO())
    assert (Photo.objects.count(), PortfolioUse.objects.count(), TakedownTask.objects.count()) == counts
    client.force_login(User.objects.get(email="owner@example.com"))
    assert (
        client.get(reverse("photos:gallery")).content.decode().count("data-photo=") == 8
    )  # the portal client's lockbox shot is capped
    portfolio = client.get(reverse("photos:portfolio")).content.decode()
    assert "data-takedown" in portfolio and "data-checked" in portfolio
    smith_visit = Photo.objects.filter(space__name="Pantry").first().visit
    panel = client.get(reverse("photos:visit_panel", kwargs={"pk": smith_visit.pk})).content.decode()
    assert panel.count("data-pair") == 2
