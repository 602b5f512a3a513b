"""Who may bill besides the owner: office users the owner marks as billers (docs/specs/billing.md §8)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from billing.models import Biller


@transaction.atomic
def billers_set(*, users: Iterable[User]) -> list[int]:
    """Make exactly these office users billers (others lose it). Only active office staff can be billers: the
    owner always bills and organizers never do. Returns the billers' ids."""
    chosen = {user.pk: user for user in users}
    wrong = [u for u in chosen.values() if u.role != User.Role.OFFICE or not u.is_active]
    if wrong:
        raise ValidationError({"billers": "Only active office staff can be marked as billers."}, code="not_office")
    Biller.objects.exclude(user_id__in=chosen).delete()
    have = set(Biller.objects.filter(user_id__in=chosen).values_list("user_id", flat=True))
    Biller.objects.bulk_create([Biller(user_id=pk) for pk in chosen if pk not in have])
    return sorted(chosen)
