"""What the monthly record 2006-2025 can say about the strategy effects: estimates with intervals.

Launches (negative binomial regression in the model's form). For month t,

    Y_t ~ NB2(mu_t, alpha),   Var(Y_t) = mu_t + alpha * mu_t**2
    log mu_t = b0 + b_S * sanctions_t + b_y * years_t + b_A * A_t
               + log(1 - s_talks * talks_t) + log(1 + beta_JME * drill_t)

Y_t: missiles launched (variant: launch days); talks_t: 1 in a month the record codes as talks
(Dec 2006 - Dec 2008, Feb - Mar 2012, Mar 2018 - Feb 2019); drill_t: the replay's exercise
intensity (US-ROK intensity plus 0.3 per trilateral drill, 0..2); sanctions_t: the replay's
sanctions pressure (stepped up with each UN resolution); years_t: years since January 2006,
the programme's growth (the model's capability factor (N / 50)^e_N with N growing about
exponentially is log-linear in time); A_t: a publicly announced weapons programme in force
(the lever that drives the model's testing-campaign regime).

Mapping to the model's scale (model/provocations.py): none is needed, the last two terms are
the model's own factors,

    lambda_launch = base * threat * capability * (1 + beta_JME * d) * (1 - s_talks * talks) + E

so a talks month's rate over a no-talks month's is 1 - s_talks (talks_launch_suppression) and a
unit-drill month's over a no-drill month's is 1 + beta_JME (launch_drill_effect), exactly. Each
is estimated by profile likelihood (statsmodels ``NegativeBinomial`` maximised over the other
coefficients and alpha, the effect entering as an offset), with the 90% interval
{theta: 2 (l_max - l(theta)) <= chi2_1(0.90)}. The record has no launch in any talks month:
the log-linear talks coefficient then has no finite maximum (separation) and no Wald interval,
while the profile still closes the interval's lower end; the maximum is the bound s_talks = 1,
where the talks months add nothing to the other coefficients' likelihood, so the drill effect
is fitted without them. Check (``wald_clustered``): the log-linear fit exp(b_T), exp(b_D) with
Wald intervals from a covariance clustered by calendar year (t quantiles), since the model's
yearly frailty and campaigns make months of one year move together. Variants: launch days; the
talks coding open to October 2019; log(1 + Y_{t-1}) as a regressor, a stand-in for the
self-exciting term E; yearly counts (the dispersion then the yearly frailty); the drills of the
month before in place of the month's own (a response after the exercise; the model's factor is
the same month's, so this variant is a check, not a map). The model reads
d_eff = d (1 - c_d * clarity); clarity is constant over the record, so beta_JME is identified
up to that constant factor.

Incidents (exact conditional Poisson). Armed-clash months C (the ``incidents`` table: 6 in
2006-2025, none in a month of talks and none while the military agreement was in force) are too
few for a regression: an exposure with no clash has a maximum-likelihood rate ratio of 0 and an
infinite log. Comparing months with exposure x (E_1 months) against months without (E_0 months),
conditional on the total n = C_1 + C_0,

    C_1 | n ~ Binomial(n, p),   p = E_1 RR / (E_1 RR + E_0),   RR = p E_0 / ((1 - p) E_1)

The 90% interval of p is Clopper-Pearson (exact, conservative), mapped to RR; the estimate is
the median-unbiased one (the p at which each one-sided tail has probability 1/2), finite when a
cell is empty. No prior is involved. Mapping (model/escalation.py): clashes need up-moves at the
provocation and crisis rungs, each competing with a down-move whose hazard is much larger
(0.04 and 0.012 against 0.25 a month), so the accidental clash rate is about proportional to
the product of the two up-hazards over the two down-hazards:

    military_agreement_effect  RR = (1 - r_A)^2,   r_A = 1 - sqrt(RR)
        (both up-hazards are multiplied by 1 - r_A; deliberate clashes are not, so this is the
        smallest r_A a given RR allows)
    talks_deescalation_gain    RR = (1 + g_talks)^-2,   g_talks = RR^(-1/2) - 1
        (both down-hazards are multiplied by 1 + g_talks; talks also carry open channels, whose
        part of the crisis-management capacity multiplies them too, so the contrast bounds the
        two together)

These maps are approximations of the ladder (rare up-moves), unlike the launch maps.

Verdict: an effect is moved by the data when its 90% interval on the parameter's scale excludes
the null value (the data tell its sign) or is narrower than half its prior range (the data pin
it more tightly than the prior does); otherwise it stays at its prior. ``fit_until`` keeps only
the months of years up to it: every regressor of a month is built from that month and the one
before, never from later months, so a back-test cut sees nothing after the cut.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
from scipy import optimize, stats
from statsmodels.discrete.discrete_model import NegativeBinomial
from statsmodels.tools.sm_exceptions import ConvergenceWarning, HessianInversionWarning

from peninsula.analysis.record import historical_levers
from peninsula.io.history import load_table
from peninsula.io.incidents import ALTERNATIVE_CLASH_MONTHS
from peninsula.scenario.parameters import BY_NAME

CONFIDENCE = 0.90
LAUNCH_REGRESSORS = ("talks", "drill", "sanctions", "years", "announced")
CLUSTER_MIN = 4  # fewer years than this: no clustered covariance (plain MLE covariance)
DRILL_EFFECT_FLOOR = -0.499  # 1 + beta * d > 0 for every d in 0..2 (limit -0.5)
PROFILE_FINE_TOP, PROFILE_FINE_POINTS, PROFILE_FAR_POINTS = 3.0, 41, 6  # profile grid
ALPHA_FLOOR = 1e-4  # NB2 alpha below this: the fit is at the Poisson boundary
FAILED_LOGLIK = -1e12  # a fit with no finite likelihood: far below any real one
TALKS_SUPPRESSION_FLOOR = -9.0  # search bound: talks months at ten times the rate of others
TALKS_SUPPRESSION_TOP = 1.0 - 1e-9  # s_talks = 1 is log(0); this bound stands for it
DRILL_EFFECT_CEILING = 20.0  # the parameter's upper limit
PRIOR_PINNED_SHARE = 0.5  # an interval narrower than half the prior range: the data move it
# Alternative codings (judgement), reported beside the record's own:
TALKS_2019_OPEN = [f"2019-{m:02d}" for m in range(3, 11)]  # to the Stockholm talks (5 Oct 2019)
CLASH_2020_05 = ALTERNATIVE_CLASH_MONTHS["guard_post_2020"][0]  # May 2020 as a clash month
DATA_MOVE = "data move it"
STAYS = "stays at its prior"


def strategy_record() -> pd.DataFrame:
    """The monthly record 2006-2025 as the regressions read it (one row a month).

    Columns: month, year, missiles, launch_days, talks, drill, sanctions, years, announced,
    agreement, clash (armed-clash month), and the alternative codings talks_2019 (talks held
    open to October 2019) and clash_2020 (May 2020 counted as a clash month)."""
    m = load_table("monthly")
    levers = historical_levers()
    clashes = load_table("incidents").set_index("month")["clash"]
    months = m["month"]
    talks = m["talks_active"].astype(int)
    clash = months.map(clashes).fillna(0).astype(int)
    return pd.DataFrame({
        "month": months, "year": months.str[:4].astype(int),
        "missiles": m["missiles_launched"].astype(int), "launch_days": m["launch_days"].astype(int),
        "talks": talks, "drill": levers["exercise_intensity"],
        "sanctions": levers["sanctions_pressure"],
        "years": np.arange(len(m)) / 12.0,
        "announced": levers["programme_announcement"],
        "agreement": levers["military_agreement"],
        "clash": clash,
        "talks_2019": np.where(months.isin(TALKS_2019_OPEN), 1, talks),
        "clash_2020": np.where(months == CLASH_2020_05, 1, clash),
    })


def until(record: pd.DataFrame, fit_until: int | None) -> pd.DataFrame:
    """The rows of years up to ``fit_until`` (all rows when None)."""
    if fit_until is None:
        return record.reset_index(drop=True)
    return record[record["year"] <= fit_until].reset_index(drop=True)


def basis_years(rows: pd.DataFrame) -> list[int]:
    """[first, last] calendar year of the rows used."""
    return [int(rows["year"].min()), int(rows["year"].max())]


# --- launches -------------------------------------------------------------------------------

def varying(rows: pd.DataFrame, names: tuple[str, ...]) -> list[str]:
    """The regressors that vary over the rows (a constant one cannot be estimated)."""
    return [n for n in names if rows[n].nunique() > 1]


def design(rows: pd.DataFrame, names: list[str]) -> np.ndarray:
    """The regressor matrix: a constant, then the named columns."""
    return np.column_stack([np.ones(len(rows)), *(rows[n].to_numpy(float) for n in names)])


def fit_nb(y: np.ndarray, x: np.ndarray, groups: np.ndarray | None = None,
           offset: np.ndarray | None = None, start: np.ndarray | None = None):
    """NB2 maximum likelihood: BFGS (from ``start``, else statsmodels' Poisson start) polished
    by Newton's method, whose analytic Hessian keeps BFGS from stopping short (not at the
    Poisson boundary alpha ~ 0, where that Hessian is singular); clustered
    covariance by ``groups`` with t quantiles when given. The log-likelihood is evaluated here,
    where statsmodels' warnings are silenced: convergence is reported through ``mle_retvals``,
    never printed."""
    model = NegativeBinomial(y, x, loglike_method="nb2", offset=offset)
    kwargs: dict = {"disp": 0}
    if groups is not None:
        kwargs.update(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", HessianInversionWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        res = model.fit(method="bfgs", start_params=start, maxiter=1000, **kwargs)
        if res.params[-1] > ALPHA_FLOOR:  # at alpha ~ 0 (Poisson) Newton's Hessian is singular
            polished = model.fit(method="newton", start_params=res.params, maxiter=50, **kwargs)
            if polished.mle_retvals["converged"] and polished.llf >= res.llf:
                res = polished
        res.llf  # noqa: B018 (cached while the warnings are silenced)
    return res


def profile_grid(low: float, high: float) -> np.ndarray:
    """Search points for a profile: fine over -1..3 (where the effects live), coarse beyond."""
    fine_low, fine_high = max(low, -1.0), min(high, PROFILE_FINE_TOP)
    parts = [np.linspace(fine_low, fine_high, PROFILE_FINE_POINTS)]
    if low < fine_low:
        parts.append(np.linspace(low, fine_low, PROFILE_FAR_POINTS))
    if high > fine_high:
        parts.append(np.geomspace(fine_high, high, PROFILE_FAR_POINTS))
    if low < 0.0 < high:
        parts.append(np.array([0.0]))
    return np.unique(np.concatenate(parts))


def launch_data(rows: pd.DataFrame, outcome: str, talks: str, lagged: bool,
                yearly: bool = False, drill_lag: bool = False) -> tuple[pd.DataFrame, list[str]]:
    """The rows with ``talks`` set from the chosen coding and, when ``lagged``, the regressor
    log(1 + Y_{t-1}) (the first row dropped); and the regressors that vary over them.
    ``drill_lag``: the drill intensity of the month before (the first row dropped), for
    responses that come after the exercise.
    ``yearly``: one row a year, the count summed and the regressors averaged (the talks
    share of the year's months, the mean drill intensity), without sanctions, which move
    with the years there. If the rest of the rate is flat within a year, a year's mean is
    12 * rate * (1 - s_talks * share) * (1 + beta_JME * mean drill) exactly, and the
    negative binomial's dispersion is then the model's yearly frailty."""
    data = rows.assign(talks=rows[talks])
    names = list(LAUNCH_REGRESSORS)
    if drill_lag:
        data = data.assign(drill=data["drill"].shift(1)).iloc[1:]
    if yearly:
        names.remove("sanctions")
        data = data.groupby("year", as_index=False).agg(
            {outcome: "sum", **{n: "mean" for n in names}})
    if lagged:
        data = data.assign(lagged=np.log1p(data[outcome].shift(1))).iloc[1:]
        names.append("lagged")
    return data.reset_index(drop=True), varying(data, tuple(names))


def separated(data: pd.DataFrame, outcome: str) -> bool:
    """No launch in any talks month: the log-linear talks coefficient's MLE is minus infinity
    (quasi-complete separation), so only a profile interval is valid."""
    on = data["talks"].to_numpy() > 0
    return bool(on.any() and data.loc[on, outcome].sum() == 0)


def wald_fit(data: pd.DataFrame, names: list[str], outcome: str) -> dict:
    """The log-linear regression: each regressor's coefficient, rate ratio and 90% Wald
    interval, clustered by year (t quantiles) when the data span CLUSTER_MIN years or more."""
    clustered = data["year"].nunique() >= CLUSTER_MIN
    res = fit_nb(data[outcome].to_numpy(float), design(data, names),
                 data["year"].to_numpy() if clustered else None)
    ci = np.asarray(res.conf_int(alpha=1.0 - CONFIDENCE))
    with np.errstate(over="ignore"):  # an unbounded end is an infinite rate ratio
        return {**wald_table(res, ci, names, clustered), "n": len(data)}


def wald_table(res, ci: np.ndarray, names: list[str], clustered: bool) -> dict:
    """The coefficients of a fitted log-linear regression with their rate ratios."""
    coef = {name: {"coef": float(res.params[i]), "se": float(res.bse[i]),
                   "rate_ratio": float(np.exp(res.params[i])),
                   "rate_ratio_interval_90": [float(np.exp(ci[i, 0])), float(np.exp(ci[i, 1]))]}
            for i, name in enumerate(names, start=1)}
    return {"coef": coef, "alpha": float(res.params[-1]),
            "converged": bool(res.mle_retvals["converged"]),
            "covariance": "clustered by year (t)" if clustered else "maximum likelihood"}


def profile(y: np.ndarray, x: np.ndarray, offset_of, low: float, high: float) -> dict:
    """The MLE of one effect theta entering as the offset ``offset_of(theta)``, the other
    coefficients and alpha maximised out, and its 90% profile-likelihood interval
    {theta: 2 (l_max - l(theta)) <= chi2_1(0.90)} within [low, high]; an end at a search bound
    (``open_low``, ``open_high``) means the data do not close the interval there. A grid
    brackets the maximum and the crossings before the optimiser and root finder refine them."""
    start = fit_nb(y, x).params  # every fit starts from the fit without the effect

    def loglik(theta: float) -> float:
        value = float(fit_nb(y, x, offset=offset_of(theta), start=start).llf)
        return value if math.isfinite(value) else FAILED_LOGLIK

    grid = profile_grid(low, high)
    values = np.array([loglik(t) for t in grid])
    i = int(np.argmax(values))
    theta, top = float(grid[i]), float(values[i])
    if 0 < i < len(grid) - 1:
        best = optimize.minimize_scalar(lambda t: -loglik(t), bounds=(grid[i - 1], grid[i + 1]),
                                        method="bounded", options={"xatol": 1e-5})
        if -best.fun > top:
            theta, top = float(best.x), -float(best.fun)
    drop = stats.chi2.ppf(CONFIDENCE, 1) / 2.0

    def gap(t: float) -> float:
        return top - loglik(t) - drop

    # the nearest grid points beyond theta that fall below the threshold bracket the ends
    below = [j for j in range(len(grid)) if grid[j] < theta and values[j] < top - drop]
    above = [j for j in range(len(grid)) if grid[j] > theta and values[j] < top - drop]
    lo = float(optimize.brentq(gap, grid[below[-1]], min(theta, grid[below[-1] + 1]),
                               xtol=1e-5)) if below else low
    hi = float(optimize.brentq(gap, max(theta, grid[above[0] - 1]), grid[above[0]],
                               xtol=1e-5)) if above else high
    return {"estimate": theta, "interval_90": [lo, hi], "open_low": not below,
            "open_high": not above}


def talks_profile(data: pd.DataFrame, names: list[str], outcome: str) -> dict:
    """s_talks in the model's form, log mu = X b + log(1 - s_talks * talks): the MLE and
    profile interval, s_talks in [TALKS_SUPPRESSION_FLOOR, 1] (1: no launch while talking)."""
    others = [n for n in names if n != "talks"]
    y, x, t = data[outcome].to_numpy(float), design(data, others), data["talks"].to_numpy(float)
    fit = profile(y, x, lambda s: np.log1p(-s * t), TALKS_SUPPRESSION_FLOOR, TALKS_SUPPRESSION_TOP)
    return round_top(fit, TALKS_SUPPRESSION_TOP, 1.0)


def drill_profile(data: pd.DataFrame, names: list[str], outcome: str) -> dict:
    """beta_JME in the model's form, log mu = X b + log(1 + beta * drill): the MLE and profile
    interval within the parameter's limits. Under separation the talks months, which then add
    nothing to the likelihood at the MLE (mu = 0 where y = 0), are left out with their dummy."""
    if separated(data, outcome):
        data = data[data["talks"] == 0]
        names = varying(data, tuple(names))
    others = [n for n in names if n != "drill"]
    y, x, d = data[outcome].to_numpy(float), design(data, others), data["drill"].to_numpy(float)
    return profile(y, x, lambda b: np.log1p(b * d), DRILL_EFFECT_FLOOR, DRILL_EFFECT_CEILING)


def round_top(fit: dict, top: float, value: float) -> dict:
    """Report a search bound standing in for an open end (log 0) as the end itself."""
    def snap(v: float) -> float:
        return value if v >= top else v

    return {**fit, "estimate": snap(fit["estimate"]),
            "interval_90": [snap(v) for v in fit["interval_90"]]}


# --- incidents ------------------------------------------------------------------------------

def conditional_poisson(events: pd.Series, exposed: pd.Series) -> dict:
    """Exact conditional rate ratio of events in exposed months over unexposed ones: the
    median-unbiased estimate and the Clopper-Pearson 90% interval (module docstring).
    ``estimate`` is None when one arm has no months or no event happened at all."""
    on = exposed.to_numpy() > 0
    ev = events.to_numpy()
    c1, c0, e1, e0 = int(ev[on].sum()), int(ev[~on].sum()), int(on.sum()), int((~on).sum())
    n = c1 + c0
    out = {"events_exposed": c1, "events_unexposed": c0, "months_exposed": e1,
           "months_unexposed": e0, "estimate": None, "interval_90": None}
    if e1 == 0 or e0 == 0 or n == 0:
        return out
    tail = (1.0 - CONFIDENCE) / 2.0
    p_low = 0.0 if c1 == 0 else float(stats.beta.ppf(tail, c1, n - c1 + 1))
    p_high = 1.0 if c1 == n else float(stats.beta.ppf(1.0 - tail, c1 + 1, n - c1))
    # median-unbiased: the mean of the p at which P(C >= c1) = 1/2 and P(C <= c1) = 1/2
    p_up = 1.0 if c1 == n else float(stats.beta.ppf(0.5, c1 + 1, n - c1))
    p_down = 0.0 if c1 == 0 else float(stats.beta.ppf(0.5, c1, n - c1 + 1))
    p_mid = (p_up + p_down) / 2.0 if 0 < c1 < n else (p_up if c1 == 0 else p_down)

    def ratio(p: float) -> float:
        return math.inf if p >= 1.0 else p * e0 / ((1.0 - p) * e1)

    out.update(estimate=ratio(p_mid), interval_90=[ratio(p_low), ratio(p_high)])
    return out


# --- maps to the model's scale ---------------------------------------------------------------

def suppression_from_ratio(rr: float) -> float:
    """talks_launch_suppression = 1 - RR (talks factor 1 - s_talks * talks)."""
    return 1.0 - rr


def drill_effect_from_ratio(rr: float) -> float:
    """launch_drill_effect = RR(d = 1) - 1 (drill factor 1 + beta_JME * d)."""
    return rr - 1.0


def agreement_effect_from_ratio(rr: float) -> float:
    """military_agreement_effect r_A = 1 - sqrt(RR) (two up-hazards times 1 - r_A)."""
    return 1.0 - math.sqrt(rr) if math.isfinite(rr) else -math.inf


def deescalation_gain_from_ratio(rr: float) -> float:
    """talks_deescalation_gain g = RR^(-1/2) - 1 (two down-hazards times 1 + g)."""
    if rr <= 0.0:
        return math.inf
    return rr ** -0.5 - 1.0 if math.isfinite(rr) else -1.0


def mapped_interval(interval: list[float], to_scale) -> list[float]:
    """The interval's ends on the parameter's scale, lowest first (a map may reverse them)."""
    return sorted(to_scale(v) for v in interval)


def verdict(interval: list[float] | None, null: float, prior: tuple[float, float]) -> str:
    """DATA_MOVE when the interval excludes the null or is narrower than half the prior
    range; STAYS otherwise (and when nothing was estimated)."""
    if interval is None:
        return STAYS
    low, high = interval
    excludes = not (low <= null <= high)
    narrow = (high - low) < PRIOR_PINNED_SHARE * (prior[1] - prior[0])
    return DATA_MOVE if excludes or narrow else STAYS


def effect_row(parameter: str, variant: str, quantity: str, data: pd.DataFrame, events: int,
               method: str, mapping: str, estimate: float | None = None,
               interval: list[float] | None = None, to_ratio=None, note: str = "") -> dict:
    """One effect on its parameter's scale, with the rate ratio it implies and the verdict;
    ``to_ratio`` maps the parameter's scale to the rate ratio (the inverse of the mapping)."""
    spec = BY_NAME[parameter]
    prior = (spec.low, spec.high)
    ratio = ratio_interval = None
    if estimate is not None and interval is not None and to_ratio is not None:
        ratio = float(to_ratio(estimate))
        ratio_interval = sorted(float(to_ratio(v)) for v in interval)
    return {"parameter": parameter, "variant": variant, "quantity": quantity,
            "estimate": estimate, "interval_90": interval, "null_value": NULL_VALUE,
            "rate_ratio": ratio, "rate_ratio_interval_90": ratio_interval,
            "prior_value": spec.value, "prior_range": list(prior), "n": len(data),
            "events": events, "basis_years": basis_years(data),
            "verdict": verdict(interval, NULL_VALUE, prior), "method": method,
            "mapping": mapping, "note": note}


# --- the whole report ------------------------------------------------------------------------

NULL_VALUE = 0.0  # every effect here is nil at 0 (a factor of 1)
LAUNCH_VARIANTS = (  # (label, outcome, talks coding, lagged launches); YEARLY by year
    ("main", "missiles", "talks", False),
    ("launch days", "launch_days", "talks", False),
    ("talks open to Oct 2019", "missiles", "talks_2019", False),
    ("lagged launches", "missiles", "talks", True),
    ("yearly counts", "missiles", "talks", False),
    ("drills a month earlier", "missiles", "talks", False),
)
DRILL_LAG = "drills a month earlier"
YEARLY = "yearly counts"
YEARLY_MIN_YEARS = 15  # the yearly fit has 5 coefficients and alpha: fewer years cannot carry it
PROFILE_METHOD = "negative binomial (NB2), the model's form, 90% profile-likelihood interval"
EXACT_METHOD = "exact conditional Poisson: median-unbiased, Clopper-Pearson 90% interval"
SEPARATION_NOTE = ("no launch in any talks month (separation): the estimate is on the bound "
                   "s_talks = 1 and the log-linear Wald interval does not exist")


def wald_check(fit: dict, key: str, to_scale) -> dict | None:
    """The log-linear fit's clustered Wald estimate and interval, on the parameter's scale."""
    c = fit["coef"].get(key)
    if c is None:
        return None
    return {"estimate": float(to_scale(c["rate_ratio"])),
            "interval_90": mapped_interval(c["rate_ratio_interval_90"], to_scale)}


def launch_rows(rows: pd.DataFrame) -> tuple[list[dict], dict]:
    """The talks and drill effects on launches, each variant; and the main log-linear fit."""
    out, main = [], {}
    for label, outcome, talks, lagged in LAUNCH_VARIANTS:
        if talks != "talks" and rows[talks].equals(rows["talks"]):
            continue  # the alternative coding changes nothing in the years used
        data, names = launch_data(rows, outcome, talks, lagged, label == YEARLY,
                                  label == DRILL_LAG)
        events = int(data[outcome].sum())
        if label == YEARLY and len(data) < YEARLY_MIN_YEARS:
            out += [effect_row(p, label, "yearly counts", data, events, PROFILE_METHOD, "",
                               note=f"fewer than {YEARLY_MIN_YEARS} years")
                    for p in ("talks_launch_suppression", "launch_drill_effect")]
            continue
        split = separated(data, outcome)
        # under separation the talks coefficient's MLE is minus infinity: the fit without the
        # talks months (and their dummy) is its limit
        fit = (wald_fit(data[data["talks"] == 0], [n for n in names if n != "talks"], outcome)
               if split else wald_fit(data, names, outcome))
        if label == "main":
            main = {**fit, "basis_years": basis_years(data), "talks_months_left_out": split,
                    "dropped": sorted(set(LAUNCH_REGRESSORS) - set(names))}
        per = f"{'yearly ' if label == YEARLY else ''}{outcome}"
        if label == DRILL_LAG:
            per += " (drills of the month before)"
        out.append(talks_row(label, f"{per}: talks months against the others", data, names,
                             outcome, events, fit, split))
        out.append(drill_row(label, f"{per}: a unit of drill intensity against none", data,
                             names, outcome, events, fit, split))
    return out, main


def talks_row(label: str, where: str, data: pd.DataFrame, names: list[str], outcome: str,
              events: int, fit: dict, split: bool) -> dict:
    """talks_launch_suppression from one variant's profile, with the Wald check."""
    parameter = "talks_launch_suppression"
    if "talks" not in names:
        return effect_row(parameter, label, where, data, events, PROFILE_METHOD, "",
                          note="no talks months in the years used")
    est = talks_profile(data, names, outcome)
    row = effect_row(parameter, label, where, data, events, PROFILE_METHOD,
                     "s_talks = 1 - RR (exact)", est["estimate"], est["interval_90"],
                     ratio_from_suppression, SEPARATION_NOTE if split else "")
    return {**row, "wald_clustered": wald_check(fit, "talks", suppression_from_ratio)}


def drill_row(label: str, where: str, data: pd.DataFrame, names: list[str], outcome: str,
              events: int, fit: dict, split: bool) -> dict:
    """launch_drill_effect from one variant's profile, with the Wald check."""
    parameter = "launch_drill_effect"
    if "drill" not in names:
        return effect_row(parameter, label, where, data, events, PROFILE_METHOD, "",
                          note="drill intensity constant over the years used")
    est = drill_profile(data, names, outcome)
    notes = ["talks months left out (separation)"] if split else []
    notes += [f"the interval is open at the search bound {bound:g} (the parameter's limit)"
              for bound, is_open in ((DRILL_EFFECT_FLOOR, est["open_low"]),
                                     (DRILL_EFFECT_CEILING, est["open_high"])) if is_open]
    row = effect_row(parameter, label, where, data, events, PROFILE_METHOD,
                     "beta_JME = RR(d = 1) - 1 (exact)", est["estimate"], est["interval_90"],
                     ratio_from_drill_effect, "; ".join(notes))
    return {**row, "wald_clustered": wald_check(fit, "drill", drill_effect_from_ratio)}


def ratio_from_suppression(s: float) -> float:
    """RR(talks) = 1 - s_talks."""
    return 1.0 - s


def ratio_from_drill_effect(beta: float) -> float:
    """RR(d = 1) = 1 + beta_JME."""
    return 1.0 + beta


INCIDENT_VARIANTS = (  # (label, clash column, first year)
    ("main", "clash", None),
    ("May 2020 a clash", "clash_2020", None),
    ("since 2016", "clash", 2016),
)


def incident_rows(rows: pd.DataFrame) -> list[dict]:
    """The agreement and talks contrasts of armed-clash months, each variant."""
    out = []
    for label, column, first in INCIDENT_VARIANTS:
        data = rows if first is None else rows[rows["year"] >= first]
        if data.empty or (column != "clash" and data[column].equals(data["clash"])):
            continue  # no years, or the alternative coding changes nothing in them
        for exposure, parameter, to_scale, to_ratio, mapping in (
                ("agreement", "military_agreement_effect", agreement_effect_from_ratio,
                 ratio_from_agreement_effect,
                 "r_A = 1 - sqrt(RR) (rare up-moves; accidental clashes)"),
                ("talks", "talks_deescalation_gain", deescalation_gain_from_ratio,
                 ratio_from_deescalation_gain, "g_talks = RR^(-1/2) - 1 (rare up-moves)")):
            c = conditional_poisson(data[column], data[exposure])
            note = (f"{c['events_exposed']} clash months in {c['months_exposed']} {exposure} "
                    f"months, {c['events_unexposed']} in {c['months_unexposed']} others")
            est = interval = None
            if c["estimate"] is None:
                note += ": no contrast (an arm has no months, or no clash at all)"
            else:
                est = float(to_scale(c["estimate"]))
                interval = mapped_interval(c["interval_90"], to_scale)
            out.append(effect_row(parameter, label, f"clash months: {exposure} against the "
                                  "others", data, c["events_exposed"] + c["events_unexposed"],
                                  EXACT_METHOD, mapping, est, interval, to_ratio, note))
    return out


def ratio_from_agreement_effect(r: float) -> float:
    """RR = (1 - r_A)^2."""
    return (1.0 - r) ** 2


def ratio_from_deescalation_gain(g: float) -> float:
    """RR = (1 + g)^-2 (0 for an unbounded gain)."""
    return 0.0 if math.isinf(g) else (1.0 + g) ** -2


UNIDENTIFIED = {
    "crisis_management_effect": "the record has no series of crisis-management capacity "
                                "(cohesion, intelligence sharing, open channels) and no clash "
                                "became war, so nothing varies to estimate it from; the talks "
                                "contrast of clash months bounds it only jointly with "
                                "talks_deescalation_gain",
    "belief_talks_log_lr": "trust is latent: the record has no measure of it",
}


def strategy_evidence(fit_until: int | None = None,
                      record: pd.DataFrame | None = None) -> dict:
    """Every estimable strategy effect from the record up to ``fit_until`` (all years when
    None): launch effects (negative binomial) and clash effects (exact conditional Poisson),
    each on its parameter's scale with a 90% interval, a verdict, and the years used; the
    covariates of the main launch fit; the parameters the record cannot inform."""
    rows = until(strategy_record() if record is None else record, fit_until)
    if rows.empty:
        raise ValueError(f"fit_until={fit_until}: no months of the record up to that year")
    launches, main = launch_rows(rows)
    unidentified = [effect_row(p, "main", "not identified", rows, 0, "none", "", note=why)
                    for p, why in UNIDENTIFIED.items()]
    covariates = {k: v for k, v in main["coef"].items() if k not in ("talks", "drill")}
    return {
        "fit_until": fit_until, "basis_years": basis_years(rows), "confidence": CONFIDENCE,
        "rule": f"'{DATA_MOVE}' when the 90% interval on the parameter's scale excludes the "
                "null value or is narrower than half the prior range; "
                f"otherwise '{STAYS}'",
        "effects": launches + incident_rows(rows) + unidentified,
        "launch_model": {"regressors": list(LAUNCH_REGRESSORS), "alpha": main["alpha"],
                         "n": main["n"], "talks_months_left_out": main["talks_months_left_out"],
                         "covariance": main["covariance"],
                         "converged": main["converged"], "dropped": main["dropped"],
                         "covariates": covariates},
    }


def effects_frame(result: dict) -> pd.DataFrame:
    """The effects of ``strategy_evidence`` as a table, one row per effect and variant."""
    return pd.DataFrame(result["effects"])


def summary(result: dict) -> dict[str, str]:
    """Parameter -> verdict of its main row."""
    return {r["parameter"]: r["verdict"] for r in result["effects"] if r["variant"] == "main"}
