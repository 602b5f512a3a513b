"""The demo (`manage.py load_demo`): T20, it fills every page a new user opens, and loading it again changes
nothing; with it the billing, status, photo (W41, W44) and portal pages have something to show.

Loading the demo takes about 10 s, so this module loads it once (tests/support/shared_rows.py) and every test
runs in its own savepoint of that transaction, rolled back after it: each test starts from one fresh load, as if
it had loaded the demo itself, and a test about idempotency loads it again itself. These tests used to live in
five modules (billing, dashboard x2, photos, portal) that loaded the demo 11 times between them.
"""

import io
from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import User
from billing import watermarks
from billing.models import Charge, Package, PackageEntry
from clients.models import PortalAccess
from operations.models import Item, Location, PurchaseOrder, StockLevel, Supplier, VisitChangeRequest
from operations.selectors import purchasing
from operations.selectors.my_day import my_day
from organizer_pm.dashboard.management.commands.load_demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from photos.models import Photo, PortfolioUse, TakedownTask
from projects.models import Project
from tests.support import portal
from tests.support.mfa import fresh_totp_code
from tests.support.shared_rows import shared_rows

ORGANIZERS = ["maya@example.com", "leo@example.com", "sam@example.com"]
MD5 = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # five demo users


def _load() -> None:
    call_command("load_demo", stdout=io.StringIO())


@pytest.fixture(scope="module")
def _demo_rows(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, loaded once. Its photo files go to a folder of this module's own, which stays MEDIA_ROOT for
    every test here (the photo and portal pages read the thumbnails back)."""
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("demo-media"), PASSWORD_HASHERS=MD5):
        yield from shared_rows(django_db_blocker, _load)


@pytest.fixture(autouse=True)
def _demo(_demo_rows, db, settings):
    """Each test in its own savepoint over the loaded demo. The demo users' passwords were hashed with MD5, so
    MD5 stays the hasher over tests/conftest.py's per-test one (the demo login checks the password)."""
    settings.PASSWORD_HASHERS = MD5


def _counts() -> dict[str, int]:
    """Rows per model of the apps the demo writes to."""
    models = [
        m
        for label in ("accounts", "clients", "operations", "projects")
        for m in apps.get_app_config(label).get_models()
    ]
    return {m._meta.label: m._default_manager.count() for m in models}  # fmt: skip


def test_T20_demo_is_idempotent_and_fills_inventory_reorder_and_my_day(client):
    """Loaded twice: the same rows. Inventory, reorder, My day and the vans have rows to show."""
    first = _counts()  # after the module's one load
    _load()
    assert _counts() == first
    # A new user can log in as the owner: password, then the code of the printed demo secret (README.md).
    demo_login = Client()
    demo_login.post(reverse("account_login"), {"login": "owner@example.com", "password": DEMO_PASSWORD})
    second = demo_login.post(reverse("mfa_authenticate"), {"code": fresh_totp_code(DEMO_TOTP_SECRET)})
    assert second.status_code == 302 and demo_login.get(reverse("clients:client_list")).status_code == 200
    assert User.objects.filter(authenticator__isnull=False).distinct().count() == 2  # owner and office only

    assert Location.objects.filter(kind="warehouse").count() == 1
    vans = Location.objects.filter(kind="van")
    assert sorted(vans.values_list("organizer__email", flat=True)) == sorted(ORGANIZERS)
    assert Supplier.objects.count() >= 1
    assert Item.objects.filter(reorder_max__gt=0).count() >= 18
    assert StockLevel.objects.filter(location__kind="van", qty__gt=0).values("location").distinct().count() == 3
    assert PurchaseOrder.objects.filter(status__in=PurchaseOrder.OPEN_STATUSES).count() == 1
    suggested = purchasing.reorder_suggestions()
    assert len(suggested) >= 3  # some items below their reorder point and not on order

    owner = User.objects.get(email="owner@example.com")
    client.force_login(owner)
    inventory_page = client.get(reverse("operations:inventory_list")).content.decode()
    assert all(item.sku in inventory_page for item in Item.objects.all()[:10])
    reorder_page = client.get(reverse("operations:reorder")).content.decode()
    assert all(escape(s.item.name) in reorder_page for s in suggested)

    for email in ORGANIZERS:
        organizer = User.objects.get(email=email)
        _day, visits = my_day(user=organizer)
        assert len(visits) >= 1, email
        client.force_login(organizer)
        page = client.get(reverse("operations:my_day")).content.decode()
        assert all(escape(row.visit.client.name) in page for row in visits), email
        van_page = client.get(reverse("operations:my_van")).content.decode()
        assert "Clear bin, small" in van_page

    # `make run` loads the demo every time: nine days on, every organizer has visits today again, and a second
    # load that day adds nothing (stock moves are keyed, so none are repeated either).
    with time_machine.travel(timezone.now() + timedelta(days=9)):
        _load()
        counts = _counts()
        for email in ORGANIZERS:
            assert my_day(user=User.objects.get(email=email))[1], email
        _load()
        assert _counts() == counts
    assert counts["operations.StockMove"] == first["operations.StockMove"]


def test_load_demo_fills_billing_once():
    """Billing: charges derived from the demo's finished visits (nothing pending on the ready page), a package
    sold and issued; loading it again writes nothing more."""
    counts = (Charge.objects.count(), Package.objects.count(), PackageEntry.objects.count())
    assert counts[0] > 0 and watermarks.pending_counts() == {}
    assert Package.objects.get(creation_key="demo-package").status == "active"
    _load()
    assert (Charge.objects.count(), Package.objects.count(), PackageEntry.objects.count()) == counts


def test_demo_plan_is_planned_as_of_today_and_the_client_timeline_shows_it(client):
    """The status run and the client timeline (docs/specs/one-schedule.md §1, §5)."""
    project = Project.objects.get(name="Smith home move", is_template=False)
    assert project.tasks.filter(is_behind=True).exists() and project.schedule_as_of is not None
    client.force_login(User.objects.get(email="owner@example.com"))
    detail = client.get(project.get_absolute_url()).content.decode()
    assert "Planned as of" in detail and "behind" in detail
    timeline = client.get(reverse("dashboard:client_timeline", kwargs={"pk": project.client_id})).content.decode()
    assert "Smith home move, active, forecast finish" in timeline


def test_W41_W44_demo_fills_the_photo_pages_once(client):
    """Photos: pairs on the Smith visit, a gallery, a portfolio with a recorded use, a takedown task; loading it
    again adds nothing."""
    counts = (Photo.objects.count(), PortfolioUse.objects.count(), TakedownTask.objects.count())
    assert counts == (10, 2, 1)  # 5 for the Smith and Garcia pages, 5 for the portal client
    _load()
    assert (Photo.objects.count(), PortfolioUse.objects.count(), TakedownTask.objects.count()) == counts
    client.force_login(User.objects.get(email="owner@example.com"))
    assert (
        client.get(reverse("photos:gallery")).content.decode().count("data-photo=") == 8
    )  # the portal client's lockbox shot is capped
    portfolio = client.get(reverse("photos:portfolio")).content.decode()
    assert "data-takedown" in portfolio and "data-checked" in portfolio
    smith_visit = Photo.objects.filter(space__name="Pantry").first().visit
    panel = client.get(reverse("photos:visit_panel", kwargs={"pk": smith_visit.pk})).content.decode()
    assert panel.count("data-pair") == 2


def test_demo_has_a_portal_user_and_a_request():
    """The portal pages: a portal user with access and a pending request (docs/specs/portal.md §10)."""
    _load()
    grant = PortalAccess.objects.get()
    assert grant.status == "active" and grant.user.is_portal
    request = VisitChangeRequest.objects.get()
    assert request.status == "pending" and request.appointment.client == grant.client
    office = Client()
    office.force_login(grant.invited_by)
    assert grant.client.name in office.get("/portal-office/requests/").content.decode()
    browser = Client()
    assert portal.code_login(browser, grant.user.email)["Location"] == "/portal/"
    assert "Change requested" in browser.get("/portal/visits/").content.decode()
    photos = browser.get("/portal/photos/").content.decode()
    assert "Kitchen" in photos and "Entryway" in photos and photos.count("/thumb/") == 4  # the lockbox shot stays
    assert "Team" in browser.get("/portal/consent/").content.decode()


def test_T37_after_one_load_the_revenue_tile_equals_its_drill_down():
    """docs/specs/defects.md T37: the rollup ran before billing's demo logged yesterday's shopping time, so the
    earned-revenue tile ($3,155.00) and its list ($3,405.00) disagreed until the next hourly rollup."""
    from billing import rollups as billing_rollups
    from organizer_pm.dashboard import kpis

    today = kpis.today_local()
    window = kpis.Window(today - timedelta(days=7), today, "custom", "last 7 days")
    figures = kpis.figures(window, today=today)
    for organizer_id in (None, *User.objects.filter(role="organizer").values_list("pk", flat=True)):
        _, listed = billing_rollups.charges_behind(start=window.start, end=today, organizer_id=organizer_id)
        tile = figures.ops[organizer_id].revenue if organizer_id in figures.ops else 0
        assert tile == listed, organizer_id


def test_T35_the_demos_cancellation_and_no_show_fees_are_dated_by_their_visits():
    """docs/specs/defects.md T35: the demo's twelve weeks of history were written today, so every fee (dated by
    the visit's last status change) landed on today, with today's date in its description."""
    from billing import rates

    fees = list(Charge.objects.filter(kind__in=["cancel_fee", "no_show_fee"]).select_related("visit"))
    assert len(fees) > 5
    for fee in fees:
        visit_day = rates.local_date(fee.visit.starts)
        assert visit_day - timedelta(days=1) <= fee.service_date <= visit_day, (fee.description, visit_day)
        assert fee.service_date.isoformat() in fee.description
    today = rates.local_date(timezone.now())
    past = [f for f in fees if rates.local_date(f.visit.starts) < today - timedelta(days=1)]
    assert past and all(f.service_date < today for f in past)


def test_T46_after_one_load_the_dashboards_stock_value_is_the_valuation_pages(client):
    """docs/specs/defects.md T46: the demo receives its stock on load day and the table read only stored days, so
    it showed $0.00 per location (and turns "—") beside a $2,662.50 valuation page."""
    from operations.selectors import inventory as stock

    client.force_login(User.objects.get(email="owner@example.com"))
    page = client.get(reverse("dashboard:home"))
    table = page.context["stock"]
    per_location, total = stock.valuation()
    assert table.live and table.total == total > 0
    assert {row["location"].name: row["last"] for row in table.rows if row["last"]} == {
        row["location"]: row["value"] for row in per_location
    }
    assert "(today, computed live from the stock ledger)" in page.content.decode()
