"""The rivalry reference class (analysis/reference_class.py): the bundled table's facts, features
known at the start of each year, recovery of planted coefficients, ex-ante prediction, baselines,
and the command line's JSON contract."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import special

from peninsula import api
from peninsula.analysis import reference_class as rc
from peninsula.io.rivalries import COLUMNS, check_rivalry_years, load_rivalry_years

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return load_rivalry_years()


@pytest.fixture(scope="module")
def fit_1985(table):
    return rc.fit(table, 1985)


@pytest.fixture(scope="module")
def fit_1990():
    """The API's fit on the bundled table up to 1990 (a fit takes seconds: made once here)."""
    return api.rivalries_fit(1990)


def test_bundled_table_holds_the_korean_record(table):
    korea = table[(table.ccode1 == 731) & (table.ccode2 == 732) & (table.in_window == 1)]
    assert korea.year.min() == 1948 and korea.year.max() == 2000
    onsets = korea.set_index("year")
    assert onsets.loc[1950, "war_onset"] == 1  # the Korean War
    assert onsets.war_onset.sum() == 1  # and no other war onset in the record
    assert onsets.loc[1954, "protected_sides"] == 1  # US-ROK treaty of 1953, the year before
    assert onsets.loc[1962, "protected_sides"] == 2  # and the DPRK's 1961 treaties
    assert (onsets.nuclear_sides == 0).all()  # no Korean test before 2006
    window = table[table.in_window == 1]
    assert window.year.min() == 1946 and window.rivalry_id.nunique() == 160


def test_table_errors_name_file_column_and_range(table, tmp_path):
    bad = table.copy()
    bad.loc[5, "nuclear_sides"] = 3
    path = tmp_path / "bad.csv"
    bad.to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"bad\.csv: column nuclear_sides must be one of \(0, 1, 2\); row 7"):
        load_rivalry_years(path)
    with pytest.raises(ValueError, match="missing column"):
        check_rivalry_years(table.drop(columns="war_onset"), "t.csv")
    assert set(COLUMNS) <= set(table.columns)


def test_history_features_by_hand():
    hist = np.zeros((3, rc.RECENCY_CAP))
    hist[0, -1] = 1  # an onset last year
    hist[1, -4] = 1  # four years ago, and one outside the ten-year window
    hist[1, 2] = 1
    fatal = np.zeros_like(hist)
    f = rc.history_features(hist, fatal)
    assert f[0].tolist() == pytest.approx([0.1, 0.0, 0.0, np.log(rc.RECENCY_CAP)])
    assert f[1].tolist() == pytest.approx([0.1, 0.0, np.log(4), np.log(rc.RECENCY_CAP)])
    assert f[2].tolist() == pytest.approx([0.0, 0.0, np.log(rc.RECENCY_CAP), np.log(rc.RECENCY_CAP)])


def test_features_use_only_earlier_years(table):
    """Changing every outcome from 1990 on leaves the features of the years to 1990 unchanged."""
    later = table.copy()
    flip = later.year >= 1990
    later.loc[flip, "mid_onset"] = 1 - later.loc[flip, "mid_onset"]
    a, b = rc.design(table), rc.design(later)
    cols = list(rc.FEATURES)
    upto = a.year <= 1990
    assert np.array_equal(a.loc[upto, cols].to_numpy(), b.loc[b.year <= 1990, cols].to_numpy())
    assert not np.array_equal(a.loc[a.year == 1991, cols].to_numpy(),
                              b.loc[b.year == 1991, cols].to_numpy())


def test_recovers_planted_coefficients():
    """Simulated rivalry-years with known coefficients and rivalry spread: the variational fit
    recovers each coefficient within 0.15 (logit scale; about three posterior sds at this
    size) and the spread of the rivalry effects within 0.25."""
    rng = np.random.default_rng(20261206)
    groups, years = 300, 30
    beta = np.array([-1.5, 0.8, -0.5, 0.3])
    sigma = 0.7
    g = np.repeat(np.arange(groups), years)
    x = np.column_stack([np.ones(len(g)), rng.normal(size=len(g)), rng.normal(size=len(g)),
                         rng.integers(0, 2, len(g))])
    u = rng.normal(0, sigma, groups)
    y = (rng.random(len(g)) < special.expit(x @ beta + u[g])).astype(float)
    coef, coef_sd, log_sigma, _, ids, eff, _ = rc.fit_logit_mixed(y, x, g)
    assert np.abs(coef - beta).max() < 0.15, coef
    assert (coef_sd > 0).all() and coef_sd.max() < 0.1
    assert abs(np.exp(log_sigma) - sigma) < 0.25
    assert len(ids) == groups and np.corrcoef(eff, u)[0, 1] > 0.5


def test_beta_binomial_prior_recovers_known_spread():
    rng = np.random.default_rng(3)
    p = rng.beta(2.0, 18.0, 2000)
    n = np.full(2000, 40)
    a, b = rc.beta_binomial_prior(rng.binomial(n, p), n)
    assert a / (a + b) == pytest.approx(0.1, abs=0.01)
    assert a + b == pytest.approx(20.0, rel=0.25)


def test_scores_by_hand():
    s = rc.scores(np.array([0.2, 0.2, 0.8, 0.8]), np.array([0, 1, 1, 0]))
    assert s["brier"] == pytest.approx((0.04 + 0.64 + 0.04 + 0.64) / 4)
    assert s["log_loss"] == pytest.approx(-(np.log(0.8) * 2 + np.log(0.2) * 2) / 4)
    assert s["auc"] == pytest.approx(0.5)


def test_prediction_is_ex_ante(table, fit_1985):
    """Predictions from a 1985 fit do not move when every later outcome is changed, cover every
    rivalry going at the end of 1985, and stay in (0, 1) with onsets nested."""
    later = table.copy()
    flip = later.year > 1985
    for col in ("mid_onset", "fatal_mid_onset", "war_onset"):
        later.loc[flip, col] = 1 - later.loc[flip, col]
    a = rc.predict(fit_1985, table, 1986, 1990, seed=1, paths=500)
    b = rc.predict(fit_1985, later, 1986, 1990, seed=1, paths=500)
    pd.testing.assert_frame_equal(a, b)
    going = rc.alive_at(table, 1985)
    assert set(a.rivalry_id) == set(going.rivalry_id) and len(a) == 5 * len(going)
    p = a[["p_mid_onset", "p_fatal_mid_onset", "p_war_onset"]].to_numpy()
    assert ((p > 0) & (p < 1)).all()
    assert (a.p_fatal_mid_onset <= a.p_mid_onset + 1e-12).mean() > 0.95


def test_prediction_refuses_years_inside_the_training(table, fit_1985):
    with pytest.raises(ValueError, match="after the training end 1985"):
        rc.predict(fit_1985, table, 1985, 1990)


def test_self_check_scores_model_and_every_baseline(table):
    res = rc.self_check(table, 1985, 1990, paths=300)
    assert res["rows_scored"] > 300
    for o, r in res["outcomes"].items():
        assert set(r["baselines"]) == set(rc.BASELINES)
        assert 0 < r["model"]["log_loss"] < 1.0, o
        # the pooled rate's log loss against the scored years' own rate is its floor
        rate = r["rate"]
        floor = -(rate * np.log(rate) + (1 - rate) * np.log(1 - rate))
        assert r["baselines"]["pooled rate"]["log_loss"] >= floor - 1e-12


def test_cli_predict_json_contract(capsys):
    from peninsula.cli import app

    app(["rivalries", "predict", "--from-year", "2001", "--to-year", "2002", "--paths", "200",
         "--json"], standalone_mode=False)
    res = json.loads(capsys.readouterr().out)
    assert res["trained_until"] == 2000
    row = res["predictions"][0]
    assert {"ccode1", "ccode2", "year", "p_mid_onset", "p_fatal_mid_onset",
            "p_war_onset"} <= set(row)
    korea = [p for p in res["predictions"] if (p["ccode1"], p["ccode2"]) == (731, 732)]
    assert [p["year"] for p in korea] == [2001, 2002]


def test_fit_file_round_trip_and_vintage_check(table, fit_1990, tmp_path):
    fitted = fit_1990
    path = api.rivalries_save_fit(fitted, tmp_path / "fit.json")
    again = api.rivalries_load_fit(path)
    assert np.array_equal(again.fits["war_onset"].coef_mean, fitted.fits["war_onset"].coef_mean)
    other = table.copy()
    other.loc[0, "mid_onset"] = 1 - other.loc[0, "mid_onset"]
    other_path = tmp_path / "other.csv"
    other.to_csv(other_path, index=False)
    with pytest.raises(ValueError, match="another rivalry table"):
        api.rivalries_predict(1991, 1992, fit=path, table=other_path, paths=100)
    with pytest.raises(ValueError, match="--train-until must be in"):
        api.rivalries_fit(1800)


def test_korean_hazards_follow_the_posterior(table):
    """The Korean rivalry's yearly probabilities: ordered quantiles, mean inside them, and the
    contrast moves only the features it names."""
    fitted = rc.fit(table, 1995)
    base = rc.dyad_hazards(fitted, table, draws=2000, seed=2)
    nuc = rc.dyad_hazards(fitted, table, overrides={"one_nuclear": 1.0}, draws=2000, seed=2)
    for o in ("mid_onset", "fatal_mid_onset", "war_onset"):
        h = base[o]
        assert 0 < h["q05"] < h["q50"] < h["q95"] < 1 and h["q05"] < h["mean"] < h["q95"]
    moved = {k for k in base["features"] if base["features"][k] != nuc["features"][k]}
    assert moved == {"one_nuclear"}
    # the same draws: the contrast's sign is the coefficient's sign, draw by draw on average
    sign = np.sign(fitted.fits["war_onset"].coef_mean[rc.FEATURES.index("one_nuclear")])
    assert np.sign(nuc["war_onset"]["mean"] - base["war_onset"]["mean"]) == sign
    with pytest.raises(ValueError, match="unknown feature"):
        rc.dyad_hazards(fitted, table, overrides={"nukes": 1})


def test_paradox_priors_follow_the_stated_mapping(fit_1990):
    """With the posterior's sds set to zero the elasticities are the mapping's formulas:
    a_SI = beta_fatal / ln(50 / N_0) and w_SI = -(beta_war - beta_fatal) / ln(50 / N_0)."""
    from dataclasses import replace

    fitted = fit_1990
    exact = rc.ReferenceFit(fitted.trained_until, fitted.first_year, fitted.rows,
                            fitted.data_sha256,
                            {o: replace(f, coef_sd=np.zeros_like(f.coef_sd))
                             for o, f in fitted.fits.items()})
    res = rc.paradox_priors(exact, draws=50, first_arsenal=5.0)
    span = np.log(50.0 / 5.0)
    for contrast in rc.NUCLEAR_CONTRASTS:
        k = rc.FEATURES.index(contrast)
        b_fatal = fitted.fits["fatal_mid_onset"].coef_mean[k]
        b_war = fitted.fits["war_onset"].coef_mean[k]
        got = res[contrast]
        assert got["paradox_attack_elasticity"]["mean"] == pytest.approx(b_fatal / span)
        assert got["paradox_war_elasticity"]["mean"] == pytest.approx(-(b_war - b_fatal) / span)
        assert got["paradox_war_elasticity"]["sd"] == pytest.approx(0.0, abs=1e-12)
    spread = rc.paradox_priors(fitted, draws=4000)["one_nuclear"]["paradox_attack_elasticity"]
    sd = fitted.fits["fatal_mid_onset"].coef_sd[rc.FEATURES.index("one_nuclear")] / span
    assert spread["sd"] == pytest.approx(sd, rel=0.1)
    with pytest.raises(ValueError, match="first_arsenal"):
        rc.paradox_priors(fitted, first_arsenal=60)
