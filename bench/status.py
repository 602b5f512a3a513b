"""Benchmark the status run (projects.status, docs/specs/one-schedule.md §1) against the plain engine.

Run: ``.venv/bin/python bench/status.py`` (options: ``--repeat N``, ``--sizes 300 2000``, ``--seed S``).

The plans are bench/cpm.py's seeded, layered plans (all four link types, lags, milestones, about 2 % of the
links touching a summary). Progress is recorded as a project half-way through would have it: with leaves in
topological layer order, the first third is done (actual start at its planned start, finished one day late),
the next sixth is started (10-90 %), the rest not started, and the status point sits just after the last
done task's planned finish.

What is timed (CPU time of this process, median of ``--repeat`` runs, round-robin after one warm-up each):

- **status run**: ``status_run(tasks, links, progress, status_point=...)``: the as-planned run, building the
  status input (summary links expanded to leaves, links into done tasks dropped, parallel pairs merged, the
  anchor and its links), the status run itself and the post-processing (flags, roll-up, critical path).
- **baseline: engine alone**: one ``schedule(tasks, links)`` on the same plan, what every edit paid before.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(BENCH_DIR.parent))

from bench.cpm import make_plan, measure  # noqa: E402
from projects.scheduling import schedule  # noqa: E402
from projects.status import Progress, status_run  # noqa: E402


def make_progress(tasks, links, seed: int) -> tuple[dict, int]:
    planned = schedule(tasks, links)
    summaries = {t.parent for t in tasks if t.parent is not None}
    leaves = sorted((t for t in tasks if t.id not in summaries), key=lambda t: planned.tasks[t.id].es)
    third, sixth = len(leaves) // 3, len(leaves) // 6
    progress = {}
    status_point = 0
    for k, t in enumerate(leaves):
        r = planned.tasks[t.id]
        if k < third:
            progress[t.id] = Progress(100, r.es, r.ef + 1)
            status_point = max(status_point, r.ef + 1)
        elif k < third + sixth and t.duration:
            progress[t.id] = Progress(10 + (k * 37 + seed) % 81, r.es)
    return progress, status_point


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 2000])
    parser.add_argument("--repeat", type=int, default=51)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(f"{'tasks':>6} {'links':>6} {'status run ms':>14} {'engine alone ms':>16} {'ratio':>6}  flagged")
    for size in args.sizes:
        tasks, links = make_plan(size, args.seed)
        progress, status_point = make_progress(tasks, links, args.seed)
        result = status_run(tasks, links, progress, status_point=status_point)
        flagged = sum(1 for r in result.tasks.values() if r.behind or r.start_overdue or r.out_of_sequence)
        times = measure(
            {
                "status": lambda t=tasks, x=links, p=progress, s=status_point: status_run(t, x, p, status_point=s),
                "engine": lambda t=tasks, x=links: schedule(t, x),
            },
            args.repeat,
            time.process_time_ns,
        )
        ratio = times["status"] / times["engine"]
        print(f"{size:>6} {len(links):>6} {times['status']:>14.2f} {times['engine']:>16.2f} {ratio:>6.1f}  {flagged}")


if __name__ == "__main__":
    main()
