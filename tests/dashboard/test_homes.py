"""Office and organizer home pages (docs/specs/kpis.md §4): the office's day without money, billers' counts, and
the organizer's My day first with their own week only."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from billing.models import Biller, Invoice
from operations.models import Appointment, AppointmentType, Reminder, TimeOff
from tests.dashboard.kpi_world import NY, build_world

pytestmark = pytest.mark.django_db


def today_at(hour):
    """A time today in New York (the business and the organizers' zone), whatever the clock says."""
    return datetime.combine(timezone.now().astimezone(NY).date(), time(hour), tzinfo=NY)


def book(world, organizers, starts, hours=2, status="scheduled"):
    visit = Appointment.objects.create(
        client=world.client, site=world.client.sites.first(), appointment_type=AppointmentType.objects.first(),
        starts=starts, ends=starts + timedelta(hours=hours), blocked_until=starts + timedelta(hours=hours),
        status=status,
    )  # fmt: skip
    visit.organizers.set(organizers)
    return visit


@pytest.fixture
def world():
    return build_world()


def test_office_home_lists_today_attention_items_and_no_money(client, world):
    now = timezone.now()
    today_visit = book(world, [world.alice], today_at(12), status="confirmed")
    nobody = book(world, [], now + timedelta(days=3))
    clash = book(world, [world.ben], now + timedelta(days=5))
    TimeOff.objects.create(organizer=world.ben, starts=clash.starts - timedelta(hours=1), ends=clash.ends)
    Reminder.objects.create(appointment=today_visit, kind="client_48h", recipient="c@example.com", send_at=now,
                            status="failed", last_error="mailbox full")  # fmt: skip
    client.force_login(world.office)
    response = client.get(reverse("dashboard:home"))
    html = response.content.decode()
    assert response.status_code == 200
    groups = {g.organizer: g.visits for g in response.context["today_by_organizer"]}
    assert groups[world.alice] == [today_visit]
    assert nobody in response.context["unassigned"] and response.context["conflicts"][0]["visit"] == clash
    assert "mailbox full" in html and response.context["reminders"]["failed_count"] == 1
    assert response.context["biller"] is None and 'id="office-billing"' not in html
    assert "$" not in html and "revenue" not in html.lower()


def test_office_biller_sees_ready_to_invoice_and_overdue_counts(client, world):
    Biller.objects.create(user=world.office)
    due = timezone.localdate() - timedelta(days=3)
    Invoice.objects.create(
        client=world.client, status="issued", number="T-1", due_date=due, total=Decimal("10"), amount_due=Decimal("10")
    )
    client.force_login(world.office)
    response = client.get(reverse("dashboard:home"))
    assert response.context["biller"]["overdue_invoices"] == 1
    assert response.context["biller"]["ready_clients"] >= 1  # the K1 week's charges are not invoiced
    assert 'id="office-billing"' in response.content.decode()


def test_organizer_home_shows_my_day_first_then_only_their_own_week(client, world):
    mine = book(world, [world.alice], today_at(9))
    theirs = book(world, [world.ben], today_at(12))
    client.force_login(world.alice)
    response = client.get(reverse("dashboard:home"))
    html = response.content.decode()
    assert html.index("My day") < html.index("My week") < html.index("My clients")
    day_visits = [row.visit for row in response.context["visits"]]
    assert day_visits == [mine] and theirs not in day_visits
    assert response.context["week"]["booked_min"] >= 120
    assert "Ben" not in html and "$" not in html
