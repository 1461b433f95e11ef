"""Benchmark: Peninsula's array engine against a per-agent Mesa reference of the same model.

    python benchmarks/run.py [--quick] [--json] [--repeats N]

Each measurement runs in a fresh process (clean peak memory), after a warm-up run in that
process; the median of the repetitions is quoted, as in Mesa's own benchmarks folder. Both sides
run the baseline scenario with the same point parameter values, 120 months; the engine keeps
aggregate outcomes only (no monthly table). The ratio is taken at equal size.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
MONTHS = 120
FULL = {"engine": [100, 1_000, 10_000, 100_000, 1_000_000], "reference": [100, 1_000, 10_000]}
QUICK = {"engine": [100, 1_000, 10_000], "reference": [100, 1_000]}


def _setup():
    import peninsula
    from peninsula.model.setup import build_setup

    sc = peninsula.load_scenario("baseline", ["scenario.sample_parameters=false",
                                              f"scenario.horizon_months={MONTHS}"])
    return build_setup(sc)


def measure(kind: str, runs: int) -> dict:
    """Run inside a child process: warm up, then time ``runs`` x 120 months."""
    setup = _setup()
    if kind == "engine":
        from peninsula.engine.ensemble import run_chunks

        run_chunks(setup, 50, record_monthly=False, record_events=False)  # warm-up
        t0 = time.perf_counter()
        run_chunks(setup, runs, record_monthly=False, record_events=False)
        wall = time.perf_counter() - t0
    else:
        sys.path.insert(0, str(HERE))
        from mesa_reference import run_reference

        from peninsula.engine.random import RunStreams
        from peninsula.engine.simulate import sample_parameters
        from peninsula.model.parameters import NAMES

        values = sample_parameters(setup, RunStreams(setup.seed, list(range(runs))))
        rows = [dict(zip(NAMES, row, strict=True)) for row in values]
        run_reference(setup, rows[:5], seed=1)  # warm-up
        t0 = time.perf_counter()
        run_reference(setup, rows, seed=1)
        wall = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return {"wall_s": wall, "peak_memory_mb": peak_mb}


def child(kind: str, runs: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", kind, str(runs)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--quick", action="store_true", help="small sizes (under 5 minutes)")
    ap.add_argument("--json", action="store_true", help="print results as JSON")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(measure(args.child[0], int(args.child[1]))))
        return
    sizes = QUICK if args.quick else FULL
    results: dict[int, dict] = {}
    for kind in ("engine", "reference"):
        for runs in sizes[kind]:
            reps = [child(kind, runs) for _ in range(args.repeats)]
            wall = statistics.median(r["wall_s"] for r in reps)
            row = results.setdefault(runs, {"runs": runs, "months": MONTHS})
            row[f"{kind}_wall_s"] = wall
            row[f"{kind}_run_months_per_s"] = runs * MONTHS / wall
            row[f"{kind}_peak_memory_mb"] = max(r["peak_memory_mb"] for r in reps)
            print(f"{kind:9s} {runs:>9,} runs: {wall:8.2f} s (median of {args.repeats})",
                  file=sys.stderr)
    table = []
    for runs in sorted(results):
        row = results[runs]
        e, r = row.get("engine_run_months_per_s"), row.get("reference_run_months_per_s")
        row["ratio"] = e / r if e and r else None
        row["peak_memory_mb"] = row.get("engine_peak_memory_mb")
        table.append(row)
    if args.json:
        print(json.dumps(table, indent=2))
        return
    print(f"{'runs':>10} {'engine run-months/s':>20} {'reference run-months/s':>23} "
          f"{'ratio':>8} {'engine wall s':>14} {'engine peak MB':>15} {'ref peak MB':>12}")
    def f(row, key, fmt):
        v = row.get(key)
        return format(v, fmt) if v is not None else "-"

    for row in table:
        print(f"{row['runs']:>10,} {f(row, 'engine_run_months_per_s', ',.0f'):>20} "
              f"{f(row, 'reference_run_months_per_s', ',.0f'):>23} {f(row, 'ratio', '.1f'):>8} "
              f"{f(row, 'engine_wall_s', '.2f'):>14} "
              f"{f(row, 'engine_peak_memory_mb', '.0f'):>15} "
              f"{f(row, 'reference_peak_memory_mb', '.0f'):>12}")


if __name__ == "__main__":
    main()
