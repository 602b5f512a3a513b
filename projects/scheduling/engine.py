"""Critical-path scheduling (docs/specs/scheduling.md §2): forward and backward passes over a working-day axis.

Algorithm, in O(V + E) for V tasks and E links:

1. **Index.** Tasks get integer indices; every later step works on plain lists indexed by them. A task that
   another task names as ``parent`` is a summary; summaries are not scheduled, only rolled up (step 6).

2. **One constraint form for all link types.** With S the start point of a task of duration D, each link type
   is a lower bound on the successor's start, ``S_succ >= S_pred + w``:

   ====  ==========================  ==============================
   type  docs/specs/scheduling.md §2.3          w
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

Both share steps 1 and 4-6 and the checks of summary links: they live in ``_core.py``, which both import.
``_vector.py`` never imports this module, so the imports run one way (engine -> _vector -> _core).

``TaskResult`` objects are built only when looked up.

Validation (duplicate and unknown ids, WBS cycles, self, duplicate and ancestor/descendant links, link types a
summary may not carry) happens before any pass, so an error never leaves partial results.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NoReturn

from ._core import (
    TaskId,
    Wbs,
    check_summary_links,
    index_tasks,
    number_gates,
    passes,
)
from .model import UNKNOWN_LINK_KIND_MSG, Link, LinkError, Schedule, Task

SELF_LINK_MSG = "Task {task!r} cannot be linked to itself."
DUPLICATE_LINK_MSG = "Tasks {pred!r} and {succ!r} are linked more than once."
UNKNOWN_TASK_MSG = "Link {pred!r} -> {succ!r} names an unknown task {task!r}."

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

    Raises ``LinkError`` for a link the rules of docs/specs/scheduling.md §2.2 forbid or that names an unknown task,
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
    wbs = index_tasks(task_list)
    successors, indegree, summary_links = _leaf_graph(wbs, link_list)
    if summary_links:
        _add_summary_links(wbs, summary_links, successors, indegree)
    return passes(wbs, successors, indegree, deadline, critical_threshold)


def _leaf_graph(
    wbs: Wbs, link_list: Sequence[Link]
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


def _add_summary_links(
    wbs: Wbs,
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
    has_in, has_out = check_summary_links(wbs, summary_links)

    children = wbs.children
    if not children:
        children.update((s, []) for s in wbs.top_down)
        for k, p in enumerate(parent):
            if p >= 0:
                children[p].append(k)

    start_gate, finish_gate = number_gates(wbs, has_in, has_out, len(successors))
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
