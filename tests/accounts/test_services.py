from datetime import time

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ValidationError

from accounts import services
from accounts.models import User

pytestmark = pytest.mark.django_db


def test_user_create_gives_organizers_a_profile_with_weekday_hours(owner):
    user = services.user_create(actor=owner, email="New@Example.com", role="organizer", password=None)
    hours = list(user.organizer_profile.working_hours.values_list("weekday", "starts_at", "ends_at"))
    assert hours == [(d, time(9), time(17)) for d in range(5)]
    assert not user.has_usable_password()


def test_user_create_is_refused_to_office(office):
    with pytest.raises(ValidationError):
        services.user_create(actor=office, email="x@example.com", role="owner", password=None)
    assert not User.objects.filter(email="x@example.com").exists()


@pytest.mark.parametrize("password", ["Passw0rd!", "short7!", "12345678901"])
def test_SA8_weak_passwords_are_refused(owner, password):
    with pytest.raises(ValidationError) as exc:
        services.user_create(actor=owner, email="weak@example.com", role="organizer", password=password)
    assert "password" in exc.value.message_dict
    assert not User.objects.filter(email="weak@example.com").exists()


@pytest.mark.production_hashers  # the hasher is the subject: real Argon2 costs
def test_SA9_passwords_are_hashed_with_argon2(owner):
    user = services.user_create(actor=owner, email="strong@example.com", role="office", password="a" * 64 + "-xyz")
    assert user.password.startswith("argon2$")


def test_last_owner_cannot_be_demoted(owner):
    with pytest.raises(ValidationError) as exc:
        services.user_update(actor=owner, user=owner, role="office", is_active=True, first_name="O", last_name="")
    assert exc.value.code == "last_owner"
    owner.refresh_from_db()
    assert owner.role == "owner"


def test_owner_can_hand_over_then_step_down(owner):
    other = services.user_create(actor=owner, email="o2@example.com", role="owner", password=None)
    services.user_update(actor=owner, user=owner, role="office", is_active=True, first_name="", last_name="")
    assert User.objects.get(pk=owner.pk).role == "office"
    assert other.role == "owner"


def test_SS3_deactivation_ends_the_users_sessions(owner, office):
    session = SessionStore()
    session["_auth_user_id"] = str(office.pk)
    session.create()
    services.user_update(actor=owner, user=office, role="office", is_active=False, first_name="", last_name="")
    assert not SessionStore().exists(session.session_key)


def test_rates_can_only_be_changed_by_the_owner(office, organizer_a):
    profile = organizer_a.organizer_profile
    with pytest.raises(ValidationError):
        services.organizer_profile_update(actor=office, profile=profile, data={"billable_rate": "99"})
    profile.refresh_from_db()
    assert profile.billable_rate == 0


def test_working_hours_set_replaces_days(organizer_a):
    profile = organizer_a.organizer_profile
    services.working_hours_set(profile=profile, hours={0: None, 5: (time(10), time(14))})
    days = dict(profile.working_hours.values_list("weekday", "starts_at"))
    assert 0 not in days and days[5] == time(10)


def test_working_hours_set_rejects_an_end_before_the_start(organizer_a):
    with pytest.raises(ValidationError):
        services.working_hours_set(profile=organizer_a.organizer_profile, hours={1: (time(17), time(9))})
