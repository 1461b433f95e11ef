"""The launch process's testing-campaign regime, yearly frailty and forced replay
(model/provocations.py, engine/kernel.py): properties on the functions and on the engine."""

import math

import numba
import numpy as np
import pytest

from conftest import ensemble
from peninsula.engine.inputs import parameter_record
from peninsula.model import provocations
from peninsula.model.events import EVENT_INDEX

CAMPAIGN = {"campaign_entry_per_year": 0.4, "campaign_mean_months": 18.0,
            "campaign_intensity": 3.0, "campaign_announcement_effect": 4.0}


@numba.njit
def _steps(q, state, announcement, uniforms):
    out = np.empty(len(uniforms), dtype=np.bool_)
    for t in range(len(uniforms)):
        state = provocations.campaign_next(q, state, announcement, uniforms[t])
        out[t] = state
    return out


def chain(q, months: int, announcement: float, seed: int) -> np.ndarray:
    """The regime month by month, as the kernel steps it (campaign_next on one uniform)."""
    rng = np.random.default_rng(seed)
    state = bool(rng.uniform() < provocations.campaign_share(q))
    return _steps(q, state, announcement, rng.uniform(size=months))


def test_campaign_probabilities_follow_their_equations():
    q = parameter_record(CAMPAIGN)
    p_in = provocations.campaign_entry_probability(q, 0.0)
    assert p_in == pytest.approx(1 - math.exp(-0.4 / 12))
    assert provocations.campaign_entry_probability(q, 1.0) == pytest.approx(
        1 - math.exp(-0.4 / 12 * 5.0))
    p_out = provocations.campaign_exit_probability(q)
    assert p_out == pytest.approx(1 - math.exp(-1 / 18))
    pi0 = provocations.campaign_share(q)
    assert pi0 == pytest.approx(p_in / (p_in + p_out))
    # mean-preserving at rest: pi0 * campaign + (1 - pi0) * quiet = 1, campaign = 4 x quiet
    assert (pi0 * provocations.campaign_factor(q) + (1 - pi0) * provocations.quiet_factor(q)
            == pytest.approx(1.0))
    assert provocations.campaign_factor(q) == pytest.approx(4.0 * provocations.quiet_factor(q))


def test_the_regime_spends_its_stationary_share_in_campaigns_and_announcements_raise_it():
    q = parameter_record(CAMPAIGN)
    rest = chain(q, 600_000, 0.0, 1)
    pi0 = provocations.campaign_share(q)
    # the chain's share: correlated months, effective n ~ 600000 / 25; allow 5 of its se
    se = math.sqrt(pi0 * (1 - pi0) / (600_000 / 25))
    assert abs(rest.mean() - pi0) < 5 * se
    # mean length of campaigns ~ 1 / p_out
    starts = np.flatnonzero(rest[1:] & ~rest[:-1])
    ends = np.flatnonzero(~rest[1:] & rest[:-1])
    lengths = ends[ends > starts[0]][: len(starts) - 1] - starts[: len(ends[ends > starts[0]])][
        : len(starts) - 1]
    assert np.mean(lengths) == pytest.approx(1 / provocations.campaign_exit_probability(q),
                                             rel=0.1)
    announced = chain(q, 200_000, 1.0, 2)
    assert announced.mean() > rest.mean() + 0.1
    zero = parameter_record({**CAMPAIGN, "campaign_announcement_effect": 0.0})
    assert chain(zero, 200_000, 1.0, 2).mean() == pytest.approx(pi0, abs=0.03)


def test_frailty_has_mean_one_and_its_log_the_stated_spread():
    q = parameter_record({"launch_frailty_sd": 0.7})
    z = np.random.default_rng(3).standard_normal(400_000)
    f = np.array([provocations.frailty(q, x) for x in z[:50_000]])
    assert f.mean() == pytest.approx(1.0, abs=4 * f.std() / math.sqrt(len(f)))
    assert np.std(np.log(f)) == pytest.approx(0.7, rel=0.02)
    assert provocations.frailty(parameter_record({"launch_frailty_sd": 0.0}), 1.3) == 1.0


def yearly(sets: tuple[str, ...], runs: int = 3000, seed: int = 5) -> np.ndarray:
    _, res = ensemble(("mechanisms.self_excitation=false", "mechanisms.posture_threat=false",
                       *sets), runs=runs, seed=seed, horizon=120, monthly=False)
    return res.launches_by_year


def dispersion(counts: np.ndarray) -> float:
    """Mean over runs of the variance / mean of a run's yearly counts."""
    return float(np.mean(np.var(counts, axis=1, ddof=1) / np.maximum(counts.mean(axis=1), 1e-9)))


def test_regime_and_frailty_overdisperse_yearly_counts_and_keep_the_mean():
    off = yearly(("mechanisms.testing_campaign=false", "mechanisms.launch_frailty=false"))
    regime = yearly(("mechanisms.launch_frailty=false", "parameters.campaign_intensity=4"))
    frail = yearly(("mechanisms.testing_campaign=false", "parameters.launch_frailty_sd=1.0"))
    d_off, d_reg, d_fr = dispersion(off), dispersion(regime), dispersion(frail)
    assert d_reg > 2.0 * d_off and d_fr > 2.0 * d_off
    # mean-preserving mechanisms (at rest, no announcement): equal means within 5 se
    for other in (regime, frail):
        a, b = off.mean(axis=1), other.mean(axis=1)
        assert abs(a.mean() - b.mean()) < 5 * math.hypot(a.std() / math.sqrt(len(a)),
                                                         b.std() / math.sqrt(len(b)))


def test_an_announced_programme_raises_launches_through_the_regime_only():
    base = ("mechanisms.launch_frailty=false",)
    quiet = yearly(base).mean()
    announced = yearly(base + ("levers.programme_announcement=1",)).mean()
    assert announced > 1.2 * quiet
    no_regime = base + ("mechanisms.testing_campaign=false",)
    assert yearly(no_regime + ("levers.programme_announcement=1",)).mean() == yearly(
        no_regime).mean()


def test_zero_effect_parameters_reproduce_the_switched_off_process_exactly():
    off = yearly(("mechanisms.testing_campaign=false", "mechanisms.launch_frailty=false"), 500)
    on = yearly(("parameters.campaign_intensity=0", "parameters.launch_frailty_sd=0"), 500)
    np.testing.assert_array_equal(on, off)


def test_forced_launches_replace_the_draws_and_feed_the_excitation():
    months = [0.0] * 12 + [5.0, 0.0, 7.0] + [-1.0] * 9
    days = [0.0] * 12 + [2.0, 0.0, -1.0] + [-1.0] * 9
    _, res = ensemble((f"levers.launches_override={months}",
                       f"levers.launch_days_override={days}", "mechanisms.launch_frailty=false",
                       "mechanisms.testing_campaign=false"), runs=2000, horizon=24,
                      monthly=False, events=True)
    ev = res.events[:, :, EVENT_INDEX["missile_launch"]]
    assert (ev[:, :12] == 0).all() and (ev[:, 12] == 5).all() and (ev[:, 13] == 0).all()
    assert (ev[:, 14] == 7).all()
    assert (res.launch_days_by_year[:, 1] >= 2 + 7).all()  # 2 given, then one missile a day
    _, free = ensemble(("mechanisms.launch_frailty=false", "mechanisms.testing_campaign=false",
                        f"levers.launches_override={[0.0] * 15 + [-1.0] * 9}"),
                       runs=2000, horizon=24, monthly=False, events=True)
    after = slice(15, 24)
    free_ev = free.events[:, after, EVENT_INDEX["missile_launch"]].sum(axis=1)
    forced_ev = ev[:, after].sum(axis=1)
    # 12 forced missiles excite later launches: more after them than after none
    assert forced_ev.mean() > free_ev.mean() + 4 * math.hypot(
        forced_ev.std(), free_ev.std()) / math.sqrt(2000)
