"""Link types, lags and leads, constraints ("links win"), the deadline and the critical threshold (§2.3-§2.5)."""

from __future__ import annotations

from datetime import date

import pytest

from projects.scheduling import Constraint, Link, Task, schedule
from tests.projects.scheduling.support import SMITH_CALENDAR, smith_links, smith_tasks


def june(day: int) -> date:
    return date(2026, 6, day)


# -- link types, lags and leads ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "lag", "es_b"),
    [
        ("FS", 0, 3),  # B starts when A finishes
        ("FS", 2, 5),
        ("FS", -2, 1),  # a lead
        ("SS", 1, 1),
        ("FF", 1, 2),  # B (2 days) finishes one day after A: 3 + 1 - 2
        ("FF", -1, 0),  # B may finish at 2, so it starts at the project start
        ("SF", 4, 2),  # B finishes 4 days after A starts
        ("SF", 1, 0),  # clamped at the project start
    ],
)
def test_schedule_applies_each_link_type_and_lag_to_the_successor(kind, lag, es_b):
    result = schedule([Task("A", duration=3), Task("B", duration=2)], [Link("A", "B", kind=kind, lag=lag)])

    assert result.tasks["B"].es == es_b
    assert result.tasks["B"].ef == es_b + 2


@pytest.mark.parametrize(
    ("kind", "lag", "lf_a"),
    [
        ("FS", 1, 5),  # B has no successor, so LF_B = 8 and LS_B = 6; A must finish by 6 - 1
        ("SS", 1, 8),  # LS_A <= LS_B - 1 = 5, so LF_A <= 8
        ("FF", 1, 7),  # LF_A <= LF_B - 1
        ("SF", 2, 8),  # LS_A <= LF_B - 2 = 6 allows LF_A = 9; the project anchor (8) is tighter
    ],
)
def test_schedule_applies_each_link_type_backwards(kind, lag, lf_a):
    # Z holds the project anchor at 8 so that B is not the only terminal task.
    tasks = [Task("A", duration=3), Task("B", duration=2), Task("Z", duration=8)]
    result = schedule(tasks, [Link("A", "B", kind=kind, lag=lag)])
    b = result.tasks["B"]
    a = result.tasks["A"]

    assert b.lf == 8
    expected = {
        "FS": b.ls - lag,
        "SS": b.ls - lag + 3,
        "FF": b.lf - lag,
        "SF": b.lf - lag + 3,
    }[kind]
    assert a.lf == min(8, expected) == lf_a


def test_schedule_lets_the_latest_predecessor_drive_a_task():
    tasks = [Task("A", duration=2), Task("B", duration=4), Task("C", duration=1)]
    result = schedule(tasks, [Link("A", "C"), Link("B", "C", kind="SS", lag=3)])

    assert result.tasks["C"].es == 3
    assert result.tasks["A"].free_float == 1
    assert result.tasks["B"].free_float == 0


# -- constraints: links win, violations show as negative float -----------------------------------------------


@pytest.mark.parametrize(
    ("constraint", "es", "ls"),
    [
        (Constraint("SNET", 5), 5, 18),  # early side only; late start from the deadline (20 - 2)
        (Constraint("FNET", 6), 4, 18),
        (Constraint("SNLT", 7), 0, 7),  # late side only: it never pulls a task early
        (Constraint("FNLT", 9), 0, 7),
        (Constraint("MSO", 3), 3, 3),  # both sides
        (Constraint("MFO", 6), 4, 4),
    ],
)
def test_schedule_applies_a_constraint_to_a_lone_task(constraint, es, ls):
    result = schedule([Task("A", duration=2, constraint=constraint)], [], deadline=20)

    assert (result.tasks["A"].es, result.tasks["A"].ls) == (es, ls)


@pytest.mark.parametrize(
    ("constraint", "total_float"),
    [
        (Constraint("SNLT", 1), -1),  # the link starts B at 2
        (Constraint("FNLT", 3), -1),  # B cannot finish before 4
        (Constraint("MSO", 0), -2),
        (Constraint("MFO", 2), -2),
        (Constraint("SNET", 1), 0),  # satisfied by the link: no effect
        (Constraint("FNET", 1), 0),
    ],
)
def test_schedule_lets_links_win_over_constraints_with_negative_float(constraint, total_float):
    tasks = [Task("A", duration=2), Task("B", duration=2, constraint=constraint)]
    result = schedule(tasks, [Link("A", "B")])

    assert result.tasks["B"].es == 2  # the link wins
    assert result.tasks["B"].total_float == total_float
    assert result.tasks["A"].total_float == total_float  # the conflict reaches back up the chain
    assert result.tasks["B"].free_float == 0
    assert result.tasks["B"].critical


def test_schedule_pushes_successors_of_a_constrained_task():
    tasks = [Task("A", duration=2, constraint=Constraint("SNET", 4)), Task("B", duration=1)]
    result = schedule(tasks, [Link("A", "B")])

    assert result.tasks["B"].es == 6
    assert result.finish == 7


def test_schedule_converts_constraint_dates_with_the_calendar():
    # MFO on Friday June 12: finished by the end of working day 9, i.e. point 10.
    constraint = Constraint("MFO", SMITH_CALENDAR.finpt(june(12)))
    result = schedule([Task("A", duration=3, constraint=constraint)], [])

    assert (result.tasks["A"].es, result.tasks["A"].ef) == (7, 10)
    assert SMITH_CALENDAR.finish_date(result.tasks["A"].ef, 3) == june(12)


def test_schedule_gives_negative_late_points_under_negative_float():
    tasks = [Task("A", duration=3), Task("B", duration=1, constraint=Constraint("FNLT", 2))]
    result = schedule(tasks, [Link("A", "B")])

    assert result.tasks["A"].ls == -2
    assert SMITH_CALENDAR.start_date(result.tasks["A"].ls) == date(2026, 5, 28)


# -- deadline and threshold ----------------------------------------------------------------------------------


def test_schedule_gives_the_main_chain_positive_float_before_a_later_deadline():
    result = schedule(smith_tasks(), smith_links(), deadline=18)

    assert result.finish == 15
    assert result.tasks["A"].total_float == 3
    assert result.tasks["K"].free_float == 3  # no successor: measured against the deadline
    assert result.critical_path == []
    assert not result.tasks["P"].critical


def test_schedule_gives_negative_float_when_the_deadline_is_too_early():
    result = schedule(smith_tasks(), smith_links(), deadline=13)

    assert result.tasks["A"].total_float == -2
    assert result.tasks["H"].total_float == 7
    assert result.tasks["A"].free_float == 0
    assert result.tasks["C"].total_float == -1
    assert result.critical_path == ["A", "C", "E", "D", "F", "G", "I", "K"]


def test_schedule_marks_tasks_within_the_threshold_critical():
    result = schedule(smith_tasks(), smith_links(), critical_threshold=1)

    assert result.tasks["C"].critical  # total float 1
    assert result.critical_path == ["A", "C", "E", "D", "F", "G", "I", "K"]
