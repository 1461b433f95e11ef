"""The fused compiled step (engine/fused.py) and the NumPy step (model/step.py) compute one model.

The two steps do the same arithmetic in the same order but call different implementations of
exp, log and powers: the fused step the C library's, NumPy its own SIMD loops on CPUs with
AVX-512. These may differ in the last bit, so the steps are compared as two implementations of
one model, never bit for bit (one kernel is compared with itself bit for bit across chunks,
workers, blocks and executors in test_reproducibility.py, test_dask.py and test_resume.py):

* run by run, same seed and run ids (``_assert_agree``): the sampled parameters (computed by
  the same NumPy code for both) are equal; every discrete outcome (first months of clash, war
  and nuclear use; launches, patrols and launch days by year; every event count; the monthly
  escalation rung and talks flag) is equal; every continuous value is within ``RTOL`` / ``ATOL``
  (float64 yearly snapshots) or ``RTOL32`` (the float32 monthly table). A run that breaks any
  of these has diverged; at most ``MAX_DIVERGED_RUNS`` run of a case may (under 1% of the
  120 to 300 runs of each compiled case). A last-bit difference flips one of a run's ~1,800
  draws (120 months) only when its uniform falls within about 1e-11 (the largest relative
  difference seen after 120 months) of the hazard it is compared with: of order 1e-8 of runs,
  so two in one case are practically impossible, while an error in a rare branch (a ladder
  bound 10% too low) makes two or more runs of some case diverge. On an AVX-512 CPU none of
  10,000 runs x 120 months diverged, nor any run of any case below.
* as distributions (``test_kernels_sample_the_same_distribution``): independent ensembles, one
  per kernel, pass two-sample tests and their summaries agree within Monte Carlo error.

Cases reach every branch: each mechanism switched off in turn, the bundled and example
scenarios (talks, schedules, bloc alignment), a hot variant that climbs to war and nuclear use,
a horizon that is not a whole number of years, posterior draws, runs without monthly records,
beliefs without evidence, and run ids that do not start at zero or fill whole blocks. With
NUMBA_DISABLE_JIT=1 the fused step runs as plain Python, about a thousand times slower, so each
case uses fewer runs (``_runs``); the branches are still reached.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import peninsula
from peninsula.cli import app
from peninsula.engine import fused
from peninsula.engine.simulate import MONTHLY_VARS, NEVER, resolve_kernel, simulate_chunk
from peninsula.model.setup import build_setup
from peninsula.scenario.schema import MECHANISMS

ROOT = Path(__file__).resolve().parents[1]

numba = pytest.importorskip("numba")
COMPILED = not numba.config.DISABLE_JIT

RTOL, ATOL = 1e-9, 1e-12  # float64 outputs; measured differences are below 2e-11 relative
RTOL32 = 2.0**-22  # float32 monthly table: two float32 rounding steps (measured: none)
MAX_DIVERGED_RUNS = 1  # per case: see the module docstring
DISCRETE_VARS = [MONTHLY_VARS.index("escalation_level"), MONTHLY_VARS.index("talks_active")]

# rates raised so that clashes, wars and nuclear use happen within three years
HOT = ["parameters.provocation_to_crisis_per_month.value=0.3",
       "parameters.crisis_to_clash_per_month.value=0.2",
       "parameters.clash_to_war_per_month.value=0.2",
       "parameters.war_to_nuclear_per_month.value=0.1"]


def _runs(compiled: int, uncompiled: int) -> int:
    """Runs for a case: fewer when the fused step runs as plain Python (NUMBA_DISABLE_JIT=1)."""
    return compiled if COMPILED else uncompiled


@pytest.fixture(autouse=True)
def _uncompiled_fused_step():
    """Uncompiled (NUMBA_DISABLE_JIT=1), SplitMix64's uint64 arithmetic runs in NumPy, which
    warns when it wraps; the wrap is the algorithm, so the warning is silenced there."""
    if COMPILED:
        yield
        return
    with np.errstate(over="ignore"):
        yield


def _diverged(a, b) -> dict[str, np.ndarray]:
    """Per output, which runs differ: discrete outcomes at all, continuous ones beyond tolerance."""
    n = len(a.run_ids)

    def differ(x, y):
        return (np.asarray(x) != np.asarray(y)).reshape(n, -1).any(axis=1)

    def apart(x, y, rtol):
        return ~np.isclose(x, y, rtol=rtol, atol=ATOL, equal_nan=True).reshape(n, -1).all(axis=1)

    out = {k: differ(a.first_month[k], b.first_month[k]) for k in a.first_month}
    for k in ("launches_by_year", "patrols_by_year", "launch_days_by_year"):
        out[k] = differ(getattr(a, k), getattr(b, k))
    out.update({k: apart(a.yearly[k], b.yearly[k], RTOL) for k in a.yearly})
    if a.events is not None:
        out["events"] = differ(a.events, b.events)
    if a.monthly is not None:
        out["monthly rung and talks"] = differ(a.monthly[:, :, DISCRETE_VARS],
                                               b.monthly[:, :, DISCRETE_VARS])
        out["monthly table"] = apart(a.monthly, b.monthly, RTOL32)
    return out


def _assert_agree(a, b) -> int:
    """The two kernels' chunks agree run by run, but for at most MAX_DIVERGED_RUNS runs.

    Returns the number of diverged runs.
    """
    n = len(a.run_ids)
    np.testing.assert_array_equal(a.run_ids, b.run_ids)
    np.testing.assert_array_equal(a.params, b.params)  # one NumPy sampler for both kernels
    assert (a.monthly is None) == (b.monthly is None) and (a.events is None) == (b.events is None)
    by_output = _diverged(a, b)
    bad = np.logical_or.reduce(list(by_output.values()))
    allowed = MAX_DIVERGED_RUNS
    detail = {k: int(v.sum()) for k, v in by_output.items() if v.any()}
    assert bad.sum() <= allowed, (
        f"{bad.sum()} of {n} runs diverged (at most {allowed} may): runs differing per output "
        f"{detail}; first diverged run ids {a.run_ids[bad][:5].tolist()}")
    return int(bad.sum())


def _both(scenario="baseline", sets=(), runs=None, posterior=None, **kwargs):
    sc = peninsula.load_scenario(scenario, ["scenario.horizon_months=36", *sets])
    setup = build_setup(sc, posterior=posterior)
    ids = np.arange(_runs(120, 40) if runs is None else runs)
    return (simulate_chunk(setup, ids, kernel="numba", **kwargs),
            simulate_chunk(setup, ids, kernel="numpy", **kwargs))


def test_baseline_full_horizon_agrees_across_blocks():
    """One whole block of runs and a partial one, with run ids that do not start at zero."""
    horizon = 120 if COMPILED else 24
    sc = peninsula.load_scenario("baseline", [f"scenario.horizon_months={horizon}"])
    setup = build_setup(sc)
    ids = np.arange(1000, 1000 + fused.BLOCK_RUNS + _runs(44, 4))
    a = simulate_chunk(setup, ids, kernel="numba")
    b = simulate_chunk(setup, ids, kernel="numpy")
    _assert_agree(a, b)
    assert a.launches_by_year.sum() > 0


@pytest.mark.parametrize("mechanism", sorted(MECHANISMS))
def test_agree_with_each_mechanism_off(mechanism):
    _assert_agree(*_both(sets=[f"mechanisms.{mechanism}=false", *HOT]))


@pytest.mark.parametrize("scenario", ["crisis-2017", "detente-2018", "blocs",
                                      "deterrence-dominates",
                                      "spiral-dominates"])
def test_agree_on_bundled_and_example_scenarios(scenario):
    _assert_agree(*_both(scenario))


def test_hot_scenario_reaches_every_rung_and_agrees():
    a, b = _both(sets=HOT + ["scenario.horizon_months=30"], runs=_runs(120, 40))
    _assert_agree(a, b)
    for key in ("clash", "war", "nuclear_use"):  # the rare branches were exercised
        assert (a.first_month[key] < 30).sum() >= 5, key


def test_agree_with_talks_forced_schedules_and_posterior():
    sets = ['levers.talks_override={"2026-01" = 1.0, "2027-01" = -1.0}',
            'levers.exercise_intensity={"2026-06" = 2.0}', "levers.flexible_diplomacy=0.9"]
    post = pd.DataFrame({"launch_base_rate_per_year": [5.0, 30.0, 60.0],
                         "belief_memory_months": [6.0, 12.0, 30.0]})
    a, b = _both("detente-2018", sets, runs=_runs(120, 40), posterior=post)
    _assert_agree(a, b)
    assert a.events[..., 5].sum() > 0  # months of talks happened


@pytest.mark.parametrize("scenario,sets", [
    ("detente-2018", ["levers.flexible_diplomacy=0.9"]),
    ("baseline", HOT),
    ("detente-2018", ['levers.talks_override={"2026-01" = 1.0, "2027-01" = -1.0}']),
])
def test_outcomes_agree_without_monthly_records(scenario, sets):
    """Without the monthly table the fused step skips work only the table needs (DPRK
    willingness when the talks draw is settled without it); the outcomes must not move."""
    a, b = _both(scenario, ["scenario.horizon_months=48", *sets], runs=_runs(300, 40),
                 record_monthly=False, record_events=False)
    assert a.monthly is None and b.monthly is None
    _assert_agree(a, b)
    assert a.yearly["denuclearization"].max() > 0  # talks took verified steps


def test_agree_when_beliefs_without_evidence_move(monkeypatch):
    """Beliefs that receive no evidence sit at their anchor, so the fused step lists none of
    them after the first month. Anchors moved off the starting beliefs (in both steps) make two
    such beliefs move for a few dozen months and then settle, which exercises the list and its
    pruning."""
    import peninsula.model.step as step_module

    assert fused.EV_CATEGORY[1, 2] == 0 and fused.EV_CATEGORY[0, 5] == 0
    init = step_module.StepContext.__init__

    def moved_anchors(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self.anchor = self.anchor.copy()
        self.anchor[:, 1, 2] += 0.7
        self.anchor[:, 0, 5] -= 1.1

    monkeypatch.setattr(step_module.StepContext, "__init__", moved_anchors)
    sc = peninsula.load_scenario("baseline", ["scenario.horizon_months=120",
                                              "parameters.belief_memory_months.value=2.0",
                                              "parameters.belief_memory_months.range=[1.5, 3.0]"])
    setup = build_setup(sc)
    ids = np.arange(_runs(120, 24))
    a = simulate_chunk(setup, ids, kernel="numba")
    b = simulate_chunk(setup, ids, kernel="numpy")
    _assert_agree(a, b)
    monkeypatch.setattr(step_module.StepContext, "__init__", init)
    c = simulate_chunk(setup, ids, kernel="numba")
    assert not np.array_equal(a.monthly, c.monthly)  # the moved anchors changed the runs


def _per_run_outcomes(res, horizon: int) -> dict[str, np.ndarray]:
    """What a run ends with: totals over the horizon, last yearly snapshots, first clash month."""
    out = {k: getattr(res, k).sum(axis=1)
           for k in ("launches_by_year", "patrols_by_year", "launch_days_by_year")}
    out.update({f"{k} (last year)": v[:, -1] for k, v in res.yearly.items()})
    out["first clash month"] = np.where(res.first_month["clash"] == NEVER, horizon,
                                        res.first_month["clash"])
    return out


def _summary_gaps(a: dict, b: dict, runs: int, sigmas: float) -> list[str]:
    """Summary entries of two ensembles of ``runs`` runs farther apart than ``sigmas`` Monte
    Carlo standard errors: each probability (pooled binomial error) and each mean (the
    summary's own standard errors); other keys must match in kind."""
    gaps = []

    def walk(x, y, path):
        if isinstance(x, dict):
            assert isinstance(y, dict) and x.keys() == y.keys(), path
            if {"mean", "se"} <= x.keys():
                limit = sigmas * math.hypot(x["se"], y["se"]) + 1e-12
                if abs(x["mean"] - y["mean"]) > limit:
                    gaps.append(f"{path}.mean: {x['mean']} vs {y['mean']} (limit {limit:.3g})")
            for k in x:
                walk(x[k], y[k], f"{path}.{k}")
        elif path.split(".")[1:2] and path.split(".")[1].startswith("p_") and x is not None:
            p = (x + y) / 2
            limit = sigmas * math.sqrt(2 * p * (1 - p) / runs) + 1e-12
            if abs(x - y) > limit:
                gaps.append(f"{path}: {x} vs {y} (limit {limit:.3g})")
        else:
            assert (x is None) == (y is None) and type(x) is type(y) or (
                isinstance(x, int | float) and isinstance(y, int | float)), path

    walk(a, b, "")
    return gaps


def test_kernels_sample_the_same_distribution():
    """Independent ensembles (different seeds), one per kernel, are samples of one distribution.

    Each per-run outcome passes a two-sample Kolmogorov-Smirnov test, the runs reaching clash,
    war and nuclear use a Fisher exact test, each at level 1e-4 (17 tests: a correct kernel
    fails one with probability below 0.2% for a random pair of seeds; the seeds are fixed), and
    every summary probability and mean agrees within 4 Monte Carlo standard errors.
    """
    from scipy import stats

    runs, horizon = _runs(2000, 300), 60
    sc = peninsula.load_scenario("baseline", [f"scenario.horizon_months={horizon}"])
    ens = {kernel: peninsula.run(sc, runs=runs, seed=seed, kernel=kernel, record_monthly=False,
                                 record_events=False)
           for kernel, seed in (("numba", 11), ("numpy", 12))}
    a, b = (_per_run_outcomes(ens[k].result, horizon) for k in ("numba", "numpy"))
    pvalues = {k: stats.ks_2samp(a[k], b[k]).pvalue for k in a}
    for key in ("clash", "war", "nuclear_use"):
        hits = [int((ens[k].result.first_month[key] < horizon).sum()) for k in ("numba", "numpy")]
        pvalues[key] = stats.fisher_exact([[h, runs - h] for h in hits]).pvalue
    assert len(pvalues) == 17
    low = {k: p for k, p in pvalues.items() if p < 1e-4}
    assert not low, low
    assert not _summary_gaps(ens["numba"].summary(), ens["numpy"].summary(), runs, 4.0)
    assert any(ens["numba"].summary()["p_war"].values())  # wars happened


def test_evidence_categories_match_the_numpy_evidence():
    assert np.array_equal(fused.evidence_mask(), fused.EV_CATEGORY != 0)


def test_ladder_bounds_hold():
    """The cheap bounds that let the ladder skip exp and log hold: the upper bounds are never
    below the true values, the lower bound of a probability never above it.

    A bound a few per cent off would pass the agreement tests above (the hazards rarely sit that
    close to the month's uniform), so each is checked directly, on a fine grid and at the ends
    of its range: exp(x) for x in [-20, 4.5], the Box-Muller radius for u in [0, 1), and
    1 - exp(-h) for h in [0, 50].
    """
    x = np.concatenate([np.linspace(-20.0, 4.5, 200_001), [0.0, -0.0, 1e-300, 1e-12, 3.999999]])
    bound = np.array([fused._exp_bound(v) for v in x])
    assert np.all(bound >= np.exp(x) * (1.0 - 1e-15))  # rounding: a few ulps, within _settled's margin
    assert np.isinf(fused._exp_bound(4.0)) and np.isinf(fused._exp_bound(float("nan")))
    rng = np.random.default_rng(3)
    u = np.concatenate([rng.uniform(0.0, 1.0, 100_000), 1.0 - np.logspace(-16, -1, 200),
                        np.logspace(-300, -1, 200), [0.0]])
    radius = np.sqrt(-2.0 * np.log1p(-u))
    assert np.all(np.array([fused._radius_bound(v) for v in u]) >= radius * (1.0 - 1e-15))
    h = np.concatenate([np.linspace(0.0, 50.0, 200_001), np.logspace(-300, 0, 301)])
    low = np.array([fused._prob_lower_bound(v) for v in h])
    assert np.all(low <= -np.expm1(-h) * (1.0 + 1e-15))


def test_talks_decisions_by_bounds_equal_the_exact_comparison():
    """_below_prob (diplomacy's start, collapse and verified-step draws) answers 'u < 1 - exp(x)'
    exactly as the comparison with the computed probability does whenever it answers at all,
    and leaves open only a thin band of uniforms around the probability."""
    rng = np.random.default_rng(11)
    x = -np.concatenate([rng.uniform(0.0, 0.3, 4000), np.logspace(-14, 1, 400), [0.0]])
    x = np.concatenate([x, [1e-13, 0.5]])  # x > 0: a negative probability, below any uniform
    p = 1.0 - np.exp(x)
    u = np.concatenate([rng.uniform(0.0, 1.0, (len(x), 40)),
                        np.clip(p[:, None] * np.array([0.9, 0.99, 0.999, 1.0, 1.001, 1.01, 1.1]),
                                0.0, 1.0 - 2**-53)], axis=1)
    got = np.array([[fused._below_prob(ui, xi) for ui in row] for xi, row in zip(x, u, strict=True)])
    want = (u < p[:, None]).astype(int)
    decided = got >= 0
    assert np.array_equal(got[decided], want[decided])
    # open only when u is within x^2 / 2 (plus the margins) of the probability
    gap = np.abs(u - p[:, None])
    assert np.all(gap[~decided] <= 0.5 * x[:, None].repeat(u.shape[1], 1)[~decided] ** 2 + 1e-11)
    assert decided[:, :40].mean() > 0.97  # uniform u: open with probability about E[x^2] / 2
    assert fused._below_prob(0.5, float("nan")) == -1


@pytest.mark.skipif(not COMPILED, reason="a benchmark of compiled code: nothing to time "
                    "uncompiled")
def test_compare_kernels_script_runs_and_reports_a_ratio():
    """benchmarks/compare_kernels.py (paired timing of two versions of the step) loads a
    second copy of the module, checks both give the same outcomes, and prints the ratio."""
    import re
    import subprocess
    import sys

    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "compare_kernels.py"),
                          "--file", str(ROOT / "src" / "peninsula" / "engine" / "fused.py"),
                          "--runs", "20", "--pairs", "2"],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    ratio = re.search(r"B/A median ([0-9.]+)", out.stdout)
    assert ratio and 0.2 < float(ratio.group(1)) < 5.0, out.stdout


def test_kernel_choice_is_checked(monkeypatch):
    with pytest.raises(ValueError, match="kernel must be one of"):
        resolve_kernel("fortran")
    monkeypatch.setattr(fused, "numba", None)  # as on a machine without Numba
    assert resolve_kernel("auto") == "numpy"
    with pytest.raises(ValueError, match="needs Numba"):
        resolve_kernel("numba")


def test_cli_kernels_give_summaries_within_monte_carlo_error():
    """Same seed through the command line: the summaries have the same keys, and each
    probability and mean of one kernel is within one Monte Carlo standard error of the
    other's (in practice they are equal to the last digit or nearly so)."""
    runner = CliRunner()
    out = {}
    for kernel in ("numba", "numpy"):
        res = runner.invoke(app, ["run", "--runs", "200", "--seed", "3", "--json", "-q",
                                  "--set", "scenario.horizon_months=24", "--kernel", kernel])
        assert res.exit_code == 0, res.output
        out[kernel] = json.loads(res.stdout)
    assert out["numba"]["runs"] == out["numpy"]["runs"] == 200
    assert not _summary_gaps(out["numba"], out["numpy"], 200, 1.0)
    bad = runner.invoke(app, ["run", "--runs", "10", "--kernel", "gpu"])
    assert bad.exit_code == 2 and "--kernel" in bad.output
