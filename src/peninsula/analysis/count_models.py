"""Benchmark count models for the rolling-origin back-test of monthly missile-launch counts.

Each benchmark is fitted to the history before a forecast origin and returns ``n`` sample paths
of monthly counts over the forecast months, so it can be scored by the same rules as the
simulator. All fits are plug-in maximum likelihood by statsmodels (``Poisson`` and the NB2
``NegativeBinomial``, which estimates alpha): the forecast distribution conditions on the point
estimates and carries no parameter uncertainty.

Yearly blocks. The training months are cut into consecutive complete 12-month windows ending at
the last training month (the last block is the last 12 months, the one before it the 12 months
before those, ...); an incomplete earliest remainder is dropped. For block b (0 = oldest):
Y_b = block total of launches, D_b = block mean drill intensity, T_b = block share of talks
months. NB2 means Var(Y) = mu + alpha * mu**2.

    persistence                 Y_next ~ Poisson(mu = Y_last)
    poisson_climatology         Y_b ~ Poisson(mu = exp(b0)),            all blocks
    nb_climatology              Y_b ~ NB2(mu = exp(b0), alpha),         all blocks
    poisson_climatology_recent  Y_b ~ Poisson(mu = exp(b0)),            last RECENT_BLOCKS blocks
    nb_climatology_recent       Y_b ~ NB2(mu = exp(b0), alpha),         last RECENT_BLOCKS blocks
    nb_trend                    Y_b ~ NB2(mu = exp(b0 + b1 * b), alpha), forecast at b = B
    nb_glm_levers               Y_b ~ NB2(mu = exp(b0 + b1 * D_b + b2 * T_b), alpha), forecast
                                with D and T the mean drill and talks share of the future months

A block model draws the total of the forecast months from its fitted law for the next block
(B = number of blocks), with the mean scaled by horizon / 12 when the horizon is not 12 months
(alpha unchanged), and splits each total over the months multinomially with equal probabilities.

    nb_ar1                      y_t ~ NB2(mu = exp(c0 + c1 * log(1 + y_{t-1})), alpha),
                                fitted on months 2..end of the training data; each path is
                                simulated month by month from the last observed month, feeding
                                its own draws forward.

Fitted parameters are reported in ``fits`` as ``const``, ``block`` (nb_trend), ``drill`` and
``talks`` (nb_glm_levers), ``log1p_lag`` (nb_ar1), ``alpha`` (NB models) and ``forecast_mean``
(the mean of the horizon total for block models; of the first forecast month for nb_ar1).

Yearly forecasts. ``forecast_benchmark_years`` fits the same models to the same training data and
forecasts H whole years instead of one horizon: ``future`` is a positive multiple of 12 months
long, its consecutive 12-month blocks are the years h = 1..H, and ``samples[name]`` is an (n, H)
array of yearly totals. A block model draws each year's total independently from its fitted law
for that year: persistence Poisson(Y_last) and the climatologies their fitted law every year,
nb_trend at b = B + h - 1, nb_glm_levers at the year's own mean drill and talks share (no
horizon scaling, caps per year). nb_ar1 simulates each path month by month over all H * 12
months, as ``forecast_benchmarks`` does, and sums each 12-month block. Year 1 therefore repeats,
draw for draw, the totals of ``forecast_benchmarks`` over the first 12 months with the same seed.
``fits`` are as above (``forecast_mean`` for year 1), plus ``forecast_mean_year<h>`` for each year
of a block model.

Fallbacks (recorded in ``notes``; ``notes[name]`` is "" when the fit was as specified): a
regressor that is constant or collinear over the fitting sample is dropped (coefficient 0); an
NB fit that fails, does not converge, gives non-finite parameters, has alpha < 1e-8 or has no
residual degree of freedom for alpha is replaced by the Poisson fit of the same design; if that
also fails (or all counts are zero) the plain sample mean of the counts is the Poisson mean.
All-zero training therefore gives all-zero samples. Means are capped at MEAN_CAP per month so
that extrapolated trends cannot overflow. statsmodels warnings are caught, never printed.

Random draws: each benchmark uses its own child of ``np.random.SeedSequence(seed)``, indexed by
its position in BENCHMARKS, so adding a benchmark at the end leaves the others' draws unchanged.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from statsmodels.discrete.discrete_model import NegativeBinomial, Poisson
from statsmodels.tools.sm_exceptions import ConvergenceWarning

BENCHMARKS: tuple[str, ...] = (
    "persistence",
    "poisson_climatology",
    "nb_climatology",
    "poisson_climatology_recent",
    "nb_climatology_recent",
    "nb_trend",
    "nb_glm_levers",
    "nb_ar1",
)
RECENT_BLOCKS = 6  # "recent" climatology: the last 6 twelve-month blocks
BLOCK = 12  # months per block
MEAN_CAP = 1e4  # largest mean count per month a benchmark may forecast
ALPHA_MIN = 1e-8  # NB2 alpha below this is treated as Poisson


@dataclass(frozen=True)
class BenchmarkForecast:
    """Sample paths, fallback notes and fitted parameters of every benchmark."""

    samples: dict[str, np.ndarray]  # name -> (n, horizon) int64 monthly counts
    notes: dict[str, str]  # name -> fallback used, if any ("" when the fit was as specified)
    fits: dict[str, dict[str, float]]  # name -> fitted parameters


@dataclass
class _Fit:
    """A fitted log-linear count model: coefficients by name, alpha (0 = Poisson)."""

    coef: dict[str, float]
    alpha: float
    notes: list[str] = field(default_factory=list)
    mean_only: float | None = None  # set when the sample-mean fallback was used

    def log_mean(self, x: dict[str, float]) -> float:
        """Linear predictor at regressor values ``x`` (``const`` implied)."""
        if self.mean_only is not None:
            return float(np.log(self.mean_only)) if self.mean_only > 0 else -np.inf
        return self.coef["const"] + sum(v * x[k] for k, v in self.coef.items() if k != "const")

    def params(self, nb: bool) -> dict[str, float]:
        """Parameters for ``BenchmarkForecast.fits``."""
        out = {"mean": float(self.mean_only)} if self.mean_only is not None else dict(self.coef)
        if nb:
            out["alpha"] = float(self.alpha)
        return out


def _full_rank(X: np.ndarray, names: list[str]) -> tuple[np.ndarray, list[str], list[str]]:
    """Drop columns that are constant or collinear with earlier ones (const comes first)."""
    keep: list[int] = []
    for j in range(X.shape[1]):
        trial = keep + [j]
        if np.linalg.matrix_rank(X[:, trial]) == len(trial):
            keep = trial
    dropped = [names[j] for j in range(X.shape[1]) if j not in keep]
    return X[:, keep], [names[j] for j in keep], dropped


def _try_fit(model_cls: type, y: np.ndarray, X: np.ndarray) -> tuple[np.ndarray | None, str]:
    """Fit one statsmodels model quietly; return (params, "") or (None, reason)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            if model_cls is NegativeBinomial:
                res = NegativeBinomial(y, X, loglike_method="nb2").fit(
                    method="bfgs", maxiter=1000, disp=0)
            else:
                res = Poisson(y, X).fit(method="newton", maxiter=100, disp=0)
        except Exception as exc:  # any optimiser failure means fall back
            return None, f"fit failed ({type(exc).__name__})"
    params = np.asarray(res.params, dtype=float)
    if any(issubclass(w.category, ConvergenceWarning) for w in caught):
        return None, "did not converge (ConvergenceWarning)"
    if not res.mle_retvals.get("converged", True):
        return None, "did not converge"
    if not np.all(np.isfinite(params)):
        return None, "non-finite parameters"
    return params, ""


def _fit_counts(y: np.ndarray, X: np.ndarray, names: list[str], nb: bool) -> _Fit:
    """Fit NB2 (``nb``) or Poisson on design ``X``, falling back as the module docstring says."""
    y = np.asarray(y, dtype=float)
    if y.sum() == 0:
        return _Fit({}, 0.0, ["all counts zero: sample mean 0 used (Poisson)"], mean_only=0.0)
    X, kept, dropped = _full_rank(X, names)
    notes = []
    if dropped:
        notes.append(f"dropped constant/collinear regressor(s) {', '.join(dropped)} (coef 0)")
    zero = {name: 0.0 for name in dropped}
    if nb:
        if len(y) <= X.shape[1]:
            notes.append(f"NB2 not identifiable from {len(y)} observation(s): Poisson fit used")
        else:
            params, why = _try_fit(NegativeBinomial, y, X)
            if params is not None and params[-1] >= ALPHA_MIN:
                coef = {k: float(v) for k, v in zip(kept, params[:-1], strict=True)}
                return _Fit(coef | zero, float(params[-1]), notes)
            why = why or f"alpha {params[-1]:.2g} ~ 0"
            notes.append(f"NB2 {why}: Poisson fit used")
    params, why = _try_fit(Poisson, y, X)
    if params is not None:
        coef = {k: float(v) for k, v in zip(kept, params, strict=True)}
        return _Fit(coef | zero, 0.0, notes)
    notes.append(f"Poisson {why}: sample mean used (Poisson)")
    return _Fit({}, 0.0, notes, mean_only=float(y.mean()))


def _blocks(train: pd.DataFrame) -> pd.DataFrame:
    """Complete 12-month blocks ending at the last training month, oldest first."""
    nb = len(train) // BLOCK
    tail = train.iloc[len(train) - nb * BLOCK:]
    return pd.DataFrame({
        "total": tail["missiles"].to_numpy(dtype=np.int64).reshape(nb, BLOCK).sum(axis=1),
        "drill": tail["drill"].to_numpy(dtype=float).reshape(nb, BLOCK).mean(axis=1),
        "talks": tail["talks"].to_numpy(dtype=float).reshape(nb, BLOCK).mean(axis=1),
        "block": np.arange(nb, dtype=float),
    })


def _capped_mean(log_mu: float, cap: float, notes: list[str]) -> float:
    """exp(log_mu) capped at ``cap`` (noted), computed without overflow."""
    if log_mu > np.log(cap):
        notes.append(f"mean capped at {cap:g}")
        return float(cap)
    return float(np.exp(log_mu))


def _draw(rng: np.random.Generator, mu: np.ndarray | float, alpha: float,
          size: int) -> np.ndarray:
    """NB2 draws (Poisson when alpha == 0) with mean ``mu``."""
    mu = np.broadcast_to(np.asarray(mu, dtype=float), (size,))
    if alpha > 0:
        return rng.negative_binomial(1.0 / alpha, 1.0 / (1.0 + alpha * mu)).astype(np.int64)
    return rng.poisson(mu).astype(np.int64)


def _split(rng: np.random.Generator, totals: np.ndarray, horizon: int) -> np.ndarray:
    """Spread each total over the months multinomially with equal probabilities."""
    if len(totals) == 0:
        return np.zeros((0, horizon), dtype=np.int64)
    return rng.multinomial(totals, np.full(horizon, 1.0 / horizon)).astype(np.int64)


def _check(train: pd.DataFrame, future: pd.DataFrame) -> None:
    """Reject inputs the models cannot use."""
    for frame, cols, what in ((train, ("missiles", "drill", "talks"), "train"),
                              (future, ("drill", "talks"), "future")):
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise ValueError(f"{what} lacks column(s) {missing}")
    if len(train) < BLOCK:
        raise ValueError(f"train needs at least {BLOCK} months, got {len(train)}")
    if len(future) < 1:
        raise ValueError("future needs at least one month")
    y = train["missiles"].to_numpy(dtype=float)
    if not np.all(np.isfinite(y)) or np.any(y < 0) or np.any(y != np.round(y)):
        raise ValueError("train.missiles must be non-negative integers")
    levers = np.concatenate([train[["drill", "talks"]].to_numpy(dtype=float).ravel(),
                             future[["drill", "talks"]].to_numpy(dtype=float).ravel()])
    if not np.all(np.isfinite(levers)):
        raise ValueError("drill and talks must be finite")


def _streams(seed: int) -> dict[str, np.random.Generator]:
    """One generator per benchmark: child i of SeedSequence(seed) for BENCHMARKS[i]."""
    children = np.random.SeedSequence(seed).spawn(len(BENCHMARKS))
    return {name: np.random.default_rng(child)
            for name, child in zip(BENCHMARKS, children, strict=True)}


def _lever_means(months: pd.DataFrame) -> dict[str, float]:
    """Mean drill intensity and talks share of some forecast months."""
    return {"drill": float(months["drill"].mean()), "talks": float(months["talks"].mean())}


@dataclass
class _BlockLaw:
    """The fitted law of a block total: persistence (``fit`` None) or a count GLM."""

    fit: _Fit | None
    nb: bool = False
    last: float = 0.0  # persistence: the last block total

    @property
    def alpha(self) -> float:
        return 0.0 if self.fit is None else self.fit.alpha

    def notes(self) -> list[str]:
        return [] if self.fit is None else list(self.fit.notes)

    def params(self) -> dict[str, float]:
        return {"last_total": self.last} if self.fit is None else self.fit.params(self.nb)

    def mean(self, x: dict[str, float], months: int, notes: list[str]) -> float:
        """Mean total over ``months`` forecast months at regressors ``x`` (capped, noted)."""
        cap = MEAN_CAP * months
        if self.fit is not None:
            return _capped_mean(self.fit.log_mean(x) + np.log(months / BLOCK), cap, notes)
        mu = self.last * months / BLOCK
        if mu > cap:
            notes.append(f"mean capped at {cap:g}")
            mu = cap
        return mu


def _block_laws(blocks: pd.DataFrame) -> dict[str, _BlockLaw]:
    """Fit every block model (all benchmarks but nb_ar1), in BENCHMARKS order."""
    recent = blocks.iloc[-RECENT_BLOCKS:]
    designs = {
        "poisson_climatology": (blocks, ["const"], False),
        "nb_climatology": (blocks, ["const"], True),
        "poisson_climatology_recent": (recent, ["const"], False),
        "nb_climatology_recent": (recent, ["const"], True),
        "nb_trend": (blocks, ["const", "block"], True),
        "nb_glm_levers": (blocks, ["const", "drill", "talks"], True),
    }
    laws = {"persistence": _BlockLaw(None, last=float(blocks["total"].iloc[-1]))}
    for name, (data, cols, nb) in designs.items():
        X = np.column_stack([np.ones(len(data))] + [data[c].to_numpy(float) for c in cols[1:]])
        laws[name] = _BlockLaw(_fit_counts(data["total"].to_numpy(), X, cols, nb), nb)
    return laws


def _result(samples: dict[str, np.ndarray], notes: dict[str, list[str]],
            fits: dict[str, dict[str, float]]) -> BenchmarkForecast:
    """Assemble the output in BENCHMARKS order, joining each benchmark's distinct notes."""
    return BenchmarkForecast(samples={k: samples[k] for k in BENCHMARKS},
                             notes={k: "; ".join(dict.fromkeys(notes[k])) for k in BENCHMARKS},
                             fits={k: fits[k] for k in BENCHMARKS})


def forecast_benchmarks(train: pd.DataFrame, future: pd.DataFrame, n: int,
                        seed: int) -> BenchmarkForecast:
    """Fit every benchmark to ``train`` and draw ``n`` paths of counts for the ``future`` months.

    ``train`` holds the monthly history before the origin in time order (``missiles``, ``drill``,
    ``talks``; at least 12 rows); ``future`` the levers assumed for the forecast months
    (``drill``, ``talks``). Same inputs and seed give identical samples.
    """
    _check(train, future)
    horizon = len(future)
    rngs = _streams(seed)
    blocks = _blocks(train)
    x_next = {"block": float(len(blocks))} | _lever_means(future)
    samples: dict[str, np.ndarray] = {}
    notes: dict[str, list[str]] = {}
    fits: dict[str, dict[str, float]] = {}
    for name, law in _block_laws(blocks).items():
        notes[name] = law.notes()
        mu = law.mean(x_next, horizon, notes[name])
        totals = _draw(rngs[name], mu, law.alpha, n)
        samples[name] = _split(rngs[name], totals, horizon)
        fits[name] = law.params() | {"forecast_mean": mu}
    samples["nb_ar1"], fits["nb_ar1"], notes["nb_ar1"] = _ar1(
        rngs["nb_ar1"], train["missiles"].to_numpy(dtype=float), horizon, n)
    return _result(samples, notes, fits)


def forecast_benchmark_years(train: pd.DataFrame, future: pd.DataFrame, n: int,
                             seed: int) -> BenchmarkForecast:
    """Fit every benchmark to ``train`` and draw ``n`` yearly totals for each forecast year.

    ``train`` as for ``forecast_benchmarks``; ``future`` holds the levers of the forecast months,
    a positive multiple of 12 of them, whose consecutive 12-month blocks are the forecast years
    h = 1..H. ``samples[name]`` is an (n, H) int64 array of yearly totals.
    """
    if len(future) == 0 or len(future) % BLOCK:
        raise ValueError(f"future must be a positive multiple of {BLOCK} months (whole years), "
                         f"got length {len(future)}")
    _check(train, future)
    years = len(future) // BLOCK
    rngs = _streams(seed)
    blocks = _blocks(train)
    xs = [{"block": float(len(blocks) + h)} | _lever_means(future.iloc[h * BLOCK:(h + 1) * BLOCK])
          for h in range(years)]
    samples: dict[str, np.ndarray] = {}
    notes: dict[str, list[str]] = {}
    fits: dict[str, dict[str, float]] = {}
    for name, law in _block_laws(blocks).items():
        notes[name] = law.notes()
        mus = [law.mean(x, BLOCK, notes[name]) for x in xs]
        samples[name] = np.column_stack([_draw(rngs[name], mu, law.alpha, n) for mu in mus])
        fits[name] = law.params() | {"forecast_mean": mus[0]} | {
            f"forecast_mean_year{h + 1}": mu for h, mu in enumerate(mus)}
    paths, fits["nb_ar1"], notes["nb_ar1"] = _ar1(
        rngs["nb_ar1"], train["missiles"].to_numpy(dtype=float), years * BLOCK, n)
    samples["nb_ar1"] = paths.reshape(n, years, BLOCK).sum(axis=2)
    return _result(samples, notes, fits)


def _ar1(rng: np.random.Generator, y: np.ndarray, horizon: int,
         n: int) -> tuple[np.ndarray, dict[str, float], list[str]]:
    """Monthly NB2 on log(1 + previous month), simulated path-wise from the last month."""
    X = np.column_stack([np.ones(len(y) - 1), np.log1p(y[:-1])])
    fit = _fit_counts(y[1:], X, ["const", "log1p_lag"], nb=True)
    notes = list(fit.notes)
    log_cap = np.log(MEAN_CAP)
    prev = np.full(n, y[-1])
    out = np.empty((n, horizon), dtype=np.int64)
    first = float(np.exp(min(fit.log_mean({"log1p_lag": float(np.log1p(y[-1]))}), log_cap)))
    capped = False
    for t in range(horizon):
        if fit.mean_only is not None:
            eta = np.full(n, fit.log_mean({}))
        else:
            eta = fit.coef["const"] + fit.coef["log1p_lag"] * np.log1p(prev)
        capped |= bool(np.any(eta > log_cap))
        mu = np.exp(np.minimum(eta, log_cap))
        out[:, t] = _draw(rng, mu, fit.alpha, n)
        prev = out[:, t].astype(float)
    if capped:
        notes.append(f"mean capped at {MEAN_CAP:g}")
    return out, fit.params(nb=True) | {"forecast_mean": first}, notes
