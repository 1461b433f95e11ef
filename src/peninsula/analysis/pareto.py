"""Robust many-objective policy search: the Pareto front of lever settings across the uncertainty.

Where ``optimize`` (analysis/optimize.py) finds the best setting of one metric, this search
keeps several objectives apart (e.g. P(war), launches a year, the allies' deterrence
credibility, GDP loss) and returns the settings no other evaluated setting beats on every one
of them: the non-dominated set, from which a reader picks a trade-off.

Each candidate setting of the levers is an ensemble of ``scenario.runs`` runs with the
parameters drawn from their declared ranges (the uncertainty ensemble), and every candidate
runs the same run ids with the same seed (common random numbers: run i draws the same
uncertainties and noise under any levers), so candidates are compared state of the world by
state of the world. Per run, a probability metric is the run's 0/1 indicator (did it reach the
rung by the horizon?) and a mean metric its value at the final horizon. Each objective's
per-run values are reduced to one number by a robustness measure (Kasprzyk et al. 2013;
McPhail et al. 2018):

- ``mean``: the expected value over the ensemble (for a probability, the probability itself);
  its direction is the metric's (credibility, stability, denuclearisation and cohesion are
  maximised, the rest minimised).
- ``regret``: for run i, the candidate's outcome minus the best outcome any evaluated
  candidate reached on run i (in the metric's worse direction, so regret >= 0), summarised by
  its 90th percentile across runs (a regret the candidate stays under in 90% of the states of
  the world); minimised. For a probability the per-run regret is 0 or 1, whose upper
  percentiles cannot rank candidates, so its mean is used (the share of runs in which the
  candidate reached the rung while another candidate avoided it). The reference is every
  candidate evaluated so far, so a generation's parents are re-scored before each selection
  and the final front is scored against all evaluations.
- ``satisficing``: the share of runs meeting a threshold (``p_war_10y<=0`` for a probability:
  the run did not reach war; ``dprk_launches_per_year<=20`` for a mean metric); maximised.

The search is NSGA-II (Deb et al. 2002: non-dominated sorting with crowding distance) for two
or three objectives and NSGA-III (Deb & Jain 2014: non-dominated sorting with Das-Dennis
reference directions, which keep the front spread where crowding distance fades) from four,
both from pymoo (Blank & Deb 2020) with a fixed seed and a budget of generations. A
generation's population is evaluated at once as a sweep (analysis/sweep.py), so it runs on any
executor; with ``out_dir`` each generation is a sweep folder with its per-run outcomes, and an
interrupted search resumes from its last finished generation (an unfinished one runs again).
The front reported is the non-dominated set of all evaluated candidates.

Deb K, Pratap A, Agarwal S, Meyarivan T (2002) A fast and elitist multiobjective genetic
algorithm: NSGA-II. IEEE Trans Evol Comput 6(2):182-197.
Deb K, Jain H (2014) An evolutionary many-objective optimization algorithm using
reference-point-based nondominated sorting approach, part I. IEEE Trans Evol Comput
18(4):577-601.
Kasprzyk JR, Nataraj S, Reed PM, Lempert RJ (2013) Many objective robust decision making for
complex environmental systems undergoing change. Environ Model Softw 42:55-71.
McPhail C, Maier HR, Kwakkel JH et al. (2018) Robustness metrics: how are they calculated, when
should they be used and why do they give different results? Earth's Future 6:169-191.
Blank J, Deb K (2020) pymoo: multi-objective optimization in Python. IEEE Access 8:89497-89509.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from peninsula.analysis.metrics import PROBABILITIES
from peninsula.analysis.optimize import LeverRange
from peninsula.analysis.sweep import SweepError, metric_names, run_sweep
from peninsula.engine.execution import Execution
from peninsula.io import store
from peninsula.scenario.loader import Scenario

ROBUSTNESS = ("mean", "regret", "satisficing")
MAXIMISED = ("alliance_credibility", "stability_index", "denuclearization_progress", "cohesion")
REGRET_PERCENTILE = 90.0  # judgement: a bad but not the worst state of the world
NSGA3_FROM = 4  # objectives from which NSGA-III replaces NSGA-II
OPERATORS = {"<=": np.less_equal, ">=": np.greater_equal, "<": np.less, ">": np.greater}
SATISFICE = re.compile(r"^\s*([A-Za-z0-9_]+)\s*(<=|>=|<|>)\s*([-+0-9.eE]+)\s*$")
OUTCOMES = "outcomes.parquet"  # per-run outcomes of a finished generation


@dataclass(frozen=True)
class Objective:
    """A metric of the registry, whether more of it is better, and its robustness measure."""

    metric: str
    maximize: bool = False
    robustness: str = "mean"
    threshold: tuple[str, float] | None = None  # satisficing: (operator, value) per run

    @property
    def probability(self) -> bool:
        """Is the per-run value a 0/1 indicator (a probability metric)?"""
        return any(self.metric.startswith(f"{key}_") for key, _ in PROBABILITIES)

    @property
    def maximized(self) -> bool:
        """The direction of the robust value: the metric's for the mean, down for regret,
        up for the satisficing share."""
        return {"mean": self.maximize, "regret": False, "satisficing": True}[self.robustness]

    def describe(self) -> dict:
        """The objective as the result's JSON gives it."""
        statistic = {"mean": "mean over runs",
                     "regret": ("mean regret" if self.probability else
                                f"{REGRET_PERCENTILE:g}th percentile of regret"),
                     "satisficing": f"share of runs with {self.condition()}"}[self.robustness]
        return {"direction": "maximize" if self.maximized else "minimize",
                "robustness": self.robustness, "statistic": statistic,
                "metric_direction": "maximize" if self.maximize else "minimize",
                "threshold": self.condition() if self.threshold else None}

    def condition(self) -> str:
        op, value = self.threshold or ("", math.nan)
        return f"{self.metric}{op}{value:g}"


def parse_objectives(scenario: Scenario, specs: list[str], robustness: str = "mean",
                     satisfice: list[str] | None = None) -> list[Objective]:
    """``["p_war_10y", "alliance_credibility:max"]`` -> Objectives (NAME, NAME:min or NAME:max;
    the direction defaults to the metric's); ``satisfice`` gives thresholds as NAME<=V."""
    if robustness not in ROBUSTNESS:
        raise ValueError(f"--robustness {robustness!r}: one of {', '.join(ROBUSTNESS)}")
    names = metric_names(scenario)
    chosen: dict[str, bool] = {}
    for spec in specs:
        name, _, sense = (s.strip() for s in spec.partition(":"))
        if name not in names:
            raise ValueError(f"--objective {name!r}: not a metric of this scenario; one of "
                             f"{', '.join(names)}")
        if sense not in ("", "max", "min"):
            raise ValueError(f"--objective {spec!r}: expected NAME, NAME:max or NAME:min")
        if name in chosen:
            raise ValueError(f"--objective {name}: given twice")
        chosen[name] = name in MAXIMISED if not sense else sense == "max"
    if len(chosen) < 2:
        raise ValueError("--objective: give two or more objectives (one metric: --metric)")
    thresholds = _thresholds(satisfice or [], chosen, robustness)
    out = []
    for name, maximize in chosen.items():
        threshold = thresholds.get(name)
        if robustness == "satisficing" and threshold is None:
            if not Objective(name).probability:
                raise ValueError(f"--robustness satisficing: give a threshold for {name}, "
                                 f"e.g. --satisfice '{name}{'>=' if maximize else '<='}V'")
            threshold = ("<=", 0.0)  # the run did not reach the rung
        out.append(Objective(name, maximize, robustness, threshold))
    return out


def _thresholds(specs: list[str], chosen: dict[str, bool], robustness: str
                ) -> dict[str, tuple[str, float]]:
    if specs and robustness != "satisficing":
        raise ValueError("--satisfice: thresholds need --robustness satisficing")
    out = {}
    for spec in specs:
        m = SATISFICE.match(spec)
        if m is None:
            raise ValueError(f"--satisfice {spec!r}: expected NAME<=V (or >=, <, >), e.g. "
                             "p_war_10y<=0")
        name, op, value = m.group(1), m.group(2), float(m.group(3))
        if name not in chosen:
            raise ValueError(f"--satisfice {spec!r}: {name} is not an --objective")
        out[name] = (op, value)
    return out


def regret(outcomes: np.ndarray, maximize: bool, percentile: float | None = REGRET_PERCENTILE
           ) -> np.ndarray:
    """Per candidate (rows of ``outcomes``, candidates x runs on common runs): the regret
    against the best candidate of each run, summarised by ``percentile`` (None: the mean)."""
    loss = -np.asarray(outcomes, float) if maximize else np.asarray(outcomes, float)
    r = loss - loss.min(axis=0, keepdims=True)
    return r.mean(axis=1) if percentile is None else np.percentile(r, percentile, axis=1)


def satisficing(outcomes: np.ndarray, op: str, value: float) -> np.ndarray:
    """Per candidate: the share of runs whose outcome meets ``op value``."""
    return OPERATORS[op](np.asarray(outcomes, float), value).mean(axis=1)


def robust_values(outcomes: np.ndarray, objectives: list[Objective]) -> np.ndarray:
    """The robust value of each objective (candidates x objectives) from per-run outcomes
    (candidates x objectives x runs, every candidate on the same runs)."""
    cols = []
    for j, obj in enumerate(objectives):
        v = outcomes[:, j, :]
        if obj.robustness == "mean":
            cols.append(v.mean(axis=1))
        elif obj.robustness == "regret":
            cols.append(regret(v, obj.maximize, None if obj.probability else
                               REGRET_PERCENTILE))
        else:
            cols.append(satisficing(v, *obj.threshold))
    return np.column_stack(cols)


def to_minimise(values: np.ndarray, objectives: list[Objective]) -> np.ndarray:
    """Robust values turned so that every objective is minimised."""
    sign = np.array([-1.0 if o.maximized else 1.0 for o in objectives])
    return values * sign


def non_dominated(f: np.ndarray) -> np.ndarray:
    """Mask of the rows of ``f`` (all objectives minimised) that no other row dominates (no
    worse in every objective and better in one)."""
    f = np.asarray(f, float)
    no_worse = (f[:, None, :] <= f[None, :, :]).all(axis=2)  # [j, i]: j no worse than i
    better = (f[:, None, :] < f[None, :, :]).any(axis=2)
    return ~(no_worse & better).any(axis=0)


def algorithm_for(n_objectives: int, population: int):
    """NSGA-II for two or three objectives; NSGA-III with Das-Dennis reference directions (as
    many as the population holds) from four."""
    if n_objectives < NSGA3_FROM:
        from pymoo.algorithms.moo.nsga2 import NSGA2

        return NSGA2(pop_size=population)
    from pymoo.algorithms.moo.nsga3 import NSGA3
    from pymoo.util.ref_dirs import get_reference_directions

    if population < n_objectives:
        raise ValueError(f"--population {population}: NSGA-III needs at least one setting "
                         f"per objective ({n_objectives})")
    partitions = 1
    while math.comb(partitions + n_objectives, n_objectives - 1) <= population:
        partitions += 1
    directions = get_reference_directions("das-dennis", n_objectives, n_partitions=partitions)
    return NSGA3(ref_dirs=directions, pop_size=population)


@dataclass
class Archive:
    """Every evaluated candidate: settings, generation and per-run outcomes."""

    x: np.ndarray  # (n, levers)
    generation: np.ndarray  # (n,)
    outcomes: np.ndarray  # (n, objectives, runs)


def search(evaluate: Callable[[int, np.ndarray], np.ndarray], low: np.ndarray,
           high: np.ndarray, objectives: list[Objective], *, population: int,
           generations: int, seed: int = 0) -> Archive:
    """Run NSGA-II/III; ``evaluate(generation, X)`` returns the per-run outcomes of the rows
    of X (rows x objectives x runs, on common runs). Returns every evaluation."""
    from pymoo.core.evaluator import Evaluator
    from pymoo.core.problem import Problem
    from pymoo.problems.static import StaticProblem

    low, high = np.asarray(low, float), np.asarray(high, float)
    problem = Problem(n_var=len(low), n_obj=len(objectives), xl=low, xu=high)
    algorithm = algorithm_for(len(objectives), population)
    algorithm.setup(problem, termination=("n_gen", generations), seed=seed, verbose=False)
    xs, gens, outs = [], [], []
    row_of: dict[bytes, int] = {}  # a setting -> its first evaluation (a repeat has the same)
    while algorithm.has_next():
        infills = algorithm.ask()
        x = infills.get("X")
        outs.append(np.asarray(evaluate(len(xs), x), float))
        start = sum(map(len, xs))
        for i, row in enumerate(x):
            row_of.setdefault(row.tobytes(), start + i)
        gens.append(np.full(len(x), len(xs)))
        xs.append(x)
        f = to_minimise(robust_values(np.concatenate(outs), objectives), objectives)
        Evaluator().eval(StaticProblem(problem, F=f[-len(x):]), infills)
        if algorithm.is_initialized:  # parents scored again against the new best of each run
            algorithm.pop.set("F", f[[row_of[r.tobytes()] for r in algorithm.pop.get("X")]])
        algorithm.tell(infills=infills)
    return Archive(np.vstack(xs), np.concatenate(gens), np.concatenate(outs))


def run_pareto(scenario: Scenario, levers: list[LeverRange], objectives: list[Objective], *,
               population: int = 16, generations: int = 6,
               out_dir: str | Path | None = None, resume: bool = False,
               execution: Execution | None = None) -> tuple[dict, pd.DataFrame]:
    """Search the lever box for the robust Pareto front, every generation a sweep run as
    ``execution`` says; return (result, every evaluation with its robust objectives and
    whether it is on the front). ``resume``: continue the search in ``out_dir``."""
    execution = execution or Execution()
    progress = execution.progress
    keys = [lv.key for lv in levers]
    out = Path(out_dir) if out_dir is not None else None

    def evaluate(g: int, x: np.ndarray) -> np.ndarray:
        design = pd.DataFrame(x, columns=keys)
        folder = out / f"generation-{g:03d}" if out is not None else None
        if folder is not None and resume:
            saved = _finished_generation(folder, design, objectives)
            if saved is not None:
                if progress:
                    progress(scenario.runs * len(x))
                return saved
            store.remove_tree(folder)  # an unfinished generation runs again
        values: dict[int, np.ndarray] = {}
        run_sweep(scenario, design, out_dir=folder, execution=execution,
                  on_point=lambda i, v: values.__setitem__(
                      i, np.array([v[o.metric] for o in objectives])))
        outcomes = np.stack([values[i] for i in range(len(x))])
        if folder is not None:
            store.write_parquet(_long(outcomes, objectives), folder / OUTCOMES)
        return outcomes

    archive = search(evaluate, np.array([lv.low for lv in levers]),
                     np.array([lv.high for lv in levers]), objectives, population=population,
                     generations=generations, seed=scenario.seed)
    table, result = summarize_front(archive, levers, objectives)
    result = {"scenario": scenario.name, **result, "population": population,
              "runs": scenario.runs, "seed": scenario.seed}
    if out is not None:
        with store.folder_lock(out):
            store.write_text(table.to_csv(index=False), out / "evaluations.csv")
            front = table[table["pareto"]].drop(columns="pareto")
            store.write_text(front.to_csv(index=False), out / "pareto.csv")
            store.write_parquet(front.reset_index(drop=True), out / "pareto.parquet")
            store.write_json(result, out / "pareto.json")
    return result, table


def summarize_front(archive: Archive, levers: list[LeverRange], objectives: list[Objective]
                    ) -> tuple[pd.DataFrame, dict]:
    """Every evaluation's robust objectives (scored against all evaluations) with its
    ``pareto`` flag, and the result: objectives, the front's rows, the budget."""
    keys = [lv.key for lv in levers]
    names = [o.metric for o in objectives]
    values = robust_values(archive.outcomes, objectives)
    table = pd.DataFrame(archive.x, columns=keys).assign(generation=archive.generation)
    table[names] = values
    table["pareto"] = non_dominated(to_minimise(values, objectives))
    table = table.drop_duplicates(subset=keys, ignore_index=True)
    front = table[table["pareto"]].sort_values(names[0], ignore_index=True)
    rows = [{"levers": {k: float(r[k]) for k in keys},
             "objectives": {n: float(r[n]) for n in names}, "generation": int(r["generation"])}
            for _, r in front.iterrows()]
    algorithm = "NSGA-II" if len(objectives) < NSGA3_FROM else "NSGA-III"
    result = {"algorithm": algorithm, "objectives": {o.metric: o.describe() for o in objectives},
              "levers": {lv.key: [lv.low, lv.high] for lv in levers}, "pareto": rows,
              "generations": int(archive.generation.max()) + 1, "evaluations": len(table)}
    return table, result


def _long(outcomes: np.ndarray, objectives: list[Objective]) -> pd.DataFrame:
    """Per-run outcomes as a table: point, run, one column per objective's metric."""
    n, _, runs = outcomes.shape
    frame = pd.DataFrame({"point": np.repeat(np.arange(n), runs),
                          "run": np.tile(np.arange(runs), n)})
    for j, o in enumerate(objectives):
        frame[o.metric] = outcomes[:, j, :].ravel()
    return frame


def _finished_generation(folder: Path, design: pd.DataFrame, objectives: list[Objective]
                         ) -> np.ndarray | None:
    """The per-run outcomes of a generation finished before (None if it was not); a
    generation of other settings cannot be resumed."""
    if not (folder / OUTCOMES).exists():
        return None
    table = pd.read_parquet(folder / "sweep.parquet")
    if (len(table) != len(design) or
            not np.array_equal(table[design.columns].to_numpy(float), design.to_numpy(float))):
        raise SweepError(f"{folder}: holds other settings than this search asks for; resume "
                         "needs the same scenario, levers, objectives and seed")
    frame = pd.read_parquet(folder / OUTCOMES)
    missing = [o.metric for o in objectives if o.metric not in frame.columns]
    if missing:
        raise SweepError(f"{folder}: has no outcomes of {', '.join(missing)}; resume needs "
                         "the same objectives")
    runs = int(frame["run"].max()) + 1
    return np.stack([frame[o.metric].to_numpy(float).reshape(len(design), runs)
                     for o in objectives], axis=1)
