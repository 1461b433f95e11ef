"""The outside drivers: alignment and great-power arms answer the world, not only the peninsula.

The mechanism functions are called directly (they pass with NUMBA_DISABLE_JIT=1); the spending
back-test runs on a small replay.
"""

from __future__ import annotations

import numpy as np
import pytest

from peninsula.analysis.outside_backtest import spending_backtest, training_growth
from peninsula.analysis.record import historical_levers, history_scenario
from peninsula.engine.inputs import parameter_record
from peninsula.model import alignment, arms_race
from peninsula.model.actors import CHN, JPN, ROK, RUS, USA
from peninsula.model.rates import memory_rate
from peninsula.scenario.schema import LEVERS, MECHANISMS, STATE_FIELDS

# today's drivers: the default start of a scenario (its [state]) and of the levers
R_REF = STATE_FIELDS["us_china_rivalry"].default
U_REF = STATE_FIELDS["russia_west_confrontation"].default


def settle(q, phi, rivalry, confrontation, on, a=0.6, months=600):
    """Alignment after ``months`` at a fixed shared threat ratio and fixed outside drivers."""
    a0 = alignment.baseline_logit(0.6)
    rate = memory_rate(q.alignment_months)
    for _ in range(months):
        a = alignment.alignment_step(
            q, a, alignment.driven_anchor(q, a0, rivalry, confrontation, R_REF, U_REF, on),
            alignment.peninsula_threat(q, phi, on), rate)
    return a


def test_levers_switch_and_reference_are_declared():
    assert "outside_drivers" in MECHANISMS
    for name in ("us_china_rivalry", "russia_west_confrontation"):
        field = LEVERS[name]
        assert field.low == 0.0 and field.high == 1.0
        # today's value, as at the default start: the baseline stays at rest
        assert field.default == STATE_FIELDS[name].default


def test_without_drills_alignment_stays_near_today_under_todays_drivers():
    q = parameter_record()
    phi_no_drills = 0.7  # the allies' threat to China and Russia below its reference
    old = settle(q, phi_no_drills, R_REF, U_REF, False)
    new = settle(q, phi_no_drills, R_REF, U_REF, True)
    assert abs(new - 0.6) < abs(old - 0.6) / 2.5  # scaled by the theatre share w_A = 0.3
    assert settle(q, 1.0, R_REF, U_REF, True) == pytest.approx(0.6, abs=1e-9)  # rest point


def test_theatre_share_scales_the_alliance_effect():
    q = parameter_record()
    w = q.alignment_peninsula_share
    for phi in (0.5, 1.4, 2.0):
        assert alignment.peninsula_threat(q, phi, True) - 1.0 == pytest.approx(w * (phi - 1.0))
        assert alignment.peninsula_threat(q, phi, False) == phi
    assert arms_race.peninsula_reaction(0.1, 0.25, True) == pytest.approx(0.025)
    assert arms_race.peninsula_reaction(0.1, 0.25, False) == 0.1
    assert arms_race.peninsula_reaction(0.1, 1.0, True) == 0.1  # the ROK, Japan, the DPRK


def test_outside_drivers_move_alignment_both_ways():
    q = parameter_record()
    calm = settle(q, 1.0, 0.1, 0.1, True)
    today = settle(q, 1.0, R_REF, U_REF, True)
    assert calm < today
    assert settle(q, 1.0, 0.1, U_REF, True) < today and settle(q, 1.0, R_REF, 0.1, True) < today


def test_switch_off_reproduces_the_old_functions():
    q = parameter_record()
    a0 = alignment.baseline_logit(0.6)
    rate = memory_rate(q.alignment_months)
    for phi in (0.6, 1.0, 1.7):
        old = alignment.alignment_step(q, 0.4, a0, phi, rate)
        new = alignment.alignment_step(q, 0.4, alignment.driven_anchor(q, a0, 0.1, 0.2, R_REF, U_REF, False),
                                       alignment.peninsula_threat(q, phi, False), rate)
        assert new == old
    for i in (USA, ROK, CHN, RUS):
        old = arms_race.arms_step(1.1, 1.3, 1.0, 0.1, 0.15)
        new = arms_race.driven_arms_step(
            1.1, 1.3, 1.0, arms_race.peninsula_reaction(0.1, 0.25, False), 0.15,
            arms_race.outside_push(q, i, 0.1, 0.2, R_REF, U_REF, False))
        assert new == old


def test_outside_push_only_for_the_great_powers_and_zero_at_reference():
    q = parameter_record()
    for i in (USA, ROK, JPN, CHN, RUS):
        assert arms_race.outside_push(q, i, R_REF, U_REF, R_REF, U_REF, True) == 0.0
    assert arms_race.outside_push(q, USA, 1.0, U_REF, R_REF, U_REF, True) > 0.0
    assert arms_race.outside_push(q, CHN, 0.2, U_REF, R_REF, U_REF, True) < 0.0
    assert arms_race.outside_push(q, RUS, R_REF, 0.2, R_REF, U_REF, True) < 0.0
    assert arms_race.outside_push(q, RUS, 1.0, U_REF, R_REF, U_REF, True) == 0.0
    assert arms_race.outside_push(q, ROK, 0.0, 0.0, R_REF, U_REF, True) == 0.0


def test_great_power_arms_rest_at_push_over_fatigue():
    q = parameter_record()
    push = arms_race.outside_push(q, RUS, R_REF, 0.5, R_REF, U_REF, True)
    y = 1.0
    for _ in range(2400):  # rivals on trend: sum_j W_ij y_j = Theta_ref
        y = arms_race.driven_arms_step(y, 1.0, 1.0, 0.1 * 0.25, q.arms_fatigue_per_year, push)
    assert y - 1.0 == pytest.approx(push / q.arms_fatigue_per_year, rel=1e-6)


def test_replay_levers_follow_the_outside_drivers_table():
    lv = historical_levers()
    rivalry, war = np.asarray(lv["us_china_rivalry"]), np.asarray(lv["russia_west_confrontation"])
    assert len(rivalry) == len(war) == 240
    assert np.all(np.diff(rivalry) >= 0) and np.all(np.diff(war) >= 0)
    assert rivalry[-1] == R_REF and war[-1] == U_REF  # end-2025 values are today's
    assert war[12 * 16 + 0] < 1.0 and war[12 * 16 + 1] == 1.0  # February 2022
    # the replay starts at rest under 2006's drivers, not today's
    state = history_scenario(24)["state"]
    assert state["us_china_rivalry"] == rivalry[0] == 0.1
    assert state["russia_west_confrontation"] == war[0] == 0.1


def test_the_drivers_move_outcomes_from_the_start_not_from_today():
    q = parameter_record()
    a0 = alignment.baseline_logit(0.3)
    # a start at 2006's drivers: at rest there, pulled up as the drivers rise to today's
    assert alignment.driven_anchor(q, a0, 0.1, 0.1, 0.1, 0.1, True) == a0
    assert alignment.driven_anchor(q, a0, R_REF, U_REF, 0.1, 0.1, True) > a0
    assert arms_race.outside_push(q, USA, 0.1, 0.1, 0.1, 0.1, True) == 0.0


def test_spending_backtest_small_run():
    g = training_growth()
    assert set(g) >= {"USA", "ROK", "JPN", "CHN", "RUS"} and g["CHN"] > g["JPN"]
    r = spending_backtest(runs=40, seed=3, horizon_years=4)
    assert r["years"] == [2007, 2008, 2009]
    for e in r["actors"].values():
        for key in ("male_outside_drivers_on", "male_outside_drivers_off", "male_naive_trend",
                    "male_persistence"):
            assert np.isfinite(e[key]) and e[key] >= 0.0
        assert len(e["outside_drivers_on"]) == len(e["observed"]) == 3
    assert r["mean_male_persistence"] > 0.0
