"""Photos in real Chromium (docs/specs/portal.md W41, W42): an organizer uploads several photos from My day on a
phone (one request per file, each with its own progress; a refused file says why), the before/after pair appears
in the visit card; the owner sees the pair on the visit page and the client page at desktop width."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from operations.services import visits as services
from photos.models import Photo
from tests.browser.conftest import DESKTOP, PHONE
from tests.clients.factories import ClientFactory, ContactFactory, SiteFactory
from tests.operations.factories import AppointmentTypeFactory
from tests.photos import images

NY = ZoneInfo("America/New_York")
DAY = date(2027, 3, 2)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser_context_args(timezone_id="America/New_York", locale="en-US"),
]


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _file(name: str, data: bytes, mime: str) -> dict:
    return {"name": name, "mimeType": mime, "buffer": data}


def _thumbs_loaded(page, selector: str) -> bool:
    """Every thumbnail under `selector` decoded (lazy images load once scrolled into view)."""
    page.locator(selector).scroll_into_view_if_needed()
    page.wait_for_function(
        "sel => [...document.querySelectorAll(sel + ' img')].every(i => i.complete && i.naturalWidth > 0)",
        arg=selector,
    )
    return page.locator(selector + " img").count() > 0


def test_W41_W42_phone_upload_from_my_day_then_pairs_on_visit_and_client_pages(app, make_user, artifacts):
    organizer = make_user("organizer", "Maya")
    owner = make_user("owner", "Olive")
    page = app.page
    with time_machine.travel(datetime.combine(DAY, time(9), tzinfo=NY), tick=True):
        client = ClientFactory(name="Juniper household")
        ContactFactory(client=client, is_primary=True)
        visit = services.appointment_book(
            client=client, site=SiteFactory(client=client, time_zone="America/New_York"),
            appointment_type=AppointmentTypeFactory(), organizers=[organizer],
            starts=datetime.combine(DAY, time(10), tzinfo=NY), ends=datetime.combine(DAY, time(12), tzinfo=NY),
            allow_outside_hours=True,
        )  # fmt: skip

        page.set_viewport_size(PHONE)
        app.log_in(organizer.email)
        app.goto(f"/schedule/my-day/?date={DAY.isoformat()}")
        card = page.locator(f"#visit-{visit.pk}")
        expect(card.get_by_text("Take or choose photos")).to_be_visible()
        card.get_by_label("Space").fill("Pantry")
        card.locator("[data-photo-input]").set_input_files([
            _file("pantry-1.jpg", images.jpeg(size=(640, 480)), "image/jpeg"),
            _file("pantry-2.heic", images.heic_with_gps(size=(64, 48)), "image/heic"),
            _file("scan.jpg", images.PDF, "image/jpeg"),
        ])  # fmt: skip
        rows = card.locator("[data-photo-file]")
        expect(rows).to_have_count(3)
        expect(card.locator("[data-photo-file][data-done]")).to_have_count(3)
        expect(card.locator('[data-photo-file="pantry-1.jpg"] [data-state]')).to_have_text("Saved")
        expect(card.locator('[data-photo-file="pantry-2.heic"] [data-state]')).to_have_text("Saved")
        expect(card.locator('[data-photo-file="scan.jpg"]')).to_contain_text("JPEG, PNG or HEIC")
        assert card.locator("progress").count() == 3

        card.get_by_label("Stage").select_option("after")
        card.locator("[data-photo-input]").set_input_files([_file("pantry-after.jpg", images.jpeg(), "image/jpeg")])
        expect(card.locator('[data-photo-file="pantry-after.jpg"] [data-state]')).to_have_text("Saved")
        pairs = card.locator('[data-space="Pantry"] [data-pair]')
        expect(pairs).to_have_count(2)
        expect(pairs.first.locator('[data-stage="before"] img')).to_be_visible()
        expect(pairs.first.locator('[data-stage="after"] img')).to_be_visible()
        assert _thumbs_loaded(page, f"#visit-{visit.pk} [data-visit-photos]")
        assert app.no_horizontal_overflow()
        page.screenshot(path=artifacts / "W41_my_day_photos_phone.png", full_page=True)
        assert Photo.objects.filter(visit=visit).count() == 3

        page.context.clear_cookies()
        page.set_viewport_size(DESKTOP)
        app.log_in(owner.email)
        app.goto(visit.get_absolute_url())
        panel = page.locator(f"#visit-photos-{visit.pk}")
        expect(panel.locator('[data-space="Pantry"] [data-pair]')).to_have_count(2)
        assert _thumbs_loaded(page, f"#visit-photos-{visit.pk}")
        app.goto(client.get_absolute_url())
        client_panel = page.locator("#client-photos")
        expect(client_panel.locator('[data-stage="after"] img')).to_have_count(1)
        assert _thumbs_loaded(page, "#client-photos")
        assert app.no_horizontal_overflow()
        page.screenshot(path=artifacts / "W42_client_photos_desktop.png", full_page=True)
