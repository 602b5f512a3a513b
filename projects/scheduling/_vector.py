"""The engine over numpy arrays, for large plans: ``engine.schedule`` hands over from ``_VECTOR_MIN_LINKS`` on.

Same algorithm and results as the list version in engine.py (steps 1-6 of its docstring); only the order of
work changes, so that the work per link runs in numpy's C loops instead of the interpreter.

- **Links in bulk.** Reading ``Link`` objects is the one per-link cost left to Python, so it is done in two
  comprehensions, each packing two values into one int (``pred * n + succ``, ``4 * lag | kind``). Self
  links, duplicate pairs, the w of step 2 and the gate edges of step 3 are then array expressions over all
  links; only the few links that touch a summary go through the Python checks of §2.2 in _core.py.
- **Level-synchronous Kahn's sort.** A *level* is the set of nodes whose last predecessor was placed in the
  previous level. A whole level is handled by a fixed number of numpy calls, whatever its width: its
  out-edges are gathered from a CSR (compressed sparse row) layout, ``np.subtract.at`` takes them off the
  in-degrees, and the nodes that reach zero form the next level.
- **Passes level by level.** Every edge leaving a level reaches a node of a later level. So the forward pass
  takes the levels in order, pushing ``ES + w`` along a level's edges with one ``np.maximum.at``, and reads
  only final values, as the list version does node by node; the backward pass takes them in reverse with
  ``np.minimum.at``, for LS and for the free-float bounds together.
- **Deep, narrow networks.** Since a level costs a fixed number of calls, a long chain would pay it for a
  node or two per level. When, past the first ``_FREE_LEVELS`` levels, fewer than ``_MIN_LEVEL_WIDTH`` nodes
  per level were placed on average, the sort stops and the list passes (_core.py) finish the job, on successor
  lists built from the arrays (cheaper than reading the links again).
- **Declining.** ``schedule_arrays`` returns None, and ``schedule`` runs the list version from scratch, for
  any plan the list version must refuse (so that the error, its message and its offending link or cycle are
  the very ones the list version gives) and for values that could leave int64. The only errors raised here
  are those the list version would raise first (malformed tasks, refused summary links), by the same code.

All arithmetic is in int64 on inputs bounded by ``_magnitude_limit``, so it is exact; the results go back to
Python ints before they reach ``ScheduledTasks``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from ._core import (
    NO_BOUND,
    Wbs,
    check_summary_links,
    critical_path,
    early_bound,
    index_tasks,
    late_bound,
    number_gates,
    passes,
)
from .model import CycleError, Link, Schedule, ScheduledTasks, Task

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

_KIND_CODE = {"FS": 0, "SS": 1, "FF": 2, "SF": 3}
# Step 2's w = lag + D_pred * ADD[kind] - D_succ * SUB[kind]; a gate's or a summary's D is 0.
_ADD_PRED_DURATION = np.array([1, 0, 1, 0], dtype=np.int64)
_SUB_SUCC_DURATION = np.array([0, 0, 1, 1], dtype=np.int64)
# Give up on the levels when, past the first _FREE_LEVELS, fewer than _MIN_LEVEL_WIDTH nodes per level were
# placed on average: there the list version's per-link cost beats numpy's per-call overhead.
_FREE_LEVELS = 64
_MIN_LEVEL_WIDTH = 24
_RADIX_NODES = 1 << 16  # node numbers fit 16 bits


def schedule_arrays(
    task_list: Sequence[Task], link_list: Sequence[Link], deadline: int | None, critical_threshold: int
) -> Schedule | None:
    """``engine.schedule`` over numpy arrays; None when the plan is better left to the list version.

    Raises only the errors the list version would raise first (malformed tasks, refused summary links), with
    the same messages; for any other invalid input it returns None and lets the list version raise.
    """
    wbs = index_tasks(task_list)
    n = len(task_list)
    limit = _magnitude_limit(n)
    if not link_list or not _is_small_int(critical_threshold, limit):
        return None
    if deadline is not None and not _is_small_int(deadline, limit):
        return None
    index = wbs.index
    try:
        # Two passes over the links, two values packed in each: reading Python objects is the costly part.
        pair = np.array([index[x.pred] * n + index[x.succ] for x in link_list], dtype=np.int64)
        kind_lag = np.array([4 * x.lag | _KIND_CODE[x.kind] for x in link_list], dtype=np.int64)
    except (KeyError, TypeError, OverflowError):  # an unknown id or link type; a lag no int, or a huge one
        return None
    duration = np.array(wbs.durations)
    if not (_is_small(kind_lag, 4 * limit + 3) and _is_small(duration, limit)):
        return None
    kind = kind_lag & 3
    lag = kind_lag >> 2  # an arithmetic shift, so exact for leads too (4 * lag has its two low bits clear)
    pred, succ = np.divmod(pair, n)
    if (pred == succ).any():
        return None
    pair.sort()
    if (pair[1:] == pair[:-1]).any():
        return None
    is_summary = np.zeros(n, dtype=np.bool_)
    is_summary[wbs.top_down] = True
    parent = np.array(wbs.parent, dtype=np.int64)

    # -- the network: links and gate edges as (src, dst, w) arrays -------------------------------------------
    src, dst = pred, succ
    extra: list[tuple[Ints, Ints, Ints]] = []
    node_count = n
    if wbs.top_down:
        touches = np.flatnonzero(is_summary[pred] | is_summary[succ])
        if touches.size:
            summary_links = [(int(pred[k]), int(succ[k]), link_list[k]) for k in touches.tolist()]
            has_in, has_out = check_summary_links(wbs, summary_links)
            start_gate, finish_gate = number_gates(wbs, has_in, has_out, n)
            node_count += len(start_gate) + len(finish_gate)
            start_of = _gate_lookup(start_gate, n)
            finish_of = _gate_lookup(finish_gate, n)
            src = np.where(is_summary[pred], finish_of[pred], pred)
            dst = np.where(is_summary[succ], start_of[succ], succ)
            extra = _gate_edges(start_of, finish_of, parent, is_summary, duration)
    node_duration = np.zeros(node_count, dtype=np.int64)
    node_duration[:n] = duration
    w = lag + node_duration[src] * _ADD_PRED_DURATION[kind] - node_duration[dst] * _SUB_SUCC_DURATION[kind]
    if extra:
        src = np.concatenate([src, *(e[0] for e in extra)])
        dst = np.concatenate([dst, *(e[1] for e in extra)])
        w = np.concatenate([w, *(e[2] for e in extra)])

    early = np.zeros(node_count, dtype=np.int64)
    late_cap: list[tuple[int, int]] = []
    if wbs.constrained:
        bounds = _constraint_bounds(wbs, limit)
        if bounds is None:
            return None
        ks, early_bounds, late_cap = bounds
        early[ks] = early_bounds

    # -- topological levels (Kahn's sort a level at a time), then both passes level by level ------------------
    is_node_summary = np.zeros(node_count, dtype=np.bool_)
    is_node_summary[:n] = is_summary
    out_degree = np.bincount(src, minlength=node_count)
    in_degree = np.bincount(dst, minlength=node_count)
    # CSR: node i's out-edges are by_source[first[i]:first[i + 1]], in any order (max and min do not care).
    # numpy radix-sorts 16-bit keys, in linear time; larger node numbers take its default quicksort.
    by_source = np.argsort(src.astype(np.uint16), kind="stable") if node_count <= _RADIX_NODES else np.argsort(src)
    first = np.zeros(node_count + 1, dtype=np.int64)
    np.cumsum(out_degree, out=first[1:])
    frontier = np.flatnonzero((in_degree == 0) & ~is_node_summary)
    successors = dst[by_source]
    levels, placed = _levels(successors, first, out_degree, in_degree.copy(), frontier)
    if levels is None:  # deep and narrow: numpy's per-call cost would outweigh a per-link loop
        pairs = list(zip(successors.tolist(), w[by_source].tolist(), strict=True))
        ends = first.tolist()
        wbs.durations.extend([0] * (node_count - n))  # the gates'
        try:
            return passes(
                wbs,
                [pairs[i:j] for i, j in zip(ends, ends[1:], strict=False)],
                in_degree.tolist(),
                deadline,
                critical_threshold,
            )
        except CycleError:
            return None  # let the list version report the cycle it always reports
    if placed != node_count - len(wbs.top_down):
        return None  # a cycle: the list version finds one and raises CycleError
    # The edges in level order: level L's edges leave level-L nodes and are the run cuts[L]:cuts[L + 1].
    edges = by_source[np.concatenate(levels)]
    cuts = [0, *np.cumsum([len(level) for level in levels]).tolist()]
    source, target, weight = src[edges], dst[edges], w[edges]

    es = early
    _forward(es, source, target, weight, cuts)
    finish = int((es + node_duration).max())
    anchor = finish if deadline is None else deadline

    # -- backward pass, then the free-float bounds ---------------------------------------------------------
    ls = anchor - node_duration
    for k, cap in late_cap:
        ls[k] = min(int(ls[k]), cap)
    _backward(ls, source, target, weight, cuts)
    room = _free_float_bounds(es, src, dst, w, np.where(out_degree > 0, NO_BOUND, anchor - node_duration), n)

    # -- results, roll-up, critical path --------------------------------------------------------------------
    es_t = es[:n]
    ls_t = ls[:n]
    ef_t = es_t + duration
    lf_t = ls_t + duration
    tf_t = ls_t - es_t
    if wbs.top_down:
        _roll_up(wbs, is_summary, parent, es_t, ef_t, ls_t, lf_t, tf_t)
    critical = np.flatnonzero((tf_t <= critical_threshold) & ~is_summary).tolist()
    es_list = es_t.tolist()
    ef_list = ef_t.tolist()
    results = ScheduledTasks(
        ids=wbs.ids,
        index=index,
        es=es_list,
        ef=ef_list,
        ls=ls_t.tolist(),
        lf=lf_t.tolist(),
        tf=tf_t.tolist(),
        ff_bound=room[:n].tolist(),  # a summary's is never read
        is_summary=wbs.is_summary,
        threshold=critical_threshold,
    )
    return Schedule(tasks=results, finish=finish, critical_path=critical_path(critical, es_list, ef_list, wbs.ids))


def _magnitude_limit(n: int) -> int:
    """The largest duration, lag, constraint point, deadline and threshold (in absolute value) taken here.

    With M that bound, a w is within 3M, an early or late bound within 2M, and a path has fewer than 3n + 1
    edges (n tasks, at most two gates per summary), so every ES, LS, float and bound stays within about
    12M(3n + 1) < 2^62: int64 never overflows. For 20,000 tasks M is about 4.8e12 working days.
    """
    return (1 << 58) // (3 * n + 3)


def _is_small(values: npt.NDArray[np.generic], limit: int) -> bool:
    """Whether an array built from Python values holds int64 within ``limit`` (floats, huge ints, objects,
    bools do not)."""
    if values.dtype != np.int64:
        return False
    return not values.size or (int(values.min()) >= -limit and int(values.max()) <= limit)


def _is_small_int(value: object, limit: int) -> bool:
    return type(value) is int and -limit <= value <= limit


def _gate_lookup(gates: dict[int, int], n: int) -> Ints:
    """Summary index -> gate node (-1 without one); slot n stays -1 so that indexing by a parent of -1 works."""
    lookup = np.full(n + 1, -1, dtype=np.int64)
    if gates:
        lookup[list(gates)] = list(gates.values())
    return lookup


def _gate_edges(
    start_of: Ints, finish_of: Ints, parent: Ints, is_summary: Bools, duration: Ints
) -> list[tuple[Ints, Ints, Ints]]:
    """The gate edges of step 3: start gate -> each child (a child summary's start gate), w 0; each leaf child
    -> finish gate, w D (a child summary's finish gate, w 0)."""
    edges = []
    children = np.flatnonzero(start_of[parent] >= 0)
    if children.size:
        target = np.where(is_summary[children], start_of[children], children)
        edges.append((start_of[parent[children]], target, np.zeros(children.size, dtype=np.int64)))
    children = np.flatnonzero(finish_of[parent] >= 0)
    if children.size:
        source = np.where(is_summary[children], finish_of[children], children)
        edges.append((source, finish_of[parent[children]], duration[children]))  # a summary's D is 0
    return edges


def _constraint_bounds(wbs: Wbs, limit: int) -> tuple[list[int], list[int], list[tuple[int, int]]] | None:
    """(tasks, their early-start floors, [(task, late-start cap)]) from the constraints; None for huge points."""
    durations = wbs.durations
    ks: list[int] = []
    early: list[int] = []
    late: list[tuple[int, int]] = []
    for k, c in wbs.constrained:
        if not _is_small_int(c.point, limit):
            return None
        ks.append(k)
        early.append(max(0, early_bound(c, durations[k])))
        cap = late_bound(c, durations[k])
        if cap != NO_BOUND:
            late.append((k, cap))
    return ks, early, late


def _levels(
    successors: Ints, first: Ints, out_degree: Ints, in_degree: Ints, frontier: Ints
) -> tuple[list[Ints] | None, int]:
    """Kahn's sort a level at a time: a node joins the next level when its last predecessor is placed.

    ``successors[first[i]:first[i + 1]]`` are node i's successors (CSR), ``frontier`` the nodes without
    predecessors; ``in_degree`` is used up. Returns, for each level, the CSR positions of the edges leaving it,
    and the number of nodes placed (short of all of them on a cycle). Returns None instead of the levels when
    they stay too narrow for numpy to pay off (see the module docstring).
    """
    steps = np.arange(len(successors) + 1)
    stamp = np.empty(len(in_degree), dtype=np.int64)
    levels: list[Ints] = []
    placed = 0
    while frontier.size:
        placed += frontier.size
        if len(levels) >= _FREE_LEVELS and placed < _MIN_LEVEL_WIDTH * len(levels):
            return None, placed
        counts = out_degree[frontier]
        # Positions first[i] .. first[i] + counts[i] - 1 of every frontier node i, concatenated. (Array methods,
        # not np.cumsum and np.repeat: those add a Python-level dispatch to every call.)
        starts = first[frontier] - counts.cumsum()
        starts += counts
        positions = starts.repeat(counts)
        if not positions.size:
            break
        positions += steps[: positions.size]
        levels.append(positions)
        reached = successors[positions]
        np.subtract.at(in_degree, reached, 1)
        ready = reached[in_degree[reached] == 0]
        # A ready node is listed once per edge from this level; keep one copy. Of the positions written for a
        # node, exactly one value survives in stamp, so exactly one copy passes the test.
        stamp[ready] = steps[: ready.size]
        frontier = ready[stamp[ready] == steps[: ready.size]]
    return levels, placed


def _forward(es: Ints, source: Ints, target: Ints, weight: Ints, cuts: list[int]) -> None:
    """``ES_j = max(ES_j, ES_i + w)`` over the edges level by level: a level's sources are final by then."""
    for lo, hi in zip(cuts, cuts[1:], strict=False):
        if lo != hi:
            np.maximum.at(es, target[lo:hi], es[source[lo:hi]] + weight[lo:hi])


def _backward(ls: Ints, source: Ints, target: Ints, weight: Ints, cuts: list[int]) -> None:
    """``LS_i = min(LS_i, LS_j - w)`` over the edges, last level first: a level's targets all sit in later
    levels, so their late starts are final."""
    for lo, hi in zip(cuts[-2::-1], cuts[:0:-1], strict=True):
        if lo != hi:
            np.minimum.at(ls, source[lo:hi], ls[target[lo:hi]] - weight[lo:hi])


def _free_float_bounds(es: Ints, src: Ints, dst: Ints, w: Ints, room: Ints, n: int) -> Ints:
    """The list version's ``ff_bound`` (and ``reach`` for a gate) of every node, into ``room``: the smallest
    ``reach_j - w`` over its out-edges, where reach_j is ES_j for a task and the gate's own value for a gate.
    ``room`` comes holding NO_BOUND for a node with out-edges and anchor - D for one without.

    A task's reach is known since the forward pass, so a single ``np.minimum.at`` serves every edge into a
    task. Only gates chain, and their chains are as short as the WBS is deep (down through start gates, up
    through finish gates, one link across): a few rounds over the edges into gates, each settling one more
    gate of every chain until nothing changes, replace a pass over every level.
    """
    into_task = dst < n
    np.minimum.at(room, src[into_task], es[dst[into_task]] - w[into_task])
    into_gate = ~into_task
    sources, targets, weights = src[into_gate], dst[into_gate], w[into_gate]
    gates = room[n:]
    while sources.size:
        settled = gates.copy()
        np.minimum.at(room, sources, room[targets] - weights)
        if np.array_equal(gates, settled):
            break
    return room


def _roll_up(wbs: Wbs, is_summary: Bools, parent: Ints, es: Ints, ef: Ints, ls: Ints, lf: Ints, tf: Ints) -> None:
    """Step 6 in place: leaves into their parents, then summaries into theirs, deepest summaries first."""
    top_down = wbs.top_down
    summaries = np.array(top_down, dtype=np.int64)
    for values in (es, ls, tf):
        values[summaries] = NO_BOUND
    for values in (ef, lf):
        values[summaries] = -NO_BOUND
    # top_down is breadth-first, so the summaries of one depth are one run of it.
    depth = dict.fromkeys(top_down, 0)
    runs: list[int] = [0]
    for position, s in enumerate(top_down):
        p = wbs.parent[s]
        if p >= 0:
            depth[s] = depth[p] + 1
            if depth[s] != depth[top_down[position - 1]]:
                runs.append(position)
    runs.append(len(top_down))
    groups = [np.flatnonzero(~is_summary & (parent >= 0))]
    groups += [summaries[lo:hi] for lo, hi in zip(runs[-2:0:-1], runs[-1:1:-1], strict=True)]
    for members in groups:
        into = parent[members]
        np.minimum.at(es, into, es[members])
        np.maximum.at(ef, into, ef[members])
        np.minimum.at(ls, into, ls[members])
        np.maximum.at(lf, into, lf[members])
        np.minimum.at(tf, into, tf[members])
