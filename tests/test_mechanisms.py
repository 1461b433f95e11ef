"""Properties of single mechanisms (docs/design.md), checked on the functions themselves."""

import numpy as np
import pytest

from peninsula.model import (
    alignment,
    arms_race,
    beliefs,
    cohesion,
    deterrence,
    diplomacy,
    economy,
    escalation,
    nuclear_programme,
    threat,
)
from peninsula.model.actors import ACTORS, CHN, PRK, RUS, USA
from peninsula.scenario.parameters import REGISTRY

N = 4


def P(**over):
    """Point parameter values for N runs, with overrides."""
    out = {p.name: np.full(N, p.value) for p in REGISTRY}
    out.update({k: np.full(N, float(v)) for k, v in over.items()})
    return out


def v(x):
    return np.full(N, float(x))


ALL_ON = {m: True for m in ("nuclear_programme", "bloc_support", "misperception",
                            "crisis_management", "preemption")}


def test_six_actors():
    assert ACTORS == ("USA", "ROK", "JPN", "PRK", "CHN", "RUS")


def test_summits_raise_cohesion_and_grievance_shocks_lower_it():
    p, c = P(), v(0.6)
    none = cohesion.cohesion_step(c, v(0), v(0), v(0), v(0), p)
    summit = cohesion.cohesion_step(c, v(1), v(0), v(0), v(0), p)
    shock = cohesion.cohesion_step(c, v(0), v(1), v(0), v(0), p)
    assert np.all(summit > none) and np.all(shock < none)
    assert np.allclose(summit - none, 0.25 * 0.4)  # gain x (1 - c)
    assert np.allclose(none - shock, 0.1)  # grievance_shock_size


def _threat(posture_allies=0.0, md=0.0, drill=0.0, clarity=0.0, comm=0.0, forum=0.0,
            trust=0.3, p=None):
    p = p or P()
    base = np.full((N, 6), 0.5)
    posture = threat.alliance_posture(base, v(drill), v(md), v(0), v(clarity), p)
    posture[:, :3] += posture_allies
    cap = np.tile(np.array([250.0, 48, 55, 4, 190, 37]), (N, 1))
    tr = np.full((N, 6, 6), trust)
    return threat.perceived_threat(cap, posture, tr, p, v(comm), v(forum))


def test_drills_raise_dprk_and_russian_threat_perception():
    calm, drill = _threat(), _threat(drill=2.0)
    assert np.all(drill[:, PRK].sum(1) > calm[:, PRK].sum(1))
    assert np.all(drill[:, RUS].sum(1) > calm[:, RUS].sum(1))
    # Russia's encirclement sensitivity: its threat from allies rises more, relatively.
    rise = lambda i: (drill[:, i, :3].sum(1) / calm[:, i, :3].sum(1))  # noqa: E731
    assert np.all(rise(RUS) > rise(CHN))


def test_deployments_weigh_more_than_drills_of_the_same_size():
    calm, md, drill = _threat(), _threat(md=1.0), _threat(drill=1.0)
    assert np.all(md[:, PRK].sum(1) > drill[:, PRK].sum(1))
    assert np.all(drill[:, PRK].sum(1) > calm[:, PRK].sum(1))


def test_clarity_lowers_how_offensive_drills_read_and_forums_hotlines_lower_threat():
    assert np.all(_threat(drill=2, clarity=1)[:, PRK].sum(1) < _threat(drill=2)[:, PRK].sum(1))
    for i in (CHN, RUS):
        assert np.all(_threat(comm=1)[:, i].sum(1) < _threat()[:, i].sum(1))
        assert np.all(_threat(forum=1)[:, i].sum(1) < _threat()[:, i].sum(1))
    # hotlines lower China's and Russia's threat, not the DPRK's
    np.testing.assert_allclose(_threat(comm=1)[:, PRK], _threat()[:, PRK])


def test_kydd_trust_falls_monotonically_after_each_observed_arming():
    trust = 0.6
    history = [trust]
    for _ in range(10):  # P(arm | greedy) = 0.7 > P(arm | security seeker) = 0.4
        trust = beliefs.bayes_update(trust, 0.4, 0.7)
        history.append(trust)
    assert all(b < a for a, b in zip(history, history[1:], strict=False))
    # log-odds form used by the engine gives the same posterior
    z = beliefs.logit(np.array(0.6)) + 10 * np.log(0.4 / 0.7)
    assert beliefs.expit(z) == pytest.approx(history[-1], rel=1e-9)


def test_richardson_mutual_reaction_drives_joint_growth():
    # two rivals reacting to each other (W off-diagonal); a shock to one raises both
    w = np.zeros((N, 6, 6))
    w[:, PRK, USA] = 1.0
    w[:, USA, PRK] = 1.0
    ref = np.ones((N, 6))  # Theta^ref = 1: T is then W itself
    level = np.ones((N, 6))
    level[:, PRK] = 1.2
    coupled, uncoupled = level.copy(), level.copy()
    for _ in range(60):
        coupled = arms_race.arms_step(coupled, w, ref, v(0.3), v(0.15))
        uncoupled = arms_race.arms_step(uncoupled, w, ref, v(0.0), v(0.15))
    assert np.all(coupled[:, USA] > 1.01) and np.allclose(uncoupled[:, USA], 1.0)
    assert np.all(coupled[:, PRK] > uncoupled[:, PRK])
    # k > a with mutual weights 1: runaway (Richardson instability a*b < k*l)
    run = level.copy()
    for _ in range(240):
        run = arms_race.arms_step(run, w, ref, v(0.4), v(0.15))
    assert np.all(run[:, PRK] > 2.0)


def test_credibility_up_lowers_deliberate_aggression():
    p = P()
    low = deterrence.deliberate_hazard(v(0.2), p)
    high = deterrence.deliberate_hazard(v(0.7), p)
    assert np.all(high[0] < low[0]) and np.all(high[1] < low[1])
    cred = deterrence.credibility(v(3.0), v(0.8), v(0.0), p)
    assert np.allclose(cred, 0.75 * 0.8 * 0.8)  # balance/(1+balance) x cohesion x resolve


def test_dprk_capability_monotone_in_investment_and_slowed_by_deals():
    p, n = P(), v(50)
    g = lambda rho, talks: nuclear_programme.capability_step(  # noqa: E731
        n, v(rho), v(0.5), v(talks), v(0.5), p, ALL_ON)
    assert np.all(g(1.5, 0) > g(1.0, 0)) and np.all(g(1.0, 0) > g(0.5, 0))
    assert np.all(g(1.0, 1) < g(1.0, 0))


def test_alignment_rises_with_shared_threat_and_feeds_dprk_growth():
    p = P()
    a0 = beliefs.logit(np.array(0.5))
    up = alignment.alignment_step(v(0.5), a0, v(1.5), p)
    flat = alignment.alignment_step(v(0.5), a0, v(1.0), p)
    assert np.all(up > flat) and np.allclose(flat, 0.5)
    fast = nuclear_programme.capability_step(v(50), v(1), v(0.5), v(0), v(0.9), p, ALL_ON)
    slow = nuclear_programme.capability_step(v(50), v(1), v(0.5), v(0), v(0.1), p, ALL_ON)
    assert np.all(fast > slow)
    leak_hi = alignment.effective_sanctions(v(1), v(0.9), v(0), v(0), p)
    leak_lo = alignment.effective_sanctions(v(1), v(0.1), v(0), v(0), p)
    assert np.all(leak_hi < leak_lo)


def test_polarization_high_only_when_both_blocs_cohesive():
    assert alignment.polarization(0.9, 0.9) > 0.85
    assert alignment.polarization(0.9, 0.1) < 0.31 and alignment.polarization(0.1, 0.9) < 0.31


def test_cornered_pressure_without_offers_lowers_willingness_offramps_restore_it():
    p = P()
    low = diplomacy.willingness(v(-0.2), v(0), v(0), p)
    high = diplomacy.willingness(v(0.4), v(0), v(0), p)
    offered = diplomacy.willingness(v(0.4), v(1), v(0), p)
    assert np.all(high < low) and np.all(offered > high)
    off = diplomacy.willingness(v(0.4), v(0), v(0), p, cornered=False)
    assert np.all(off > high)


def test_supply_chain_disruption_grows_with_escalation_level():
    targets = [economy.supply_chain_step(np.zeros(1), np.array([lvl]))[0] for lvl in range(7)]
    assert all(b >= a for a, b in zip(targets, targets[1:], strict=False))
    assert targets[6] > targets[3] > targets[0] == 0.0


def test_sustained_crisis_lowers_gdp():
    p = P()
    flows = {}
    for lvl in (0, 3, 4):
        flow, sc = np.zeros((N, 6)), np.zeros(N)
        levels = np.full(N, lvl)
        for _ in range(24):
            sc = economy.supply_chain_step(sc, levels)
            flow = economy.flow_loss_step(flow, levels, sc, np.zeros((N, 6)), p)
        flows[lvl] = flow
    assert np.all(flows[4] > flows[3]) and np.all(flows[3][:, 1] > 0) and np.all(flows[0] == 0)


def test_misperception_noise_raises_crisis_to_clash_moves():
    n = 200_000
    rng = np.random.default_rng(1)
    u, z = rng.random(n), rng.standard_normal(n)
    level = np.full(n, escalation.CRISIS, dtype=np.int8)

    def clashes(noise):
        p = {k: np.full(n, val[0]) for k, val in P(misperception_noise=noise).items()}
        new, *_ = escalation.ladder_step(level, u, z, np.full(n, 0.5), np.ones(n), np.full(n, .2),
                                         np.full(n, .6), np.full(n, .5), np.full(n, .2),
                                         np.zeros(n), np.zeros(n), np.zeros(n), np.ones(n), p,
                                         {"misperception": True, "crisis_management": True,
                                          "preemption": True})
        return (new == escalation.CLASH).mean()

    assert clashes(1.0) > clashes(0.5) > clashes(0.0)


def test_preemption_hazard_needs_high_threat_and_low_trust():
    n = 200_000
    rng = np.random.default_rng(2)
    u, z = rng.random(n), np.zeros(n)
    level = np.full(n, escalation.CRISIS, dtype=np.int8)
    p = {k: np.full(n, val[0]) for k, val in P(preemption_per_month=0.05).items()}
    flags = {"misperception": False, "crisis_management": True, "preemption": True}

    def clash(rho, trust):
        new, *_ = escalation.ladder_step(level, u, z, np.full(n, 0.5), np.full(n, rho),
                                         np.full(n, trust), np.full(n, .6), np.full(n, .5),
                                         np.full(n, .2), np.zeros(n), np.zeros(n), np.zeros(n),
                                         np.ones(n), p, flags)
        return (new == escalation.CLASH).mean()

    assert clash(2.0, 0.05) > clash(1.0, 0.05) + 0.02
    assert clash(2.0, 0.05) > clash(2.0, 0.9) + 0.02


def test_hawkes_launch_process_is_stationary_with_mean_base_over_one_minus_n():
    from peninsula.engine.random import RunStreams
    from peninsula.model import provocations

    runs, months = 4000, 240
    p = {k: val[:1].repeat(runs) for k, val in P(launch_base_rate_per_year=12.0,
                                                   launch_branching_ratio=0.4).items()}
    flags = {"drill_provocation": True, "self_excitation": True}
    rng = RunStreams(3, np.arange(runs))
    excitation, counts = np.zeros(runs), np.zeros((runs, months))
    for t in range(months):
        lam = provocations.launch_rate(np.ones(runs), np.zeros(runs), np.zeros(runs), excitation,
                                       p, flags)
        counts[:, t] = rng.poisson(t, 0, lam)
        excitation = provocations.excitation_step(excitation, counts[:, t], p)
    expected = 1.0 / (1 - 0.4)  # 12/yr base = 1/month, branching ratio 0.4
    late = counts[:, 60:].mean()
    assert abs(late - expected) < 0.03  # sd of this mean ~ 0.005
    # clustering: months after a launch month see more launches than after a quiet month
    after = counts[:, 61:][counts[:, 60:-1] > 0].mean()
    quiet = counts[:, 61:][counts[:, 60:-1] == 0].mean()
    assert after > 1.1 * quiet
