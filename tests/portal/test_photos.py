"""The portal's Photos and Photo consent pages (docs/specs/portal.md §10; W8, W16, W48)."""

from __future__ import annotations

import uuid

import pytest
from django.apps import apps
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from clients.models import ConsentLevel, Space
from photos.models import ConsentChange, Photo
from photos.services import consent as consent_services
from tests.authz.world import assert_no_leak, normalized, table_counts
from tests.photos.support import store
from tests.portal.test_scope import _csrf_client
from tests.support import portal

MISSING = uuid.UUID(int=999_999_999)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def shots(client_a, client_b, organizer_a, organizer_b):
    """cX (client_a): a Pantry before/after pair, an unshared lockbox shot and a hidden one; cY: one photo."""
    visit_x = portal.book_visit(client=client_a, organizer=organizer_a, starts=portal.in_hours(72))
    visit_y = portal.book_visit(client=client_b, organizer=organizer_b, starts=portal.in_hours(96))
    hidden = store(visit_x, organizer_a, stage="during", space="Pantry")
    Photo.objects.filter(pk=hidden.pk).update(hidden_at=timezone.now())
    return {
        "before": store(visit_x, organizer_a, stage="before", space="Pantry"),
        "after": store(visit_x, organizer_a, stage="after", space="Pantry"),
        "unshared": store(visit_x, organizer_a, stage="before", space="Hall", shared=False),
        "hidden": hidden,
        "foreign": store(visit_y, organizer_b, stage="before", space="Cellar"),
    }


def _same_404(http, path: str, foreign: Photo, canary_client) -> None:
    answer, missing = http.get(path.format(foreign.pk)), http.get(path.format(MISSING))
    assert answer.status_code == missing.status_code == 404, path
    assert normalized(answer) == normalized(missing), path
    assert str(foreign.pk) not in answer.content.decode()
    assert_no_leak(answer, canary_client)


def test_W16_W48_photos_page_pairs_shared_photos_and_serves_their_files(shots, signed_in_p, client_a):
    page = signed_in_p.get("/portal/photos/")
    body = page.content.decode()
    assert page.status_code == 200 and "Pantry" in body
    assert reverse("portal:photo_thumb", args=[shots["before"].pk]) in body
    assert body.index(str(shots["before"].pk)) < body.index(str(shots["after"].pk))  # before beside after
    for hidden in ("unshared", "hidden", "foreign"):
        assert str(shots[hidden].pk) not in body
    detail = signed_in_p.get(f"/portal/photos/{shots['after'].pk}/")
    assert (
        detail.status_code == 200
        and reverse("portal:photo_display", args=[shots["after"].pk]) in detail.content.decode()
    )
    for variant in ("display", "thumb"):
        response = signed_in_p.get(f"/portal/photos/{shots['before'].pk}/{variant}/")
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    for path in ("/portal/photos/{}/", "/portal/photos/{}/display/", "/portal/photos/{}/thumb/"):
        _same_404(signed_in_p, path, shots["unshared"], client_a)
        _same_404(signed_in_p, path, shots["hidden"], client_a)
    assert "Photos" in signed_in_p.get("/portal/").content.decode()


def test_W8_another_clients_photos_and_consent_scopes_answer_the_generic_404(shots, portal_p, client_b):
    browser, token = _csrf_client(portal_p.email)
    for path in ("/portal/photos/{}/", "/portal/photos/{}/display/", "/portal/photos/{}/thumb/"):
        _same_404(browser, path, shots["foreign"], client_b)
    assert "Cellar" not in browser.get("/portal/photos/").content.decode()
    assert "Cellar" not in browser.get("/portal/consent/").content.decode()
    counts = table_counts()
    events = apps.get_model("pghistory", "Context").objects.count()
    foreign_space = shots["foreign"].space_id
    for scope in (f"space-{foreign_space}", f"photo-{shots['foreign'].pk}", f"photo-{shots['unshared'].pk}",
                  "space-999999999", f"photo-{MISSING}", "space-abc", "photo-x", "everything"):  # fmt: skip
        response = browser.post("/portal/consent/", {"scope": scope, "level": "0", "csrfmiddlewaretoken": token})
        assert response.status_code == 404, scope
        assert_no_leak(response, client_b)
    assert table_counts() == counts
    assert apps.get_model("pghistory", "Context").objects.count() == events
    assert Space.objects.get(pk=foreign_space).photo_consent is None


def test_W48_consent_page_in_words_and_the_client_changes_each_scope(shots, signed_in_p, portal_p, client_a):
    page = signed_in_p.get("/portal/consent/").content.decode()
    assert "Private" in page and "never your name or address" in page
    assert "taken down within 7 days" in page and "Printed material" in page
    pantry = shots["before"].space
    posted = signed_in_p.post("/portal/consent/", {"scope": f"space-{pantry.pk}", "level": "1"})
    assert posted.status_code == 302 and posted["Location"] == "/portal/consent/"
    change = ConsentChange.objects.get()
    assert (change.space, change.level, change.channel, change.set_by) == (pantry, 1, "portal", portal_p)
    signed_in_p.post("/portal/consent/", {"scope": f"photo-{shots['after'].pk}", "level": "0"})
    signed_in_p.post("/portal/consent/", {"scope": "client", "level": "2"})
    client_a.refresh_from_db()
    assert client_a.photo_consent_default == ConsentLevel.PORTFOLIO_ANON
    assert Photo.objects.get(pk=shots["after"].pk).consent_cap == ConsentLevel.PRIVATE
    page = signed_in_p.get("/portal/consent/").content.decode()
    assert "Set by Pat Parker" in page and "Pantry, after" in page and "Team" in page
    # Clearing: the space follows the default again, the photo loses its cap.
    signed_in_p.post("/portal/consent/", {"scope": f"space-{pantry.pk}", "level": ""})
    signed_in_p.post("/portal/consent/", {"scope": f"photo-{shots['after'].pk}", "level": ""})
    assert Space.objects.get(pk=pantry.pk).photo_consent is None
    assert Photo.objects.get(pk=shots["after"].pk).consent_cap is None
    assert "No photo has its own limit." in signed_in_p.get("/portal/consent/").content.decode()


def test_W48_bad_consent_input_says_why_and_writes_nothing(shots, signed_in_p, client_a):
    before = ConsentChange.objects.count()
    for data, message in (
        ({"scope": "client", "level": "7"}, "Choose private, team or portfolio."),
        ({"scope": "client", "level": ""}, consent_services.LEVEL_MSG),
        ({"level": "1"}, "This field is required."),
    ):
        response = signed_in_p.post("/portal/consent/", data)
        assert response.status_code == 200 and message in response.content.decode(), data
    assert ConsentChange.objects.count() == before
    client_a.refresh_from_db()
    assert client_a.photo_consent_default == ConsentLevel.PRIVATE


def test_W48_the_staff_email_link_is_the_consent_page():
    assert reverse("portal:consent") == consent_services.PORTAL_CONSENT_PATH


def test_W48_staff_get_403_and_visitors_the_sign_in_page(office, organizer_a, owner, shots):
    paths = ["/portal/photos/", "/portal/consent/", f"/portal/photos/{shots['before'].pk}/display/"]
    for user in (owner, office, organizer_a):
        http = HttpClient()
        http.force_login(user)
        for path in paths:
            assert http.get(path).status_code == 403, (user.role, path)
        assert http.post("/portal/consent/", {"scope": "client", "level": "2"}).status_code == 403
    for path in paths:
        assert HttpClient().get(path)["Location"].startswith(reverse("account_request_login_code"))
    assert not ConsentChange.objects.exists()


def test_T48_consent_and_photo_times_are_in_the_clients_zone_and_say_which(shots, signed_in_p, portal_p, client_a):
    """docs/specs/defects.md T48: "Set by … on 6 Dec 2026, 09:46" named no zone (it was the business's)."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    import time_machine

    from clients.models import Site

    Site.objects.filter(client=client_a).update(time_zone="America/Los_Angeles")
    with time_machine.travel(datetime(2026, 12, 6, 17, 46, tzinfo=UTC), tick=False):  # 09:46 in Los Angeles
        consent_services.consent_set_by_client(actor=portal_p, client=client_a, level=1)
    page = signed_in_p.get("/portal/consent/").content.decode()
    assert "Set by Pat Parker on 6 Dec 2026, 09:46 PST" in page and "12:46" not in page
    taken = shots["before"].taken_at.astimezone(ZoneInfo("America/Los_Angeles"))
    detail = signed_in_p.get(reverse("portal:photo_detail", args=[shots["before"].pk])).content.decode()
    assert f"Taken {taken.day} {taken:%b %Y, %H:%M %Z}" in detail
    assert f"{taken.day} {taken:%b %Y}" in signed_in_p.get("/portal/photos/").content.decode()
