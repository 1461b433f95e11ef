"""DPRK provocations: a self-exciting (Hawkes-type) monthly count process.

    lambda_launch(t) = mu/12 * exp(e_T * (rho_PRK - 1)) * (N(t) / 50)^e_N * (1 + beta_JME * d_eff(t))
                       * (1 - s_talks * talks) + E(t)
    E(t+1)           = omega * E(t) + n * (1 - omega) * launches(t)      omega = exp(-1/tau_E)
    launch days(t)   ~ Poisson(lambda_launch(t) / m)
    launches(t)      = days + Poisson((m - 1) * days)     salvoes: 1 + Poisson(m - 1) per day

N is the DPRK's capability (warhead-equivalents; 50 is the 2024-26 stock, where mu applies):
a larger and more diverse programme has more to test (e_N, judgement). E is the excitation left
by recent launches; one launch adds n expected later launches in
total (the branching ratio), spread with decay time tau_E, so the process is stationary for
n < 1 and its long-run mean is base/(1 - n). d_eff = d * (1 - c_d * clarity) is the drill
intensity as read by Pyongyang. beta_JME's range includes 0 because the studies disagree
(D'Orazio 2012, CSIS, Hess 2017: null; Bernhardt & Sukin 2021: positive).
Testing campaigns (switch ``testing_campaign``): a latent two-state Markov regime, quiet or
campaign, multiplies the launch rate. Each month a quiet run enters a campaign with probability
    p_in(t) = 1 - exp(-(kappa / 12) * (1 + g * A(t)))
where A(t) (lever ``programme_announcement``, 0..1) marks a publicly announced weapons-development
programme in force (a dated, published input such as the 2021 five-year defence development
plan; never the launch counts), and a campaign ends with p_out = 1 - exp(-1 / D). The rate is
multiplied by q_c = 1 / (1 + k_c * pi0) when quiet and (1 + k_c) * q_c in a campaign, where
pi0 = p_in0 / (p_in0 + p_out) is the stationary campaign share without announcements, so the
long-run mean rate at rest (A = 0) is unchanged and mu keeps its meaning. Runs start in a
campaign with probability pi0. Basis: the record's sustained high-tempo years (2014-17, 2019,
2022-24, CNS/NTI) against quiet ones; a Markov-switching Poisson intensity (Hamilton 1989 in
form). kappa, D, k_c and g are judgement with wide ranges and are fitted in calibration.
Overdispersion (switch ``launch_frailty``): each year of a run draws a log-normal frailty
    F = exp(sigma_F * z - sigma_F^2 / 2),   z ~ N(0, 1),   E[F] = 1,
that multiplies the launch rate for the twelve months (a gamma-like frailty giving yearly counts
the record's dispersion: variance/mean of the yearly counts 10.8 for 2006-2019 and 20.5
for 2006-2025, CNS/NTI as bundled).
Other provocations (artillery, drones, incursions) follow the same form with their own base rate
and their own excitation state (same branching ratio and decay); threatening rhetoric is Poisson
with a rate scaled by tension and the drill term.
"""

from __future__ import annotations

import math

from peninsula.model.compiled import mechanism

CAPABILITY_REFERENCE = 50.0  # warhead-equivalents: the 2024-26 stock (SIPRI), where mu applies
RHETORIC_TENSION_OFFSET = 0.5  # rhetoric rate: base * (0.5 + tension); judgement
RHETORIC_TALKS_CUT = 0.5  # talks halve threatening rhetoric; judgement


@mechanism
def threat_factor(q, rho_prk):
    """exp(e_T * (rho_PRK - 1)): launches and provocations rise with the DPRK's threat ratio."""
    return math.exp(q.launch_threat_elasticity * (rho_prk - 1.0))


@mechanism
def drill_factor(q, drill_eff, drill_provocation):
    """1 + beta_JME * d_eff when drills provoke (the switch drill_provocation), else 1."""
    if drill_provocation:
        return 1.0 + q.launch_drill_effect * drill_eff
    return 1.0


@mechanism
def talks_factor(q, talks):
    """1 - s_talks * talks: talks suppress launches and provocations."""
    return 1.0 - q.talks_launch_suppression * talks


@mechanism
def capability_factor(q, capability):
    """(N / 50)^e_N, written exp(e_N ln(N / 50)) (N > 0): a larger programme tests more."""
    return math.exp(q.launch_capability_elasticity * math.log(capability / CAPABILITY_REFERENCE))


@mechanism
def regime_base_rate(base_per_month, regime_factor, frailty):
    """mu / 12 times this month's regime factor (quiet or campaign; 1 without the regime) and
    this year's frailty (1 without it): the base the launch rate's other factors multiply."""
    return base_per_month * regime_factor * frailty


@mechanism
def launch_rate(base_per_month, threat, capability, drill, talks, excitation, self_excitation):
    """lambda_launch: expected missiles this month from the monthly base rate mu / 12 and the
    threat, capability, drill and talks factors, plus the excitation E when self-exciting."""
    rate = base_per_month * threat * capability * drill * talks
    if self_excitation:
        rate = rate + excitation
    return rate


@mechanism
def provocation_rate(base_per_month, threat, drill, talks, excitation, self_excitation):
    """Expected non-missile provocations this month: the launch form without the capability term."""
    rate = base_per_month * threat * drill * talks
    if self_excitation:
        rate = rate + excitation
    return rate


@mechanism
def rhetoric_rate(base_per_month, tension, drill, talks):
    """Expected threatening statements: base * (0.5 + tension) * drill factor * (1 - 0.5 talks)."""
    return base_per_month * (RHETORIC_TENSION_OFFSET + tension) * drill * (
        1.0 - RHETORIC_TALKS_CUT * talks)


@mechanism
def launch_day_rate(q, launches_expected):
    """Expected launch days: lambda / m, with m the mean salvo size (missiles per launch day)."""
    return launches_expected / q.salvo_mean_size


@mechanism
def salvo_extra_rate(q, launch_days):
    """Expected missiles beyond one per launch day: (m - 1) * days (salvo size 1 + Poisson)."""
    return (q.salvo_mean_size - 1.0) * launch_days


@mechanism
def excitation_decay(q):
    """omega = exp(-1 / tau_E): the share of the excitation left after a month."""
    return math.exp(-1.0 / q.launch_excitation_months)


@mechanism
def excitation_gain(q, omega):
    """n * (1 - omega): excitation added per event, so one event adds n later ones in total."""
    return q.launch_branching_ratio * (1.0 - omega)


@mechanism
def excite(excitation, events, omega, gain):
    """E' = omega * E + n * (1 - omega) * events."""
    return omega * excitation + gain * events


@mechanism
def rest_launch_rate(q, drill_eff):
    """Expected launches a month at rest under drills d_eff: the base rate, with its drill
    factor, over (1 - n), the long-run mean of the self-exciting process (threat ratio 1)."""
    return (q.launch_base_rate_per_year / 12.0 * (1.0 + q.launch_drill_effect * drill_eff)
            / (1.0 - q.launch_branching_ratio))


@mechanism
def forced_launches(override):
    """Missiles in a month whose count is given (launches_override >= 0; replay of the record):
    the override rounded to a whole number."""
    return int(math.floor(override + 0.5))


@mechanism
def forced_launch_days(days_override, n_launch):
    """Launch days in a month with forced launches: the given days (launch_days_override >= 0),
    at most one per missile, or one missile a day when none are given."""
    if days_override >= 0.0:
        return min(int(math.floor(days_override + 0.5)), n_launch)
    return n_launch


@mechanism
def campaign_exit_probability(q):
    """p_out = 1 - exp(-1 / D): a campaign's monthly chance of ending (mean length D months)."""
    return -math.expm1(-1.0 / q.campaign_mean_months)


@mechanism
def campaign_entry_probability(q, announcement):
    """p_in = 1 - exp(-(kappa / 12) (1 + g A)): a quiet month's chance of a campaign starting."""
    return -math.expm1(-q.campaign_entry_per_year / 12.0
                       * (1.0 + q.campaign_announcement_effect * announcement))


@mechanism
def campaign_share(q):
    """pi0 = p_in0 / (p_in0 + p_out): the stationary share of campaign months with A = 0."""
    p_in = campaign_entry_probability(q, 0.0)
    return p_in / (p_in + campaign_exit_probability(q))


@mechanism
def quiet_factor(q):
    """q_c = 1 / (1 + k_c pi0): the launch-rate factor of a quiet month (mean 1 at rest)."""
    return 1.0 / (1.0 + q.campaign_intensity * campaign_share(q))


@mechanism
def campaign_factor(q):
    """(1 + k_c) q_c: the launch-rate factor of a campaign month."""
    return (1.0 + q.campaign_intensity) * quiet_factor(q)


@mechanism
def campaign_next(q, in_campaign, announcement, u):
    """Next month's regime from the uniform u: a campaign ends if u < p_out, a quiet run starts
    one if u < p_in(A)."""
    if in_campaign:
        return not (u < campaign_exit_probability(q))
    return u < campaign_entry_probability(q, announcement)


@mechanism
def frailty(q, z):
    """F = exp(sigma_F z - sigma_F^2 / 2): the year's log-normal launch-rate factor (mean 1)."""
    s = q.launch_frailty_sd
    return math.exp(s * z - 0.5 * s * s)


@mechanism
def launch_count(launch_days, salvo_extra):
    """Missiles launched in a month = launch days + missiles beyond one per launch day (the salvo
    size is 1 + Poisson((m - 1)), so a month's count is days + Poisson((m - 1) * days)); counts."""
    return launch_days + salvo_extra
