"""Paired timing of two versions of the fused step, in one process: is a change faster?

    python benchmarks/compare_kernels.py --rev HEAD~1 [--runs 1000] [--pairs 100]

Loads ``engine/fused.py`` as of git revision REV (or from ``--file PATH``) next to the
installed one, checks that both give the same outcomes on the baseline, then times them
alternately (A B, B A, ...) on the same inputs, one chunk each. Single timings on a shared
virtual machine drift by 10-20% within minutes; a drift moves both members of a pair alike, so
the median of the per-pair ratios is good to about 1% with 100 pairs, where timings of separate
processes need many full runs to see 5%. Pin the process to one core (``taskset -c 0``) for
the steadiest figures. Prints the median time per run-month of each and the ratio's median
and quartiles.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from peninsula.engine import fused as current
from peninsula.engine.random import RunStreams
from peninsula.engine.simulate import MONTHLY_VARS, sample_parameters

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import _setup  # noqa: E402 - the benchmark's baseline setup (point values, 120 months)

ROOT = Path(__file__).resolve().parents[1]
MODULE = "src/peninsula/engine/fused.py"


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # Numba's cache finds the module by name
    spec.loader.exec_module(module)
    return module


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--rev", help="git revision whose engine/fused.py is the baseline (A)")
    src.add_argument("--file", type=Path, help="a fused.py to use as the baseline (A)")
    ap.add_argument("--runs", type=int, default=1000, help="runs per timed chunk")
    ap.add_argument("--pairs", type=int, default=100, help="timed pairs")
    args = ap.parse_args()
    if not current.available():
        sys.exit("compare_kernels needs Numba: pip install 'peninsula[fast]'")
    with tempfile.TemporaryDirectory() as tmp:
        path = args.file
        if args.rev:
            text = subprocess.run(["git", "show", f"{args.rev}:{MODULE}"], cwd=ROOT, check=True,
                                  capture_output=True, text=True).stdout
            path = Path(tmp) / "fused_baseline.py"
            path.write_text(text)
        baseline = _load(path, "peninsula_fused_baseline")
        setup = _setup()
        ids = np.arange(args.runs)
        streams = RunStreams(setup.seed, ids)
        values = sample_parameters(setup, streams)
        inputs = (setup, ids, streams.keys, values, False, False, len(MONTHLY_VARS))
        out_a, out_b = baseline.simulate_fused(*inputs), current.simulate_fused(*inputs)
        same = all(np.array_equal(out_a[4][k], out_b[4][k]) for k in out_a[4]) and all(
            np.array_equal(out_a[0][k], out_b[0][k]) for k in out_a[0])
        if not same:
            sys.exit("the two versions give different outcomes: not a like-for-like comparison")

        def timed(module) -> float:
            t0 = time.perf_counter()
            module.simulate_fused(*inputs)
            return time.perf_counter() - t0

        ta, tb = [], []
        for i in range(args.pairs):
            if i % 2:
                b, a = timed(current), timed(baseline)
            else:
                a, b = timed(baseline), timed(current)
            ta.append(a)
            tb.append(b)
    ratios = np.array(tb) / np.array(ta)
    per_rm = 1e9 / (args.runs * setup.horizon)
    q25, q50, q75 = np.quantile(ratios, [0.25, 0.5, 0.75])
    print(f"A (baseline) {statistics.median(ta) * per_rm:.0f} ns per run-month, "
          f"B (installed) {statistics.median(tb) * per_rm:.0f} ns; "
          f"B/A median {q50:.3f} (quartiles {q25:.3f}-{q75:.3f}, {args.pairs} pairs)")


if __name__ == "__main__":
    main()
