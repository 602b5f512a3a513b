"""What both implementations of the engine share: indexing the WBS (step 1 of engine.py's docstring), the
checks of links that touch a summary and the numbering of gates (step 3), and the passes and the roll-up
(steps 4-6) over successor lists.

``engine.py`` (``schedule`` and the list implementation) and ``_vector.py`` (the numpy one) both import this
module, and ``_vector.py`` never imports ``engine.py``: the imports run one way, with no cycle. The names the
two use have no leading underscore; the rest are this module's own.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import add, le, sub
from typing import NoReturn

from .model import UNKNOWN_LINK_KIND_MSG, Constraint, CycleError, Link, LinkError, Schedule, ScheduledTasks, Task

TaskId = Hashable

DUPLICATE_TASK_MSG = "Task id {task!r} appears more than once."
UNKNOWN_PARENT_MSG = "Task {task!r} names an unknown parent {parent!r}."
WBS_CYCLE_MSG = "The parent links of tasks {tasks!r} form a loop."
SUMMARY_CONSTRAINT_MSG = "Summary task {task!r} cannot carry a constraint; constrain one of its tasks instead."
ANCESTOR_LINK_MSG = "Task {pred!r} cannot be linked to {succ!r}: one contains the other."
SUMMARY_OUT_MSG = (
    "A {kind} link cannot leave summary task {task!r} (only FS and FF can); "
    "link from its last task or from a milestone instead."
)
SUMMARY_IN_MSG = (
    "A {kind} link cannot enter summary task {task!r} (only FS and SS can); "
    "link to its first task or to a milestone instead."
)
CYCLE_MSG = "These links form a cycle: {path}."

_CYCLE_ORIGINS = 16
NO_BOUND = 1 << 62  # "unbounded" for a late start; far beyond any real plan, still a plain int


def passes(
    wbs: Wbs,
    successors: list[list[tuple[int, int]]],
    indegree: list[int],
    deadline: int | None,
    critical_threshold: int,
) -> Schedule:
    """Steps 4-6 over the network: ``successors[i]`` lists node i's ``(successor, w)`` edges, tasks first, then
    gates (whose durations ``wbs.durations`` must already list). Uses up ``indegree``."""
    n = len(wbs.ids)
    durations = wbs.durations
    is_summary = wbs.is_summary
    node_count = len(successors)  # tasks, then gates
    is_summary_node = is_summary + [False] * (node_count - n)

    # -- forward pass, merged with Kahn's topological sort -------------------------------------------------
    es = [0] * node_count
    for k, c in wbs.constrained:
        es[k] = max(0, early_bound(c, durations[k]))
    order = [k for k in range(node_count) if not indegree[k] and not is_summary_node[k]]
    place = order.append
    # `order` grows while it is walked: a node is appended when its last predecessor has pushed its bound,
    # so its early start is final by the time the walk reaches it.
    for i in order:
        start = es[i]
        for j, w in successors[i]:
            candidate = start + w
            if candidate > es[j]:
                es[j] = candidate
            remaining = indegree[j] - 1
            indegree[j] = remaining
            if not remaining:
                place(j)
    if len(order) != node_count - len(wbs.top_down):
        _raise_cycle(order, wbs.ids, n, is_summary_node, successors)

    ef = list(map(add, es, durations))
    finish = max(ef, default=0)  # gates never end after the leaves they wait for, summaries are still 0
    anchor = finish if deadline is None else deadline

    # -- backward pass, with the free-float bounds ----------------------------------------------------------
    ls = [anchor - d for d in durations]
    for k, c in wbs.constrained:
        ls[k] = min(ls[k], late_bound(c, durations[k]))
    # ff_bound[i]: the latest start of leaf i that delays no successor, so §2.5's link-slack minimum is
    # ff_bound - ES. reach[j]: what a predecessor's slack is measured against: j's own ES for a task; for a
    # gate, the smallest "reach - w" behind it, i.e. the earliest start among the leaves the gate stands for.
    ff_bound = [0] * node_count
    reach = es[:]
    for i in reversed(order):
        edges = successors[i]
        if edges:
            late = ls[i]
            room = NO_BOUND
            for j, w in edges:
                candidate = ls[j] - w
                if candidate < late:
                    late = candidate
                candidate = reach[j] - w
                if candidate < room:
                    room = candidate
            ls[i] = late
            ff_bound[i] = room
            if i >= n:
                reach[i] = room
        else:
            ff_bound[i] = anchor - durations[i]  # no successor: measured against the project anchor
    lf = list(map(add, ls, durations))
    tf = list(map(sub, ls, es))
    if wbs.top_down:
        _roll_up(wbs, es, ef, ls, lf, tf)

    critical = [k for k in compress(range(n), map(le, tf, repeat(critical_threshold))) if not is_summary[k]]
    ids = wbs.ids
    results = ScheduledTasks(
        ids=ids,
        index=wbs.index,
        es=es,
        ef=ef,
        ls=ls,
        lf=lf,
        tf=tf,
        ff_bound=ff_bound,
        is_summary=is_summary,
        threshold=critical_threshold,
    )
    return Schedule(tasks=results, finish=finish, critical_path=critical_path(critical, es, ef, ids))


def critical_path(critical: list[int], es: Sequence[int], ef: Sequence[int], ids: list[TaskId]) -> list[TaskId]:
    """The ids of the critical leaves ``critical`` (task indices, in input order), ordered by (ES, EF)."""
    try:
        # Ties broken by id so that the path does not depend on the order tasks were given in.
        critical = sorted(critical, key=lambda k: (es[k], ef[k], ids[k]))
    except TypeError:  # ids of mixed, unorderable types: keep input order among ties
        critical = sorted(critical, key=lambda k: (es[k], ef[k]))
    return [ids[k] for k in critical]


@dataclass(slots=True)
class Wbs:
    """The task list, indexed: everything later steps need about tasks, as lists indexed by task number."""

    ids: list[TaskId]
    index: dict[TaskId, int]
    parent: list[int]  # -1 for a root
    is_summary: list[bool]
    top_down: list[int]  # the summaries, every parent before its children
    durations: list[int]  # 0 for summaries
    constrained: list[tuple[int, Constraint]]
    children: dict[int, list[int]] = field(default_factory=dict)  # filled only when summary links need gates


def index_tasks(task_list: Sequence[Task]) -> Wbs:
    n = len(task_list)
    ids: list[TaskId] = [t.id for t in task_list]
    index = dict(zip(ids, range(n), strict=True))
    if len(index) != n:
        _raise_duplicate_task(ids)
    parent_ids = [t.parent for t in task_list]
    durations = [t.duration for t in task_list]
    is_summary = [False] * n
    top_down: list[int] = []
    if parent_ids.count(None) == n:
        parent = [-1] * n
    else:
        try:
            parent = [-1 if p is None else index[p] for p in parent_ids]
        except KeyError:
            _raise_unknown_parent(task_list, index)
        summaries = set(parent)
        summaries.discard(-1)
        ordered = sorted(summaries)
        sub_summaries: dict[int, list[int]] = {s: [] for s in ordered}
        for s in ordered:
            is_summary[s] = True
            durations[s] = 0  # a summary's duration is derived, never entered
            p = parent[s]
            if p >= 0:
                sub_summaries[p].append(s)  # in ascending order, as ordered is
        top_down = [s for s in ordered if parent[s] < 0]
        for s in top_down:  # the list grows while it is walked: a breadth-first walk of the summary tree
            top_down.extend(sub_summaries[s])
        if len(top_down) != len(summaries):
            # Summaries unreachable from a root sit on (or under) a loop of parent links.
            stuck = sorted(summaries - set(top_down))
            raise ValueError(WBS_CYCLE_MSG.format(tasks=[ids[s] for s in stuck]))
    constraints = [t.constraint for t in task_list]
    constrained = [] if constraints.count(None) == n else [(k, c) for k, c in enumerate(constraints) if c is not None]
    for k, _ in constrained:
        if is_summary[k]:
            raise ValueError(SUMMARY_CONSTRAINT_MSG.format(task=ids[k]))
    return Wbs(ids, index, parent, is_summary, top_down, durations, constrained)


def _roll_up(wbs: Wbs, es: list[int], ef: list[int], ls: list[int], lf: list[int], tf: list[int]) -> None:
    """Summary ES/LS/TF = min and EF/LF = max over leaf descendants (§2.6), children before parents."""
    parent = wbs.parent
    top_down = wbs.top_down
    for s in top_down:
        es[s] = ls[s] = tf[s] = NO_BOUND
        ef[s] = lf[s] = -NO_BOUND
    leaf_parent = parent[:]
    for s in top_down:
        leaf_parent[s] = -1  # a summary is folded into its parent only once it is complete
    # The value lists run on past the tasks into the gates; zip stops at the last task.
    for p, early_start, early_finish, late_start, late_finish, total_float in zip(
        leaf_parent, es, ef, ls, lf, tf, strict=False
    ):
        if p >= 0:
            if early_start < es[p]:
                es[p] = early_start
            if early_finish > ef[p]:
                ef[p] = early_finish
            if late_start < ls[p]:
                ls[p] = late_start
            if late_finish > lf[p]:
                lf[p] = late_finish
            if total_float < tf[p]:
                tf[p] = total_float
    for s in reversed(top_down):
        p = parent[s]
        if p >= 0:
            es[p] = min(es[p], es[s])
            ef[p] = max(ef[p], ef[s])
            ls[p] = min(ls[p], ls[s])
            lf[p] = max(lf[p], lf[s])
            tf[p] = min(tf[p], tf[s])


def early_bound(constraint: Constraint, duration: int) -> int:
    """Lower bound a constraint puts on ES (§2.3); SNLT and FNLT only bound late dates."""
    kind = constraint.kind
    if kind in ("SNET", "MSO"):
        return constraint.point
    if kind in ("FNET", "MFO"):
        return constraint.point - duration
    return 0


def late_bound(constraint: Constraint, duration: int) -> int:
    """Upper bound a constraint puts on LS (§2.4, restated on starts); SNET and FNET only bound early dates."""
    kind = constraint.kind
    if kind in ("SNLT", "MSO"):
        return constraint.point
    if kind in ("FNLT", "MFO"):
        return constraint.point - duration
    return NO_BOUND


def check_summary_links(wbs: Wbs, summary_links: list[tuple[int, int, Link]]) -> tuple[set[int], set[int]]:
    """Validate the links touching a summary (§2.2); return the summaries with links in and with links out."""
    ids = wbs.ids
    parent = wbs.parent
    is_summary = wbs.is_summary
    has_in: set[int] = set()
    has_out: set[int] = set()
    for a, b, link in summary_links:
        kind = link.kind
        if kind not in ("FS", "SS", "FF", "SF"):
            raise LinkError(UNKNOWN_LINK_KIND_MSG.format(kind=kind), link)
        if (is_summary[a] and _is_ancestor(a, b, parent)) or (is_summary[b] and _is_ancestor(b, a, parent)):
            raise LinkError(ANCESTOR_LINK_MSG.format(pred=ids[a], succ=ids[b]), link)
        if is_summary[a]:
            if kind not in ("FS", "FF"):
                raise LinkError(SUMMARY_OUT_MSG.format(kind=kind, task=ids[a]), link)
            has_out.add(a)
        if is_summary[b]:
            if kind not in ("FS", "SS"):
                raise LinkError(SUMMARY_IN_MSG.format(kind=kind, task=ids[b]), link)
            has_in.add(b)
    return has_in, has_out


def number_gates(wbs: Wbs, has_in: set[int], has_out: set[int], first: int) -> tuple[dict[int, int], dict[int, int]]:
    """Number the start and finish gates from node ``first`` on (step 3); return the summary -> gate maps.

    A summary needs a start gate when it, or an ancestor, has links in: an ancestor's start gate reaches the
    leaves through its children's gates. Likewise for finish gates and links out.
    """
    parent = wbs.parent
    start_gate: dict[int, int] = {}
    finish_gate: dict[int, int] = {}
    node = first
    for s in wbs.top_down:
        p = parent[s]
        if s in has_in or p in start_gate:
            start_gate[s] = node
            node += 1
        if s in has_out or p in finish_gate:
            finish_gate[s] = node
            node += 1
    return start_gate, finish_gate


def _is_ancestor(summary: int, k: int, parent: list[int]) -> bool:
    p = parent[k]
    while p >= 0:
        if p == summary:
            return True
        p = parent[p]
    return False


def _raise_cycle(
    order: list[int],
    ids: list[TaskId],
    n: int,
    is_summary_node: list[bool],
    successors: list[list[tuple[int, int]]],
) -> NoReturn:
    """Find one concrete cycle among the nodes Kahn's sort left over and raise ``CycleError`` with leaf ids."""
    placed = set(order)
    left = [k for k in range(len(successors)) if k not in placed and not is_summary_node[k]]
    left_set = set(left)
    predecessors: dict[int, list[int]] = {k: [] for k in left}
    for i in left:
        for j, _ in successors[i]:
            if j in left_set:
                predecessors[j].append(i)
    # Every leftover node still has a leftover predecessor, so walking predecessors must revisit a node.
    seen: dict[int, int] = {}
    walk: list[int] = []
    k = left[0]
    while k not in seen:
        seen[k] = len(walk)
        walk.append(k)
        k = predecessors[k][0]
    loop = walk[seen[k] :][::-1]
    # Report a short cycle: it is the easiest for a person to read. Try a few of the loop's leaves as origins
    # (each search is O(V + E), and this is an error path).
    origins = [k for k in loop if k < n][:_CYCLE_ORIGINS]
    cycle = min((_shortest_cycle_through(k, successors, left_set, n) for k in origins), key=len)
    leaf_cycle = [ids[k] for k in cycle]
    path = " -> ".join(repr(x) for x in [*leaf_cycle, leaf_cycle[0]])
    remaining = frozenset(ids[k] for k in left if k < n)
    raise CycleError(CYCLE_MSG.format(path=path), leaf_cycle, remaining)


def _shortest_cycle_through(
    origin: int, successors: list[list[tuple[int, int]]], allowed: set[int], n: int
) -> list[int]:
    """Return the leaves of a cycle through leaf ``origin`` with the fewest leaves (gates cost nothing).

    A 0-1 breadth-first search: a hop onto a leaf costs 1 and a hop onto a gate 0, so nodes leave the deque in
    order of leaf count, and the first node found linking back to ``origin`` closes a shortest cycle.
    """
    cost = {origin: 0}
    came_from: dict[int, int] = {}
    done: set[int] = set()
    queue = deque([origin])
    while queue:
        i = queue.popleft()
        if i in done:
            continue
        done.add(i)
        for j, _ in successors[i]:
            if j == origin:
                cycle = [i]
                while cycle[-1] != origin:
                    cycle.append(came_from[cycle[-1]])
                return [k for k in reversed(cycle) if k < n]
            if j not in allowed:
                continue
            is_leaf = j < n
            new_cost = cost[i] + is_leaf
            if new_cost < cost.get(j, new_cost + 1):
                cost[j] = new_cost
                came_from[j] = i
                if is_leaf:
                    queue.append(j)
                else:
                    queue.appendleft(j)
    raise AssertionError("origin lies on a cycle")  # pragma: no cover


def _raise_duplicate_task(ids: list[TaskId]) -> NoReturn:
    seen: set[TaskId] = set()
    for task_id in ids:
        if task_id in seen:
            raise ValueError(DUPLICATE_TASK_MSG.format(task=task_id))
        seen.add(task_id)
    raise AssertionError("called without a duplicate task id")  # pragma: no cover


def _raise_unknown_parent(tasks: Sequence[Task], index: dict[TaskId, int]) -> NoReturn:
    for t in tasks:
        if t.parent is not None and t.parent not in index:
            raise ValueError(UNKNOWN_PARENT_MSG.format(task=t.id, parent=t.parent))
    raise AssertionError("called without an unknown parent")  # pragma: no cover
