"""Benchmark: how long a person waits. Start-up of the command line, the first ensemble after
import, and the dashboard's Explore view.

    python benchmarks/latency.py [--repeats N] [--runs R] [--json]

Every measurement runs in a fresh process, so nothing is cached in memory; the compiled kernel's
on-disk cache is whatever the installation left (`make setup` warms it). The reference is the
bare interpreter's start-up (`python -c pass`) in the same run, and each row gives its ratio to
it. Medians of --repeats processes.

Rows:
- ``peninsula --help``: the command line's start-up (no numerical stack is imported for it).
- ``import peninsula.api``: the numerical stack and the compiled mechanisms loaded.
- ``first api.run``: import, then one ensemble of R runs (120 months, no monthly table): what
  the first `peninsula run` waits, compile or cache load included.
- ``Explore view``: the calls of the dashboard's Explore view for R runs (one ensemble with its
  monthly state for the summary and the fan charts, then the drivers: the channels' ensembles,
  reusing that ensemble as their ``full`` one, on the dashboard's threads), timed after a
  first view in the same process, as a user who moves a lever waits.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

EXPLORE = """
import time
from peninsula import api
from peninsula.app.state import DRIVER_MECHANISMS, drivers_execution
sc = api.scenario_for("baseline", runs={runs}, seed=1)
def view(s):  # the Explore view's calls (app/dashboard.py explore_result, drivers_result)
    ens = api.run(s, record_monthly=True, record_events=False)
    api.fan_of(ens); ens.summary(); ens.outcomes()
    api.explain(s, s.runs, mechanisms=DRIVER_MECHANISMS, full=ens, execution=drivers_execution())
view(sc)
moved = sc.with_levers(exercise_intensity=1.5)
t = time.perf_counter(); view(moved); print(time.perf_counter() - t)
"""


FIRST_RUN = """
import time
t = time.perf_counter()
from peninsula import api
api.run(api.scenario_for("baseline", runs={runs}, seed=1), record_monthly=False,
        record_events=False)
print(time.perf_counter() - t)
"""
IMPORT_API = """
import time
t = time.perf_counter()
import peninsula.api
print(time.perf_counter() - t)
"""


def wall(args: list[str]) -> float:
    """Seconds a process takes from start to exit."""
    t = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True)
    return time.perf_counter() - t


def inner(code: str) -> float:
    """Seconds a script measures itself (its last printed line)."""
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--runs", type=int, default=2000)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    cli = [sys.executable, "-m", "peninsula.cli", "--help"]
    rows = {
        "python -c pass (reference)": lambda: wall([sys.executable, "-c", "pass"]),
        "peninsula --help": lambda: wall(cli),
        "import peninsula.api": lambda: inner(IMPORT_API),
        f"first api.run ({a.runs:,} runs)": lambda: inner(FIRST_RUN.format(runs=a.runs)),
        f"Explore view ({a.runs:,} runs, after the first)":
            lambda: inner(EXPLORE.format(runs=a.runs)),
    }
    result = {name: statistics.median(f() for _ in range(a.repeats)) for name, f in rows.items()}
    ref = result["python -c pass (reference)"]
    if a.json:
        print(json.dumps({"seconds": result, "reference_seconds": ref}, indent=2))
        return
    print(f"{'what':<48} {'median s':>9} {'x python start':>15}")
    for name, sec in result.items():
        print(f"{name:<48} {sec:>9.3f} {sec / ref:>15.1f}")


if __name__ == "__main__":
    main()
