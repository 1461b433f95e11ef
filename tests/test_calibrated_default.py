"""The calibrated default: ensembles draw the parameters the bundled posterior holds from it,
unless the scenario sets them or asks for the priors (--prior); the bundle says what it saw and
a stale bundle is caught; the derived priors' law (log-triangular) and the calibration's prior
scale are exact inverses."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
from typer.testing import CliRunner

import peninsula
from peninsula.analysis.backtest import (
    BUNDLE_TABLES,
    calibration_priors,
    from_prior_scale,
    to_prior_scale,
)
from peninsula.analysis.record import FIRST_YEAR, LAST_YEAR, history_scenario
from peninsula.cli import app
from peninsula.engine.ensemble import run_chunks
from peninsula.engine.random import param_cdf, sample_param
from peninsula.engine.simulate import parameter_source
from peninsula.io.history import table_bytes
from peninsula.model.setup import build_setup
from peninsula.scenario import calibrated
from peninsula.scenario.parameters import BY_NAME, NAMES
from peninsula.scenario.schema import PRIOR_OVERRIDE

runner = CliRunner()


def test_the_bundle_holds_finite_draws_of_model_parameters_and_its_vintage():
    values, names = calibrated.bundled()
    meta = calibrated.metadata()
    assert values.shape[0] >= 500 and values.shape[1] == len(names) >= 20
    assert np.isfinite(values).all()
    for j, n in enumerate(names):
        lo, hi = BY_NAME[n].limits
        assert lo <= values[:, j].min() and values[:, j].max() <= hi, n
    assert meta["record_years"] == [FIRST_YEAR, LAST_YEAR]
    assert meta["settings"]["ladder"] is True and meta["command"] == "peninsula calibrate --bundle"


def test_the_bundle_is_not_stale():
    """Fitted under today's priors and to today's record: a change of either (a regenerated
    prior row, a corrected table) must be followed by 'peninsula calibrate --bundle'."""
    meta = calibrated.metadata()
    _, names = calibrated.bundled()
    for n in names:
        p = BY_NAME[n]
        law = meta["priors"][n]
        if law[3] != "uniform":  # a uniform calibration prior is the method's, not the table's
            assert law == [p.low, p.value, p.high, p.distribution], n
    digest = hashlib.sha256()
    for name in meta["record_tables"]:
        digest.update(table_bytes(name))
    assert meta["record_tables"] == list(BUNDLE_TABLES)
    assert digest.hexdigest() == meta["record_sha256"]


def _params(sets: list[str], runs: int = 400):
    sc = peninsula.load_scenario("baseline", ["scenario.horizon_months=12", *sets])
    setup = build_setup(sc)
    return setup, run_chunks(setup, runs, record_monthly=False, record_events=False).params


def test_runs_draw_the_posterior_by_default_and_the_priors_with_prior():
    values, names = calibrated.bundled()
    setup, params = _params([])
    assert parameter_source(setup) == "posterior"
    j = NAMES.index(names[0])
    drawn = set(np.round(params[:, j], 12))
    assert drawn <= set(np.round(values[:, 0], 12))  # every run's value is a posterior row's
    setup, params = _params([PRIOR_OVERRIDE])
    assert parameter_source(setup) == "prior"
    assert not set(np.round(params[:, j], 12)) <= set(np.round(values[:, 0], 12))
    setup, _ = _params(["scenario.sample_parameters=false"])
    assert parameter_source(setup) == "point"


def test_a_parameter_the_scenario_sets_keeps_the_scenarios_value():
    _, names = calibrated.bundled()
    name = "clash_to_war_per_month"
    assert name in names
    setup, params = _params([f"parameters.{name}=0.5"])
    assert parameter_source(setup) == "posterior"
    assert np.all(params[:, NAMES.index(name)] == 0.5)
    assert NAMES.index(name) not in setup.posterior_columns


def test_the_history_replay_never_uses_the_bundle():
    """The back-tests fit their own posteriors from the training years only: the bundle has
    seen every year."""
    sc = history_scenario(24, ["scenario.sample_parameters=true"])
    assert parameter_source(build_setup(sc)) == "prior"


def test_prior_flag_and_summary_key():
    def source(*extra):
        res = runner.invoke(app, ["run", "--runs", "40", "--set", "scenario.horizon_months=12",
                                  "--json", "-q", *extra])
        assert res.exit_code == 0, res.output
        return json.loads(res.stdout)["parameter_source"]

    assert source() == "posterior"
    assert source("--prior") == "prior"
    res = runner.invoke(app, ["run", "--runs", "40", "--set", 'scenario.parameters="guess"', "-q"])
    assert res.exit_code == 2 and "scenario.parameters" in res.output and "posterior" in res.output


@pytest.mark.parametrize("law", [(0.0, 0.3, 1.0, "triangular"), (0.003, 0.03, 0.3, "logtriangular"),
                                 (1.0, 3.0, 5.0, "uniform"), (0.0, 0.0, 1.0, "triangular")])
def test_prior_scale_is_the_inverse_of_the_draw(law):
    u = (np.arange(1, 2000) / 2000.0)
    x = sample_param(u, *law)
    assert np.max(np.abs(param_cdf(x, *law) - u)) < 1e-12
    assert law[0] <= x.min() and x.max() <= law[2]


def test_log_triangular_has_its_mode_on_the_log_scale():
    u = np.random.default_rng(3).random(200_000)
    x = sample_param(u, 0.001, 0.01, 0.1, "logtriangular")  # symmetric on the log scale
    assert np.median(x) == pytest.approx(0.01, rel=0.02)
    assert x.mean() > np.median(x)  # right-skewed on the hazard's own scale


def test_calibration_priors_follow_the_table():
    names = ("provocation_to_incident_per_month", "launch_escalation_share",
             "launch_drill_effect")
    priors = calibration_priors(names)
    assert priors[0] == (BY_NAME[names[0]].low, BY_NAME[names[0]].value, BY_NAME[names[0]].high,
                         "logtriangular")
    assert priors[1][3] == "uniform"  # the table's own uniform
    assert priors[2][3] == "uniform"  # PRIOR_RANGES: where the literature is split
    theta = from_prior_scale(np.full((1, 3), 0.5), priors)
    assert np.allclose(to_prior_scale(theta, priors), 0.5)


def test_calibrate_bundle_writes_draws_and_vintage(tmp_path):
    """The one command that regenerates the bundle (here a small budget, into a folder of the
    test's own): the calibrated columns as CSV and the vintage as JSON."""
    import pandas as pd

    from peninsula import api
    from peninsula.analysis.backtest import CALIBRATED, LADDER

    meta = api.calibrate_bundle(draws=200, seed=3, folder=tmp_path)
    draws = pd.read_csv(tmp_path / calibrated.DRAWS.name)
    assert list(draws.columns) == [*CALIBRATED, *LADDER]
    assert len(draws) == meta["draws_kept"] >= 20 and np.isfinite(draws.to_numpy()).all()
    saved = json.loads((tmp_path / calibrated.META.name).read_text())
    assert saved["record_years"] == [FIRST_YEAR, LAST_YEAR]
    assert saved["settings"]["draws"] == 200 and saved["settings"]["ladder"] is True
    assert set(saved["priors"]) == set(draws.columns)
