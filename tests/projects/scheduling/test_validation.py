"""Inputs the engine refuses (§2.2 and the interface): bad links, bad tasks, bad values."""

from __future__ import annotations

import pytest

from projects.scheduling import Constraint, CycleError, Link, LinkError, Task, schedule

# -- validation ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("links", "message"),
    [
        ([Link("A", "A")], "itself"),
        ([Link("A", "B"), Link("A", "B", kind="SS")], "more than once"),
        ([Link("A", "Z")], "unknown"),
        ([Link("Z", "A")], "unknown"),
    ],
)
def test_schedule_rejects_invalid_links(links, message):
    with pytest.raises(LinkError, match=message) as caught:
        schedule([Task("A", duration=1), Task("B", duration=1)], links)

    assert caught.value.link == links[-1]


def test_link_rejects_an_unknown_type():
    with pytest.raises(LinkError, match="XX"):
        Link("A", "B", kind="XX")  # type: ignore[arg-type]


def test_link_error_and_cycle_error_are_value_errors():
    assert issubclass(LinkError, ValueError)
    assert issubclass(CycleError, ValueError)


@pytest.mark.parametrize(
    ("tasks", "message"),
    [
        ([Task("A"), Task("A")], "more than once"),
        ([Task("A", parent="Z")], "unknown parent"),
        ([Task("A", parent="B"), Task("B", parent="A"), Task("C", parent="A")], "loop"),
        ([Task("S", constraint=Constraint("SNET", 1)), Task("A", parent="S")], "Summary"),
    ],
)
def test_schedule_rejects_malformed_tasks(tasks, message):
    with pytest.raises(ValueError, match=message):
        schedule(tasks, [])


def test_task_rejects_a_negative_duration():
    with pytest.raises(ValueError, match="negative"):
        Task("A", duration=-1)


def test_constraint_rejects_an_unknown_type():
    with pytest.raises(ValueError, match="ALAP"):
        Constraint("ALAP", 1)  # type: ignore[arg-type]


def test_schedule_accepts_any_hashable_ids_and_iterables():
    tasks = (Task(n, duration=1) for n in (1, (2, "x"), "three"))
    links = iter([Link(1, (2, "x")), Link((2, "x"), "three")])
    result = schedule(tasks, links)

    assert result.finish == 3
    assert result.critical_path == [1, (2, "x"), "three"]
