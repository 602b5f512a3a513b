"""The nightly orphan sweep (W45) and the photo settings' production values (W18, docs/specs/portal.md §9)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from django.conf import settings as django_settings

from photos import sweep
from tests.photos.support import media_files, store


def _age(path: Path, hours: float) -> None:
    past = time.time() - hours * 3600
    os.utime(path, (past, past))


def test_W45_sweep_deletes_old_files_no_row_names_and_keeps_the_rest(w, settings):
    photo = store(w.visit_a, w.organizer)
    root = Path(settings.MEDIA_ROOT)
    orphan = root / "photos/2026/12/0000_d.jpg"
    fresh_orphan = root / "photos/2026/12/1111_d.jpg"
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"x")
    fresh_orphan.write_bytes(b"x")
    receipt = root / "receipts/r.jpg"
    receipt.parent.mkdir(parents=True)
    receipt.write_bytes(b"x")
    for path in (*media_files(),):
        if path != fresh_orphan:
            _age(path, 48)

    assert sweep.orphan_files_delete() == 1

    assert not orphan.exists() and fresh_orphan.exists() and receipt.exists()
    assert (root / photo.display.name).exists() and (root / photo.thumb.name).exists()


def test_W45_sweep_runs_nightly_from_beat():
    entry = django_settings.CELERY_BEAT_SCHEDULE["photos-sweep-orphans"]
    assert entry == {"task": "photos.sweep_orphan_files", "schedule": 24 * 3600}
    from photos.tasks import sweep_orphan_files

    assert sweep_orphan_files.name == "photos.sweep_orphan_files"


def test_W18_photo_settings_production_values():
    assert django_settings.PHOTO_MAX_UPLOAD_BYTES == 20 * 1024 * 1024
    assert django_settings.PHOTO_MAX_PIXELS == 50_000_000
    assert (django_settings.PHOTO_DISPLAY_MAX_EDGE, django_settings.PHOTO_THUMB_MAX_EDGE) == (2560, 480)
    assert django_settings.PHOTO_ORPHAN_GRACE_HOURS == 24
    assert django_settings.PHOTO_X_ACCEL_PREFIX == ""  # development streams; production sets /_protected/


def test_W18_display_and_thumb_edges_follow_the_settings(w, settings):
    from tests.photos import images

    settings.PHOTO_DISPLAY_MAX_EDGE, settings.PHOTO_THUMB_MAX_EDGE = 50, 10
    photo = store(w.visit_a, w.organizer, data=images.jpeg(size=(200, 100)))
    assert (photo.width, photo.height) == (50, 25)
    with photo.thumb.open("rb") as thumb:
        assert images.metadata_of(thumb.read())["size"] == (10, 5)
