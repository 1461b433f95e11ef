"""The floor of the fused step: what one run-month must compute, and what that costs here.

    python benchmarks/opcount.py [--runs N]

Runs the fused kernel's own Python source (engine/fused.py, uncompiled) on N baseline runs x
120 months with the math module replaced by a counter, so every exp, log, log1p, cos, sqrt and
pow call of the compiled step is counted exactly. Each function's cost per call is measured in
compiled code on this machine (10 million independent calls), which gives the time one
run-month needs for its transcendental functions alone; these must stay the C library's
functions for results to equal the NumPy step's bit for bit. The bytes of state and inputs a
run-month touches are summed from the kernel's arrays, against the measured copy bandwidth.
The compiled step's own time per run-month (10,000 runs, one core) is measured alongside.
"""

from __future__ import annotations

import argparse
import math
import time
from collections import Counter

import numpy as np

import peninsula
from peninsula.engine import fused
from peninsula.engine.random import RunStreams
from peninsula.engine.simulate import MONTHLY_VARS, sample_parameters
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
    setup = build_setup(peninsula.load_scenario(
        "baseline", ["scenario.sample_parameters=false", f"scenario.horizon_months={MONTHS}"]))
    ids = np.arange(runs)
    streams = RunStreams(setup.seed, ids)
    values = sample_parameters(setup, streams)
    counter = CountingMath()
    helpers = ("_mix", "_uniform", "_poisson", "_expit", "_clip", "_prob", "_settled",
               "_prob_lower_bound", "_below_prob", "_exp_bound", "_radius_bound")
    saved = {name: getattr(fused, name) for name in (*helpers, "math", "_records",
                                                      "_param_records")}
    try:
        fused.math = counter
        # plain Python reads record fields by attribute only from a recarray
        fused._records = lambda *a: saved["_records"](*a).view(np.recarray)
        fused._param_records = lambda a: saved["_param_records"](a).view(np.recarray)
        for name in helpers:
            setattr(fused, name, getattr(saved[name], "py_func", saved[name]))
        kernel = getattr(fused._kernel, "py_func", fused._kernel)
        with np.errstate(over="ignore"):  # SplitMix64 wraps on purpose
            fused.simulate_fused(setup, ids, streams.keys, values, False, False,
                                 len(MONTHLY_VARS), kernel=kernel)
    finally:
        for name, obj in saved.items():
            setattr(fused, name, obj)
    return counter.calls


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
    ids = np.arange(runs)
    streams = RunStreams(setup.seed, ids)
    values = sample_parameters(setup, streams)
    args = (setup, ids, streams.keys, values, False, False, len(MONTHLY_VARS))
    fused.simulate_fused(*args)
    best = min(_timed(fused.simulate_fused, args) for _ in range(5))
    return best / (runs * MONTHS) * 1e9


def _timed(fn, args) -> float:
    t0 = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--runs", type=int, default=8)
    args = ap.parse_args()
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
          f"{fused.BLOCK_RUNS} runs holds {b * fused.BLOCK_RUNS / 2**10:,.0f} KiB (stays in cache)")
    print(f"Compiled step: {engine:.0f} ns per run-month on one core "
          f"({1e9 / engine:,.0f} run-months/s); C-library functions alone: {total:.0f} ns "
          f"({total / engine:.0%} of it)")


if __name__ == "__main__":
    main()
