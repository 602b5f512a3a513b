"""Clients (households and businesses), their contacts, sites, tags, intake answers and organizer assignments.

Clients are archived, never silently deleted: the default manager hides archived rows and `all_objects`
sees everything. Every change is recorded by django-pghistory's triggers (so `.update()` and raw SQL are
caught too); a site's entry code is kept out of the history tables.
"""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from accounts.models import time_zone_choices


def history_trackers() -> tuple[pghistory.Tracker, ...]:
    """Fresh trackers per model: pghistory binds a tracker's update condition to the first model using it."""
    return (pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())


class ConsentLevel(models.IntegerChoices):
    """Who may see or use a client's photos, ordered: a higher level allows more (docs/specs/portal.md §6)."""

    PRIVATE = 0, "Private"
    TEAM = 1, "Team"
    PORTFOLIO_ANON = 2, "Portfolio (anonymized)"


class Tag(models.Model):
    name = models.CharField(max_length=40, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ClientQuerySet(models.QuerySet["Client"]):
    def search(self, text: str) -> ClientQuerySet:
        """Match the name, any contact's email or phone, or any site's address (case-insensitive)."""
        text = text.strip()
        if not text:
            return self
        query = (
            Q(name__icontains=text)
            | Q(contacts__name__icontains=text)
            | Q(contacts__email__icontains=text)
            | Q(sites__street__icontains=text)
            | Q(sites__city__icontains=text)
            | Q(sites__postal_code__icontains=text)
        )
        digits = "".join(ch for ch in text if ch.isdigit())
        if len(digits) >= 3:
            query |= Q(contacts__phone__contains=digits)
        matching = self.filter(query).values("pk")
        return self.filter(pk__in=matching)


class ActiveClientManager(models.Manager["Client"]):
    def get_queryset(self) -> ClientQuerySet:
        return ClientQuerySet(self.model, using=self._db).filter(archived_at__isnull=True)


@pghistory.track(*history_trackers())
class Client(models.Model):
    class Kind(models.TextChoices):
        HOUSEHOLD = "household", "Household"
        BUSINESS = "business", "Business"

    class Status(models.TextChoices):
        LEAD = "lead", "Lead"
        ASSESSMENT = "assessment", "Assessment"
        ACTIVE = "active", "Active"
        MAINTENANCE = "maintenance", "Maintenance"
        PAST = "past", "Past"

    class ReferralSource(models.TextChoices):
        REFERRAL = "referral", "Referral from a client"
        PARTNER = "partner", "Partner (realtor, mover, designer)"
        WEBSITE = "website", "Website / search"
        SOCIAL = "social", "Social media"
        DIRECTORY = "directory", "Directory or association"
        REPEAT = "repeat", "Returning client"
        OTHER = "other", "Other"

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.HOUSEHOLD)
    name = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.LEAD)
    referral_source = models.CharField(max_length=16, choices=ReferralSource.choices, blank=True)
    referral_detail = models.CharField(max_length=200, blank=True, help_text="Who referred them, which site...")
    tags = models.ManyToManyField(Tag, blank=True, related_name="clients")
    notes = models.TextField("internal notes", blank=True, max_length=10_000)
    organizers = models.ManyToManyField(  # type: ignore[var-annotated]
        settings.AUTH_USER_MODEL, through="ClientAssignment", related_name="assigned_clients", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    archived_at = models.DateTimeField(null=True, blank=True)
    photo_consent_default = models.PositiveSmallIntegerField(
        choices=ConsentLevel.choices, default=ConsentLevel.PRIVATE, help_text="Photos: opt-in, private unless changed."
    )
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ActiveClientManager()
    all_objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        base_manager_name = "all_objects"  # related lookups (site.client) still reach archived clients
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="client_name_not_empty"),
            models.CheckConstraint(
                condition=Q(status__in=["lead", "assessment", "active", "maintenance", "past"]),
                name="client_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["status"]), models.Index(fields=["archived_at"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("clients:client_detail", kwargs={"pk": self.pk})

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


@pghistory.track(*history_trackers())
class ClientAssignment(models.Model):
    """An organizer who works for a client. Later issues add rows from appointments and projects."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="assignments")
    organizer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments")
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "organizer"], name="assignment_unique_client_organizer")
        ]

    def __str__(self) -> str:
        return f"{self.organizer} on {self.client}"


@pghistory.track(*history_trackers())
class Contact(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        PHONE = "phone", "Phone call"
        SMS = "sms", "Text message"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=100, blank=True, help_text="e.g. homeowner, office manager, assistant")
    phone = models.CharField(max_length=32, blank=True, help_text="Stored in international format.")
    email = models.EmailField(blank=True)
    preferred_channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_primary", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["client"], condition=Q(is_primary=True), name="contact_one_primary_per_client"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="contact_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


@pghistory.track(*history_trackers(), exclude=["entry_code"])
class Site(models.Model):
    """A place where work happens. Times of visits are wall times in the site's IANA zone."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="sites")
    label = models.CharField(max_length=100, default="Home", help_text="e.g. Home, Office, Lake house")
    street = models.CharField(max_length=200)
    unit = models.CharField("apartment / unit", max_length=50, blank=True)
    city = models.CharField(max_length=100)
    region = models.CharField("state / region", max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=60, default="United States")
    time_zone = models.CharField(max_length=64, choices=time_zone_choices, default="America/New_York")
    parking = models.CharField(max_length=500, blank=True)
    pets = models.CharField(max_length=500, blank=True)
    access_instructions = models.TextField(blank=True, max_length=2000)
    entry_code = models.CharField(max_length=100, blank=True, help_text="Door, gate or alarm code.")

    class Meta:
        ordering = ["label", "pk"]

    def __str__(self) -> str:
        return f"{self.label}: {self.one_line_address}"

    @property
    def one_line_address(self) -> str:
        parts = [" ".join(p for p in (self.street, self.unit) if p), self.city, self.region, self.postal_code]
        return ", ".join(p for p in parts if p)


@pghistory.track(*history_trackers())
class Intake(models.Model):
    """The intake questionnaire's answers, kept with the client and editable."""

    class Budget(models.TextChoices):
        UNDER_1K = "under_1k", "Under $1,000"
        FROM_1K = "1k_3k", "$1,000 - $3,000"
        FROM_3K = "3k_7k", "$3,000 - $7,000"
        FROM_7K = "7k_15k", "$7,000 - $15,000"
        OVER_15K = "over_15k", "Over $15,000"
        UNSURE = "unsure", "Not sure yet"

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="intake")
    goals = models.TextField(blank=True, max_length=4000)
    spaces = models.TextField("spaces to organize", blank=True, max_length=4000)
    pain_points = models.TextField(blank=True, max_length=4000)
    budget_range = models.CharField(max_length=16, choices=Budget.choices, blank=True)
    schedule_preferences = models.TextField(blank=True, max_length=2000)
    decision_makers = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Intake of {self.client}"


@pghistory.track(*history_trackers())
class PortalAccess(models.Model):
    """A contact's access to the client portal for one client (docs/specs/portal.md §1).

    Lives here, in the lowest layer with clients, so that archiving a client revokes its access in the same
    transaction. The user is a portal user (role "portal"), kept active exactly while one of their accesses is
    live (invited or active), so the sign-in-code form needs nothing from this app.
    """

    class Status(models.TextChoices):
        INVITED = "invited", "Invited"
        ACTIVE = "active", "Active"
        REVOKED = "revoked", "Revoked"

    LIVE_STATUSES = (Status.INVITED, Status.ACTIVE)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portal_accesses")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="portal_accesses")
    contact = models.ForeignKey(Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.INVITED)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    invited_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "client"], name="portal_access_unique_user_client"),
            models.CheckConstraint(
                condition=Q(status__in=["invited", "active", "revoked"]), name="portal_access_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Portal access of {self.user} to {self.client} ({self.status})"


class PortalInvitation(models.Model):
    """An invitation e-mail's token, stored only as its SHA-256. The token is not a credential: it lets the
    welcome page greet the contact and offer to e-mail a sign-in code to the invited address."""

    access = models.ForeignKey(PortalAccess, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(token_hash__regex=r"^[0-9a-f]{64}$"), name="portal_invitation_hash_hex")
        ]

    def __str__(self) -> str:
        return f"Invitation {self.pk} for {self.access}"


@pghistory.track(*history_trackers())
class Space(models.Model):
    """A room or area of a site ("Pantry", "Garage"): photos are filed and consented per space. `photo_consent`
    overrides the client's default for this space when set (docs/specs/portal.md §6)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="spaces")
    name = models.CharField(max_length=80)
    photo_consent = models.PositiveSmallIntegerField(choices=ConsentLevel.choices, null=True, blank=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="space_name_unique_per_site"),
            models.CheckConstraint(condition=~Q(name=""), name="space_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name
