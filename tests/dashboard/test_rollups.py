"""The nightly rollup: K1 from stored rows, K2 (local day), K4 (idempotent, late edits), and the faults of
docs/specs/kpis.md §4: concurrent runs, a run killed mid-day."""

import threading
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from billing.models import RevenueDaily
from operations import kpi_math as km
from operations.models import Appointment, OpsDaily, StockValueDaily
from operations.selectors import kpi as ops_kpi
from organizer_pm.dashboard import kpis, rollups
from projects.models import SurveyDaily
from tests.dashboard.kpi_world import NY, WEEK, build_world, ny

D = Decimal
pytestmark = pytest.mark.django_db


def roll_week():
    day = WEEK[0]
    while day <= WEEK[1]:
        rollups.rollup_day(day)
        day += timedelta(days=1)


def rows_of(day):
    return sorted(
        (r.organizer_id or 0, r.billable_min, r.completed, r.scheduled, r.supply_cost)
        for r in OpsDaily.objects.filter(local_date=day)
    )


def test_K1_alice_week_from_the_rollup():
    world = build_world()
    roll_week()
    window = kpis.Window(WEEK[0], WEEK[1], "custom", "K1")
    figures = kpis.figures(window, today=date(2025, 12, 1))
    c = figures.ops[world.alice.pk]
    assert (c.available_min, c.billable_min, c.redo_min) == (36 * 60, 750, 60)
    assert km.utilization(c) == D("34.7") and km.utilization(c, productive=True) == D("37.5")
    assert (km.throughput(c), c.completed_visits) == (4, 5)
    assert km.redo_rate(c) == D("25.0")
    assert c.scheduled == 7 and km.cancellation_rate(c) == D("28.6")
    assert km.late_cancel_rate(c) == D("14.3") and km.no_show_rate(c) == D("14.3")
    assert c.revenue == D("1155.00") and km.revenue_per_billable_hour(c) == D("92.40")
    assert km.average_job_size(c) == D("288.75") and km.average_job_size(c, count_redos=True) == D("231.00")
    assert km.supply_cost_per_job(c) == D("25.00")
    business = figures.ops[None]
    assert business.completed == 5 and business.revenue == D("1335.00")  # Ben's job too
    assert figures.survey[None].csat_answers == 2 and km.nps(figures.survey[None]) == 0


def test_K2_a_job_ending_after_local_midnight_counts_on_its_local_day():
    world = build_world()
    rollups.rollup_day(date(2025, 11, 4))
    rollups.rollup_day(date(2025, 11, 5))
    tuesday = OpsDaily.objects.get(organizer=world.alice, local_date=date(2025, 11, 4))
    assert tuesday.completed == 3  # J2, J3 (ends 04:30Z on the 5th) and J7
    assert OpsDaily.objects.get(organizer=world.alice, local_date=date(2025, 11, 5)).completed == 0


def test_K4_rollup_twice_is_one_row_per_organizer_and_day_with_the_same_values():
    build_world()
    rollups.rollup_day(date(2025, 11, 4))
    first = rows_of(date(2025, 11, 4))
    rollups.rollup_day(date(2025, 11, 4))
    assert rows_of(date(2025, 11, 4)) == first
    assert OpsDaily.objects.filter(local_date=date(2025, 11, 4), organizer__isnull=True).count() == 1
    assert RevenueDaily.objects.filter(local_date=date(2025, 11, 4), organizer__isnull=True).count() == 1
    assert SurveyDaily.objects.filter(local_date=date(2025, 11, 4), organizer__isnull=True).count() == 1


def test_K4_late_edit_changes_that_day_on_the_next_run_within_the_trailing_days():
    world = build_world(with_j7_completed=False)
    rollups.rollup_nightly(now=ny(2025, 11, 5, 2))  # covers 10-29 .. 11-04
    before = OpsDaily.objects.get(organizer=world.alice, local_date=date(2025, 11, 4))
    assert before.completed == 2
    Appointment.objects.filter(pk=world.jobs["J7"].pk).update(status="completed")  # marked done on 11-06
    days = rollups.rollup_nightly(now=ny(2025, 11, 6, 2))  # the 11-06 run: 10-30 .. 11-05
    assert "2025-11-04" in days and len(days) == 7
    assert OpsDaily.objects.get(organizer=world.alice, local_date=date(2025, 11, 4)).completed == 3


def test_K14_a_project_session_counts_for_hours_but_is_not_a_job():
    world = build_world()
    day = date(2025, 11, 4)
    rollups.rollup_day(day)
    before = OpsDaily.objects.get(organizer=world.alice, local_date=day)
    Appointment.objects.filter(pk=world.jobs["J7"].pk).update(category=Appointment.Category.PROJECT_SESSION)
    rollups.rollup_day(day)
    after = OpsDaily.objects.get(organizer=world.alice, local_date=day)
    assert (after.completed, after.scheduled) == (before.completed - 1, before.scheduled - 1)
    assert after.billable_min == before.billable_min and after.completed_visits == before.completed_visits


def test_closed_days_follow_the_business_zone_over_dst():
    # 2025-11-02 is a 25-hour day in New York; at 04:30Z on the 3rd it has just closed.
    assert rollups.closed_days(datetime.fromisoformat("2025-11-03T05:30:00+00:00"))[-1] == date(2025, 11, 2)
    assert rollups.closed_days(datetime.fromisoformat("2025-11-03T04:30:00+00:00"))[-1] == date(2025, 11, 1)


def test_K8_stock_value_per_location_from_the_ledger_is_never_summed_over_days():
    world = build_world()
    # The fixture's moves are stamped now: 100 boxes at $10 received, $100 consumed on jobs, all today.
    today = timezone.now().astimezone(NY).date()
    yesterday = today - timedelta(days=1)
    rollups.rollup_day(yesterday)
    rollups.rollup_day(today)
    before = StockValueDaily.objects.get(location=world.warehouse, local_date=yesterday)
    after = StockValueDaily.objects.get(location=world.warehouse, local_date=today)
    assert (before.value, before.consumed_cost) == (D("0.00"), D("0.00"))
    assert (after.value, after.consumed_cost) == (D("900.00"), D("100.00"))
    table = ops_kpi.stock_by_location(start=yesterday, end=today, today=today)
    [row] = [r for r in table.rows if r["location"] == world.warehouse]
    assert (row["last"], row["average"]) == (D("900.00"), D("450.00"))  # not 900 + 0 summed
    rollups.rollup_day(today)  # the chained value is the same on a rerun
    assert StockValueDaily.objects.get(location=world.warehouse, local_date=today).value == D("900.00")


@pytest.mark.django_db(transaction=True)
def test_K9_two_rollups_at_once_leave_one_row_per_organizer_and_day():
    build_world()
    day = date(2025, 11, 4)
    errors = []

    def run():
        try:
            rollups.rollup_day(day)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert OpsDaily.objects.filter(local_date=day).count() == 3  # Alice, Ben (available hours), business
    assert OpsDaily.objects.filter(local_date=day, organizer__isnull=True).count() == 1
    first = rows_of(day)
    rollups.rollup_day(day)
    assert rows_of(day) == first


@pytest.mark.django_db(transaction=True)
def test_a_run_killed_mid_day_leaves_the_old_values(monkeypatch):
    world = build_world()
    day = date(2025, 11, 4)
    rollups.rollup_day(day)
    old = rows_of(day)
    Appointment.objects.filter(pk=world.jobs["J2"].pk).update(status="cancelled")

    def die(**kwargs):
        raise SystemExit("worker killed")

    monkeypatch.setattr(rollups.billing_rollups, "revenue_rollup_day", die)  # after operations wrote its rows
    with pytest.raises(SystemExit):
        rollups.rollup_day(day)
    assert rows_of(day) == old
    monkeypatch.undo()
    rollups.rollup_day(day)
    assert rows_of(day) != old


@pytest.mark.django_db(transaction=True)
def test_K9_the_advisory_lock_makes_a_second_run_wait():
    build_world()
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("BEGIN; SELECT pg_advisory_xact_lock(%s)", [rollups.LOCK_KEY])
            done = threading.Event()

            def run():
                rollups.rollup_day(date(2025, 11, 4))
                connection.close()
                done.set()

            thread = threading.Thread(target=run)
            thread.start()
            assert not done.wait(1.0)  # blocked behind the other holder
            cursor.execute("COMMIT")
            assert done.wait(30)
            thread.join()
    finally:
        other.close()


def test_backfill_command_rolls_up_a_range(capsys):
    build_world()
    call_command("kpi_backfill", "2025-11-03", "2025-11-09", verbosity=0)
    assert OpsDaily.objects.filter(organizer__isnull=True, is_month=False).count() == 7
    assert "Rolled up 7 days" in capsys.readouterr().out


def test_the_recompute_window_is_a_setting(settings):
    settings.KPI_RECOMPUTE_DAYS = 3
    days = rollups.closed_days(datetime.fromisoformat("2025-11-07T12:00:00+00:00"))
    assert days == [date(2025, 11, 4), date(2025, 11, 5), date(2025, 11, 6)]


def test_month_rows_hold_the_sums_of_their_days_and_long_windows_read_them():
    world = build_world()
    for day in (date(2025, 10, 31), date(2025, 11, 3), date(2025, 11, 4), date(2025, 11, 5), date(2025, 12, 1)):
        rollups.rollup_day(day)
    month = OpsDaily.objects.get(organizer=world.alice, local_date=date(2025, 11, 1), is_month=True)
    days = OpsDaily.objects.filter(organizer=world.alice, is_month=False, local_date__month=11)
    assert month.billable_min == sum(d.billable_min for d in days) == 180 + 240 + 150 + 180
    assert RevenueDaily.objects.get(organizer__isnull=True, local_date=date(2025, 11, 1), is_month=True).earned == D(
        "1335.00"
    )
    # A window over whole and partial months reads each day once: month rows inside, day rows at the ends.
    window = kpis.Window(date(2025, 10, 31), date(2025, 12, 1), "custom", "x")
    figures = kpis.figures(window, today=date(2026, 1, 1))
    assert figures.ops[world.alice.pk].billable_min == month.billable_min
    assert figures.ops[None].revenue == D("1335.00")
    Appointment.objects.filter(pk=world.jobs["J2"].pk).update(status="cancelled")
    rollups.rollup_day(date(2025, 11, 4))  # a day's rerun refreshes its month
    month.refresh_from_db()
    assert month.billable_min == 180 + 150 + 180
