"""The demo fills the portal pages: a portal user with access and a pending request (docs/specs/portal.md §10)."""

import io

import pytest
from django.core.management import call_command
from django.test import Client as HttpClient

from clients.models import PortalAccess
from operations.models import VisitChangeRequest
from tests.support import portal

pytestmark = pytest.mark.django_db


def test_demo_has_a_portal_user_and_a_request(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())
    grant = PortalAccess.objects.get()
    assert grant.status == "active" and grant.user.is_portal
    request = VisitChangeRequest.objects.get()
    assert request.status == "pending" and request.appointment.client == grant.client
    office = HttpClient()
    office.force_login(grant.invited_by)
    assert grant.client.name in office.get("/portal-office/requests/").content.decode()
    browser = HttpClient()
    assert portal.code_login(browser, grant.user.email)["Location"] == "/portal/"
    assert "Change requested" in browser.get("/portal/visits/").content.decode()
    photos = browser.get("/portal/photos/").content.decode()
    assert "Kitchen" in photos and "Entryway" in photos and photos.count("/thumb/") == 4  # the lockbox shot stays
    assert "Team" in browser.get("/portal/consent/").content.decode()
