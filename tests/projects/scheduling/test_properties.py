"""Hypothesis properties of the CPM engine over random acyclic plans with summaries, all link types and leads.

Plans are drawn in a hidden topological order: leaves sit at positions 0..n-1, summaries cover runs of
consecutive positions (nested at most two deep), and every link, summary links included, points from an
earlier run to a later one, so the expanded network is acyclic. Ids are shuffled so that their order says
nothing about the topological order.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from projects.scheduling import Constraint, CycleError, Link, Task, schedule
from tests.projects.scheduling.support import (
    brute_force_schedule,
    expanded_links,
    link_bound_on_start,
    link_slack,
)

FAST = settings(max_examples=80, deadline=None)


@dataclass(frozen=True)
class Plan:
    tasks: list[Task]
    links: list[Link]
    deadline: int | None = None

    @property
    def leaves(self) -> list[Task]:
        parents = {t.parent for t in self.tasks}
        return [t for t in self.tasks if t.id not in parents]


@st.composite
def plans(draw, *, constraints: bool = False, deadline: bool = False, max_leaves: int = 9) -> Plan:
    n = draw(st.integers(1, max_leaves))
    names = draw(st.permutations([f"t{k}" for k in range(n)]))
    durations = draw(st.lists(st.integers(0, 5), min_size=n, max_size=n))

    # Summaries: runs of consecutive positions, each optionally split into sub-summaries.
    runs: list[tuple[str, int, int, str | None]] = []  # (id, first, last, parent)
    parent_of: dict[int, str] = {}
    cuts = sorted(draw(st.sets(st.integers(1, n - 1), max_size=3))) if n > 1 else []
    for block, (first, stop) in enumerate(zip([0, *cuts], [*cuts, n], strict=True)):
        if not draw(st.booleans()):
            continue
        top = f"S{block}"
        runs.append((top, first, stop - 1, None))
        for k in range(first, stop):
            parent_of[k] = top
        if stop - first > 1 and draw(st.booleans()):
            mid = draw(st.integers(first + 1, stop - 1))
            sub = f"S{block}a"
            runs.append((sub, first, mid - 1, top))
            for k in range(first, mid):
                parent_of[k] = sub

    tasks = [Task(s, parent=p) for s, _, _, p in runs]
    for k in range(n):
        constraint = None
        if constraints and draw(st.integers(0, 3)) == 0:
            kind = draw(st.sampled_from(["SNET", "FNET", "SNLT", "FNLT", "MSO", "MFO"]))
            constraint = Constraint(kind, draw(st.integers(-2, 15)))
        tasks.append(Task(names[k], duration=durations[k], parent=parent_of.get(k), constraint=constraint))

    kinds = st.sampled_from(["FS", "SS", "FF", "SF"])
    lags = st.integers(-3, 3)
    links: list[Link] = []
    for i in range(n):
        for j in range(i + 1, n):
            if draw(st.integers(0, 2)) == 0:
                links.append(Link(names[i], names[j], kind=draw(kinds), lag=draw(lags)))
    # Summary links between runs that do not overlap, with the types §2.2 allows.
    nodes = [(names[k], k, k, False) for k in range(n)] + [(s, a, b, True) for s, a, b, _ in runs]
    for pred, _, pred_last, pred_summary in nodes:
        for succ, succ_first, _, succ_summary in nodes:
            if not (pred_summary or succ_summary) or pred_last >= succ_first:
                continue
            if draw(st.integers(0, 5)) != 0:
                continue
            allowed = {"FS", "SS", "FF", "SF"}
            if pred_summary:
                allowed &= {"FS", "FF"}
            if succ_summary:
                allowed &= {"FS", "SS"}
            links.append(Link(pred, succ, kind=draw(st.sampled_from(sorted(allowed))), lag=draw(lags)))

    return Plan(tasks, links, draw(st.integers(0, 30)) if deadline and draw(st.booleans()) else None)


def as_tuple(result):
    return (
        dict(result.tasks.items()),
        result.finish,
        result.critical_path,
    )


# -- the engine against the formulas, computed independently ----------------------------------------------------


@FAST
@given(plan=plans(constraints=True, deadline=True), threshold=st.integers(-1, 2))
def test_schedule_matches_a_brute_force_relaxation_of_the_expanded_links(plan, threshold):
    result = schedule(plan.tasks, plan.links, deadline=plan.deadline, critical_threshold=threshold)
    expected, finish = brute_force_schedule(
        plan.tasks, plan.links, deadline=plan.deadline, critical_threshold=threshold
    )

    assert result.finish == finish
    for t in plan.tasks:
        got = result.tasks[t.id]
        assert (got.es, got.ef, got.ls, got.lf) == (
            expected[t.id].es,
            expected[t.id].ef,
            expected[t.id].ls,
            expected[t.id].lf,
        )
        assert (got.total_float, got.free_float, got.critical) == (
            expected[t.id].total_float,
            expected[t.id].free_float,
            expected[t.id].critical,
        )


# -- links hold at early and at late dates ----------------------------------------------------------------------


def link_holds(link: Link, start: dict, finish: dict) -> bool:
    """The link's inequality, on rolled-up dates for summaries (exact for the types a summary may carry)."""
    pred, succ = link.pred, link.succ
    return {
        "FS": start[succ] >= finish[pred] + link.lag,
        "SS": start[succ] >= start[pred] + link.lag,
        "FF": finish[succ] >= finish[pred] + link.lag,
        "SF": finish[succ] >= start[pred] + link.lag,
    }[link.kind]


@FAST
@given(plan=plans(constraints=True, deadline=True))
def test_schedule_satisfies_every_link_at_early_dates(plan):
    result = schedule(plan.tasks, plan.links, deadline=plan.deadline)
    es = {k: v.es for k, v in result.tasks.items()}
    ef = {k: v.ef for k, v in result.tasks.items()}

    assert all(link_holds(link, es, ef) for link in plan.links)
    assert all(result.link_slack(link) >= 0 for link in plan.links)


@FAST
@given(plan=plans(constraints=True, deadline=True))
def test_schedule_satisfies_every_link_at_late_dates(plan):
    result = schedule(plan.tasks, plan.links, deadline=plan.deadline)
    ls = {k: v.ls for k, v in result.tasks.items()}
    lf = {k: v.lf for k, v in result.tasks.items()}

    assert all(link_holds(link, ls, lf) for link in plan.links)


@FAST
@given(plan=plans(constraints=True, deadline=True))
def test_schedule_keeps_every_leaf_at_or_after_the_project_start(plan):
    result = schedule(plan.tasks, plan.links, deadline=plan.deadline)

    assert all(result.tasks[t.id].es >= 0 for t in plan.tasks)
    assert all(result.tasks[t.id].total_float == result.tasks[t.id].lf - result.tasks[t.id].ef for t in plan.leaves)


# -- float -----------------------------------------------------------------------------------------------------


@FAST
@given(plan=plans())
def test_schedule_keeps_free_float_between_zero_and_total_float_without_constraints(plan):
    result = schedule(plan.tasks, plan.links)

    for t in plan.leaves:
        r = result.tasks[t.id]
        assert 0 <= r.free_float <= r.total_float


@FAST
@given(plan=plans(constraints=True, deadline=True))
def test_schedule_keeps_free_float_within_total_float_when_it_is_not_negative(plan):
    result = schedule(plan.tasks, plan.links, deadline=plan.deadline)

    for t in plan.leaves:
        r = result.tasks[t.id]
        assert r.free_float >= 0
        if r.total_float >= 0:
            assert r.free_float <= r.total_float


@FAST
@given(plan=plans())
def test_schedule_delaying_a_task_by_its_free_float_moves_no_other_task(plan):
    result = schedule(plan.tasks, plan.links)
    for t in plan.leaves:
        free = result.tasks[t.id].free_float
        if not free:
            continue
        delayed = [
            Task(x.id, x.duration, x.parent, Constraint("SNET", result.tasks[t.id].es + free) if x.id == t.id else None)
            for x in plan.tasks
        ]
        again = schedule(delayed, plan.links)
        assert all(again.tasks[u.id].es == result.tasks[u.id].es for u in plan.leaves if u.id != t.id)
        assert again.finish == result.finish


# -- project finish and critical path ---------------------------------------------------------------------------


@FAST
@given(plan=plans(constraints=True))
def test_schedule_finish_equals_the_longest_path(plan):
    """networkx's longest path through start -> leaves -> finish, start edges carrying each leaf's earliest
    allowed start (0 or its constraint), link edges the start-to-start distance of their type, finish edges
    the leaf's duration."""
    graph = nx.DiGraph()
    graph.add_node("start")
    for t in plan.leaves:
        earliest = 0
        if t.constraint is not None and t.constraint.kind in ("SNET", "MSO"):
            earliest = max(0, t.constraint.point)
        if t.constraint is not None and t.constraint.kind in ("FNET", "MFO"):
            earliest = max(0, t.constraint.point - t.duration)
        graph.add_edge("start", t.id, weight=earliest)
        graph.add_edge(t.id, "finish", weight=t.duration)
    durations = {t.id: t.duration for t in plan.tasks}
    zero = dict.fromkeys(durations, 0)
    for link in expanded_links(plan.tasks, plan.links):
        distance = link_bound_on_start(link, zero, durations)  # the bound when the predecessor starts at 0
        current = graph.get_edge_data(link.pred, link.succ, {"weight": distance})["weight"]
        graph.add_edge(link.pred, link.succ, weight=max(distance, current))

    assert schedule(plan.tasks, plan.links).finish == nx.dag_longest_path_length(graph)


@FAST
@given(plan=plans())
def test_schedule_puts_every_critical_task_on_a_chain_from_start_to_finish(plan):
    """Without constraints or deadline, a critical leaf starts the project or is driven (zero slack) by a
    critical leaf, and finishes the project or drives a critical leaf; so critical leaves form chains that run
    from a task starting at 0 to a task ending at the project finish."""
    result = schedule(plan.tasks, plan.links)
    durations = {t.id: t.duration for t in plan.tasks}
    es = {t.id: result.tasks[t.id].es for t in plan.leaves}
    driving = [x for x in expanded_links(plan.tasks, plan.links) if link_slack(x, es, durations) == 0]
    critical = set(result.critical_path)

    assert critical, "a plan with tasks has a critical task"
    for task_id in critical:
        r = result.tasks[task_id]
        assert r.es == 0 or any(x.succ == task_id and x.pred in critical for x in driving)
        assert r.ef == result.finish or any(x.pred == task_id and x.succ in critical for x in driving)
    assert any(result.tasks[t].es == 0 for t in critical)
    assert any(result.tasks[t].ef == result.finish for t in critical)


@FAST
@given(plan=plans())
def test_schedule_orders_the_critical_path_by_early_dates(plan):
    result = schedule(plan.tasks, plan.links)
    keys = [(result.tasks[t].es, result.tasks[t].ef) for t in result.critical_path]

    assert keys == sorted(keys)
    assert set(result.critical_path) == {t.id for t in plan.leaves if result.tasks[t.id].total_float <= 0}


# -- order independence and cycles ------------------------------------------------------------------------------


@FAST
@given(plan=plans(constraints=True, deadline=True), seed=st.randoms(use_true_random=False))
def test_schedule_does_not_depend_on_the_order_of_tasks_and_links(plan, seed):
    tasks, links = plan.tasks[:], plan.links[:]
    seed.shuffle(tasks)
    seed.shuffle(links)

    shuffled = schedule(tasks, links, deadline=plan.deadline)
    original = schedule(plan.tasks, plan.links, deadline=plan.deadline)
    assert as_tuple(shuffled) == as_tuple(original)


@FAST
@given(plan=plans(max_leaves=8), data=st.data())
def test_schedule_reports_a_cycle_of_linked_tasks_when_a_back_link_closes_one(plan, data):
    leaf_links = expanded_links(plan.tasks, plan.links)
    assume(leaf_links)
    closing = data.draw(st.sampled_from(leaf_links))
    back = Link(closing.succ, closing.pred, kind=data.draw(st.sampled_from(["FS", "SS", "FF", "SF"])))
    links = [*plan.links, back]

    with pytest.raises(CycleError) as caught:
        schedule(plan.tasks, links)

    cycle = caught.value.cycle
    linked = {(x.pred, x.succ) for x in expanded_links(plan.tasks, links)}
    assert len(cycle) >= 2 and len(set(cycle)) == len(cycle)
    assert all((a, b) in linked for a, b in zip(cycle, cycle[1:] + cycle[:1], strict=True))
    assert set(cycle) <= caught.value.remaining
