"""The owner's audited two-factor reset, the operator's command, and the per-organizer requirement (W24)."""

from __future__ import annotations

from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import SecurityEvent
from tests.accounts.test_mfa_enforcement import ACTIVATE, make, password_login
from tests.support.mfa import TEST_SECRET, login_with_mfa, totp_enrol

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    owner, office = make("owner", "olivia@example.com"), make("office", "frank@example.com")
    organizer = make("organizer", "maya@example.com")
    for user in (owner, office):
        totp_enrol(user, recovery_codes=True)
    return {"owner": owner, "office": office, "organizer": organizer}


@pytest.mark.real_mfa
def test_W24_owner_resets_office_mfa_sessions_end_and_office_enrols_again(people):
    owner, office = people["owner"], people["office"]
    as_owner, as_office = Client(), Client()
    login_with_mfa(as_owner, owner)
    login_with_mfa(as_office, office)
    assert as_office.get(reverse("dashboard:home")).status_code == 200
    page = as_owner.get(reverse("accounts:user_mfa_reset", kwargs={"pk": office.pk}))
    assert page.status_code == 200 and "Reset two-factor" in page.content.decode()
    response = as_owner.post(
        reverse("accounts:user_mfa_reset", kwargs={"pk": office.pk}), {"reason": "Called Frank on his known number"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("accounts:team_list")
    assert not Authenticator.objects.filter(user=office).exists()
    assert as_office.get(reverse("dashboard:home"))["Location"].startswith(reverse("account_login"))
    event = SecurityEvent.objects.get()
    assert (event.kind, event.actor, event.subject, event.channel) == ("mfa_reset", owner, office, "web")
    assert event.detail["removed"] == ["recovery_codes", "totp"] and event.detail["sessions_ended"] == 1
    assert TEST_SECRET not in str(event.detail)
    again = Client()
    assert password_login(again, office)["Location"] == reverse("dashboard:home")  # no second step any more
    assert again.get(reverse("dashboard:home"))["Location"] == ACTIVATE


def test_W24_reset_needs_a_reason_and_changes_nothing_without_one(client, people):
    client.force_login(people["owner"])
    response = client.post(reverse("accounts:user_mfa_reset", kwargs={"pk": people["office"].pk}), {"reason": "  "})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    assert Authenticator.objects.filter(user=people["office"]).count() == 2
    assert not SecurityEvent.objects.exists()


def test_W24_the_owner_cannot_reset_their_own_mfa_on_the_page(client, people):
    client.force_login(people["owner"])
    url = reverse("accounts:user_mfa_reset", kwargs={"pk": people["owner"].pk})
    response = client.post(url, {"reason": "lost phone"})
    assert response.status_code == 200 and services.MFA_RESET_SELF_MSG in response.content.decode()
    assert Authenticator.objects.filter(user=people["owner"]).count() == 2


@pytest.mark.parametrize("role", ["office", "organizer"])
def test_W24_only_the_owner_resets(client, people, role):
    client.force_login(people[role])
    url = reverse("accounts:user_mfa_reset", kwargs={"pk": people["office"].pk})
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "x"}).status_code == 403
    assert Authenticator.objects.filter(user=people["office"]).count() == 2


def test_W24_reset_of_a_missing_user_is_404(client, people):
    client.force_login(people["owner"])
    assert client.get(reverse("accounts:user_mfa_reset", kwargs={"pk": 999_999})).status_code == 404


def test_W24_operator_command_resets_the_owner_and_prints_no_secret(people):
    out = StringIO()
    call_command("mfa_reset", "OLIVIA@example.com", "--reason", "ID checked in person", stdout=out)
    assert "2 authenticator(s) removed" in out.getvalue() and TEST_SECRET not in out.getvalue()
    assert not Authenticator.objects.filter(user=people["owner"]).exists()
    event = SecurityEvent.objects.get()
    assert event.actor is None and event.channel == "command" and event.subject == people["owner"]


def test_W24_operator_command_refuses_unknown_users_and_empty_reasons(people):
    with pytest.raises(CommandError, match="No user"):
        call_command("mfa_reset", "nobody@example.com", "--reason", "x")
    with pytest.raises(CommandError, match="Say how you checked"):
        call_command("mfa_reset", "olivia@example.com", "--reason", " ")
    assert Authenticator.objects.filter(user=people["owner"]).count() == 2


def test_owner_marks_an_organizer_as_required_and_it_is_recorded(client, people):
    client.force_login(people["owner"])
    url = reverse("accounts:user_mfa_required", kwargs={"pk": people["organizer"].pk})
    assert client.post(url, {"required": "on"}).status_code == 302
    people["organizer"].refresh_from_db()
    assert people["organizer"].mfa_required is True
    assert SecurityEvent.objects.get().detail == {"required": True}
    client.post(url, {})
    people["organizer"].refresh_from_db()
    assert people["organizer"].mfa_required is False


def test_the_requirement_is_for_organizers_only_and_only_the_owner_sets_it(client, people):
    client.force_login(people["owner"])
    response = client.post(
        reverse("accounts:user_mfa_required", kwargs={"pk": people["office"].pk}), {"required": ""}, follow=True
    )
    assert services.MFA_REQUIRED_ROLE_MSG in response.content.decode()
    client.force_login(people["office"])
    url = reverse("accounts:user_mfa_required", kwargs={"pk": people["organizer"].pk})
    assert client.post(url, {"required": "on"}).status_code == 403
    people["organizer"].refresh_from_db()
    assert people["organizer"].mfa_required is False and not SecurityEvent.objects.exists()


def test_team_page_shows_who_has_two_factor_and_offers_the_owner_its_actions(client, people):
    client.force_login(people["owner"])
    body = client.get(reverse("accounts:team_list")).content.decode()
    assert reverse("accounts:user_mfa_reset", kwargs={"pk": people["office"].pk}) in body
    assert reverse("accounts:user_mfa_reset", kwargs={"pk": people["owner"].pk}) not in body  # not oneself
    assert reverse("accounts:user_mfa_required", kwargs={"pk": people["organizer"].pk}) in body
    client.force_login(people["office"])
    body = client.get(reverse("accounts:team_list")).content.decode()
    assert "user_mfa" not in body and reverse("accounts:user_mfa_reset", kwargs={"pk": people["office"].pk}) not in body
