"""The fused step: every month of every run of a chunk in one compiled loop (optional, Numba).

The NumPy step (model/step.py) advances all runs one operation at a time: each of its few
hundred array operations per month streams its operands through memory and allocates a
temporary. This module computes the same model in compiled loops over small blocks of runs
(their state stays in the core's cache), compiled by Numba. It is an accelerator, not a second
model:

* the NumPy step is the reference. Every expression here is the scalar form of an expression
  in the mechanism modules, written with the same operands in the same order (left to right,
  no fused multiply-add, no reassociation), sums over actors go left to right as in
  model/ordered.py, and exp, log, log1p, cos and sqrt are the C library's functions. NumPy's
  float64 loops call the same functions on x86-64 without AVX-512, where the two paths agree
  bit for bit; with AVX-512 NumPy uses its own exp and log, which may differ in the last bit.
  ``tests/test_fused.py`` therefore compares every output of both paths run by run within a
  stated tolerance (and their distributions), on several scenarios and all mechanism switches.
* the equations and their sources are documented once, in the mechanism modules; the comments
  below name the module each block mirrors.
* the per-chunk constants (reference threat, trust anchors, reference pressure) and the
  parameter sampling are computed by the NumPy code and passed in, so they are shared.
* work is skipped only where the skipped value is provably the one the NumPy step computes:
  per-run constants (rates / 12) are computed once per run; beliefs that receive no evidence
  are revisited only until their update (a fixed map of z) leaves them unchanged; ladder terms
  are computed only at the rungs that use them, and only when the month's uniform does not
  decide the rung by itself (_settled, with upper bounds of exp and of the Box-Muller radius
  that need neither exp nor log); the talks draws are settled by bounds of 1 - exp(x) where
  they can be (_below_prob), and DPRK willingness is formed only when the start draw or the
  monthly table needs it; a Poisson draw is 0 without calling exp when u < 1 - lam
  (exp(-lam) >= 1 - lam, and exp is within one ulp); draws whose outcome cannot matter are not
  made (the salvo size in a month without launch days, the coercion target without coercion);
  GDP loss and polarization are formed only in the months that record them.
* runs are advanced in blocks of BLOCK_RUNS, one phase of the month (threat, events,
  diplomacy, beliefs, arms, ladder and records) at a time over the block, so each phase's
  loop is short and the block's state stays in the core's cache. Where a phase works entry
  by entry (the threat matrix, the beliefs, the arms levels), the block's state is kept by
  entry then run, so its loops run over contiguous memory (four runs at a time where the
  compiler vectorizes them), and the C-library calls of those phases sit in loops of their
  own. None of this changes an operation or its order within a run.

``available()`` says whether Numba is installed; ``kernel="auto"`` in the engine uses the fused
step when it is and the NumPy step otherwise (``pip install peninsula[fast]``).
"""

from __future__ import annotations

import math

import numpy as np

from peninsula.engine.random import splitmix64
from peninsula.io.results import FIRST_KEYS, NEVER, REGION_GDP_ACTORS, TRUST_INDEX, YEARLY_KEYS
from peninsula.model.actors import N_ACTORS, PROXIMITY, ROK
from peninsula.model.beliefs import EPS, Z_MAX, logit
from peninsula.model.deterrence import BLOC_BACKING_SHARE
from peninsula.model.diplomacy import REFERENCE_TRUST_PRK_USA
from peninsula.model.economy import CHILL_PCT_PER_MONTH, EXPOSURE, SUPPLY_CHAIN_TARGET
from peninsula.model.events import EVENT_INDEX, GOLDSTEIN, N_EVENT_TYPES, TENSION_EVENTS
from peninsula.model.provocations import CAPABILITY_REFERENCE
from peninsula.model.step import PATROLS_PER_YEAR_AT_FULL_ALIGNMENT, StepContext
from peninsula.scenario.parameters import NAMES
from peninsula.scenario.schema import LEVERS, MECHANISMS

try:  # optional accelerator
    import numba
except ImportError:  # pragma: no cover - exercised where numba is absent
    numba = None

LIBM_CORES = ("exp", "log")  # glibc exports each core as __<name>_finite@GLIBC_2.15


def _libm_cores() -> dict[str, int]:
    """Addresses of glibc's exp and log cores, when they give the library's values.

    glibc's ``exp`` and ``log`` are thin wrappers that call one core routine (the FMA
    variant on this CPU family) and then only handle errors for the old SVID interface; the
    cores are also exported as ``__exp_finite`` and so on. Each core is checked against the
    C library function (through Python's math module) on a fixed sample of arguments before it
    is used; any difference, or a C library without these symbols, gives an empty answer.
    """
    import ctypes
    import ctypes.util

    try:
        libm = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
        libc = ctypes.CDLL(None)
        dlvsym = libc.dlvsym
    except (OSError, AttributeError):
        return {}
    dlvsym.restype = ctypes.c_void_p
    dlvsym.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p]
    rng = np.random.default_rng(20261128)
    x = np.concatenate([rng.uniform(-40.0, 40.0, 400), rng.uniform(-700.0, 700.0, 100)])
    pos = np.concatenate([rng.uniform(1e-9, 4.0, 400), np.exp(rng.uniform(-600, 600, 100))])
    cases = {"exp": x, "log": pos}
    ref = {"exp": math.exp, "log": math.log}
    found = {}
    for name in LIBM_CORES:
        addr = dlvsym(libm._handle, f"__{name}_finite".encode(), b"GLIBC_2.15")
        if not addr:
            return {}
        core = ctypes.CFUNCTYPE(ctypes.c_double, ctypes.c_double)(addr)
        for arg in cases[name]:
            try:
                want = ref[name](float(arg))
            except (OverflowError, ValueError):
                continue
            if core(float(arg)) != want:
                return {}
        found[name] = addr
    return found


def _bind_libm_cores() -> bool:
    """Link the compiled step's exp and log to the C library's cores (see _libm_cores).

    Numba binds these names to its helper library, which calls the C library's wrappers; the
    wrappers cost about an eighth of the compiled step's time and change no value. Must run
    before the kernel is compiled or loaded from Numba's cache (that is when names are bound),
    and after Numba installs its own bindings, which it does once per process. Affects only
    which entry point computes the same values; returns whether the cores are in use.
    """
    if numba is None:
        return False
    cores = _libm_cores()
    if not cores:
        return False
    import llvmlite.binding as ll
    from numba.core.registry import cpu_target

    cpu_target.target_context  # noqa: B018 - installs Numba's math bindings (once per process)
    for name, addr in cores.items():
        ll.add_symbol(name, addr)
    return True


LIBM_CORES_BOUND = _bind_libm_cores()

N_SLOTS = 16  # random-stream slots 1..15 (model/step.py), index 0 unused
TENSION_IDX = np.nonzero(TENSION_EVENTS)[0]

# uint64 constants (Numba would turn uint64-with-int64 arithmetic into float64)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S11, _S27, _S30, _S31 = np.uint64(11), np.uint64(27), np.uint64(30), np.uint64(31)
_TWO_M53 = 1.0 / float(1 << 53)

# event columns (model/events.py)
EV_LAUNCH = EVENT_INDEX["missile_launch"]
EV_PROVOCATION = EVENT_INDEX["provocation"]
EV_RHETORIC = EVENT_INDEX["rhetoric"]
EV_DRILL = EVENT_INDEX["joint_drill"]
EV_SUMMIT = EVENT_INDEX["trilateral_summit"]
EV_TALKS = EVENT_INDEX["talks"]
EV_DENUC = EVENT_INDEX["denuclearization_step"]
EV_GRIEVANCE = EVENT_INDEX["grievance_shock"]
EV_TURNOVER = EVENT_INDEX["turnover_shock"]
EV_COERCION = EVENT_INDEX["coercion"]
EV_PATROL = EVENT_INDEX["joint_patrol"]
EV_CLASH = EVENT_INDEX["armed_clash"]
EV_WAR = EVENT_INDEX["war"]
EV_NUCLEAR = EVENT_INDEX["nuclear_use"]


def available() -> bool:
    """True when Numba is installed, so the fused step can be compiled."""
    return numba is not None


def _jit(f):
    if numba is None:
        return f
    return numba.njit(cache=True, error_model="numpy", fastmath=False, nogil=True)(f)


@_jit
def _mix(x):
    """SplitMix64 finaliser (engine/random.py), wrapping uint64 arithmetic."""
    z = x + _GOLDEN
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@_jit
def _uniform(key, ctr):
    """Uniform in [0, 1) for a run key and a pre-hashed (month, slot, j) counter."""
    return float(_mix(key ^ ctr) >> _S11) * _TWO_M53


@_jit
def _poisson(u, lam):
    """Poisson by inversion, as engine/random.py: poisson_from_uniform.

    The answer is the first k with u < F(k) (or with p_k = 0). F(0..3) are formed as the loop
    forms them (p_k = p_(k-1) lam (1/k), F(k) = F(k-1) + p_k) and, when u < F(3), k is counted
    by comparisons rather than found by a loop whose exit the processor cannot predict;
    otherwise the loop runs as in the NumPy step.
    """
    if u < (1.0 - lam) - 1e-12:  # exp(-lam) >= 1 - lam, and libm's exp is within 1 ulp: k = 0
        return 0  # (also lam = 0: exp(-0) = 1 > u)
    p0 = math.exp(-lam)
    p1 = p0 * lam * 1.0
    p2 = p1 * lam * 0.5
    p3 = p2 * lam * (1.0 / 3)
    c1 = p0 + p1
    c2 = c1 + p2
    c3 = c2 + p3
    if p3 > 0.0 and u < c3:  # p3 > 0: p1 and p2 are too, so no early stop below k = 3
        return (1 if u >= p0 else 0) + (1 if u >= c1 else 0) + (1 if u >= c2 else 0)
    k = 0
    pk = p0
    cdf = pk
    active = u >= cdf
    kk = 0
    while active and kk < 2000:
        kk += 1
        pk = pk * lam * (1.0 / kk)  # as engine/random.py: the division is off the chain
        cdf += pk
        k = kk
        active = (u >= cdf) and (pk > 0.0)
    return k


@_jit
def _expit(z):
    return 1.0 / (1.0 + math.exp(-z))


@_jit
def _clip(x, lo, hi):
    return min(max(x, lo), hi)


@_jit
def _prob(h):
    if h <= 0.0:  # 1 - exp(-0) = 0 exactly
        return 0.0
    return 1.0 - math.exp(-h)


@_jit
def _exp_bound(x):
    """An upper bound on exp(x) without exp: 1 for x <= 0, (1 / (1 - x/4))^4 for 0 < x < 4.

    exp(-y) >= 1 - y gives exp(y) <= 1 / (1 - y) for y < 1; applied to y = x/4 and raised to
    the 4th power. Elsewhere (or NaN) infinity, so the bound decides nothing.
    """
    if x <= 0.0:
        return 1.0
    if x < 4.0:
        w = 1.0 / (1.0 - 0.25 * x)
        w2 = w * w
        return w2 * w2
    return math.inf


@_jit
def _radius_bound(u1):
    """An upper bound on sqrt(-2 ln(1 - u1)) without log: -ln(1 - u) <= u / (1 - u), u < 1."""
    return math.sqrt(2.0 * u1 / (1.0 - u1))


@_jit
def _prob_lower_bound(h):
    """A lower bound on 1 - exp(-h) for h >= 0 without exp: h - h^2 / 2 (alternating series)."""
    return h - 0.5 * h * h


@_jit
def _below_prob(u, x):
    """Whether u < 1 - exp(x), decided without exp where bounds settle it: 1 yes, 0 no, -1 open.

    For x <= 0, -x - x^2 / 2 <= 1 - exp(x) <= -x (_prob_lower_bound); for x > 0 the
    probability is negative, below any uniform. The margins are far above the rounding of
    1 - exp(x); a NaN answers -1, so the caller computes the probability.
    """
    if u >= -x * (1.0 + 1e-9) + 1e-12:
        return 0
    if x <= 0.0 and u < _prob_lower_bound(-x) * (1.0 - 1e-9) - 1e-12:
        return 1
    return -1


@_jit
def _settled(u, lvl, f_t, m_bound, down, attack, q, intel, cm, cred, trust_prk_usa, nuc_ratio,
             deterrence, preemption):
    """The month's new rung when u decides it without the exact hazards; -1 when it does not.

    The ladder moves up when u < p_up, jumps when u < p_up + p_jump, steps down when
    u < p_up + p_jump + p_down and stays otherwise. An upper bound of p_up + p_jump is formed
    without exp, log or cos: f_t and the Box-Muller radius enter as upper bounds (_exp_bound,
    _radius_bound), (1 - cred)^gamma <= 1 for 0 <= cred <= 1 and gamma >= 0, the pre-emption
    logistic <= 1, |m| <= 1 + |sigma| radius, and a probability 1 - exp(-h) is at most h (plus
    a rounding of 1e-16). So u at or above that bound plus the down rate stays; u at or above
    the bound but below down - down^2 / 2 <= 1 - exp(-down) (_prob_lower_bound) steps down.
    Both comparisons carry a margin far above rounding. Any case outside these conditions (or
    a NaN) answers -1 and the hazards are computed.
    """
    if lvl == 0 or lvl == 6:
        return lvl  # no hazard at all below the first rung; nuclear use is absorbing
    h = 0.0  # bound of the up and jump hazards
    if lvl >= 2 and lvl <= 4:
        if deterrence and not (q.deterrence_elasticity >= 0.0 and 0.0 <= cred <= 1.0):
            return -1
        if lvl == 2:
            h = abs(q.provocation_to_crisis_per_month) * f_t * m_bound + abs(attack)
        elif lvl == 3:
            h = (abs(q.crisis_to_clash_per_month) * f_t * m_bound
                 * abs(1.0 - q.intelligence_warning_effect * intel) + abs(attack))
            if preemption:
                h += abs(q.preemption_per_month) * abs(1.0 - trust_prk_usa)
        else:
            h = ((abs(q.clash_to_war_per_month) * f_t + abs(q.deliberate_war_per_month))
                 * abs(1.0 - q.crisis_management_effect * cm))
    elif lvl == 5:
        h = abs(q.war_to_nuclear_per_month) * math.sqrt(nuc_ratio)
    if u >= (h + abs(down)) * (1.0 + 1e-9) + 1e-12:
        return lvl
    if (down >= 0.0 and u >= h * (1.0 + 1e-9) + 1e-12
            and u < _prob_lower_bound(down) * (1.0 - 1e-9) - 1e-12):
        return 3 if lvl == 5 else lvl - 1
    return -1


# Evidence categories of step.belief_evidence: 1 CHN/RUS observe the allies, 2 PRK observes the
# allies, 3 the allies observe PRK, 4 ROK observes CHN, 5 JPN observes CHN; 0 no evidence.
EV_CATEGORY = np.zeros((6, 6), dtype=np.int64)
EV_CATEGORY[4:6, 0:3] = 1
EV_CATEGORY[3, 0:3] = 2
EV_CATEGORY[0:3, 3] = 3
EV_CATEGORY[1, 4] = 4
EV_CATEGORY[2, 4] = 5

EV_ENTRIES = np.flatnonzero(EV_CATEGORY).astype(np.int64)  # flat indices that receive evidence

BLOCK_RUNS = 256  # runs advanced together: their state (about 2 KB each) stays in L2 cache


@_jit
def _kernel(keys, prm, lev, drill_t, ctr, fl, spend_t, theatre, posture0, nuclear0, trust0, z0,
            gdp0, trade_exposure, region_w, state0, theta_ref, theta_allies_ref, anchor,
            pressure_ref, a0_logit, def_share0, prox, goldstein, tension_idx, chill, sc_target,
            exposure, n_years, first, launches_y, patrols_y, days_y, yearly, monthly, events,
            record_monthly, record_events, trust_i, trust_j, ev_cat, ev_entries):
    n_runs = keys.shape[0]
    horizon = drill_t.shape[0]
    n_cols = launches_y.shape[1]
    f = fl[0]
    nb = min(BLOCK_RUNS, n_runs)
    # state of a block of runs (model/state.py), one row per run
    arms = np.empty((6, nb))  # arms levels by actor, then run (and next month's)
    arms_next = np.empty((6, nb))
    trust_e = np.empty((36, nb))  # beliefs by entry (flat observer-actor index), then run
    flow = np.empty((nb, 6))
    ratio = np.empty((nb, 6))
    gdp_loss = np.empty((nb, 6))
    spending = np.empty((nb, 6))
    cap = np.empty((nb, 6))
    tij_e = np.empty((36, nb))  # threat by entry (flat observer-actor index), then run
    posture_b = np.empty((6, nb))  # this month's offensive posture and power share P_j^alpha
    power_b = np.empty((6, nb))
    forum_b = np.empty(nb)
    allied_threat = np.empty((2, nb))  # CHN's and RUS's threat from the allies / reference
    hotline_b = np.empty(nb)
    coerced = np.empty((nb, 6))
    counts = np.empty((nb, 14), dtype=np.int64)
    tech = np.empty(nb)
    cohesion = np.empty(nb)
    alignment = np.empty(nb)
    tension = np.empty(nb)
    level = np.empty(nb, dtype=np.int64)
    talks_state = np.empty(nb, dtype=np.bool_)
    denuc = np.empty(nb)
    nuclear = np.empty(nb)
    excitation = np.empty(nb)
    prov_exc = np.empty(nb)
    launch_days = np.empty(nb, dtype=np.int64)
    drill_memory = np.empty(nb)
    supply_chain = np.empty(nb)
    credibility = np.empty(nb)
    balance = np.empty(nb)
    willingness = np.empty(nb)
    sanctions_eff = np.empty(nb)
    # belief log-odds and anchors by entry (flat observer-actor index), then run: the entries
    # that receive evidence are updated one entry at a time across the block, in contiguous
    # loops; the few others that move (z not yet at its anchor) are listed per run
    z_e = np.empty((36, nb))
    anchor_e = np.empty((36, nb))
    ev_k = np.zeros((6, nb))  # this month's evidence by category (EV_CATEGORY) and run
    exp_b = np.empty(nb)
    n_dyn = np.empty(nb, dtype=np.int64)
    dyn_e = np.empty((nb, 36), dtype=np.int64)  # entries without evidence that still move
    # this month's values passed between phases
    talks_f = np.empty(nb)
    launches = np.empty(nb, dtype=np.int64)
    provs = np.empty(nb, dtype=np.int64)
    rhetoric = np.empty(nb, dtype=np.int64)
    # per-run constants: the same sub-expressions the NumPy step evaluates every month
    omega = np.empty(nb)
    branch_omega = np.empty(nb)
    tech_gain12 = np.empty(nb)
    grievance_p = np.empty(nb)
    turnover_p = np.empty(nb)
    coercion12 = np.empty(nb)
    launch12 = np.empty(nb)
    prov12 = np.empty(nb)
    rhet12 = np.empty(nb)
    decay12 = np.empty(nb)
    intel12 = np.empty(nb)
    attack12 = np.empty(nb)
    growth12 = np.empty(nb)
    start12 = np.empty(nb)
    collapse12 = np.empty(nb)
    denuc12 = np.empty(nb)
    denuc_keep = np.empty(nb)
    gdp_keep = np.empty(nb)
    w0_logit = np.empty(nb)
    rate_belief = np.empty(nb)
    rate_drill = np.empty(nb)
    rate_align = np.empty(nb)
    rate_tension = np.empty(nb)
    inv_gscale = np.empty(nb)
    offense_w_b = np.empty(nb)
    inv_theta_b = np.empty((6, nb))  # the block's rows of inv_theta_ref, by actor then run
    inv_allies_b = np.empty((2, nb))  # and of inv_allies_ref for CHN and RUS
    power_exp_b = np.empty(nb)
    reaction_b = np.empty(nb)
    fatigue_b = np.empty(nb)
    encircle_b = np.empty(nb)
    inv_theta_ref = 1.0 / theta_ref  # (runs, 6): a month multiplies where it would divide
    inv_allies_ref = 1.0 / theta_allies_ref
    inv_gdp0 = 1.0 / gdp0
    weighted = np.empty(14)

    for b0 in range(0, n_runs, nb):
        b1 = min(b0 + nb, n_runs)
        beliefs_started = False  # the first update visits every entry, then lists those that move
        for k in range(b1 - b0):
            r = b0 + k
            q = prm[r]
            # --- init_state (model/state.py) ---
            for i in range(6):
                arms[i, k] = 1.0
                flow[k, i] = 0.0
                ratio[k, i] = 1.0
                gdp_loss[k, i] = 0.0
                spending[k, i] = spend_t[0, i] if horizon > 0 else 0.0
                for j in range(6):
                    trust_e[6 * i + j, k] = trust0[i, j]
                    z_e[6 * i + j, k] = z0[i, j]
                    anchor_e[6 * i + j, k] = anchor[r, i, j]
            tech[k] = 1.0
            cohesion[k] = state0[0]
            alignment[k] = state0[1]
            tension[k] = state0[2]
            level[k] = int(state0[3])
            talks_state[k] = state0[4] != 0.0
            denuc[k] = state0[5]
            nuclear[k] = nuclear0
            excitation[k] = 0.0
            prov_exc[k] = 0.0
            launch_days[k] = 0
            drill_memory[k] = 0.0
            supply_chain[k] = 0.0
            credibility[k] = 0.0
            balance[k] = 0.0
            willingness[k] = 0.0
            sanctions_eff[k] = 0.0
            n_dyn[k] = 0
            omega[k] = math.exp(-1.0 / q.launch_excitation_months)
            branch_omega[k] = q.launch_branching_ratio * (1.0 - omega[k])
            tech_gain12[k] = q.tech_capability_gain_per_year / 12.0
            grievance_p[k] = q.grievance_shock_rate_per_year / 12.0
            turnover_p[k] = q.turnover_shock_rate_per_year / 12.0
            coercion12[k] = q.coercion_rate_per_year / 12.0
            launch12[k] = q.launch_base_rate_per_year / 12.0
            prov12[k] = q.provocation_base_rate_per_year / 12.0
            rhet12[k] = q.rhetoric_base_rate_per_year / 12.0
            decay12[k] = q.cohesion_decay_per_year / 12.0
            intel12[k] = q.intelligence_cohesion_gain_per_year / 12.0
            attack12[k] = q.deliberate_aggression_rate_per_year / 12.0
            growth12[k] = q.dprk_capability_growth_per_year / 12.0
            start12[k] = -q.talks_start_rate_per_year / 12.0
            collapse12[k] = -q.talks_collapse_rate_per_year / 12.0
            denuc12[k] = q.denuclearization_step_rate_per_year / 12.0
            denuc_keep[k] = 1.0 - q.denuclearization_reversal_per_year / 12.0
            gdp_keep[k] = 1.0 - q.gdp_recovery_per_year / 12.0
            rate_belief[k] = 1.0 / q.belief_memory_months
            rate_drill[k] = 1.0 / q.drill_memory_months
            rate_align[k] = 1.0 / q.alignment_months
            rate_tension[k] = 1.0 / q.tension_memory_months
            inv_gscale[k] = 1.0 / q.tension_goldstein_scale
            offense_w_b[k] = q.threat_offense_weight
            for i in range(6):
                inv_theta_b[i, k] = inv_theta_ref[r, i]
            inv_allies_b[0, k] = inv_allies_ref[r, 4]
            inv_allies_b[1, k] = inv_allies_ref[r, 5]
            power_exp_b[k] = q.threat_power_exponent
            reaction_b[k] = q.arms_reaction_per_year
            fatigue_b[k] = q.arms_fatigue_per_year
            encircle_b[k] = q.russia_encirclement_sensitivity
            w = _clip(q.willingness_baseline, EPS, 1.0 - EPS)
            w0_logit[k] = math.log(w) - math.log1p(-w)
            for fk in range(3):
                first[fk, r] = NEVER

        for t in range(horizon):
            lv = lev[t]
            drill = drill_t[t]
            clarity = lv.strategic_clarity
            comm = lv.open_communication
            forum = lv.multilateral_engagement
            intel = lv.intelligence_sharing
            flexible = lv.flexible_diplomacy
            md = lv.missile_defense_deployment
            infra = lv.permanent_infrastructure
            override = lv.talks_override
            forced = override >= 0.0
            year_end = (t + 1) % 12 == 0 and (t + 1) // 12 <= n_years
            record_now = record_monthly or year_end  # a month whose state is written out

            # --- phase 1: posture, capability, threat (threat.py, arms_race.spending) ---
            for k in range(b1 - b0):
                r = b0 + k
                q = prm[r]
                drill_memory[k] = drill_memory[k] + (drill - drill_memory[k]) * rate_drill[k]
                tech[k] = tech[k] * (1.0 + tech_gain12[k] * lv.tech_collaboration)
                for i in range(6):
                    spending[k, i] = spend_t[t, i] * arms[i, k]
                    cap[k, i] = spending[k, i] * theatre[i]
                for i in range(3):
                    cap[k, i] *= tech[k]
                extra = 0.0
                if f.posture_threat:
                    extra = (q.drill_offense_weight * drill * (1.0 - q.clarity_drill_discount * clarity)
                             + q.missile_defense_offense_weight * md
                             + q.infrastructure_offense_weight * infra)
                total = cap[k, 0]
                for j in range(1, 6):
                    total += cap[k, j]
                forum_cut = 1.0 - q.forum_threat_reduction * forum
                hotline = 1.0 - q.hotline_threat_reduction * comm
                forum_b[k] = forum_cut
                hotline_b[k] = hotline
                for j in range(6):
                    posture = posture0[j]
                    if j < 3 and f.posture_threat:
                        posture = posture0[j] + extra
                    elif j == 3:
                        posture = posture0[3] * math.sqrt(nuclear[k] / nuclear0)
                    posture_b[j, k] = posture
                    power_b[j, k] = cap[k, j] / total  # the share, raised to alpha below
            # P_j^alpha = exp(alpha ln P_j) across the block: the library calls in loops of
            # their own (threat.perceived_threat)
            for j in range(6):
                for k in range(b1 - b0):
                    power_b[j, k] = math.log(power_b[j, k])
                for k in range(b1 - b0):
                    power_b[j, k] = math.exp(power_exp_b[k] * power_b[j, k])
            # the threat matrix one entry at a time across the block (contiguous loops)
            for i in range(6):
                for j in range(6):
                    e = 6 * i + j
                    pij = prox[i, j]
                    encircled = i == 5 and j < 3
                    bloc = i == 4 or i == 5
                    for k in range(b1 - b0):
                        off = posture_b[j, k]
                        if encircled:
                            off = off * encircle_b[k]
                        v = (power_b[j, k] * pij * (1.0 + offense_w_b[k] * off)
                             * (1.0 - trust_e[e, k]))
                        v *= forum_b[k]
                        if bloc:
                            v *= hotline_b[k]
                        tij_e[e, k] = v
            for i in range(6):
                for k in range(b1 - b0):
                    acc = tij_e[6 * i, k]
                    for j in range(1, 6):
                        acc += tij_e[6 * i + j, k]
                    ratio[k, i] = acc * inv_theta_b[i, k]
            for i in range(4, 6):  # CHN's and RUS's threat from the allies (alignment.py)
                e = 6 * i
                for k in range(b1 - b0):
                    allied_threat[i - 4, k] = ((tij_e[e, k] + tij_e[e + 1, k] + tij_e[e + 2, k])
                                               * inv_allies_b[i - 4, k])

            # --- phase 2: events, cohesion, deterrence, alignment, DPRK capability ---
            for k in range(b1 - b0):
                r = b0 + k
                q = prm[r]
                key = keys[r]
                rho = ratio[k, 3]
                for e in range(14):
                    counts[k, e] = 0
                drill_eff = drill * (1.0 - q.clarity_drill_discount * clarity)
                if forced:
                    talks_state[k] = override >= 0.5
                talks = 1.0 if talks_state[k] else 0.0
                talks_f[k] = talks
                # events (step.py, provocations.py)
                summit = _uniform(key, ctr[t, 1, 0]) < min(1.0, lv.summit_frequency_per_year / 12.0)
                grievance = _uniform(key, ctr[t, 2, 0]) < grievance_p[k]
                turnover = _uniform(key, ctr[t, 3, 0]) < turnover_p[k]
                for i in range(6):
                    coerced[k, i] = 0.0
                if f.coercion:
                    n_coerce = _poisson(_uniform(key, ctr[t, 4, 0]), coercion12[k] * ratio[k, 4])
                    # the target's draw matters only when there was coercion
                    to_rok = n_coerce > 0 and _uniform(key, ctr[t, 5, 0]) < 0.6
                    coerced[k, 1] = n_coerce if to_rok else 0
                    coerced[k, 2] = 0 if to_rok else n_coerce
                    counts[k, EV_COERCION] = n_coerce
                threat_factor = math.exp(q.launch_threat_elasticity * (rho - 1.0))
                base = (launch12[k] * threat_factor
                        * math.exp(q.launch_capability_elasticity
                                   * math.log(nuclear[k] / CAPABILITY_REFERENCE)))
                if f.drill_provocation:
                    base = base * (1.0 + q.launch_drill_effect * drill_eff)
                base = base * (1.0 - q.talks_launch_suppression * talks)
                lam = base + (excitation[k] if f.self_excitation else 0.0)
                days = _poisson(_uniform(key, ctr[t, 6, 0]), lam / q.salvo_mean_size)
                launch_days[k] = days
                n_launch = days  # a Poisson draw of mean 0 (no launch days) is 0 whatever u
                if days > 0:
                    n_launch = days + _poisson(_uniform(key, ctr[t, 15, 0]),
                                               (q.salvo_mean_size - 1.0) * days)
                launches[k] = n_launch
                excitation[k] = omega[k] * excitation[k] + branch_omega[k] * n_launch
                base = prov12[k] * threat_factor
                if f.drill_provocation:
                    base = base * (1.0 + q.launch_drill_effect * drill_eff)
                base = base * (1.0 - q.talks_launch_suppression * talks)
                n_prov = _poisson(_uniform(key, ctr[t, 7, 0]),
                                  base + (prov_exc[k] if f.self_excitation else 0.0))
                provs[k] = n_prov
                prov_exc[k] = omega[k] * prov_exc[k] + branch_omega[k] * n_prov
                base = rhet12[k] * (0.5 + tension[k])
                if f.drill_provocation:
                    base = base * (1.0 + q.launch_drill_effect * drill_eff)
                rhetoric[k] = _poisson(_uniform(key, ctr[t, 8, 0]), base * (1.0 - 0.5 * talks))
                patrols = _poisson(_uniform(key, ctr[t, 9, 0]),
                                   PATROLS_PER_YEAR_AT_FULL_ALIGNMENT / 12.0 * alignment[k])
                counts[k, EV_LAUNCH] = n_launch
                counts[k, EV_PROVOCATION] = n_prov
                counts[k, EV_RHETORIC] = rhetoric[k]
                counts[k, EV_DRILL] = 1 if drill > 0 else 0
                counts[k, EV_SUMMIT] = 1 if summit else 0
                counts[k, EV_GRIEVANCE] = 1 if grievance else 0
                counts[k, EV_TURNOVER] = 1 if turnover else 0
                counts[k, EV_PATROL] = patrols
                counts[k, EV_TALKS] = 1 if talks_state[k] else 0
                # cohesion and deterrence (cohesion.py, deterrence.py)
                c0 = cohesion[k]
                if f.cohesion_dynamics:
                    c = (c0
                         + q.summit_cohesion_gain * (1.0 if summit else 0.0) * (1.0 - c0)
                         - decay12[k] * (c0 - q.cohesion_floor)
                         + intel12[k] * intel * (1.0 - c0)
                         - q.grievance_shock_size * (1.0 if grievance else 0.0)
                         - q.turnover_shock_size * (1.0 if turnover else 0.0))
                    cohesion[k] = _clip(c, 0.0, 1.0)
                a = alignment[k]
                allied = cap[k, 0] + cap[k, 1] + cap[k, 2]
                adversary = cap[k, 3] + a * BLOC_BACKING_SHARE * (cap[k, 4] + cap[k, 5])
                bal = allied / adversary
                balance[k] = bal
                gain = q.drill_credibility_gain if f.deterrence else 0.0
                resolve = min(1.0, q.alliance_resolve * (1.0 + gain * drill_memory[k]))
                cred = bal / (1.0 + bal) * cohesion[k] * resolve
                credibility[k] = cred
                # alignment, sanctions, DPRK capability (alignment.py, nuclear_programme.py)
                if f.alignment:
                    shared = (allied_threat[0, k] + allied_threat[1, k]) / 2.0
                    target = _expit(a0_logit + q.alignment_threat_sensitivity * (shared - 1.0))
                    a = _clip(a + (target - a) * rate_align[k], 0.0, 1.0)
                    alignment[k] = a
                leak = q.sanctions_leakage * a if f.bloc_support else 0.0
                s_eff = lv.sanctions_pressure * (1.0 - leak) * (1.0 - 0.5 * flexible * talks)
                sanctions_eff[k] = s_eff
                if f.nuclear_programme:
                    invest = max(0.0, 1.0 + q.dprk_threat_investment_elasticity * (rho - 1.0))
                    support = 1.0 + (q.bloc_tech_support * a if f.bloc_support else 0.0)
                    drag = 1.0 - q.sanctions_drag * s_eff
                    freeze = 1.0 - q.deal_freeze * talks
                    nuclear[k] = nuclear[k] * (1.0 + growth12[k] * invest * drag * freeze * support)

            # --- phase 3: diplomacy (diplomacy.py) ---
            if f.diplomacy:
                for k in range(b1 - b0):
                    r = b0 + k
                    q = prm[r]
                    key = keys[r]
                    pressure = (0.5 * lv.sanctions_pressure + 0.3 * min(drill_memory[k], 2.0) / 2.0
                                + 0.2 * (md + infra) / 2.0)
                    offer = flexible * min(1.0, 0.5 + tension[k])
                    trust_gap = trust_e[18, k] - REFERENCE_TRUST_PRK_USA
                    push = q.cornered_pressure_weight * (pressure - pressure_ref[r]) * (
                        1.0 - q.offramp_effect * offer)
                    zw = w0_logit[k] + q.offer_willingness_gain * offer + 2.0 * trust_gap
                    if f.cornered_effect:
                        zw = zw - push
                    # willingness is needed for the start hazard only when the month's uniform
                    # is below the hazard's bound at W = 1 (0 <= W <= 1), and otherwise only for
                    # the monthly records
                    on = talks_state[k]
                    u_talks = 0.0
                    need_will = record_monthly
                    if not forced and not on:
                        u_talks = _uniform(key, ctr[t, 10, 0])
                        if _below_prob(u_talks, -abs(start12[k]) * abs(0.5 + 0.5 * flexible)) != 0:
                            need_will = True
                    will = 0.0
                    if need_will:
                        will = _expit(zw)
                        willingness[k] = will
                    if forced:
                        on = override >= 0.5
                    elif on:
                        x_end = collapse12[k] * (0.5 + tension[k]) * (1.0 - 0.5 * flexible)
                        u_talks = _uniform(key, ctr[t, 11, 0])
                        hit = _below_prob(u_talks, x_end)
                        if hit < 0:
                            hit = 1 if u_talks < 1.0 - math.exp(x_end) else 0
                        on = hit == 0  # talks go on when u >= p_end
                    elif need_will:
                        x_start = start12[k] * will * (0.5 + 0.5 * flexible)
                        hit = _below_prob(u_talks, x_start)
                        if hit < 0:
                            hit = 1 if u_talks < 1.0 - math.exp(x_start) else 0
                        on = hit == 1
                    talks_state[k] = on
                    if on:
                        rate = denuc12[k] * (1.0 + q.sanctions_relief_effect * flexible)
                        u_step = _uniform(key, ctr[t, 12, 0])
                        hit = _below_prob(u_step, -rate)
                        if hit < 0:
                            hit = 1 if u_step < 1.0 - math.exp(-rate) else 0
                        if hit == 1:
                            denuc[k] = denuc[k] + q.denuclearization_step * (1.0 - denuc[k])
                            nuclear[k] = nuclear[k] * (1.0 - q.denuclearization_step)
                            counts[k, EV_DENUC] = 1
                    else:
                        denuc[k] = denuc[k] * denuc_keep[k]

            # --- phase 4: beliefs (beliefs.py, step.belief_evidence) ---
            if f.beliefs:
                for k in range(b1 - b0):
                    r = b0 + k
                    q = prm[r]
                    talks_now = 1.0 if talks_state[k] else 0.0
                    signal = 1.0 - q.communication_signal_effect * comm
                    drill_ev = -q.belief_drill_log_lr * drill * (1.0 - q.clarity_drill_discount
                                                                 * clarity)
                    posture_ev = -q.belief_posture_log_lr * (md + infra)
                    reassure = q.belief_reassurance_log_lr * (comm + forum) / 2.0
                    hostile = (drill_ev + posture_ev) * signal if f.posture_threat else 0.0
                    # the evidence of each category, accumulated in belief_evidence's order
                    talks_ev = q.belief_talks_log_lr * talks_now
                    ev_k[1, k] = 0.0 + (hostile + reassure)  # CHN, RUS observe allies
                    ev_k[2, k] = ev_k[1, k] + talks_ev  # PRK observes allies
                    ev_k[3, k] = (0.0 - q.belief_launch_log_lr * launches[k]) + talks_ev  # allies, PRK
                    ev_k[4, k] = 0.0 - q.coercion_trust_log_lr * coerced[k, 1]  # ROK observes CHN
                    ev_k[5, k] = 0.0 - q.coercion_trust_log_lr * coerced[k, 2]  # JPN observes CHN
                    rate_b = rate_belief[k]  # beliefs.update_trust_logit
                    if not beliefs_started:  # first update: every entry
                        nd = 0
                        for e in range(36):
                            c = ev_cat[e // 6, e % 6]
                            zo = z_e[e, k]
                            zn = zo + ev_k[c, k] + (anchor_e[e, k] - zo) * rate_b
                            zn = _clip(zn, -Z_MAX, Z_MAX)
                            trust_e[e, k] = _expit(zn)
                            z_e[e, k] = zn
                            # without evidence the update is a fixed map of z, so an entry
                            # it leaves unchanged (at its anchor, or at the clip) stays for good
                            if c == 0 and zn != zo:
                                dyn_e[k, nd] = e
                                nd += 1
                        n_dyn[k] = nd
                    else:  # entries without evidence still moving toward their anchor
                        m = 0
                        nd = n_dyn[k]
                        while m < nd:
                            e = dyn_e[k, m]
                            zo = z_e[e, k]
                            zn = zo + 0.0 + (anchor_e[e, k] - zo) * rate_b
                            zn = _clip(zn, -Z_MAX, Z_MAX)
                            if zn != zo:
                                trust_e[e, k] = _expit(zn)
                                z_e[e, k] = zn
                                m += 1
                            else:  # reached its fixed point: off the list
                                nd -= 1
                                dyn_e[k, m] = dyn_e[k, nd]
                        n_dyn[k] = nd
                if beliefs_started:  # the entries that receive evidence, one across the block
                    for x in range(ev_entries.shape[0]):
                        e = ev_entries[x]
                        c = ev_cat[e // 6, e % 6]
                        for k in range(b1 - b0):
                            zo = z_e[e, k]
                            zn = zo + ev_k[c, k] + (anchor_e[e, k] - zo) * rate_belief[k]
                            z_e[e, k] = _clip(zn, -Z_MAX, Z_MAX)
                        # expit(z) = 1 / (1 + exp(-z)) for every run (these log-odds move
                        # nearly every month, and an unchanged z gives the same value): the
                        # exp calls in one loop, the divisions in another that runs four
                        # at a time (each correctly rounded, so the same values)
                        for k in range(b1 - b0):
                            exp_b[k] = math.exp(-z_e[e, k])
                        for k in range(b1 - b0):
                            trust_e[e, k] = 1.0 / (1.0 + exp_b[k])
                beliefs_started = True

            # --- phase 5: arms race (arms_race.py) ---
            if f.arms_race:
                for i in range(6):  # one actor at a time across the block, from last month's
                    e = 6 * i  # levels (arms) into this month's (arms_next)
                    for k in range(b1 - b0):
                        acc = (tij_e[e, k] * arms[0, k] + tij_e[e + 1, k] * arms[1, k]
                               + tij_e[e + 2, k] * arms[2, k] + tij_e[e + 3, k] * arms[3, k]
                               + tij_e[e + 4, k] * arms[4, k] + tij_e[e + 5, k] * arms[5, k])
                        yi = arms[i, k]
                        dy = (reaction_b[k] * (acc * inv_theta_b[i, k] - 1.0)
                              - fatigue_b[k] * (yi - 1.0)) * (1.0 / 12.0)
                        arms_next[i, k] = max(yi + dy, 0.05)
                arms, arms_next = arms_next, arms

            # --- phase 6: ladder, tension, economy, records ---
            for k in range(b1 - b0):
                r = b0 + k
                q = prm[r]
                key = keys[r]
                rho = ratio[k, 3]
                talks = talks_f[k]
                lvl = level[k]
                # escalation ladder (escalation.py)
                if rhetoric[k] > 0:
                    lvl = max(lvl, 1)
                if launches[k] + provs[k] > 0:
                    lvl = max(lvl, 2)
                tens = tension[k]
                coh = cohesion[k]
                u = _uniform(key, ctr[t, 13, 0])
                # what only the rungs provocation, crisis and clash use is computed there alone,
                # and only once the month's uniform is near the bounds of _settled: until
                # then f_t = exp(x) and the Box-Muller radius sqrt(-2 ln(1 - u1)) enter as upper
                # bounds that need neither exp nor log (_exp_bound, _radius_bound)
                x_t = 0.0
                f_t = 0.0
                m = 1.0
                u1 = 0.0
                radius = 0.0
                if lvl >= 2 and lvl <= 4:
                    x_t = q.tension_escalation_sensitivity * (tens - 0.5)
                    f_t = _exp_bound(x_t)
                misperceive = f.misperception and (lvl == 2 or lvl == 3)
                sigma = 0.0
                if misperceive:  # Box-Muller: zm = radius * cos(2 pi u1), |zm| <= radius
                    u1 = _uniform(key, ctr[t, 14, 0])
                    radius = _radius_bound(u1)
                    sigma = (q.misperception_noise * (1.0 - q.intelligence_warning_effect * intel)
                             * (1.0 - q.hotline_noise_reduction * comm))
                cm = (coh + intel + comm) / 3.0 if f.crisis_management else 0.0
                down_gain = (1.0 + q.crisis_management_effect * cm) * (
                    1.0 + q.talks_deescalation_gain * talks)
                down = 0.0
                if lvl >= 1 and lvl <= 3:
                    down = q.deescalation_per_month * down_gain
                elif lvl == 4:
                    down = q.clash_deescalation_per_month * down_gain
                elif lvl == 5:
                    down = q.armistice_per_month * (1.0 + q.crisis_management_effect * cm)
                new = _settled(u, lvl, f_t, 1.0 + abs(sigma) * radius, down, attack12[k], q,
                               intel, cm, credibility[k], trust_e[18, k], nuclear[k] / nuclear0,
                               f.deterrence, f.preemption)
                if new < 0:  # u is near a transition probability: compute them exactly
                    if lvl >= 2 and lvl <= 4:
                        f_t = math.exp(x_t)
                    if misperceive:
                        radius = math.sqrt(-2.0 * math.log1p(-u1))
                    h_delib = attack12[k]  # deterrence.deliberate_hazard
                    h_delib_war = q.deliberate_war_per_month
                    if lvl >= 2 and lvl <= 4 and f.deterrence:
                        factor = math.exp(q.deterrence_elasticity
                                          * math.log(1.0 - credibility[k]))
                        h_delib = h_delib * factor
                        h_delib_war = h_delib_war * factor
                    if misperceive:
                        zm = radius * math.cos(2.0 * math.pi * _uniform(key, ctr[t, 14, 1]))
                        m = 1.0 + sigma * abs(zm)
                    up = 0.0
                    jump = 0.0
                    if lvl == 2:
                        up = q.provocation_to_crisis_per_month * f_t * m
                        jump = h_delib
                    elif lvl == 3:
                        pre = 0.0
                        if f.preemption:
                            pre = (q.preemption_per_month
                                   / (1.0 + math.exp(-(rho - q.preemption_threat_threshold)
                                                     / 0.1))
                                   * (1.0 - trust_e[18, k]))
                        surprise = (q.crisis_to_clash_per_month * f_t * m
                                    * (1.0 - q.intelligence_warning_effect * intel))
                        up = surprise + h_delib + pre
                    elif lvl == 4:
                        cm_cut = 1.0 - q.crisis_management_effect * cm
                        up = (q.clash_to_war_per_month * f_t + h_delib_war) * cm_cut
                    elif lvl == 5:
                        up = q.war_to_nuclear_per_month * math.sqrt(nuclear[k] / nuclear0)
                    p_up = _prob(up)
                    p_jump = _prob(jump)
                    p_down = _prob(down)
                    new = lvl
                    if u < p_up:
                        new = lvl + 1
                    elif u < p_up + p_jump:
                        new = 4
                    elif u < p_up + p_jump + p_down:
                        new = 3 if lvl == 5 else lvl - 1
                if lvl == 6:
                    new = 6
                if new > lvl:
                    if new == 4:
                        counts[k, EV_CLASH] = 1
                    elif new == 6:
                        counts[k, EV_NUCLEAR] = 1
                level[k] = new
                counts[k, EV_WAR] = 1 if new == 5 else 0
                # tension (tension.py)
                for e in range(14):
                    weighted[e] = float(counts[k, e])
                weighted[EV_DRILL] = drill
                e0 = tension_idx[0]
                net = weighted[e0] * goldstein[e0]
                for kk in range(1, tension_idx.shape[0]):
                    e = tension_idx[kk]
                    net += weighted[e] * goldstein[e]
                forum_cut = 1.0 - q.forum_threat_reduction * forum
                target = _clip(-net * inv_gscale[k], 0.0, 1.0) * forum_cut
                tens = tens + (target - tens) * rate_tension[k]
                tension[k] = tens
                # economy (economy.py); the GDP loss itself is an output, formed only in the
                # months that record it (from this month's spending, tension and flow)
                if f.economy:
                    sc = supply_chain[k] + (sc_target[new] - supply_chain[k]) / 3.0
                    supply_chain[k] = sc
                    for i in range(6):
                        shock = (q.investment_chill_scale * chill[new]
                                 + q.supply_chain_sensitivity * sc) * exposure[i]
                        shock = shock + q.coercion_trade_loss * coerced[k, i]
                        flow[k, i] = flow[k, i] * gdp_keep[k] + shock
                    if record_now:
                        for i in range(6):
                            crowd = q.defense_crowding_out * max(
                                0.0, spending[k, i] * inv_gdp0[i] - def_share0[i]) * 100.0
                            trade = q.trade_tension_elasticity * tens * trade_exposure[i]
                            gdp_loss[k, i] = crowd + trade + flow[k, i]
                # records (engine/simulate.py)
                if new >= 4 and first[0, r] == NEVER:
                    first[0, r] = t
                if new >= 5 and first[1, r] == NEVER:
                    first[1, r] = t
                if new >= 6 and first[2, r] == NEVER:
                    first[2, r] = t
                y = min(t // 12, n_cols - 1)
                launches_y[r, y] += counts[k, EV_LAUNCH]
                patrols_y[r, y] += counts[k, EV_PATROL]
                days_y[r, y] += launch_days[k]
                a = alignment[k]
                coh = cohesion[k]
                polar = 0.0
                if record_now:
                    polar = math.sqrt(_clip(a, 0.0, 1.0) * _clip(coh, 0.0, 1.0))
                if record_monthly:
                    row = monthly[r, t]
                    row[0] = float(new)
                    row[1] = tens
                    row[2] = coh
                    row[3] = a
                    row[4] = polar
                    row[5] = credibility[k]
                    row[6] = balance[k]
                    row[7] = nuclear[k]
                    row[8] = denuc[k]
                    row[9] = 1.0 if talks_state[k] else 0.0
                    row[10] = willingness[k]
                    row[11] = sanctions_eff[k]
                    row[12] = supply_chain[k]
                    for i in range(6):
                        row[13 + i] = arms[i, k]
                        row[19 + i] = spending[k, i]
                        row[25 + i] = ratio[k, i]
                        row[31 + i] = gdp_loss[k, i]
                    for kk in range(trust_i.shape[0]):
                        row[37 + kk] = trust_e[6 * trust_i[kk] + trust_j[kk], k]
                if record_events:
                    for e in range(14):
                        events[r, t, e] = min(counts[k, e], 32767)
                if year_end:
                    yi = (t + 1) // 12 - 1
                    yearly[0, r, yi] = a
                    yearly[1, r, yi] = polar
                    yearly[2, r, yi] = denuc[k]
                    acc = gdp_loss[k, 1] * region_w[0] + gdp_loss[k, 2] * region_w[1]
                    acc += gdp_loss[k, 4] * region_w[2]
                    yearly[3, r, yi] = acc
                    yearly[4, r, yi] = gdp_loss[k, ROK]
                    yearly[5, r, yi] = coh
                    yearly[6, r, yi] = 100.0 * ((arms[0, k] + arms[1, k] + arms[2, k] + arms[4, k])
                                                / 4.0 - 1.0)
                    yearly[7, r, yi] = nuclear[k]
                    yearly[8, r, yi] = balance[k]
                    yearly[9, r, yi] = tens


def _records(fields: tuple[str, ...], values: dict, n: int, dtype: str) -> np.ndarray:
    """A structured array (one record per row) so the kernel reads fields by name; a
    recarray view, whose fields plain Python reads by attribute too (NUMBA_DISABLE_JIT=1)."""
    rec = np.empty(n, dtype=[(name, dtype) for name in fields])
    for name in fields:
        rec[name] = values[name]
    return rec.view(np.recarray)


def evidence_mask() -> np.ndarray:
    """Which (observer, actor) beliefs can receive evidence (model/step.py: belief_evidence).

    Found by calling the NumPy evidence function with non-zero inputs and every mechanism
    on; tests check that EV_CATEGORY marks exactly these entries.
    """
    from peninsula.model.step import belief_evidence

    one = np.ones(1)
    p = {name: one for name in NAMES}
    flags = {k: True for k in MECHANISMS}
    ev = belief_evidence(p, flags, one, one, one, 0.5 * one, 0.5 * one, one, 3.0 * one, one,
                   np.ones((1, 6)))  # 3 launches, so launch and talks evidence do not cancel
    return np.ascontiguousarray(ev[0] != 0.0)


def _param_records(params: np.ndarray) -> np.ndarray:
    """The (runs x parameters) matrix as one record per run, without copying when it can.

    A row of float64 values in NAMES order has the memory layout of a record of float64
    fields in that order, so a C-contiguous matrix is viewed, not copied field by field.
    """
    dtype = np.dtype([(name, "f8") for name in NAMES])
    return (np.ascontiguousarray(params, dtype=np.float64).view(dtype).reshape(len(params))
            .view(np.recarray))


def kernel_inputs(setup, params: np.ndarray, n_runs: int) -> dict:
    """Per-chunk inputs shared with the NumPy path: plan, reference points, counters."""

    h = setup.horizon
    prm = _param_records(params[:n_runs])
    lev = _records(tuple(LEVERS), setup.plan.values, h, "f8")
    fl = _records(tuple(MECHANISMS), {k: bool(setup.flags[k]) for k in MECHANISMS}, 1, "?")
    ctx = StepContext(setup, {n: params[:, j] for j, n in enumerate(NAMES)}, n_runs)
    # splitmix64(counter + j) of engine/random.py for every (month, slot, j): shared by all runs
    t_, slot_, j_ = np.meshgrid(np.arange(max(h, 1), dtype=np.uint64),
                                np.arange(N_SLOTS, dtype=np.uint64),
                                np.arange(2, dtype=np.uint64), indexing="ij")
    ctr = splitmix64(((t_ << np.uint64(40)) | (slot_ << np.uint64(16))) + j_)
    spend_t = np.array([setup.spending0 * (1.0 + setup.growth) ** (t / 12.0) for t in range(h)])
    idx = list(REGION_GDP_ACTORS)
    s0 = setup.state0
    return dict(
        prm=prm, lev=lev, drill_t=np.ascontiguousarray(setup.plan.drill, dtype=np.float64),
        ctr=ctr, fl=fl, spend_t=spend_t.reshape(h, N_ACTORS), theatre=setup.theatre,
        posture0=setup.posture0, nuclear0=float(setup.nuclear0), trust0=setup.trust0,
        z0=np.ascontiguousarray(logit(setup.trust0)), gdp0=setup.gdp0,
        trade_exposure=setup.trade_exposure, region_w=setup.gdp0[idx] / setup.gdp0[idx].sum(),
        state0=np.array([s0["cohesion"], s0["alignment"], s0["tension"], s0["escalation_level"],
                         float(bool(s0["talks_active"])), s0["denuclearization"]], dtype=float),
        theta_ref=np.ascontiguousarray(ctx.theta_ref), theta_allies_ref=np.ascontiguousarray(
            ctx.theta_allies_ref), anchor=np.ascontiguousarray(ctx.anchor),
        pressure_ref=np.ascontiguousarray(ctx.pressure_ref, dtype=float), a0_logit=ctx.a0_logit,
        def_share0=ctx.def_share0, prox=PROXIMITY, goldstein=GOLDSTEIN,
        tension_idx=TENSION_IDX.astype(np.int64), chill=CHILL_PCT_PER_MONTH,
        sc_target=SUPPLY_CHAIN_TARGET, exposure=EXPOSURE,
        trust_i=np.array([i for i, _ in TRUST_INDEX], dtype=np.int64),
        trust_j=np.array([j for _, j in TRUST_INDEX], dtype=np.int64),
        ev_cat=EV_CATEGORY, ev_entries=EV_ENTRIES,
    )


def simulate_fused(setup, run_ids: np.ndarray, keys: np.ndarray, params: np.ndarray,
                   record_monthly: bool, record_events: bool, n_vars: int, kernel=None):
    """Run the compiled kernel over a chunk; return (first, by-year counts, yearly, monthly,
    events) in the layout of io/results.py's ChunkResult.

    ``kernel`` replaces the compiled kernel (benchmarks/opcount.py runs its Python source to
    count operations).
    """
    if numba is None and kernel is None:
        raise RuntimeError("the fused step needs Numba: pip install 'peninsula[fast]'")
    n, h, years = len(run_ids), setup.horizon, setup.n_years
    cols = max(years, 1)
    inputs = kernel_inputs(setup, params, n)
    first = np.empty((3, n), dtype=np.int32)
    launches_y = np.zeros((n, cols))
    patrols_y = np.zeros((n, cols))
    days_y = np.zeros((n, cols))
    yearly = np.zeros((len(YEARLY_KEYS), n, cols))
    monthly = (np.empty((n, h, n_vars), np.float32) if record_monthly
               else np.empty((0, 0, n_vars), np.float32))
    events = (np.zeros((n, h, N_EVENT_TYPES), np.int16) if record_events
              else np.empty((0, 0, N_EVENT_TYPES), np.int16))
    (kernel or _kernel)(keys, inputs["prm"], inputs["lev"], inputs["drill_t"], inputs["ctr"], inputs["fl"],
            inputs["spend_t"], inputs["theatre"], inputs["posture0"], inputs["nuclear0"],
            inputs["trust0"], inputs["z0"], inputs["gdp0"], inputs["trade_exposure"],
            inputs["region_w"], inputs["state0"], inputs["theta_ref"], inputs["theta_allies_ref"],
            inputs["anchor"], inputs["pressure_ref"], inputs["a0_logit"], inputs["def_share0"],
            inputs["prox"], inputs["goldstein"], inputs["tension_idx"], inputs["chill"],
            inputs["sc_target"], inputs["exposure"], years, first, launches_y, patrols_y, days_y,
            yearly, monthly, events, record_monthly, record_events, inputs["trust_i"],
            inputs["trust_j"], inputs["ev_cat"], inputs["ev_entries"])
    return (
        {k: first[i] for i, k in enumerate(FIRST_KEYS)},
        launches_y, patrols_y, days_y,
        {k: yearly[i] for i, k in enumerate(YEARLY_KEYS)},
        monthly if record_monthly else None,
        events if record_events else None,
    )
