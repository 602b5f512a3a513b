"""Editing and deleting photos (W47): who may change what, bad input, the owner's permanent delete."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse

from photos.models import Photo, PortfolioUse
from tests.photos.support import media_files, store


def _edit(http, photo, **data):
    payload = {"stage": "after", "space_label": "Garage", "caption": "Shelves up", **data}
    return http.post(reverse("photos:photo_edit", kwargs={"pk": photo.pk}), payload)


def test_W47_organizer_edits_their_visit_photo_but_cannot_hide_it(client, w):
    photo = store(w.visit_a, w.organizer)
    client.force_login(w.organizer)
    page = client.get(reverse("photos:photo_edit", kwargs={"pk": photo.pk})).content.decode()
    assert 'name="hidden"' not in page
    response = _edit(client, photo, shared_with_client="", portfolio_candidate="on", hidden="on")
    assert response.status_code == 302
    photo.refresh_from_db()
    assert (photo.stage, photo.space.name, photo.caption) == ("after", "Garage", "Shelves up")
    assert not photo.shared_with_client and photo.portfolio_candidate and photo.hidden_at is None


def test_W47_office_hides_a_photo_and_the_organizer_no_longer_sees_it(client, w):
    photo = store(w.visit_a, w.organizer)
    client.force_login(w.office)
    assert _edit(client, photo, shared_with_client="on", hidden="on").status_code == 302
    photo.refresh_from_db()
    assert photo.hidden_at is not None and photo.hidden_by == w.office
    client.force_login(w.organizer)
    assert client.get(reverse("photos:photo_edit", kwargs={"pk": photo.pk})).status_code == 404


@pytest.mark.parametrize("role", ["organizer", "office"])
def test_W47_foreign_or_bad_edits_change_nothing(client, w, role):
    photo = store(w.visit_b, w.organizer_b)
    client.force_login(getattr(w, role))
    if role == "organizer":
        assert _edit(client, photo).status_code == 404
    else:
        response = _edit(client, photo, stage="sideways", space_label="x" * 81)
        assert response.status_code == 400
    photo.refresh_from_db()
    assert (photo.stage, photo.space.name) == ("before", "Pantry")


def test_W47_only_the_owner_deletes_and_everything_goes(client, w, django_capture_on_commit_callbacks):
    photo = store(w.visit_a, w.organizer)
    PortfolioUse.objects.create(photo=photo, channel="print", used_by=w.owner)
    client.force_login(w.office)
    assert client.post(reverse("photos:photo_delete", kwargs={"pk": photo.pk})).status_code == 403
    client.force_login(w.owner)
    names = [photo.display.name, photo.thumb.name]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("photos:photo_delete", kwargs={"pk": photo.pk}))
    assert response.status_code == 302
    assert not Photo.objects.exists() and not PortfolioUse.objects.exists()
    assert not apps.get_model("photos", "PhotoEvent").objects.filter(pgh_obj_id=photo.pk).exists()
    assert all((Path(settings.MEDIA_ROOT) / n).exists() for n in names)  # the files go only after the commit
    for callback in callbacks:
        callback()
    assert media_files() == []


def test_W47_staff_cap_one_photo_and_a_raise_needs_a_basis(client, w):
    from photos.models import ConsentChange

    photo = store(w.visit_a, w.organizer)
    url = reverse("photos:photo_cap", kwargs={"pk": photo.pk})
    client.force_login(w.office)
    assert client.post(url, {"level": "0"}).status_code == 302  # a cap of private: lowering
    photo.refresh_from_db()
    assert photo.consent_cap == 0
    refused = client.post(url, {"level": "none"}, follow=True)  # lifting the cap is a raise
    assert "choose the basis and its date" in refused.content.decode()
    photo.refresh_from_db()
    assert photo.consent_cap == 0 and ConsentChange.objects.count() == 1
    assert "Choose a cap" in client.post(url, {"level": "bogus"}, follow=True).content.decode()
    assert ConsentChange.objects.count() == 1
    client.force_login(w.organizer)
    assert client.post(url, {"level": "2"}).status_code == 403
    assert (
        'id="photo-cap-form"' not in client.get(reverse("photos:photo_edit", kwargs={"pk": photo.pk})).content.decode()
    )
