"""The demo shows billing: charges derived from the demo's finished visits (nothing pending on the ready page),
a package sold and issued; loading it again writes nothing more."""

import io

import pytest
from django.core.management import call_command

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
