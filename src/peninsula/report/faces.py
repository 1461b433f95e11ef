"""The measured tables of docs/faces.md (both faces, the four strategies), from fresh ensembles.

Run: python -m peninsula.report.faces [--runs N] [--seed S] [--write docs/faces.md]

Without --write the tables are printed. With it, each table replaces the text between its
marker comments in the file (``<!-- faces:NAME:begin -->`` and ``<!-- faces:NAME:end -->``),
so the prose around the tables is kept and only the measured numbers change. Every row is an
ensemble of N runs (default 10,000) with the same seed, so the arms of a comparison share their
random numbers and run ids (common random numbers); the strategy effects under sampled
parameters are paired per-run differences on those common runs.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np

from peninsula.analysis.metrics import paired_difference, per_run_at, shared_draws
from peninsula.api import Ensemble, run
from peninsula.scenario.loader import load_scenario

STRATEGIES = ("open_communication", "flexible_diplomacy", "multilateral_engagement",
              "strategic_clarity")
FACE_LEVELS = (0.5, 1.2, 2.0)  # exercise_intensity of the two-faces table
BEST_LEVELS = (0.0, 0.5, 1.0, 1.5, 2.0)  # exercise_intensity of the best-level table
HORIZON_YEARS = 10
POINT = "scenario.sample_parameters=false"
DEFAULT_RUNS, DEFAULT_SEED = 10_000, 11


def _ensemble(name: str, overrides: list[str], runs: int, seed: int) -> Ensemble:
    return run(load_scenario(name, overrides), runs=runs, seed=seed, record_monthly=False,
               record_events=False)


def _all(value: float) -> list[str]:
    return [f"levers.{lever}={value:g}" for lever in STRATEGIES]


def two_faces_table(runs: int, seed: int) -> str:
    """Both faces: P(clash), P(war) with its interval, launches, alignment, KSI by drill level."""
    lines = [f"Measured: {runs:,} runs each, seed {seed}.", "",
             "| face | exercise_intensity | P(clash) % | P(war) % [90% CI] | launches/yr "
             "| CN-RU alignment | KSI |", "|---|---|---|---|---|---|---|"]
    for face in ("deterrence", "spiral"):
        for e in FACE_LEVELS:
            s = _ensemble(f"{face}-dominates", [f"levers.exercise_intensity={e}"], runs,
                          seed).summary()
            lo, hi = s["intervals_90"]["p_war"]["10"]
            lines.append(f"| {face} | {e} | {100 * s['p_clash']['10']:.1f} | "
                         f"{100 * s['p_war']['10']:.2f} [{100 * lo:.2f}-{100 * hi:.2f}] | "
                         f"{s['dprk_launches_per_year']['mean']:.1f} | "
                         f"{s['alignment_china_russia']['mean']:.2f} | "
                         f"{s['stability_index']['mean']:.1f} |")
    return "\n".join(lines)


def strategies_point_table(runs: int, seed: int) -> str:
    """Each strategy lever at 0 and 1 on the baseline with point parameter values."""
    lines = [f"Measured: {runs:,} runs each, seed {seed}, point parameter values.", "",
             "| strategy lever | value | P(clash) % | P(war) % | launches/yr | CN-RU alignment "
             "| denuclearisation | KSI |", "|---|---|---|---|---|---|---|---|"]
    for lever in STRATEGIES:
        for v in (0, 1):
            s = _ensemble("baseline", [POINT, f"levers.{lever}={v}"], runs, seed).summary()
            lines.append(f"| {lever} | {v} | {100 * s['p_clash']['10']:.1f} | "
                         f"{100 * s['p_war']['10']:.2f} | "
                         f"{s['dprk_launches_per_year']['mean']:.1f} | "
                         f"{s['alignment_china_russia']['mean']:.2f} | "
                         f"{s['denuclearization_progress']['mean']:.3f} | "
                         f"{s['stability_index']['mean']:.1f} |")
    return "\n".join(lines)


def _effect_cell(on: np.ndarray, off: np.ndarray, scale: float, digits: int,
                 draws: np.ndarray | None = None) -> str:
    mean, lo, hi = paired_difference(on, off, draws)
    return f"{scale * mean:+.{digits}f} [{scale * lo:+.{digits}f}, {scale * hi:+.{digits}f}]"


def strategy_effects_table(runs: int, seed: int) -> str:
    """Each strategy (and all four) on minus off on the baseline with sampled parameters:
    paired per-run differences of war, clash (percentage points) and launches a year by year
    10, with 90% normal intervals."""
    years = HORIZON_YEARS
    lines = [f"Measured: {runs:,} runs each arm, seed {seed}, parameters sampled from their "
             "priors; on minus off, paired per run, mean [90% interval].", "",
             "| strategy | P(war) % off / on | P(war) pp | P(clash) pp | launches/yr |",
             "|---|---|---|---|---|"]
    arms = [(lever, [f"levers.{lever}=0"], [f"levers.{lever}=1"]) for lever in STRATEGIES]
    arms.append(("all four", _all(0), _all(1)))
    for label, off_set, on_set in arms:
        off = _ensemble("baseline", off_set, runs, seed)
        on = _ensemble("baseline", on_set, runs, seed)
        if not np.array_equal(off.result.run_ids, on.result.run_ids):
            raise RuntimeError("the two arms do not share their runs")
        a, b = per_run_at(off.result, years), per_run_at(on.result, years)
        draws = shared_draws(off.result.run_ids, off.setup)
        lines.append(f"| {label} | {100 * a['war'].mean():.2f} / {100 * b['war'].mean():.2f} | "
                     f"{_effect_cell(b['war'], a['war'], 100, 2, draws)} | "
                     f"{_effect_cell(b['clash'], a['clash'], 100, 1, draws)} | "
                     f"{_effect_cell(b['launches_per_year'], a['launches_per_year'], 1, 1, draws)} |")
    return "\n".join(lines)


def best_level_table(runs: int, seed: int) -> str:
    """KSI (mean) / P(war, 10 yr) % across drill levels, all four strategies off or on."""
    head = " | ".join(f"{e:g}" for e in BEST_LEVELS)
    lines = [f"Measured: {runs:,} runs each, seed {seed}, point parameter values.", "",
             f"| parameters | strategies | intensity {head} |",
             "|---|---|" + "---|" * len(BEST_LEVELS)]
    for name in ("baseline", "deterrence-dominates"):
        for label, value in (("off", 0), ("on", 1)):
            cells = []
            for e in BEST_LEVELS:
                s = _ensemble(name, [POINT, f"levers.exercise_intensity={e}", *_all(value)],
                              runs, seed).summary()
                cells.append(f"{s['stability_index']['mean']:.1f} / "
                             f"{100 * s['p_war']['10']:.2f}")
            lines.append(f"| {name} | {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


TABLES: dict[str, Callable[[int, int], str]] = {
    "two-faces": two_faces_table,
    "strategies-point": strategies_point_table,
    "strategy-effects": strategy_effects_table,
    "best-level": best_level_table,
}


def markers(name: str) -> tuple[str, str]:
    """The comments that enclose table ``name`` in the document."""
    return f"<!-- faces:{name}:begin -->", f"<!-- faces:{name}:end -->"


def replace_table(text: str, name: str, body: str) -> str:
    """``text`` with the part between table ``name``'s markers replaced by ``body``."""
    begin, end = markers(name)
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        raise ValueError(f"the document has no {begin} ... {end} markers")
    return pattern.sub(lambda _: f"{begin}\n{body}\n{end}", text, count=1)


def write_tables(path: Path, tables: dict[str, str]) -> None:
    """Replace each table between its markers in the file at ``path``."""
    text = path.read_text(encoding="utf-8")
    for name, body in tables.items():
        text = replace_table(text, name, body)
    path.write_text(text, encoding="utf-8")


def measure(runs: int, seed: int) -> dict[str, str]:
    """Every table of the page, measured."""
    return {name: build(runs, seed) for name, build in TABLES.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m peninsula.report.faces",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS, help="runs per ensemble")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="root seed")
    parser.add_argument("--write", type=Path, default=None,
                        help="write the tables into this file between its markers")
    args = parser.parse_args(argv)
    tables = measure(args.runs, args.seed)
    if args.write is None:
        print("\n\n".join(tables.values()))
    else:
        write_tables(args.write, tables)
        print(f"wrote {args.write}")


if __name__ == "__main__":
    main()
