"""Engine inputs (``Task``, ``Constraint``, ``Link``), results (``TaskResult``, ``Schedule``) and errors.

Everything here is an immutable value. Points are integers on the working-day axis of docs/specs/scheduling.md §2.1;
``WorkCalendar`` converts them to and from dates.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

TaskId = Hashable
LinkKind = Literal["FS", "SS", "FF", "SF"]
ConstraintKind = Literal["SNET", "FNET", "SNLT", "FNLT", "MSO", "MFO"]

LINK_KINDS: frozenset[str] = frozenset({"FS", "SS", "FF", "SF"})
CONSTRAINT_KINDS: frozenset[str] = frozenset({"SNET", "FNET", "SNLT", "FNLT", "MSO", "MFO"})

NEGATIVE_DURATION_MSG = "Task {task!r} has a negative duration ({duration})."
UNKNOWN_CONSTRAINT_MSG = "Unknown constraint type {kind!r}; expected one of SNET FNET SNLT FNLT MSO MFO."
UNKNOWN_LINK_KIND_MSG = "Unknown link type {kind!r}; expected one of FS SS FF SF."


class LinkError(ValueError):
    """A link the engine refuses: self-link, duplicate, ancestor/descendant, bad summary type, unknown id/type.

    ``link`` is the offending ``Link`` when there is one.
    """

    def __init__(self, message: str, link: Link | None = None) -> None:
        super().__init__(message)
        self.link = link


class CycleError(ValueError):
    """The links, once summary links are expanded to leaves, form a cycle.

    ``cycle`` lists the leaf ids of one concrete cycle: each id is linked to the next, and the last to the first.
    ``remaining`` is every leaf Kahn's sort could not place (the cycles and everything downstream of them).
    """

    def __init__(self, message: str, cycle: Sequence[TaskId], remaining: frozenset[TaskId]) -> None:
        super().__init__(message)
        self.cycle: list[TaskId] = list(cycle)
        self.remaining = remaining


@dataclass(frozen=True, slots=True)
class Constraint:
    """A date constraint: ``point`` is a start point for SNET/SNLT/MSO and a finish point for FNET/FNLT/MFO."""

    kind: ConstraintKind
    point: int

    def __post_init__(self) -> None:
        if self.kind not in CONSTRAINT_KINDS:
            raise ValueError(UNKNOWN_CONSTRAINT_MSG.format(kind=self.kind))


@dataclass(frozen=True, slots=True)
class Task:
    """A WBS node. ``duration`` (whole working days, 0 = milestone) is ignored when the task is a summary,
    i.e. when another task names it as ``parent``. Summaries cannot carry a constraint."""

    id: TaskId
    duration: int = 0
    parent: TaskId | None = None
    constraint: Constraint | None = None

    def __post_init__(self) -> None:
        if self.duration < 0:
            raise ValueError(NEGATIVE_DURATION_MSG.format(task=self.id, duration=self.duration))


@dataclass(frozen=True, slots=True)
class Link:
    """A dependency ``pred -> succ`` of type FS, SS, FF or SF, with ``lag`` working days (negative = lead)."""

    pred: TaskId
    succ: TaskId
    kind: LinkKind = "FS"
    lag: int = 0

    def __post_init__(self) -> None:
        if self.kind not in LINK_KINDS:
            raise LinkError(UNKNOWN_LINK_KIND_MSG.format(kind=self.kind), self)


@dataclass(frozen=True, slots=True)
class TaskResult:
    """The scheduled values of one task, as points on the working-day axis.

    ``total_float = ls - es = lf - ef`` (negative when a constraint or the deadline is violated);
    ``free_float`` is None for summary tasks, whose values are rolled up from their leaves
    (docs/specs/scheduling.md §2.6).
    """

    id: TaskId
    es: int
    ef: int
    ls: int
    lf: int
    total_float: int
    free_float: int | None
    critical: bool


class ScheduledTasks(Mapping[TaskId, TaskResult]):
    """Read-only mapping from task id to ``TaskResult``, in input order.

    The engine keeps its results in integer-indexed arrays; a ``TaskResult`` is built when it is looked up, so a
    caller that reads a few tasks of a large plan does not pay for all of them. Results are values: two lookups
    of the same id return equal objects.
    """

    __slots__ = ("_ids", "_index", "_es", "_ef", "_ls", "_lf", "_tf", "_ff_bound", "_is_summary", "_threshold")

    def __init__(
        self,
        *,
        ids: Sequence[TaskId],
        index: Mapping[TaskId, int],
        es: Sequence[int],
        ef: Sequence[int],
        ls: Sequence[int],
        lf: Sequence[int],
        tf: Sequence[int],
        ff_bound: Sequence[int],
        is_summary: Sequence[bool],
        threshold: int,
    ) -> None:
        self._ids = ids
        self._index = index
        self._es = es
        self._ef = ef
        self._ls = ls
        self._lf = lf
        self._tf = tf
        self._ff_bound = ff_bound
        self._is_summary = is_summary
        self._threshold = threshold

    def __getitem__(self, task_id: TaskId) -> TaskResult:
        k = self._index[task_id]
        es = self._es[k]
        tf = self._tf[k]
        # ff_bound is the latest start that delays no successor (or the project anchor for a terminal task);
        # free float is that room, kept within [0, total float] as docs/specs/scheduling.md §2.5 defines it.
        free_float = None if self._is_summary[k] else max(0, min(tf, self._ff_bound[k] - es))
        return TaskResult(
            id=self._ids[k],
            es=es,
            ef=self._ef[k],
            ls=self._ls[k],
            lf=self._lf[k],
            total_float=tf,
            free_float=free_float,
            critical=tf <= self._threshold,
        )

    def __iter__(self) -> Iterator[TaskId]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, task_id: object) -> bool:
        return task_id in self._index

    def __repr__(self) -> str:
        return f"ScheduledTasks({len(self._ids)} tasks)"


@dataclass(frozen=True, slots=True)
class Schedule:
    """The result of ``schedule``.

    ``tasks`` maps every task id (summaries included) to its ``TaskResult``. ``finish`` is the largest early
    finish over leaf tasks. ``critical_path`` lists the critical leaf ids ordered by (es, ef), ties broken by id
    when ids are comparable.
    """

    tasks: Mapping[TaskId, TaskResult]
    finish: int
    critical_path: list[TaskId]

    def link_slack(self, link: Link) -> int:
        """Return how far ``link``'s successor could move earlier at early dates before the link binds.

        Slack per type is that of docs/specs/scheduling.md §2.5 (FS: ES_succ - lag - EF_pred, and so on). For a
        summary endpoint the rolled-up dates are used, which is exact for the link types a summary may carry: a
        summary successor's ES is its earliest leaf start, a summary predecessor's EF its latest leaf finish.
        """
        pred = self.tasks[link.pred]
        succ = self.tasks[link.succ]
        kind = link.kind
        if kind == "FS":
            return succ.es - link.lag - pred.ef
        if kind == "SS":
            return succ.es - link.lag - pred.es
        if kind == "FF":
            return succ.ef - link.lag - pred.ef
        return succ.ef - link.lag - pred.es

    def is_critical_link(self, link: Link) -> bool:
        """Return whether ``link`` joins two critical tasks and has no slack (for arrow highlighting, §2.5)."""
        return self.tasks[link.pred].critical and self.tasks[link.succ].critical and self.link_slack(link) <= 0
