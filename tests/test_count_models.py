"""Benchmark count models: recover known parameters, build blocks right, fall back, never raise.

Tolerances are derived, not tuned: coefficient checks use 4 standard errors from the expected
Fisher information at the true parameters (NB2 mean part: X' diag(mu / (1 + alpha mu)) X; the
NB2 alpha is orthogonal to the mean, its information computed numerically from scipy's
negative-binomial pmf); Monte Carlo checks of forecast samples use 4 (or 5) standard errors of
the sample mean or variance (of a difference of two independent sample means where two samples
are compared), and independence checks bound a sample correlation by 4 / sqrt(n).
"""

from __future__ import annotations

import hashlib
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from peninsula.analysis.count_models import (
    BENCHMARKS,
    MEAN_CAP,
    RECENT_BLOCKS,
    BenchmarkForecast,
    forecast_benchmark_years,
    forecast_benchmarks,
)

BLOCK_MODELS = [b for b in BENCHMARKS if b != "nb_ar1"]


def nb_draw(rng: np.random.Generator, mu, alpha: float, size=None) -> np.ndarray:
    """NB2 with mean mu and variance mu + alpha mu^2."""
    return rng.negative_binomial(1.0 / alpha, 1.0 / (1.0 + alpha * np.asarray(mu)), size)


def train_from_blocks(totals, drill=None, talks_months=None, seed: int = 0) -> pd.DataFrame:
    """Monthly training frame whose consecutive 12-month blocks have the given totals.

    Each total is spread over its 12 months multinomially; drill is constant within a block;
    a block with k talks months has talks = 1 in its first k months.
    """
    rng = np.random.default_rng(seed)
    totals = np.asarray(totals, dtype=np.int64)
    nb = len(totals)
    drill = np.zeros(nb) if drill is None else np.asarray(drill, dtype=float)
    k = np.zeros(nb, dtype=int) if talks_months is None else np.asarray(talks_months)
    missiles = rng.multinomial(totals, np.full(12, 1 / 12)).ravel()
    talks = (np.arange(12)[None, :] < k[:, None]).astype(int).ravel()
    return pd.DataFrame({"missiles": missiles, "drill": np.repeat(drill, 12), "talks": talks})


def future(h: int = 12, drill: float = 0.0, talks: float = 0.0) -> pd.DataFrame:
    return pd.DataFrame({"drill": np.full(h, drill), "talks": np.full(h, talks)})


def nb_mean_se(X: np.ndarray, beta: np.ndarray, alpha: float) -> np.ndarray:
    """Standard errors of NB2 mean coefficients from the expected Fisher information."""
    mu = np.exp(X @ beta)
    info = X.T @ (X * (mu / (1 + alpha * mu))[:, None])
    return np.sqrt(np.diag(np.linalg.inv(info)))


def nb_alpha_se(mu: float, alpha: float, n_obs: int) -> float:
    """Standard error of the NB2 alpha MLE (intercept-only; alpha is orthogonal to mu)."""
    y = np.arange(int(mu + 40 * np.sqrt(mu + alpha * mu**2)))
    eps = 1e-5

    def logpmf(a):
        return stats.nbinom.logpmf(y, 1 / a, 1 / (1 + a * mu))

    score = (logpmf(alpha + eps) - logpmf(alpha - eps)) / (2 * eps)
    info = np.sum(np.exp(logpmf(alpha)) * score**2)
    return 1.0 / np.sqrt(n_obs * info)


def test_nb_climatology_recovers_mean_and_alpha_and_samples_its_law():
    mu, alpha, nblocks = 40.0, 0.3, 600
    totals = nb_draw(np.random.default_rng(11), mu, alpha, nblocks)
    train = train_from_blocks(totals, seed=12)
    assert len(train) == 7200
    fc = forecast_benchmarks(train, future(), n=40_000, seed=5)
    fit = fc.fits["nb_climatology"]
    assert fc.notes["nb_climatology"] == ""
    se_const = np.sqrt((1 / mu + alpha) / nblocks)  # sd of log(ybar) = sqrt(var / (n mu^2))
    assert abs(fit["const"] - np.log(mu)) < 4 * se_const
    # intercept-only NB2: the MLE of the mean is the sample mean
    assert fit["const"] == pytest.approx(np.log(totals.mean()), abs=1e-4)
    assert abs(fit["alpha"] - alpha) < 4 * nb_alpha_se(mu, alpha, nblocks)
    # forecast totals follow NB2(mu_hat, alpha_hat): check mean and variance by Monte Carlo
    t = fc.samples["nb_climatology"].sum(axis=1).astype(float)
    m_hat, a_hat = np.exp(fit["const"]), fit["alpha"]
    v_hat = m_hat + a_hat * m_hat**2
    r, p = 1 / a_hat, 1 / (1 + a_hat * m_hat)
    kurt = float(stats.nbinom.stats(r, p, moments="k"))
    assert abs(t.mean() - m_hat) < 4 * np.sqrt(v_hat / len(t))
    assert abs(t.var(ddof=1) - v_hat) < 4 * v_hat * np.sqrt((kurt + 2) / len(t))
    assert fit["forecast_mean"] == pytest.approx(m_hat)


def test_poisson_climatology_mean_is_the_block_mean():
    totals = np.random.default_rng(3).poisson(30.0, 200)
    fc = forecast_benchmarks(train_from_blocks(totals), future(), n=20_000, seed=1)
    fit = fc.fits["poisson_climatology"]
    assert fit["const"] == pytest.approx(np.log(totals.mean()), abs=1e-8)
    t = fc.samples["poisson_climatology"].sum(axis=1)
    assert abs(t.mean() - totals.mean()) < 4 * np.sqrt(totals.mean() / len(t))
    # Poisson: variance equals the mean (sd of the sample variance ~ mu sqrt((2 + 1/mu) / n))
    assert abs(t.var(ddof=1) - totals.mean()) < 4 * totals.mean() * np.sqrt(2.1 / len(t))


def test_recent_climatology_uses_only_the_last_six_blocks():
    rng = np.random.default_rng(4)
    totals = np.concatenate([rng.poisson(5, 18), rng.poisson(100, RECENT_BLOCKS)])
    fc = forecast_benchmarks(train_from_blocks(totals), future(), n=5000, seed=2)
    recent_mean = totals[-RECENT_BLOCKS:].mean()
    assert fc.fits["poisson_climatology_recent"]["const"] == pytest.approx(
        np.log(recent_mean), abs=1e-8)
    assert fc.fits["nb_climatology_recent"]["const"] == pytest.approx(
        np.log(recent_mean), abs=1e-4)
    assert fc.fits["poisson_climatology"]["const"] == pytest.approx(
        np.log(totals.mean()), abs=1e-8)
    for name in ("poisson_climatology_recent", "nb_climatology_recent"):
        # Poisson-level noise of the recent blocks' forecast is ~sqrt(100/5000)
        assert abs(fc.samples[name].sum(axis=1).mean() - recent_mean) < 0.1 * recent_mean
    assert fc.samples["poisson_climatology"].sum(axis=1).mean() < 0.5 * recent_mean


def test_nb_trend_recovers_a_known_slope():
    b0, b1, alpha, nblocks = 1.0, 0.008, 0.2, 300
    b = np.arange(nblocks)
    totals = nb_draw(np.random.default_rng(21), np.exp(b0 + b1 * b), alpha)
    fc = forecast_benchmarks(train_from_blocks(totals), future(), n=100, seed=3)
    fit = fc.fits["nb_trend"]
    assert fc.notes["nb_trend"] == ""
    se = nb_mean_se(np.column_stack([np.ones(nblocks), b]), np.array([b0, b1]), alpha)
    assert abs(fit["const"] - b0) < 4 * se[0]
    assert abs(fit["block"] - b1) < 4 * se[1]
    assert fit["forecast_mean"] == pytest.approx(np.exp(fit["const"] + fit["block"] * nblocks))


def glm_training(b0: float, bd: float, bt: float, alpha: float, nblocks: int, seed: int,
                 split_seed: int | None = None):
    """Synthetic yearly blocks with NB2 totals exp(b0 + bd * drill + bt * talks share): the
    blocks' drills, talks months and the monthly training table."""
    rng = np.random.default_rng(seed)
    drill = rng.uniform(0.0, 2.0, nblocks)
    k = rng.integers(0, 13, nblocks)
    totals = nb_draw(rng, np.exp(b0 + bd * drill + bt * k / 12), alpha)
    extra = {} if split_seed is None else {"seed": split_seed}
    return drill, k, train_from_blocks(totals, drill=drill, talks_months=k, **extra)


def test_nb_glm_levers_recovers_drill_and_talks_effects():
    b0, bd, bt, alpha, nblocks = 2.0, 0.5, -1.0, 0.15, 400
    drill, k, train = glm_training(b0, bd, bt, alpha, nblocks, 31)
    fut = pd.DataFrame({"drill": np.linspace(0.6, 1.8, 12), "talks": [1] * 3 + [0] * 9})
    fc = forecast_benchmarks(train, fut, n=100, seed=4)
    fit = fc.fits["nb_glm_levers"]
    assert fc.notes["nb_glm_levers"] == ""
    X = np.column_stack([np.ones(nblocks), drill, k / 12])
    se = nb_mean_se(X, np.array([b0, bd, bt]), alpha)
    assert fit["drill"] > 0 and fit["talks"] < 0
    for key, want, s in (("const", b0, se[0]), ("drill", bd, se[1]), ("talks", bt, se[2])):
        assert abs(fit[key] - want) < 4 * s, (key, fit[key], want, s)
    assert abs(fit["alpha"] - alpha) < 0.1  # ~4 x the alpha sd at mu ~ 10, 400 blocks
    want_mean = np.exp(fit["const"] + fit["drill"] * 1.2 + fit["talks"] * 0.25)
    assert fit["forecast_mean"] == pytest.approx(want_mean)


def ar1_series(c0: float, c1: float, alpha: float, months: int, seed: int) -> np.ndarray:
    """A monthly NB2 AR(1) series y_t ~ NB2(exp(c0 + c1 log(1 + y_{t-1})), alpha), from 4."""
    rng = np.random.default_rng(seed)
    y = np.empty(months, dtype=np.int64)
    y[0] = 4
    for t in range(1, months):
        y[t] = nb_draw(rng, np.exp(c0 + c1 * np.log1p(y[t - 1])), alpha)
    return y


def test_nb_ar1_recovers_a_known_ar_coefficient_and_simulates_from_the_last_month():
    c0, c1, alpha = 0.5, 0.6, 0.3
    y = ar1_series(c0, c1, alpha, 6000, 41)
    y[-1] = 9  # a known starting point for the forecast
    train = pd.DataFrame({"missiles": y, "drill": 0.0, "talks": 0})
    fc = forecast_benchmarks(train, future(), n=20_000, seed=6)
    fit = fc.fits["nb_ar1"]
    assert fc.notes["nb_ar1"] == ""
    X = np.column_stack([np.ones(len(y) - 1), np.log1p(y[:-1])])
    se = nb_mean_se(X, np.array([c0, c1]), alpha)
    assert abs(fit["const"] - c0) < 4 * se[0]
    assert abs(fit["log1p_lag"] - c1) < 4 * se[1]
    mu1 = np.exp(fit["const"] + fit["log1p_lag"] * np.log1p(9))
    assert fit["forecast_mean"] == pytest.approx(mu1)
    first = fc.samples["nb_ar1"][:, 0]
    assert abs(first.mean() - mu1) < 4 * np.sqrt((mu1 + fit["alpha"] * mu1**2) / len(first))
    # path-wise: month 2 depends on each path's own month 1 (positive correlation, c1 > 0)
    assert np.corrcoef(np.log1p(first), fc.samples["nb_ar1"][:, 1])[0, 1] > 0.05


def test_persistence_mean_is_the_last_block_total_and_scales_with_horizon():
    totals = [5, 40, 24]
    fc = forecast_benchmarks(train_from_blocks(totals), future(), n=20_000, seed=7)
    assert fc.fits["persistence"]["last_total"] == 24
    assert fc.fits["persistence"]["forecast_mean"] == 24
    t = fc.samples["persistence"].sum(axis=1)
    assert abs(t.mean() - 24) < 4 * np.sqrt(24 / len(t))
    fc6 = forecast_benchmarks(train_from_blocks(totals), future(6), n=20_000, seed=7)
    assert fc6.samples["persistence"].shape == (20_000, 6)
    assert fc6.fits["persistence"]["forecast_mean"] == 12
    assert fc6.fits["poisson_climatology"]["forecast_mean"] == pytest.approx(23.0 / 2)


def test_blocks_end_at_the_last_month_and_drop_the_earliest_remainder():
    # 30 months: 6 leftover months with huge counts, then blocks with totals 10 and 20
    missiles = np.concatenate([np.full(6, 1000), np.full(12, 0), np.full(12, 0)])
    missiles[6], missiles[17] = 4, 6  # first complete block: total 10
    missiles[18:30] = [2, 1, 3, 0, 2, 1, 3, 0, 2, 1, 3, 2]  # last block: total 20
    train = pd.DataFrame({"missiles": missiles, "drill": 0.0, "talks": 0})
    fc = forecast_benchmarks(train, future(), n=200, seed=8)
    assert fc.fits["persistence"]["last_total"] == 20
    assert fc.fits["poisson_climatology"]["const"] == pytest.approx(np.log(15.0), abs=1e-8)
    assert fc.fits["poisson_climatology_recent"]["const"] == pytest.approx(np.log(15.0), abs=1e-8)
    # trend through the two blocks (exact Poisson fit): next block 20 * (20 / 10) = 40
    assert fc.fits["nb_trend"]["forecast_mean"] == pytest.approx(40.0, rel=1e-5)


def test_shapes_and_dtypes():
    totals = np.random.default_rng(9).poisson(12, 10)
    fc = forecast_benchmarks(train_from_blocks(totals), future(12), n=37, seed=9)
    assert isinstance(fc, BenchmarkForecast)
    assert tuple(fc.samples) == BENCHMARKS == tuple(fc.notes) == tuple(fc.fits)
    for name in BENCHMARKS:
        s = fc.samples[name]
        assert s.shape == (37, 12) and s.dtype == np.int64 and (s >= 0).all()
        assert isinstance(fc.notes[name], str)
        assert all(isinstance(v, float) for v in fc.fits[name].values()), name
    fc3 = forecast_benchmarks(train_from_blocks(totals), future(3), n=5, seed=9)
    assert all(fc3.samples[name].shape == (5, 3) for name in BENCHMARKS)


def test_same_seed_same_draws_other_seed_other_draws_and_streams_are_separate():
    rng = np.random.default_rng(10)
    totals = nb_draw(rng, 20.0, 0.3, 40)
    drill = rng.uniform(0, 2, 40)
    train = train_from_blocks(totals, drill=drill, talks_months=rng.integers(0, 13, 40))
    a = forecast_benchmarks(train, future(), n=500, seed=123)
    b = forecast_benchmarks(train, future(), n=500, seed=123)
    c = forecast_benchmarks(train, future(), n=500, seed=124)
    for name in BENCHMARKS:
        np.testing.assert_array_equal(a.samples[name], b.samples[name])
        assert not np.array_equal(a.samples[name], c.samples[name]), name
    # changing the levers changes only the lever model's draws
    d = forecast_benchmarks(train.assign(drill=train["drill"] * 3), future(drill=1.0), n=500,
                            seed=123)
    for name in BENCHMARKS:
        same = np.array_equal(a.samples[name], d.samples[name])
        assert same == (name != "nb_glm_levers"), name


def test_each_benchmark_draws_from_its_own_spawned_stream():
    # six blocks: full and recent Poisson climatology have the same law, yet different draws
    totals = np.random.default_rng(15).poisson(20, RECENT_BLOCKS)
    fc = forecast_benchmarks(train_from_blocks(totals), future(), n=400, seed=99)
    assert fc.fits["poisson_climatology"] == fc.fits["poisson_climatology_recent"]
    assert not np.array_equal(fc.samples["poisson_climatology"],
                              fc.samples["poisson_climatology_recent"])
    # documented contract: benchmark i uses child i of SeedSequence(seed).spawn(...), so a
    # benchmark appended later cannot change it
    rng = np.random.default_rng(np.random.SeedSequence(99).spawn(1)[0])
    want = rng.multinomial(rng.poisson(float(totals[-1]), 400), np.full(12, 1 / 12))
    np.testing.assert_array_equal(fc.samples["persistence"], want)


def test_all_zero_training_gives_all_zero_samples_with_notes():
    train = pd.DataFrame({"missiles": np.zeros(48, dtype=int), "drill": 1.0,
                          "talks": np.arange(48) % 2})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fc = forecast_benchmarks(train, future(), n=100, seed=11)
    for name in BENCHMARKS:
        assert (fc.samples[name] == 0).all(), name
        assert fc.fits[name]["forecast_mean"] == 0.0
    for name in BENCHMARKS[1:]:
        assert "zero" in fc.notes[name], name


@pytest.mark.parametrize("case", ["poisson", "zeros", "one_spike", "constant"])
def test_twelve_months_of_training_works_for_every_benchmark(case):
    y = {"poisson": np.random.default_rng(12).poisson(2, 12), "zeros": np.zeros(12, int),
         "one_spike": np.eye(12, dtype=int)[-1] * 7, "constant": np.full(12, 3)}[case]
    train = pd.DataFrame({"missiles": y, "drill": np.linspace(0, 1, 12), "talks": 0})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fc = forecast_benchmarks(train, future(drill=2.0, talks=1.0), n=300, seed=13)
    for name in BENCHMARKS:
        s = fc.samples[name]
        assert s.shape == (300, 12) and s.dtype == np.int64, name
        assert np.isfinite(list(fc.fits[name].values())).all(), name
    if case != "zeros":
        # one block: no NB2 alpha and no slope can be estimated
        for name in ("nb_climatology", "nb_climatology_recent", "nb_trend", "nb_glm_levers"):
            assert "Poisson" in fc.notes[name], name
            assert fc.fits[name]["forecast_mean"] == pytest.approx(y.sum(), rel=1e-6), name
        assert "block" in fc.notes["nb_trend"]


def test_an_explosive_trend_is_capped_and_noted():
    totals = np.round(np.exp(0.6 * np.arange(20))).astype(int)  # next block ~ exp(12) > cap
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fc = forecast_benchmarks(train_from_blocks(totals), future(), n=50, seed=14)
    assert fc.fits["nb_trend"]["forecast_mean"] == MEAN_CAP * 12
    assert "capped" in fc.notes["nb_trend"]
    assert fc.samples["nb_trend"].sum(axis=1).mean() < 1.05 * MEAN_CAP * 12


def test_rejects_unusable_input():
    with pytest.raises(ValueError, match="at least 12"):
        forecast_benchmarks(pd.DataFrame({"missiles": [1] * 11, "drill": 0.0, "talks": 0}),
                            future(), n=10, seed=0)
    with pytest.raises(ValueError, match="column"):
        forecast_benchmarks(pd.DataFrame({"missiles": [1] * 12, "drill": 0.0}), future(), 10, 0)
    with pytest.raises(ValueError, match="non-negative"):
        forecast_benchmarks(pd.DataFrame({"missiles": [-1] * 12, "drill": 0.0, "talks": 0}),
                            future(), n=10, seed=0)


# ---------------------------------------------------------------------------------------------
# Regression pin: forecast_benchmarks must stay bit-identical across refactors. The digests were
# computed with the code as it stood before forecast_benchmark_years was added (same numpy and
# statsmodels); regenerate them only for a deliberate change of the models or the draws.


def pin_cases():
    """Inputs whose forecast_benchmarks output is pinned (levers, odd horizons, fallbacks)."""
    rng = np.random.default_rng(2006)
    months = 168  # 2006-2019
    drill = rng.uniform(0, 2, months).round(3)
    talks = (rng.uniform(size=months) < 0.2).astype(int)
    mu = np.exp(0.3 + 0.4 * drill - 0.8 * talks + 0.004 * np.arange(months))
    train = pd.DataFrame({"missiles": rng.negative_binomial(2.0, 2.0 / (2.0 + mu)),
                          "drill": drill, "talks": talks})

    def fut(h, s):
        r = np.random.default_rng(s)
        return pd.DataFrame({"drill": r.uniform(0, 2, h).round(3),
                             "talks": (r.uniform(size=h) < 0.3).astype(int)})

    totals = np.round(np.exp(0.6 * np.arange(20))).astype(int)
    explosive = np.repeat(totals // 12, 12)
    explosive[11::12] += totals % 12
    return {
        "levers12": (train, fut(12, 1), 300, 2024),
        "levers7": (train, fut(7, 2), 300, 7),
        "levers36": (train, fut(36, 3), 200, 31),
        "capped": (pd.DataFrame({"missiles": explosive, "drill": 0.0, "talks": 0}), fut(12, 4),
                   50, 14),
        "spike12": (pd.DataFrame({"missiles": np.eye(12, dtype=int)[-1] * 7,
                                  "drill": np.linspace(0, 1, 12), "talks": 0}), fut(12, 5),
                    100, 13),
        "zeros": (pd.DataFrame({"missiles": np.zeros(48, dtype=int), "drill": 1.0,
                                "talks": np.arange(48) % 2}), fut(12, 6), 100, 11),
    }


def digest(fc: BenchmarkForecast) -> tuple[str, str]:
    """(hash of all samples, hash of notes and fitted parameters), bit-exact."""
    hs, hf = hashlib.sha256(), hashlib.sha256()
    for name in BENCHMARKS:
        s = np.ascontiguousarray(fc.samples[name], dtype="<i8")
        hs.update(f"{name}{s.shape}".encode() + s.tobytes())
        hf.update(f"{name}|{fc.notes[name]}|{sorted(fc.fits[name].items())!r}".encode())
    return hs.hexdigest()[:16], hf.hexdigest()[:16]


PINNED = {
    "levers12": ("b1d2bf72e4107fe5", "e44b21af8e904194"),
    "levers7": ("12c52df8582f26cd", "3ee8ad64cb59e211"),
    "levers36": ("176406f4564d74ed", "80802e4074cdfeea"),
    "capped": ("df9982480bfaa0a9", "b35236c9c544004a"),
    "spike12": ("96e011fa3ab608e4", "0320174f88f785b8"),
    "zeros": ("601afb2050f0c438", "49fdfa3587a07678"),
}


@pytest.mark.parametrize("case", sorted(PINNED))
def test_forecast_benchmarks_output_is_pinned(case):
    train, fut, n, seed = pin_cases()[case]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert digest(forecast_benchmarks(train, fut, n=n, seed=seed)) == PINNED[case]


# ---------------------------------------------------------------------------------------------
# forecast_benchmark_years


def year_levers(*years: tuple[list[float], list[float]]) -> pd.DataFrame:
    """Future months from per-year (drill, talks) month patterns, each tiled to 12 months."""
    drill = np.concatenate([np.resize(np.asarray(d, float), 12) for d, _ in years])
    talks = np.concatenate([np.resize(np.asarray(t, float), 12) for _, t in years])
    return pd.DataFrame({"drill": drill, "talks": talks})


def test_year_forecast_shapes_dtypes_and_fits():
    train, _, _, _ = pin_cases()["levers12"]  # 2006-2019
    fut = pin_cases()["levers36"][1]
    fut = pd.concat([fut, fut], ignore_index=True)  # 72 months: 2020..2025
    fc = forecast_benchmark_years(train, fut, n=41, seed=3)
    assert isinstance(fc, BenchmarkForecast)
    assert tuple(fc.samples) == BENCHMARKS == tuple(fc.notes) == tuple(fc.fits)
    for name in BENCHMARKS:
        s = fc.samples[name]
        assert s.shape == (41, 6) and s.dtype == np.int64 and (s >= 0).all(), name
        assert isinstance(fc.notes[name], str)
        assert all(isinstance(v, float) for v in fc.fits[name].values()), name
        years = [k for k in fc.fits[name] if k.startswith("forecast_mean_year")]
        assert years == ([] if name == "nb_ar1" else [f"forecast_mean_year{h}" for h in range(1, 7)])
    one = forecast_benchmark_years(train, fut.iloc[:12], n=5, seed=3)
    assert all(one.samples[name].shape == (5, 1) for name in BENCHMARKS)


def test_year_one_repeats_forecast_benchmarks_draw_for_draw_and_ar1_sums_its_monthly_paths():
    train, _, _, _ = pin_cases()["levers12"]
    fut = year_levers(([0.0, 2.0], [0]), ([1.5], [1, 0, 0]), ([0.2], [0]))
    n, seed = 700, 77
    yr = forecast_benchmark_years(train, fut, n=n, seed=seed)
    first = forecast_benchmarks(train, fut.iloc[:12], n=n, seed=seed)
    for name in BENCHMARKS:
        np.testing.assert_array_equal(yr.samples[name][:, 0], first.samples[name].sum(axis=1))
        assert yr.notes[name] == first.notes[name], name
        assert {k: v for k, v in yr.fits[name].items()
                if not k.startswith("forecast_mean_year")} == first.fits[name], name
    # nb_ar1: every yearly total is the sum of one path simulated month by month over 36 months
    paths = forecast_benchmarks(train, fut, n=n, seed=seed).samples["nb_ar1"]
    np.testing.assert_array_equal(yr.samples["nb_ar1"], paths.reshape(n, 3, 12).sum(axis=2))
    # same seed, same draws; other levers change only the levers model
    again = forecast_benchmark_years(train, fut, n=n, seed=seed)
    other = forecast_benchmark_years(train, fut.assign(drill=fut["drill"] + 1), n=n, seed=seed)
    for name in BENCHMARKS:
        np.testing.assert_array_equal(again.samples[name], yr.samples[name])
        same = np.array_equal(other.samples[name], yr.samples[name])
        assert same == (name != "nb_glm_levers"), name


def test_climatology_years_are_identically_and_independently_distributed():
    totals = nb_draw(np.random.default_rng(51), 40.0, 0.2, 14)
    n, years = 20_000, 6
    fc = forecast_benchmark_years(train_from_blocks(totals, seed=52), future(12 * years), n=n,
                                  seed=53)
    for name in ("poisson_climatology", "nb_climatology", "poisson_climatology_recent",
                 "nb_climatology_recent"):
        fit, s = fc.fits[name], fc.samples[name].astype(float)
        mu, alpha = np.exp(fit["const"]), fit.get("alpha", 0.0)
        assert [fit[f"forecast_mean_year{h}"] for h in range(1, years + 1)] == pytest.approx(
            [mu] * years, rel=1e-12)
        se = np.sqrt((mu + alpha * mu**2) / n)
        for h in range(years):
            assert abs(s[:, h].mean() - mu) < 4 * se, (name, h)
            if h:
                assert abs(np.corrcoef(s[:, h - 1], s[:, h])[0, 1]) < 4 / np.sqrt(n), (name, h)
    assert fc.fits["nb_climatology"]["alpha"] > 0.05  # the NB case really is overdispersed


def test_nb_trend_years_follow_the_fitted_trend_from_the_next_block_on():
    b0, b1, alpha, nblocks = 2.0, 0.12, 0.05, 14
    totals = nb_draw(np.random.default_rng(61), np.exp(b0 + b1 * np.arange(nblocks)), alpha)
    n = 40_000
    fc = forecast_benchmark_years(train_from_blocks(totals, seed=62), future(36), n=n, seed=63)
    fit = fc.fits["nb_trend"]
    assert fc.notes["nb_trend"] == ""
    s = fc.samples["nb_trend"].astype(float)
    for h in (1, 2, 3):
        want = np.exp(fit["const"] + fit["block"] * (nblocks + h - 1))
        off_by_one = np.exp(fit["const"] + fit["block"] * (nblocks + h))
        se = np.sqrt((want + fit["alpha"] * want**2) / n)
        assert fit[f"forecast_mean_year{h}"] == pytest.approx(want, rel=1e-12)
        assert abs(s[:, h - 1].mean() - want) < 4 * se, h
        assert abs(off_by_one - want) > 12 * se  # the check above would catch a shifted index


def test_nb_glm_levers_uses_each_years_own_levers():
    b0, bd, bt, alpha, nblocks = 2.0, 0.5, -1.0, 0.1, 200
    drill, k, train = glm_training(b0, bd, bt, alpha, nblocks, 71, split_seed=72)
    # year 1 quiet; year 2 drills (mean 1.0, within-year varying); year 3 talks in half the months
    fut = year_levers(([0.0], [0]), ([0.0, 2.0], [0]), ([0.0], [1, 0]))
    n = 20_000
    fc = forecast_benchmark_years(train, fut, n=n, seed=73)
    fit = fc.fits["nb_glm_levers"]
    assert fc.notes["nb_glm_levers"] == ""
    assert fit["drill"] > 0 and fit["talks"] < 0
    s = fc.samples["nb_glm_levers"].astype(float)
    means, ses = [], []
    for h, (d, t) in enumerate([(0.0, 0.0), (1.0, 0.0), (0.0, 0.5)]):
        want = np.exp(fit["const"] + fit["drill"] * d + fit["talks"] * t)
        se = np.sqrt((want + fit["alpha"] * want**2) / n)
        assert fit[f"forecast_mean_year{h + 1}"] == pytest.approx(want, rel=1e-12)
        assert abs(s[:, h].mean() - want) < 4 * se, h
        means.append(s[:, h].mean())
        ses.append(se)
    # the fitted directions: drills raise the year's total, talks lower it
    assert means[1] - means[0] > 4 * np.hypot(ses[0], ses[1])
    assert means[0] - means[2] > 4 * np.hypot(ses[0], ses[2])


def test_nb_ar1_years_continue_each_path_month_by_month():
    c0, c1, alpha = 0.5, 0.6, 0.3
    y = ar1_series(c0, c1, alpha, 168, 81)
    y[-1] = 40  # a high start: year 1 sits above the stationary level, year 2 near it
    train = pd.DataFrame({"missiles": y, "drill": 0.0, "talks": 0})
    n = 20_000
    fc = forecast_benchmark_years(train, future(24), n=n, seed=82)
    fit = fc.fits["nb_ar1"]
    assert fc.notes["nb_ar1"] == ""
    # an independent month-by-month simulation from the fitted law, summed by year
    sim_rng, prev = np.random.default_rng(83), np.full(n, 40.0)
    want = np.zeros((n, 2))
    for t in range(24):
        prev = nb_draw(sim_rng, np.exp(fit["const"] + fit["log1p_lag"] * np.log1p(prev)),
                       fit["alpha"]).astype(float)
        want[:, t // 12] += prev
    got = fc.samples["nb_ar1"].astype(float)
    for h in range(2):
        se = np.sqrt(got[:, h].var() / n + want[:, h].var() / n)
        assert abs(got[:, h].mean() - want[:, h].mean()) < 4 * se, h
    # year 2 is not restarted from the last observed month: it is lower and tied to year 1
    assert got[:, 0].mean() - got[:, 1].mean() > 4 * np.sqrt(
        (got[:, 0].var() + got[:, 1].var()) / n)
    assert np.corrcoef(got[:, 0], got[:, 1])[0, 1] > 4 / np.sqrt(n)


def test_persistence_draws_poisson_of_the_last_total_every_year():
    totals = [5, 40, 24]
    n, years = 20_000, 4
    fc = forecast_benchmark_years(train_from_blocks(totals), future(12 * years), n=n, seed=91)
    fit, s = fc.fits["persistence"], fc.samples["persistence"].astype(float)
    assert fit["last_total"] == 24 and fit["forecast_mean"] == 24
    assert [fit[f"forecast_mean_year{h}"] for h in range(1, years + 1)] == [24.0] * years
    for h in range(years):
        assert abs(s[:, h].mean() - 24) < 4 * np.sqrt(24 / n), h
        assert abs(s[:, h].var(ddof=1) - 24) < 4 * 24 * np.sqrt(2.1 / n), h
        if h:
            assert abs(np.corrcoef(s[:, h - 1], s[:, h])[0, 1]) < 4 / np.sqrt(n), h
    # documented stream: child 0 of SeedSequence(seed), one Poisson(24) draw of n per year
    rng = np.random.default_rng(np.random.SeedSequence(91).spawn(1)[0])
    want = np.column_stack([rng.poisson(24.0, n) for _ in range(years)])
    np.testing.assert_array_equal(fc.samples["persistence"], want)


def test_year_forecast_caps_each_year_and_notes_it_once():
    totals = np.round(np.exp(0.6 * np.arange(20))).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fc = forecast_benchmark_years(train_from_blocks(totals), future(36), n=50, seed=14)
    fit = fc.fits["nb_trend"]
    assert [fit[f"forecast_mean_year{h}"] for h in (1, 2, 3)] == [MEAN_CAP * 12] * 3
    assert fc.notes["nb_trend"].count("capped") == 1
    assert (fc.samples["nb_trend"].mean(axis=0) < 1.05 * MEAN_CAP * 12).all()


@pytest.mark.parametrize("months", [0, 11, 18, 25])
def test_year_forecast_rejects_a_future_of_partial_years(months):
    train = train_from_blocks([10, 12, 9])
    with pytest.raises(ValueError, match=f"length {months}"):
        forecast_benchmark_years(train, future(months), n=10, seed=0)
    with pytest.raises(ValueError, match="at least 12"):
        forecast_benchmark_years(train.iloc[:11], future(24), n=10, seed=0)
