"""`peninsula plot fan` and `plot compare`: the figures' data agree with the summary, and each
figure is written as PNG, SVG and self-contained HTML with its provenance."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

import peninsula.api as api
from peninsula.analysis import registry
from peninsula.cli import app

runner = CliRunner()
SHORT = ["scenario.horizon_months=36"]


@pytest.fixture(scope="module")
def fan():
    return api.fan("baseline", runs=300, seed=4, overrides=SHORT)


def test_fan_data_agrees_with_the_summary(fan):
    ens = api.run(api.scenario_for("baseline", runs=300, seed=4, overrides=SHORT),
                  record_events=False)
    summary = ens.summary()
    for rung, key in (("clash", "p_clash"), ("war", "p_war"), ("nuclear_use", "p_nuclear_use")):
        c = fan["cumulative"][rung]
        assert np.all(np.diff(c["p"]) >= 0)  # cumulative
        assert c["p"][11] == pytest.approx(summary[key]["1"])  # reached within the first year
        assert all(lo <= x <= hi for lo, x, hi in zip(c["low"], c["p"], c["high"], strict=True))
    shares = np.array(list(fan["ladder"].values()))
    assert np.allclose(shares.sum(axis=0), 1.0)  # every run on exactly one rung each month
    launches = fan["yearly"]["dprk_launches_per_year"]["bands"]["0.5"]
    expected = np.median(ens.result.launches_by_year[:, :3].astype(np.float32), axis=0)
    assert launches == pytest.approx(expected.tolist())
    for band in fan["yearly"].values():
        b = band["bands"]
        assert all(b["0.05"][i] <= b["0.5"][i] <= b["0.95"][i] for i in range(3))
    assert fan["years"] == [2026, 2027, 2028] and fan["runs"] == 300 and fan["seed"] == 4


def test_plot_fan_command_writes_three_formats_with_provenance(tmp_path):
    res = runner.invoke(app, ["plot", "fan", "baseline", "--runs", "200", "--seed", "2",
                              "--policy", "dual-track", "--set", SHORT[0],
                              "--out", str(tmp_path / "fan.png")])
    assert res.exit_code == 0, res.output
    for ext in ("png", "svg", "html"):
        assert (tmp_path / f"fan.{ext}").stat().st_size > 10_000
    html = (tmp_path / "fan.html").read_text(encoding="utf-8")
    assert "policy dual-track; 200 runs, seed 2" in html
    assert "<script src=" not in html and "Plotly.newPlot" in html  # library embedded
    svg = (tmp_path / "fan.svg").read_text(encoding="utf-8")
    assert "200 runs, seed 2" in svg or "seed 2" in svg


def test_plot_compare_from_a_compare_result(tmp_path):
    result = api.compare(api.scenario_for("baseline", overrides=SHORT),
                         ["status-quo", "dual-track"], runs=200, seed=5)
    (tmp_path / "c.json").write_text(json.dumps(result), encoding="utf-8")
    res = runner.invoke(app, ["plot", "compare", "--from", str(tmp_path / "c.json"),
                              "--out", str(tmp_path / "cmp")])
    assert res.exit_code == 0, res.output
    for ext in ("png", "svg", "html"):
        assert (tmp_path / f"cmp.{ext}").stat().st_size > 10_000
    assert "200 runs, seed 5" in (tmp_path / "cmp.html").read_text(encoding="utf-8")


def test_plot_refuses_a_file_that_is_not_a_result(tmp_path):
    (tmp_path / "x.json").write_text("{}", encoding="utf-8")
    res = runner.invoke(app, ["plot", "compare", "--from", str(tmp_path / "x.json"),
                              "--out", str(tmp_path / "cmp")])
    assert res.exit_code == 2 and "not a result of 'peninsula compare --json'" in res.output
    res = runner.invoke(app, ["plot", "fan", "--policy", "no-such-policy", "--runs", "10",
                              "--out", str(tmp_path / "f")])
    assert res.exit_code == 2 and "no-such-policy" in res.output


@pytest.mark.slow
def test_plot_sweep_and_discover_from_their_results(tmp_path):
    res = runner.invoke(app, ["sweep", "--grid", "levers.exercise_intensity=0,2", "--grid",
                              "levers.open_communication=0,1", "--runs", "60", "--seed", "3",
                              "--set", SHORT[0], "--out", str(tmp_path / "sw"), "-q"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["plot", "sweep", "--from", str(tmp_path / "sw" / "sweep.csv"),
                              "--x", "levers.exercise_intensity", "--y", "p_clash_1y", "--by",
                              "levers.open_communication", "--out", str(tmp_path / "s")])
    assert res.exit_code == 0, res.output
    html = (tmp_path / "s.html").read_text(encoding="utf-8")
    # the legend and axes in the registry's words (its label of the lever), not code names
    assert f"{registry.label('levers.open_communication', unit=False)} = 1" in html
    assert "60 runs, seed 3 per point" in html
    res = runner.invoke(app, ["plot", "sweep", "--from", str(tmp_path / "sw" / "sweep.csv"),
                              "--x", "levers.exercise_intensity", "--y", "no_metric",
                              "--out", str(tmp_path / "s2")])
    assert res.exit_code == 2 and "no column no_metric" in res.output
    res = runner.invoke(app, ["discover", "--runs", "300", "--seed", "2", "--outcome",
                              "clash within 1 years", "--set", SHORT[0], "--json", "-q"])
    assert res.exit_code == 0, res.output
    (tmp_path / "d.json").write_text(res.stdout, encoding="utf-8")
    res = runner.invoke(app, ["plot", "discover", "--from", str(tmp_path / "d.json"),
                              "--out", str(tmp_path / "d")])
    assert res.exit_code == 0, res.output
    for ext in ("png", "svg", "html"):
        assert (tmp_path / f"d.{ext}").stat().st_size > 10_000


def test_plot_pareto_from_an_optimize_result(tmp_path):
    res = runner.invoke(app, ["optimize", "--lever", "levers.exercise_intensity=0,2",
                              "--lever", "levers.open_communication=0,1", "--objective",
                              "p_clash_1y", "--objective", "dprk_launches_per_year",
                              "--runs", "40", "--generations", "2", "--population", "8",
                              "--set", SHORT[0], "--json", "-q"])
    assert res.exit_code == 0, res.output
    (tmp_path / "p.json").write_text(res.stdout, encoding="utf-8")
    res = runner.invoke(app, ["plot", "pareto", "--from", str(tmp_path / "p.json"),
                              "--out", str(tmp_path / "p")])
    assert res.exit_code == 0, res.output
    html = (tmp_path / "p.html").read_text(encoding="utf-8")
    assert "parcoords" in html and "40 runs per setting" in html
    assert (tmp_path / "p.png").stat().st_size > 10_000


def test_plot_sensitivity_from_a_study_folder(tmp_path):
    res = runner.invoke(app, ["sensitivity", "--method", "morris", "--samples", "2", "--runs",
                              "10", "--metric", "p_war_1y", "--set", SHORT[0], "--out",
                              str(tmp_path / "sens"), "-q"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["plot", "sensitivity", "--from", str(tmp_path / "sens"),
                              "--out", str(tmp_path / "t")])
    assert res.exit_code == 0, res.output
    html = (tmp_path / "t.html").read_text(encoding="utf-8")
    assert "Morris screening" in html and "10 runs per point" in html
    res = runner.invoke(app, ["plot", "sensitivity", "--from", str(tmp_path), "--out",
                              str(tmp_path / "u")])
    assert res.exit_code == 2 and "not a folder written by 'peninsula sensitivity --out'" in \
        res.output
