"""Paired timing of two versions of the engine on the same chunk: is a change faster?

    python benchmarks/compare_kernels.py --rev REV [--rev-b REV_B] [--runs 1000] [--pairs 100]
                                         [--core 0]

Exports the package as of git revision REV (``--rev``) or a source folder (``--src``; the folder
holding ``peninsula/``) into a temporary folder, and starts two worker processes: A imports that
version, B the installed one (or the version of ``--rev-b``: two past versions compared, e.g. a
change against its parent after the model has since changed its numbers). Each builds the
benchmark's baseline chunk (point values, 120 months, no monthly table), checks its outcomes
against the other's (the same scenario and seed must give the same outcome distribution: mean
launches and every rung's reach agree within tolerance), warms up, then times one chunk whenever
asked. The workers run alternately (A B, B A, ...), never together. Single timings on a shared
virtual machine drift by 10-20% within minutes; a drift moves both members of a pair alike, so
the median of the per-pair ratios is good to about 1% with 100 pairs. ``--core`` pins both
workers to one core. Prints the median time per run-month of each and the ratio's median and
quartiles.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
WORKER = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1]) if sys.argv[1] else None
import numpy as np
import peninsula
from peninsula.engine.simulate import simulate_chunk
from peninsula.model.setup import build_setup
sc = peninsula.load_scenario("baseline", ["scenario.sample_parameters=false",
                                          "scenario.horizon_months=120"])
setup = build_setup(sc)
ids = np.arange(int(sys.argv[2]))
res = simulate_chunk(setup, ids, False, False)
simulate_chunk(setup, ids, False, False)
print(json.dumps({"file": peninsula.__file__, "launches": float(res.launches_by_year.mean()),
                  "reached": [int((v < 1 << 30).sum()) for v in res.first_month.values()]}),
      flush=True)
for line in sys.stdin:
    t0 = time.perf_counter()
    simulate_chunk(setup, ids, False, False)
    print(time.perf_counter() - t0, flush=True)
"""


def export(rev: str, folder: Path) -> str:
    """Extract the package of git revision ``rev`` into ``folder``; returns its src folder."""
    folder.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", rev, "src"], cwd=ROOT, check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return str(folder / "src")


def start(src: str, runs: int, core: int | None) -> tuple[subprocess.Popen, dict]:
    cmd = [sys.executable, "-c", WORKER, src, str(runs)]
    if core is not None:
        cmd = ["taskset", "-c", str(core), *cmd]
    env = dict(os.environ, PYTHONPATH="")
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            env=env, cwd=tempfile.gettempdir())
    info = json.loads(proc.stdout.readline())
    return proc, info


def timed(proc: subprocess.Popen) -> float:
    proc.stdin.write("go\n")
    proc.stdin.flush()
    return float(proc.stdout.readline())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--rev", help="git revision whose package is the baseline (A)")
    src.add_argument("--src", type=Path, help="a folder holding a peninsula/ package (A)")
    ap.add_argument("--rev-b", help="git revision whose package is B (default: the installed one)")
    ap.add_argument("--runs", type=int, default=1000, help="runs per timed chunk")
    ap.add_argument("--pairs", type=int, default=100, help="timed pairs")
    ap.add_argument("--core", type=int, default=None, help="pin both workers to this core")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = str(args.src.resolve()) if args.src else export(args.rev, Path(tmp) / "a")
        base_b = export(args.rev_b, Path(tmp) / "b") if args.rev_b else ""
        a, info_a = start(base, args.runs, args.core)
        b, info_b = start(base_b, args.runs, args.core)
        for folder, info, name in ((base, info_a, "A"), (base_b, info_b, "B")):
            if folder and not info["file"].startswith(folder):
                sys.exit(f"worker {name} did not load the version asked for: {info['file']}")
        n = args.runs
        close = abs(info_a["launches"] - info_b["launches"]) <= 0.05 * max(1.0, info_a["launches"])
        near = all(abs(x - y) <= 4.0 * np.sqrt(max(x, y, 1) * (1 - min(x, y) / n)) + 1
                   for x, y in zip(info_a["reached"], info_b["reached"], strict=True))
        if not (close and near):
            sys.exit(f"the two versions give different outcomes: {info_a} vs {info_b}")
        ta, tb = [], []
        for i in range(args.pairs):
            if i % 2:
                tb.append(timed(b))
                ta.append(timed(a))
            else:
                ta.append(timed(a))
                tb.append(timed(b))
        for proc in (a, b):
            proc.stdin.close()
            proc.wait()
    ratios = np.array(tb) / np.array(ta)
    per_rm = 1e9 / (args.runs * 120)
    q25, q50, q75 = np.quantile(ratios, [0.25, 0.5, 0.75])
    print(f"A ({args.rev or args.src}) {np.median(ta) * per_rm:.0f} ns per run-month, "
          f"B ({args.rev_b or 'installed'}) {np.median(tb) * per_rm:.0f} ns; "
          f"B/A median {q50:.3f} (quartiles {q25:.3f}-{q75:.3f}, {args.pairs} pairs)")


if __name__ == "__main__":
    main()
