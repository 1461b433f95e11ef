"""The terminal tables word their statistics as the registry does: every column head and title
of the sensitivity, discovery, back-test and rivalry tables is the registry's symbol of the
statistic it shows, so a head worded in the face itself (or a stale one) fails here."""

from types import SimpleNamespace

import pandas as pd
import pytest
from rich.table import Table

from peninsula.analysis import registry as R
from peninsula.analysis.sensitivity import MAIN_INDEX
from peninsula.cli import render, rivalries

SHOWN = {"morris": ("mu_star", "mu_star_conf", "mu", "sigma"),
         "sobol": ("S1", "S1_conf", "ST", "ST_conf"),
         "delta": ("delta", "delta_conf", "S1", "S1_conf", "feature_score")}


def worded(key: str) -> str:
    """The head the registry gives a result's key: an interval's label or the symbol."""
    if key.endswith(R.CONFIDENCE_SUFFIX):
        return R.CONFIDENCE_LABEL
    return R.statistic(key).symbol


@pytest.fixture
def printed(monkeypatch):
    """What the faces print (tables and lines), in order, instead of the terminal."""
    shown = []
    monkeypatch.setattr(render.out, "print", lambda *a, **k: shown.extend(a))
    return shown


def heads(table: Table) -> list[str]:
    return [str(c.header) for c in table.columns]


def tables(shown) -> list[Table]:
    return [s for s in shown if isinstance(s, Table)]


def indices(method: str, metric: str = "dprk_launches_per_year") -> SimpleNamespace:
    """A study's result of two factors, with its convergence check and (Sobol) pairs."""
    factors = ["parameters.launch_base_rate_per_year", "parameters.launch_drill_effect"]
    main = MAIN_INDEX[method]
    ind = pd.DataFrame([{"metric": metric, "factor": f, "sd": 1.0, "point_se": 0.1,
                         **dict.fromkeys(SHOWN[method], v)}
                        for f, v in zip(factors, (0.6, 0.2), strict=True)])
    conv = pd.DataFrame([{"metric": metric, "factor": f, f"{main}_half": 0.5,
                          "converged": True} for f in factors])
    pairs = (pd.DataFrame([{"metric": metric, "factor_1": factors[0], "factor_2": factors[1],
                            "S2": 0.05, "S2_conf": 0.01}]) if method == "sobol" else None)
    return SimpleNamespace(screening=None, indices=ind, convergence=conv, second_order=pairs,
                           method=method)


@pytest.mark.parametrize("method", ["morris", "sobol", "delta"])
def test_sensitivity_heads_are_the_registrys_symbols(method, printed):
    render.print_sensitivity(indices(method), ["dprk_launches_per_year"], method, 4, 2, 12,
                             10, 5)
    table = tables(printed)[0]
    main = MAIN_INDEX[method]
    assert heads(table) == ["factor", *(worded(k) for k in SHOWN[method]),
                            f"{R.statistic(main).symbol} from N/2", "converged"]
    assert not {"mu*", "mu", "sigma", "delta"} & set(heads(table))  # the old heads, in code
    if method == "sobol":
        assert heads(tables(printed)[1])[2:] == [R.statistic("S2").symbol, R.CONFIDENCE_LABEL]
    if method == "delta":  # the title names the indices in words, as the figure does
        assert table.title.startswith(f"{R.label('dprk_launches_per_year')}: "
                                      f"{R.statistic('delta').named}, "
                                      f"{R.statistic('S1').named}, "
                                      f"{R.statistic('feature_score').named} from one ensemble")


def test_the_screening_names_the_index_it_kept_factors_by(printed):
    study = indices("sobol")
    study.screening = indices("morris")
    render.print_sensitivity(study, ["dprk_launches_per_year"], "morris", 4, 2, 12, 10, 5)
    lines = [s for s in printed if isinstance(s, str)]
    assert any(f"largest {R.statistic(MAIN_INDEX['morris']).symbol} " in s for s in lines)
    # the screening's table (Morris), then the kept factors' (Sobol) and their pairs: no loop
    assert [heads(t)[1] for t in tables(printed)] == [worded("mu_star"), worded("S1"), "factor "]


def test_the_main_index_is_the_analysis_layers_own():
    assert not hasattr(render, "MAIN_INDEX")  # one declaration: analysis/sensitivity.py


def test_prim_tables_read_coverage_density_and_mass_from_the_registry(printed):
    box = {"coverage": 0.9, "density": 0.3, "mass": 0.1, "res_dim": 1,
           "limits": {"launch_base_rate_per_year": [2.0, 5.0]},
           "qp": {"launch_base_rate_per_year": [0.01, None]}}
    render.print_discovery({"scenario": "baseline", "outcome": "war within 10 years",
                            "base_rate": 0.05, "runs": 300, "seed": 1, "policy": [],
                            "box": box, "trajectory": [box, box],
                            "cart": [{**box, "limits": {"x": [0.0, 1.0]}}]})
    chosen, curve = tables(printed)
    qp = R.statistic("qp").symbol
    assert heads(chosen) == ["parameter", "low", "high", f"{qp} low", f"{qp} high"]
    stats = [R.statistic(k).symbol for k in ("coverage", "density", "mass")]
    assert heads(curve) == ["box", *stats, "limits"]
    assert chosen.title.startswith(f"PRIM box: {stats[0]} 0.90, {stats[1]} 0.30, "
                                   f"{stats[2]} 0.10")
    assert printed[-1].startswith(f"CART leaf: {stats[0]} 0.90, ")


def test_back_test_scores_are_headed_by_the_registrys_symbols(printed):
    from peninsula.analysis.backtest import THRESHOLD

    scores = {"spearman": 0.5, "crps": 3.0, "brier": 0.1, "coverage_90": 0.9}
    render.print_backtest({"years": [2020], "observed": [10], "predicted_mean": [9.0],
                           "predicted_p05": [2.0], "predicted_p95": [20.0], **scores,
                           "baselines": {"mean": scores},
                           "clashes": {"test_years": [2020], "observed": [1],
                                       "scores": {"model": {"log_score": 0.7,
                                                            "brier": 0.2}}}}, 2019)
    _, skill, clash = tables(printed)
    s = R.statistic
    assert heads(skill) == ["forecast", s("spearman").symbol, s("crps").symbol,
                            f"{s('brier').symbol} ({THRESHOLD}+)", s("coverage_90").symbol]
    assert heads(clash) == ["forecast", s("log_score").symbol, s("brier").symbol]
    assert len(skill.rows) == 2


def test_rolling_scores_are_headed_by_the_registrys_symbols(printed):
    sc = {"crps": 1.0, "log_score": 2.0, "brier": 0.1, "coverage_50": 0.5, "coverage_90": 0.9,
          "monthly": {"crps": 0.3}, "pit": [0.25] * 4}
    block = {"model": sc, "benchmarks": {"climatology": sc}}
    render.print_rolling({"settings": {"first_origin": "2010-01", "last_origin": "2020-01",
                                       "n_origins": 11, "horizon_months": 12, "threshold": 5},
                          "conditional": block, "ex_ante": block})
    s = R.statistic
    expected = ["forecast", s("crps").symbol, s("log_score").symbol, f"{s('brier').symbol} (5+)",
                s("coverage_50").symbol, s("coverage_90").symbol, f"monthly {s('crps').symbol}"]
    assert [heads(t) for t in tables(printed)] == [expected, expected]
    assert printed[-1].startswith(f"{s('pit').symbol} histogram")


def test_the_rivalry_self_check_is_headed_by_the_registrys_symbols(printed):
    sc = {"log_loss": 0.4, "brier": 0.1, "auc": float("nan")}
    outcome = next(iter(rivalries.OUTCOME_WORDS))
    rivalries.print_check({"rows_scored": 100, "outcomes": {
        outcome: {"model": sc, "baselines": {"pooled rate": sc}}}}, 1985, 2000)
    (table,) = tables(printed)
    symbols = [R.statistic(k).symbol for k in ("log_loss", "brier", "auc")]
    assert heads(table) == ["outcome", "forecaster", *symbols]
    assert table.title.endswith(": " + " / ".join(symbols))
