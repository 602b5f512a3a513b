"""The numpy implementation (projects/scheduling/_vector.py) against the list implementation of engine.py.

``schedule`` hands plans of ``_VECTOR_MIN_LINKS`` links or more to ``_vector.schedule_arrays``. Both must give
the same results, as plain ints, and raise the same errors; the tests here call both on the same plans, from
the random plans of test_properties to large layered ones, and force the numpy path through ``schedule`` by
lowering the threshold.
"""

from __future__ import annotations

import random
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from projects.scheduling import Constraint, CycleError, Link, Task, TaskResult, _core, _vector, engine, schedule
from projects.scheduling.engine import _schedule_lists
from tests.projects.scheduling.support import smith_links, smith_tasks
from tests.projects.scheduling.test_properties import plans

FAST = settings(max_examples=80, deadline=None)


def snapshot(result):
    """Everything a caller can read from a Schedule, checking on the way that every number is a plain int."""
    for value in result.tasks.values():
        for f in fields(TaskResult)[1:]:  # after the id
            x = getattr(value, f.name)
            assert x is None or type(x) in (int, bool), (f.name, type(x))
    assert type(result.finish) is int
    return dict(result.tasks.items()), result.finish, result.critical_path


def both(tasks, links, *, hand_over=False, **options):
    """The snapshots of the list and the numpy implementation; ``hand_over`` says whether the numpy one must
    give way to the list passes (deep, narrow levels) or run its own level-by-level passes."""
    deadline, threshold = options.get("deadline"), options.get("critical_threshold", 0)
    lists = _schedule_lists(tasks, links, deadline, threshold)
    handed = []

    def spy(*args):
        handed.append(True)
        return _core.passes(*args)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_vector, "passes", spy)
        arrays = _vector.schedule_arrays(tasks, links, deadline, threshold)
    if not links:  # nothing to vectorise: left to the list version
        assert arrays is None
        return snapshot(lists), snapshot(lists)
    assert arrays is not None
    assert bool(handed) is hand_over
    return snapshot(lists), snapshot(arrays)


@pytest.fixture
def vector_always(monkeypatch):
    """Route every plan with at least one link through the numpy implementation."""
    monkeypatch.setattr(engine, "_VECTOR_MIN_LINKS", 1)


def layered_plan(size: int, seed: int, *, width: int = 6, constraints: bool = True) -> tuple[list[Task], list[Link]]:
    """A random layered plan like bench/cpm.py's: leaves in packages grouped into phases, links of all four
    types with lags and leads, a few summary links at every level of the WBS, and some constraints."""
    rng = random.Random(seed)
    tasks: list[Task] = []
    layers: list[list[tuple[str, list[str]]]] = []
    phases: list[str] = []
    while len(tasks) < size:
        if len(layers) % 2 == 0:
            phases.append(f"ph{len(phases)}")
            tasks.append(Task(phases[-1]))
        layer: list[tuple[str, list[str]]] = []
        for slot in range(rng.randint(1, width)):
            package = f"pk{len(layers)}.{slot}"
            tasks.append(Task(package, parent=phases[-1]))
            members = []
            for m in range(rng.randint(1, 6)):
                leaf = f"t{len(layers)}.{slot}.{m}"
                constraint = None
                if constraints and rng.random() < 0.05:
                    kind = rng.choice(["SNET", "FNET", "SNLT", "FNLT", "MSO", "MFO"])
                    constraint = Constraint(kind, rng.randint(-3, 60))
                tasks.append(Task(leaf, duration=rng.choice([0, *range(1, 9)]), parent=package, constraint=constraint))
                members.append(leaf)
            layer.append((package, members))
        layers.append(layer)

    links: dict[tuple[str, str], Link] = {}

    def add(pred: str, succ: str, kinds: tuple[str, ...] = ("FS", "SS", "FF", "SF")) -> None:
        lag = 0 if rng.random() < 0.6 else rng.randint(-3, 3)
        links.setdefault((pred, succ), Link(pred, succ, kind=rng.choice(kinds), lag=lag))

    for depth, layer in enumerate(layers):
        earlier = [
            leaf for back in (1, 2, 3) if depth >= back for _, members in layers[depth - back] for leaf in members
        ]
        for _, members in layer:
            for position, leaf in enumerate(members):
                if position and rng.random() < 0.5:
                    add(members[rng.randrange(position)], leaf)
                for pred in rng.sample(earlier, min(len(earlier), rng.randint(0, 2))):
                    add(pred, leaf)
    for _ in range(max(2, len(links) // 20)):
        low = rng.randrange(len(layers) - 1)
        high = rng.randrange(low + 1, len(layers))
        (pk_low, members_low), (pk_high, members_high) = rng.choice(layers[low]), rng.choice(layers[high])
        choice = rng.randrange(3)
        if choice == 0:
            add(pk_low, rng.choice(members_high), ("FS", "FF"))
        elif choice == 1:
            add(rng.choice(members_low), pk_high, ("FS", "SS"))
        else:
            add(pk_low, pk_high, ("FS",))
    for p in range(0, len(phases) - 1, 2):
        add(phases[p], phases[p + 1], ("FS",))
    return tasks, list(links.values())


# -- same results ----------------------------------------------------------------------------------------------


@FAST
@given(plan=plans(constraints=True, deadline=True), threshold=st.integers(-1, 2))
def test_schedule_arrays_matches_the_list_version_on_random_plans(plan, threshold):
    lists, arrays = both(plan.tasks, plan.links, deadline=plan.deadline, critical_threshold=threshold)

    assert arrays == lists


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("deadline", [None, 30, 400])
def test_schedule_arrays_matches_the_list_version_on_wide_layered_plans(seed, deadline):
    tasks, links = layered_plan(1200, seed, width=40)

    lists, arrays = both(tasks, links, deadline=deadline, critical_threshold=seed % 3)

    assert arrays == lists


@pytest.mark.parametrize("seed", range(4))
def test_schedule_arrays_hands_narrow_layered_plans_to_the_list_passes(seed):
    tasks, links = layered_plan(1200, seed, width=2)

    lists, arrays = both(tasks, links, hand_over=True, deadline=300)

    assert arrays == lists


def test_schedule_arrays_matches_the_list_version_without_the_16_bit_sort(monkeypatch):
    tasks, links = layered_plan(1200, 5, width=40)
    monkeypatch.setattr(_vector, "_RADIX_NODES", 0)

    lists, arrays = both(tasks, links, deadline=500)

    assert arrays == lists


def test_schedule_arrays_matches_the_list_version_on_the_worked_example():
    lists, arrays = both(smith_tasks(), smith_links())

    assert arrays == lists


def test_schedule_takes_the_numpy_path_for_large_plans_with_the_same_results(monkeypatch):
    tasks, links = layered_plan(1500, 99, width=40)
    assert len(links) >= engine._VECTOR_MIN_LINKS
    answers = []
    original = _vector.schedule_arrays

    def spy(*args):
        answers.append(original(*args))
        return answers[-1]

    monkeypatch.setattr(_vector, "schedule_arrays", spy)
    result = schedule(tasks, links)

    assert len(answers) == 1 and answers[0] is result
    assert snapshot(result) == snapshot(_schedule_lists(tasks, links, None, 0))


def test_schedule_arrays_hands_a_deep_narrow_plan_to_the_list_passes():
    """A chain of 400 tasks is 400 levels of one task: the numpy levels give way to the list passes."""
    tasks = [Task(f"c{k}", duration=k % 4) for k in range(400)]
    links = [Link(f"c{k}", f"c{k + 1}", kind=("FS", "SS", "FF")[k % 3], lag=k % 3 - 1) for k in range(399)]

    lists, arrays = both(tasks, links, hand_over=True, deadline=2000)

    assert arrays == lists


def test_schedule_arrays_declines_values_outside_its_integer_range():
    tasks = [Task("A", duration=2), Task("B", duration=3)]
    links = [Link("A", "B")]
    huge = _vector._magnitude_limit(2) + 1

    assert _vector.schedule_arrays(tasks, [Link("A", "B", lag=huge)], None, 0) is None
    assert _vector.schedule_arrays(tasks, [Link("A", "B", lag=-huge)], None, 0) is None
    assert _vector.schedule_arrays([Task("A", duration=huge), tasks[1]], links, None, 0) is None
    assert _vector.schedule_arrays(tasks, links, huge, 0) is None
    assert _vector.schedule_arrays(tasks, links, None, -huge) is None
    assert _vector.schedule_arrays([Task("A", constraint=Constraint("SNET", huge)), tasks[1]], links, None, 0) is None
    assert _vector.schedule_arrays(tasks, [Link("A", "B", lag=huge - 1)], None, 0) is not None


def test_schedule_arrays_declines_values_that_are_not_ints():
    tasks = [Task("A", duration=2), Task("B", duration=3)]
    links = [Link("A", "B")]

    assert _vector.schedule_arrays(tasks, [Link("A", "B", lag=1.5)], None, 0) is None  # type: ignore[arg-type]
    assert _vector.schedule_arrays([Task("A", duration=2.5), tasks[1]], links, None, 0) is None  # type: ignore[arg-type]
    assert _vector.schedule_arrays(tasks, links, 10.0, 0) is None  # type: ignore[arg-type]
    assert _vector.schedule_arrays(tasks, links, None, 0.5) is None  # type: ignore[arg-type]


def test_schedule_gives_exact_results_for_huge_values(vector_always):
    tasks = [Task("A", duration=2**62), Task("B", duration=3, constraint=Constraint("FNLT", -(2**70)))]
    links = [Link("A", "B", kind="FF", lag=2**63)]

    assert snapshot(schedule(tasks, links, deadline=2**65)) == snapshot(_schedule_lists(tasks, links, 2**65, 0))


# -- same errors -----------------------------------------------------------------------------------------------


def error_of(call):
    with pytest.raises(ValueError) as caught:
        call()
    error = caught.value
    return (
        type(error),
        str(error),
        getattr(error, "link", None),
        getattr(error, "cycle", None),
        getattr(error, "remaining", None),
    )


@pytest.mark.parametrize(
    "extra",
    [
        [Link("A", "A")],
        [Link("A", "B", kind="SS")],
        [Link("A", "Z")],
        [Link("K", "A")],
        [Link("P2", "K", kind="SS")],
        [Link("A", "P3", kind="FF")],
        [Link("P1", "A")],
        [Link("C", "P")],
    ],
)
def test_schedule_raises_the_same_link_errors_on_the_numpy_path(extra, vector_always):
    links = [*smith_links(), *extra]

    assert error_of(lambda: schedule(smith_tasks(), links)) == error_of(
        lambda: _schedule_lists(smith_tasks(), links, None, 0)
    )


def test_schedule_raises_the_same_error_for_an_unknown_link_type(vector_always):
    odd = Link("E", "H")
    object.__setattr__(odd, "kind", "XX")
    links = [*smith_links(), odd]

    assert error_of(lambda: schedule(smith_tasks(), links)) == error_of(
        lambda: _schedule_lists(smith_tasks(), links, None, 0)
    )


@pytest.mark.parametrize("tasks", [[Task("A"), Task("A")], [Task("A", parent="Z")]])
def test_schedule_raises_the_same_task_errors_on_the_numpy_path(tasks, vector_always):
    links = [Link("A", "A")]

    assert error_of(lambda: schedule(tasks, links)) == error_of(lambda: _schedule_lists(tasks, links, None, 0))


def outcome(call):
    try:
        return snapshot(call())
    except ValueError:
        return error_of(call)


@FAST
@given(plan=plans(max_leaves=8), data=st.data())
def test_schedule_gives_the_same_result_or_error_on_the_numpy_path_with_one_more_link(plan, data):
    """One more link between any two tasks, summaries included: it may close a cycle, duplicate a link, link a
    summary to its own leaf or carry a type a summary refuses."""
    names = [t.id for t in plan.tasks]
    extra = Link(
        data.draw(st.sampled_from(names)),
        data.draw(st.sampled_from(names)),
        kind=data.draw(st.sampled_from(["FS", "SS", "FF", "SF"])),
        lag=data.draw(st.integers(-2, 2)),
    )
    links = [*plan.links, extra]
    expected = outcome(lambda: _schedule_lists(plan.tasks, links, None, 0))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine, "_VECTOR_MIN_LINKS", 1)
        assert outcome(lambda: schedule(plan.tasks, links)) == expected


def test_schedule_reports_the_same_cycle_in_a_deep_narrow_plan(vector_always):
    tasks = [Task(f"c{k}", duration=1) for k in range(300)]
    links = [Link(f"c{k}", f"c{k + 1}") for k in range(299)] + [Link("c250", "c120", kind="SS")]

    error = error_of(lambda: schedule(tasks, links))

    assert error[0] is CycleError
    assert error == error_of(lambda: _schedule_lists(tasks, links, None, 0))


# -- numpy stays out of small plans ----------------------------------------------------------------------------


def test_schedule_imports_numpy_only_for_large_plans():
    script = (
        "import sys\n"
        "from projects.scheduling import Link, Task, schedule\n"
        "schedule([Task('A', duration=1), Task('B', duration=2)], [Link('A', 'B')])\n"
        "print('numpy' in sys.modules)\n"
    )

    root = Path(__file__).resolve().parents[3]
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=root)

    assert out.stdout.strip() == "False"
