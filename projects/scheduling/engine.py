"""Critical-path scheduling (SCHEDULING.md §2): forward and backward passes over a working-day axis.

Algorithm, in O(V + E) for V tasks and E links:

1. **Index.** Tasks get integer indices; every later step works on plain lists indexed by them. A task that
   another task names as ``parent`` is a summary; summaries are not scheduled, only rolled up (step 6).

2. **One constraint form for all link types.** With S the start point of a task of duration D, each link type
   is a lower bound on the successor's start, ``S_succ >= S_pred + w``:

   ====  ==========================  ==============================
   type  SCHEDULING.md §2.3          w
   ====  ==========================  ==============================
   FS    ES_j >= EF_i + L            L + D_i
   SS    ES_j >= ES_i + L            L
   FF    ES_j >= EF_i + L - D_j      L + D_i - D_j
   SF    ES_j >= ES_i + L - D_j      L - D_j
   ====  ==========================  ==============================

   The backward formulas of §2.4 are the same inequalities read the other way (``LS_i <= LS_j - w``), and the
   free-float link slack of §2.5 is ``ES_j - ES_i - w``. So each link is stored once, as ``(succ, w)``, and
   neither pass branches on the link type.

3. **Summary links through gates.** §2.2 expands a link into a summary to one link to every leaf
   descendant, and a link out of a summary to one link from every leaf. Expanding literally costs
   |leaves(S)| x |leaves(T)| links for a summary-to-summary link. Instead a linked summary gets zero-duration
   *gate* nodes: a start gate (for FS/SS links in) with a w = 0 edge to each child's start, and a finish gate
   (for FS/FF links out) fed by each leaf child with w = D. The summaries below a gated summary get gates too,
   chained to their parent's (start gate to start gate, finish gate to finish gate), so each task adds at most
   two gate edges. Since max and min distribute over the expanded links, early and late dates equal those of
   the literal expansion, and every gate path between two leaves stands for exactly one expanded link (which
   is how a cycle through gates is reported with leaf ids). Free float needs one more value per gate: the
   earliest start among the leaves behind it (the expansion's "min over leaves"), computed in the backward
   pass as ``reach``.

4. **Forward pass merged with Kahn's sort.** A node enters the order when its last predecessor is placed;
   at that moment its early start is final, and it pushes ``ES + w`` to its successors. Nodes left unplaced
   mean a cycle: one concrete, short cycle is found among them and reported with leaf ids.

5. **Backward pass** in reverse order: ``LS_i = min(PF - D_i, constraint bounds, LS_j - w)`` where PF is the
   deadline point or the largest early finish. The same loop keeps ``ff_bound``, the smallest
   ``ES_j - w`` over a leaf's successors (PF - D for a leaf without one), so that free float is
   ``max(0, min(TF, ff_bound - ES))``.

6. **Roll-up**, bottom-up over the WBS: summary ES/LS = min, EF/LF = max, TF = min over leaf descendants;
   a summary is critical when one of its leaves is, i.e. when its TF is within the threshold.

Speed (bench/cpm.py, docs/PERFORMANCE.md). Two implementations of steps 2-6 give the same results:

- *Lists* (``_schedule_lists``, below): three tight loops per link (reading the links, the forward and the
  backward pass) over plain lists of ints and ``(successor, w)`` tuples; everything per task is a
  comprehension or a C-level ``map``. It needs nothing beyond the standard library, and it is the faster one
  for small plans, where numpy's fixed cost per call would dominate.
- *Arrays* (``_vector.schedule_arrays``), for plans of ``_VECTOR_MIN_LINKS`` links or more: the links are read
  into numpy arrays in two comprehensions, and Kahn's sort and both passes run a whole topological *level* at
  a time in numpy's C loops (``np.maximum.at`` / ``np.minimum.at`` over the level's edges), so the
  interpreter's work per link is only the reading. ``_vector.py`` explains it; numpy is imported only then.
  It gives way to the lists when its answer would differ or come slower: for every invalid plan (the lists
  then raise the exact error), values too large for int64, and deep, narrow networks (a level costs a fixed
  number of numpy calls, so a long chain is cheaper node by node: the passes then run on lists built from
  the arrays).

``TaskResult`` objects are built only when looked up.

Validation (duplicate and unknown ids, WBS cycles, self, duplicate and ancestor/descendant links, link types a
summary may not carry) happens before any pass, so an error never leaves partial results.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import add, le, sub
from typing import NoReturn

from .model import (
    UNKNOWN_LINK_KIND_MSG,
    Constraint,
    CycleError,
    Link,
    LinkError,
    Schedule,
    ScheduledTasks,
    Task,
)

TaskId = Hashable

DUPLICATE_TASK_MSG = "Task id {task!r} appears more than once."
UNKNOWN_PARENT_MSG = "Task {task!r} names an unknown parent {parent!r}."
WBS_CYCLE_MSG = "The parent links of tasks {tasks!r} form a loop."
SUMMARY_CONSTRAINT_MSG = "Summary task {task!r} cannot carry a constraint; constrain one of its tasks instead."
SELF_LINK_MSG = "Task {task!r} cannot be linked to itself."
DUPLICATE_LINK_MSG = "Tasks {pred!r} and {succ!r} are linked more than once."
UNKNOWN_TASK_MSG = "Link {pred!r} -> {succ!r} names an unknown task {task!r}."
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
_NO_BOUND = 1 << 62  # "unbounded" for a late start; far beyond any real plan, still a plain int
# From this many links on, schedule() hands the plan to the numpy implementation in _vector.py (see "Speed"):
# bench/cpm.py's plans are about as fast either way at 650 links, and 1.4x faster with numpy at 1,900.
_VECTOR_MIN_LINKS = 1_000


def schedule(
    tasks: Iterable[Task],
    links: Iterable[Link],
    *,
    deadline: int | None = None,
    critical_threshold: int = 0,
) -> Schedule:
    """Schedule ``tasks`` under ``links`` and return early/late dates, floats and the critical path.

    ``deadline`` is a finish point; when given it replaces the largest early finish as the anchor of the
    backward pass, so a late deadline gives the main chain positive float and an early one negative float.
    A task is critical when its total float is at most ``critical_threshold``.

    Raises ``LinkError`` for a link the rules of SCHEDULING.md §2.2 forbid or that names an unknown task,
    ``CycleError`` when the links form a cycle, and ``ValueError`` for malformed tasks (duplicate id, unknown
    parent, a loop of parents, a constraint on a summary).
    """
    task_list: Sequence[Task] = tasks if isinstance(tasks, (list, tuple)) else list(tasks)
    link_list: Sequence[Link] = links if isinstance(links, (list, tuple)) else list(links)
    if len(link_list) >= _VECTOR_MIN_LINKS:
        from ._vector import schedule_arrays  # numpy is imported only once a large plan comes in

        result = schedule_arrays(task_list, link_list, deadline, critical_threshold)
        if result is not None:
            return result
    return _schedule_lists(task_list, link_list, deadline, critical_threshold)


def _schedule_lists(
    task_list: Sequence[Task], link_list: Sequence[Link], deadline: int | None, critical_threshold: int
) -> Schedule:
    """The list implementation: for every plan below ``_VECTOR_MIN_LINKS`` links and every plan
    ``schedule_arrays`` declines; it raises every error."""
    wbs = _index_tasks(task_list)
    successors, indegree, summary_links = _leaf_graph(wbs, link_list)
    if summary_links:
        _add_summary_links(wbs, summary_links, successors, indegree)
    return _passes(wbs, successors, indegree, deadline, critical_threshold)


def _passes(
    wbs: _Wbs,
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
        es[k] = max(0, _early_bound(c, durations[k]))
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
        ls[k] = min(ls[k], _late_bound(c, durations[k]))
    # ff_bound[i]: the latest start of leaf i that delays no successor, so §2.5's link-slack minimum is
    # ff_bound - ES. reach[j]: what a predecessor's slack is measured against: j's own ES for a task; for a
    # gate, the smallest "reach - w" behind it, i.e. the earliest start among the leaves the gate stands for.
    ff_bound = [0] * node_count
    reach = es[:]
    for i in reversed(order):
        edges = successors[i]
        if edges:
            late = ls[i]
            room = _NO_BOUND
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
    return Schedule(tasks=results, finish=finish, critical_path=_critical_path(critical, es, ef, ids))


def _critical_path(critical: list[int], es: Sequence[int], ef: Sequence[int], ids: list[TaskId]) -> list[TaskId]:
    """The ids of the critical leaves ``critical`` (task indices, in input order), ordered by (ES, EF)."""
    try:
        # Ties broken by id so that the path does not depend on the order tasks were given in.
        critical = sorted(critical, key=lambda k: (es[k], ef[k], ids[k]))
    except TypeError:  # ids of mixed, unorderable types: keep input order among ties
        critical = sorted(critical, key=lambda k: (es[k], ef[k]))
    return [ids[k] for k in critical]


@dataclass(slots=True)
class _Wbs:
    """The task list, indexed: everything later steps need about tasks, as lists indexed by task number."""

    ids: list[TaskId]
    index: dict[TaskId, int]
    parent: list[int]  # -1 for a root
    is_summary: list[bool]
    top_down: list[int]  # the summaries, every parent before its children
    durations: list[int]  # 0 for summaries
    constrained: list[tuple[int, Constraint]]
    children: dict[int, list[int]] = field(default_factory=dict)  # filled only when summary links need gates


def _index_tasks(task_list: Sequence[Task]) -> _Wbs:
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
    return _Wbs(ids, index, parent, is_summary, top_down, durations, constrained)


def _leaf_graph(
    wbs: _Wbs, link_list: Sequence[Link]
) -> tuple[list[list[tuple[int, int]]], list[int], list[tuple[int, int, Link]]]:
    """Validate the links and store those between leaves as (successor, w) lists; set aside summary links.

    Returns the successor lists, the in-degree of every task from those links, and the summary links as
    (pred index, succ index, link).
    """
    index = wbs.index
    n = len(wbs.ids)
    durations = wbs.durations
    is_summary = wbs.is_summary
    successors: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    summary_links: list[tuple[int, int, Link]] = []
    indegree = [0] * n
    pair_keys: list[int] = []
    # One pass does everything per link: with tens of thousands of links, each extra pass costs milliseconds.
    try:
        for link in link_list:
            a = index[link.pred]
            b = index[link.succ]
            if a == b:
                raise LinkError(SELF_LINK_MSG.format(task=link.pred), link)
            pair_keys.append(a * n + b)
            if is_summary[a] or is_summary[b]:
                summary_links.append((a, b, link))
                continue
            kind = link.kind
            if kind == "FS":
                w = link.lag + durations[a]
            elif kind == "SS":
                w = link.lag
            elif kind == "FF":
                w = link.lag + durations[a] - durations[b]
            elif kind == "SF":
                w = link.lag - durations[b]
            else:
                raise LinkError(UNKNOWN_LINK_KIND_MSG.format(kind=kind), link)
            successors[a].append((b, w))
            indegree[b] += 1
    except KeyError:
        _raise_unknown_task(link_list, index)
    if len(set(pair_keys)) != len(pair_keys):
        _raise_duplicate_link(link_list, index)
    return successors, indegree, summary_links


def _roll_up(wbs: _Wbs, es: list[int], ef: list[int], ls: list[int], lf: list[int], tf: list[int]) -> None:
    """Summary ES/LS/TF = min and EF/LF = max over leaf descendants (§2.6), children before parents."""
    parent = wbs.parent
    top_down = wbs.top_down
    for s in top_down:
        es[s] = ls[s] = tf[s] = _NO_BOUND
        ef[s] = lf[s] = -_NO_BOUND
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


def _early_bound(constraint: Constraint, duration: int) -> int:
    """Lower bound a constraint puts on ES (§2.3); SNLT and FNLT only bound late dates."""
    kind = constraint.kind
    if kind in ("SNET", "MSO"):
        return constraint.point
    if kind in ("FNET", "MFO"):
        return constraint.point - duration
    return 0


def _late_bound(constraint: Constraint, duration: int) -> int:
    """Upper bound a constraint puts on LS (§2.4, restated on starts); SNET and FNET only bound early dates."""
    kind = constraint.kind
    if kind in ("SNLT", "MSO"):
        return constraint.point
    if kind in ("FNLT", "MFO"):
        return constraint.point - duration
    return _NO_BOUND


def _add_summary_links(
    wbs: _Wbs,
    summary_links: list[tuple[int, int, Link]],
    successors: list[list[tuple[int, int]]],
    indegree: list[int],
) -> None:
    """Validate the links touching a summary and wire them through gate nodes (step 3 of the module docstring).

    Appends the gates (duration 0) to ``successors``, ``indegree`` and ``wbs.durations`` in place.
    """
    is_summary = wbs.is_summary
    durations = wbs.durations
    parent = wbs.parent
    has_in, has_out = _check_summary_links(wbs, summary_links)

    children = wbs.children
    if not children:
        children.update((s, []) for s in wbs.top_down)
        for k, p in enumerate(parent):
            if p >= 0:
                children[p].append(k)

    start_gate, finish_gate = _number_gates(wbs, has_in, has_out, len(successors))
    gates = len(start_gate) + len(finish_gate)
    durations.extend([0] * gates)
    successors.extend([] for _ in range(gates))
    indegree.extend([0] * gates)

    for s, gate in start_gate.items():
        edges = successors[gate]
        for c in children[s]:
            target = start_gate[c] if is_summary[c] else c
            edges.append((target, 0))  # every child starts no earlier than the gate
            indegree[target] += 1
    for s, gate in finish_gate.items():
        for c in children[s]:
            if is_summary[c]:
                successors[finish_gate[c]].append((gate, 0))
            else:
                successors[c].append((gate, durations[c]))  # the gate waits for every leaf's finish
            indegree[gate] += 1

    for a, b, link in summary_links:
        source = finish_gate[a] if is_summary[a] else a
        target = start_gate[b] if is_summary[b] else b
        # Gates have duration 0, so only a real task's duration survives in the w of step 2.
        kind, lag = link.kind, link.lag
        if kind == "FS":
            w = lag + durations[source]
        elif kind == "SS":
            w = lag
        elif kind == "FF":
            w = lag + durations[source] - durations[target]
        else:
            w = lag - durations[target]
        successors[source].append((target, w))
        indegree[target] += 1


def _check_summary_links(wbs: _Wbs, summary_links: list[tuple[int, int, Link]]) -> tuple[set[int], set[int]]:
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


def _number_gates(wbs: _Wbs, has_in: set[int], has_out: set[int], first: int) -> tuple[dict[int, int], dict[int, int]]:
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


def _raise_unknown_task(links: Sequence[Link], index: dict[TaskId, int]) -> NoReturn:
    for link in links:
        for task_id in (link.pred, link.succ):
            if task_id not in index:
                raise LinkError(UNKNOWN_TASK_MSG.format(pred=link.pred, succ=link.succ, task=task_id), link)
    raise AssertionError("called without an unknown task id")  # pragma: no cover


def _raise_duplicate_link(links: Sequence[Link], index: dict[TaskId, int]) -> NoReturn:
    seen: set[tuple[int, int]] = set()
    for link in links:
        key = (index[link.pred], index[link.succ])
        if key in seen:
            raise LinkError(DUPLICATE_LINK_MSG.format(pred=link.pred, succ=link.succ), link)
        seen.add(key)
    raise AssertionError("called without a duplicate link")  # pragma: no cover
