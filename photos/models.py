"""Before/after photos of visits, their consent trail, portfolio uses and takedown tasks (docs/specs/portal.md §5-6).

Only re-encoded JPEGs are stored (photos/processing.py); files are named by the server
(`photos/<yyyy>/<mm>/<uuid>_d.jpg`), never after the client, and reached only through permission-checked views.
"""

from __future__ import annotations

import uuid

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q

from clients.models import Client, ConsentLevel, Site, Space
from operations.models import Appointment


def history_trackers() -> tuple[pghistory.Tracker, ...]:
    return (pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())


@pghistory.track(*history_trackers())
class Photo(models.Model):
    class Stage(models.TextChoices):
        BEFORE = "before", "Before"
        DURING = "during", "During"
        AFTER = "after", "After"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    visit = models.ForeignKey(Appointment, on_delete=models.PROTECT, related_name="+")
    space = models.ForeignKey(Space, on_delete=models.PROTECT, null=True, blank=True, related_name="photos")
    stage = models.CharField(max_length=8, choices=Stage.choices, default=Stage.BEFORE)
    caption = models.CharField(max_length=300, blank=True)
    taken_at = models.DateTimeField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    display = models.FileField(max_length=200)
    thumb = models.FileField(max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    shared_with_client = models.BooleanField(default=True, help_text="Off for lockbox, damage or paperwork shots.")
    consent_cap = models.PositiveSmallIntegerField(choices=ConsentLevel.choices, null=True, blank=True)
    portfolio_candidate = models.BooleanField(default=False)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    anonymization_checked_at = models.DateTimeField(null=True, blank=True)
    anonymization_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["taken_at", "uploaded_at"]
        indexes = [models.Index(fields=["client", "taken_at"]), models.Index(fields=["visit"])]
        constraints = [
            models.CheckConstraint(condition=Q(consent_cap__lte=2), name="photo_consent_cap_valid"),
            models.CheckConstraint(condition=Q(stage__in=["before", "during", "after"]), name="photo_stage_valid"),
        ]

    def __str__(self) -> str:
        return f"Photo {self.pk}"


class ConsentChange(models.Model):
    """One consent decision: what was set (client default, a space or one photo's cap), by whom, through which
    channel, and for a raise by staff the recorded basis. The portal and the staff page show the latest."""

    class Channel(models.TextChoices):
        STAFF = "staff", "Office"
        PORTAL = "portal", "Client (portal)"

    class Basis(models.TextChoices):
        SIGNED_FORM = "signed_form", "Signed form"
        EMAIL = "email", "E-mail from the client"
        VERBAL = "verbal", "Verbal, noted"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    space = models.ForeignKey(Space, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    photo = models.ForeignKey(Photo, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    level = models.PositiveSmallIntegerField(choices=ConsentLevel.choices, null=True, blank=True)  # None: cleared
    previous = models.PositiveSmallIntegerField(choices=ConsentLevel.choices, null=True, blank=True)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    basis = models.CharField(max_length=12, choices=Basis.choices, blank=True)
    basis_date = models.DateField(null=True, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-set_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(space__isnull=False, photo__isnull=False), name="consent_one_scope"),
        ]

    def __str__(self) -> str:
        return f"Consent {self.level} for client {self.client_id}"


class PortfolioUse(models.Model):
    """A photo used outside the app (website, social media, print): needed to take it down on withdrawal."""

    class Channel(models.TextChoices):
        WEBSITE = "website", "Website"
        SOCIAL = "social", "Social media"
        PRINT = "print", "Print"

    photo = models.ForeignKey(Photo, on_delete=models.CASCADE, related_name="uses")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    url = models.URLField(blank=True)
    used_at = models.DateTimeField(auto_now_add=True)
    used_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-used_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} use of {self.photo_id}"


class TakedownTask(models.Model):
    """Office must remove a web or social copy after consent was withdrawn (print is not recalled)."""

    use = models.ForeignKey(PortfolioUse, on_delete=models.CASCADE, related_name="takedowns")
    created_at = models.DateTimeField(auto_now_add=True)
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["use"], condition=Q(done_at__isnull=True), name="one_open_takedown_per_use")
        ]

    def __str__(self) -> str:
        return f"Take down {self.use}"
