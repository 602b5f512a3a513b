from datetime import UTC, datetime, time

import factory

from accounts.services import working_hours_set
from operations.models import AppointmentType, Item, Location, Reminder, Supplier
from tests.accounts.factories import UserFactory


class AppointmentTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AppointmentType
        django_get_or_create = ("name",)

    name = "Organizing session"
    default_duration_min = 120
    default_travel_min = 0
    checklist = "Photos before\nDonation bags out\nPhotos after"


def organizer_ny(**kwargs):
    """An organizer in New York working 09:00-17:00 every day (scenarios fall on any weekday)."""
    user = UserFactory(role="organizer", **kwargs)
    profile = user.organizer_profile
    profile.time_zone = "America/New_York"
    profile.save(update_fields=["time_zone"])
    working_hours_set(profile=profile, hours={d: (time(9), time(17)) for d in range(7)})
    return user


def utc(*args):
    return datetime(*args, tzinfo=UTC)


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier

    name = factory.Sequence(lambda n: f"Supplier {n}")


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item

    sku = factory.Sequence(lambda n: f"ITEM-{n:04d}")
    name = factory.Sequence(lambda n: f"Item {n}")


class LocationFactory(factory.django.DjangoModelFactory):
    """A van by default (the warehouse and the virtual locations come from operations.services.inventory)."""

    class Meta:
        model = Location

    kind = Location.Kind.VAN
    name = factory.Sequence(lambda n: f"Van {n}")


class ReminderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reminder

    kind = "24h"
    recipient = "client@example.com"
