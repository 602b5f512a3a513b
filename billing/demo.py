"""Demo billing for `load_demo`: a package product on sale, a package sold to the Smith household and issued (its
balance and ledger on the billing tab), and shopping time logged for Smith and another client, charged at once
(so "Ready to invoice" shows amounts, one of them drawn from the package). Idempotent; the demo's visits are all
upcoming, so shopping time is its finished work. Rows are made through the services where one exists."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from billing import charges, invoices, rates, setup
from billing.models import InvoiceLine, Package, PackageProduct, ShoppingTime
from clients.models import Client


def load() -> None:
    product = PackageProduct.objects.filter(name="20-hour package").first()
    product = product or setup.product_create(name="20-hour package", minutes=1200, price=Decimal("1700.00"))
    smith = Client.objects.filter(name="Smith household").first()
    organizer = User.objects.filter(role=User.Role.ORGANIZER, is_active=True).order_by("pk").first()
    if smith is None or organizer is None:
        return
    if not Package.objects.filter(creation_key="demo-package").exists():
        package = invoices.package_sell(client=smith, product=product, creation_key="demo-package")
        invoices.invoice_issue(invoice=InvoiceLine.objects.get(package=package, kind="package").invoice)
    yesterday = rates.local_date(timezone.now()) - timedelta(days=1)
    other = Client.objects.exclude(pk=smith.pk).order_by("name").first()
    for client, minutes in ((smith, 80), (other, 100)):
        if client is not None:
            ShoppingTime.objects.get_or_create(
                client=client, note="Demo: bins and labels", defaults={"organizer": organizer, "minutes": minutes,
                                                                      "worked_on": yesterday},
            )  # fmt: skip
    charges.charges_sync()
