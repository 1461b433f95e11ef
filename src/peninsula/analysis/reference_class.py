"""The rivalry reference class: a hierarchical logistic model of disputes, fatal disputes and war
onsets in the world's strategic rivalries, with the Korean rivalry as one member.

Unit: the rivalry-year (Thompson-Sakuwa-Suhas strategic rivalries, from 1946). For each outcome
o in (MID onset, fatal MID onset, war onset), rivalry r and year t:

    logit P(y_o[r, t] = 1) = x[r, t] . beta_o + u_o[r],      u_o[r] ~ Normal(0, sigma_o^2)

x[r, t] holds only what is known at the start of year t (``FEATURES``): the share of the last ten
years with a dispute onset and with a fatal one, log years since the last of each (capped at
``RECENCY_CAP``), how many sides had tested a nuclear device, how many non-nuclear sides had a
defence pact with a nuclear power, log of the weaker side's capability share over the stronger's
(COW CINC, last year), the rivalry's type flags and a time trend. The random intercept u_o[r]
lets each rivalry keep its own level while borrowing strength from the others (partial pooling).

Fit: statsmodels' BinomialBayesMixedGLM by variational Bayes (mean-field Gaussian posterior;
Normal(0, FE_PRIOR_SD^2) priors on beta, a Normal(0, 1) prior on log sigma). Chosen because it is
maintained, already a dependency, deterministic (the same table gives the same fit bit for bit,
which a reproducible tool needs) and fits the three models in seconds, where NUTS would take
minutes and a compiler toolchain. Its known weakness, that mean-field variational posteriors are
narrower than the exact one, is checked on simulated data in the tests (planted coefficients are
recovered within their stated tolerance) and stated in docs/reference-class.md.

Prediction is ex ante: from a training end T, each rivalry alive at T is simulated forward year by
year over posterior draws, the recency terms updated from the simulated onsets, every other
covariate held at its value at T (the trend goes on). A year's probability is the mean over paths
and draws of the model's probability, not the share of simulated onsets (Rao-Blackwellised). The
three outcomes share one uniform per path and year (a fatal onset implies an onset; a war onset a
fatal one, whenever the probabilities are so ordered).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import optimize, special, stats

from peninsula.analysis.scoring import brier, log_score_binary
from peninsula.io.rivalries import KOREA_RIVALRY, OUTCOMES, TYPES, korean_rivalry

RECENCY_CAP = 20  # years: "no onset in the last 20 years" is the longest recency distinguished
WINDOW = 10  # years of the recent-dispute shares
TREND_ORIGIN, TREND_SCALE = 1973, 10.0  # trend = (year - 1973) / 10, the 1946-2000 midpoint
FE_PRIOR_SD = 2.0  # prior standard deviation of every coefficient (logit scale; weakly informative)
HISTORY_FEATURES = ("mid_share_10y", "fatal_share_10y", "log_years_since_mid",
                    "log_years_since_fatal")
STATIC_FEATURES = ("one_nuclear", "both_nuclear", "protected_sides", "log_cinc_ratio", *TYPES)
FEATURES = ("intercept", *HISTORY_FEATURES, *STATIC_FEATURES, "trend")
SIMULATED_PATHS = 4000  # posterior draws x paths of the ex-ante prediction (one path per draw)


@dataclass(frozen=True)
class OutcomeFit:
    """The variational posterior of one outcome's model: coefficient means and sds (FEATURES
    order), log sigma's mean and sd, and each rivalry's random effect mean and sd."""

    outcome: str
    coef_mean: np.ndarray
    coef_sd: np.ndarray
    log_sigma_mean: float
    log_sigma_sd: float
    rivalry_ids: np.ndarray
    effect_mean: np.ndarray
    effect_sd: np.ndarray

    def to_dict(self) -> dict:
        return {"outcome": self.outcome,
                "coefficients": {f: {"mean": float(m), "sd": float(s)} for f, m, s in
                                 zip(FEATURES, self.coef_mean, self.coef_sd, strict=True)},
                "log_sigma": {"mean": self.log_sigma_mean, "sd": self.log_sigma_sd},
                "rivalry_effects": {str(int(r)): {"mean": float(m), "sd": float(s)} for r, m, s in
                                    zip(self.rivalry_ids, self.effect_mean, self.effect_sd,
                                        strict=True)}}

    @classmethod
    def from_dict(cls, d: dict) -> OutcomeFit:
        coefs, effects = d["coefficients"], d["rivalry_effects"]
        return cls(d["outcome"], np.array([coefs[f]["mean"] for f in FEATURES]),
                   np.array([coefs[f]["sd"] for f in FEATURES]), float(d["log_sigma"]["mean"]),
                   float(d["log_sigma"]["sd"]), np.array([int(k) for k in effects]),
                   np.array([v["mean"] for v in effects.values()]),
                   np.array([v["sd"] for v in effects.values()]))


@dataclass(frozen=True)
class ReferenceFit:
    """The three outcome models fitted on rivalry-years up to ``trained_until``."""

    trained_until: int
    first_year: int
    rows: int
    data_sha256: str
    fits: dict[str, OutcomeFit]

    def to_dict(self) -> dict:
        import statsmodels

        return {"trained_until": self.trained_until, "first_year": self.first_year,
                "rows": self.rows, "data_sha256": self.data_sha256,
                "method": "statsmodels BinomialBayesMixedGLM, variational Bayes "
                          f"(statsmodels {statsmodels.__version__})",
                "features": list(FEATURES), "fe_prior_sd": FE_PRIOR_SD,
                "outcomes": {o: f.to_dict() for o, f in self.fits.items()}}

    @classmethod
    def from_dict(cls, d: dict) -> ReferenceFit:
        if d.get("features") != list(FEATURES):
            raise ValueError("the fit file's features differ from this version's; fit again")
        return cls(int(d["trained_until"]), int(d["first_year"]), int(d["rows"]),
                   d["data_sha256"], {o: OutcomeFit.from_dict(f) for o, f in d["outcomes"].items()})


# --- features -------------------------------------------------------------------------------------

def history_features(mid_history: np.ndarray, fatal_history: np.ndarray) -> np.ndarray:
    """The recency terms at the start of a year from the onsets of the years before it.

    ``*_history``: (..., RECENCY_CAP) 0/1 onsets of the last RECENCY_CAP years, oldest first
    (the last column is last year). Returns (..., 4): the share of the last WINDOW years with an
    onset and with a fatal onset, and log(years since the last onset), log(years since the last
    fatal onset), each capped at RECENCY_CAP (no onset in the window counts as RECENCY_CAP)."""
    out = np.empty((*mid_history.shape[:-1], len(HISTORY_FEATURES)))
    out[..., 0] = mid_history[..., -WINDOW:].mean(axis=-1)
    out[..., 1] = fatal_history[..., -WINDOW:].mean(axis=-1)
    out[..., 2] = np.log(_years_since(mid_history))
    out[..., 3] = np.log(_years_since(fatal_history))
    return out


def _years_since(history: np.ndarray) -> np.ndarray:
    """Years since the last 1 in each row of the window (1 = last year), RECENCY_CAP if none."""
    reversed_hits = history[..., ::-1] > 0
    first = reversed_hits.argmax(axis=-1) + 1
    return np.where(reversed_hits.any(axis=-1), first, RECENCY_CAP).astype(float)


def static_features(rows: pd.DataFrame) -> np.ndarray:
    """The covariates other than recency and trend (STATIC_FEATURES order) of table rows."""
    ratio = rows["cinc_weaker_to_stronger"].to_numpy(dtype=float)
    return np.column_stack([
        (rows["nuclear_sides"] == 1).to_numpy(float), (rows["nuclear_sides"] == 2).to_numpy(float),
        rows["protected_sides"].to_numpy(float), np.log(np.clip(ratio, 1e-3, 1.0)),
        *(rows[t].to_numpy(float) for t in TYPES)])


def trend(years: np.ndarray) -> np.ndarray:
    return (np.asarray(years, dtype=float) - TREND_ORIGIN) / TREND_SCALE


def design(table: pd.DataFrame) -> pd.DataFrame:
    """Every in-window row of the table with its FEATURES, computed from the table's own past.

    Missing capability ratios (states not yet in the COW system) take the rivalry's nearest
    known value, else the pooled median."""
    table = table.sort_values(["rivalry_id", "year"], kind="stable").copy()
    ratio = table.groupby("rivalry_id")["cinc_weaker_to_stronger"].transform(
        lambda s: s.ffill().bfill())
    table["cinc_weaker_to_stronger"] = ratio.fillna(ratio.median())
    parts = []
    for _, g in table.groupby("rivalry_id", sort=True):
        years = g["year"].to_numpy()
        if np.any(np.diff(years) != 1):
            raise ValueError(f"rivalry {g['rivalry_id'].iat[0]}: years are not consecutive")
        mid = _lagged_windows(g["mid_onset"].to_numpy())
        fatal = _lagged_windows(g["fatal_mid_onset"].to_numpy())
        feats = pd.DataFrame(history_features(mid, fatal), columns=list(HISTORY_FEATURES),
                             index=g.index)
        parts.append(pd.concat([g, feats], axis=1)[g["in_window"] == 1])
    out = pd.concat(parts)
    static = static_features(out)
    for k, name in enumerate(STATIC_FEATURES):
        out[name] = static[:, k]
    out["intercept"] = 1.0
    out["trend"] = trend(out["year"].to_numpy())
    return out


def _lagged_windows(series: np.ndarray) -> np.ndarray:
    """(n, RECENCY_CAP): for each year, the onsets of the RECENCY_CAP years before it (zeros
    before the table's first year)."""
    padded = np.concatenate([np.zeros(RECENCY_CAP), series.astype(float)])
    idx = np.arange(len(series))[:, None] + np.arange(RECENCY_CAP)[None, :]
    return padded[idx]


# --- fitting --------------------------------------------------------------------------------------

def fit_logit_mixed(y: np.ndarray, x: np.ndarray, groups: np.ndarray) -> tuple:
    """Variational-Bayes fit of logit P(y=1) = x beta + u[group], u ~ N(0, sigma^2).

    Returns (coef mean, coef sd, log sigma mean, log sigma sd, group ids, effect means, effect
    sds); the group ids are the sorted unique ``groups``."""
    from statsmodels.genmod.bayes_mixed_glm import BinomialBayesMixedGLM

    ids, inverse = np.unique(groups, return_inverse=True)
    vc = sp.csr_matrix((np.ones(len(y)), (np.arange(len(y)), inverse)), shape=(len(y), len(ids)))
    model = BinomialBayesMixedGLM(np.asarray(y, float), np.asarray(x, float), vc,
                                  np.zeros(len(ids), dtype=int), vcp_p=1.0, fe_p=FE_PRIOR_SD)
    res = model.fit_vb()
    return (np.asarray(res.fe_mean), np.asarray(res.fe_sd), float(res.vcp_mean[0]),
            float(res.vcp_sd[0]), ids, np.asarray(res.vc_mean), np.asarray(res.vc_sd))


def fit(table: pd.DataFrame, trained_until: int | None = None) -> ReferenceFit:
    """Fit the three outcome models on the in-window rivalry-years up to ``trained_until``
    (default: the table's last year)."""
    last = int(table["year"].max()) if trained_until is None else int(trained_until)
    rows = design(table)
    rows = rows[rows["year"] <= last]
    if rows.empty or rows["year"].min() > last:
        raise ValueError(f"no rivalry-years up to {last} to fit")
    x = rows[list(FEATURES)].to_numpy(float)
    fits = {}
    for o in OUTCOMES:
        cm, cs, lm, ls, ids, em, es = fit_logit_mixed(rows[o].to_numpy(), x,
                                                      rows["rivalry_id"].to_numpy())
        fits[o] = OutcomeFit(o, cm, cs, lm, ls, ids, em, es)
    return ReferenceFit(last, int(rows["year"].min()), len(rows), table_sha256(table), fits)


def table_sha256(table: pd.DataFrame) -> str:
    """The data vintage: a hash of the table's values."""
    return hashlib.sha256(pd.util.hash_pandas_object(table, index=False).values.tobytes()).hexdigest()


# --- ex-ante prediction ---------------------------------------------------------------------------

def alive_at(table: pd.DataFrame, year: int) -> pd.DataFrame:
    """Each rivalry's in-window row of ``year`` for the rivalries still going at that year's
    end: a rivalry whose dated end is ``year`` (its last row, not marked ongoing) is left out."""
    rows = table[table["in_window"] == 1]
    last = rows.groupby("rivalry_id")["year"].transform("max")
    ended = (last == year) & (rows["ongoing"] == 0)
    return rows[(rows["year"] == year) & ~ended].sort_values("rivalry_id")


def predict(fitted: ReferenceFit, table: pd.DataFrame, from_year: int, to_year: int,
            seed: int = 0, paths: int = SIMULATED_PATHS) -> pd.DataFrame:
    """Ex-ante yearly probabilities for every rivalry alive at the training end and every year
    from ``from_year`` to ``to_year`` (both after the training end), from nothing later than
    the training end (module docstring). Columns: rivalry_id, rivalry, ccode1, ccode2, year and
    p_<outcome> for each outcome."""
    end = fitted.trained_until
    if from_year <= end:
        raise ValueError(f"--from-year must be after the training end {end}, not {from_year}")
    if to_year < from_year:
        raise ValueError(f"--to-year ({to_year}) must not be before --from-year ({from_year})")
    known = table[table["year"] <= end]
    alive = alive_at(table, end)
    if alive.empty:
        raise ValueError(f"no rivalry is going at the training end {end}")
    hist_mid, hist_fatal = _history_at(known, alive, end)
    static = static_features(_fill_ratio(known, alive))
    coef, effect = _posterior_draws(fitted, alive["rivalry_id"].to_numpy(), paths, seed)
    rng = np.random.default_rng([seed, 1])
    n_riv = len(alive)
    mid = np.broadcast_to(hist_mid, (paths, n_riv, RECENCY_CAP)).copy()
    fatal = np.broadcast_to(hist_fatal, (paths, n_riv, RECENCY_CAP)).copy()
    out = []
    for year in range(end + 1, to_year + 1):
        x = np.concatenate([np.ones((paths, n_riv, 1)), history_features(mid, fatal),
                            np.broadcast_to(static, (paths, n_riv, static.shape[1])),
                            np.full((paths, n_riv, 1), trend(year))], axis=-1)
        p = {o: special.expit(np.einsum("prk,pk->pr", x, coef[o]) + effect[o]) for o in OUTCOMES}
        u = rng.random((paths, n_riv))
        mid = np.concatenate([mid[..., 1:], (u < p["mid_onset"])[..., None]], axis=-1)
        fatal = np.concatenate([fatal[..., 1:], (u < p["fatal_mid_onset"])[..., None]], axis=-1)
        if year >= from_year:
            frame = alive[["rivalry_id", "rivalry", "ccode1", "ccode2"]].copy()
            frame["year"] = year
            for o in OUTCOMES:
                frame[f"p_{o}"] = p[o].mean(axis=0)
            out.append(frame)
    return pd.concat(out, ignore_index=True)


def _history_at(known: pd.DataFrame, alive: pd.DataFrame, end: int) -> tuple[np.ndarray, ...]:
    """(rivalries, RECENCY_CAP) onsets of the years end-RECENCY_CAP+1 .. end, oldest first."""
    years = np.arange(end - RECENCY_CAP + 1, end + 1)
    out = []
    for col in ("mid_onset", "fatal_mid_onset"):
        wide = known.pivot(index="rivalry_id", columns="year", values=col)
        wide = wide.reindex(index=alive["rivalry_id"].to_numpy(), columns=years).fillna(0)
        out.append(wide.to_numpy(float))
    return tuple(out)


def _fill_ratio(known: pd.DataFrame, alive: pd.DataFrame) -> pd.DataFrame:
    """The alive rows with a missing capability ratio filled from the rivalry's last known."""
    last = known.dropna(subset=["cinc_weaker_to_stronger"]).groupby("rivalry_id")[
        "cinc_weaker_to_stronger"].last()
    rows = alive.copy()
    rows["cinc_weaker_to_stronger"] = rows["cinc_weaker_to_stronger"].fillna(
        rows["rivalry_id"].map(last)).fillna(known["cinc_weaker_to_stronger"].median())
    return rows


def _posterior_draws(fitted: ReferenceFit, rivalry_ids: np.ndarray, n: int,
                     seed: int) -> tuple[dict, dict]:
    """Per outcome, n coefficient vectors and n x rivalries random effects from the posterior.

    A rivalry the fit did not see (none alive at the training end can be unseen unless the table
    changed) takes u ~ N(0, sigma^2) with sigma from the posterior."""
    rng = np.random.default_rng([seed, 0])
    coef, effect = {}, {}
    for o in OUTCOMES:
        f = fitted.fits[o]
        coef[o] = f.coef_mean + f.coef_sd * rng.standard_normal((n, len(FEATURES)))
        pos = {int(r): i for i, r in enumerate(f.rivalry_ids)}
        sigma = np.exp(f.log_sigma_mean + f.log_sigma_sd * rng.standard_normal(n))
        z = rng.standard_normal((n, len(rivalry_ids)))
        mean = np.array([f.effect_mean[pos[r]] if r in pos else 0.0 for r in rivalry_ids])
        sd = np.array([f.effect_sd[pos[r]] if r in pos else math.nan for r in rivalry_ids])
        effect[o] = np.where(np.isnan(sd), sigma[:, None] * z, mean + np.nan_to_num(sd) * z)
    return coef, effect


# --- the self-check: scores against three baselines ----------------------------------------------

BASELINE_MEANINGS = {
    "pooled rate": "the pooled rate of the training years",
    "own rate shrunk to pooled": "each rivalry's own rate shrunk to the pooled rate by a "
                                 "beta-binomial",
    "last decade's pooled rate": "the pooled rate of the last decade of training",
}
BASELINES = tuple(BASELINE_MEANINGS)


def baseline_forecasts(train: pd.DataFrame, rivalry_ids: np.ndarray, outcome: str) -> dict:
    """Each baseline's probability per rivalry (BASELINES order), fitted on training rows only:
    the pooled rate; each rivalry's own rate shrunk toward it by a beta-binomial fitted by
    maximum likelihood, (k_r + a) / (n_r + a + b); the pooled rate of the last ten training
    years."""
    y = train[outcome].to_numpy(float)
    pooled = float(y.mean())
    last = int(train["year"].max())
    decade = float(train.loc[train["year"] > last - 10, outcome].mean())
    per = train.groupby("rivalry_id")[outcome].agg(["sum", "size"])
    a, b = beta_binomial_prior(per["sum"].to_numpy(), per["size"].to_numpy())
    k = per["sum"].reindex(rivalry_ids).fillna(0).to_numpy()
    n = per["size"].reindex(rivalry_ids).fillna(0).to_numpy()
    return {BASELINES[0]: np.full(len(rivalry_ids), pooled),
            BASELINES[1]: (k + a) / (n + a + b),
            BASELINES[2]: np.full(len(rivalry_ids), decade)}


def beta_binomial_prior(k: np.ndarray, n: np.ndarray) -> tuple[float, float]:
    """Maximum-likelihood Beta(a, b) of per-group rates from counts k of n (beta-binomial)."""
    def nll(theta):
        a, b = np.exp(theta)
        return -float(stats.betabinom.logpmf(k, n, a, b).sum())

    m = max(float(k.sum() / n.sum()), 1e-4)
    res = optimize.minimize(nll, np.log([m * 10, (1 - m) * 10]), method="Nelder-Mead",
                            options={"xatol": 1e-6, "fatol": 1e-9, "maxiter": 4000})
    a, b = np.exp(res.x)
    return float(a), float(b)


def scores(p: np.ndarray, y: np.ndarray) -> dict:
    """Mean log loss and Brier score (analysis/scoring.py's rules, lower is better) and AUC
    (NaN when only one class occurred)."""
    from sklearn.metrics import roc_auc_score

    p, y = np.asarray(p, float), np.asarray(y, float)
    pairs = list(zip(p, y > 0, strict=True))
    auc = float(roc_auc_score(y, p)) if 0 < y.sum() < len(y) else math.nan
    return {"log_loss": float(np.mean([log_score_binary(a, b) for a, b in pairs])),
            "brier": float(np.mean([brier(a, b) for a, b in pairs])), "auc": auc}


def reliability(p: np.ndarray, y: np.ndarray, bins: int = 8) -> list[dict]:
    """Forecasts grouped by quantile bins of p: mean forecast, observed rate and count per bin."""
    p, y = np.asarray(p, float), np.asarray(y, float)
    edges = np.unique(np.quantile(p, np.linspace(0, 1, bins + 1)))
    which = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, len(edges) - 2)
    return [{"mean_forecast": float(p[which == b].mean()), "observed": float(y[which == b].mean()),
             "n": int((which == b).sum())} for b in range(len(edges) - 1) if (which == b).any()]


def self_check(table: pd.DataFrame, train_until: int, to_year: int, seed: int = 0,
               paths: int = SIMULATED_PATHS) -> dict:
    """Train to ``train_until``, predict the years after it to ``to_year`` ex ante and score
    the model and the BASELINES on the rivalry-years that happened (rivalries alive at the
    training end, in the years they were still going)."""
    fitted = fit(table, train_until)
    pred = predict(fitted, table, train_until + 1, to_year, seed=seed, paths=paths)
    observed = table[(table["in_window"] == 1) & (table["year"] > train_until)
                     & (table["year"] <= to_year)]
    scored = pred.merge(observed[["rivalry_id", "year", *OUTCOMES]], on=["rivalry_id", "year"])
    train = design(table)
    train = train[train["year"] <= train_until]
    result = {"trained_until": train_until, "test_years": [train_until + 1, to_year],
              "rows_scored": len(scored), "rivalries": int(scored["rivalry_id"].nunique()),
              "korea": korean_rivalry(table),
              "fit": fitted.to_dict(), "outcomes": {}}
    for o in OUTCOMES:
        y = scored[o].to_numpy()
        base = baseline_forecasts(train, scored["rivalry_id"].to_numpy(), o)
        result["outcomes"][o] = {
            "events": int(y.sum()), "rate": float(y.mean()),
            "model": scores(scored[f"p_{o}"], y),
            "baselines": {name: scores(b, y) for name, b in base.items()},
            "reliability": {"model": reliability(scored[f"p_{o}"].to_numpy(), y),
                            BASELINES[1]: reliability(base[BASELINES[1]], y)}}
    return result


# --- one dyad's yearly hazards under the posterior (the Korean rivalry's priors) ------------------

QUANTILES = (0.05, 0.5, 0.95)


def dyad_draws(fitted: ReferenceFit, table: pd.DataFrame, ccodes: tuple[int, int] = KOREA_RIVALRY,
               overrides: dict[str, float] | None = None, draws: int = SIMULATED_PATHS,
               seed: int = 0) -> dict:
    """Posterior draws of one rivalry's yearly probabilities in the year after the training
    end: per outcome, P(outcome | parameters) for ``draws`` draws of the coefficients and the
    rivalry's own effect (the outcomes are fitted separately, so their draws are independent).

    Covariates are the rivalry's at the training end (recency from its record), with
    ``overrides`` (feature name -> value, e.g. {"one_nuclear": 1}) replacing some: a contrast
    such as a nuclear status the record does not hold yet. Returns {"features": {...},
    outcome: (draws,) array}."""
    end = fitted.trained_until
    known = table[table["year"] <= end]
    lo, hi = sorted(ccodes)
    alive = alive_at(table, end)
    alive = alive[(alive["ccode1"] == lo) & (alive["ccode2"] == hi)]
    if alive.empty:
        raise ValueError(f"no rivalry between {lo} and {hi} is going at the training end {end}")
    unknown = set(overrides or {}) - set(FEATURES[1:])
    if unknown:
        raise ValueError(f"unknown feature(s) {', '.join(sorted(unknown))}; allowed: "
                         f"{', '.join(FEATURES[1:])}")
    mid, fatal = _history_at(known, alive, end)
    x = np.concatenate([[1.0], history_features(mid, fatal)[0],
                        static_features(_fill_ratio(known, alive))[0], [trend(end + 1)]])
    for name, value in (overrides or {}).items():
        x[FEATURES.index(name)] = float(value)
    coef, effect = _posterior_draws(fitted, alive["rivalry_id"].to_numpy(), draws, seed)
    out: dict = {"features": dict(zip(FEATURES, map(float, x), strict=True))}
    for o in OUTCOMES:
        out[o] = special.expit(coef[o] @ x + effect[o][:, 0])
    return out


def dyad_hazards(fitted: ReferenceFit, table: pd.DataFrame, ccodes: tuple[int, int] = KOREA_RIVALRY,
                 overrides: dict[str, float] | None = None, draws: int = SIMULATED_PATHS,
                 seed: int = 0) -> dict:
    """The posterior of one rivalry's yearly probabilities in the year after the training end
    (dyad_draws): for each outcome the mean and the 5/50/95% quantiles of
    P(outcome | parameters). Returns {"features": {...}, outcome: {"mean", "sd", "q05", "q50",
    "q95"}}."""
    out = dyad_draws(fitted, table, ccodes, overrides, draws, seed)
    return {k: (v if k == "features" else _summary(v)) for k, v in out.items()}


# --- the stability-instability paradox's elasticities from the nuclear contrasts ------------------

FIRST_TEST_ARSENAL = 5.0  # warhead-equivalents a few years after a first test (judgement: the
#                           DPRK's estimated stock about 2010, four years after its first test)
NUCLEAR_CONTRASTS = ("one_nuclear", "both_nuclear")


def paradox_priors(fitted: ReferenceFit, draws: int = SIMULATED_PATHS, seed: int = 0,
                   first_arsenal: float = FIRST_TEST_ARSENAL) -> dict:
    """The paradox's elasticities a_SI and w_SI (model/deterrence.py) implied by the reference
    class's nuclear contrasts, with their posterior spread.

    The model multiplies the deliberate attack hazard by (N / N_ref)^a_SI and the clash -> war
    hazard by (N / N_ref)^(-w_SI), N the DPRK's arsenal and N_ref = 50 (provocations
    .CAPABILITY_REFERENCE). The reference class contrasts rivalry-years in which one side (or
    both) had tested a nuclear device with those in which neither had, on the logit scale:
    beta_fatal for a new fatal dispute and beta_war for a war onset. Mapping (assumptions):
    (1) a fatal dispute is the model's armed incident, so its contrast is the attack hazard's,
    a_SI = beta_fatal / ln(N_ref / N_0); (2) a war needs a clash first, so the contrast of war
    given a clash is beta_war - beta_fatal, and w_SI = -(beta_war - beta_fatal) / ln(N_ref / N_0);
    (3) the contrast spans the model's arsenal from N_0 = ``first_arsenal`` (a first-test
    arsenal) to N_ref; (4) for rare events odds ratios stand for hazard ratios. Draws of the
    coefficients come from the (mean-field) posterior. Returns, per contrast, a_SI and w_SI as
    {mean, sd, q05, q50, q95} and the share of draws with the paradox's sign (> 0)."""
    from peninsula.model.provocations import CAPABILITY_REFERENCE

    if not 0 < first_arsenal < CAPABILITY_REFERENCE:
        raise ValueError(f"first_arsenal must be in (0, {CAPABILITY_REFERENCE:g}), not {first_arsenal}")
    span = math.log(CAPABILITY_REFERENCE / first_arsenal)
    coef, _ = _posterior_draws(fitted, np.zeros(0, dtype=np.int64), draws, seed)
    out: dict = {"arsenal_span": [first_arsenal, CAPABILITY_REFERENCE],
                 "trained_until": fitted.trained_until}
    for contrast in NUCLEAR_CONTRASTS:
        k = FEATURES.index(contrast)
        fatal, war = coef["fatal_mid_onset"][:, k], coef["war_onset"][:, k]
        values = {"paradox_attack_elasticity": fatal / span,
                  "paradox_war_elasticity": -(war - fatal) / span}
        out[contrast] = {name: {**_summary(v), "share_positive": float((v > 0).mean())}
                         for name, v in values.items()}
    return out


def _summary(v: np.ndarray) -> dict:
    """Mean, sd and the QUANTILES of posterior draws."""
    q = np.quantile(v, QUANTILES)
    return {"mean": float(v.mean()), "sd": float(v.std(ddof=1)), "q05": float(q[0]),
            "q50": float(q[1]), "q95": float(q[2])}
