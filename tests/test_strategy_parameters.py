"""Strategy effects are parameters with sceptical priors (issue 23, items 1 and 2).

Every strategy has at least one parameter that sets its effect; each such parameter names its
null value (inside its range) and the side of it that helps, and a judgement prior keeps at
least 10% of its mass at no benefit. Flexible diplomacy's effects on the talks are parameters,
not constants: at their null values the flexible-diplomacy lever moves neither the talks-start
nor the talks-collapse hazard.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from typer.testing import CliRunner

from peninsula.cli import app
from peninsula.engine.inputs import parameter_record
from peninsula.engine.random import sample_param
from peninsula.model import diplomacy
from peninsula.report.faces import STRATEGIES as FACE_STRATEGIES
from peninsula.scenario.parameters import BY_NAME, REGISTRY, STRATEGIES, prior_cdf
from peninsula.scenario.schema import LEVERS

EFFECTS = [p for p in REGISTRY if p.strategy is not None]
TALKS_EFFECTS = ("talks_start_flexibility_gain", "talks_collapse_flexibility_cut")
MIN_P_NO_BENEFIT = 0.1  # issue 23: a prior no data inform keeps this much mass at no benefit


def test_the_strategies_are_the_four_strategy_levers():
    assert set(STRATEGIES) == set(FACE_STRATEGIES)
    assert set(STRATEGIES) <= set(LEVERS)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_every_strategy_has_a_parameter_setting_its_effect(strategy):
    assert any(p.strategy == strategy for p in EFFECTS)


@pytest.mark.parametrize("p", EFFECTS, ids=lambda p: p.name)
def test_a_strategy_effect_has_a_null_inside_its_range_and_a_sceptical_prior(p):
    assert p.low <= p.null_value <= p.high
    assert p.benefit in ("above", "below")
    assert p.basis and p.basis_years is not None
    if p.p_no_benefit < MIN_P_NO_BENEFIT:  # only data may move a prior off the null this far
        assert len(p.basis_years) == 2, f"{p.name}: p_no_benefit {p.p_no_benefit:.2f} needs data"
    if p.low < 0.0:  # harm is allowed: the description says what a negative value means
        assert "negative" in p.description


def test_judgement_priors_are_centred_on_no_effect():
    """The mode of a judgement prior is the null, unless the effect can only harm (its prior
    mass is all no benefit: relief that funds the programme, sized from published reports)."""
    for p in EFFECTS:
        if not p.basis_years and p.p_no_benefit < 1.0:
            assert p.value == p.null_value, p.name


@pytest.mark.parametrize("p", [p for p in REGISTRY if p.distribution != "fixed"],
                         ids=lambda p: p.name)
def test_the_prior_cdf_is_the_samplers_law(p):
    """F(sample_param(u)) = u: the CDF that p_no_benefit reads inverts the sampler's draw."""
    u = np.linspace(0.01, 0.99, 9)
    xs = sample_param(u, p.low, p.value, p.high, p.distribution)
    got = [prior_cdf(float(x), p.low, p.value, p.high, p.distribution) for x in xs]
    assert np.allclose(got, u, atol=1e-9)


def test_p_no_benefit_is_the_prior_mass_on_the_harmful_side():
    p = BY_NAME["talks_start_flexibility_gain"]  # triangular(-0.5, 0, 1.5), benefit above 0
    assert p.p_no_benefit == pytest.approx(0.25, abs=1e-12)
    harm = BY_NAME["relief_funding_effect"]  # funding the programme is harm only
    assert harm.benefit == "below" and harm.p_no_benefit == pytest.approx(1.0)


def test_flexible_diplomacy_moves_no_talks_hazard_at_the_null_values():
    q = parameter_record({name: BY_NAME[name].null_value for name in TALKS_EFFECTS})
    start, collapse, will, tension = 0.05, 0.05, 0.4, 0.3
    starts = {diplomacy.talks_start_exponent(q, start, will, f) for f in (0.0, 0.2, 0.6, 1.0)}
    ends = {diplomacy.talks_end_exponent(q, collapse, tension, f) for f in (0.0, 0.2, 0.6, 1.0)}
    assert len(starts) == 1 and len(ends) == 1


def test_the_former_fixed_law_is_a_value_inside_the_priors():
    """g_s = 1 and c_c = 0.5 give the former 0.5 + 0.5 f and 1 - 0.5 f exactly."""
    q = parameter_record({"talks_start_flexibility_gain": 1.0,
                          "talks_collapse_flexibility_cut": 0.5})
    for f in (0.0, 0.2, 0.7, 1.0):
        assert diplomacy.talks_start_exponent(q, 0.05, 0.4, f) == pytest.approx(
            -0.05 * 0.4 * (0.5 + 0.5 * f), rel=1e-12)
        assert diplomacy.talks_end_exponent(q, 0.05, 0.3, f) == pytest.approx(
            -0.05 * (0.5 + 0.3) * (1.0 - 0.5 * f), rel=1e-12)
    for name, former in (("talks_start_flexibility_gain", 1.0),
                         ("talks_collapse_flexibility_cut", 0.5)):
        assert BY_NAME[name].low <= former <= BY_NAME[name].high


@pytest.mark.parametrize("g_s", [-0.5, 0.0, 0.7, 1.5])
def test_the_effects_change_a_policy_never_the_status_quo(g_s):
    q = parameter_record({"talks_start_flexibility_gain": g_s,
                          "talks_collapse_flexibility_cut": g_s / 2})
    ref = diplomacy.REFERENCE_FLEXIBLE
    assert diplomacy.talks_start_factor(q, ref) == pytest.approx(
        diplomacy.START_FACTOR_REFERENCE, rel=1e-12)
    assert diplomacy.talks_collapse_factor(q, ref) == pytest.approx(
        diplomacy.COLLAPSE_FACTOR_REFERENCE, rel=1e-12)
    more = diplomacy.talks_start_factor(q, 1.0) - diplomacy.talks_start_factor(q, ref)
    assert math.copysign(1.0, more) == math.copysign(1.0, g_s) or g_s == 0.0 == more


def test_the_start_bound_bounds_every_willingness():
    q = parameter_record({"talks_start_flexibility_gain": 1.5})
    for f in (0.0, 0.5, 1.0):
        bound = diplomacy.talks_start_exponent_bound(q, 0.05, f)
        assert all(bound <= diplomacy.talks_start_exponent(q, 0.05, w, f)
                   for w in (0.0, 0.3, 1.0))


def test_parameters_json_has_the_strategy_fields():
    res = CliRunner().invoke(app, ["parameters", "--json"])
    assert res.exit_code == 0, res.output
    rows = {r["name"]: r for r in json.loads(res.output)}
    for r in rows.values():
        assert {"strategy", "null_value", "benefit", "p_no_benefit", "basis_years"} <= set(r)
    row = rows["talks_collapse_flexibility_cut"]
    assert row["strategy"] == "flexible_diplomacy" and row["null_value"] == 0.0
    assert row["p_no_benefit"] >= MIN_P_NO_BENEFIT and row["basis_years"] == []
    assert rows["threat_power_exponent"]["strategy"] is None
    assert rows["threat_power_exponent"]["p_no_benefit"] is None
    assert {r["strategy"] for r in rows.values()} - {None} == set(STRATEGIES)
