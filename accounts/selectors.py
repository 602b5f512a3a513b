"""Reads of users and profiles, scoped by role."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.db.models import Exists, OuterRef, QuerySet
from django.shortcuts import get_object_or_404

from accounts import access, mfa
from accounts.models import OrganizerProfile, User


def user_list_for_user(*, user: Any) -> QuerySet[User]:
    """The team page: everyone who works for the business, for owner and office; nobody for organizers. Portal
    users are clients, managed from the client's page."""
    if not access.is_staff_role(user):
        return User.objects.none()
    factors = Authenticator.objects.filter(user_id=OuterRef("pk"), type__in=mfa.FACTOR_TYPES)
    return (
        User.objects.filter(role__in=access.TEAM_ROLES)
        .select_related("organizer_profile")
        .prefetch_related("organizer_profile__working_hours")
        .annotate(has_mfa=Exists(factors))
    )


def user_get_for_user(*, user: Any, pk: int) -> User:
    return get_object_or_404(user_list_for_user(user=user), pk=pk)


def profile_get_for_user(*, user: Any, pk: int) -> OrganizerProfile:
    """An organizer profile by its user's id: staff see all; an organizer only their own (else 404)."""
    profiles = OrganizerProfile.objects.select_related("user").prefetch_related("working_hours")
    if not access.is_staff_role(user):
        profiles = profiles.filter(user=user) if access.is_organizer(user) else profiles.none()
    return get_object_or_404(profiles, user_id=pk)
