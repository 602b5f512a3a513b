"""Shared plans and an independent reference implementation for the scheduling tests.

The reference (`brute_force_schedule`) follows docs/specs/scheduling.md literally and shares no code with the engine:
summary links are expanded to one link per leaf pair, and early and late starts are found by Bellman-Ford-style
relaxation of the difference constraints until nothing changes, instead of a topological pass.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from projects.scheduling import Link, Task, WorkCalendar

SMITH_CALENDAR = WorkCalendar(date(2026, 6, 1), holidays=(date(2026, 6, 19),))


def smith_tasks() -> list[Task]:
    """Worked example 1 of docs/specs/scheduling.md, "Smith home move"."""
    return [
        Task("P"),
        Task("P1", parent="P"),
        Task("P2", parent="P"),
        Task("P3", parent="P"),
        Task("A", duration=2, parent="P1"),
        Task("B", duration=3, parent="P1"),
        Task("E", duration=1, parent="P1"),
        Task("C", duration=4, parent="P2"),
        Task("D", duration=5, parent="P2"),
        Task("F", duration=2, parent="P2"),
        Task("H", duration=1, parent="P2"),
        Task("G", duration=1, parent="P3"),
        Task("I", duration=3, parent="P3"),
        Task("J", duration=4, parent="P3"),
        Task("K", duration=0, parent="P3"),
    ]


def smith_links() -> list[Link]:
    return [
        Link("A", "B"),
        Link("A", "E"),
        Link("A", "C", kind="SS", lag=1),
        Link("C", "D", lag=-1),
        Link("E", "D", lag=2),
        Link("D", "F", kind="FF", lag=1),
        Link("C", "H"),
        Link("F", "G"),
        Link("P1", "P3"),
        Link("G", "I"),
        Link("I", "J", kind="SF"),
        Link("I", "K"),
        Link("H", "K"),
    ]


# -- reference implementation ------------------------------------------------------------------------------


def leaf_descendants(tasks: Sequence[Task]) -> dict[Hashable, list[Hashable]]:
    """Map every task id to the ids of its leaf descendants (a leaf maps to itself)."""
    children: dict[Hashable, list[Hashable]] = {t.id: [] for t in tasks}
    for t in tasks:
        if t.parent is not None:
            children[t.parent].append(t.id)

    def leaves(task_id: Hashable) -> list[Hashable]:
        if not children[task_id]:
            return [task_id]
        return [leaf for child in children[task_id] for leaf in leaves(child)]

    return {t.id: leaves(t.id) for t in tasks}


def expanded_links(tasks: Sequence[Task], links: Iterable[Link]) -> list[Link]:
    """Expand every summary link to one link per (leaf of pred, leaf of succ) pair, as §2.2 defines."""
    leaves = leaf_descendants(tasks)
    return [
        Link(pred, succ, kind=link.kind, lag=link.lag)
        for link in links
        for pred in leaves[link.pred]
        for succ in leaves[link.succ]
    ]


@dataclass(frozen=True)
class Expected:
    es: int
    ef: int
    ls: int
    lf: int
    total_float: int
    free_float: int | None
    critical: bool


def link_bound_on_start(link: Link, es: dict[Hashable, int], duration: dict[Hashable, int]) -> int:
    """§2.3: the smallest start of the successor that this link allows."""
    i, j = link.pred, link.succ
    return {
        "FS": es[i] + duration[i] + link.lag,
        "SS": es[i] + link.lag,
        "FF": es[i] + duration[i] + link.lag - duration[j],
        "SF": es[i] + link.lag - duration[j],
    }[link.kind]


def link_bound_on_finish(link: Link, ls: dict[Hashable, int], duration: dict[Hashable, int]) -> int:
    """§2.4: the largest finish of the predecessor that this link allows."""
    i, j = link.pred, link.succ
    return {
        "FS": ls[j] - link.lag,
        "SS": ls[j] - link.lag + duration[i],
        "FF": ls[j] + duration[j] - link.lag,
        "SF": ls[j] + duration[j] - link.lag + duration[i],
    }[link.kind]


def link_slack(link: Link, es: dict[Hashable, int], duration: dict[Hashable, int]) -> int:
    """§2.5: the link slack used by free float, at early dates."""
    i, j = link.pred, link.succ
    ef_i, ef_j = es[i] + duration[i], es[j] + duration[j]
    return {
        "FS": es[j] - link.lag - ef_i,
        "SS": es[j] - link.lag - es[i],
        "FF": ef_j - link.lag - ef_i,
        "SF": ef_j - link.lag - es[i],
    }[link.kind]


def brute_force_schedule(
    tasks: Sequence[Task], links: Iterable[Link], *, deadline: int | None = None, critical_threshold: int = 0
) -> tuple[dict[Hashable, Expected], int]:
    """Return the expected result of every task and the project finish, straight from the formulas of §2."""
    leaves_of = leaf_descendants(tasks)
    leaf_ids = [t.id for t in tasks if leaves_of[t.id] == [t.id]]
    duration = {t.id: t.duration for t in tasks}
    constraint = {t.id: t.constraint for t in tasks}
    flat = expanded_links(tasks, links)

    es = {}
    for leaf in leaf_ids:
        c, d = constraint[leaf], duration[leaf]
        es[leaf] = 0
        if c is not None and c.kind in ("SNET", "MSO"):
            es[leaf] = max(0, c.point)
        if c is not None and c.kind in ("FNET", "MFO"):
            es[leaf] = max(0, c.point - d)
    changed = True
    while changed:
        changed = False
        for link in flat:
            bound = link_bound_on_start(link, es, duration)
            if bound > es[link.succ]:
                es[link.succ] = bound
                changed = True
    finish = max((es[leaf] + duration[leaf] for leaf in leaf_ids), default=0)
    anchor = finish if deadline is None else deadline

    lf = {}
    for leaf in leaf_ids:
        c, d = constraint[leaf], duration[leaf]
        lf[leaf] = anchor
        if c is not None and c.kind in ("SNLT", "MSO"):
            lf[leaf] = min(lf[leaf], c.point + d)
        if c is not None and c.kind in ("FNLT", "MFO"):
            lf[leaf] = min(lf[leaf], c.point)
    changed = True
    while changed:
        changed = False
        ls = {leaf: lf[leaf] - duration[leaf] for leaf in leaf_ids}
        for link in flat:
            bound = link_bound_on_finish(link, ls, duration)
            if bound < lf[link.pred]:
                lf[link.pred] = bound
                changed = True
    ls = {leaf: lf[leaf] - duration[leaf] for leaf in leaf_ids}

    results: dict[Hashable, Expected] = {}
    for leaf in leaf_ids:
        total_float = ls[leaf] - es[leaf]
        slacks = [link_slack(link, es, duration) for link in flat if link.pred == leaf]
        room = min(slacks) if slacks else anchor - (es[leaf] + duration[leaf])
        results[leaf] = Expected(
            es=es[leaf],
            ef=es[leaf] + duration[leaf],
            ls=ls[leaf],
            lf=lf[leaf],
            total_float=total_float,
            free_float=max(0, min(total_float, room)),
            critical=total_float <= critical_threshold,
        )
    for t in tasks:
        if t.id in results:
            continue
        members = [results[leaf] for leaf in leaves_of[t.id]]
        total_float = min(m.total_float for m in members)
        results[t.id] = Expected(
            es=min(m.es for m in members),
            ef=max(m.ef for m in members),
            ls=min(m.ls for m in members),
            lf=max(m.lf for m in members),
            total_float=total_float,
            free_float=None,
            critical=any(m.critical for m in members),
        )
    return results, finish
