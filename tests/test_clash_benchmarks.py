"""The armed-clash back-test's benchmarks, scores and low-rate verdict on hand-checked cases."""

import math

import numpy as np
import pandas as pd
import pytest

from peninsula.analysis.backtest import (
    CLASH_BENCHMARKS,
    LOW_CLASH_RATES,
    binary_scores,
    clash_scores_from,
    low_rate_verdict,
)
from peninsula.analysis.scoring import log_score_binary

YEARS = list(range(2006, 2026))
TRAIN_UNTIL = 2015
# replayed years 2006-2015: 4 clash years (0.40); held out 2016-2025: none
OBSERVED = np.array([0, 0, 0, 1, 1, 0, 0, 0, 1, 1] + [0] * 10)
# training period 1990-2015: 11 clash years of 26
TRAINING = pd.Series([1] * 7 + [0] * 9 + OBSERVED[:10].tolist(), index=range(1990, 2016))
RUNS = 200


def scores(in_sample: np.ndarray, held_out: np.ndarray, observed: np.ndarray = OBSERVED) -> dict:
    """The clash back-test of a model whose runs have a clash in ``k`` of RUNS each year."""
    k = np.concatenate([in_sample, held_out]).astype(int)
    return clash_scores_from(YEARS, observed, k, RUNS, TRAINING, TRAIN_UNTIL)


def tracking(held_out_k: int) -> dict:
    """A model that tracks the replayed years (0.9 in clash years, 0.1 in quiet ones)."""
    return scores(np.where(OBSERVED[:10] == 1, 180, 20), np.full(10, held_out_k))


def test_binary_scores_by_hand():
    # the project's sign: -log p of what happened, lower is better
    assert log_score_binary(0.07, False) == pytest.approx(0.0726, abs=5e-5)
    assert log_score_binary(0.25, True) == pytest.approx(math.log(4))
    quiet = binary_scores(0.07, 0.07, np.zeros(10))
    assert quiet["log_score"] == pytest.approx(-math.log(0.93))
    assert quiet["brier"] == pytest.approx(0.0049) and quiet["mean_p"] == pytest.approx(0.07)
    mixed = binary_scores(0.4, 0.4, [1, 0, 0, 0, 1])
    assert mixed["log_score"] == pytest.approx((2 * -math.log(0.4) + 3 * -math.log(0.6)) / 5)
    assert mixed["brier"] == pytest.approx((2 * 0.36 + 3 * 0.16) / 5)
    assert binary_scores(0.5, 0.5, []) is None


def test_every_benchmark_scored_in_sample_and_held_out_with_hand_values():
    c = scores(np.full(10, 14), np.full(10, 14))  # the model at 0.07 every year
    assert set(c["benchmarks"]) == {b.name for b in CLASH_BENCHMARKS} >= {
        "training_rate", "last_10_years_rate", "constant_0.07", "constant_0.02",
        "model_replay_mean", "replayed_years_rate"}
    b = c["benchmarks"]
    assert b["constant_0.07"]["held_out"]["log_score"] == pytest.approx(0.0726, abs=5e-5)
    assert b["constant_0.02"]["held_out"]["log_score"] == pytest.approx(-math.log(0.98))
    assert b["constant_0.07"]["in_sample"]["log_score"] == pytest.approx(
        (4 * -math.log(0.07) + 6 * -math.log(0.93)) / 10)
    # training rate: 11 of 26, log-score probability (11 + 1/2) / 27
    assert b["training_rate"]["probability"] == pytest.approx(11 / 26)
    assert b["training_rate"]["held_out"]["log_score"] == pytest.approx(-math.log(1 - 11.5 / 27))
    assert b["training_rate"]["held_out"]["brier"] == pytest.approx((11 / 26) ** 2)
    # last ten years 2006-2015: 4 of 10; the oracle constant on the replayed years: the same
    for name in ("last_10_years_rate", "replayed_years_rate"):
        assert b[name]["in_sample"]["brier"] == pytest.approx(0.24)
        assert b[name]["in_sample"]["log_score"] == pytest.approx(
            (4 * -math.log(4.5 / 11) + 6 * -math.log(6.5 / 11)) / 10)
    assert b["model_replay_mean"]["probability"] == pytest.approx(0.07)
    assert b["model_replay_mean"]["log_probability"] == pytest.approx(140.5 / 2001)
    assert c["model"]["held_out"]["log_score"] == pytest.approx(-math.log(1 - 14.5 / 201))
    assert c["periods"]["in_sample"] == {"years": [2006, 2015], "n_years": 10, "clash_years": 4,
                                         "record_rate": 0.4, "model_mean_p": pytest.approx(0.07)}
    assert c["periods"]["held_out"]["record_rate"] == 0.0
    # the former keys keep their meaning: held-out scores of the model and the two rates
    assert set(c["scores"]) == {"model", "training_rate", "last_10_years_rate"}
    assert c["scores"]["training_rate"]["log_score"] == b["training_rate"]["held_out"]["log_score"]
    assert c["scores"]["model"]["log_score"] == c["model"]["held_out"]["log_score"]


def test_benchmarks_use_no_held_out_year():
    base = scores(np.full(10, 14), np.full(10, 14))
    other = scores(np.full(10, 14), np.full(10, 150), OBSERVED + np.r_[np.zeros(10), np.ones(10)]
                   .astype(int))
    for name in base["benchmarks"]:
        assert other["benchmarks"][name]["probability"] == base["benchmarks"][name]["probability"]
        assert other["benchmarks"][name]["in_sample"] == base["benchmarks"][name]["in_sample"]
        assert other["benchmarks"][name]["held_out"] != base["benchmarks"][name]["held_out"]


def test_uniformly_low_model_wins_held_out_and_is_flagged():
    c = scores(np.full(10, 6), np.full(10, 6))  # 0.03 every year
    checks = c["verdict_checks"]
    assert checks["beats_training_rate"] and checks["model_below_half_record_rate"]
    assert checks["low_constants_as_good"] == ["constant_0.02"]  # 0.0202 against 0.034
    assert c["low_rate_artefact"] is True and "low-rate artefact" in c["verdict"]


def test_low_constant_alone_flags_a_model_that_tracks_the_replay():
    c = tracking(10)  # 0.05 held out: the fixed 0.02 scores better there
    assert c["periods"]["in_sample"]["model_mean_p"] == pytest.approx(0.42)
    assert not c["verdict_checks"]["model_below_half_record_rate"]
    assert c["verdict_checks"]["low_constants_as_good"] == ["constant_0.02"]
    assert c["low_rate_artefact"] is True


def test_model_tracking_the_replay_and_beating_the_low_constants_is_not_flagged():
    c = tracking(1)  # 1.5 / 201 held out: log score 0.0075, below the fixed 0.02's 0.0202
    assert c["verdict_checks"]["beats_training_rate"]
    assert c["verdict_checks"]["low_constants_as_good"] == []
    assert c["low_rate_artefact"] is False and "not a low-rate artefact" in c["verdict"]


def test_no_win_no_flag():
    c = scores(np.full(10, 6), np.full(10, 120))  # 0.6 held out: worse than the training rate
    assert not c["verdict_checks"]["beats_training_rate"]
    assert c["verdict_checks"]["model_below_half_record_rate"]
    assert c["low_rate_artefact"] is False and "no win" in c["verdict"]


def test_rule_boundaries():
    def s(log: float, mean_p: float = 0.3) -> dict:
        return {"log_score": log, "brier": 0.0, "mean_p": mean_p}

    def bench(low_log: float) -> dict:
        out = {b.name: {"probability": 0.1, "in_sample": s(1.0), "held_out": s(0.5)}
               for b in CLASH_BENCHMARKS}
        for p in LOW_CLASH_RATES:
            out[f"constant_{p:g}"]["held_out"] = s(low_log)
        return out

    # a low constant exactly as good as a model whose held-out rate is low: flagged ("at least
    # as well"); the training rate is 0.1, so "low" is a held-out mean under 0.05
    assert low_rate_verdict({"in_sample": s(1, 0.3), "held_out": s(0.1, 0.049)}, bench(0.1),
                            0.4)["low_rate_artefact"]
    assert not low_rate_verdict({"in_sample": s(1, 0.3), "held_out": s(0.1, 0.049)},
                                bench(0.11), 0.4)["low_rate_artefact"]
    # a low constant as good, but the model's held-out rate is not low: a quiet decade, no
    # artefact of the model's, and the verdict says the held-out years cannot show skill
    v = low_rate_verdict({"in_sample": s(1, 0.3), "held_out": s(0.1, 0.05)}, bench(0.1), 0.4)
    assert not v["low_rate_artefact"] and "cannot show skill" in v["verdict"]
    # in-sample mean exactly half the record's rate: not under half
    assert not low_rate_verdict({"in_sample": s(1, 0.2), "held_out": s(0.1)}, bench(0.11),
                                0.4)["low_rate_artefact"]
    assert low_rate_verdict({"in_sample": s(1, 0.199), "held_out": s(0.1)}, bench(0.11),
                            0.4)["low_rate_artefact"]
