"""What billing needs to know beyond what visits and projects record: rates, pricing of appointment types,
per-organizer actual times, redo links, shopping time and milestone fees. Lower apps stay unchanged."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from clients.models import Client
from operations.models import Appointment, AppointmentType
from projects.models import Project


class Biller(models.Model):
    """An office user the owner marked as a biller: may invoice and record payments (a per-user permission; the
    owner always may, organizers never, other office users get 403)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="biller"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Biller {self.user_id}"


class ClientRate(models.Model):
    """A client-specific hourly rate; optionally only for one appointment type and/or one organizer."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.CASCADE, null=True, blank=True)
    organizer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True)
    rate = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "appointment_type", "organizer"], nulls_distinct=False, name="client_rate_unique"
            ),
            models.CheckConstraint(condition=Q(rate__gt=0), name="client_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.client} {self.rate}/h"


class TypePricing(models.Model):
    """How an appointment type is billed. Its hourly rate is the type's own billable_rate (0 = each
    organizer's rate)."""

    class Pricing(models.TextChoices):
        HOURLY = "hourly", "Hourly"
        FLAT = "flat", "Flat fee"

    appointment_type = models.OneToOneField(AppointmentType, on_delete=models.CASCADE, related_name="+")
    pricing = models.CharField(max_length=8, choices=Pricing.choices, default=Pricing.HOURLY)
    flat_price = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    minimum_minutes = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: the business default.")
    is_shopping = models.BooleanField(default=False, help_text="Its rate prices shopping time.")

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(flat_price__gte=0), name="type_pricing_flat_nonnegative")]

    def __str__(self) -> str:
        return f"Pricing of {self.appointment_type_id}"


class VisitTime(models.Model):
    """The actual times one organizer worked on a visit (team members arrive and leave at different times)."""

    visit = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="+")
    organizer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    starts = models.DateTimeField()
    ends = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)  # charges_sync recomputes visits changed since their charges

    class Meta:
        indexes = [models.Index(fields=["updated_at"], name="visit_time_updated")]
        constraints = [
            models.UniqueConstraint(fields=["visit", "organizer"], name="visit_time_one_per_organizer"),
            models.CheckConstraint(condition=Q(ends__gt=F("starts")), name="visit_time_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.organizer_id} on visit {self.visit_id}"


class RedoLink(models.Model):
    """This visit redoes an earlier one: it is shown at $0 and never draws from a package."""

    visit = models.OneToOneField(Appointment, on_delete=models.CASCADE, related_name="+")
    redo_of = models.ForeignKey(Appointment, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Visit {self.visit_id} redoes {self.redo_of_id}"


class ShoppingTime(models.Model):
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    organizer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    worked_on = models.DateField()
    minutes = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    note = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)  # the incremental charges sync reads what changed since

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(minutes__gt=0), name="shopping_minutes_positive")]
        indexes = [models.Index(fields=["updated_at"], name="shopping_time_updated")]

    def __str__(self) -> str:
        return f"Shopping {self.minutes} min"


class MilestoneFee(models.Model):
    """A fixed fee of a project, billable once the milestone is reached."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    name = models.CharField(max_length=200)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    reached_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)  # the incremental charges sync reads what changed since

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="milestone_amount_positive")]

    def __str__(self) -> str:
        return self.name
