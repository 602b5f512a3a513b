"""Writes to users, roles and organizer profiles. Only the owner grants roles or sets rates."""

from __future__ import annotations

from datetime import time
from typing import Any

from allauth.mfa.models import Authenticator
from django.contrib.auth import password_validation
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import access
from accounts.models import OrganizerProfile, SecurityEvent, User, WorkingHours

ROLE_CHANGE_FORBIDDEN_MSG = "Only the owner can create users or change roles."
LAST_OWNER_MSG = "The business needs at least one active owner; make someone else owner first."
RATES_FORBIDDEN_MSG = "Only the owner can see or change rates."
PROFILE_FIELDS = ["colour", "phone", "home_base", "time_zone"]
RATE_FIELDS = ["hourly_cost", "billable_rate"]

MFA_RESET_SELF_MSG = "You cannot reset your own two-factor authentication here; ask another owner or the operator."
MFA_RESET_REASON_MSG = "Say how you checked who is asking (for example: a call to their known number)."
MFA_REQUIRED_ROLE_MSG = "Owner and office always need two-factor authentication; the setting is for organizers."

DEFAULT_WORKING_HOURS = {day: (time(9, 0), time(17, 0)) for day in range(5)}


def _ensure_owner(actor: User) -> None:
    if not access.is_owner(actor):
        raise ValidationError(ROLE_CHANGE_FORBIDDEN_MSG, code="forbidden")


@transaction.atomic
def user_create(
    *, actor: User | None, email: str, role: str, password: str | None, first_name: str = "", last_name: str = ""
) -> User:
    """Create a user (actor None only for seeding); organizers get a profile with weekday 9-17 hours."""
    if actor is not None:
        _ensure_owner(actor)
    user = User(email=User.objects.normalize_email(email), role=role, first_name=first_name, last_name=last_name)
    if password:
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.error_list}) from exc
        user.set_password(password)
    else:
        user.set_unusable_password()  # they set one through the password-reset email
    user.full_clean()
    user.save()
    if role == User.Role.ORGANIZER:
        organizer_profile_ensure(user=user)
    return user


@transaction.atomic
def user_update(*, actor: User, user: User, role: str, is_active: bool, first_name: str, last_name: str) -> User:
    """Change a user's name, role or active flag. Demoting or deactivating the last owner is refused."""
    _ensure_owner(actor)
    # Lock the owners so two simultaneous demotions cannot both pass the last-owner check.
    owners = list(User.objects.select_for_update().filter(role=User.Role.OWNER, is_active=True).order_by("pk"))
    # Read the stored state: a ModelForm may already have copied the new values onto `user`.
    stored = User.objects.select_for_update().get(pk=user.pk)
    losing_owner = stored.role == User.Role.OWNER and stored.is_active and (role != User.Role.OWNER or not is_active)
    if losing_owner and [o.pk for o in owners] == [user.pk]:
        raise ValidationError(LAST_OWNER_MSG, code="last_owner")
    was_active = stored.is_active
    user.role, user.is_active, user.first_name, user.last_name = role, is_active, first_name, last_name
    user.full_clean()
    user.save(update_fields=["role", "is_active", "first_name", "last_name"])
    if role == User.Role.ORGANIZER:
        organizer_profile_ensure(user=user)
    if was_active and not is_active:
        user_end_sessions(user=user)
    return user


def user_end_sessions(*, user: User) -> int:
    """Delete the user's sessions (deactivation ends them at once, not at the next request)."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended


def organizer_profile_ensure(*, user: User) -> OrganizerProfile:
    profile, created = OrganizerProfile.objects.get_or_create(user=user)
    if created:
        WorkingHours.objects.bulk_create(
            [
                WorkingHours(profile=profile, weekday=d, starts_at=s, ends_at=e)
                for d, (s, e) in DEFAULT_WORKING_HOURS.items()
            ]
        )
    return profile


@transaction.atomic
def organizer_profile_update(*, actor: User, profile: OrganizerProfile, data: dict[str, Any]) -> OrganizerProfile:
    """Update contact details and, for the owner only, rates. Rate keys from anyone else are refused."""
    fields = [f for f in PROFILE_FIELDS if f in data]
    rate_fields = [f for f in RATE_FIELDS if f in data]
    if rate_fields and not access.is_owner(actor):
        raise ValidationError(RATES_FORBIDDEN_MSG, code="forbidden")
    for name in fields + rate_fields:
        setattr(profile, name, data[name])
    profile.full_clean()
    profile.save(update_fields=fields + rate_fields)
    return profile


@transaction.atomic
def working_hours_set(*, profile: OrganizerProfile, hours: dict[int, tuple[time, time] | None]) -> None:
    """Replace the weekly hours: one interval per weekday, or None for a day off."""
    for weekday, interval in hours.items():
        if interval is None:
            WorkingHours.objects.filter(profile=profile, weekday=weekday).delete()
            continue
        starts_at, ends_at = interval
        if ends_at <= starts_at:
            raise ValidationError("A working day must end after it starts.", code="end_before_start")
        WorkingHours.objects.update_or_create(
            profile=profile, weekday=weekday, defaults={"starts_at": starts_at, "ends_at": ends_at}
        )


def sessions_clear_expired() -> int:
    """Remove expired sessions (run by Celery beat); returns how many were removed."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@transaction.atomic
def mfa_reset(*, actor: User | None, user: User, reason: str, channel: str = "web") -> SecurityEvent:
    """Remove every second factor of `user`, end their sessions and record who did it (W24).

    For a user who lost their phone, after the owner checked their identity; their next login asks them to
    enrol again when they must have MFA. `actor` None is the operator's `manage.py mfa_reset`.
    """
    if actor is not None:
        _ensure_owner(actor)
        if actor.pk == user.pk:
            raise ValidationError(MFA_RESET_SELF_MSG, code="self")
    if not reason.strip():
        raise ValidationError({"reason": MFA_RESET_REASON_MSG}, code="reason")
    User.objects.select_for_update().get(pk=user.pk)  # one reset at a time per user
    types = sorted(Authenticator.objects.filter(user=user).values_list("type", flat=True))
    Authenticator.objects.filter(user=user).delete()
    ended = user_end_sessions(user=user)
    return SecurityEvent.objects.create(
        kind=SecurityEvent.Kind.MFA_RESET,
        actor=actor,
        subject=user,
        channel=channel,
        detail={"removed": types, "sessions_ended": ended, "reason": reason.strip()[:500]},
    )


@transaction.atomic
def user_mfa_required_set(*, actor: User, user: User, required: bool) -> User:
    """The owner requires (or stops requiring) two-factor authentication for an organizer; recorded."""
    _ensure_owner(actor)
    if user.role != User.Role.ORGANIZER:
        raise ValidationError(MFA_REQUIRED_ROLE_MSG, code="role")
    if user.mfa_required != required:
        user.mfa_required = required
        user.save(update_fields=["mfa_required"])
        SecurityEvent.objects.create(
            kind=SecurityEvent.Kind.MFA_REQUIRED_SET, actor=actor, subject=user, detail={"required": required}
        )
    return user
