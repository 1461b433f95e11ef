"""Benchmark: Peninsula's engine against a per-agent Mesa reference of the same model.

    python benchmarks/run.py [--quick] [--json] [--repeats N] [--min-seconds S]

Each measurement runs in a fresh process (clean peak memory), after a warm-up run in that
process; the median of the repetitions is quoted, as in Mesa's own benchmarks folder. Short
measurements are repeated until they add up to --min-seconds (at most 15 times), so that a
second of machine noise cannot decide their median, and at each size the kinds' repetitions are
interleaved in time, so a drift of the machine's speed cannot decide a ratio. All sides
run the baseline scenario with the same point parameter values, 120 months, on one core:
``engine`` is Peninsula's engine (the compiled kernel), ``reference`` the Mesa model. The
engine keeps aggregate outcomes only (no monthly table), as ``peninsula run`` without ``--out``
does. Ratios are taken at equal size. A second
table gives the engine with 1 and 2 worker processes at the largest sizes (scaling), and beside
them the summary-only path of ``peninsula run --no-monthly --json`` on 2 workers (``summary``:
the baseline with its sampled parameters, each chunk folded into the summary's statistics and
no run kept) with the peak memory of its parent process.
"""

from __future__ import annotations

import argparse
import json
import math
import os
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
KINDS = ("engine", "reference")
SCALING = {"full": [100_000, 1_000_000], "quick": [10_000]}


def _setup():
    import peninsula
    from peninsula.model.setup import build_setup

    sc = peninsula.load_scenario("baseline", ["scenario.sample_parameters=false",
                                              f"scenario.horizon_months={MONTHS}"])
    return build_setup(sc)


def _summary_setup():
    import peninsula
    from peninsula.model.setup import build_setup

    return build_setup(peninsula.load_scenario("baseline", [f"scenario.horizon_months={MONTHS}"]))


def measure(kind: str, runs: int, workers: int = 1) -> dict:
    """Run inside a child process: warm up, then time ``runs`` x 120 months."""
    setup = _summary_setup() if kind == "summary" else _setup()
    if kind == "summary":
        from peninsula.analysis.metrics import summarize_runs
        from peninsula.engine.executors import make_executor

        pool = make_executor(workers)
        summarize_runs(setup, 50 * workers, chunk_runs=50, executor=pool, workers=workers)
        t0 = time.perf_counter()
        summarize_runs(setup, runs, executor=pool, workers=workers)
        wall = time.perf_counter() - t0
        pool.shutdown()
    elif kind == "engine":
        from peninsula.engine.ensemble import run_chunks
        from peninsula.engine.executors import make_executor

        pool = make_executor(workers)
        run_chunks(setup, 50 * workers, chunk_runs=50, executor=pool, record_monthly=False,
                   record_events=False, compact=True)  # warm-up (and start the workers)
        t0 = time.perf_counter()
        run_chunks(setup, runs, executor=pool, record_monthly=False, record_events=False,
                   compact=True)
        wall = time.perf_counter() - t0
        pool.shutdown()
    else:
        sys.path.insert(0, str(HERE))
        from mesa_reference import run_reference

        from peninsula.engine.random import RunStreams
        from peninsula.engine.simulate import sample_parameters
        from peninsula.scenario.parameters import NAMES

        values = sample_parameters(setup, RunStreams(setup.seed, list(range(runs))))
        rows = [dict(zip(NAMES, row, strict=True)) for row in values]
        run_reference(setup, rows[:5], seed=1)  # warm-up
        t0 = time.perf_counter()
        run_reference(setup, rows, seed=1)
        wall = time.perf_counter() - t0
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0 if workers > 1 else 0.0
    # all processes together, at most: the parent's peak plus each worker's peak
    return {"wall_s": wall, "peak_memory_mb": own + workers * kids if workers > 1 else own,
            "parent_peak_memory_mb": own}


def child(kind: str, runs: int, workers: int = 1) -> dict:
    # the reference runs the model's own functions as plain Python (benchmarks/mesa_reference.py)
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1"} if kind == "reference" else None
    out = subprocess.run([sys.executable, __file__, "--child", kind, str(runs), str(workers)],
                         capture_output=True, text=True, check=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _machine() -> str:
    import os
    import platform

    import numpy

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(line.split(":", 1)[1].strip() for line in fh if "model name" in line)
    except (OSError, StopIteration):
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    try:
        import numba
        nb = numba.__version__
    except ImportError:
        nb = "absent"
    return (f"{os.cpu_count()} CPU ({cpu}), {mem:.0f} GiB; Python {platform.python_version()}, "
            f"NumPy {numpy.__version__}, Numba {nb}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--quick", action="store_true", help="small sizes (under 5 minutes)")
    ap.add_argument("--json", action="store_true", help="print results as JSON")
    ap.add_argument("--repeats", type=int, default=3, help="repetitions at least")
    ap.add_argument("--min-seconds", type=float, default=None,
                    help="repeat a measurement until its runs add up to this (at most 15 "
                         "repetitions); default 10, or 3 with --quick")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(measure(args.child[0], int(args.child[1]), int(args.child[2]))))
        return
    sizes = QUICK if args.quick else FULL

    min_seconds = args.min_seconds if args.min_seconds is not None else (3.0 if args.quick
                                                                         else 10.0)

    def wanted(first_wall: float) -> int:
        # short measurements are repeated until they add up to min_seconds (at most 15), so a
        # burst of machine noise cannot move their median; long ones get --repeats
        return max(args.repeats, min(15, math.ceil(min_seconds / max(first_wall, 1e-3))))

    def report(kind: str, runs: int, workers: int, reps: list[dict]) -> tuple[float, float]:
        wall = statistics.median(r["wall_s"] for r in reps)
        print(f"{kind:9s} {runs:>9,} runs, {workers} worker(s): {wall:8.2f} s "
              f"(median of {len(reps)})", file=sys.stderr)
        return wall, max(r["peak_memory_mb"] for r in reps)

    def timed(kind: str, runs: int, workers: int = 1) -> tuple[float, float]:
        reps = [child(kind, runs, workers)]
        reps += [child(kind, runs, workers) for _ in range(wanted(reps[0]["wall_s"]) - 1)]
        return report(kind, runs, workers, reps)

    def timed_together(kinds: list[str], runs: int) -> dict[str, list[dict]]:
        """Repetitions of several kinds at one size, interleaved in time.

        The machine's speed drifts (other tenants, clocks); measuring the engine only in the
        seconds before the reference's minutes would let a drift decide the ratio. Each kind's
        repetitions are spread evenly over the same rounds instead.
        """
        reps = {kind: [child(kind, runs)] for kind in kinds}
        want = {kind: wanted(reps[kind][0]["wall_s"]) - 1 for kind in kinds}
        rounds = max(want.values(), default=0)
        for i in range(rounds):
            for kind in kinds:  # kind runs in round i when its i-th share of rounds ends there
                if (i + 1) * want[kind] // rounds > i * want[kind] // rounds:
                    reps[kind].append(child(kind, runs))
        return reps

    results: dict[int, dict] = {}
    for runs in sorted({n for kind in KINDS for n in sizes[kind]}):
        kinds = [kind for kind in KINDS if runs in sizes[kind]]
        reps = timed_together(kinds, runs)
        row = results.setdefault(runs, {"runs": runs, "months": MONTHS})
        for kind in kinds:
            wall, peak = report(kind, runs, 1, reps[kind])
            row[f"{kind}_wall_s"] = wall
            row[f"{kind}_run_months_per_s"] = runs * MONTHS / wall
            row[f"{kind}_peak_memory_mb"] = peak
            row[f"{kind}_repetitions_s"] = [r["wall_s"] for r in reps[kind]]
    table = []
    for runs in sorted(results):
        row = results[runs]
        e, r = (row.get(f"{k}_run_months_per_s") for k in KINDS)
        row["ratio"] = e / r if e and r else None
        row["peak_memory_mb"] = row.get("engine_peak_memory_mb")
        table.append(row)
    scaling = []
    for runs in SCALING["quick" if args.quick else "full"]:
        one = results.get(runs, {}).get("engine_wall_s") or timed("engine", runs)[0]
        two, peak = timed("engine", runs, workers=2)
        summary = [child("summary", runs, 2) for _ in range(args.repeats)]
        scaling.append({"runs": runs, "wall_s_1_worker": one, "wall_s_2_workers": two,
                        "speedup": one / two, "efficiency": one / two / 2.0,
                        "peak_memory_mb_2_workers": peak,
                        "summary_wall_s_2_workers": report("summary", runs, 2, summary)[0],
                        "summary_parent_peak_mb": max(r["parent_peak_memory_mb"]
                                                      for r in summary)})
    if args.json:  # one row per size (the original contract), scaling figures added to rows
        machine = _machine()
        by_runs = {row["runs"]: row for row in table}
        for sc in scaling:
            row = by_runs.setdefault(sc["runs"], {"runs": sc["runs"], "months": MONTHS})
            row.update({f"scaling_{k}": v for k, v in sc.items() if k != "runs"})
        for row in by_runs.values():
            row["machine"] = machine
        print(json.dumps([by_runs[k] for k in sorted(by_runs)], indent=2))
        return

    def f(row, key, fmt):
        v = row.get(key)
        return format(v, fmt) if v is not None else "-"

    print(f"Machine: {_machine()}; one core unless said; medians of at least {args.repeats} "
          f"repetitions (more for short ones, up to {min_seconds:g} s in all)")
    print(f"{'runs':>10} {'engine run-months/s':>20} "
          f"{'reference r-m/s':>16} {'ratio':>7} {'engine wall s':>14} {'engine peak MB':>15} "
          f"{'ref peak MB':>12}")
    for row in table:
        print(f"{row['runs']:>10,} {f(row, 'engine_run_months_per_s', ',.0f'):>20} "
              f"{f(row, 'reference_run_months_per_s', ',.0f'):>16} {f(row, 'ratio', '.1f'):>7} "
              f"{f(row, 'engine_wall_s', '.2f'):>14} "
              f"{f(row, 'engine_peak_memory_mb', '.0f'):>15} "
              f"{f(row, 'reference_peak_memory_mb', '.0f'):>12}")
    print(f"\n{'runs':>10} {'1 worker s':>11} {'2 workers s':>12} {'speed-up':>9} "
          f"{'efficiency':>11} {'peak MB (2)':>12} {'summary s (2)':>14} "
          f"{'summary parent MB':>18}")
    for row in scaling:
        print(f"{row['runs']:>10,} {row['wall_s_1_worker']:>11.2f} {row['wall_s_2_workers']:>12.2f} "
              f"{row['speedup']:>9.2f} {row['efficiency']:>11.0%} "
              f"{row['peak_memory_mb_2_workers']:>12.0f} "
              f"{row['summary_wall_s_2_workers']:>14.2f} {row['summary_parent_peak_mb']:>18.0f}")


if __name__ == "__main__":
    main()
