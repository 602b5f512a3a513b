"""The demo shows billing: charges derived from the demo's finished visits (nothing pending on the ready page),
a package sold and issued; loading it again writes nothing more."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from billing import watermarks
from billing.models import Charge, Package, PackageEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_load_demo_fills_billing_once():
    call_command("load_demo", stdout=io.StringIO())
    counts = (Charge.objects.count(), Package.objects.count(), PackageEntry.objects.count())
    assert counts[0] > 0 and watermarks.pending_counts() == {}
    assert Package.objects.get(creation_key="demo-package").status == "active"
    call_command("load_demo", stdout=io.StringIO())
    assert (Charge.objects.count(), Package.objects.count(), PackageEntry.objects.count()) == counts


def test_T35_the_demos_cancellation_and_no_show_fees_are_dated_by_their_visits():
    """docs/specs/defects.md T35: the demo's twelve weeks of history were written today, so every fee (dated by
    the visit's last status change) landed on today, with today's date in its description."""
    from datetime import timedelta

    from billing import rates

    call_command("load_demo", stdout=io.StringIO())
    fees = list(Charge.objects.filter(kind__in=["cancel_fee", "no_show_fee"]).select_related("visit"))
    assert len(fees) > 5
    for fee in fees:
        visit_day = rates.local_date(fee.visit.starts)
        assert visit_day - timedelta(days=1) <= fee.service_date <= visit_day, (fee.description, visit_day)
        assert fee.service_date.isoformat() in fee.description
    today = rates.local_date(timezone.now())
    past = [f for f in fees if rates.local_date(f.visit.starts) < today - timedelta(days=1)]
    assert past and all(f.service_date < today for f in past)
