"""The ladder's link to launches is a parameter, and the ladder's hazards are fitted jointly with
the launch process to the coded incident series (analysis/backtest.py, calibrate --ladder)."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from peninsula.analysis.backtest import (
    LADDER,
    calibrate,
    clash_record,
    ladder_distance,
    observed_ladder_years,
    prior_box,
    widened,
)
from peninsula.cli import app
from peninsula.engine.ensemble import run_chunks
from peninsula.engine.inputs import parameter_record
from peninsula.model import escalation
from peninsula.model.setup import build_setup
from peninsula.scenario.loader import load_scenario
from peninsula.scenario.parameters import BY_NAME

pytestmark = pytest.mark.slow

runner = CliRunner()


def test_each_launch_lifts_the_ladder_with_probability_s():
    for s in (0.0, 0.3, 1.0):
        q = parameter_record({"launch_escalation_share": s})
        assert escalation.launch_lift_probability(q, 0) == 0.0
        for n in (1, 2, 5):
            assert escalation.launch_lift_probability(q, n) == pytest.approx(1 - (1 - s) ** n)
    q = parameter_record({"launch_escalation_share": 1.0})
    assert escalation.launches_lift(q, 3, 0.999)  # s = 1: the former floor, whatever the draw
    q = parameter_record({"launch_escalation_share": 0.0})
    assert not escalation.launches_lift(q, 50, 0.0)  # s = 0: launches never lift the ladder
    q = parameter_record({"launch_escalation_share": 0.3})
    u = np.random.default_rng(1).random(20_000)
    share = np.mean([escalation.launches_lift(q, 2, x) for x in u])
    assert share == pytest.approx(1 - 0.7 ** 2, abs=0.012)  # 0.51; 4 sd of 20,000 draws


def clash_year_share(scenario, runs: int) -> float:
    """The share of run-years with an armed clash entered, at point parameter values."""
    res = run_chunks(build_setup(scenario), runs, record_monthly=False, record_events=False)
    return float((res.yearly["clash_entries"] > 0).mean())


POINT = ["scenario.sample_parameters=false"]


def test_launches_raise_clashes_only_through_the_share():
    # with s = 0 a launch never starts a climb: fewer clashes than with the former floor (s = 1)
    base = load_scenario("baseline", POINT)
    none, half, every = (clash_year_share(base.with_parameters(launch_escalation_share=s), 1500)
                         for s in (0.0, 0.5, 1.0))
    assert none < half < every


def test_the_coded_series_gives_the_clash_and_war_years_of_the_windows():
    # 2009 (Daecheong), 2010 (Cheonan, Yeonpyeong), 2014 and 2015 (exchanges of fire, mines);
    # no war. After 2015 the codings disagree: the series has no clash, the guard-post reading
    # of May 2020 has one; the back-test scores both (clash_scores "codings"), neither is pinned
    # as the truth here, only what each coding holds.
    assert observed_ladder_years(2006, 2015) == (4, 0)
    assert observed_ladder_years(2016, 2025) == (0, 0)
    years, series, _ = clash_record(2015)
    _, guard_post, _ = clash_record(2015, "guard_post_2020")
    later = [y for y in years if y > 2015]
    assert sum(series[years.index(y)] for y in later) == 0
    assert [y for y in later if guard_post[years.index(y)]] == [2020]


def test_ladder_distance_is_zero_at_the_record_and_grows_away_from_it():
    d0 = ladder_distance(np.zeros(3), np.array([4, 2, 8]), np.array([0, 0, 0]), 4, 0)
    assert d0[0] == 0.0 and d0[1] > 0 and d0[2] > 0
    assert ladder_distance(np.zeros(1), np.array([4]), np.array([1]), 4, 0)[0] > 0
    # the launch terms enter as before: the launch distance alone when the ladder matches
    assert ladder_distance(np.array([0.5]), np.array([4]), np.array([0]), 4, 0)[0] == \
        pytest.approx(0.5 / np.sqrt(2))


def test_priors_and_their_widening():
    low, high = prior_box(LADDER)
    for name, lo, hi in zip(LADDER, low, high, strict=True):
        assert (lo, hi) == (BY_NAME[name].low, BY_NAME[name].high)
        wlo, whi = widened(name)
        assert wlo <= lo and whi >= hi
        assert (wlo, whi) != (lo, hi) or name == "launch_escalation_share"
    assert widened("launch_escalation_share") == (0.0, 1.0)  # already the whole of [0, 1]
    assert widened("crisis_to_clash_per_month") == pytest.approx(
        (BY_NAME["crisis_to_clash_per_month"].low / 2, BY_NAME["crisis_to_clash_per_month"].high * 2))


def test_joint_calibration_returns_the_ladder_within_its_priors_and_says_what_it_fitted():
    post = calibrate(2015, draws=600, seed=3, ladder=True)
    low, high = prior_box(LADDER)
    for name, lo, hi in zip(LADDER, low, high, strict=True):
        assert post[name].between(lo, hi).all()
    assert post.attrs["ladder"] and post.attrs["observed_clash_years"] == 4
    assert post.attrs["prior"]["launch_escalation_share"] == [0.0, 1.0]
    # a planted record with a clash every year against one with none: the fitted ladder
    # reproduces more clash years (posterior predictive), so the clash term informs the fit.
    # Priors wide enough to reach both records (within the default ranges the replay gives
    # about one clash year in ten whatever the hazards: the record's four are out of reach)
    import peninsula.analysis.backtest as B

    wide = {"provocation_to_crisis_per_month": (0.02, 0.3), "crisis_to_clash_per_month":
            (0.005, 0.2), "deliberate_aggression_rate_per_year": (0.1, 5.0)}

    predicted = {}
    for clashes in (0, 10):
        real = B.observed_ladder_years
        B.observed_ladder_years = lambda first, last, k=clashes: (k, 0)
        try:
            p = calibrate(2015, draws=3000, seed=5, ladder=True, ranges=wide)
        finally:
            B.observed_ladder_years = real
        sc = B.history_scenario(120, ["scenario.sample_parameters=true"])
        sim = B.simulate_years(sc, 600, seed=8, posterior=p.drop(columns="distance"))
        predicted[clashes] = float((sim["clash_entries"] > 0).sum(axis=1).mean())
    assert predicted[10] > predicted[0] + 0.4  # 2.80 against 1.99 measured (seed 5)


def test_calibrate_command_with_ladder_writes_the_ladder_columns(tmp_path):
    out = tmp_path / "post.parquet"
    res = runner.invoke(app, ["calibrate", "--train-until", "2015", "--draws", "400", "--ladder",
                              "--out", str(out), "-q"])
    assert res.exit_code == 0, res.output
    import pandas as pd

    post = pd.read_parquet(out)
    assert set(LADDER) <= set(post.columns)
    json.dumps(dict(post.attrs))  # the attributes stay plain data


def test_a_military_agreement_cuts_the_accidental_hazards_up_to_a_clash_only():
    q = parameter_record({"military_agreement_effect": 0.4})
    assert escalation.agreement_factor(q, escalation.PROVOCATION, 1.0) == pytest.approx(0.6)
    assert escalation.agreement_factor(q, escalation.CRISIS, 0.5) == pytest.approx(0.8)
    assert escalation.agreement_factor(q, escalation.CLASH, 1.0) == 1.0  # not clash -> war
    assert escalation.agreement_factor(q, escalation.CRISIS, 0.0) == 1.0
    q0 = parameter_record({"military_agreement_effect": 0.0})
    assert escalation.agreement_factor(q0, escalation.CRISIS, 1.0) == 1.0  # 0: no effect


def test_the_replay_holds_the_2018_agreement_from_november_2018_to_november_2023():
    from peninsula.analysis.record import historical_levers

    lv = historical_levers()["military_agreement"]
    month = {f"{2006 + i // 12}-{i % 12 + 1:02d}": v for i, v in enumerate(lv)}
    assert month["2018-10"] == 0.0 and month["2018-11"] == 1.0 and month["2023-11"] == 1.0
    assert month["2023-12"] == 0.0 and sum(lv) == 61  # November 2018 - November 2023


def test_an_agreement_in_force_lowers_clashes_in_the_ensemble():
    base = load_scenario("baseline", POINT)
    assert (clash_year_share(base.with_levers(military_agreement=1.0), 2000)
            < clash_year_share(base.with_levers(military_agreement=0.0), 2000))


def test_prior_sensitivity_refits_with_each_prior_widened_and_all_wide():
    from peninsula.analysis.prior_sensitivity import ALL_WIDE, prior_sensitivity

    r = prior_sensitivity(draws=300, runs=100, seed=2)
    names = [row["widened"] for row in r["rows"]]
    assert names[0] is None and names[-1] == ALL_WIDE
    assert set(names[1:-1]) == set(LADDER) - {"launch_escalation_share"}  # already [0, 1]
    for row in r["rows"]:
        assert 0.0 <= row["p_war"] <= row["p_clash"] <= 1.0  # war passes through a clash
        lo, hi = row["p_war_90"]
        assert lo <= row["p_war"] <= hi
        if row["widened"] in LADDER:
            assert row["prior"] == list(widened(row["widened"]))
