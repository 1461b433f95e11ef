"""The floor of the kernel: what one run-month must compute, and what that costs here.

    python benchmarks/opcount.py [--runs N]

Runs the kernel and the mechanisms as plain Python (a child process with NUMBA_DISABLE_JIT=1)
on N baseline runs x 120 months with the math module of every package module replaced by a
counter, so every exp, log, log1p, cos, sqrt and pow call of the compiled kernel is counted
exactly. Each function's cost per call is measured in compiled code on this machine (10 million
independent calls), which gives the time one run-month needs for its transcendental functions
alone. The bytes of state and inputs a run-month touches are summed from the kernel's arrays.
The compiled kernel's own time per run-month (10,000 runs, one core) is measured alongside.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from collections import Counter

import numpy as np

import peninsula
from peninsula.engine.kernel import BLOCK_RUNS
from peninsula.engine.simulate import simulate_chunk
from peninsula.model.setup import build_setup

FUNCS = ("exp", "log", "log1p", "cos", "sqrt", "pow")
MONTHS = 120


class CountingMath:
    """Stands in for ``math`` inside the kernel's Python source and counts calls."""

    def __init__(self) -> None:
        self.calls: Counter = Counter()

    def __getattr__(self, name):
        fn = getattr(math, name)
        if name not in FUNCS:
            return fn

        def counted(*args):
            self.calls[name] += 1
            return fn(*args)

        return counted


def count_calls(runs: int) -> Counter:
    """Calls of each function, counted in a child process that runs everything uncompiled."""
    out = subprocess.run([sys.executable, __file__, "--count-in-child", str(runs)], check=True,
                         capture_output=True, text=True,
                         env=dict(os.environ, NUMBA_DISABLE_JIT="1"))
    return Counter(json.loads(out.stdout))


def _count_here(runs: int) -> dict:
    setup = build_setup(peninsula.load_scenario(
        "baseline", ["scenario.sample_parameters=false", f"scenario.horizon_months={MONTHS}"]))
    counter = CountingMath()
    for name, module in list(sys.modules.items()):
        if name.startswith("peninsula.") and getattr(module, "math", None) is math:
            module.math = counter
    with np.errstate(over="ignore"):  # SplitMix64 wraps on purpose
        simulate_chunk(setup, np.arange(runs), False, False, kernel="python")
    return dict(counter.calls)


def cost_per_call() -> dict[str, float]:
    """Nanoseconds per call of each C-library function in compiled code (independent calls)."""
    import numba

    sum_map = numba.njit(_sum_map)
    x = np.random.default_rng(0).uniform(0.01, 0.99, 10_000_000)
    out = {}
    for which, name in enumerate(FUNCS):
        sum_map(x[:10], which)
        t0 = time.perf_counter()
        sum_map(x, which)
        out[name] = (time.perf_counter() - t0) / x.size * 1e9
    return out


def _sum_map(a, which):
    s = 0.0
    for i in range(a.size):
        v = a[i]
        if which == 0:
            s += math.exp(v)
        elif which == 1:
            s += math.log(v)
        elif which == 2:
            s += math.log1p(-v)
        elif which == 3:
            s += math.cos(v)
        elif which == 4:
            s += math.sqrt(v)
        else:
            s += math.pow(v, 0.537)
    return s


def state_bytes() -> int:
    """Bytes of per-run state and per-run inputs the kernel reads or writes each month."""
    per_run_state = 8 * (
        6 * 6  # by run, then actor: flow, ratio, gdp_loss, spending, cap, coerced
        + 5 * 6  # by actor, then run: arms (this month's and next), posture, power share,
        # reciprocal reference threat
        + 4 * 36  # by entry, then run: trust, threat, belief log-odds and anchors
        + 6 + 2 * 2 + 14  # evidence by category, CHN/RUS threat from the allies (and its
        # reference), event counts
        + 36  # beliefs without evidence that still move (listed per run; none after month 1)
        + 25  # scalar state and this month's values (tension, level, talks, ...)
        + 29  # per-run constants (monthly rates, reciprocals, parameter copies)
    )
    per_run_inputs = 8 * (90 + 6 + 6 + 36 + 1 + 1)  # parameters, Theta refs, anchors, key
    return per_run_state + per_run_inputs


def engine_ns_per_run_month(runs: int = 10_000) -> float:
    setup = build_setup(peninsula.load_scenario("baseline", ["scenario.sample_parameters=false"]))
    args = (setup, np.arange(runs), False, False)
    simulate_chunk(*args)
    best = min(_timed(simulate_chunk, args) for _ in range(5))
    return best / (runs * MONTHS) * 1e9


def _timed(fn, args) -> float:
    t0 = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--runs", type=int, default=8)
    ap.add_argument("--count-in-child", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.count_in_child is not None:
        print(json.dumps(_count_here(args.count_in_child)))
        return
    calls = count_calls(args.runs)
    run_months = args.runs * MONTHS
    ns = cost_per_call()
    print(f"Transcendental calls per run-month (baseline, {args.runs} runs x {MONTHS} months)")
    print(f"{'function':>9} {'calls/run-month':>16} {'ns/call':>8} {'ns/run-month':>13}")
    total = 0.0
    for name in FUNCS:
        per = calls[name] / run_months
        total += per * ns[name]
        print(f"{name:>9} {per:>16.2f} {ns[name]:>8.1f} {per * ns[name]:>13.0f}")
    n_calls = sum(calls[f] for f in FUNCS) / run_months
    print(f"{'all':>9} {n_calls:>16.2f} {'':>8} {total:>13.0f}")
    engine = engine_ns_per_run_month()
    b = state_bytes()
    print(f"\nState and inputs touched per run-month: {b:,} bytes; a block of "
          f"{BLOCK_RUNS} runs holds {b * BLOCK_RUNS / 2**10:,.0f} KiB (stays in cache)")
    print(f"Compiled kernel: {engine:.0f} ns per run-month on one core "
          f"({1e9 / engine:,.0f} run-months/s); C-library functions alone: {total:.0f} ns "
          f"({total / engine:.0%} of it)")


if __name__ == "__main__":
    main()
