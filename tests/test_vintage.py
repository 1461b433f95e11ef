"""Vintages: a back-test cut at a year samples and calibrates no prior built on later data."""

from __future__ import annotations

import numpy as np
import pytest

from peninsula.analysis.backtest import (
    AT_TRAIN_END,
    CALIBRATED,
    LADDER,
    backtest_vintage,
    calibration_priors,
    clash_record,
)
from peninsula.analysis.record import history_scenario
from peninsula.io.incidents import ALTERNATIVE_CLASH_MONTHS
from peninsula.scenario.parameters import REGISTRY, Param, Vintage, read_table
from peninsula.scenario.vintage import as_of, report, table_as_of, vintage_of, wide


def param(**kw) -> Param:
    base = dict(name="x", value=10.0, unit="1", low=5.0, high=20.0, basis="data 2006-2025",
                mechanism="m", limits=(0.0, 30.0), basis_years=(2006, 2025))
    return Param(**{**base, **kw})


V2015 = Vintage(8.0, 4.0, 16.0, "triangular", "data 2006-2015", (2006, 2015))
V2019 = Vintage(9.0, 4.0, 18.0, "triangular", "data 2006-2019", (2006, 2019))
JUDGEMENT = Vintage(0.0, 0.0, 10.0, "uniform", "judgement before any data", ())


def test_the_latest_vintage_ending_by_the_year_is_chosen():
    p = param(vintages=(V2015, V2019, JUDGEMENT))
    assert vintage_of(p, 2015) == V2015 and vintage_of(p, 2018) == V2015
    assert vintage_of(p, 2019) == V2019 and vintage_of(p, 2024) == V2019
    assert vintage_of(p, 2010) == JUDGEMENT  # only the judgement vintage is blind to 2011+
    r = as_of(2016, (p,))["x"]
    assert r.kind == "vintage" and (r.prior.value, r.prior.low, r.prior.high) == (8.0, 4.0, 16.0)
    assert r.prior.basis_years == (2006, 2015) and r.tabled_years == (2006, 2025)
    assert as_of(2025, (p,)) == {}  # the basis ends by the year: used as tabled


def test_without_a_vintage_the_prior_is_wide_uniform_within_the_limits():
    p = param()
    w = wide(p, 2015)
    # range [5, 20] widened by its width 15 on each side: [-10, 35], cut to the limits [0, 30]
    assert (w.low, w.high, w.value, w.distribution) == (0.0, 30.0, 10.0, "uniform")
    assert "2025" in w.basis and "2015" in w.basis and w.basis_years == ()
    r = as_of(2015, (p,))["x"]
    assert r.kind == "wide" and r.prior == w
    # a fixed value (zero-width range) is widened by its size
    f = wide(param(low=10.0, high=10.0, distribution="fixed"), 2015)
    assert (f.low, f.high) == (0.0, 20.0)


def test_judgement_and_earlier_data_are_used_as_tabled():
    judged, early = param(name="j", basis_years=()), param(name="e", basis_years=(1950, 2000))
    undated = param(name="u", basis_years=None)
    assert as_of(2015, (judged, early, undated)) == {}
    rep = report(2015, (judged, early, undated, param()))
    assert (rep["n_judgement"], rep["n_data_by_year"], rep["n_undated"]) == (1, 1, 1)
    assert rep["n_wide"] == 1 and rep["replaced"][0]["tabled_basis_years"] == [2006, 2025]
    assert report(None)["replaced"] == [] and report(None)["year"] is None


def test_a_malformed_vintage_names_the_parameter_and_the_field(tmp_path):
    entry = ('[x]\nvalue = 1.0\nunit = "1"\nrange = [0.0, 2.0]\nbasis = "b"\nmechanism = "m"\n'
             'basis_years = [2006, 2025]\n')
    bad = tmp_path / "bad.toml"
    bad.write_text(entry + 'vintages = [{value = 1.0, range = [0.0, 2.0]}]\n')
    with pytest.raises(ValueError, match=r"\[x\]\.vintages: each entry needs exactly"):
        read_table(bad)
    bad.write_text(entry + 'vintages = [{value = 1.0, range = [0.0, 2.0], distribution = '
                   '"triangular", basis = "b", basis_years = [2006, 2025]}]\n')
    with pytest.raises(ValueError, match="must end before the current basis's"):
        read_table(bad)
    bad.write_text(entry + 'vintages = [{value = 5.0, range = [0.0, 2.0], distribution = '
                   '"triangular", basis = "b", basis_years = [2006, 2015]}]\n')
    with pytest.raises(ValueError, match="low <= value <= high"):
        read_table(bad)


@pytest.mark.parametrize("year", [2011, 2015, 2019])
def test_no_prior_a_back_test_uses_reaches_past_its_vintage(year):
    table = table_as_of(year)
    late = [n for n, p in table.items() if p.basis_years and p.basis_years[1] > year]
    assert late == []
    # the calibration's own priors come from the same vintage table
    names = CALIBRATED + LADDER
    for (low, _mode, high, law), n in zip(calibration_priors(names, vintage=year), names,
                                         strict=True):
        p = table[n]
        if law != "uniform" or p.distribution == "uniform":
            assert (low, high) == (p.low, p.high)
    # and so do the sampled parameters of the history scenario
    doc = history_scenario(24, vintage=year).doc["parameters"]
    for name, r in as_of(year).items():
        assert doc[name]["range"] == [r.prior.low, r.prior.high]
        assert doc[name]["distribution"] == r.prior.distribution


def test_every_row_of_the_table_dates_its_basis():
    undated = [p.name for p in REGISTRY if p.basis_years is None]
    assert undated == []


def test_a_back_test_is_blind_by_default_and_says_so():
    assert backtest_vintage(2015, AT_TRAIN_END) == 2015
    assert backtest_vintage(2015, 2012) == 2012 and backtest_vintage(2015, None) is None
    with pytest.raises(ValueError, match="--vintage 1999: allowed 2006-2025"):
        backtest_vintage(2015, 1999)


def test_the_alternative_clash_coding_adds_its_month_and_nothing_else():
    years, series, _ = clash_record(2015)
    for coding, (month, _why) in ALTERNATIVE_CLASH_MONTHS.items():
        _, alt, training = clash_record(2015, coding)
        year = int(month[:4])
        changed = np.nonzero(np.asarray(alt) != np.asarray(series))[0]
        assert [years[i] for i in changed] == ([year] if series[years.index(year)] == 0 else [])
        assert year not in training.index or year <= 2015


def test_the_vintage_flag_is_checked_before_any_work():
    from typer.testing import CliRunner

    from peninsula.cli import app

    runner = CliRunner()
    for value, message in (("1999", "--vintage 1999: allowed 2006-2025"),
                           ("soon", "--vintage 'soon': expected a year, train-until or none")):
        res = runner.invoke(app, ["backtest", "--vintage", value, "--skip-rolling", "-q"])
        assert res.exit_code == 2 and message in res.output, res.output
    res = runner.invoke(app, ["backtest", "--rolling", "--vintage", "2015", "-q"])
    assert res.exit_code == 2 and "each origin's training end" in res.output


def test_the_api_resolves_the_vintage_like_the_back_test():
    from peninsula import api

    assert api.backtest_vintage(2015) == 2015 and api.backtest_vintage(2015, None) is None
    with pytest.raises(api.InputError, match="--vintage 2030"):
        api.backtest_vintage(2015, 2030)
