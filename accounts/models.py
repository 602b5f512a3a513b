"""Users, their role in the business, and organizer profiles (colour, hours, rates)."""

from __future__ import annotations

import zoneinfo
from decimal import Decimal
from typing import ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q


class AppUserManager(BaseUserManager["User"]):
    """Email is the login: there is no username column."""

    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra_fields: object) -> User:
        if not email:
            raise ValueError("Users need an email address.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra_fields: object) -> User:
        extra_fields.update(is_staff=True, is_superuser=True, role=User.Role.OWNER)
        return self.create_user(email, password, **extra_fields)


class User(AbstractUser):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        OFFICE = "office", "Office staff"
        ORGANIZER = "organizer", "Organizer"
        # A client's contact signed in to the client portal (docs/specs/portal.md): not staff, no staff page.
        PORTAL = "portal", "Client (portal)"

    username = None  # type: ignore[assignment]
    email = models.EmailField("email address", unique=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.ORGANIZER)
    # Owner and office always need a second factor; this flag extends the rule to an organizer (owner-only).
    mfa_required = models.BooleanField(
        "two-factor required", default=False, help_text="Owner and office always need it; set to require it here."
    )

    objects: ClassVar[AppUserManager] = AppUserManager()  # type: ignore[assignment]

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["first_name", "last_name", "email"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=["owner", "office", "organizer", "portal"]), name="user_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def is_owner(self) -> bool:
        return self.role == self.Role.OWNER

    @property
    def is_office(self) -> bool:
        return self.role == self.Role.OFFICE

    @property
    def is_organizer(self) -> bool:
        return self.role == self.Role.ORGANIZER

    @property
    def is_portal(self) -> bool:
        return self.role == self.Role.PORTAL


COLOUR_VALIDATOR = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Enter a colour as #rrggbb.")


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class OrganizerProfile(models.Model):
    """What the schedule needs to know about a person who does visits."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="organizer_profile")
    colour = models.CharField(max_length=7, default="#0d6efd", validators=[COLOUR_VALIDATOR])
    phone = models.CharField(max_length=32, blank=True)
    home_base = models.CharField("home base", max_length=255, blank=True, help_text="Where the day starts.")
    time_zone = models.CharField(max_length=64, default="America/New_York")
    hourly_cost = models.DecimalField(
        max_digits=8, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    billable_rate = models.DecimalField(
        max_digits=8, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(hourly_cost__gte=0), name="profile_hourly_cost_nonnegative"),
            models.CheckConstraint(condition=Q(billable_rate__gte=0), name="profile_billable_rate_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"Profile of {self.user}"


class WorkingHours(models.Model):
    """One working interval per weekday (0 = Monday) in the organizer's own time zone."""

    profile = models.ForeignKey(OrganizerProfile, on_delete=models.CASCADE, related_name="working_hours")
    weekday = models.PositiveSmallIntegerField(
        choices=[
            (i, d) for i, d in enumerate(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"])
        ]
    )
    starts_at = models.TimeField()
    ends_at = models.TimeField()

    class Meta:
        ordering = ["weekday"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "weekday"], name="working_hours_one_per_weekday"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="working_hours_weekday_valid"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="working_hours_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}-{self.ends_at:%H:%M}"


class SecurityEvent(models.Model):
    """An append-only record of a security-relevant change to an account (who did what to whom, and when).

    `actor` is empty when an operator ran a management command; `detail` holds counts and the reason, never a
    secret.
    """

    class Kind(models.TextChoices):
        MFA_RESET = "mfa_reset", "Two-factor reset"
        MFA_REQUIRED_SET = "mfa_required_set", "Two-factor requirement changed"

    kind = models.CharField(max_length=32, choices=Kind.choices)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(User, on_delete=models.PROTECT, related_name="security_events")
    channel = models.CharField(max_length=16, default="web")  # "web" or "command"
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.subject} ({self.created_at:%Y-%m-%d %H:%M})"
