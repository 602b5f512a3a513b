"""Re-pricing after a rate change, on the owner's request (docs/specs/billing.md "Rates"): a charge keeps the rate
resolved when it was made (a rate change never rewrites history by itself); this action gives a client's hourly
charges that are not on an issued invoice the rate that resolves now, and their draft lines follow."""

from __future__ import annotations

from django.db import transaction

from billing import charges, rates, totals
from billing import money as bm
from billing.models import Charge, InvoiceLine, TypePricing
from clients.models import Client

HOURLY_KINDS = ("visit_time", "shopping_time")


@transaction.atomic
def charges_reprice(*, client: Client) -> int:
    """Re-price the client's unbilled (or draft-only) visit and shopping time at today's rates; returns how many
    charges changed. Issued charges are never touched (P15: corrections are credit notes or adjustments)."""
    charges.charges_sync_client(client=client)  # also locks the client row: no sync or invoice runs meanwhile
    issued = InvoiceLine.objects.filter(active=True, locked=True, charge__client=client).values("charge_id")
    found = (
        Charge.objects.filter(client=client, kind__in=HOURLY_KINDS, credited=False).exclude(pk__in=issued)
        .select_related("visit__appointment_type", "organizer").order_by("pk")
    )  # fmt: skip
    shopping = TypePricing.objects.filter(is_shopping=True).select_related("appointment_type").first()
    book = rates.Book()
    changed = 0
    for charge in found:
        atype = charge.visit.appointment_type if charge.visit else (shopping.appointment_type if shopping else None)
        rate, source = rates.resolve_rate(client=client, appointment_type=atype, organizer=charge.organizer, book=book)
        if (rate, source) == (charge.rate, charge.rate_source):
            continue
        charge.rate, charge.rate_source = rate, source
        charge.amount = bm.hourly_amount(charge.hourly_minutes, rate)
        charge.save(update_fields=["rate", "rate_source", "amount", "updated_at"])
        totals.draft_line_refresh(charge)
        changed += 1
    return changed
