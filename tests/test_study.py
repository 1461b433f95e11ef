"""A study is data: the [study] table of a scenario declares what sensitivity, sweep and optimize
vary and measure; flags replace its entries; bad entries are named by their key."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import peninsula
from peninsula.analysis import optimize as O
from peninsula.analysis.sensitivity import check_metrics, scenario_factors
from peninsula.analysis.sweep import SweepError, study_design
from peninsula.cli import app
from peninsula.scenario.errors import ScenarioError

runner = CliRunner()
STUDY = """
[scenario]
extends = "baseline"
name = "with-study"
horizon_months = 24

[study]
factors = ["launch_drill_effect", "levers.exercise_intensity=0,2"]
metrics = ["p_war_1y", "dprk_launches_per_year"]
grid = ["levers.open_communication=0,1", "levers.strategic_clarity=0,0.5,1"]
levers = ["levers.open_communication=0,1"]
"""


@pytest.fixture
def study_file(tmp_path):
    path = tmp_path / "study.toml"
    path.write_text(STUDY)
    return path


def test_study_entries_are_used_when_no_flag_is_given(study_file):
    sc = peninsula.load_scenario(str(study_file))
    assert [f.key for f in scenario_factors(sc)] == ["parameters.launch_drill_effect",
                                                     "levers.exercise_intensity"]
    assert check_metrics(sc, None) == ["p_war_1y", "dprk_launches_per_year"]
    table, label = study_design(sc)
    assert label == "study.grid" and len(table) == 6
    assert [lv.key for lv in O.study_levers(sc, None)] == ["levers.open_communication"]
    assert O.study_metric(sc, None) == "p_war_1y"


def test_flags_replace_study_entries(study_file):
    sc = peninsula.load_scenario(str(study_file))
    assert [f.key for f in scenario_factors(sc, ["deterrence_elasticity"])] == [
        "parameters.deterrence_elasticity"]
    assert check_metrics(sc, ["stability_index"]) == ["stability_index"]
    assert len(study_design(sc, ["levers.open_communication=0,0.5,1"])[0]) == 3
    assert O.study_metric(sc, "stability_index") == "stability_index"
    base = peninsula.load_scenario("baseline")  # no [study]: the old defaults
    assert O.study_metric(base, None) == "stability_index"
    assert len(scenario_factors(base)) > 50
    with pytest.raises(SweepError, match=r"--grid.*--design.*\[study\]"):
        study_design(base)


def test_a_design_file_is_found_beside_the_scenario(tmp_path):
    (tmp_path / "points.csv").write_text("levers.exercise_intensity\n0\n1\n2\n")
    path = tmp_path / "s.toml"
    path.write_text('[scenario]\nextends = "baseline"\n[study]\ndesign = "points.csv"\n')
    table, label = study_design(peninsula.load_scenario(str(path)))
    assert list(table["levers.exercise_intensity"]) == [0, 1, 2]
    assert label == str(tmp_path / "points.csv")


@pytest.mark.parametrize("body,where", [
    ("factors = []", "study.factors"),
    ("factors = [1, 2]", "study.factors"),
    ("grid = \"levers.x=1\"", "study.grid"),
    ("design = 3", "study.design"),
    ("runs = 5", "study.runs"),
])
def test_malformed_study_entries_are_named(tmp_path, body, where):
    path = tmp_path / "bad.toml"
    path.write_text(f'[scenario]\nextends = "baseline"\n[study]\n{body}\n')
    with pytest.raises(ScenarioError) as exc:
        peninsula.load_scenario(str(path))
    assert where in str(exc.value)


def test_study_values_are_checked_where_they_are_used(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('[scenario]\nextends = "baseline"\n[study]\n'
                    'factors = ["not_a_parameter"]\nmetrics = ["p_peace_10y"]\n'
                    'levers = ["levers.exercise_intensity=0,9"]\n')
    sc = peninsula.load_scenario(str(path))
    with pytest.raises(ScenarioError, match="study.factors"):
        scenario_factors(sc)
    with pytest.raises(ValueError, match=r"\[study\] metrics.*p_peace_10y"):
        check_metrics(sc, None)
    res = runner.invoke(app, ["optimize", str(path), "--runs", "10", "--metric",
                              "stability_index"])
    assert res.exit_code == 2 and "study.levers" in res.output


def test_commands_run_the_declared_study(study_file):
    res = runner.invoke(app, ["sweep", str(study_file), "--runs", "30", "--json", "-q"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert len(rows) == 6 and {"levers.open_communication", "levers.strategic_clarity"} <= set(
        rows[0])
    res = runner.invoke(app, ["sensitivity", str(study_file), "--method", "morris",
                              "--samples", "4", "--runs", "20", "--json", "-q"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert {r["factor"] for r in rows} == {"parameters.launch_drill_effect",
                                           "levers.exercise_intensity"}
    assert {r["metric"] for r in rows} == {"p_war_1y", "dprk_launches_per_year"}
