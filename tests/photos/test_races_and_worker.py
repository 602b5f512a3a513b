"""Real concurrency and a real worker (docs/specs/portal.md W44, W45): an export racing a withdrawal never leaves
a web use of a withdrawn photo without its takedown task; the sweep runs as a Celery task on a real worker."""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings

from clients.models import ConsentLevel
from photos import selectors
from photos.models import PortfolioUse, TakedownTask
from photos.services import consent, portfolio
from tests.photos.support import store
from tests.support.races import run_together
from tests.support.reminder_support import wait_for

pytestmark = pytest.mark.django_db(transaction=True)
CHECKLIST = {"numbers", "papers", "faces", "windows"}


def test_W44_export_racing_a_withdrawal_always_ends_with_a_takedown_or_no_use(w):
    outcomes = set()
    for round_ in range(4):
        consent.consent_set_by_staff(actor=w.owner, client=w.client_a, level=ConsentLevel.PORTFOLIO_ANON,
                                     basis="signed_form", basis_date=date(2026, 12, 1))  # fmt: skip
        photo = store(w.visit_a, w.organizer, space=f"Room {round_}")
        portfolio.photo_anonymization_check(photo=photo, actor=w.owner, ticked=CHECKLIST)

        results = run_together(
            lambda photo=photo: portfolio.portfolio_use_record(photo=photo, actor=w.owner, channel="website"),
            lambda: consent.consent_set_by_client(actor=w.owner, client=w.client_a, level=ConsentLevel.TEAM),
        )

        assert results[1] == "ok" and results[0] in ("ok", "not_portfolio")
        uses = PortfolioUse.objects.filter(photo=photo)
        assert selectors.with_effective_level(type(photo).objects.filter(pk=photo.pk)).get().effective_level == 1
        if results[0] == "ok":
            assert TakedownTask.objects.filter(use__in=uses, done_at__isnull=True).count() == 1
        else:
            assert not uses.exists()
        outcomes.add(results[0])
    assert outcomes  # which order won varies; both are consistent


def test_W45_the_sweep_runs_on_a_real_worker(celery_worker_real, w):
    from photos.tasks import sweep_orphan_files

    orphan = Path(settings.MEDIA_ROOT) / "photos/2026/01/orphan_d.jpg"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"x")
    past = time.time() - 3 * 24 * 3600
    os.utime(orphan, (past, past))
    sweep_orphan_files.delay()  # no result backend: watch the file instead
    wait_for(lambda: not orphan.exists(), timeout=30, what="the worker swept the orphan")
