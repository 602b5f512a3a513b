"""The status run on the worked example (docs/specs/one-schedule.md §6, OS1-OS6), pure: no database."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from projects.scheduling import schedule
from projects.status import ANCHOR, Progress, remaining_duration, status_run
from tests.projects.scheduling.support import SMITH_CALENDAR as CAL
from tests.projects.scheduling.support import smith_links, smith_tasks

WED_0610 = CAL.startpt(date(2026, 6, 10))
OS1_PROGRESS = {
    "A": Progress(100, CAL.startpt(date(2026, 6, 1)), CAL.finpt(date(2026, 6, 2))),
    "E": Progress(50, CAL.startpt(date(2026, 6, 3))),
}
# (task, ES, EF, LS, LF, TF, FF, critical) from OS1; A is done: no float, never critical.
OS1 = [
    ("A", 0, 2, None, None, None, None, False),
    ("B", 7, 10, 13, 16, 6, 3, False),
    ("E", 7, 8, 7, 8, 0, 0, True),
    ("C", 7, 11, 7, 11, 0, 0, True),
    ("D", 10, 15, 10, 15, 0, 0, True),
    ("F", 14, 16, 14, 16, 0, 0, True),
    ("H", 11, 12, 19, 20, 8, 8, False),
    ("G", 16, 17, 16, 17, 0, 0, True),
    ("I", 17, 20, 17, 20, 0, 0, True),
    ("J", 13, 17, 16, 20, 3, 3, False),
    ("K", 20, 20, 20, 20, 0, 0, True),
]


def os1(**kwargs):
    return status_run(smith_tasks(), smith_links(), OS1_PROGRESS, status_point=WED_0610, **kwargs)


@pytest.mark.parametrize("row", OS1, ids=[r[0] for r in OS1])
def test_OS1_status_run_on_wednesday_june_10(row):
    key, es, ef, ls, lf, tf, ff, critical = row
    r = os1().tasks[key]
    assert (r.es, r.ef, r.total_float, r.free_float, r.critical) == (es, ef, tf, ff, critical)
    if ls is not None:
        assert (r.ls, r.lf) == (ls, lf)


def test_OS1_forecast_finish_summaries_and_no_anchor():
    result = os1()
    assert WED_0610 == 7
    assert CAL.finish_date(result.finish, 1) == date(2026, 6, 29)  # the plan said Mon 06-22
    assert CAL.finish_date(result.plan_finish, 1) == date(2026, 6, 22)
    p1, p2, p3 = (result.tasks[k] for k in ("P1", "P2", "P3"))
    assert (p1.es, p1.ef, p1.total_float) == (0, 10, 0)  # A (done) is left out of the phase's float
    assert (p2.es, p2.ef, p3.es, p3.ef) == (7, 16, 13, 20)
    assert ANCHOR not in result.tasks and ANCHOR not in result.critical_path
    assert result.late_by == 0


def test_OS2_a_deadline_makes_the_project_late_by_one_working_day():
    deadline = CAL.finpt(date(2026, 6, 26))
    result = os1(deadline=deadline)
    assert deadline == 19 and result.late_by == 1
    floats = {k: result.tasks[k].total_float for k in "ECDFGIKBJH"}
    assert floats == {"E": -1, "C": -1, "D": -1, "F": -1, "G": -1, "I": -1, "K": -1, "B": 5, "J": 2, "H": 7}
    planned = schedule(smith_tasks(), smith_links(), deadline=deadline)
    assert planned.finish == 15 and planned.tasks["K"].total_float == 4  # the plan as entered is on time


def test_OS3_a_june_plan_in_december_slides_to_the_status_date():
    s = CAL.startpt(date(2026, 12, 1))
    result = status_run(smith_tasks(), smith_links(), {}, status_point=s)
    assert s == 130
    for key, planned in schedule(smith_tasks(), smith_links()).tasks.items():
        assert result.tasks[key].es == planned.es + 130
    assert (result.tasks["A"].es, result.tasks["A"].ef, result.tasks["K"].ef) == (130, 132, 145)
    assert CAL.finish_date(result.finish, 1) == date(2026, 12, 21)
    late = status_run(smith_tasks(), smith_links(), {}, status_point=s, deadline=CAL.finpt(date(2026, 6, 26)))
    assert late.late_by == 126
    assert {k: late.tasks[k].total_float for k in "KBJH"} == {"K": -126, "B": -120, "J": -123, "H": -117}


def test_OS3_a_saturday_status_date_moves_to_monday():
    s = CAL.startpt(date(2026, 6, 13))
    result = status_run(smith_tasks(), smith_links(), OS1_PROGRESS, status_point=s)
    assert s == 10
    spans = {k: (result.tasks[k].es, result.tasks[k].ef) for k in "ECDFGI"}
    assert spans == {"E": (10, 11), "C": (10, 14), "D": (13, 18), "F": (17, 19), "G": (19, 20), "I": (20, 23)}
    assert result.tasks["K"].ef == 23 and CAL.finish_date(result.finish, 1) == date(2026, 7, 2)


def test_OS4_flags_on_june_10():
    result = os1()
    plan_ef = {k: result.tasks[k].plan_ef for k in "BECHDJ"}
    assert plan_ef == {"B": 5, "E": 3, "C": 5, "H": 6, "D": 10, "J": 12}
    assert {k for k, r in result.tasks.items() if r.behind} == {"B", "C", "E", "H"}
    assert {k for k, r in result.tasks.items() if r.start_overdue} == {"D"}
    assert result.critical_path == ["E", "C", "D", "F", "G", "I", "K"]
    a = result.tasks["A"]
    assert not a.critical and a.total_float is None and not a.behind and not a.start_overdue
    assert result.late_by == 0


def test_OS5_out_of_sequence_progress_keeps_the_finished_task_where_it_happened():
    progress = {"C": Progress(100, CAL.startpt(date(2026, 6, 2)), CAL.finpt(date(2026, 6, 5)))}
    result = status_run(smith_tasks(), smith_links(), progress, status_point=WED_0610)
    spans = {k: (result.tasks[k].es, result.tasks[k].ef) for k in "CAEBDFGIJH"}
    assert spans == {
        "C": (1, 5), "A": (7, 9), "E": (9, 10), "B": (9, 12), "D": (12, 17), "F": (16, 18), "G": (18, 19),
        "I": (19, 22), "J": (15, 19), "H": (7, 8),
    }  # fmt: skip
    assert result.tasks["K"].ef == 22 and CAL.finish_date(result.finish, 1) == date(2026, 7, 1)
    assert result.tasks["C"].out_of_sequence and result.tasks["C"].total_float is None
    assert not any(r.out_of_sequence for k, r in result.tasks.items() if k != "C")


@pytest.mark.parametrize(
    ("duration", "percent", "left"), [(5, 18, 5), (3, 34, 2), (3, 67, 1), (4, 25, 3), (2, 50, 1), (1, 99, 1), (5, 0, 5)]
)
def test_OS6_remaining_duration_rounds_up(duration, percent, left):
    assert remaining_duration(duration, percent) == left


# --- properties ---------------------------------------------------------------------------------------------

LEAVES = [t.id for t in smith_tasks() if t.duration or t.id == "K"]


@st.composite
def progress_maps(draw):
    """Any mix of not started, started and done leaves, with actual dates before the status point."""
    status_point = draw(st.integers(min_value=0, max_value=40))
    progress = {}
    for key in LEAVES:
        state = draw(st.sampled_from(["none", "started", "done"]))
        if state == "none":
            continue
        start = draw(st.integers(min_value=0, max_value=status_point))
        if state == "started" and key != "K":
            progress[key] = Progress(draw(st.integers(min_value=1, max_value=99)), start)
        else:
            progress[key] = Progress(100, start, draw(st.integers(min_value=start, max_value=max(start, status_point))))
    return status_point, progress


@settings(max_examples=150, deadline=None)
@given(progress_maps())
def test_status_run_properties(case):
    status_point, progress = case
    result = status_run(smith_tasks(), smith_links(), progress, status_point=status_point)
    assert ANCHOR not in result.tasks and ANCHOR not in result.critical_path
    for key in LEAVES:
        r = result.tasks[key]
        p = progress.get(key)
        if p is not None and p.done:
            # History: exactly where it happened, never critical, no float.
            assert (r.es, r.ef) == (p.start, p.finish)
            assert not r.critical and r.total_float is None and not r.behind
        else:
            assert r.es >= status_point  # nothing unfinished is planned before "today"
            assert r.total_float is not None
    assert result.finish >= max(status_point, max((p.finish or 0) for p in progress.values()) if progress else 0)


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=-5, max_value=0))
def test_status_run_at_the_start_with_nothing_recorded_is_the_plan(status_point):
    result = status_run(smith_tasks(), smith_links(), {}, status_point=status_point)
    planned = schedule(smith_tasks(), smith_links())
    for key, r in planned.tasks.items():
        mine = result.tasks[key]
        assert (mine.es, mine.ef, mine.ls, mine.lf, mine.total_float, mine.critical) == (
            r.es, r.ef, r.ls, r.lf, r.total_float, r.critical,
        )  # fmt: skip


def literal_status_input(tasks, links, progress, status_point):
    """docs/specs/one-schedule.md §1 step by step: every summary link expanded to all leaf pairs, links into done
    leaves dropped, parallel pairs merged, the anchor added. The status run must give the same dates."""
    from projects.scheduling import Constraint, Link, Task
    from projects.status import ANCHOR, _w
    from tests.projects.scheduling.support import leaf_descendants

    leaves = leaf_descendants(tasks)
    summaries = {t.parent for t in tasks if t.parent is not None}
    out, durations = [], {}
    for t in tasks:
        p = progress.get(t.id)
        if t.id in summaries or p is None:
            durations[t.id] = t.duration
            out.append(t)
        elif p.done:
            durations[t.id] = p.finish - p.start
            out.append(Task(t.id, durations[t.id], t.parent, Constraint("MSO", p.start)))
        else:
            durations[t.id] = remaining_duration(t.duration, p.percent)
            out.append(Task(t.id, durations[t.id], t.parent, t.constraint))
    merged = {}
    for link in links:
        for a in leaves[link.pred]:
            for b in leaves[link.succ]:
                if b in progress and progress[b].done:
                    continue
                merged.setdefault((a, b), []).append(_w(link.kind, link.lag, durations[a], durations[b]))
    run_links = [Link(a, b, "SS", max(ws)) for (a, b), ws in merged.items()]
    unfinished = [t.id for t in tasks if t.id not in summaries and not (t.id in progress and progress[t.id].done)]
    if unfinished:
        out.append(Task(ANCHOR, 0, None, Constraint("MSO", status_point)))
        run_links += [Link(ANCHOR, leaf) for leaf in unfinished]
    return out, run_links


@settings(max_examples=100, deadline=None)
@given(progress_maps())
def test_status_run_equals_the_literal_expansion(case):
    status_point, progress = case
    result = status_run(smith_tasks(), smith_links(), progress, status_point=status_point)
    reference = schedule(*literal_status_input(smith_tasks(), smith_links(), progress, status_point))
    for key in LEAVES:
        mine, ref = result.tasks[key], reference.tasks[key]
        assert (mine.es, mine.ef, mine.ls, mine.lf) == (ref.es, ref.ef, ref.ls, ref.lf)
