"""The foundation pages in real Chromium: log in per role, the client workflow, phone layout, SH4 and SH11.

Every page is loaded through `app.goto()` or checked with `app.assert_healthy()` after a click, which asserts
no CSP violation, Bootstrap and htmx (tests/browser/conftest.py).
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from clients.models import Client, Tag
from tests.accounts.factories import UserFactory
from tests.browser.conftest import DESKTOP, PHONE, READ_CSP
from tests.clients.factories import ClientFactory, ContactFactory, SiteFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

XSS_NAME = '"><img src=x onerror=window.pwned=2>'
XSS_NOTES = "<script>window.pwned=1</script>"


def nav_labels(page) -> list[str]:
    return [text.strip() for text in page.locator("#main-nav ul.me-auto .nav-link").all_inner_texts()]


def client_table(page):
    # .first: an htmx swap nests a second #client-table inside the first (test_htmx_search_keeps_one_client_table).
    return page.locator("#client-table").first


def search_clients(page, text: str) -> None:
    """Type into the search box and wait for htmx to swap in the matching table."""
    query = "?q=" + quote(text)
    with page.expect_response(lambda r: query in r.url and r.request.headers.get("hx-request") == "true") as info:
        page.get_by_role("searchbox", name="Search").fill(text)
    assert info.value.ok
    expect(page).to_have_url(re.compile(re.escape(query)))  # hx-push-url keeps the search in the address bar


# 1. Log in per role -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "first_name", "greeting", "team", "archive"),
    [
        ("owner", "Olivia", "Good day, Olivia", True, True),
        ("office", "Frank", "Good day, Frank", True, False),
        ("organizer", "Anna", "Hello, Anna", False, False),
    ],
    ids=["owner", "office", "organizer"],
)
def test_login_form_leads_to_a_home_page_that_fits_the_role(app, make_user, role, first_name, greeting, team, archive):
    user = make_user(role, first_name)
    app.log_in(user.email)
    page = app.page

    expect(page.get_by_role("heading", level=1)).to_have_text(greeting)
    labels = nav_labels(page)  # later features add items: check only the role-dependent ones
    assert labels[0] == "Home" and "Clients" in labels and "Calendar" in labels
    assert "Team" in labels if team else "Team" not in labels, labels
    expect(page.locator("#main-nav .dropdown-menu a", has_text="Archived clients")).to_have_count(1 if archive else 0)
    expect(page.locator("#main-nav .nav-link.active")).to_have_text("Home")
    expect(page.locator("#main-nav .dropdown-toggle .badge")).to_have_text(user.get_role_display())
    if role == "organizer":
        expect(page.get_by_role("heading", name="My clients")).to_be_visible()
        expect(page.get_by_role("link", name="New client")).to_have_count(0)
        app.goto("/team/", status=403)
    else:
        expect(page.get_by_role("link", name="New client")).to_be_visible()
        page.locator("#main-nav").get_by_role("link", name="Team").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Team")
        app.assert_healthy()
        expect(page.get_by_role("cell", name=user.email)).to_be_visible()

    page.locator("#main-nav .dropdown-toggle").click()  # Bootstrap's dropdown JS
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(app.url("/accounts/login/"))
    app.assert_healthy()
    app.goto("/")
    expect(page).to_have_url(app.url("/accounts/login/?next=/"))


def test_login_with_a_wrong_password_stays_on_the_form(app, make_user):
    user = make_user("office", "Frank")
    app.goto("/accounts/login/")
    page = app.page
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill("not-the-passphrase")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page).to_have_url(app.url("/accounts/login/"))
    app.assert_healthy()


# 2. Office: create, contact, site, search, edit, archive ----------------------------------------------------


def test_office_creates_searches_edits_and_archives_a_client(app, make_user):
    ClientFactory(name="Oakridge household")  # must not match the search
    office = make_user("office", "Frank")
    app.log_in(office.email)
    page = app.page

    app.goto("/clients/")
    page.get_by_role("link", name="New client").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New client")
    app.assert_healthy()
    page.get_by_label("Name").fill("Juniper Lane household")
    page.get_by_label("Kind").select_option("business")
    page.get_by_label("Status").select_option("assessment")
    page.get_by_label("Tags").fill("garage, downsizing")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Juniper Lane household")
    app.assert_healthy()
    client = Client.objects.get(name="Juniper Lane household")
    expect(page).to_have_url(app.url(client.get_absolute_url()))
    expect(page.get_by_role("alert")).to_contain_text("Juniper Lane household was added.")
    expect(page.locator(".badge", has_text="Assessment")).to_be_visible()
    expect(page.locator(".badge", has_text="Business")).to_be_visible()
    expect(page.locator(".badge.rounded-pill")).to_have_text(["downsizing", "garage"])

    page.get_by_role("link", name="Add contact").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New contact")
    app.assert_healthy()
    page.get_by_label("Name").fill("June Harper")
    page.get_by_label("Role").fill("homeowner")
    page.get_by_label("Phone").fill("(212) 555-0142")
    page.get_by_label("Email").fill("june.harper@example.net")
    page.get_by_label("Preferred channel").select_option("sms")
    page.get_by_label("Is primary").check()
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(app.url(client.get_absolute_url()))
    app.assert_healthy()
    contact = page.locator("section", has=page.get_by_role("heading", name="Contacts")).locator(".list-group-item")
    expect(contact).to_contain_text("June Harper · homeowner")
    expect(contact.get_by_role("link", name="+12125550142")).to_have_attribute("href", "tel:+12125550142")
    expect(contact).to_contain_text("prefers text message")

    page.get_by_role("link", name="Add site").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New site")
    app.assert_healthy()
    time_zone = page.get_by_label("Time zone")
    expect(time_zone).to_have_value("America/New_York")
    page.get_by_label("Label").fill("Lake house")
    page.get_by_label("Street").fill("12 Shore Road")
    page.get_by_label("City").fill("Lake Geneva")
    page.get_by_label("State / region").fill("WI")
    page.get_by_label("Postal code").fill("53147")
    time_zone.select_option("America/Chicago")
    page.get_by_label("Entry code").fill("4321")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(app.url(client.get_absolute_url()))
    app.assert_healthy()
    site = page.locator("section", has=page.get_by_role("heading", name="Sites")).locator(".list-group-item")
    expect(site).to_contain_text("Lake house · America/Chicago")
    expect(site).to_contain_text("12 Shore Road, Lake Geneva, WI, 53147")
    expect(site.locator(".entry-code")).to_have_text("4321")

    page.locator("#main-nav").get_by_role("link", name="Clients").click()
    app.assert_healthy()
    expect(client_table(page).get_by_role("link")).to_have_text(["Juniper Lane household", "Oakridge household"])
    search_clients(page, "Lake Gen")  # matches the site's city
    expect(client_table(page).get_by_role("link")).to_have_text(["Juniper Lane household"])
    expect(client_table(page)).to_contain_text("June Harper · +12125550142 · june.harper@example.net")
    app.assert_healthy()

    client_table(page).get_by_role("link", name="Juniper Lane household").click()
    expect(page).to_have_url(app.url(client.get_absolute_url()))
    page.locator(f"a[href='/clients/{client.pk}/edit/']").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit Juniper Lane household")
    app.assert_healthy()
    expect(page.get_by_label("Tags")).to_have_value("downsizing, garage")
    page.get_by_label("Name").fill("Juniper Lane family")
    page.get_by_label("Status").select_option("active")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Juniper Lane family")
    expect(page.get_by_role("alert")).to_contain_text("Client details saved.")
    expect(page.locator(".badge", has_text="Active")).to_be_visible()
    app.assert_healthy()
    expect(page.locator(".history-diff")).to_contain_text("Juniper Lane household")  # the old name

    # data-confirm: dismissing the dialog keeps the client; accepting archives it.
    dialogs: list[str] = []
    page.once("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.get_by_role("button", name="Archive").click()
    assert dialogs == ["Archive Juniper Lane family? It will disappear from lists; the owner can restore it."]
    client.refresh_from_db()
    assert client.archived_at is None
    expect(page).to_have_url(app.url(client.get_absolute_url()))

    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Archive").click()
    expect(page).to_have_url(app.url("/clients/"))
    app.assert_healthy()
    expect(page.get_by_role("alert")).to_contain_text("Juniper Lane family")
    expect(client_table(page).get_by_role("link")).to_have_text(["Oakridge household"])
    search_clients(page, "Juniper")
    expect(client_table(page)).to_contain_text("No clients match.")
    archived = Client.all_objects.get(pk=client.pk)
    assert archived.archived_at is not None
    assert archived.archived_by_id == office.pk


@pytest.fixture
def searched_list(app, make_user):
    """Office on the client list, after an htmx search for "Juniper"."""
    ClientFactory(name="Juniper household")
    ClientFactory(name="Oakridge household")
    app.log_in(make_user("office", "Frank").email)
    app.goto("/clients/")
    search_clients(app.page, "Juniper")
    expect(client_table(app.page).get_by_role("link")).to_have_text(["Juniper household"])
    return app


def test_htmx_search_keeps_one_client_table(searched_list):
    assert searched_list.page.locator("#client-table").count() == 1


def test_back_button_after_an_htmx_search_shows_the_whole_list_page(searched_list):
    app = searched_list
    page = app.page
    client_table(page).get_by_role("link", name="Juniper household").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Juniper household")
    page.go_back()
    expect(page).to_have_url(re.compile(r"/clients/\?q=Juniper"))
    page.wait_for_load_state("load")
    assert page.get_by_role("searchbox", name="Search").count() == 1, page.content()[:300]
    app.assert_healthy()


# 3. Phone layout and screenshots ----------------------------------------------------------------------------


def _household_with_details() -> Client:
    client = ClientFactory(
        name="Margaret O'Connell-Whitfield household",
        notes="Prefers mornings. The garage is shared with the neighbour; only the left half is theirs.\n"
        "Second line of notes.",
    )
    client.tags.add(*(Tag.objects.create(name=n) for n in ("downsizing", "garage", "estate", "VIP")))
    ContactFactory(
        client=client,
        name="Margaret O'Connell-Whitfield",
        role="homeowner",
        email="margaret.oconnell-whitfield@example.net",
        is_primary=True,
    )
    ContactFactory(client=client, name="Thomas Whitfield", role="spouse, decision maker")
    SiteFactory(
        client=client,
        street="1200 Rhododendron Boulevard",
        unit="Apartment 12B",
        parking="Visitor spots behind building C; the gate closes at 18:00.",
        pets="Two cats (Pepper and Salt); keep the laundry room door closed.",
        access_instructions="Ring the concierge.\nTake the service elevator to the 12th floor.",
        entry_code="2468#",
    )
    SiteFactory(client=client, label="Lake house", street="7 Shore Road", city="Lake Placid", region="NY")
    client.assignments.create(organizer=UserFactory(role="organizer", first_name="Anna", last_name="Lindqvist"))
    return client


def test_client_detail_and_list_fit_a_phone(app, make_user, artifacts):
    client = _household_with_details()
    for name in ("Alder household", "Birchwood Property Management LLC", "Cedar family"):
        ContactFactory(client=ClientFactory(name=name), is_primary=True)
    office = make_user("office", "Frank")
    page = app.page
    page.set_viewport_size(PHONE)
    app.log_in(office.email)

    app.goto(client.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(client.name)
    expect(page.locator(".entry-code")).to_have_text("2468#")
    expect(page.get_by_role("link", name="margaret.oconnell-whitfield@example.net")).to_be_visible()
    expect(page.locator("#main-nav")).to_be_hidden()  # collapsed behind the toggler at phone width
    assert app.no_horizontal_overflow()
    page.screenshot(path=artifacts / "client_detail_phone.png", full_page=True)

    app.goto("/clients/")
    expect(client_table(page).get_by_role("link")).to_have_count(4)
    expect(page.locator("#client-table thead").first).to_be_hidden()  # .table-stack: one block per client
    assert app.no_horizontal_overflow()


def test_client_list_desktop_screenshot(app, make_user, artifacts):
    _household_with_details()
    for name in ("Alder household", "Birchwood Property Management LLC", "Cedar family"):
        client = ClientFactory(name=name)
        ContactFactory(client=client, is_primary=True)
        SiteFactory(client=client)
    owner = make_user("owner", "Olivia")
    page = app.page
    page.set_viewport_size(DESKTOP)
    app.log_in(owner.email)

    app.goto("/clients/")
    expect(client_table(page).get_by_role("link")).to_have_count(4)
    expect(page.locator("#client-table thead").first).to_be_visible()
    assert app.no_horizontal_overflow()
    page.screenshot(path=artifacts / "client_list_desktop.png", full_page=True)


# 4. SH4: stored markup is shown as text and never runs ---------------------------------------------------------


def test_SH4_client_name_and_notes_are_escaped_and_never_run(app, make_user):
    """The markup is shown as text everywhere. The CSP would also block it: the page fixture would report that."""
    client = ClientFactory(name=XSS_NAME, notes=XSS_NOTES)
    ContactFactory(client=client, is_primary=True, name=XSS_NAME)
    SiteFactory(client=client, street=XSS_NOTES, access_instructions=XSS_NOTES)
    office = make_user("office", "Frank")
    app.log_in(office.email)
    page = app.page

    def assert_inert() -> None:
        assert page.evaluate("() => typeof window.pwned") == "undefined"
        expect(page.locator("img[src='x']")).to_have_count(0)
        assert page.evaluate("() => [...document.scripts].filter(s => s.text.includes('pwned')).length") == 0

    expect(page.get_by_role("link", name=XSS_NAME)).to_be_visible()  # home page: newest clients
    assert_inert()

    app.goto("/clients/")
    expect(client_table(page).get_by_role("link", name=XSS_NAME)).to_be_visible()
    expect(client_table(page)).to_contain_text(f"{XSS_NAME} · +1212")  # the primary contact
    assert_inert()
    search_clients(page, "onerror")  # the htmx swap inserts the escaped row again
    expect(client_table(page).get_by_role("link")).to_have_text([XSS_NAME])
    assert_inert()

    app.goto(f"/clients/{client.pk}/edit/")
    expect(page.get_by_label("Name")).to_have_value(XSS_NAME)
    expect(page.get_by_label("Internal notes")).to_have_value(XSS_NOTES)
    assert_inert()

    app.goto(client.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(XSS_NAME)
    expect(page).to_have_title(f"{XSS_NAME} · organizer_pm")
    expect(page.get_by_text(XSS_NOTES, exact=True)).to_have_count(2)  # internal notes, access instructions
    expect(page.get_by_role("link", name=f"{XSS_NOTES}, Montclair")).to_be_visible()  # the street
    expect(page.locator("section", has_text="Contacts").locator("strong")).to_have_text([XSS_NAME])
    assert_inert()

    # The confirm dialog reads the data-confirm attribute back as the original text; the message after
    # archiving shows the name as text too.
    dialogs: list[str] = []

    def answer(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    page.once("dialog", answer)
    page.get_by_role("button", name="Archive").click()
    expect(page).to_have_url(app.url("/clients/"))
    assert dialogs == [f"Archive {XSS_NAME}? It will disappear from lists; the owner can restore it."]
    expect(page.get_by_role("alert")).to_contain_text(XSS_NAME)
    app.assert_healthy()
    assert_inert()


# 5. SH11: no CSP violation on the main pages -------------------------------------------------------------------


def test_SH11_main_pages_load_without_csp_violations(app, make_user):
    """`app.goto` asserts, on each page: no CSP violation, Bootstrap CSS and JS, htmx."""
    client = _household_with_details()
    owner = make_user("owner", "Olivia")
    app.log_in(owner.email)  # the login page and the home page are checked on the way
    organizer = client.organizers.get()
    site, contact = client.sites.first(), client.contacts.first()
    for path in (
        "/",
        "/clients/",
        "/clients/?q=Whitfield&status=active",
        "/clients/new/",
        client.get_absolute_url(),
        f"/clients/{client.pk}/edit/",
        f"/clients/{client.pk}/contacts/new/",
        f"/clients/{client.pk}/contacts/{contact.pk}/edit/",
        f"/clients/{client.pk}/sites/new/",
        f"/clients/{client.pk}/sites/{site.pk}/edit/",
        f"/clients/{client.pk}/intake/",
        f"/clients/{client.pk}/team/",
        "/clients/archived/",
        "/team/",
        "/team/new/",
        f"/team/{owner.pk}/edit/",
        f"/team/{organizer.pk}/profile/",
        "/accounts/password/change/",
        "/accounts/2fa/",
    ):
        app.goto(path)
    app.goto("/clients/999999/", status=404)


def test_SH11_the_csp_listener_catches_an_inline_script(app, page_problems):
    """Negative control: the listener and the policy work, so an empty list above means something."""
    app.goto("/accounts/login/")
    page = app.page
    with page.expect_console_message(lambda m: "Content Security Policy" in m.text) as message:
        page.evaluate("() => document.body.append(Object.assign(document.createElement('script'), {text: 'x=1'}))")
    assert page.evaluate("() => typeof window.x") == "undefined"
    assert page.evaluate(READ_CSP) == ["script-src-elem inline"]
    assert page_problems == [f"console: {message.value.text}"]  # the page fixture's own check saw it too
    page_problems.clear()  # expected here: keep the fixture's teardown check quiet


# 6. Organizer on a phone ---------------------------------------------------------------------------------------


def test_organizer_on_a_phone_sees_own_client_and_entry_code_only(app, make_user):
    organizer = make_user("organizer", "Anna")
    own = ClientFactory(name="Alder household")
    ContactFactory(client=own, is_primary=True)
    SiteFactory(client=own, entry_code="1357")
    own.assignments.create(organizer=organizer)
    other = ClientFactory(name="Birchwood household")
    SiteFactory(client=other, entry_code="8642", street="77 Canary Row")
    other.assignments.create(organizer=UserFactory(role="organizer", first_name="Ben"))
    page = app.page
    page.set_viewport_size(PHONE)
    app.log_in(organizer.email)

    expect(page.locator(".list-group-item .fw-semibold")).to_have_text(["Alder household"])
    page.get_by_role("button", name="Menu").click()  # Bootstrap's collapse opens the nav
    expect(page.locator("#main-nav").get_by_role("link", name="Clients")).to_be_visible()
    labels = nav_labels(page)
    assert "Team" not in labels and "My day" in labels, labels

    page.get_by_role("link", name="Alder household").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alder household")
    app.assert_healthy()
    expect(page.locator(".entry-code")).to_have_text("1357")
    expect(page.locator(".entry-code")).to_be_in_viewport()
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)  # no Edit, Edit answers, site or contact Edit
    expect(page.get_by_role("button", name="Archive")).to_have_count(0)
    assert app.no_horizontal_overflow()

    app.goto("/clients/")
    expect(client_table(page).get_by_role("link")).to_have_text(["Alder household"])

    app.goto(other.get_absolute_url(), status=404)
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    content = page.content()
    assert "Birchwood" not in content and "8642" not in content and "Canary" not in content
    assert app.no_horizontal_overflow()
