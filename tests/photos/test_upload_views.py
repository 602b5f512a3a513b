"""Uploads through the real view: metadata gone, orientation kept (W17), HEIC (W18), hostile files (W40), the
phone's per-file requests (W41) and who may upload to which visit (W42)."""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from photos.models import Photo
from tests.photos import images
from tests.photos.support import media_files, post_photo


def _stored_bytes(photo: Photo) -> tuple[bytes, bytes]:
    with photo.display.open("rb") as d, photo.thumb.open("rb") as t:
        return d.read(), t.read()


def test_W17_gps_stripped_orientation_kept(client, w):
    client.force_login(w.organizer)
    response = post_photo(client, w.visit_a, images.jpeg_red_left(orientation=6))
    assert response.status_code == 302 and response["Location"] == w.visit_a.get_absolute_url()
    photo = Photo.objects.get()
    for data in _stored_bytes(photo):
        meta = images.metadata_of(data)
        assert meta["format"] == "JPEG" and meta["exif_tags"] == 0 and meta["gps"] == {}
        assert meta["xmp"] is None and meta["icc"] is None
    display = Image.open(io.BytesIO(_stored_bytes(photo)[0]))
    assert display.size == (20, 40)
    red, green, blue = display.getpixel((0, 0))
    assert red > 200 and green < 60 and blue < 60  # rotated, not mirrored
    for path in media_files():
        content = path.read_bytes()
        assert images.MAKE.encode() not in content and images.XMP_GPS.encode() not in content
    assert len(media_files()) == 2  # display and thumbnail; the original was never stored
    assert photo.taken_at.isoformat().startswith("2026-11-02T")  # from EXIF, read before stripping
    assert photo.space.name == "Pantry" and photo.space.site_id == w.visit_a.site_id


def test_W18_heic_is_stored_as_a_clean_upright_jpeg(client, w):
    client.force_login(w.owner)
    response = post_photo(client, w.visit_a, images.heic_with_gps(), name="IMG_0001.HEIC", ctype="image/heic")
    assert response.status_code == 302
    photo = Photo.objects.get()
    assert photo.display.name.endswith("_d.jpg") and photo.display.name.startswith("photos/")
    assert w.client_a.name.split()[0] not in photo.display.name
    meta = images.metadata_of(_stored_bytes(photo)[0])
    assert meta["format"] == "JPEG" and meta["size"] == (32, 64)
    assert meta["exif_tags"] == 0 and meta["gps"] == {} and meta["xmp"] is None
    file_response = client.get(reverse("photos:photo_display", kwargs={"pk": photo.pk}))
    assert file_response["Content-Type"] == "image/jpeg"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"<html><script>alert(1)</script></html>", "x.heic"),
        (images.gif(), "x.gif"),
        (images.webp(), "x.webp"),
    ],
    ids=["html-as-heic", "gif", "webp"],
)
def test_W18_other_formats_are_refused(client, w, data, name):
    client.force_login(w.owner)
    response = post_photo(client, w.visit_a, data, name=name)
    assert response.status_code == 400 and "JPEG, PNG or HEIC" in response.content.decode()
    assert Photo.objects.count() == 0 and media_files() == []


def test_W18_pixel_cap_is_checked_before_decoding(client, w, settings, monkeypatch):
    assert settings.PHOTO_MAX_PIXELS == 50_000_000
    settings.PHOTO_MAX_PIXELS = 1_000
    heic = images.heic_with_gps()  # 64 x 32 = 2,048 pixels
    heif_class = Image.OPEN["HEIF"][0]
    monkeypatch.setattr(heif_class, "load", lambda self: pytest.fail("decoded despite the pixel cap"))
    client.force_login(w.owner)
    response = post_photo(client, w.visit_a, heic, name="x.heic")
    assert response.status_code == 400 and "too many pixels" in response.content.decode()
    assert Photo.objects.count() == 0 and media_files() == []


def test_W18_one_byte_over_the_size_cap_is_refused(client, w, settings):
    assert settings.PHOTO_MAX_UPLOAD_BYTES == 20 * 1024 * 1024
    client.force_login(w.owner)
    data = images.jpeg() + b"\0" * (20 * 1024 * 1024 + 1 - len(images.jpeg()))
    response = post_photo(client, w.visit_a, data)
    assert response.status_code == 400 and "larger than 20 MB" in response.content.decode()
    assert Photo.objects.count() == 0 and media_files() == []


def _sixty_megapixels() -> bytes:
    out = io.BytesIO()
    Image.new("L", (10_000, 6_000), 90).save(out, "JPEG", quality=10)
    return out.getvalue()


BAD = {
    "25MB": (lambda: images.jpeg() + b"\0" * (25 * 1000 * 1000), "x.jpg", "larger than 20 MB"),
    "60MP": (_sixty_megapixels, "x.jpg", "too many pixels"),
    "truncated": (images.truncated_jpeg, "x.jpg", "damaged or incomplete"),
    "png-bomb": (images.png_bomb, "x.png", "too many pixels"),
    "pdf-as-jpg": (lambda: images.PDF, "x.jpg", "JPEG, PNG or HEIC"),
    "svg": (lambda: images.SVG, "x.svg", "JPEG, PNG or HEIC"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_W40_hostile_uploads_get_a_clear_400_and_leave_nothing(client, w, case):
    make, name, message = BAD[case]
    client.force_login(w.organizer)
    response = post_photo(client, w.visit_a, make(), name=name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Photo.objects.count() == 0 and media_files() == []


def test_W40_heic_with_gps_becomes_a_jpeg_without_metadata(client, w):
    client.force_login(w.organizer)
    response = post_photo(client, w.visit_a, images.heic_with_gps(size=(120, 80)), name="x.heic")
    assert response.status_code == 302
    for data in _stored_bytes(Photo.objects.get()):
        meta = images.metadata_of(data)
        assert (meta["exif_tags"], meta["gps"], meta["xmp"], meta["icc"]) == (0, {}, None, None)


def test_W41_script_uploads_get_json_one_file_per_request(client, w):
    client.force_login(w.organizer)
    url = reverse("photos:visit_upload", kwargs={"pk": w.visit_a.pk})
    ok = post_photo(client, w.visit_a, images.jpeg(), headers={"Accept": "application/json"})
    assert ok.status_code == 201
    body = ok.json()
    assert body["stage"] == "before" and body["thumb"] == reverse("photos:photo_thumb", kwargs={"pk": body["id"]})
    refused = post_photo(client, w.visit_a, images.PDF, headers={"Accept": "application/json"})
    assert refused.status_code == 400 and "JPEG, PNG or HEIC" in refused.json()["error"]
    two = client.post(url, {"stage": "after", "photo": [SimpleUploadedFile("a.jpg", images.jpeg()),
                                                        SimpleUploadedFile("b.jpg", images.jpeg())]})  # fmt: skip
    assert two.status_code == 400 and "one photo per request" in two.content.decode()
    assert Photo.objects.count() == 1


def test_W41_upload_page_and_my_day_offer_the_camera(client, w):
    client.force_login(w.organizer)
    page = client.get(reverse("photos:visit_upload", kwargs={"pk": w.visit_a.pk}))
    assert page.status_code == 200
    day = w.visit_a.starts.astimezone(ZoneInfo(w.visit_a.site.time_zone)).date()
    my_day = client.get(reverse("operations:my_day") + f"?date={day.isoformat()}").content.decode()
    assert 'capture="environment" multiple' in my_day and "photo_upload.js" in my_day
    assert reverse("photos:visit_upload", kwargs={"pk": w.visit_a.pk}) in my_day


@pytest.mark.parametrize("role", ["owner", "office", "organizer"])
def test_W42_who_may_upload_to_which_visit(client, w, role):
    client.force_login(getattr(w, role))
    own = post_photo(client, w.visit_a, images.jpeg())
    assert own.status_code == 302
    foreign = post_photo(client, w.visit_b, images.jpeg())
    missing = client.post(reverse("photos:visit_upload", kwargs={"pk": 999_999}), {})
    assert foreign.status_code == (404 if role == "organizer" else 302)
    assert missing.status_code == 404
    assert Photo.objects.filter(visit=w.visit_b).count() == (0 if role == "organizer" else 1)
