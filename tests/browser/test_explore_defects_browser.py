"""Defects of docs/specs/defects.md T30-T39 that a browser shows, in real Chromium at 390 px and 1280 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from projects import demo
from tests.browser.conftest import DESKTOP, PHONE
from tests.clients.factories import ClientFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every link of the page's main content that stays on the site, once each.
MAIN_LINKS = """() => [...new Set([...document.querySelectorAll('main a[href]')]
  .map(a => a.href.split('#')[0]).filter(h => h.startsWith(location.origin)))]"""


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_T34_every_link_on_a_lead_organizers_task_page_opens(app, make_user, viewport, artifacts):
    lead = make_user("organizer", "Maya")
    project = demo.worked_example_create(client=ClientFactory(name="Smith household"), lead=lead)
    task = project.tasks.filter(is_summary=False).order_by("wbs_code").first()
    page = app.page
    page.set_viewport_size(viewport)
    app.log_in(lead.email)
    app.goto(f"/projects/{project.pk}/tasks/{task.pk}/edit/")
    expect(page.get_by_role("heading", name=f"Edit {task.name}")).to_be_visible()
    expect(page.get_by_role("link", name="Book a session")).to_have_count(0)
    expect(page.get_by_role("link", name="Find slots for this task")).to_have_count(0)
    assert app.no_horizontal_overflow()
    page.screenshot(path=artifacts / f"T34_task_page_lead_{viewport['width']}.png", full_page=True)
    links = page.evaluate(MAIN_LINKS)
    assert links
    answers = {link: page.request.get(link, max_redirects=0).status for link in links}
    assert [link for link, status in answers.items() if status >= 400] == [], answers
