"""The registry of what is reported (analysis/registry.py): every declared metric, rung and lever
is worded, probabilities read as percent with one decimal, and keys are the package's own."""

from __future__ import annotations

import math

import pytest

from peninsula.analysis import registry as R
from peninsula.analysis.metrics import (
    FINAL_METRICS,
    HORIZON_METRICS,
    PROBABILITIES,
    metric_names,
    outcome_columns,
)
from peninsula.scenario.schema import LEVEL_NAMES, LEVERS


def test_every_declared_metric_rung_and_lever_has_a_row_of_wording():
    assert R.unworded() == []


def test_the_wording_tables_word_only_declared_names():
    # a row for a name nobody declares is a stale label (rungs may be worded ahead of the ladder)
    assert set(R.METRIC_WORDS) == {k for k, _ in HORIZON_METRICS + FINAL_METRICS}
    assert set(R.LEVER_WORDS) == set(LEVERS)
    assert set(LEVEL_NAMES) <= set(R.RUNG_WORDS)


def test_the_registry_lists_exactly_the_declared_keys():
    assert list(R.METRICS) == [k for k, _ in PROBABILITIES] + [
        k for k, _ in HORIZON_METRICS + FINAL_METRICS]
    assert list(R.LEVER_ENTRIES) == list(LEVERS)


@pytest.mark.parametrize("name", metric_names([1, 5, 10]))
def test_every_metric_a_study_can_ask_for_has_a_label_unit_and_meaning(name):
    e = R.metric(name)
    assert e.label and e.unit and e.meaning and e.direction in (-1, 0, 1)
    assert "_" not in e.label  # words, not a code name


def test_every_per_run_outcome_column_has_a_label():
    cols = [c for c in outcome_columns([1, 5, 10], 10) if c != "run"]
    labels = R.column_labels(cols)
    assert set(labels) == set(cols)
    assert all("_" not in text for text in labels.values())


def test_a_probability_is_named_from_its_rung_and_horizon():
    war = R.metric("p_war_10y")
    assert war.label == "P(war or worse) within 10 years"
    assert war.with_unit() == "P(war or worse) within 10 years (%)"
    assert R.metric("p_clash_1y").label == "P(armed clash or worse) within 1 year"
    top = R.metric(f"{PROBABILITIES[-1][0]}_5y")  # the top rung has nothing worse
    assert "or worse" not in top.label
    assert war.direction == R.LOWER_IS_BETTER and war.is_probability


def test_a_new_rung_is_worded_from_the_rung_table():
    assert R.rung_of("clash") == "armed_clash"
    assert R.rung_of("hostilities") == "hostilities"
    p = R.probability_entry("p_hostilities", "hostilities")
    assert p.label == "P(sustained hostilities or worse)"
    assert R.rung_label("armed_clash") == "Armed clash"


def test_probabilities_read_as_percent_with_one_decimal():
    war = R.metric("p_war_10y")
    assert war.format(0.02345) == "2.3%"
    assert war.format(0.0) == "0.0%"
    assert war.format(0.0002) == "<0.1%"  # never a nonzero chance shown as zero
    assert war.format(0.99999) == ">99.9%"
    assert war.format(None) == "-" and war.format(math.nan) == "-"
    assert war.format_difference(-0.00123) == "-0.1 pp"
    assert war.format_interval(0.01, 0.034) == "1.0% to 3.4%"
    assert war.format_interval(-0.004, 0.01, difference=True) == "-0.4 to +1.0 pp"
    assert war.format_estimate({"mean": 0.02, "p05": 0.01, "p95": 0.03}) == \
        "2.0% [1.0% to 3.0%]"
    assert war.format_estimate({"mean": -0.02, "p05": -0.03, "p95": -0.01}, difference=True,
                               unit=False) == "-2.0 [-3.0 to -1.0]"
    assert war.with_unit(short=True, difference=True) == "P(war), 10y (pp)"


def test_other_metrics_use_their_digits_and_units():
    ksi = R.metric("stability_index")
    assert ksi.format(63.2678) == "63.3" and ksi.format(63.2678, unit=True) == \
        "63.3 points 0-100"
    assert ksi.format_difference(-1.62) == "-1.6"
    assert ksi.direction == R.HIGHER_IS_BETTER
    assert R.metric("stability_index_10y").label == "Korean Stability Index at 10 years"
    assert R.metric("first_war_month").unit == "month"


def test_levers_are_found_with_or_without_their_section():
    e = R.lever("levers.exercise_intensity")
    assert e is R.lever("exercise_intensity") is R.entry("levers.exercise_intensity")
    assert e.label == "Joint military exercises" and e.kind == "lever"
    assert R.label("levers.summit_frequency_per_year") == "Trilateral summits (a year)"


def test_unknown_names_are_refused_or_put_in_words():
    with pytest.raises(KeyError):
        R.metric("no_such_metric")
    assert R.label("parameters.deterrence_elasticity") == "deterrence elasticity"
    assert R.column_labels(["point", "p_war_10y"]) == {
        "p_war_10y": "P(war or worse) within 10 years (%)"}


def test_the_lookup_for_data_frames_gives_labels_or_none():
    assert R.label_for("p_war_5y") == "P(war or worse) within 5 years (%)"
    assert R.label_for("levers.exercise_intensity") == "Joint military exercises (x normal)"
    assert R.label_for("point") is None


def test_every_statistic_is_worded_with_a_symbol_and_a_meaning():
    for key, s in R.STATISTICS.items():
        assert s.key == key and s.symbol and s.label and s.meaning
        assert "_" not in s.label + s.symbol  # words, not the key
        assert s.direction in (-1, 0, 1)
    assert R.statistic("mu_star").named == "Mean absolute effect (\u03bc*)"
    assert R.statistic("ST").with_unit() == "Total-effect index (ST), share of variance"
    assert R.statistic("crps").direction == R.LOWER_IS_BETTER
    assert R.statistic_label("ST_conf") == "± 95%" and R.statistic_label("S1") == "S1"
    with pytest.raises(KeyError, match="no_such"):
        R.statistic("no_such")


def test_every_sensitivity_index_a_method_reports_has_an_entry():
    from peninsula.analysis.sensitivity import MAIN_INDEX
    from peninsula.report.sensitivity_plot import MAIN_INDEX as DRAWN

    assert DRAWN == MAIN_INDEX
    for index in ("mu_star", "mu", "sigma", "S1", "ST", "delta", "feature_score"):
        assert index in R.STATISTICS


def test_the_validation_page_names_metrics_and_scores_from_the_registry():
    from peninsula.report import validation_doc as V

    expert = V.expert_section({"expert_reference": {
        "scenario": "crisis-2017", "runs": 50, "seed": 1, "estimates": [],
        "p_war": {"1": 0.0123}, "p_war_interval_90": {"1": [0.004, 0.03]},
        "p_clash": {"1": 0.4}}})
    assert "| horizon (years) | P(war or worse) [90% interval] | P(armed clash or worse) |" \
        in expert
    assert "| 1 | 1.2% [0.4% to 3.0%] | 40.0% |" in expert
    row = {"widened": None, "prior": None, "posterior_median": {"clash_to_war_per_month": 0.4},
           "p_clash": 0.5, "p_war": 0.1234, "p_war_90": [0.1, 0.15]}
    prior = V.prior_sensitivity_section({
        "horizon_years": 10, "train_until": 2019, "draws": 200, "scenario": "baseline",
        "runs": 50, "rows": [row, {**row, "widened": "clash_to_war_per_month",
                                   "p_war": 0.2}]})
    assert "| P(clash), 10y | P(war), 10y [90% interval] |" in prior
    assert "| 50.0% | 12.3% [10.0% to 15.0%] |" in prior
    assert "moves P(war) most: from 12.3% to 20.0%" in prior
    for name, key in (("CRPS", "crps"), ("LOG_SCORE", "log_score"), ("COVER_90", "coverage_90")):
        assert getattr(V, name) == R.statistic(key).symbol
