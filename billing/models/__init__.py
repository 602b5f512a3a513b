"""billing's models: inputs (rates, pricing, per-organizer times), charges and packages, invoices and money."""

from billing.models.charges import BillingNotice, Charge, ChargeSyncMark, Package, PackageEntry, PackageProduct
from billing.models.inputs import (
    Biller,
    ClientRate,
    MilestoneFee,
    RedoLink,
    ShoppingTime,
    TypePricing,
    VisitTime,
)
from billing.models.invoices import (
    Allocation,
    ClientCreditEntry,
    Counter,
    CreditNote,
    CreditNoteLine,
    Invoice,
    InvoiceLine,
    Payment,
)
from billing.models.kpi import RevenueDaily
from billing.models.outbox import InvoiceBatch, InvoiceEmail

__all__ = [
    "Allocation", "BillingNotice", "Biller", "Charge", "ChargeSyncMark", "ClientCreditEntry", "ClientRate", "Counter",
    "CreditNote", "CreditNoteLine", "Invoice", "InvoiceBatch", "InvoiceEmail", "InvoiceLine", "MilestoneFee",
    "Package", "PackageEntry", "PackageProduct", "Payment", "RedoLink", "ShoppingTime", "TypePricing", "VisitTime",
    "RevenueDaily",
]  # fmt: skip
