"""The worked examples of docs/specs/scheduling.md §3, number by number, and the test-suite additions listed there."""

from __future__ import annotations

from datetime import date

import pytest

from projects.scheduling import CycleError, Link, LinkError, Task, WorkCalendar, schedule
from tests.projects.scheduling.support import (
    SMITH_CALENDAR,
    expanded_links,
    smith_links,
    smith_tasks,
)


def june(day: int) -> date:
    return date(2026, 6, day)


# -- Example 1: "Smith home move" ---------------------------------------------------------------------------

# id, D, ES, EF, LS, LF, TF, FF, critical, early start, early finish, late start, late finish
# (docs/specs/scheduling.md §3)
SMITH_TABLE = [
    ("P", None, 0, 15, 0, 15, 0, None, True, june(1), june(22), june(1), june(22)),
    ("P1", None, 0, 5, 0, 11, 0, None, True, june(1), june(5), june(1), june(15)),
    ("A", 2, 0, 2, 0, 2, 0, 0, True, june(1), june(2), june(1), june(2)),
    ("B", 3, 2, 5, 8, 11, 6, 3, False, june(3), june(5), june(11), june(15)),
    ("E", 1, 2, 3, 2, 3, 0, 0, True, june(3), june(3), june(3), june(3)),
    ("P2", None, 1, 11, 2, 15, 0, None, True, june(2), june(15), june(3), june(22)),
    ("C", 4, 1, 5, 2, 6, 1, 0, False, june(2), june(5), june(3), june(8)),
    ("D", 5, 5, 10, 5, 10, 0, 0, True, june(8), june(12), june(8), june(12)),
    ("F", 2, 9, 11, 9, 11, 0, 0, True, june(12), june(15), june(12), june(15)),
    ("H", 1, 5, 6, 14, 15, 9, 9, False, june(8), june(8), june(22), june(22)),
    ("P3", None, 8, 15, 11, 15, 0, None, True, june(11), june(22), june(16), june(22)),
    ("G", 1, 11, 12, 11, 12, 0, 0, True, june(16), june(16), june(16), june(16)),
    ("I", 3, 12, 15, 12, 15, 0, 0, True, june(17), june(22), june(17), june(22)),
    ("J", 4, 8, 12, 11, 15, 3, 3, False, june(11), june(16), june(16), june(22)),
    ("K", 0, 15, 15, 15, 15, 0, 0, True, june(22), june(22), june(22), june(22)),
]


@pytest.fixture(scope="module")
def smith():
    return schedule(smith_tasks(), smith_links())


@pytest.mark.parametrize(
    ("task_id", "duration", "es", "ef", "ls", "lf", "tf", "ff", "critical"), [row[:9] for row in SMITH_TABLE]
)
def test_schedule_reproduces_the_smith_home_move_points(smith, task_id, duration, es, ef, ls, lf, tf, ff, critical):
    result = smith.tasks[task_id]

    assert (result.es, result.ef, result.ls, result.lf) == (es, ef, ls, lf)
    assert (result.total_float, result.free_float, result.critical) == (tf, ff, critical)


@pytest.mark.parametrize(
    ("task_id", "duration", "early_start", "early_finish", "late_start", "late_finish"),
    [(row[0], row[1], *row[9:]) for row in SMITH_TABLE],
)
def test_schedule_reproduces_the_smith_home_move_dates(
    smith, task_id, duration, early_start, early_finish, late_start, late_finish
):
    result = smith.tasks[task_id]
    if duration is None:  # summaries: their span, which is never 0 here
        duration = result.ef - result.es

    assert SMITH_CALENDAR.start_date(result.es, duration) == early_start
    assert SMITH_CALENDAR.finish_date(result.ef, duration) == early_finish
    assert SMITH_CALENDAR.start_date(result.ls, duration) == late_start
    assert SMITH_CALENDAR.finish_date(result.lf, duration) == late_finish


def test_schedule_finishes_the_smith_home_move_at_point_15_on_monday_june_22(smith):
    assert smith.finish == 15
    assert SMITH_CALENDAR.day(smith.finish - 1) == june(22)
    assert SMITH_CALENDAR.finish_date(smith.tasks["P"].ef, 15) == june(22)


def test_schedule_orders_the_smith_critical_path_by_start(smith):
    assert smith.critical_path == ["A", "E", "D", "F", "G", "I", "K"]


def test_schedule_marks_zero_float_tasks_critical(smith):
    leaves = [t.id for t in smith_tasks() if t.id not in {"P", "P1", "P2", "P3"}]

    assert {t for t in leaves if smith.tasks[t].critical} == {t for t in leaves if smith.tasks[t].total_float == 0}


def test_schedule_gives_summaries_no_free_float(smith):
    assert [smith.tasks[s].free_float for s in ("P", "P1", "P2", "P3")] == [None] * 4


def test_schedule_result_maps_every_task_in_input_order(smith):
    assert list(smith.tasks) == [t.id for t in smith_tasks()]
    assert len(smith.tasks) == 15
    assert "K" in smith.tasks
    assert "Z" not in smith.tasks
    with pytest.raises(KeyError):
        smith.tasks["Z"]


def test_schedule_results_are_equal_values_on_every_lookup(smith):
    assert smith.tasks["B"] == smith.tasks["B"]
    assert smith.tasks["B"].id == "B"


@pytest.mark.parametrize(
    ("link", "critical"),
    [
        (Link("A", "E"), True),
        (Link("E", "D", lag=2), True),
        (Link("D", "F", kind="FF", lag=1), True),
        (Link("I", "K"), True),
        (Link("C", "D", lag=-1), False),  # C has float
        (Link("A", "C", kind="SS", lag=1), False),
        (Link("I", "J", kind="SF"), False),
        (Link("P1", "P3"), False),  # P3's earliest leaf (J) starts 3 days after P1's last leaf ends
    ],
)
def test_schedule_flags_critical_links_between_critical_tasks_without_slack(smith, link, critical):
    assert smith.is_critical_link(link) is critical


def test_schedule_measures_summary_link_slack_on_rolled_up_dates(smith):
    assert smith.link_slack(Link("P1", "P3")) == 3
    assert smith.link_slack(Link("C", "H")) == 0


# Test-suite additions listed under Example 1.


def test_schedule_gives_the_same_points_on_a_seven_day_calendar():
    seven_days = WorkCalendar(june(1), workdays=frozenset(range(7)))
    result = schedule(smith_tasks(), smith_links())

    assert result.finish == 15
    assert seven_days.finish_date(result.finish, 3) == june(15)
    assert seven_days.start_date(result.tasks["I"].es) == june(13)  # a Saturday


def test_schedule_clamps_a_lead_that_would_start_a_successor_before_the_project():
    result = schedule([Task("A", duration=2), Task("B", duration=3)], [Link("A", "B", kind="SS", lag=-3)])

    assert result.tasks["B"].es == 0


def test_schedule_puts_a_milestone_at_the_project_start_on_day_zero():
    result = schedule([Task("M", duration=0), Task("X", duration=2)], [Link("M", "X")])

    assert (result.tasks["M"].es, result.tasks["M"].ef) == (0, 0)
    assert SMITH_CALENDAR.finish_date(result.tasks["M"].ef, 0) == june(1)
    assert result.tasks["X"].es == 0
    assert SMITH_CALENDAR.start_date(result.tasks["X"].es) == june(1)


def test_schedule_finishes_i_and_k_on_friday_when_the_holiday_is_deleted():
    no_holiday = WorkCalendar(june(1))
    result = schedule(smith_tasks(), smith_links())

    assert (result.tasks["I"].ef, result.tasks["K"].ef) == (15, 15)
    assert no_holiday.finish_date(result.tasks["I"].ef, 3) == june(19)
    assert no_holiday.finish_date(result.tasks["K"].ef, 0) == june(19)


# -- Example 3: a cycle --------------------------------------------------------------------------------------


def test_schedule_rejects_a_cycle_closed_through_a_summary_link():
    tasks = smith_tasks()
    links = [*smith_links(), Link("K", "A")]

    with pytest.raises(CycleError) as caught:
        schedule(tasks, links)

    cycle = caught.value.cycle
    linked = {(x.pred, x.succ) for x in expanded_links(tasks, links)}
    assert len(cycle) >= 2
    assert all((a, b) in linked for a, b in zip(cycle, cycle[1:] + cycle[:1], strict=True))
    assert caught.value.remaining == frozenset("ABCDEFGHIJK")


def test_schedule_reports_the_shortest_cycle_of_the_worked_example():
    with pytest.raises(CycleError) as caught:
        schedule(smith_tasks(), [*smith_links(), Link("K", "A")])

    assert sorted(caught.value.cycle) == ["A", "K"]
    assert "'A'" in str(caught.value) and "'K'" in str(caught.value)


def test_schedule_rejects_a_cycle_between_leaves():
    tasks = [Task(x, duration=1) for x in "XYZ"]
    links = [Link("X", "Y"), Link("Y", "Z", kind="SS", lag=-5), Link("Z", "X", kind="FF")]

    with pytest.raises(CycleError) as caught:
        schedule(tasks, links)

    assert caught.value.cycle in (["X", "Y", "Z"], ["Y", "Z", "X"], ["Z", "X", "Y"])


# -- Example 4: a rejected summary link ----------------------------------------------------------------------


def test_schedule_rejects_an_ss_link_out_of_a_summary():
    link = Link("P2", "K", kind="SS")

    with pytest.raises(LinkError) as caught:
        schedule(smith_tasks(), [*smith_links(), link])

    assert caught.value.link == link
    assert "P2" in str(caught.value)
