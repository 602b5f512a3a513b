import pytest
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db

HOURS_OFF = {f"hours-{k}_{d}": "" for d in range(7) for k in ("start", "end")}


def profile_data(**extra):
    data = {"profile-colour": "#123456", "profile-phone": "", "profile-home_base": "Newark",
            "profile-time_zone": "America/New_York"}  # fmt: skip
    return data | HOURS_OFF | {"hours-start_0": "09:00", "hours-end_0": "17:00"} | extra


def test_team_page_shows_rates_to_owner_only(client, owner, office, organizer_a):
    profile = organizer_a.organizer_profile
    profile.billable_rate = "87.50"
    profile.save()
    client.force_login(owner)
    assert "87.50" in client.get(reverse("accounts:team_list")).content.decode()
    client.force_login(office)
    assert "87.50" not in client.get(reverse("accounts:team_list")).content.decode()


def test_owner_creates_a_user(client, owner):
    client.force_login(owner)
    response = client.post(
        reverse("accounts:user_create"),
        {"email": "new@example.com", "first_name": "New", "last_name": "", "role": "office", "password": ""},
    )
    assert response.status_code == 302
    assert User.objects.get(email="new@example.com").role == "office"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "not-an-email", "first_name": "N", "role": "office"}, "email"),
        ({"email": "olivia@example.com", "first_name": "N", "role": "office"}, "email"),
        ({"email": "n@example.com", "first_name": "", "role": "office"}, "first_name"),
        ({"email": "n@example.com", "first_name": "N", "role": "king"}, "role"),
        ({"email": "n@example.com", "first_name": "N", "role": "office", "password": "Passw0rd!"}, "password"),
        ({"email": "n@example.com", "first_name": "x" * 151, "role": "office"}, "first_name"),
    ],
)
def test_user_create_bad_input(client, owner, data, field):
    client.force_login(owner)
    before = User.objects.count()
    response = client.post(reverse("accounts:user_create"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert User.objects.count() == before


def test_user_edit_refuses_to_demote_the_last_owner(client, owner):
    client.force_login(owner)
    response = client.post(
        reverse("accounts:user_edit", kwargs={"pk": owner.pk}),
        {"first_name": "O", "last_name": "", "role": "office", "is_active": "on"},
    )
    assert response.status_code == 200 and "at least one active owner" in response.content.decode()
    owner.refresh_from_db()
    assert owner.role == "owner"


def test_user_edit_rejects_an_unknown_role(client, owner, organizer_a):
    client.force_login(owner)
    response = client.post(
        reverse("accounts:user_edit", kwargs={"pk": organizer_a.pk}),
        {"first_name": "A", "last_name": "", "role": "superuser", "is_active": "on"},
    )
    assert response.status_code == 200 and "role" in response.context["form"].errors


def test_organizer_edits_own_profile_but_cannot_set_rates(client, organizer_a):
    client.force_login(organizer_a)
    url = reverse("accounts:profile_edit", kwargs={"pk": organizer_a.pk})
    response = client.post(url, profile_data(**{"rates-billable_rate": "500", "profile-phone": "(212) 555-0100"}))
    assert response.status_code == 302
    profile = organizer_a.organizer_profile
    profile.refresh_from_db()
    assert profile.billable_rate == 0 and profile.phone == "+12125550100" and profile.home_base == "Newark"
    assert list(profile.working_hours.values_list("weekday", flat=True)) == [0]


def test_owner_sets_rates(client, owner, organizer_a):
    client.force_login(owner)
    url = reverse("accounts:profile_edit", kwargs={"pk": organizer_a.pk})
    response = client.post(url, profile_data(**{"rates-hourly_cost": "40", "rates-billable_rate": "75"}))
    assert response.status_code == 302
    organizer_a.organizer_profile.refresh_from_db()
    assert organizer_a.organizer_profile.billable_rate == 75


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"profile-time_zone": "Atlantis/Capital"}, "Choose a time zone"),
        ({"profile-colour": "red"}, "#rrggbb"),
        ({"profile-phone": "123"}, "valid phone"),
        ({"hours-start_1": "10:00", "hours-end_1": ""}, "Give both a start and an end"),
        ({"hours-start_1": "17:00", "hours-end_1": "09:00"}, "The end must be after the start"),
        ({"hours-start_1": "25:00", "hours-end_1": "26:00"}, "Enter a valid time"),
    ],
)
def test_profile_form_bad_input_saves_nothing(client, office, organizer_a, change, message):
    client.force_login(office)
    url = reverse("accounts:profile_edit", kwargs={"pk": organizer_a.pk})
    response = client.post(url, profile_data(**change))
    assert response.status_code == 200 and message in response.content.decode()
    profile = organizer_a.organizer_profile
    profile.refresh_from_db()
    assert profile.home_base == "" and profile.working_hours.count() == 5


def test_owner_sees_rate_fields_and_office_does_not(client, owner, office, organizer_a):
    url = reverse("accounts:profile_edit", kwargs={"pk": organizer_a.pk})
    client.force_login(owner)
    assert "rates-billable_rate" in client.get(url).content.decode()
    client.force_login(office)
    assert "rates-billable_rate" not in client.get(url).content.decode()
