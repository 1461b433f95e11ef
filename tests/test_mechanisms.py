"""Properties of single mechanisms (docs/design.md), checked on the functions themselves.

Every mechanism is a scalar function compiled with Numba (model/compiled.py); the engine's kernel
(engine/kernel.py) calls these very functions, and so do these tests, with one run's parameters
as a record ``q`` (engine/inputs.parameter_record). Where the kernel combines several functions
(the threat matrix, the arms race, the ladder, the launch process) the helpers below combine them
the same way. The tests also pass with NUMBA_DISABLE_JIT=1, when the functions run as plain
Python.
"""

import math

import numba
import numpy as np
import pytest
from scipy import stats

from peninsula.engine.inputs import parameter_record, reference_record
from peninsula.engine.random import normal, normal_radius, normal_radius_upper, poisson
from peninsula.model import (
    alignment,
    arms_race,
    beliefs,
    bounds,
    cohesion,
    concessions,
    deterrence,
    diplomacy,
    economy,
    escalation,
    nuclear_programme,
    provocations,
    reference,
    threat,
)
from peninsula.model.actors import ACTORS, CHN, JPN, N_ACTORS, PRK, PROXIMITY, ROK, RUS, USA
from peninsula.model.escalation import (
    CALM,
    CLASH,
    CRISIS,
    HOSTILITIES,
    NUCLEAR,
    PROVOCATION,
    RHETORIC,
    WAR,
)
from peninsula.model.rates import memory_rate, per_month, probability
from peninsula.scenario.parameters import BY_NAME

ALLIES = (USA, ROK, JPN)
# strategy effects on the beneficial side of their priors (the former modes): the mechanisms'
# direction is tested given an effect, since the priors are centred on no effect
BENEFICIAL_EFFECTS = {"clarity_drill_discount": 0.5, "forum_threat_reduction": 0.15,
                      "hotline_threat_reduction": 0.15, "communication_signal_effect": 0.4,
                      "belief_reassurance_log_lr": 0.15, "belief_talks_log_lr": 0.3}


def test_six_actors():
    assert ACTORS == ("USA", "ROK", "JPN", "PRK", "CHN", "RUS")


# --- cohesion ---------------------------------------------------------------------------------


def test_summits_raise_cohesion_and_grievance_shocks_lower_it():
    q = parameter_record({"summit_cohesion_gain": 0.25, "grievance_shock_size": 0.1})
    decay, intel_gain = per_month(q.cohesion_decay_per_year), per_month(
        q.intelligence_cohesion_gain_per_year)

    def step(summit, grievance):
        return cohesion.cohesion_step(q, 0.6, summit, grievance, 0.0, 0.0, decay, intel_gain)

    none, summit, shock = step(0.0, 0.0), step(1.0, 0.0), step(0.0, 1.0)
    assert summit > none > shock
    assert summit - none == pytest.approx(0.25 * 0.4, abs=1e-12)  # gain x (1 - c)
    assert none - shock == pytest.approx(0.1, abs=1e-12)  # grievance_shock_size


# --- balance of threat ------------------------------------------------------------------------

CAPABILITY = (250.0, 48.0, 55.0, 4.0, 190.0, 37.0)  # C_j, USD bn in theatre (USA ... RUS)


def threat_matrix(q, drill=0.0, md=0.0, clarity=0.0, comm=0.0, forum=0.0, trust=0.3, base=0.5):
    """T_ij (6 x 6) as engine/kernel.py forms it (phase 1): every actor's base posture 0.5, the
    capabilities above (spending = C_j, theatre share 1, no technology gain), DPRK capability at
    its start, the same trust in every entry."""
    drill_eff = threat.effective_drill(q, drill, clarity)
    extra = threat.alliance_posture_extra(q, drill_eff, md, 0.0)
    cap = [threat.capability(CAPABILITY[j], 1.0, 1.0, j) for j in range(N_ACTORS)]
    total = sum(cap)
    forum_c, hotline_c = threat.forum_cut(q, forum), threat.hotline_cut(q, comm)
    t = np.zeros((N_ACTORS, N_ACTORS))
    for j in range(N_ACTORS):
        posture_j = threat.posture(j, base, extra, 1.0, True)
        power = threat.power_term(cap[j], total, q.threat_power_exponent)
        for i in range(N_ACTORS):
            observed = threat.observed_posture(i, j, posture_j, q.russia_encirclement_sensitivity)
            t[i, j] = threat.perceived(i, power, PROXIMITY[i, j], q.threat_offense_weight,
                                       observed, trust, forum_c, hotline_c)
    return t


def test_threat_matrix_helper_follows_the_documented_formula():
    # one entry by hand: T_RUS,USA = P^alpha * prox * (1 + beta * O * s_RUS) * (1 - trust) * cuts
    q = parameter_record({"threat_power_exponent": 0.5, "threat_offense_weight": 1.0,
                          "drill_offense_weight": 0.25, "russia_encirclement_sensitivity": 1.5,
                          "forum_threat_reduction": 0.15, "hotline_threat_reduction": 0.15})
    t = threat_matrix(q, drill=2.0, comm=1.0, forum=1.0)
    o_usa = 0.5 + 0.25 * 2.0  # base + w_d * d (no clarity)
    want = ((250.0 / 584.0) ** 0.5 * PROXIMITY[RUS, USA] * (1 + 1.0 * o_usa * 1.5) * 0.7
            * (1 - 0.15) * (1 - 0.15))
    assert t[RUS, USA] == pytest.approx(want, rel=1e-12)
    assert np.all(np.diag(t) == 0.0)  # no actor threatens itself (proximity 0)


def test_drills_raise_dprk_and_russian_threat_perception():
    q = parameter_record()
    calm, drill = threat_matrix(q), threat_matrix(q, drill=2.0)
    assert drill[PRK].sum() > calm[PRK].sum()
    assert drill[RUS].sum() > calm[RUS].sum()

    # Russia's encirclement sensitivity: its threat from the allies rises more, relatively.
    def rise(i):
        return drill[i, :3].sum() / calm[i, :3].sum()

    assert rise(RUS) > rise(CHN) > 1.0


def test_deployments_weigh_more_than_drills_of_the_same_size():
    q = parameter_record()
    calm, md, drill = threat_matrix(q), threat_matrix(q, md=1.0), threat_matrix(q, drill=1.0)
    assert md[PRK].sum() > drill[PRK].sum() > calm[PRK].sum()


def test_clarity_lowers_how_offensive_drills_read_and_forums_hotlines_lower_threat():
    q = parameter_record(BENEFICIAL_EFFECTS)
    calm = threat_matrix(q)
    assert threat_matrix(q, drill=2, clarity=1)[PRK].sum() < threat_matrix(q, drill=2)[PRK].sum()
    for i in (CHN, RUS):
        assert threat_matrix(q, comm=1)[i].sum() < calm[i].sum()
        assert threat_matrix(q, forum=1)[i].sum() < calm[i].sum()
    # hotlines lower China's and Russia's threat, not the DPRK's
    np.testing.assert_array_equal(threat_matrix(q, comm=1)[PRK], calm[PRK])


def test_posture_extra_only_when_threatening_and_dprk_posture_grows_with_capability():
    assert threat.posture(USA, 0.5, 0.3, 1.0, True) == pytest.approx(0.8, abs=1e-15)
    assert threat.posture(USA, 0.5, 0.3, 1.0, False) == 0.5
    assert threat.posture(CHN, 0.5, 0.3, 4.0, True) == 0.5
    assert threat.posture(PRK, 0.5, 0.3, 4.0, True) == pytest.approx(1.0, abs=1e-15)  # sqrt(4)


# --- beliefs ----------------------------------------------------------------------------------


def bayes_posterior(prior, p_given_s, p_given_g):
    """Bayes' rule: P(S | a) = prior P(a|S) / (prior P(a|S) + (1 - prior) P(a|G))."""
    return prior * p_given_s / (prior * p_given_s + (1.0 - prior) * p_given_g)


@pytest.mark.parametrize("prior", [0.05, 0.3, 0.6, 0.95])
@pytest.mark.parametrize(("p_s", "p_g"), [(0.4, 0.7), (0.7, 0.4), (0.1, 0.9), (0.5, 0.5)])
def test_update_log_odds_without_memory_is_bayes_rule(prior, p_s, p_g):
    z = beliefs.update_log_odds(beliefs.logit(prior), math.log(p_s / p_g), 0.3, 0.0)
    assert beliefs.expit(z) == pytest.approx(bayes_posterior(prior, p_s, p_g), rel=1e-12)


def test_kydd_trust_falls_monotonically_after_each_observed_arming():
    # P(arm | greedy) = 0.7 > P(arm | security seeker) = 0.4: each arming lowers trust (Kydd 1997)
    z, trust = beliefs.logit(0.6), 0.6
    history, bayes = [trust], [trust]
    for _ in range(10):
        z = beliefs.update_log_odds(z, math.log(0.4 / 0.7), 0.0, 0.0)
        history.append(beliefs.expit(z))
        bayes.append(bayes_posterior(bayes[-1], 0.4, 0.7))
    assert all(b < a for a, b in zip(history, history[1:], strict=False))
    np.testing.assert_allclose(history, bayes, rtol=1e-9)


def test_update_log_odds_reverts_to_the_anchor_with_rate_one_over_tau():
    tau, z0, anchor = 24.0, 2.0, -1.0
    z = z0
    for month in range(1, 61):
        z = beliefs.update_log_odds(z, 0.0, anchor, memory_rate(tau))
        assert z == pytest.approx(anchor + (1 - 1 / tau) ** month * (z0 - anchor), abs=1e-12)
    # the anchor of reference.py makes the starting belief a rest point under constant evidence
    q = parameter_record({"belief_memory_months": tau})
    start, ev = beliefs.logit(0.4), -0.05
    rest_anchor = reference.belief_anchor(q, start, ev)
    assert beliefs.update_log_odds(start, ev, rest_anchor, memory_rate(tau)) == pytest.approx(
        start, abs=1e-12)
    # no evidence and no memory: the belief stays exactly
    assert beliefs.update_log_odds(0.7, 0.0, -3.0, 0.0) == 0.7


def test_update_log_odds_clips_at_z_max():
    z_max = beliefs.Z_MAX  # the log-odds of the clipping bound 1 - EPS
    assert z_max == pytest.approx(math.log((1 - beliefs.EPS) / beliefs.EPS), rel=1e-12)
    assert beliefs.update_log_odds(0.0, 100.0, 0.0, 0.0) == beliefs.Z_MAX
    assert beliefs.update_log_odds(0.0, -100.0, 0.0, 0.0) == -beliefs.Z_MAX
    assert beliefs.update_log_odds(beliefs.Z_MAX, 1.0, beliefs.Z_MAX, 0.1) == beliefs.Z_MAX
    assert beliefs.update_log_odds(1.0, 0.5, 1.0, 0.0) == 1.5  # inside the bounds: no clip
    assert beliefs.expit(beliefs.Z_MAX) == pytest.approx(1 - beliefs.EPS, abs=1e-15)
    assert beliefs.logit(1.0) == pytest.approx(beliefs.Z_MAX, rel=1e-12)  # logit clips too


def test_evidence_category_marks_exactly_the_documented_pairs():
    cat = beliefs.EVIDENCE_CATEGORY
    want = np.full((N_ACTORS, N_ACTORS), beliefs.NO_EVIDENCE)
    for ally in ALLIES:
        want[CHN, ally] = want[RUS, ally] = beliefs.BLOC_SEES_ALLIES  # drills, deployments
        want[PRK, ally] = beliefs.PRK_SEES_ALLIES  # the same, plus talks
        want[ally, PRK] = beliefs.ALLIES_SEE_PRK  # launches, talks
    want[ROK, CHN] = beliefs.ROK_SEES_CHN  # coercion of the ROK
    want[JPN, CHN] = beliefs.JPN_SEES_CHN  # coercion of Japan
    np.testing.assert_array_equal(cat, want)
    assert sorted({beliefs.NO_EVIDENCE, beliefs.BLOC_SEES_ALLIES, beliefs.PRK_SEES_ALLIES,
                   beliefs.ALLIES_SEE_PRK, beliefs.ROK_SEES_CHN, beliefs.JPN_SEES_CHN}) == list(
        range(beliefs.N_CATEGORIES))  # six distinct categories
    np.testing.assert_array_equal(beliefs.EVIDENCE_ENTRIES, np.flatnonzero(want))
    assert len(beliefs.EVIDENCE_ENTRIES) == 14


def trust_change(q, i, j, posture_threat=True, drill=0.0, md=0.0, infra=0.0, comm=0.0, forum=0.0,
                 launches=0.0, talks=0.0, coerced_rok=0.0, coerced_jpn=0.0, trust=0.4,
                 expected=0.0, costly=False):
    """Trust_ij after one month of this evidence minus before, as the kernel updates beliefs
    (phase 4), with the anchor at the current belief so that only the evidence moves it
    (the cheap-talk rule unless costly; expected: the rest launch rate)."""
    ev = beliefs.evidence(q, drill, md, infra, comm, forum, launches, talks, coerced_rok,
                          coerced_jpn, posture_threat, expected, costly)
    z = beliefs.logit(trust)
    new = beliefs.update_log_odds(z, ev[beliefs.EVIDENCE_CATEGORY[i, j]], z,
                                  memory_rate(q.belief_memory_months))
    return beliefs.expit(new) - trust


def test_evidence_drills_lower_bloc_and_dprk_trust_in_the_allies_unless_posture_is_benign():
    q = parameter_record(BENEFICIAL_EFFECTS)
    for i in (CHN, RUS, PRK):
        for j in ALLIES:
            assert trust_change(q, i, j, drill=1.0) < -1e-3
            assert trust_change(q, i, j, md=1.0) < -1e-4
            assert trust_change(q, i, j, drill=1.0, posture_threat=False) == 0.0
            assert trust_change(q, i, j, comm=1.0, forum=1.0) > 1e-3  # cheap talk raises it
    for i, j in ((USA, PRK), (ROK, CHN), (JPN, CHN), (CHN, PRK), (PRK, CHN), (CHN, RUS)):
        assert trust_change(q, i, j, drill=1.0) == 0.0  # not seen as the allies' posture

    # the documented terms: -l_d * d_eff * (1 - c_c comm) - l_p * (md + infra) * (1 - c_c comm)
    q = parameter_record({**BENEFICIAL_EFFECTS, "belief_drill_log_lr": 0.25,
                          "belief_posture_log_lr": 0.04, "communication_signal_effect": 0.4,
                          "belief_reassurance_log_lr": 0.15})

    def bloc(drill, comm=0.0, forum=0.0):
        return beliefs.evidence(q, drill, 1.0, 1.0, comm, forum, 0.0, 0.0, 0.0, 0.0,
                                True, 0.0, False)[beliefs.BLOC_SEES_ALLIES]

    assert bloc(1.0) == pytest.approx(-(0.25 + 0.04 * 2), abs=1e-15)
    assert bloc(1.0, comm=1.0) == pytest.approx(-(0.25 + 0.04 * 2) * 0.6 + 0.15 / 2, abs=1e-15)
    # clear signals (d_eff) and hotlines make the same drill cost less trust (Jervis 1978)
    assert bloc(1.0, comm=1.0) - bloc(0.0, comm=1.0) == pytest.approx(-0.25 * 0.6, abs=1e-15)
    assert bloc(threat.effective_drill(q, 1.0, 1.0)) > bloc(1.0)


def test_evidence_launches_lower_the_allies_trust_in_the_dprk_only():
    q = parameter_record({"belief_launch_log_lr": 0.06})
    for i in ALLIES:
        assert trust_change(q, i, PRK, launches=3.0) < -1e-3
    for i, j in ((PRK, USA), (CHN, USA), (ROK, CHN)):
        assert trust_change(q, i, j, launches=3.0) == 0.0
    ev = beliefs.evidence(q, 0.0, 0.0, 0.0, 0.0, 0.0, 3.0, 0.0, 0.0, 0.0, True, 0.0, True)
    assert ev[beliefs.ALLIES_SEE_PRK] == pytest.approx(-3 * 0.06, abs=1e-15)  # -l_l * launches


def test_evidence_talks_raise_trust_both_ways():
    q = parameter_record(BENEFICIAL_EFFECTS)
    for ally in ALLIES:
        assert trust_change(q, PRK, ally, talks=1.0) > 1e-3
        assert trust_change(q, ally, PRK, talks=1.0) > 1e-3
    for i, j in ((CHN, USA), (RUS, JPN), (ROK, CHN)):
        assert trust_change(q, i, j, talks=1.0) == 0.0


def test_evidence_coercion_lowers_the_targets_trust_in_china():
    q = parameter_record()
    assert trust_change(q, ROK, CHN, coerced_rok=1.0) < -1e-3
    assert trust_change(q, JPN, CHN, coerced_rok=1.0) == 0.0
    assert trust_change(q, JPN, CHN, coerced_jpn=1.0) < -1e-3
    assert trust_change(q, ROK, CHN, coerced_jpn=1.0) == 0.0
    assert trust_change(q, USA, CHN, coerced_rok=1.0, coerced_jpn=1.0) == 0.0
    for costly in (False, True):
        assert beliefs.evidence(q, 1.0, 1.0, 1.0, 1.0, 1.0, 5.0, 1.0, 1.0, 1.0, True, 2.0,
                                costly)[beliefs.NO_EVIDENCE] == 0.0


# --- arms race --------------------------------------------------------------------------------


def arms_month(levels, w, reaction, fatigue):
    """One month of the arms race as the kernel runs it (phase 5): sum_j T_ij y_j of last
    month's levels, here with T = W and Theta^ref = 1."""
    return [arms_race.arms_step(levels[i], sum(w[i, j] * levels[j] for j in range(N_ACTORS)),
                                1.0, reaction, fatigue) for i in range(N_ACTORS)]


def test_richardson_mutual_reaction_drives_joint_growth():
    # two rivals reacting to each other (W off-diagonal); a shock to one raises both
    w = np.zeros((N_ACTORS, N_ACTORS))
    w[PRK, USA] = w[USA, PRK] = 1.0
    level = [1.0] * N_ACTORS
    level[PRK] = 1.2
    coupled, uncoupled = list(level), list(level)
    for _ in range(60):
        coupled = arms_month(coupled, w, 0.3, 0.15)
        uncoupled = arms_month(uncoupled, w, 0.0, 0.15)
    assert coupled[USA] > 1.01 and uncoupled[USA] == pytest.approx(1.0, abs=1e-12)
    assert coupled[PRK] > uncoupled[PRK]
    # k > a with mutual weights 1: runaway (Richardson instability a*b < k*l)
    run = list(level)
    for _ in range(240):
        run = arms_month(run, w, 0.4, 0.15)
    assert run[PRK] > 2.0
    # arms never fall below the floor
    assert arms_race.arms_step(0.06, 0.0, 1.0, 5.0, 0.15) == arms_race.ARMS_FLOOR


# --- deterrence, DPRK capability, alignment ---------------------------------------------------


def test_credibility_up_lowers_deliberate_aggression():
    q = parameter_record({"alliance_resolve": 0.8})
    attack = per_month(q.deliberate_aggression_rate_per_year)
    low = deterrence.deliberate_hazards(q, attack, 0.2, True)
    high = deterrence.deliberate_hazards(q, attack, 0.7, True)
    assert high[0] < low[0] and high[1] < low[1]
    # without deterrence credibility counts as zero
    assert deterrence.deliberate_hazards(q, attack, 0.7, False) == (attack, q.deliberate_war_per_month)
    cred = deterrence.credibility(q, 3.0, 0.8, 0.0, 0.0, True)
    assert cred == pytest.approx(0.75 * 0.8 * 0.8, abs=1e-12)  # balance/(1+balance) x cohesion x resolve
    # drills raise resolve through the drill memory, only when deterrence is on
    assert deterrence.credibility(q, 3.0, 0.8, 0.5, 0.0, True) > cred
    assert deterrence.credibility(q, 3.0, 0.8, 0.5, 0.0, False) == pytest.approx(cred, abs=1e-15)


def test_dprk_capability_monotone_in_investment_and_slowed_by_deals():
    q = parameter_record()
    growth = per_month(q.dprk_capability_growth_per_year)

    def g(rho, talks):
        return nuclear_programme.capability_step(q, 50.0, rho, 0.5, talks, 0.5, growth, True)

    assert g(1.5, 0) > g(1.0, 0) > g(0.5, 0) > 50.0
    assert g(1.0, 1) < g(1.0, 0)


def test_alignment_rises_with_shared_threat_and_feeds_dprk_growth():
    q = parameter_record()
    a0 = alignment.baseline_logit(0.5)
    rate = memory_rate(q.alignment_months)
    up = alignment.alignment_step(q, 0.5, a0, alignment.shared_threat(1.5, 1.5), rate)
    flat = alignment.alignment_step(q, 0.5, a0, alignment.shared_threat(1.0, 1.0), rate)
    assert up > flat and flat == pytest.approx(0.5, abs=1e-12)
    growth = per_month(q.dprk_capability_growth_per_year)
    fast = nuclear_programme.capability_step(q, 50.0, 1.0, 0.5, 0.0, 0.9, growth, True)
    slow = nuclear_programme.capability_step(q, 50.0, 1.0, 0.5, 0.0, 0.1, growth, True)
    assert fast > slow
    leak_hi = alignment.effective_sanctions(q, 1.0, 0.9, 0.0, 0.0, True)
    leak_lo = alignment.effective_sanctions(q, 1.0, 0.1, 0.0, 0.0, True)
    assert leak_hi < leak_lo


def test_polarization_high_only_when_both_blocs_cohesive():
    assert alignment.polarization(0.9, 0.9) > 0.85
    assert alignment.polarization(0.9, 0.1) < 0.31 and alignment.polarization(0.1, 0.9) < 0.31


# --- diplomacy --------------------------------------------------------------------------------


def test_cornered_pressure_without_offers_lowers_willingness_offramps_restore_it():
    # off-ramps at effects inside their priors' beneficial side (the former modes)
    q = parameter_record({"offer_willingness_gain": 1.5, "offramp_effect": 0.6})
    w0, ref = diplomacy.baseline_logit(q), reference.reference_pressure(reference_record())
    trust = diplomacy.REFERENCE_TRUST_PRK_USA

    def will(excess, offer, cornered=True):
        return diplomacy.willingness(q, w0, ref + excess, ref, offer, trust, cornered)

    low, high, offered = will(-0.2, 0.0), will(0.4, 0.0), will(0.4, 1.0)
    assert high < low and offered > high
    assert will(0.4, 0.0, cornered=False) > high
    assert will(0.0, 0.0) == pytest.approx(q.willingness_baseline, abs=1e-12)  # w_0 at reference
    # at the null of both offer effects, offers change nothing
    q = parameter_record({"offer_willingness_gain": 0.0, "offramp_effect": 0.0})
    assert will(0.4, 1.0) == pytest.approx(will(0.4, 0.0), abs=1e-12)


# --- economy ----------------------------------------------------------------------------------


def test_supply_chain_disruption_grows_with_escalation_level():
    targets = [economy.supply_chain_step(0.0, economy.SUPPLY_CHAIN_TARGET[lvl]) for lvl in range(7)]
    assert all(b >= a for a, b in zip(targets, targets[1:], strict=False))
    assert targets[6] > targets[3] > targets[0] == 0.0


def test_sustained_crisis_lowers_gdp():
    q = parameter_record()
    keep = economy.gap_retention(q)
    flows = {}
    for lvl in (0, 3, 4):
        flow, sc = [0.0] * N_ACTORS, 0.0
        for _ in range(24):  # as the kernel's phase 6, at a fixed rung, without coercion
            sc = economy.supply_chain_step(sc, economy.SUPPLY_CHAIN_TARGET[lvl])
            flow = [economy.flow_loss_step(q, flow[i], keep, economy.CHILL_PCT_PER_MONTH[lvl], sc,
                                           economy.EXPOSURE[i], 0.0) for i in range(N_ACTORS)]
        flows[lvl] = np.array(flow)
    assert np.all(flows[4] > flows[3]) and flows[3][ROK] > 0 and np.all(flows[0] == 0)


# --- escalation ladder ------------------------------------------------------------------------

LADDER_STATE = dict(tension=0.5, cohesion=0.6, intel=0.5, comm=0.2, talks=0.0)


def crisis_step(q, rho, trust, misperception=True, preemption=True):
    """The crisis rung's step as the kernel's exact path takes it, as a function of the month's
    misperception draw z and uniform u, with the old test's state (tension 0.5, cohesion 0.6,
    intelligence 0.5, hotlines 0.2, no talks, no deliberate aggression, DPRK capability at its
    start). The terms that do not depend on z are formed once."""
    s = LADDER_STATE
    f_t = escalation.tension_factor(escalation.tension_exponent(q, s["tension"]))
    sigma = escalation.misperception_scale(q, s["intel"], s["comm"])
    cm = escalation.crisis_management(s["cohesion"], s["intel"], s["comm"], True)
    pre = escalation.preemption_hazard(q, rho, trust) if preemption else 0.0
    down = escalation.down_hazard(q, CRISIS, cm, s["talks"])

    def step(z, u):
        m = escalation.misperception_factor(sigma, z) if misperception else 1.0
        up, jump = escalation.up_hazards(q, CRISIS, f_t, m, s["intel"], cm, 0.0, 0.0, pre, 1.0,
                                         0.0, True)
        return escalation.next_rung(u, CRISIS, up, jump, down, True)

    return step


def test_misperception_errs_both_ways_and_leaves_the_mean_hazard_unchanged():
    """Two-sided, mean-preserving noise (Jervis 1976): m = exp(sigma z - sigma^2 / 2) has mean
    1, lowers the hazard in some months and raises it in others, so the crisis -> clash rate
    stays where it is without noise (p = 1 - exp(-h m) is concave in m, so noise can only lower
    it, by a second-order amount) while the months' hazards spread."""
    z = np.random.default_rng(1).standard_normal(200_000)
    for sigma in (0.25, 0.5, 1.0):
        m = np.array([escalation.misperception_factor(sigma, v) for v in z[:50_000]])
        assert abs(m.mean() - 1.0) < 4 * m.std() / math.sqrt(len(m))
        assert np.mean(m < 1.0) > 0.5  # the median, exp(-sigma^2 / 2), lies below the mean
        assert np.std(np.log(m)) == pytest.approx(sigma, rel=0.02)
    # the upper bound used by the fast path holds for every draw with the Box-Muller radius
    u1 = np.random.default_rng(2).random(20_000)
    u2 = np.random.default_rng(3).random(20_000)
    for a, b in zip(u1.tolist(), u2.tolist(), strict=True):
        zz = normal(normal_radius(a), b)
        assert escalation.misperception_factor(0.7, zz) <= escalation.misperception_bound(
            0.7, normal_radius_upper(a))
    n = 20_000
    rng = np.random.default_rng(1)
    u, zs = rng.random(n).tolist(), rng.standard_normal(n).tolist()  # common draws

    def clashes(noise):
        step = crisis_step(parameter_record({"misperception_noise": noise}), 1.0, 0.2)
        return sum(step(zs[k], u[k]) == CLASH for k in range(n)) / n

    none, full = clashes(0.0), clashes(1.0)
    # about 0.009 either way; the old one-sided form (1 + sigma |z|) gave 0.015 at sigma 1
    assert abs(full - none) < 0.0015


def test_stability_instability_paradox_emboldens_attacks_and_deters_war():
    """A larger arsenal raises the deliberate attack hazard and lowers the deliberate war hazard
    (Snyder 1965); both factors are 1 at the reference stock, 1 with zero elasticities, and the
    fast path's bounds hold."""
    q = parameter_record({"paradox_attack_elasticity": 0.4, "paradox_war_elasticity": 0.6})
    at_ref = deterrence.paradox_factors(q, deterrence.log_capability_ratio(50.0))
    assert at_ref == (1.0, 1.0)
    small = deterrence.paradox_factors(q, deterrence.log_capability_ratio(10.0))
    large = deterrence.paradox_factors(q, deterrence.log_capability_ratio(200.0))
    assert large[0] == pytest.approx(4.0 ** 0.4) and large[1] == pytest.approx(4.0 ** -0.6)
    assert small[0] < 1.0 < large[0] and small[1] > 1.0 > large[1]
    zero = parameter_record({"paradox_attack_elasticity": 0.0, "paradox_war_elasticity": 0.0})
    assert deterrence.paradox_factors(zero, deterrence.log_capability_ratio(300.0)) == (1.0, 1.0)
    for n in np.exp(np.linspace(np.log(1.0), np.log(2000.0), 400)):
        log_n = deterrence.log_capability_ratio(float(n))
        f, b = deterrence.paradox_factors(q, log_n), deterrence.paradox_bounds(q, log_n)
        assert f[0] <= b[0] and f[1] <= b[1]


def test_allied_preemption_needs_high_allied_threat_and_low_trust_in_the_dprk():
    """The allies' pre-emption (the ROK's Kill Chain): small when the ROK's threat ratio is at
    rest or its trust in the DPRK high, near h_ap when threatened and distrustful; 0 at h_ap 0."""
    q = parameter_record({"allied_preemption_per_month": 0.02})
    hot = escalation.allied_preemption_hazard(q, 2.0, 0.05)
    assert hot == pytest.approx(0.02 * 0.95 / (1 + math.exp(-5.0)))
    assert escalation.allied_preemption_hazard(q, 1.0, 0.05) < 0.01 * hot
    assert escalation.allied_preemption_hazard(q, 2.0, 0.9) < 0.11 * hot
    off = parameter_record({"allied_preemption_per_month": 0.0})
    assert escalation.allied_preemption_hazard(off, 2.5, 0.0) == 0.0


def test_preemption_hazard_needs_high_threat_and_low_trust():
    q = parameter_record({"preemption_per_month": 0.05})
    u = ((np.arange(20_000) + 0.5) / 20_000).tolist()  # a fine grid of the month's uniform

    def clash(rho, trust):
        step = crisis_step(q, rho, trust, misperception=False)
        return np.mean([step(0.0, x) >= CLASH for x in u])  # an incident or hostilities

    assert clash(2.0, 0.05) > clash(1.0, 0.05) + 0.02
    assert clash(2.0, 0.05) > clash(2.0, 0.9) + 0.02
    assert escalation.preemption_hazard(q, 1.5, 0.0) == pytest.approx(0.025, abs=1e-15)  # at rho*


def test_next_rung_shares_one_uniform_between_competing_moves():
    u = (np.arange(20_000) + 0.5) / 20_000
    up, jump, down = 0.1, 0.05, 0.3
    for incidents, jumped in ((True, CLASH), (False, HOSTILITIES)):
        moves = np.array([escalation.next_rung(x, PROVOCATION, up, jump, down, incidents)
                          for x in u])
        for rung, p in ((CRISIS, probability(up)), (jumped, probability(jump)),
                        (RHETORIC, probability(down))):
            assert np.mean(moves == rung) == pytest.approx(p, abs=1e-4)  # grid resolution 5e-5
        assert np.all(moves[u < probability(up)] == CRISIS)  # up first, then the jump, then down
    assert escalation.next_rung(0.0, NUCLEAR, 5.0, 5.0, 5.0, True) == NUCLEAR  # absorbing
    assert escalation.next_rung(0.0, WAR, 0.0, 0.0, 5.0, True) == CRISIS  # armistice
    assert escalation.next_rung(0.0, HOSTILITIES, 0.0, 0.0, 5.0, True) == CRISIS  # ceasefire
    assert escalation.next_rung(0.99, CALM, 0.0, 0.0, 0.0, True) == CALM
    # from crisis the way up is an incident, or hostilities with contained incidents off
    assert escalation.next_rung(0.0, CRISIS, 1.0, 0.0, 0.0, True) == CLASH
    assert escalation.next_rung(0.0, CRISIS, 1.0, 0.0, 0.0, False) == HOSTILITIES
    assert escalation.next_rung(0.0, CRISIS, 0.0, 1.0, 0.0, True) == HOSTILITIES  # a first strike


def test_an_incident_lasts_one_month_and_turns_into_hostilities_with_its_probability():
    u = (np.arange(20_000) + 0.5) / 20_000
    up = 0.2
    moves = np.array([escalation.next_rung(x, CLASH, up, 0.0, 0.0, True) for x in u])
    assert set(np.unique(moves)) == {CRISIS, HOSTILITIES}  # never stays: a point event
    assert np.mean(moves == HOSTILITIES) == pytest.approx(probability(up), abs=1e-4)
    q = parameter_record()
    s = LADDER_STATE
    cm = escalation.crisis_management(s["cohesion"], s["intel"], s["comm"], True)
    up0, _ = escalation.up_hazards(q, CLASH, 1.0, 1.0, s["intel"], 0.0, 0.0, 0.0, 0.0, 1.0,
                                   0.0, True)
    up1, _ = escalation.up_hazards(q, CLASH, 1.0, 1.0, s["intel"], cm, 0.0, 0.0, 0.0, 1.0,
                                   0.0, True)
    assert up0 == pytest.approx(q.incident_to_hostilities_per_month)
    assert up1 == pytest.approx(up0 * (1 - q.crisis_management_effect * cm))  # CM restrains it
    assert escalation.down_hazard(q, CLASH, cm, 0.0) == 0.0
    # the grey-zone hazard leads from provocation to an incident only with the switch on
    assert escalation.grey_zone_hazard(q, 2.0, 1.5, 0.5, True) == pytest.approx(
        q.provocation_to_incident_per_month * 1.5)
    assert escalation.grey_zone_hazard(q, 2.0, 1.5, 0.5, False) == 0.0


HAZARD_PARAMETERS = ("provocation_to_crisis_per_month", "crisis_to_clash_per_month",
                     "provocation_to_incident_per_month", "incident_to_hostilities_per_month",
                     "clash_to_war_per_month", "war_to_nuclear_per_month", "deescalation_per_month",
                     "clash_deescalation_per_month", "armistice_per_month", "preemption_per_month",
                     "deliberate_war_per_month", "deliberate_aggression_rate_per_year")


def kernel_ladder(q, u, level, s, u1, u2):
    """The ladder step of engine/kernel.py (phase 6): (settled rung or -1, exact rung).

    s holds the month's state and switches: tension, cred, cohesion, intel, comm, talks, trust,
    rho, nuclear_ratio, capability, and deterrence, preemption, misperception, crisis_management,
    paradox (the stability-instability paradox), incidents (contained_incidents)."""
    attack = per_month(q.deliberate_aggression_rate_per_year)
    incidents = s["incidents"]
    x_t = f_bound = radius = sigma = 0.0
    if PROVOCATION <= level <= HOSTILITIES:
        x_t = escalation.tension_exponent(q, s["tension"])
        f_bound = bounds.exp_upper(x_t)
    misperceive = s["misperception"] and escalation.misperception_applies(level)
    if misperceive:
        radius = normal_radius_upper(u1)
        sigma = escalation.misperception_scale(q, s["intel"], s["comm"])
    cm = escalation.crisis_management(s["cohesion"], s["intel"], s["comm"], s["crisis_management"])
    down = escalation.down_hazard(q, level, cm, s["talks"])
    paradox = s["paradox"] and PROVOCATION <= level <= HOSTILITIES
    attack_bound, war_bound, log_n, factor_bound = attack, 1.0, 0.0, 1.0
    if paradox:
        log_n = deterrence.log_capability_ratio(s["capability"])
        attack_bound, war_bound, factor_bound = deterrence.paradox_hazard_bounds(q, attack, log_n)
    m_bound = escalation.misperception_bound(sigma, radius)
    f_bound_agreed = f_bound
    grey_bound = (escalation.grey_zone_hazard(q, f_bound_agreed, m_bound, factor_bound, incidents)
                  if level == PROVOCATION else 0.0)
    allied = s["allied_preemption"] and level == CRISIS
    allied_bound = escalation.allied_preemption_bound(q, s["trust_rok"]) if allied else 0.0
    settled = escalation.settled_rung(
        q, u, level, f_bound, m_bound, down, attack_bound,
        s["intel"], cm, s["cred"], s["trust"], s["nuclear_ratio"], s["deterrence"], s["preemption"],
        war_bound, allied_bound, grey_bound)
    # the exact path
    f_t, h_delib, h_delib_war, factor = 0.0, attack, q.deliberate_war_per_month, 1.0
    if PROVOCATION <= level <= HOSTILITIES:
        f_t = escalation.tension_factor(x_t)
        h_delib, h_delib_war = deterrence.deliberate_hazards(q, attack, s["cred"], s["deterrence"])
        if paradox:
            f_t, h_delib, h_delib_war, factor = deterrence.paradox_hazards(
                q, level == HOSTILITIES, f_t, h_delib, h_delib_war, log_n)
    m = 1.0
    if misperceive:
        z = normal(normal_radius(u1), u2)
        assert abs(z) <= radius  # the bound the settled call used
        m = escalation.misperception_factor(sigma, z)
    pre = 0.0
    if s["preemption"] and level == CRISIS:
        pre = escalation.preemption_hazard(q, s["rho"], s["trust"])
    if allied:
        pre += escalation.allied_preemption_hazard(q, s["rho_rok"], s["trust_rok"])
    grey = (escalation.grey_zone_hazard(q, f_t, m, factor, incidents) if level == PROVOCATION
            else 0.0)
    up, jump = escalation.up_hazards(q, level, f_t, m, s["intel"], cm, h_delib, h_delib_war, pre,
                                     s["nuclear_ratio"], grey, incidents)
    return settled, escalation.next_rung(u, level, up, jump, down, incidents), (up, jump, down)


def random_ladder_cases(n, seed):
    """n fixed-seed cases: rungs 0..7, the month's state, switches, and parameter records with
    the ladder's hazards scaled up by 1..4 (log-uniform) so that moves happen."""
    rng = np.random.default_rng(seed)
    q0 = parameter_record()
    records = []
    for _ in range(64):
        scale = math.exp(rng.uniform(0.0, math.log(4.0)))
        values = {name: float(getattr(q0, name)) * scale for name in HAZARD_PARAMETERS}
        values["misperception_noise"] = rng.uniform(0.0, 1.5)
        values["tension_escalation_sensitivity"] = rng.uniform(0.0, 6.0)
        values["deterrence_elasticity"] = rng.uniform(0.0, 4.0)
        values["paradox_attack_elasticity"] = rng.uniform(-1.0, 1.0)
        values["paradox_war_elasticity"] = rng.uniform(-1.0, 1.0)
        values["allied_preemption_per_month"] = rng.uniform(0.0, 0.2)
        records.append(parameter_record(values))
    for _ in range(n):
        s = {name: rng.random() for name in ("tension", "cred", "cohesion", "intel", "comm", "talks",
                                             "trust")}
        s["rho"] = rng.uniform(0.5, 2.5)
        s["rho_rok"] = rng.uniform(0.5, 2.5)
        s["trust_rok"] = rng.random()
        s["nuclear_ratio"] = rng.uniform(0.5, 3.0)
        s["capability"] = math.exp(rng.uniform(math.log(2.0), math.log(500.0)))
        for switch in ("deterrence", "preemption", "misperception", "crisis_management",
                       "paradox", "allied_preemption", "incidents"):
            s[switch] = bool(rng.random() < 0.75)
        yield (records[rng.integers(len(records))], rng.random(), int(rng.integers(8)), s,
               rng.random(), rng.random())


@pytest.mark.slow
def test_settled_rung_agrees_with_the_exact_ladder_step():
    n = 20_000
    answers = {"open": 0, "stay": 0, "down": 0, "moved": 0}
    near = []
    for q, u, level, s, u1, u2 in random_ladder_cases(n, seed=11):
        settled, exact, hazards = kernel_ladder(q, u, level, s, u1, u2)
        answers["moved"] += exact != level
        if settled >= 0:
            assert settled == exact, (level, u, s)
            answers["stay" if settled == level else "down"] += 1
        else:
            assert settled == -1
            answers["open"] += 1
        if len(near) < 2000:
            near.append((q, level, s, u1, u2, hazards))
    # about 62% settled (stay 47%, down 16%), 38% open; the exact step moves in about 44%
    assert answers["stay"] + answers["down"] > 0.5 * n  # useful: most months are settled
    assert answers["down"] > 0.02 * n and answers["open"] > 0.1 * n and answers["moved"] > 0.2 * n
    # u placed just below and just above each cut point of the exact step (up, jump, down)
    for q, level, s, u1, u2, (up, jump, down) in near:
        c1 = probability(up)
        c2 = c1 + probability(jump)
        for cut in (c1, c2, c2 + probability(down)):
            for u in (cut * (1 - 1e-9), cut * (1 + 1e-9), np.nextafter(cut, 0.0), np.nextafter(cut, 1.0)):
                if 0.0 <= u < 1.0:
                    settled, exact, _ = kernel_ladder(q, float(u), level, s, u1, u2)
                    assert settled in (-1, exact), (level, u, s)


# --- bounds of exp and probabilities (model/bounds.py) ----------------------------------------


def test_exp_upper_bounds_exp():
    x = np.linspace(-5.0, 5.0, 100_001)  # step 1e-4, 0 included
    upper = np.array([bounds.exp_upper(v) for v in x])
    assert np.all(upper >= np.exp(x))
    assert np.all(upper[x <= 0] == 1.0) and np.all(np.isinf(upper[x >= 4.0]))
    assert bounds.exp_upper(1.0) < 1.2 * math.exp(1.0)  # and tight enough to be useful
    assert math.isinf(bounds.exp_upper(math.nan))


def test_probability_lower_bounds_the_probability():
    h = np.linspace(0.0, 3.0, 100_001)
    lower = np.array([bounds.probability_lower(v) for v in h])
    assert np.all(lower <= -np.expm1(-h))
    assert bounds.probability_lower(0.01) == pytest.approx(-math.expm1(-0.01), rel=1e-4)  # h^2/6


def test_below_probability_never_contradicts_the_exact_comparison():
    xs = np.linspace(-3.0, 0.5, 3_501)
    cases = []
    for x in xs:
        p = 1.0 - math.exp(x)
        for u in (p, np.nextafter(p, -1.0), np.nextafter(p, 2.0), p - 1e-12, p + 1e-12,
                  p * (1 - 1e-9), p * (1 + 1e-9), p - 1e-6, p + 1e-6):
            cases.append((float(u), float(x)))
    rng = np.random.default_rng(5)
    cases += list(zip(rng.random(20_000).tolist(), rng.uniform(-3.0, 0.5, 20_000).tolist(),
                      strict=True))
    answers = {-1: 0, 0: 0, 1: 0}
    for u, x in cases:
        hit = bounds.below_probability(u, x)
        answers[hit] += 1
        if hit >= 0:
            assert hit == (1 if u < 1.0 - math.exp(x) else 0), (u, x)
        assert bounds.below(u, x) == (u < 1.0 - math.exp(x)), (u, x)
    assert answers[0] > 0 and answers[1] > 0 and answers[-1] > 0
    # useful: for the small hazards of most draws the bounds settle nearly every comparison
    small = zip(rng.random(10_000).tolist(), rng.uniform(-0.05, 0.0, 10_000).tolist(), strict=True)
    assert sum(bounds.below_probability(u, x) < 0 for u, x in small) < 0.01 * 10_000
    assert bounds.below_probability(0.5, math.nan) == -1


# --- Poisson draws (engine/random.py) ---------------------------------------------------------

POISSON_LAMBDAS = np.concatenate([[0.0, 1e-9, 1e-3, 0.05], np.linspace(0.1, 30.0, 100)])


def inversion(u, cdf):
    """The textbook inversion: the smallest k with u < F(k)."""
    return int(np.searchsorted(cdf, u, side="right"))


def test_poisson_is_the_inversion_of_the_cdf():
    grid = (np.arange(400) + 0.5) / 400
    tie = 1e-12  # u this close to F(k) may fall either side by rounding of F
    ties = checked = 0
    for lam in POISSON_LAMBDAS:
        cdf = stats.poisson.cdf(np.arange(int(lam + 20 * math.sqrt(lam) + 40)), lam)
        assert cdf[-1] > 1 - 1e-15
        near_cut = [f + d for f in cdf[cdf < 1 - 1e-6] for d in (-1e-10, 1e-10) if f + d >= 0]
        for u in [*grid, *near_cut]:
            if np.min(np.abs(cdf - u)) < tie:
                ties += 1
                continue
            checked += 1
            assert poisson(u, lam) == inversion(u, cdf), (u, lam)
    assert ties < 0.001 * checked
    assert poisson(0.0, 0.0) == 0 and poisson(0.999999, 0.0) == 0


def launch_counts(q, uniforms):
    """Missiles a month of many runs of the self-exciting launch process, as the kernel draws them
    (phase 2): launch days ~ Poisson(lambda / m), salvoes, then the excitation; threat ratio 1,
    DPRK capability at the reference, no drills, no talks."""
    omega = provocations.excitation_decay(q)
    gain = provocations.excitation_gain(q, omega)
    base = per_month(q.launch_base_rate_per_year)
    threat_f = provocations.threat_factor(q, 1.0)
    cap_f = provocations.capability_factor(q, provocations.CAPABILITY_REFERENCE)
    drill_f = provocations.drill_factor(q, 0.0, True)
    talks_f = provocations.talks_factor(q, 0.0)
    return _launch_loop(q, uniforms, base, threat_f, cap_f, drill_f, talks_f, omega, gain)


@numba.njit
def _launch_loop(q, uniforms, base, threat_f, cap_f, drill_f, talks_f, omega, gain):
    runs, months = uniforms.shape[0], uniforms.shape[1]
    counts = np.zeros((runs, months))
    for r in range(runs):
        excitation = 0.0
        for t in range(months):
            lam = provocations.launch_rate(base, threat_f, cap_f, drill_f, talks_f, excitation, True)
            days = poisson(uniforms[r, t, 0], provocations.launch_day_rate(q, lam))
            n = days
            if days > 0:
                n = days + poisson(uniforms[r, t, 1], provocations.salvo_extra_rate(q, days))
            counts[r, t] = n
            excitation = provocations.excite(excitation, n, omega, gain)
    return counts


def test_hawkes_launch_process_is_stationary_with_mean_base_over_one_minus_n():
    q = parameter_record({"launch_base_rate_per_year": 12.0, "launch_branching_ratio": 0.4})
    runs, months = 2000, 240
    counts = launch_counts(q, np.random.default_rng(3).random((runs, months, 2)))
    expected = 1.0 / (1 - 0.4)  # 12/yr base = 1/month, branching ratio 0.4
    late = counts[:, 60:].mean()
    assert abs(late - expected) < 0.03  # sd of this mean ~ 0.006
    # reference.py's rest point: the long-run mean of the process without drills
    assert provocations.rest_launch_rate(q, 0.0) == pytest.approx(expected, rel=1e-12)
    # clustering: months after a launch month see more launches than after a quiet month
    after = counts[:, 61:][counts[:, 60:-1] > 0].mean()
    quiet = counts[:, 61:][counts[:, 60:-1] == 0].mean()
    assert after > 1.1 * quiet



# --- strategies that can fail: costly signals, concessions, relief ----------------------------


def evidence_all(q, comm=0.0, forum=0.0, drill=0.0, launches=0.0, talks=0.0, expected=0.0,
                 costly=True):
    """This month's evidence of every category for the given channels and behaviour."""
    return beliefs.evidence(q, drill, 0.0, 0.0, comm, forum, launches, talks, 0.0, 0.0, True,
                            expected, costly)


def test_costly_signals_hotlines_and_forums_alone_raise_no_trust():
    q = parameter_record(BENEFICIAL_EFFECTS)
    for expected in (0.0, 2.0):
        quiet = evidence_all(q, launches=expected, expected=expected)
        assert evidence_all(q, comm=1.0, forum=1.0, launches=expected,
                            expected=expected) == quiet
        for i, j in ((PRK, USA), (CHN, JPN), (USA, PRK), (RUS, ROK)):
            assert trust_change(q, i, j, comm=1.0, forum=1.0, launches=expected,
                                expected=expected, costly=True) == trust_change(
                q, i, j, launches=expected, expected=expected, costly=True)
        assert trust_change(q, PRK, USA, comm=1.0, forum=1.0, costly=True) == 0.0
    # under the cheap-talk rule the same month raises the bloc's and the DPRK's trust
    assert trust_change(q, PRK, USA, comm=1.0, forum=1.0, costly=False) > 1e-3


def test_costly_signals_channels_weigh_behaviour_both_ways():
    q = parameter_record({"belief_reassurance_log_lr": 0.2})
    # talks kept count for more with open channels, for both sides
    for i, j in ((PRK, USA), (CHN, USA), (USA, PRK)):
        assert (trust_change(q, i, j, comm=1.0, talks=1.0, costly=True)
                > trust_change(q, i, j, talks=1.0, costly=True) + 1e-4)
    # DPRK restraint (launches below the rest rate) raises the allies' trust, a burst lowers it,
    # and the channels sharpen both; the documented term is l_r * c * (rest - launches) / rest
    low = evidence_all(q, comm=1.0, launches=0.0, expected=2.0)[beliefs.ALLIES_SEE_PRK]
    assert low - evidence_all(q, launches=0.0, expected=2.0)[beliefs.ALLIES_SEE_PRK] == \
        pytest.approx(0.2 * 0.5 * 1.0, abs=1e-15)
    high = evidence_all(q, comm=1.0, launches=6.0, expected=2.0)[beliefs.ALLIES_SEE_PRK]
    assert high - evidence_all(q, launches=6.0, expected=2.0)[beliefs.ALLIES_SEE_PRK] == \
        pytest.approx(0.2 * 0.5 * -2.0, abs=1e-15)
    # a belief_reassurance_log_lr of 0 (the low end of its prior): channels never move trust
    q0 = parameter_record({"belief_reassurance_log_lr": 0.0})
    for costly in (False, True):
        assert evidence_all(q0, comm=1.0, forum=1.0, talks=1.0, launches=0.0, expected=2.0,
                            costly=costly) == evidence_all(q0, talks=1.0, launches=0.0,
                                                           expected=2.0, costly=costly)


def test_costly_signals_off_gives_the_cheap_talk_numbers():
    q = parameter_record({"belief_drill_log_lr": 0.25, "communication_signal_effect": 0.4,
                          "belief_reassurance_log_lr": 0.15, "belief_launch_log_lr": 0.06,
                          "belief_talks_log_lr": 0.3})
    ev = evidence_all(q, comm=1.0, forum=0.5, drill=1.0, launches=3.0, talks=1.0,
                      expected=2.0, costly=False)
    bloc = -0.25 * 0.6 + 0.15 * 0.75
    assert ev[beliefs.BLOC_SEES_ALLIES] == pytest.approx(bloc, abs=1e-15)
    assert ev[beliefs.PRK_SEES_ALLIES] == pytest.approx(bloc + 0.3, abs=1e-15)
    assert ev[beliefs.ALLIES_SEE_PRK] == pytest.approx(-0.06 * 3 + 0.3, abs=1e-15)
    # with the channels closed the two rules agree whatever the behaviour
    for launches, talks in ((0.0, 0.0), (5.0, 1.0)):
        assert evidence_all(q, drill=1.0, launches=launches, talks=talks, expected=2.0,
                            costly=True) == evidence_all(q, drill=1.0, launches=launches,
                                                         talks=talks, expected=2.0, costly=False)


def test_starting_belief_is_a_rest_point_under_either_rule():
    q = parameter_record()
    rate = memory_rate(q.belief_memory_months)
    z0 = beliefs.logit(0.3)
    for costly in (False, True):
        ev = reference.reference_evidence(q, reference_record(), True, costly)
        for c in range(beliefs.N_CATEGORIES):
            anchor = reference.belief_anchor(q, z0, ev[c])
            assert beliefs.update_log_odds(z0, ev[c], anchor, rate) == pytest.approx(z0,
                                                                                    abs=1e-12)
    # at the reference the channels add nothing under costly signals: no talks, rest launches
    with_rule = reference.reference_evidence(q, reference_record(), True, True)
    q0 = parameter_record({"belief_reassurance_log_lr": 0.0})
    without = reference.reference_evidence(q0, reference_record(), True, True)
    assert with_rule == pytest.approx(without, abs=1e-15)


def test_clarity_moves_credibility_either_way_and_only_with_deterrence():
    for gain, sign in ((0.2, 1), (-0.2, -1), (0.0, 0)):
        q = parameter_record({"alliance_resolve": 0.8, "clarity_credibility_gain": gain})
        clear = deterrence.credibility(q, 3.0, 0.8, 0.0, 1.0, True)
        vague = deterrence.credibility(q, 3.0, 0.8, 0.0, 0.0, True)
        assert np.sign(round(clear - vague, 12)) == sign
        assert clear == pytest.approx(0.75 * 0.8 * min(1.0, 0.8 * (1 + gain)), abs=1e-12)
        assert deterrence.credibility(q, 3.0, 0.8, 0.0, 1.0, False) == \
            deterrence.credibility(q, 3.0, 0.8, 0.0, 0.0, False)
    # resolve never leaves [0, 1]
    q = parameter_record({"alliance_resolve": 1.0, "clarity_credibility_gain": 1.0})
    assert deterrence.credibility(q, 3.0, 1.0, 5.0, 1.0, True) == pytest.approx(0.75, abs=1e-12)


def test_launch_burst_raises_the_talks_hazard_only_with_the_concession_channel():
    q = parameter_record({"concession_talks_pull": 0.5})
    rest, cap_f, base = 2.0, 1.5, per_month(q.talks_start_rate_per_year)
    memory = 0.0
    for _ in range(6):  # six months of 9 launches a month, three times the rest rate
        memory = concessions.launch_memory_step(memory, 9.0, 0.5)
    burst = concessions.burst(memory, rest, cap_f)
    assert burst > 1.0
    assert concessions.burst(rest * cap_f, rest, cap_f) == 0.0  # routine testing: no burst
    assert concessions.burst(0.5, rest, cap_f) == 0.0
    on = concessions.talks_start_rate(q, base, burst, True)
    assert on == pytest.approx(base * (1 + 0.5 * burst), rel=1e-12)
    assert concessions.talks_start_rate(q, base, burst, False) == base
    assert concessions.talks_start_rate(q, base, 0.0, True) == base
    # the start exponent follows: a larger hazard of talks starting
    assert (diplomacy.talks_start_exponent(q, on, 0.3, 0.5)
            < diplomacy.talks_start_exponent(q, base, 0.3, 0.5))
    # a negative pull (no talks under fire) lowers the hazard, never below zero
    q_neg = parameter_record({"concession_talks_pull": -0.5})
    assert 0.0 <= concessions.talks_start_rate(q_neg, base, burst, True) < base
    assert concessions.talks_start_rate(q_neg, base, 10.0, True) == 0.0


def test_relief_won_by_a_burst_teaches_that_provocation_pays():
    q = parameter_record({"concession_reward_effect": 0.5})
    base, pulled = 0.01, 0.03
    share = concessions.running_share(True, False, 0.0, pulled, base)  # talks start
    assert share == pytest.approx(2.0 / 3.0, abs=1e-12)
    assert concessions.running_share(True, True, share, base, base) == share  # kept in talks
    assert concessions.running_share(False, True, share, pulled, base) == 0.0  # talks over
    assert concessions.running_share(True, False, 0.0, base, base) == 0.0  # no burst
    rate = 1.0 / 24.0
    relief = 0.35
    lesson = 0.0
    for _ in range(12):
        lesson = concessions.lesson_step(lesson, share, relief, rate)
    assert 0.0 < lesson < 1.0
    assert concessions.lesson_step(0.0, share, 0.0, rate) == 0.0  # talks without relief
    assert concessions.lesson_step(0.0, 0.0, relief, rate) == 0.0  # relief not won by a burst
    assert concessions.lesson_step(lesson, 0.0, 0.0, rate) < lesson  # the lesson fades
    launch_m = 2.0
    assert concessions.rewarded_rate(q, launch_m, lesson, True) == pytest.approx(
        launch_m * (1 + 0.5 * lesson), rel=1e-12)
    assert concessions.rewarded_rate(q, launch_m, lesson, False) == launch_m
    q_calm = parameter_record({"concession_reward_effect": -0.3})
    assert concessions.rewarded_rate(q_calm, launch_m, lesson, True) < launch_m


def test_relief_raises_programme_growth_only_with_relief_funding():
    q = parameter_record({"relief_funding_effect": 0.5})
    growth = per_month(q.dprk_capability_growth_per_year)
    relief = alignment.relief(q, 0.7, 0.4, 1.0, 1.0, True)
    assert relief > 0.0
    # relief is what effective_sanctions removes for talks: the two add to the leaked sanctions
    assert relief + alignment.effective_sanctions(q, 0.7, 0.4, 1.0, 1.0, True) == pytest.approx(
        alignment.effective_sanctions(q, 0.7, 0.4, 0.0, 0.0, True), abs=1e-15)
    assert alignment.relief(q, 0.7, 0.4, 1.0, 0.0, True) == 0.0  # no talks, no relief
    assert alignment.relief(q, 0.7, 0.4, 0.0, 1.0, True) == 0.0  # no flexibility, no relief
    funded = nuclear_programme.relief_funded_step(q, 50.0, relief, growth, True)
    assert funded == pytest.approx(50.0 * (1 + growth * 0.5 * relief), rel=1e-12)
    assert funded > 50.0
    assert nuclear_programme.relief_funded_step(q, 50.0, relief, growth, False) == 50.0
    assert nuclear_programme.relief_funded_step(q, 50.0, 0.0, growth, True) == 50.0


STRATEGY_EFFECTS = ("belief_reassurance_log_lr", "communication_signal_effect",
                    "offer_willingness_gain", "offramp_effect", "sanctions_relief_effect",
                    "clarity_drill_discount", "clarity_credibility_gain",
                    "forum_threat_reduction", "hotline_threat_reduction",
                    "hotline_noise_reduction", "concession_talks_pull",
                    "concession_reward_effect", "relief_funding_effect")


def test_strategy_effect_priors_span_zero_and_say_what_harm_means():
    for name in STRATEGY_EFFECTS:
        p = BY_NAME[name]
        assert p.low <= 0.0 <= p.high, name
        assert p.basis, name
        if p.low < 0.0:  # harm is allowed: the description says what a negative value means
            assert "negative" in p.description, name


def test_tension_stays_within_its_range_when_a_forum_harms():
    """tau_in = min(1, clip(-NC / G_scale, 0, 1) * forum cut): a harmful forum (a cut above 1,
    forum_threat_reduction < 0) raises tension but never past 1; a cut of at most 1 is the
    former equation exactly."""
    from peninsula.model import tension

    assert tension.tension_step(1.0, -1e6, 1.0, 1.2, 0.5) == 1.0  # target 1.2 capped at 1
    assert tension.tension_step(0.2, -0.5, 1.0, 1.2, 0.5) == pytest.approx(0.2 + (0.6 - 0.2) / 2)
    assert tension.tension_step(0.2, -2.0, 1.0, 0.8, 0.5) == pytest.approx(0.2 + (0.8 - 0.2) / 2)
