"""The measured tables of docs/faces.md (both faces, the four strategies), from fresh ensembles.

Run: python -m peninsula.report.faces [--runs N] [--seed S] [--write docs/faces.md]

Without --write the tables are printed. With it, each table replaces the text between its
marker comments in the file (``<!-- faces:NAME:begin -->`` and ``<!-- faces:NAME:end -->``),
so the prose around the tables is kept and only the measured numbers change. Every row is an
ensemble of N runs (default 10,000) with the same seed, so the arms of a comparison share their
random numbers and run ids (common random numbers); the strategy effects under sampled
parameters are paired per-run differences on those common runs, and the same pairs give each
strategy's share of parameter draws under which it raises P(war, 10 yr) (one minus
analysis/compare.py ``p_better``, with its normal check and a linear reading on the strategy's
own parameters), beside each of its parameters' prior mass of no benefit (``p_no_benefit``).
Metrics and levers are labelled and formatted by the registry (analysis/registry.py):
probabilities in percent, their differences in percentage points.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from peninsula.analysis import registry as REG
from peninsula.analysis.compare import p_better
from peninsula.analysis.metrics import draw_index, paired_difference, per_run_at, shared_draws
from peninsula.api import Ensemble, run
from peninsula.engine.simulate import parameter_source, runs_per_draw
from peninsula.scenario.loader import load_scenario
from peninsula.scenario.parameters import NAMES, REGISTRY, Param

STRATEGIES = ("open_communication", "flexible_diplomacy", "multilateral_engagement",
              "strategic_clarity")
FACE_LEVELS = (0.5, 1.2, 2.0)  # exercise_intensity of the two-faces table
BEST_LEVELS = (0.0, 0.5, 1.0, 1.5, 2.0)  # exercise_intensity of the best-level table
HORIZON_YEARS = 10
POINT = "scenario.sample_parameters=false"
DEFAULT_RUNS, DEFAULT_SEED = 10_000, 11
ALL_FOUR = "all four"
WAR, CLASH = REG.metric(f"p_war_{HORIZON_YEARS}y"), REG.metric(f"p_clash_{HORIZON_YEARS}y")
LAUNCHES, ALIGNMENT = REG.metric("dprk_launches_per_year"), REG.metric("alignment_china_russia")
DENUCLEARISATION = REG.metric("denuclearization_progress")
STABILITY = REG.metric("stability_index")
EXERCISES = REG.lever("exercise_intensity")


def _ensemble(name: str, overrides: list[str], runs: int, seed: int) -> Ensemble:
    return run(load_scenario(name, overrides), runs=runs, seed=seed, record_monthly=False,
               record_events=False)


def _all(value: float) -> list[str]:
    return [f"levers.{lever}={value:g}" for lever in STRATEGIES]


def head(e: REG.Reported, difference: bool = False) -> str:
    """A column head: the short label with its unit; a probability's cells carry their own
    percent sign, its differences are in percentage points."""
    if e.is_probability and not difference:
        return e.short
    return e.with_unit(short=True, difference=difference)


def strategy_label(label: str) -> str:
    """A strategy lever (or "all four") as the registry words it: 'Open communication'."""
    return label if label == ALL_FOUR else REG.lever(label).label


def _row(cells) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _table_head(heads) -> list[str]:
    return [_row(heads), "|" + "---|" * len(heads)]


def two_faces_table(runs: int, seed: int) -> str:
    """Both faces: P(clash), P(war) with its interval, launches, alignment, stability by drill
    level."""
    h = str(HORIZON_YEARS)
    lines = [f"Measured: {runs:,} runs each, seed {seed}.", "",
             *_table_head(["face", head(EXERCISES), head(CLASH), f"{head(WAR)} [90% interval]",
                           head(LAUNCHES), head(ALIGNMENT), head(STABILITY)])]
    for face in ("deterrence", "spiral"):
        for e in FACE_LEVELS:
            s = _ensemble(f"{face}-dominates", [f"levers.exercise_intensity={e}"], runs,
                          seed).summary()
            lo, hi = s["intervals_90"]["p_war"][h]
            lines.append(_row([face, e, CLASH.format(s["p_clash"][h]),
                               WAR.format_estimate({"mean": s["p_war"][h], "p05": lo,
                                                    "p95": hi}),
                               LAUNCHES.format(s["dprk_launches_per_year"]["mean"]),
                               ALIGNMENT.format(s["alignment_china_russia"]["mean"]),
                               STABILITY.format(s["stability_index"]["mean"])]))
    return "\n".join(lines)


def strategies_point_table(runs: int, seed: int) -> str:
    """Each strategy lever at 0 and 1 on the baseline with point parameter values."""
    h = str(HORIZON_YEARS)
    lines = [f"Measured: {runs:,} runs each, seed {seed}, point parameter values.", "",
             *_table_head(["strategy lever", "value", head(CLASH), head(WAR), head(LAUNCHES),
                           head(ALIGNMENT), head(DENUCLEARISATION), head(STABILITY)])]
    for lever in STRATEGIES:
        for v in (0, 1):
            s = _ensemble("baseline", [POINT, f"levers.{lever}={v}"], runs, seed).summary()
            lines.append(_row([strategy_label(lever), v, CLASH.format(s["p_clash"][h]),
                               WAR.format(s["p_war"][h]),
                               LAUNCHES.format(s["dprk_launches_per_year"]["mean"]),
                               ALIGNMENT.format(s["alignment_china_russia"]["mean"]),
                               DENUCLEARISATION.format(s["denuclearization_progress"]["mean"]),
                               STABILITY.format(s["stability_index"]["mean"])]))
    return "\n".join(lines)


def _effect_cell(e: REG.Reported, on: np.ndarray, off: np.ndarray,
                 draws: np.ndarray | None = None) -> str:
    """A paired difference, mean [90% interval], as the registry formats a difference of
    ``e`` (percentage points for a probability; the unit is in the column's head)."""
    mean, lo, hi = paired_difference(on, off, draws)
    return e.format_estimate({"mean": mean, "p05": lo, "p95": hi}, difference=True, unit=False)


@dataclass(frozen=True)
class StrategyArms:
    """A strategy's two arms (lever at 0, lever at 1) on the same runs of the baseline with
    sampled parameters: per-run outcomes by the horizon, each run's parameter draw and the
    runs' parameter values (the same in both arms)."""

    off: dict[str, np.ndarray]
    on: dict[str, np.ndarray]
    draws: np.ndarray  # each run's parameter draw (metrics.draw_index)
    interval_draws: np.ndarray | None  # the draws for intervals (metrics.shared_draws)
    params: np.ndarray  # runs x parameters, columns as NAMES
    posterior_columns: frozenset[str]  # parameters drawn from the calibrated posterior
    source: str  # where the parameters come from ('posterior', 'prior' or 'point')
    runs_per_draw: int


def _arm_levers(label: str) -> tuple[list[str], list[str]]:
    """The overrides of the two arms of ``label``: one strategy lever, or "all four"."""
    if label == ALL_FOUR:
        return _all(0), _all(1)
    return [f"levers.{label}=0"], [f"levers.{label}=1"]


@cache
def strategy_arms(label: str, runs: int, seed: int) -> StrategyArms:
    """The two arms of strategy ``label`` (or "all four"), run once and shared by the tables."""
    off_set, on_set = _arm_levers(label)
    off = _ensemble("baseline", off_set, runs, seed)
    on = _ensemble("baseline", on_set, runs, seed)
    if not np.array_equal(off.result.run_ids, on.result.run_ids):
        raise RuntimeError("the two arms do not share their runs")
    setup = off.setup
    return StrategyArms(
        off=per_run_at(off.result, HORIZON_YEARS), on=per_run_at(on.result, HORIZON_YEARS),
        draws=draw_index(off.result.run_ids, setup),
        interval_draws=shared_draws(off.result.run_ids, setup),
        params=np.asarray(off.result.params, dtype=float),
        posterior_columns=frozenset(NAMES[j] for j in setup.posterior_columns),
        source=parameter_source(setup), runs_per_draw=runs_per_draw(setup))


def strategy_effects_table(runs: int, seed: int) -> str:
    """Each strategy (and all four) on minus off on the baseline with sampled parameters:
    paired per-run differences of war, clash (percentage points) and launches a year by year
    10, with 90% normal intervals."""
    lines = [f"Measured: {runs:,} runs each arm, seed {seed}, parameters sampled (launch and "
             "ladder parameters from the calibrated posterior, the rest from their priors); "
             "on minus off, paired per run, mean [90% interval].", "",
             *_table_head(["strategy", f"{head(WAR)} off / on", head(WAR, difference=True),
                           head(CLASH, difference=True), head(LAUNCHES, difference=True)])]
    for label in (*STRATEGIES, ALL_FOUR):
        arms = strategy_arms(label, runs, seed)
        a, b, draws = arms.off, arms.on, arms.interval_draws
        lines.append(_row([strategy_label(label),
                           f"{WAR.format(a['war'].mean())} / {WAR.format(b['war'].mean())}",
                           _effect_cell(WAR, b["war"], a["war"], draws),
                           _effect_cell(CLASH, b["clash"], a["clash"], draws),
                           _effect_cell(LAUNCHES, b["launches_per_year"],
                                        a["launches_per_year"], draws)]))
    return "\n".join(lines)


def strategy_parameters(strategy: str) -> tuple[Param, ...]:
    """The parameters that set ``strategy``'s effects, in the parameter table's order."""
    return tuple(p for p in REGISTRY if p.strategy == strategy)


def no_benefit_share(values: np.ndarray, param: Param) -> float:
    """Share of ``values`` of a strategy parameter at which its effect is nil or harmful."""
    if param.null_value is None or param.benefit is None:
        raise ValueError(f"{param.name} sets no strategy effect (no null_value and benefit)")
    no_benefit = values <= param.null_value if param.benefit == "above" else (
        values >= param.null_value)
    return float(np.mean(no_benefit))


def fitted_harm_share(arms: StrategyArms, params: tuple[Param, ...]) -> float:
    """Share of parameter draws whose per-draw mean difference in war (on minus off), fitted
    by least squares on the strategy's own parameters, is above 0: the prior mass of those
    parameters under which a linear reading of the effect harms (NaN with fewer draws than
    coefficients)."""
    _, first, index = np.unique(arms.draws, return_index=True, return_inverse=True)
    diff = arms.on["war"].astype(float) - arms.off["war"].astype(float)
    per_draw = np.bincount(index, weights=diff) / np.bincount(index)
    x = arms.params[first][:, [NAMES.index(p.name) for p in params]]
    x = x[:, x.std(axis=0) > 0]
    design = np.column_stack([np.ones(len(per_draw)), x])
    if len(per_draw) <= design.shape[1]:
        return float("nan")
    coef = np.linalg.lstsq(design, per_draw, rcond=None)[0]
    return float(np.mean(design @ coef > 0))


def _harm_cells(arms: StrategyArms, params: tuple[Param, ...]) -> str:
    """The share of parameter draws under which the lever raises P(war): 1 - p_better, with
    its interval, the draws that show a change, the normal deconvolution's check and the
    linear reading on the strategy's parameters."""
    better = p_better(arms.on["war"], arms.off["war"], arms.draws)
    fitted = f"{fitted_harm_share(arms, params):.2f}"
    if better is None:
        return f"n/a (fewer than two draws change a run) | | | {fitted}"
    seen = better["draws"] - better["ties"]
    return (f"{1 - better['share']:.2f} [{1 - better['p95']:.2f}, {1 - better['p05']:.2f}] | "
            f"{seen:,} of {better['draws']:,} | {1 - better['normal_share']:.2f} | {fitted}")


def strategy_harm_table(runs: int, seed: int) -> str:
    """Per strategy: each of its parameters' prior mass of no benefit (``p_no_benefit``) and
    the share of these runs' draws on that side, then the strategy's share of parameter draws
    under which it raises P(war) by the horizon, from the paired arms of the strategy-effects
    table."""
    first = strategy_arms(STRATEGIES[0], runs, seed)
    heads = np.unique(first.draws, return_index=True)[1]  # one row per parameter draw
    lines = [f"Measured: {runs:,} runs each arm, seed {seed}, {len(heads):,} parameter draws "
             f"of {first.runs_per_draw} runs each (parameters: {first.source}).", "",
             "| strategy | parameter | helps when | prior p_no_benefit | drawn from "
             "| share of these draws with no benefit |", "|---|---|---|---|---|---|"]
    for strategy in STRATEGIES:
        for p in strategy_parameters(strategy):
            side = ">" if p.benefit == "above" else "<"
            source = ("calibrated posterior" if p.name in first.posterior_columns
                      else "prior")
            values = first.params[heads, NAMES.index(p.name)]
            lines.append(f"| {strategy_label(strategy)} | `{p.name}` | {side} {p.null_value:g} | "
                         f"{p.p_no_benefit:.2f} | {source} | "
                         f"{no_benefit_share(values, p):.2f} |")
    lines += ["", *_table_head(["strategy", "parameters", f"share of draws where it raises "
                                f"{WAR.short} [90%]", "draws with a changed run",
                                "normal check", "linear on its parameters"])]
    for label in (*STRATEGIES, ALL_FOUR):
        params = (tuple(p for s in STRATEGIES for p in strategy_parameters(s))
                  if label == ALL_FOUR else strategy_parameters(label))
        cells = _harm_cells(strategy_arms(label, runs, seed), params)
        lines.append(f"| {strategy_label(label)} | {len(params)} | {cells} |")
    return "\n".join(lines)


def best_level_table(runs: int, seed: int) -> str:
    """Stability (mean) / P(war) by the horizon across drill levels, all four strategies off
    or on."""
    lines = [f"Measured: {runs:,} runs each, seed {seed}, point parameter values; each cell "
             f"{head(STABILITY)} / {head(WAR)}.", "",
             *_table_head(["parameters", "strategies",
                           f"{head(EXERCISES)} {BEST_LEVELS[0]:g}",
                           *(f"{e:g}" for e in BEST_LEVELS[1:])])]
    for name in ("baseline", "deterrence-dominates"):
        for label, value in (("off", 0), ("on", 1)):
            cells = []
            for e in BEST_LEVELS:
                s = _ensemble(name, [POINT, f"levers.exercise_intensity={e}", *_all(value)],
                              runs, seed).summary()
                cells.append(f"{STABILITY.format(s['stability_index']['mean'])} / "
                             f"{WAR.format(s['p_war'][str(HORIZON_YEARS)])}")
            lines.append(f"| {name} | {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


TABLES: dict[str, Callable[[int, int], str]] = {
    "two-faces": two_faces_table,
    "strategies-point": strategies_point_table,
    "strategy-effects": strategy_effects_table,
    "strategy-harm": strategy_harm_table,
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
    """Every table of the page, measured (the strategies' arms run once for the tables that
    share them)."""
    try:
        return {name: build(runs, seed) for name, build in TABLES.items()}
    finally:
        strategy_arms.cache_clear()


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
