"""DS1-DS4 (docs/specs/scale.md): the scale data set is realistic, consistent and deterministic.

One small business (1 year, 3 organizers, 20 clients) is loaded once for the module inside a transaction that is
rolled back at the end; the tests read what the fixture measured.
"""

from __future__ import annotations

import hashlib
import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count, Max

from accounts.models import User
from billing.models import Charge, Invoice, RedoLink
from billing.selectors import billed_drift
from clients.models import Client
from operations.models import Appointment, OrganizerBlock, RecurringSeries, StockMove
from projects.models import Dependency, Project, Task
from projects.planning import SCHEDULE_FIELDS, project_schedule_recalculate

# `db` on every test: pytest-django switches to the test database only for a session that asks for it.
pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 6)
ARGS = ["--years", "1", "--organizers", "3", "--clients", "20", "--projects", "6", "--seed", "7",
        "--today", TODAY.isoformat(), "--no-backfill"]  # fmt: skip


def _scalar(sql: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def fingerprint() -> str:
    """A digest of the rows by content (names, times, amounts), not by primary key."""
    parts = [
        list(Client.all_objects.order_by("name").values_list("name", "kind", "status", "created_at")),
        list(Appointment.objects.order_by("starts", "client__name")
             .values_list("client__name", "starts", "ends", "status", "actual_start", "actual_end",
                          "appointment_type__name", "series__rrule")),
        list(StockMove.objects.order_by("created_at", "item__sku", "reason", "qty")
             .values_list("item__sku", "qty", "from_location__name", "to_location__name", "unit_cost", "reason",
                          "created_at")),
        list(Task.objects.order_by("project__name", "wbs_code")
             .values_list("project__name", "wbs_code", "name", "start_on", "finish_on", "total_float")),
        list(Charge.objects.order_by("service_date", "client__name", "visit__starts", "kind", "amount")
             .values_list("client__name", "visit__starts", "kind", "amount")),
        list(Invoice.objects.order_by("number").values_list("number", "client__name", "total", "status")),
    ]  # fmt: skip
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _measure() -> dict:
    statuses = dict(Appointment.objects.values_list("status").annotate(n=Count("pk")))
    return {
        "clients": Client.all_objects.count(),
        "organizers": User.objects.filter(role="organizer").count(),
        "visits": Appointment.objects.count(),
        "series": RecurringSeries.objects.count(),
        "series_visits": Appointment.objects.filter(series__isnull=False).count(),
        "statuses": statuses,
        "redo_links": RedoLink.objects.count(),
        "first_visit": Appointment.objects.order_by("starts").first().starts.date(),
        "last_visit": Appointment.objects.order_by("starts").last().starts.date(),
        "projects": Project.objects.count(),
        "largest_tasks": Project.objects.annotate(n=Count("tasks")).aggregate(m=Max("n"))["m"],
        "links": Dependency.objects.count(),
        "unscheduled_tasks": Task.objects.filter(start_on__isnull=True).count(),
        "moves": StockMove.objects.count(),
        # Every internal level equals what its ledger adds up to.
        "level_mismatches": _scalar("""
            SELECT count(*) FROM operations_stocklevel l WHERE l.qty <> (
              COALESCE((SELECT sum(qty) FROM operations_stockmove m
                        WHERE m.item_id = l.item_id AND m.to_location_id = l.location_id), 0)
            - COALESCE((SELECT sum(qty) FROM operations_stockmove m
                        WHERE m.item_id = l.item_id AND m.from_location_id = l.location_id), 0))"""),
        "negative_levels": _scalar("SELECT count(*) FROM operations_stocklevel WHERE qty < 0"),
        "invoice_mismatches": _scalar("""
            SELECT count(*) FROM billing_invoice i WHERE i.total <> (
              SELECT COALESCE(sum(amount + tax_amount), 0) FROM billing_invoiceline WHERE invoice_id = i.id)
            OR i.amount_due <> i.total - (
              SELECT COALESCE(sum(amount), 0) FROM billing_allocation WHERE invoice_id = i.id)"""),
        "overlapping_blocks": _scalar("""
            SELECT count(*) FROM operations_organizerblock a JOIN operations_organizerblock b
              ON a.organizer_id = b.organizer_id AND a.id < b.id
             AND a.status = 'active' AND b.status = 'active'
             AND tstzrange(a.starts, a.blocked_until) && tstzrange(b.starts, b.blocked_until)"""),
        "blocks": OrganizerBlock.objects.count(),
        "charges": Charge.objects.count(),
        "invoices": Invoice.objects.count(),
        "unbilled_this_month": Charge.objects.filter(
            service_date__gte=TODAY.replace(day=1), lines__isnull=True
        ).count(),
        "billed_drift": billed_drift(),
        "fingerprint": fingerprint(),
        "schedule_differences": _schedule_differences(),
    }


def _schedule_differences() -> int:
    """Rows whose stored schedule differs from what the app's own recalculation stores (run last: it writes)."""
    fields = [f.replace("driving_link_id", "driving_link") for f in SCHEDULE_FIELDS]

    def snapshot() -> list:
        return [
            *Task.objects.order_by("pk").values_list("pk", *fields),
            *Dependency.objects.order_by("pk").values_list("pk", "is_critical"),
            *Project.objects.order_by("pk").values_list("pk", "finish_on", "min_total_float"),
        ]

    before = snapshot()
    for project in Project.objects.all():
        project_schedule_recalculate(project=project)
    return sum(a != b for a, b in zip(before, snapshot(), strict=True))


@pytest.fixture(scope="module")
def scale(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        call_command("load_scale", *ARGS, stdout=out)
        first = _measure()
        try:
            call_command("load_scale", *ARGS, stdout=io.StringIO())
            refused = ""
        except CommandError as exc:
            refused = str(exc)
        unchanged = fingerprint()
        call_command("load_scale", *ARGS, "--wipe", stdout=io.StringIO())
        second = fingerprint()
        call_command("load_scale", *ARGS[:-3], "--seed", "8", "--today", TODAY.isoformat(), "--wipe",
                     "--no-backfill", stdout=io.StringIO())  # fmt: skip
        other_seed = fingerprint()
        transaction.set_rollback(True)
    return {**first, "output": out.getvalue(), "refused": refused, "unchanged": unchanged, "second": second,
            "other_seed": other_seed}  # fmt: skip


def test_DS1_counts_are_those_asked_for_and_realistic(scale):
    assert scale["clients"] == 20
    assert scale["organizers"] == 3
    assert scale["projects"] == 6
    assert scale["largest_tasks"] >= 300
    assert scale["links"] > 300
    assert scale["unscheduled_tasks"] == 0  # every task was scheduled by the engine
    # 3 organizers, about 23 visits a week each, for a year and three weeks ahead.
    assert 2500 < scale["visits"] < 4500
    assert scale["series"] > 0 and scale["series_visits"] > 0
    for status in ("completed", "cancelled", "late_cancelled", "no_show", "needs_redo", "scheduled", "confirmed"):
        assert scale["statuses"].get(status, 0) > 0, status
    assert scale["redo_links"] > 0
    assert (TODAY - scale["first_visit"]).days in range(360, 372)
    assert 0 < (scale["last_visit"] - TODAY).days <= 60
    assert scale["moves"] > scale["statuses"]["completed"]
    assert scale["charges"] > 0 and scale["invoices"] > 0
    assert scale["unbilled_this_month"] > 0  # this month is left ready to invoice
    assert "visits" in scale["output"] and "no rollup backfill" not in scale["output"]


def test_DS2_rows_are_consistent(scale):
    assert scale["level_mismatches"] == 0
    assert scale["negative_levels"] == 0
    assert scale["invoice_mismatches"] == 0
    assert scale["overlapping_blocks"] == 0
    assert scale["billed_drift"] == 0  # every charge on a live line is flagged billed, and only those
    assert scale["schedule_differences"] == 0  # the stored plans are what the app's recalculation stores
    assert scale["blocks"] >= scale["visits"]


def test_DS3_same_seed_same_rows_other_seed_other_rows(scale):
    assert scale["second"] == scale["fingerprint"]
    assert scale["other_seed"] != scale["fingerprint"]


def test_DS4_second_run_refused_without_wipe(scale):
    assert "--wipe" in scale["refused"]
    assert "already holds" in scale["refused"]
    assert scale["unchanged"] == scale["fingerprint"]
