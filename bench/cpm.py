"""Benchmark the CPM engine (projects.scheduling) against networkx's longest path on the same network.

Run: ``.venv/bin/python bench/cpm.py`` (options: ``--repeat N``, ``--sizes 300 20000``, ``--seed S``).

Plans are seeded-random and layered, so they are acyclic by construction: leaves sit in work packages
(summaries), one package per layer slot, and packages are grouped into phases (summaries of summaries) that
span whole layers. Links go from a lower layer to a higher one, or forward inside a package; they use all four
types, lags and leads. About 5 % of the leaves are milestones, and about 2 % of the links touch a summary
(package to leaf, leaf to package, package to package, phase to phase).

What is timed, on each side:

- **engine**: one ``schedule(tasks, links)`` call on the full plan, from the input ``Task`` and ``Link``
  values to the ``Schedule``: validation, summary-link wiring, topological sort, both passes, free float,
  roll-up and critical path. From 1,000 links on (so at 20,000 tasks) ``schedule`` runs its numpy
  implementation; numpy is imported by then (this script imports it, and the warm-up run uses it). Results
  are materialised lazily, so reading every ``TaskResult`` afterwards is extra work, timed separately ("read
  all").
- **networkx**: ``nx.dag_longest_path_length(G)`` alone, on a ``DiGraph`` built beforehand (outside the timed
  region) from the FS-only version of the same plan: every link, summary links included, taken as FS with lag
  0. Summary links are modelled the way one would in networkx, without a quadratic expansion: a linked
  summary gets a start node (edges to its leaves) and a finish node (edges from its leaves). Edge weight =
  the predecessor's duration (0 for those nodes), and a sink is fed by every node without a successor, so the
  path length is the project finish. That gives networkx its most favourable terms: a prebuilt graph and a
  single pass, where the engine also validates, runs the backward pass and rolls summaries up.
- Also reported: networkx with the graph build inside the timed region (both sides then start from the same
  plain lists), and the engine on the FS-only plan (like for like; its finish is checked against networkx's
  path length before anything is timed).

Runs are interleaved (engine, networkx, ... round-robin) after one warm-up each, with ``gc.collect()`` before
every run, and each figure is the median over ``--repeat`` runs. The clock is CPU time of this process
(``time.process_time``) by default: on a shared machine it is far steadier than wall time, and both sides are
single-threaded. ``--clock wall`` uses ``time.perf_counter`` instead.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

# Run as a script, Python puts bench/ first on sys.path, where the other benchmarks (bench/calendar.py) would
# shadow standard-library modules that networkx imports. Look in the project root instead.
BENCH_DIR = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(BENCH_DIR.parent))

import networkx as nx  # noqa: E402
import numpy  # noqa: E402

from projects.scheduling import Link, Schedule, Task, schedule  # noqa: E402

PACKAGES_PER_LAYER = {300: 3}
DEFAULT_PACKAGES_PER_LAYER = 20
LAYERS_PER_PHASE = 2


def make_plan(size: int, seed: int) -> tuple[list[Task], list[Link]]:
    """Return (tasks, links) of a plan of exactly ``size`` tasks."""
    rng = random.Random(seed)
    width = PACKAGES_PER_LAYER.get(size, DEFAULT_PACKAGES_PER_LAYER)
    tasks: list[Task] = []
    leaves_by_layer: list[list[str]] = []
    packages_by_layer: list[list[tuple[str, list[str]]]] = []
    phases: list[str] = []
    layer = 0
    while len(tasks) < size:
        if layer % LAYERS_PER_PHASE == 0:
            phase = f"ph{len(phases)}"
            phases.append(phase)
            tasks.append(Task(phase))
        leaves_by_layer.append([])
        packages_by_layer.append([])
        for slot in range(width):
            left = size - len(tasks)
            if left < 2:  # a package needs a summary row and at least one leaf
                break
            package = f"pk{layer}.{slot}"
            tasks.append(Task(package, parent=phase))
            members = []
            for m in range(min(rng.randint(5, 15), left - 1)):
                leaf = f"t{layer}.{slot}.{m}"
                duration = 0 if rng.random() < 0.05 else rng.randint(1, 10)
                tasks.append(Task(leaf, duration=duration, parent=package))
                members.append(leaf)
            leaves_by_layer[layer].extend(members)
            packages_by_layer[layer].append((package, members))
        if len(tasks) == size - 1:  # one slot left: a milestone closing the plan
            tasks.append(Task("finish", duration=0, parent=phase))
            leaves_by_layer[layer].append("finish")
        layer += 1

    links: list[Link] = []
    pairs: set[tuple[str, str]] = set()

    def add(pred: str, succ: str, kind: str, lag: int) -> None:
        if (pred, succ) not in pairs:
            pairs.add((pred, succ))
            links.append(Link(pred, succ, kind=kind, lag=lag))  # type: ignore[arg-type]

    def kind_and_lag() -> tuple[str, int]:
        kind = rng.choices(("FS", "SS", "FF", "SF"), weights=(60, 15, 15, 10))[0]
        return kind, (0 if rng.random() < 0.7 else rng.randint(-2, 3))

    for layer, packages in enumerate(packages_by_layer):
        earlier = [leaf for back in range(1, 4) if layer - back >= 0 for leaf in leaves_by_layer[layer - back]]
        for _package, members in packages:
            for position, leaf in enumerate(members):
                if position and rng.random() < 0.5:  # forward inside the package
                    add(members[rng.randrange(position)], leaf, *kind_and_lag())
                for pred in rng.sample(earlier, min(len(earlier), rng.randint(1, 2))):
                    add(pred, leaf, *kind_and_lag())
    # Summary links, all pointing from a lower layer to a higher one.
    layers = len(packages_by_layer)
    summary_link_count = max(2, len(links) // 50)
    for _ in range(summary_link_count):
        low = rng.randrange(max(1, layers - 1))
        high = rng.randrange(low + 1, layers) if low + 1 < layers else low
        if high == low or not packages_by_layer[low] or not packages_by_layer[high]:
            continue
        (pk_low, members_low), (pk_high, members_high) = (
            rng.choice(packages_by_layer[low]),
            rng.choice(packages_by_layer[high]),
        )
        choice = rng.randrange(3)
        lag = rng.randint(-1, 2)
        if choice == 0:
            add(pk_low, rng.choice(members_high), rng.choice(("FS", "FF")), lag)
        elif choice == 1:
            add(rng.choice(members_low), pk_high, rng.choice(("FS", "SS")), lag)
        else:
            add(pk_low, pk_high, "FS", lag)
    for p in range(len(phases) - 1):
        if rng.random() < 0.3:
            add(phases[p], phases[p + 1], "FS", 0)

    assert len(tasks) == size, (len(tasks), size)
    return tasks, links


def fs_only(links: list[Link]) -> list[Link]:
    """The same links, every one taken as FS with lag 0."""
    return [Link(x.pred, x.succ) for x in links]


def fs_graph(tasks: list[Task], links: list[Link]) -> nx.DiGraph:
    """A networkx DAG whose longest path is the finish of the FS-only plan (see the module docstring)."""
    children: dict[str, list[str]] = {}
    for t in tasks:
        if t.parent is not None:
            children.setdefault(t.parent, []).append(t.id)
    duration = {t.id: t.duration for t in tasks if t.id not in children}

    def leaves(task_id: str) -> list[str]:
        kids = children.get(task_id)
        return [leaf for kid in kids for leaf in leaves(kid)] if kids else [task_id]

    graph = nx.DiGraph()
    graph.add_nodes_from(duration)
    edges = []
    wired: set[tuple[str, str]] = set()
    for link in links:
        pred, succ = link.pred, link.succ
        if pred in children:  # out of a summary: from its finish node
            if ("finish", pred) not in wired:
                wired.add(("finish", pred))
                edges.extend((leaf, ("finish", pred), duration[leaf]) for leaf in leaves(pred))
            pred_node, weight = ("finish", pred), 0
        else:
            pred_node, weight = pred, duration[pred]
        if succ in children:  # into a summary: to its start node
            if ("start", succ) not in wired:
                wired.add(("start", succ))
                edges.extend((("start", succ), leaf, 0) for leaf in leaves(succ))
            succ = ("start", succ)
        edges.append((pred_node, succ, weight))
    graph.add_weighted_edges_from(edges)
    terminals = [node for node in graph if graph.out_degree(node) == 0]
    graph.add_weighted_edges_from((node, "__sink__", duration.get(node, 0)) for node in terminals)
    return graph


def measure(runs: dict[str, Callable[[], object]], repeat: int, clock: Callable[[], int]) -> dict[str, float]:
    """Median milliseconds of each callable, run round-robin so that all of them see the same conditions."""
    for run in runs.values():
        run()  # warm-up
    samples: dict[str, list[int]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            gc.collect()
            started = clock()
            run()
            samples[name].append(clock() - started)
    return {name: statistics.median(values) / 1e6 for name, values in samples.items()}


def read_all(result: Schedule) -> None:
    for _ in result.tasks.values():
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 20_000])
    parser.add_argument("--repeat", type=int, default=0, help="runs per measurement (default: 101 small, 15 large)")
    parser.add_argument("--seed", type=int, default=20260601)
    parser.add_argument("--clock", choices=["cpu", "wall"], default="cpu")
    args = parser.parse_args()
    clock = time.process_time_ns if args.clock == "cpu" else time.perf_counter_ns

    rows = []
    for size in args.sizes:
        repeat = args.repeat or (101 if size <= 1000 else 15)
        tasks, links = make_plan(size, args.seed)
        fs_links = fs_only(links)
        graph = fs_graph(tasks, fs_links)
        engine_fs_finish = schedule(tasks, fs_links).finish
        assert engine_fs_finish == nx.dag_longest_path_length(graph), "the two sides disagree"
        result = schedule(tasks, links)
        times = measure(
            {
                "engine": lambda: schedule(tasks, links),  # noqa: B023
                "networkx": lambda: nx.dag_longest_path_length(graph),  # noqa: B023
                "engine_fs": lambda: schedule(tasks, fs_links),  # noqa: B023
                "networkx_build": lambda: nx.dag_longest_path_length(fs_graph(tasks, fs_links)),  # noqa: B023
                "read_all": lambda: read_all(result),  # noqa: B023
            },
            repeat,
            clock,
        )
        rows.append((size, len(links), graph.number_of_edges(), times))

    versions = f"Python {sys.version.split()[0]}, networkx {nx.__version__}, numpy {numpy.__version__}"
    print(f"{versions}; {args.clock} time, medians in ms\n")
    print(f"{'tasks':>7} {'links':>7} {'engine ms':>10} {'networkx ms':>12} {'ratio':>7}")
    for size, link_count, _, t in rows:
        ratio = t["networkx"] / t["engine"]
        print(f"{size:>7} {link_count:>7} {t['engine']:>10.2f} {t['networkx']:>12.2f} {ratio:>6.1f}x")
    print("\nengine: schedule() on the full plan; networkx: dag_longest_path_length() on the prebuilt FS-only graph.")
    print("\nOther figures (ms):")
    print(
        f"{'tasks':>7} {'nx edges':>9} {'networkx build+path':>20} {'ratio':>7} "
        f"{'engine FS-only':>15} {'ratio':>7} {'read all':>9}"
    )
    for size, _, edges, t in rows:
        print(
            f"{size:>7} {edges:>9} {t['networkx_build']:>20.2f} {t['networkx_build'] / t['engine']:>6.1f}x "
            f"{t['engine_fs']:>15.2f} {t['networkx'] / t['engine_fs']:>6.1f}x {t['read_all']:>9.2f}"
        )
    print("(first ratio: networkx build+path / engine; second: networkx path / engine on the FS-only plan)")


if __name__ == "__main__":
    main()
