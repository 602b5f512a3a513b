"""Photo files and who reaches them (W19, W42), the selectors the portal calls (W16), the panels and the gallery."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.http import Http404
from django.urls import reverse

from clients.models import ConsentLevel
from photos import selectors
from photos.services import consent
from tests.authz.world import normalized
from tests.photos.support import store


def _file_url(photo, variant="display"):
    return reverse(f"photos:photo_{variant}", kwargs={"pk": photo.pk})


def test_W19_file_response_headers(client, w):
    photo = store(w.visit_a, w.organizer)
    client.force_login(w.organizer)
    response = client.get(_file_url(photo))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    download = client.get(reverse("photos:photo_download", kwargs={"pk": photo.pk}))
    assert download["Content-Disposition"] == f'attachment; filename="{photo.pk}.jpg"'


def test_W19_production_hands_the_bytes_to_nginx(client, w, settings):
    settings.PHOTO_X_ACCEL_PREFIX = "/_protected/"
    photo = store(w.visit_a, w.organizer)
    client.force_login(w.owner)
    response = client.get(_file_url(photo, "thumb"))
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == "/_protected/" + photo.thumb.name
    assert response["X-Accel-Redirect"].startswith("/_protected/photos/")


def test_W19_anonymous_goes_to_login_and_media_is_not_served(client, w):
    photo = store(w.visit_a, w.organizer)
    response = client.get(_file_url(photo))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    client.force_login(w.owner)
    assert client.get("/media/" + photo.display.name).status_code == 404


def test_W42_foreign_photo_is_a_404_identical_to_a_missing_one(client, w):
    foreign = store(w.visit_b, w.organizer_b)
    client.force_login(w.organizer)
    for name in ("photos:photo_display", "photos:photo_thumb", "photos:photo_download"):
        got = client.get(reverse(name, kwargs={"pk": foreign.pk}))
        missing = client.get(reverse(name, kwargs={"pk": "00000000-0000-0000-0000-000000000000"}))
        assert got.status_code == missing.status_code == 404
        assert normalized(got) == normalized(missing)


def test_W42_organizer_sees_only_photos_of_visits_they_are_on(client, w):
    from tests.photos.conftest import book

    own = store(w.visit_a, w.organizer)
    other_visit_same_client = book(w.client_a, w.organizer_b, day=9)  # B booked alone on a cA visit
    theirs = store(other_visit_same_client, w.organizer_b, space="Garage")
    visible = set(selectors.photo_list_for_user(user=w.organizer).values_list("pk", flat=True))
    assert visible == {own.pk}
    client.force_login(w.organizer)
    assert client.get(_file_url(theirs)).status_code == 404
    panel = client.get(reverse("photos:client_panel", kwargs={"pk": w.client_a.pk})).content.decode()
    assert str(own.pk) in panel and str(theirs.pk) not in panel
    client.force_login(w.office)
    panel = client.get(reverse("photos:client_panel", kwargs={"pk": w.client_a.pk})).content.decode()
    assert str(own.pk) in panel and str(theirs.pk) in panel


def test_W42_gallery_shows_space_and_stage_never_the_client(client, w):
    photo = store(w.visit_b, w.organizer_b, space="Pantry")
    consent.consent_set_by_staff(actor=w.owner, client=w.client_b, level=ConsentLevel.TEAM, basis="verbal",
                                 basis_date=date(2026, 12, 1))  # fmt: skip
    client.force_login(w.organizer)
    page = client.get(reverse("photos:gallery")).content.decode()
    assert str(photo.pk) in page and "Pantry" in page
    for canary in ("Birchwood", "Canary Row", w.client_b.sites.get().city):
        assert canary not in page
    assert client.get(_file_url(photo, "thumb")).status_code == 200  # through the gallery
    assert client.get(reverse("photos:photo_download", kwargs={"pk": photo.pk})).status_code == 404  # not theirs


def test_W42_visit_panel_pairs_before_and_after_per_space(client, w):
    store(w.visit_a, w.organizer, stage="before", space="Pantry")
    store(w.visit_a, w.organizer, stage="after", space="pantry")  # same space, whatever the case
    store(w.visit_a, w.organizer, stage="before", space="Garage")
    client.force_login(w.organizer)
    html = client.get(reverse("photos:visit_panel", kwargs={"pk": w.visit_a.pk})).content.decode()
    assert html.count("data-pair") == 2 and 'data-space="Pantry"' in html and 'data-space="Garage"' in html
    assert "No after photo yet" in html
    assert "/media/" not in html
    visit_page = client.get(w.visit_a.get_absolute_url()).content.decode()
    assert reverse("photos:visit_panel", kwargs={"pk": w.visit_a.pk}) in visit_page


def test_W16_selectors_for_the_portal_list_only_shared_unhidden_photos(w):
    shared = store(w.visit_a, w.organizer)
    unshared = store(w.visit_a, w.organizer, shared=False)
    listed = selectors.photos_shared_with_client(client_id=w.client_a.pk)
    assert [p.id for p in listed] == [shared.pk]
    assert not hasattr(listed[0], "uploaded_by")
    assert selectors.photo_shared_with_client_get(client_ids=[w.client_a.pk], pk=shared.pk) == shared
    for pk, ids in ((unshared.pk, [w.client_a.pk]), (shared.pk, [w.client_b.pk])):
        with pytest.raises(Http404):
            selectors.photo_shared_with_client_get(client_ids=ids, pk=pk)


def test_W19_no_page_links_to_media(client, w):
    store(w.visit_a, w.organizer, stage="before")
    client.force_login(w.owner)
    urls = [
        w.visit_a.get_absolute_url(),
        reverse("photos:visit_panel", kwargs={"pk": w.visit_a.pk}),
        reverse("photos:client_panel", kwargs={"pk": w.client_a.pk}),
        reverse("photos:gallery"),
        reverse("photos:portfolio"),
        reverse("photos:client_consent", kwargs={"pk": w.client_a.pk}),
    ]
    for url in urls:
        html = client.get(url).content.decode()
        assert not re.search(r'(src|href)="[^"]*/media/', html), url
