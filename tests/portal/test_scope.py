"""What a portal user sees and may reach (docs/specs/portal.md §3; SW8-SW10, SW14)."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse

from accounts.models import OrganizerProfile
from clients.models import Intake, Site
from operations.models import Appointment, VisitChangeRequest
from tests.authz.world import assert_no_leak, normalized, table_counts
from tests.support import portal

MISSING = 999_999_999
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def cast(client_a, client_b, organizer_a, organizer_b, portal_p, portal_q):
    organizer_a.last_name = "Zebulonsky"
    organizer_a.save(update_fields=["last_name"])
    OrganizerProfile.objects.update_or_create(
        user=organizer_a, defaults={"phone": "+12125559876", "billable_rate": "97.50"}
    )
    visit_x = portal.book_visit(client=client_a, organizer=organizer_a, starts=portal.in_hours(72))
    Appointment.objects.filter(pk=visit_x.pk).update(notes="Canary visit note: the safe is behind the mirror")
    visit_y = portal.book_visit(client=client_b, organizer=organizer_b, starts=portal.in_hours(96))
    return {"x": visit_x, "y": visit_y, "organizer": organizer_a}


def _csrf_client(email: str) -> tuple[HttpClient, str]:
    """A browser that enforces CSRF, signed in by code, with a valid token read from a portal page."""
    browser = HttpClient(enforce_csrf_checks=True)
    browser.get(reverse("account_request_login_code"))
    token = browser.cookies["csrftoken"].value
    browser.post(reverse("account_request_login_code"), {"email": email, "csrfmiddlewaretoken": token})
    code = portal.last_code(email)
    browser.post(reverse("account_confirm_login_code"), {"code": code, "csrfmiddlewaretoken": token})
    page = browser.get("/portal/intake/")
    return browser, CSRF_RE.search(page.content.decode()).group(1)


def test_W8_another_clients_ids_answer_the_generic_404(cast, portal_p, client_b):
    browser, token = _csrf_client(portal_p.email)
    for path in ("/portal/visits/{}/", "/portal/visits/{}/reschedule/", "/portal/visits/{}/cancel/"):
        foreign = browser.get(path.format(cast["y"].pk))
        missing = browser.get(path.format(MISSING))
        assert foreign.status_code == missing.status_code == 404
        assert normalized(foreign) == normalized(missing)
        assert_no_leak(foreign, client_b)
    counts = table_counts()
    events = apps.get_model("pghistory", "Context").objects.count()
    posts = [
        ("/portal/visits/{}/reschedule/", {"preferred_1": "2031-01-01T10:00", "note": "x"}),
        ("/portal/visits/{}/cancel/", {"acknowledge_late": "on"}),
    ]
    for path, data in posts:
        response = browser.post(path.format(cast["y"].pk), {**data, "csrfmiddlewaretoken": token})
        assert response.status_code == 404
        assert_no_leak(response, client_b)
    assert table_counts() == counts
    assert apps.get_model("pghistory", "Context").objects.count() == events
    assert Appointment.objects.get(pk=cast["y"].pk).status == "scheduled"


def test_W8_the_services_refuse_a_foreign_visit_too(cast, portal_p):
    from django.core.exceptions import ValidationError

    from operations.services import portal as services

    with pytest.raises(ValidationError) as refused:
        services.visit_cancel_by_client(user=portal_p, appointment_id=cast["y"].pk, acknowledge_late=True)
    assert refused.value.code == "not_found"
    with pytest.raises(ValidationError):
        services.visit_reschedule_request(user=portal_p, appointment_id=cast["y"].pk, preferred_windows=["x"])
    assert not VisitChangeRequest.objects.exists()


def test_W9_staff_urls_do_not_exist_for_a_portal_user(cast, signed_in_p, client_a):
    from projects import services as project_services

    project = project_services.project_create(data={"client": client_a, "name": "Alder move", "start_on": "2026-06-01"})
    project_url = reverse("projects:project_detail", args=[project.pk])
    visit_url = reverse("operations:appointment_detail", args=[cast["x"].pk])
    paths = [
        "/", "/clients/", f"/clients/{client_a.pk}/", visit_url, project_url,
        "/billing/", "/team/", "/admin/", "/media/photos/anything.jpg", "/portal-office/requests/",
        reverse("account_change_password"), reverse("mfa_index"),
    ]  # fmt: skip
    signed_in_p.get("/no-such-page/")  # shows, and so spends, the "signed in" message
    missing = signed_in_p.get("/no-such-page/")
    for path in paths:
        response = signed_in_p.get(path)
        assert response.status_code == 404, path
        assert normalized(response) == normalized(missing), path
        assert client_a.name not in response.content.decode()
    assert signed_in_p.get("/portal/").status_code == 200  # still signed in


def test_W9_staff_posts_with_a_valid_csrf_token_change_nothing(cast, portal_p, client_a):
    browser, token = _csrf_client(portal_p.email)
    counts = table_counts()
    posts = [
        (f"/clients/{client_a.pk}/archive/", {}),
        (f"/clients/{client_a.pk}/edit/", {"kind": "household", "name": "Hacked", "status": "past"}),
        (reverse("operations:appointment_cancel", args=[cast["x"].pk]), {}),
        (f"/portal-office/clients/{client_a.pk}/contacts/{client_a.contacts.first().pk}/invite/", {}),
    ]
    for path, data in posts:
        response = browser.post(path, {**data, "csrfmiddlewaretoken": token})
        assert response.status_code == 404, path
        assert "Hacked" not in response.content.decode()
    assert table_counts() == counts
    client_a.refresh_from_db()
    assert client_a.name == "Alder household" and client_a.archived_at is None
    assert Appointment.objects.get(pk=cast["x"].pk).status == "scheduled"


@pytest.mark.parametrize("role", ["owner", "office", "organizer"])
def test_W9_staff_get_403_on_the_portal(client, users, role):
    client.force_login(users[role])
    assert client.get("/portal/").status_code == 403
    assert client.get("/portal/visits/").status_code == 403


def test_W10_own_visit_shown_internal_data_hidden(cast, signed_in_p, client_a, django_capture_on_commit_callbacks):
    page = signed_in_p.get(f"/portal/visits/{cast['x'].pk}/")
    body = page.content.decode()
    local = cast["x"].starts.astimezone(__import__("zoneinfo").ZoneInfo("America/New_York"))
    assert page.status_code == 200
    assert f"{local:%H:%M}" in body and "Anna" in body and "Entry code on file: yes" in body
    for canary in ("Zebulonsky", "+12125559876", "97.50", "1357", "Canary visit note", client_a.notes):
        assert canary not in body, canary
    for path in ("/portal/", "/portal/visits/", "/portal/access/", "/portal/intake/", "/portal/profile/"):
        assert "1357" not in signed_in_p.get(path).content.decode(), path
    site = client_a.sites.get()
    with django_capture_on_commit_callbacks(execute=True):
        saved = signed_in_p.post("/portal/access/", {"site": site.pk, "entry_code": "ZX-424242"})
    assert saved.status_code == 302
    assert Site.objects.get(pk=site.pk).entry_code == "ZX-424242"
    for path in ("/portal/", f"/portal/visits/{cast['x'].pk}/", "/portal/access/"):
        assert "ZX-424242" not in signed_in_p.get(path).content.decode(), path
    assert len(mail.outbox) and all("ZX-424242" not in m.body and "ZX-424242" not in m.subject for m in mail.outbox)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_name LIKE '%%event%%'")
        for (table,) in cursor.fetchall():
            cursor.execute(f'SELECT COUNT(*) FROM "{table}" WHERE CAST("{table}".* AS text) LIKE %s', ["%ZX-424242%"])
            assert cursor.fetchone()[0] == 0, table
    cursor_ctx = apps.get_model("pghistory", "Context").objects.filter(metadata__icontains="ZX-424242")
    assert not cursor_ctx.exists()


def test_W10_entry_code_bad_input(cast, signed_in_p, client_a):
    site = client_a.sites.get()
    response = signed_in_p.post("/portal/access/", {"site": site.pk, "entry_code": "  "})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    foreign_site = Site.objects.exclude(client=client_a).first()
    other = signed_in_p.post("/portal/access/", {"site": foreign_site.pk, "entry_code": "1111"})
    assert other.status_code == 200 and "Select a valid choice" in other.content.decode()
    assert Site.objects.get(pk=site.pk).entry_code == "1357"
    assert Site.objects.get(pk=foreign_site.pk).entry_code == "8642"


def test_W14_intake_edit_recorded_with_channel_portal(
    signed_in_p, client_a, portal_p, owner, django_capture_on_commit_callbacks
):
    Intake.objects.filter(client=client_a).update(goals="cat", budget_range="")
    IntakeEvent = apps.get_model("clients", "IntakeEvent")
    before = IntakeEvent.objects.count()
    data = {"goals": "cat, dog", "spaces": "", "pain_points": "", "schedule_preferences": "", "decision_makers": ""}
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in_p.post("/portal/intake/", {**data, "budget_range": "over_15k", "notes": "Hacked"})
    assert response.status_code == 302
    events = list(IntakeEvent.objects.order_by("pgh_id")[before:])
    assert len(events) == 1
    context = events[0].pgh_context.metadata
    assert context["user"] == portal_p.pk and context["channel"] == "portal"
    intake = Intake.objects.get(client=client_a)
    assert intake.goals == "cat, dog" and intake.budget_range == ""
    client_a.refresh_from_db()
    assert client_a.notes == "Alder household internal note"
    office_mail = [m for m in mail.outbox if "Intake" in m.subject]
    assert len(office_mail) == 1 and "goals" in office_mail[0].body
    staff = HttpClient()
    staff.force_login(owner)
    page = staff.get(f"/clients/{client_a.pk}/").content.decode()
    assert str(portal_p) in page and "via portal" in page and "cat, dog" in page and "<del>cat</del>" in page


def test_W14_intake_bad_input_writes_nothing(signed_in_p, client_a):
    IntakeEvent = apps.get_model("clients", "IntakeEvent")
    before = IntakeEvent.objects.count()
    response = signed_in_p.post("/portal/intake/", {"goals": "x" * 5000})
    assert response.status_code == 200 and "at most 4000 characters" in response.content.decode()
    assert IntakeEvent.objects.count() == before
