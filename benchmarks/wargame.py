"""Benchmark: a scripted wargame from the command line, as an exercise's facilitator waits.

    python benchmarks/wargame.py [--repeats N] [--runs R] [--json]

Each repeat runs, in a fresh process, the example game of four 3-month turns with one inject
(``peninsula play --print-script``) on the baseline with R futures per branch (500 by default),
seed 3, into a temporary folder: every turn's branches (levers held and the move), the actual
future, the files and the debrief (the counterfactuals and the pivotal turns' channel splits).
Then the replay of that game. Medians of --repeats processes; the compiled kernel's on-disk
cache is whatever the installation left. The target is under 60 s for the game.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "peninsula.cli", *args], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--json", action="store_true")
    a = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "moves.toml"
        script.write_text(subprocess.run(
            [sys.executable, "-m", "peninsula.cli", "play", "--print-script"], check=True,
            capture_output=True, text=True).stdout)
        game, replay = [], []
        for i in range(a.repeats):
            out = Path(tmp) / f"G{i}"
            game.append(timed(["play", "baseline", "--script", str(script), "--runs",
                               str(a.runs), "--seed", "3", "--out", str(out)]))
            replay.append(timed(["play", "--replay", str(out / "replay.json"), "--out",
                                 str(Path(tmp) / f"R{i}")]))
    rows = {"play (script)": statistics.median(game), "play --replay": statistics.median(replay)}
    if a.json:
        print(json.dumps({"runs": a.runs, "seconds": rows}))
        return
    for name, seconds in rows.items():
        print(f"{name:<16} {seconds:6.1f} s  (median of {a.repeats}, {a.runs} futures a branch)")


if __name__ == "__main__":
    main()
