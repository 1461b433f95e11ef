"""The strategy effects estimated from the record: planted effects are recovered, a back-test
cut sees no later month, the maps match the model's factors, and the command's JSON is stable."""

import json
import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint
from typer.testing import CliRunner

from peninsula.analysis import strategy_evidence as se
from peninsula.cli import app
from peninsula.model import provocations

runner = CliRunner()
PLANTED_SUPPRESSION, PLANTED_DRILL_EFFECT, PLANTED_ALPHA = 0.6, 0.8, 0.5


def planted_record(months: int = 1200, seed: int = 11) -> pd.DataFrame:
    """Monthly NB2 counts in the model's form, mu = exp(b0 + 0.01 years + 0.5 A) (1 + beta d)
    (1 - s talks), with talks in blocks (a fifth of the months) and the record's drill levels."""
    rng = np.random.default_rng(seed)
    index = np.arange(months)
    talks = ((index // 30) % 5 == 0).astype(int)
    drill = rng.choice([0.0, 0.3, 0.5, 1.0, 1.5], size=months)
    announced = ((index // 48) % 2).astype(float)
    years = index / 12.0
    mu = (np.exp(0.3 + 0.01 * years + 0.5 * announced) * (1 + PLANTED_DRILL_EFFECT * drill)
          * (1 - PLANTED_SUPPRESSION * talks))
    # NB2 as a gamma-Poisson mixture: Var = mu + alpha mu^2
    counts = rng.poisson(mu * rng.gamma(1 / PLANTED_ALPHA, PLANTED_ALPHA, size=months))
    year = 2006 + index // 12
    return pd.DataFrame({
        "month": [f"{y}-{m % 12 + 1:02d}" for y, m in zip(year, index, strict=True)],
        "year": year, "missiles": counts, "launch_days": counts, "talks": talks, "drill": drill,
        "sanctions": 0.5, "years": years, "announced": announced, "agreement": 0.0,
        "clash": 0, "talks_2019": talks, "clash_2020": 0})


def test_planted_talks_and_drill_effects_are_recovered():
    """Seed 11, 1,200 months: each estimate within 0.12 (talks) and 0.3 (drills) of the planted
    value, and each 90% interval covering it."""
    data, names = se.launch_data(planted_record(), "missiles", "talks", False)
    talks = se.talks_profile(data, names, "missiles")
    drill = se.drill_profile(data, names, "missiles")
    assert talks["estimate"] == pytest.approx(PLANTED_SUPPRESSION, abs=0.12)
    assert drill["estimate"] == pytest.approx(PLANTED_DRILL_EFFECT, abs=0.3)
    for fit, truth in ((talks, PLANTED_SUPPRESSION), (drill, PLANTED_DRILL_EFFECT)):
        low, high = fit["interval_90"]
        assert low < truth < high
    wald = se.wald_fit(data, names, "missiles")
    assert wald["alpha"] == pytest.approx(PLANTED_ALPHA, abs=0.15)
    assert se.suppression_from_ratio(wald["coef"]["talks"]["rate_ratio"]) == pytest.approx(
        PLANTED_SUPPRESSION, abs=0.12)


def test_no_effect_is_not_found_where_none_was_planted():
    record = planted_record(seed=12)
    rng = np.random.default_rng(12)
    record["missiles"] = rng.poisson(1.5 * rng.gamma(2.0, 0.5, size=len(record)))
    data, names = se.launch_data(record, "missiles", "talks", False)
    for fit in (se.talks_profile(data, names, "missiles"),
                se.drill_profile(data, names, "missiles")):
        low, high = fit["interval_90"]
        assert low < 0.0 < high


def test_exact_conditional_interval_on_known_cases():
    """No event among the exposed: the one-sided 95% bound of p is 1 - 0.05^(1/n); with events
    in both arms the Clopper-Pearson interval of statsmodels."""
    months = pd.Series(np.r_[np.ones(60), np.zeros(180)])
    clashes = pd.Series(np.r_[np.zeros(60), np.ones(6), np.zeros(174)])
    fit = se.conditional_poisson(clashes, months)
    p_high = 1 - 0.05 ** (1 / 6)
    assert fit["interval_90"][0] == 0.0
    assert fit["interval_90"][1] == pytest.approx(p_high / (1 - p_high) * 180 / 60, rel=1e-9)
    assert fit["estimate"] == pytest.approx((1 - 0.5 ** (1 / 6)) / 0.5 ** (1 / 6) * 3, rel=1e-9)
    clashes = pd.Series(np.r_[np.ones(3), np.zeros(57), np.ones(9), np.zeros(171)])
    fit = se.conditional_poisson(clashes, months)
    low, high = proportion_confint(3, 12, alpha=0.10, method="beta")
    assert fit["interval_90"] == pytest.approx([low / (1 - low) * 3, high / (1 - high) * 3])
    assert fit["interval_90"][0] < fit["estimate"] < fit["interval_90"][1]


def test_maps_are_the_model_factors():
    """A talks month's launch rate over a quiet one's is 1 - s_talks; a unit-drill month's over a
    no-drill month's is 1 + beta_JME (model/provocations.py, uncompiled)."""
    q = SimpleNamespace(talks_launch_suppression=0.7, launch_drill_effect=0.4)
    talks = provocations.talks_factor.py_func(q, 1.0) / provocations.talks_factor.py_func(q, 0.0)
    drill = (provocations.drill_factor.py_func(q, 1.0, True)
             / provocations.drill_factor.py_func(q, 0.0, True))
    assert se.suppression_from_ratio(talks) == pytest.approx(0.7)
    assert se.drill_effect_from_ratio(drill) == pytest.approx(0.4)
    assert se.ratio_from_drill_effect(0.4) == pytest.approx(drill)
    for r in (0.0, 0.3, 0.9):
        assert se.agreement_effect_from_ratio(se.ratio_from_agreement_effect(r)) == \
            pytest.approx(r)
    for g in (0.0, 0.5, 2.0):
        assert se.deescalation_gain_from_ratio(se.ratio_from_deescalation_gain(g)) == \
            pytest.approx(g)


def test_fit_until_uses_no_later_rows():
    """Every later month changed (launches, talks, drills, clashes, the agreement): the 2015 fit
    is bit-identical."""
    record = se.strategy_record()
    later = record["year"] > 2015
    changed = record.copy()
    changed.loc[later, "missiles"] = changed.loc[later, "missiles"] * 3 + 5
    changed.loc[later, "launch_days"] = changed.loc[later, "launch_days"] + 2
    changed.loc[later, "talks"] = 1 - changed.loc[later, "talks"]
    changed.loc[later, "drill"] = 2.0 - changed.loc[later, "drill"]
    changed.loc[later, ["clash", "clash_2020", "agreement"]] = 1
    before = se.strategy_evidence(2015, record)
    after = se.strategy_evidence(2015, changed)
    assert json.dumps(before, sort_keys=True) == json.dumps(after, sort_keys=True)
    assert all(row["basis_years"][1] <= 2015 for row in before["effects"])


@pytest.fixture(scope="module")
def full_record_fit() -> dict:
    return se.strategy_evidence()


def test_record_fit_is_finite_with_intervals_around_estimates(full_record_fit):
    rows = full_record_fit["effects"]
    main = {r["parameter"]: r for r in rows if r["variant"] == "main"}
    assert {"talks_launch_suppression", "launch_drill_effect", "military_agreement_effect",
            "talks_deescalation_gain", "crisis_management_effect"} <= set(main)
    for row in rows:
        assert row["verdict"] in (se.DATA_MOVE, se.STAYS)
        if row["estimate"] is None:
            assert row["verdict"] == se.STAYS and row["note"]
            continue
        low, high = row["interval_90"]
        assert math.isfinite(row["estimate"]) and math.isfinite(low)
        assert low <= row["estimate"] <= high
    assert full_record_fit["basis_years"] == [2006, 2025]
    # 6 clash months, none under the agreement: the interval spans no effect
    agreement = main["military_agreement_effect"]
    assert agreement["events"] == 6 and agreement["verdict"] == se.STAYS


def test_cli_json_has_the_documented_keys():
    res = runner.invoke(app, ["evidence", "strategies", "--until", "2012", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert {"fit_until", "basis_years", "confidence", "rule", "effects",
            "launch_model"} <= set(doc)
    assert doc["fit_until"] == 2012 and doc["basis_years"] == [2006, 2012]
    for row in doc["effects"]:
        assert {"parameter", "variant", "estimate", "interval_90", "null_value", "rate_ratio",
                "rate_ratio_interval_90", "prior_range", "n", "events", "basis_years",
                "verdict", "method", "mapping", "note"} <= set(row)


def test_cli_table_for_people():
    res = runner.invoke(app, ["evidence", "strategies", "--until", "2010"])
    assert res.exit_code == 0, res.output
    assert "talks_launch_suppression" in res.output and "Rule:" in res.output


def test_cli_refuses_a_cut_before_the_talks():
    res = runner.invoke(app, ["evidence", "strategies", "--until", "2006"])
    assert res.exit_code == 2
