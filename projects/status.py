"""The status run: the unchanged CPM engine scheduled "as of" a status date (docs/specs/one-schedule.md §1).

Pure: no Django, no apps. ``status_run`` turns the plan plus each leaf's progress into the engine's input
(actual durations and a start pin for done tasks, the remaining duration for started ones, links into done
tasks dropped, and one pinned *status anchor* that holds every unfinished leaf at or after the status point),
runs ``scheduling.schedule`` twice (as of the status date, and as planned for the flags) and post-processes:
the anchor disappears, done tasks are never critical and carry no float, summaries roll up their unfinished
leaves, and each leaf gets its behind / start-overdue / out-of-sequence flags.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

from projects.scheduling import Constraint, Link, Schedule, Task, schedule

TaskId = Hashable
# A tuple id cannot collide with the integer primary keys (or the test plans' string keys) of real tasks.
ANCHOR: TaskId = ("__status__",)


@dataclass(frozen=True, slots=True)
class Progress:
    """What has happened to one leaf: ``percent`` 0-100 and the actual start/finish as points.

    ``start`` is ``startpt(AS)`` (set when ``percent > 0``); ``finish`` is ``finpt(AF)`` (set when done).
    """

    percent: int = 0
    start: int | None = None
    finish: int | None = None

    @property
    def done(self) -> bool:
        return self.percent >= 100

    @property
    def started(self) -> bool:
        return 0 < self.percent < 100


@dataclass(frozen=True, slots=True)
class TaskStatus:
    """One task after the status run. ``total_float``/``free_float`` are None for done leaves, for summaries
    whose leaves are all done (float), and for every summary (free float)."""

    es: int
    ef: int
    ls: int
    lf: int
    total_float: int | None
    free_float: int | None
    critical: bool
    duration: int  # the duration the run used (D'); for a summary its rolled-up span
    plan_es: int
    plan_ef: int
    behind: bool = False
    start_overdue: bool = False
    out_of_sequence: bool = False


@dataclass(frozen=True, slots=True)
class StatusSchedule:
    tasks: Mapping[TaskId, TaskStatus]
    finish: int  # the forecast finish point (largest EF over leaves)
    plan_finish: int
    critical_path: list[TaskId]  # critical unfinished leaves by (es, ef)
    late_by: int  # working days past the deadline point (0 when on time or without a deadline)
    schedule: Schedule  # the engine's own result (the anchor included), for link slacks


def remaining_duration(duration: int, percent: int) -> int:
    """Working days left of a started task: the ceiling of ``duration × (100 − percent) / 100`` in integers."""
    return (duration * (100 - percent) + 99) // 100


def _leaves_of(tasks: Sequence[Task]) -> dict[TaskId, list[TaskId]]:
    children: dict[TaskId, list[TaskId]] = {t.id: [] for t in tasks}
    for t in tasks:
        if t.parent is not None:
            children[t.parent].append(t.id)
    leaves: dict[TaskId, list[TaskId]] = {}

    def walk(task_id: TaskId) -> list[TaskId]:
        if task_id not in leaves:
            kids = children[task_id]
            leaves[task_id] = [leaf for kid in kids for leaf in walk(kid)] if kids else [task_id]
        return leaves[task_id]

    for t in tasks:
        walk(t.id)
    return leaves


def _w(kind: str, lag: int, d_pred: int, d_succ: int) -> int:
    """The link as a difference constraint ES_succ − ES_pred ≥ w (docs/specs/scheduling.md §2.3)."""
    if kind == "FS":
        return d_pred + lag
    if kind == "SS":
        return lag
    if kind == "FF":
        return d_pred + lag - d_succ
    return lag - d_succ


def status_input(
    tasks: Sequence[Task], links: Sequence[Link], progress: Mapping[TaskId, Progress], status_point: int
) -> tuple[list[Task], list[Link]]:
    """The engine input of the status run (steps 1-4 of docs/specs/one-schedule.md §1)."""
    leaves = _leaves_of(tasks)
    summaries = {t.parent for t in tasks if t.parent is not None}
    durations: dict[TaskId, int] = {}
    run_tasks: list[Task] = []
    for t in tasks:
        p = progress.get(t.id)
        if t.id in summaries or p is None or p.percent == 0:
            durations[t.id] = t.duration
            run_tasks.append(t)
        elif p.done:
            start = p.start if p.start is not None else status_point
            finish = p.finish if p.finish is not None else max(start + t.duration, start)
            durations[t.id] = max(0, finish - start)
            run_tasks.append(Task(t.id, durations[t.id], t.parent, Constraint("MSO", start)))
        else:
            durations[t.id] = remaining_duration(t.duration, p.percent)
            run_tasks.append(Task(t.id, durations[t.id], t.parent, t.constraint))

    def done(task_id: TaskId) -> bool:
        p = progress.get(task_id)
        return p is not None and p.done and task_id not in summaries

    # Links into done leaves are dropped (history, not logic). A link into a summary that holds a done leaf is
    # therefore split into one link per unfinished leaf; its predecessor side stays as it is (a summary
    # predecessor keeps its finish gate in the engine), so the work grows with the leaves of one side only, not
    # with their product. Parallel leaf pairs merge into one SS link carrying the largest w, which is the same
    # constraint on both passes and on every slack (the engine refuses duplicate pairs).
    merged: dict[tuple[TaskId, TaskId], tuple[int, Link]] = {}
    from_summaries: dict[tuple[TaskId, TaskId], list[Link]] = {}

    def add_leaf_link(a: TaskId, b: TaskId, link: Link) -> None:
        expanded = link if (a, b) == (link.pred, link.succ) else Link(a, b, link.kind, link.lag)
        w = _w(link.kind, link.lag, durations[a], durations[b])
        seen = merged.get((a, b))
        if seen is None:
            merged[(a, b)] = (w, expanded)
        else:
            best = max(seen[0], w)
            merged[(a, b)] = (best, Link(a, b, "SS", best))

    run_links: list[Link] = []
    for link in links:
        if link.succ in summaries:
            targets = [b for b in leaves[link.succ] if not done(b)]
            if len(targets) == len(leaves[link.succ]):
                run_links.append(link)  # nothing finished behind it: the engine's summary link is exact
                continue
        else:
            if done(link.succ):
                continue
            targets = [link.succ]
        for b in targets:
            if link.pred in summaries:
                from_summaries.setdefault((link.pred, b), []).append(link)
            else:
                add_leaf_link(link.pred, b, link)
    for (pred, b), group in from_summaries.items():
        if len(group) == 1 and (pred, b) not in merged:
            link = group[0]
            run_links.append(link if link.succ == b else Link(pred, b, link.kind, link.lag))
        else:  # two links on one pair: expand the summary side too, so that they can merge
            for link in group:
                for a in leaves[pred]:
                    add_leaf_link(a, b, link)
    run_links.extend(link for _w_, link in merged.values())
    unfinished = [t.id for t in tasks if t.id not in summaries and not done(t.id)]
    if unfinished:
        run_tasks.append(Task(ANCHOR, 0, None, Constraint("MSO", status_point)))
        run_links.extend(Link(ANCHOR, leaf) for leaf in unfinished)
    return run_tasks, run_links


def status_run(
    tasks: Sequence[Task],
    links: Sequence[Link],
    progress: Mapping[TaskId, Progress],
    *,
    status_point: int,
    deadline: int | None = None,
) -> StatusSchedule:
    """Schedule as of ``status_point`` (``max(0, startpt(status date))``) and flag each leaf against the plan.

    Raises what ``scheduling.schedule`` raises (cycles and forbidden links are checked on the as-planned run
    first, so the errors name the user's links, not the expanded ones).
    """
    status_point = max(0, status_point)
    planned = schedule(tasks, links, deadline=deadline)
    run_tasks, run_links = status_input(tasks, links, progress, status_point)
    result = schedule(run_tasks, run_links, deadline=deadline)
    summaries = {t.parent for t in tasks if t.parent is not None}
    parent = {t.id: t.parent for t in tasks}
    durations = {t.id: t.duration for t in run_tasks}

    def pct(task_id: TaskId) -> int:
        p = progress.get(task_id)
        return p.percent if p is not None else 0

    not_started_leaves = {t.id for t in tasks if t.id not in summaries and pct(t.id) == 0}
    out_of_sequence = _out_of_sequence(tasks, links, not_started_leaves)

    # Summaries roll up their unfinished leaves only: float and criticality of history mean nothing.
    rollup_tf: dict[TaskId, int | None] = dict.fromkeys(summaries)
    rollup_critical: dict[TaskId, bool] = dict.fromkeys(summaries, False)
    out: dict[TaskId, TaskStatus] = {}
    for t in tasks:
        if t.id in summaries:
            continue
        r = result.tasks[t.id]
        p = planned.tasks[t.id]
        done = pct(t.id) >= 100
        started = 0 < pct(t.id) < 100
        behind = not done and p.ef <= status_point
        out[t.id] = TaskStatus(
            es=r.es, ef=r.ef, ls=r.ls, lf=r.lf,
            total_float=None if done else r.total_float,
            free_float=None if done else r.free_float,
            critical=False if done else r.critical,
            duration=durations[t.id], plan_es=p.es, plan_ef=p.ef,
            behind=behind,
            start_overdue=not done and not started and not behind and p.es < status_point,
            out_of_sequence=t.id in out_of_sequence,
        )  # fmt: skip
        if not done:
            node = parent[t.id]
            while node is not None:
                current = rollup_tf[node]
                rollup_tf[node] = r.total_float if current is None else min(current, r.total_float)
                rollup_critical[node] = rollup_critical[node] or r.critical
                node = parent[node]
    for t in tasks:
        if t.id in summaries:
            r = result.tasks[t.id]
            p = planned.tasks[t.id]
            out[t.id] = TaskStatus(
                es=r.es, ef=r.ef, ls=r.ls, lf=r.lf, total_float=rollup_tf[t.id], free_float=None,
                critical=rollup_critical[t.id], duration=r.ef - r.es, plan_es=p.es, plan_ef=p.ef,
            )  # fmt: skip
    leaf_results = [out[t.id] for t in tasks if t.id not in summaries]
    finish = max((r.ef for r in leaf_results), default=0)
    critical_path = sorted(
        (t.id for t in tasks if t.id not in summaries and out[t.id].critical),
        key=lambda task_id: (out[task_id].es, out[task_id].ef),
    )
    late_by = max(0, finish - deadline) if deadline is not None else 0
    return StatusSchedule(out, finish, planned.finish, critical_path, late_by, result)


def _out_of_sequence(tasks: Sequence[Task], links: Sequence[Link], not_started: set[TaskId]) -> set[TaskId]:
    """Started or done leaves with a (leaf) predecessor that has not started."""
    leaves = _leaves_of(tasks)
    flagged: set[TaskId] = set()
    for link in links:
        preds = leaves[link.pred]
        if not any(a in not_started for a in preds):
            continue
        for b in leaves[link.succ]:
            if b not in not_started:
                flagged.add(b)
    return flagged
