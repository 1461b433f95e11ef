"""The fused compiled step (engine/fused.py) gives the NumPy step's numbers bit for bit.

Every output of a chunk is compared: first months of clash/war/nuclear use, launches, patrols
and launch days by year, the yearly snapshots, the full monthly state table and the event
counts. Cases are chosen to reach every branch: each mechanism switched off in turn, the bundled
scenarios (talks, schedules, bloc alignment), a hot variant that climbs to war and nuclear use,
a horizon that is not a whole number of years, posterior draws, and run ids that do not start
at zero or fill whole blocks.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import peninsula
from peninsula.cli import app
from peninsula.engine import fused
from peninsula.engine.simulate import MONTHLY_VARS, resolve_kernel, simulate_chunk
from peninsula.model.setup import build_setup
from peninsula.scenario.schema import MECHANISMS

ROOT = Path(__file__).resolve().parents[1]

pytest.importorskip("numba")

# rates raised so that clashes, wars and nuclear use happen within three years
HOT = ["parameters.provocation_to_crisis_per_month.value=0.3",
       "parameters.crisis_to_clash_per_month.value=0.2",
       "parameters.clash_to_war_per_month.value=0.2",
       "parameters.war_to_nuclear_per_month.value=0.1"]


def _assert_same(a, b):
    for k in a.first_month:
        np.testing.assert_array_equal(a.first_month[k], b.first_month[k], err_msg=k)
    for k in ("params", "launches_by_year", "patrols_by_year", "launch_days_by_year", "events"):
        np.testing.assert_array_equal(getattr(a, k), getattr(b, k), err_msg=k)
    for k in a.yearly:
        np.testing.assert_array_equal(a.yearly[k], b.yearly[k], err_msg=k)
    for v, name in enumerate(MONTHLY_VARS):
        np.testing.assert_array_equal(a.monthly[:, :, v], b.monthly[:, :, v], err_msg=name)


def _both(scenario="baseline", sets=(), run_ids=None, posterior=None):
    sc = peninsula.load_scenario(scenario, ["scenario.horizon_months=36", *sets])
    setup = build_setup(sc, posterior=posterior)
    ids = np.arange(120) if run_ids is None else run_ids
    return (simulate_chunk(setup, ids, kernel="numba"),
            simulate_chunk(setup, ids, kernel="numpy"))


def test_baseline_full_horizon_identical_across_blocks():
    sc = peninsula.load_scenario("baseline")
    setup = build_setup(sc)
    ids = np.arange(1000, 1000 + fused.BLOCK_RUNS + 44)  # one whole block and a partial one
    a = simulate_chunk(setup, ids, kernel="numba")
    b = simulate_chunk(setup, ids, kernel="numpy")
    _assert_same(a, b)
    assert a.launches_by_year.sum() > 0 and a.events[..., 13].sum() >= 0


@pytest.mark.parametrize("mechanism", sorted(MECHANISMS))
def test_identical_with_each_mechanism_off(mechanism):
    a, b = _both(sets=[f"mechanisms.{mechanism}=false", *HOT])
    _assert_same(a, b)


@pytest.mark.parametrize("scenario", ["crisis-2017", "detente-2018", "blocs",
                                      "examples/deterrence-dominates.toml",
                                      "examples/spiral-dominates.toml"])
def test_identical_on_bundled_and_example_scenarios(scenario):
    ref = str(ROOT / scenario) if scenario.startswith("examples/") else scenario
    a, b = _both(ref)
    _assert_same(a, b)


def test_hot_scenario_reaches_every_rung_and_stays_identical():
    a, b = _both(sets=HOT + ["scenario.horizon_months=30"])
    _assert_same(a, b)
    for key in ("clash", "war", "nuclear_use"):  # the rare branches were exercised
        assert (a.first_month[key] < 30).sum() >= 5, key


def test_identical_with_talks_forced_schedules_and_posterior():
    sets = ['levers.talks_override={"2026-01" = 1.0, "2027-01" = -1.0}',
            'levers.exercise_intensity={"2026-06" = 2.0}', "levers.flexible_diplomacy=0.9"]
    post = pd.DataFrame({"launch_base_rate_per_year": [5.0, 30.0, 60.0],
                         "belief_memory_months": [6.0, 12.0, 30.0]})
    a, b = _both("detente-2018", sets, posterior=post)
    _assert_same(a, b)
    assert a.events[..., 5].sum() > 0  # months of talks happened


@pytest.mark.parametrize("scenario,sets", [
    ("detente-2018", ["levers.flexible_diplomacy=0.9"]),
    ("baseline", HOT),
    ("detente-2018", ['levers.talks_override={"2026-01" = 1.0, "2027-01" = -1.0}']),
])
def test_outcomes_identical_without_monthly_records(scenario, sets):
    """Without the monthly table the fused step skips work only the table needs (DPRK
    willingness when the talks draw is settled without it); the outcomes must not move."""
    sc = peninsula.load_scenario(scenario, ["scenario.horizon_months=48", *sets])
    setup = build_setup(sc)
    ids = np.arange(300)
    a = simulate_chunk(setup, ids, record_monthly=False, record_events=False, kernel="numba")
    b = simulate_chunk(setup, ids, record_monthly=False, record_events=False, kernel="numpy")
    assert a.monthly is None and b.monthly is None
    for k in a.first_month:
        np.testing.assert_array_equal(a.first_month[k], b.first_month[k], err_msg=k)
    for k in ("params", "launches_by_year", "patrols_by_year", "launch_days_by_year"):
        np.testing.assert_array_equal(getattr(a, k), getattr(b, k), err_msg=k)
    for k in a.yearly:
        np.testing.assert_array_equal(a.yearly[k], b.yearly[k], err_msg=k)
    assert a.yearly["denuclearization"].max() > 0  # talks took verified steps


def test_identical_when_beliefs_without_evidence_move(monkeypatch):
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
    ids = np.arange(40)
    a = simulate_chunk(setup, ids, kernel="numba")
    b = simulate_chunk(setup, ids, kernel="numpy")
    _assert_same(a, b)
    monkeypatch.setattr(step_module.StepContext, "__init__", init)
    c = simulate_chunk(setup, ids, kernel="numba")
    assert not np.array_equal(a.monthly, c.monthly)  # the moved anchors changed the runs


def test_evidence_categories_match_the_numpy_evidence():
    assert np.array_equal(fused.evidence_mask(), fused.EV_CATEGORY != 0)


def test_ladder_bounds_hold():
    """The cheap bounds that let the ladder skip exp and log hold: the upper bounds are never
    below the true values, the lower bound of a probability never above it.

    A bound a few per cent off would pass the identity tests above (the hazards rarely sit that
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


def test_cli_kernels_give_identical_summaries():
    runner = CliRunner()
    out = {}
    for kernel in ("numba", "numpy"):
        res = runner.invoke(app, ["run", "--runs", "200", "--seed", "3", "--json", "-q",
                                  "--set", "scenario.horizon_months=24", "--kernel", kernel])
        assert res.exit_code == 0, res.output
        out[kernel] = json.loads(res.stdout)
    assert out["numba"] == out["numpy"]
    bad = runner.invoke(app, ["run", "--runs", "10", "--kernel", "gpu"])
    assert bad.exit_code == 2 and "--kernel" in bad.output
