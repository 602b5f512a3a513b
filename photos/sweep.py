"""The nightly sweep: delete files under MEDIA_ROOT/photos/ that no Photo row names (an upload whose
transaction rolled back after its files were written). Files younger than PHOTO_ORPHAN_GRACE_HOURS are left:
their upload may still be committing."""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings

from photos.models import Photo


def orphan_files_delete() -> int:
    root = Path(settings.MEDIA_ROOT)
    folder = root / "photos"
    if not folder.is_dir():
        return 0
    cutoff = time.time() - settings.PHOTO_ORPHAN_GRACE_HOURS * 3600
    candidates = [p for p in folder.rglob("*") if p.is_file() and p.stat().st_mtime < cutoff]
    names = {p.relative_to(root).as_posix(): p for p in candidates}
    known: set[str] = set()
    for chunk_start in range(0, len(names), 1000):
        chunk = list(names)[chunk_start : chunk_start + 1000]
        known.update(Photo.objects.filter(display__in=chunk).values_list("display", flat=True))
        known.update(Photo.objects.filter(thumb__in=chunk).values_list("thumb", flat=True))
    deleted = 0
    for name, path in names.items():
        if name not in known:
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted
