"""Benchmark the recurrence engine (operations.recurrence) against dateutil's rrule alone, on the same rules.

Run: ``.venv/bin/python bench/recurrence.py`` (options: ``--repeat N``, ``--clock wall``).

The target (issue 15, docs/PERFORMANCE.md): expanding a 5-year daily rule takes at most 50 ms. A series is
always listed through windows of at most 366 days, so "expanding a 5-year daily rule" is, on the engine side:

- **5-year daily, whole life**: ``FREQ=DAILY;UNTIL=<5 years on>`` from 2026-01-01 09:00 America/New_York, every
  visit listed by consecutive 366-day windows from its start to its end (1,826 visits, 5 windows). Each window
  iterates from DTSTART, as the engine always does (INTERVAL and COUNT are counted from there), so this is the
  dearest way to read the whole series.
- **5-year daily, last window**: only the window of the fifth year (365 visits after iterating four years).

The baseline, side by side: **dateutil alone** on the same rule, ``list(rrule(DAILY, dtstart=<aware>,
until=...))`` with each occurrence converted to UTC: one pass, no window, no EXDATE/RDATE, no checks. Also
reported, engine only: the schedule form's weekly rule over one 366-day window, the RFC's "second-to-last weekday
of the month" (BYSETPOS) over 5 years by windows, and the start check (``normalize_local_start``) on a rule that
can never match (30 February), which dateutil alone would search to the year 9999 (about 13 s; not run).

Runs are interleaved after one warm-up each, with ``gc.collect()`` before every run, and each figure is the median
over ``--repeat`` runs. The clock is CPU time of this process by default (steadier on a shared machine).
The engine caches the five-year first-visit search per rule and start; that cache is cleared before every run
so each run pays for it.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

# Run as a script, Python puts bench/ first on sys.path, where bench/calendar.py would shadow the standard
# library's calendar module. Look in the project root instead.
BENCH_DIR = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(BENCH_DIR.parent))

import dateutil  # noqa: E402
from dateutil import rrule as du  # noqa: E402

from operations import recurrence  # noqa: E402
from operations.recurrence import (  # noqa: E402
    MAX_WINDOW,
    EmptySeriesError,
    RecurrenceRule,
    expand_occurrences,
    local_to_utc,
    normalize_local_start,
    parse_rrule,
    resolve_zone,
)

TZ = "America/New_York"
START = datetime(2026, 1, 1, 9, 0)
FIVE_YEARS_END = datetime(2030, 12, 31, 23, 59, 59)
DURATION = timedelta(hours=2)


def by_windows(rule: RecurrenceRule, local_start: datetime, end: datetime) -> int:
    """List every visit from the start to ``end`` through consecutive windows of at most 366 days."""
    low, high = local_to_utc(local_start, TZ), local_to_utc(end, TZ)
    total = 0
    while low < high:
        upper = min(low + MAX_WINDOW, high)
        total += len(expand_occurrences(rule, local_start, TZ, low, upper, duration=DURATION))
        low = upper
    return total


def dateutil_alone(end: datetime) -> int:
    zone = resolve_zone(TZ)
    rule = du.rrule(du.DAILY, dtstart=START.replace(tzinfo=zone), until=end.replace(tzinfo=zone))
    return len([occurrence.astimezone(UTC) for occurrence in rule])


def fresh(run: Callable[[], object]) -> Callable[[], object]:
    def call() -> object:
        recurrence._first_visit_soon.cache_clear()
        return run()

    return call


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


def never_matches() -> None:
    try:
        normalize_local_start(parse_rrule("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"), START, TZ)
    except EmptySeriesError:
        return
    raise AssertionError("30 February matched")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=31)
    parser.add_argument("--clock", choices=["cpu", "wall"], default="cpu")
    args = parser.parse_args()
    clock = time.process_time_ns if args.clock == "cpu" else time.perf_counter_ns

    until = local_to_utc(FIVE_YEARS_END, TZ).strftime("%Y%m%dT%H%M%SZ")
    daily = parse_rrule(f"FREQ=DAILY;UNTIL={until}")
    weekly = parse_rrule("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH")
    setpos = parse_rrule(f"FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2;UNTIL={until}")
    fifth_low = local_to_utc(datetime(2030, 1, 1), TZ)
    fifth_high = local_to_utc(datetime(2031, 1, 1), TZ)

    visits = by_windows(daily, START, FIVE_YEARS_END)
    assert visits == dateutil_alone(FIVE_YEARS_END) == 1826, visits
    times = measure(
        {
            "daily_life": fresh(lambda: by_windows(daily, START, FIVE_YEARS_END)),
            "dateutil": lambda: dateutil_alone(FIVE_YEARS_END),
            "daily_last": fresh(lambda: expand_occurrences(daily, START, TZ, fifth_low, fifth_high, duration=DURATION)),
            "weekly_year": fresh(
                lambda: expand_occurrences(
                    weekly, datetime(2026, 1, 6, 9, 0), TZ, fifth_low, fifth_low + MAX_WINDOW, duration=DURATION
                )
            ),
            "setpos_life": fresh(lambda: by_windows(setpos, datetime(2026, 1, 29, 9, 0), FIVE_YEARS_END)),
            "never": fresh(never_matches),
        },
        args.repeat,
        clock,
    )

    print(
        f"Python {sys.version.split()[0]}, python-dateutil {dateutil.__version__}; {args.clock} time, medians in ms\n"
    )
    print(f"{'rule':<46} {'visits':>7} {'engine ms':>10} {'dateutil ms':>12} {'ratio':>7}")
    ratio = times["daily_life"] / times["dateutil"]
    print(f"{'5-year daily, whole life (5 windows)':<46} {visits:>7} {times['daily_life']:>10.2f} "
          f"{times['dateutil']:>12.2f} {ratio:>6.1f}x")  # fmt: skip
    print("\nengine: expand_occurrences() window by window; dateutil: one list(rrule) with UTC conversion.")
    print("\nEngine only (ms):")
    for name, label in (
        ("daily_last", "5-year daily, last window only"),
        ("weekly_year", "every 2 weeks on TU,TH, one 366-day window (5th year)"),
        ("setpos_life", "second-to-last weekday, 5 years by windows"),
        ("never", "start check of a rule that never matches"),
    ):
        print(f"{label:<56} {times[name]:>8.2f}")
    target = "met" if times["daily_life"] <= 50 else "MISSED"
    print(f"\nTarget 5-year daily <= 50 ms: {target}")


if __name__ == "__main__":
    main()
