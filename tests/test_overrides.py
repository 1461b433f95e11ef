"""What an override means, and how bad scenario input is reported.

A bare number for a parameter (in a file, with ``--set``, in a sweep design, through
``with_parameters``) fixes it in every run; a table ``{ value = ... }`` moves only the mode.
Each bad input found by fuzzing the loader is one clean line naming its source and field.
"""

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

import peninsula
from peninsula.analysis.sensitivity import scenario_factors
from peninsula.analysis.sweep import flat_metrics, point_scenarios, run_sweep
from peninsula.cli import app
from peninsula.scenario.errors import ScenarioError
from peninsula.scenario.parameters import DISTRIBUTIONS

runner = CliRunner()
NAME = "deterrence_elasticity"
SHORT = ["scenario.horizon_months=24", "scenario.seed=5"]


def _sampled(sc, runs: int = 300) -> pd.Series:
    ens = peninsula.run(sc, runs=runs, record_monthly=False, record_events=False)
    return ens.runs_table()[NAME]


# --- A: overrides mean what they say -------------------------------------------------------------


def test_set_number_fixes_the_parameter_in_every_run_and_value_moves_the_mode(tmp_path):
    out = tmp_path / "fixed"
    res = runner.invoke(app, ["run", "--runs", "300", "--seed", "1", "--out", str(out), "-q",
                              "--no-monthly", "--set", f"parameters.{NAME}=0.6"])
    assert res.exit_code == 0, res.output
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 300 and runs[NAME].nunique() == 1 and runs[NAME].iloc[0] == 0.6
    spread = _sampled(peninsula.load_scenario("baseline", [*SHORT, f"parameters.{NAME}.value=0.6",
                                                           "metrics.runs_per_parameter_draw=1"]))
    assert spread.nunique() == 300 and spread.min() < 0.6 < spread.max()


def test_file_bare_number_fixes_and_table_value_moves_the_mode(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('[scenario]\nextends = "baseline"\nname = "s"\nhorizon_months = 24\n'
                    f"[parameters]\n{NAME} = 0.6\nlaunch_drill_effect = {{ value = 0.9 }}\n")
    sc = peninsula.load_scenario(str(path))
    assert sc["parameters"][NAME]["distribution"] == "fixed"
    assert sc["parameters"]["launch_drill_effect"]["distribution"] == "triangular"
    one_each = sc.with_overrides(["metrics.runs_per_parameter_draw=1"])  # a draw per run
    table = peninsula.run(one_each, runs=200, record_monthly=False,
                          record_events=False).runs_table()
    assert table[NAME].nunique() == 1 and table["launch_drill_effect"].nunique() == 200
    # a bare number in a child keeps the parent's range and basis (it no longer replaces them)
    child = tmp_path / "child.toml"
    child.write_text('[scenario]\nextends = "s.toml"\nname = "c"\n'
                     "[parameters]\nlaunch_drill_effect = 0.2\n")
    spec = peninsula.load_scenario(str(child))["parameters"]["launch_drill_effect"]
    assert spec["distribution"] == "fixed" and spec["value"] == 0.2 and spec["range"] == [0, 1.5]


def test_with_parameters_number_fixes_and_table_keeps_the_distribution():
    sc = peninsula.load_scenario("baseline", SHORT)
    fixed = sc.with_parameters(**{NAME: 0.6})
    assert fixed["parameters"][NAME]["distribution"] == "fixed"
    assert _sampled(fixed, 100).nunique() == 1
    mode = sc.with_parameters(**{NAME: {"value": 0.6}})
    assert mode["parameters"][NAME] == {**sc["parameters"][NAME], "value": 0.6}
    assert "FIXES" in peninsula.Scenario.with_parameters.__doc__


def test_sweep_design_column_fixes_the_parameter():
    sc = peninsula.load_scenario("baseline", [*SHORT, "scenario.runs=60"])
    # 0.6 lies in the declared range; 4.5 beyond it (but within the parameter's limits)
    design = pd.DataFrame({f"parameters.{NAME}": [0.6, 4.5]})
    points = point_scenarios(sc, design)
    assert [p["parameters"][NAME]["distribution"] for p in points] == ["fixed", "fixed"]
    table = run_sweep(sc, design)
    for i, value in enumerate((0.6, 4.5)):
        alone = peninsula.run(sc.with_values([(f"parameters.{NAME}", value)]),
                              record_monthly=False, record_events=False)
        assert alone.runs_table()[NAME].nunique() == 1
        for key, metric in flat_metrics(alone.summary()).items():
            assert table.loc[i, key] == metric, (value, key)


def test_sample_parameters_off_and_sensitivity_factors_respect_fixed_parameters():
    fixed = peninsula.load_scenario("baseline", [*SHORT, f"parameters.{NAME}=0.6"])
    mode = peninsula.load_scenario("baseline", [*SHORT, f"parameters.{NAME}.value=0.6"])
    keys = {f.key for f in scenario_factors(fixed)}
    assert f"parameters.{NAME}" not in keys and "parameters.launch_drill_effect" in keys
    assert f"parameters.{NAME}" in {f.key for f in scenario_factors(mode)}
    for sc in (fixed, mode):  # point values: both run at 0.6
        assert set(_sampled(sc.with_settings(sample_parameters=False), 50)) == {0.6}


def test_bundled_scenarios_fix_no_parameter():
    """Scenarios that sample their uncertainties sample every one (the two illustrations of
    docs/faces.md run on point values and fix the parameters they set)."""
    sampled = 0
    for name in peninsula.bundled_names():
        sc = peninsula.load_scenario(name)
        if not sc["scenario"]["sample_parameters"]:
            continue
        sampled += 1
        assert "fixed" not in {p["distribution"] for p in sc["parameters"].values()}, name
    assert sampled >= 4


def test_parameters_command_shows_each_distribution():
    rows = json.loads(runner.invoke(app, ["parameters", "--json"]).output)
    assert all(r["distribution"] in DISTRIBUTIONS for r in rows)
    assert {r["distribution"] for r in rows} >= {"triangular", "uniform", "logtriangular"}
    assert {"name", "value", "unit", "range", "mechanism", "basis", "description"} <= set(rows[0])
    res = runner.invoke(app, ["parameters"])
    assert res.exit_code == 0 and "distribution" in res.output and "triangular" in res.output


# --- B: bad input is one clean line --------------------------------------------------------------

BASE = '[scenario]\nextends = "baseline"\nname = "x"\n'


def _run(path, *extra):
    res = runner.invoke(app, ["run", str(path), "--runs", "5", "-q", *extra])
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output and len(lines) == 1, res.output
    return lines[0]


def test_empty_lever_list_is_rejected(tmp_path):
    (tmp_path / "e.toml").write_text(BASE + "[levers]\nexercise_intensity = []\n")
    line = _run(tmp_path / "e.toml")
    assert line.startswith(f"{tmp_path / 'e.toml'}:5: levers.exercise_intensity: an empty list")


def test_yaml_key_that_is_not_text_is_rejected(tmp_path):
    (tmp_path / "k.yaml").write_text("1: 2\n")
    assert _run(tmp_path / "k.yaml") == (f"{tmp_path / 'k.yaml'}:1: 1: keys must be text, got "
                                         'int 1; quote it ("1") or use a known name')
    (tmp_path / "d.yaml").write_text("scenario: {extends: baseline, name: d}\n"
                                     "levers:\n  sanctions_pressure: {2027-01-01: 0.3}\n")
    assert "levers.sanctions_pressure.2027-01-01: keys must be text, got date" in \
        _run(tmp_path / "d.yaml")


def test_utf8_byte_order_mark_is_accepted(tmp_path):
    text = BASE + "[levers]\nopen_communication = 0.9\n"
    (tmp_path / "plain.toml").write_text(text)
    (tmp_path / "bom.toml").write_bytes(b"\xef\xbb\xbf" + text.encode())
    (tmp_path / "bom.yaml").write_bytes(b"\xef\xbb\xbfscenario: {extends: baseline, name: x}\n"
                                        b"levers: {open_communication: 0.9}\n")
    want = peninsula.load_scenario(str(tmp_path / "plain.toml")).hash()
    assert peninsula.load_scenario(str(tmp_path / "bom.toml")).hash() == want
    assert peninsula.load_scenario(str(tmp_path / "bom.yaml")).hash() == want


def test_file_that_is_not_utf8_is_rejected(tmp_path):
    (tmp_path / "l.toml").write_bytes((BASE + 'description = "café"\n').encode("latin-1"))
    assert _run(tmp_path / "l.toml") == (f"{tmp_path / 'l.toml'}:4: not UTF-8 text (byte 0xe9 "
                                         "cannot be read); save the file as UTF-8")


def test_missing_parent_names_the_child_and_the_parent(tmp_path):
    (tmp_path / "child.toml").write_text('[scenario]\nname = "c"\nextends = "no-parent.toml"\n')
    line = _run(tmp_path / "child.toml")
    assert line.startswith(f"{tmp_path / 'child.toml'}:3: scenario.extends: cannot read the "
                           "parent scenario 'no-parent.toml'")
    assert str(tmp_path / "no-parent.toml") in line and "baseline" in line


def test_extends_cannot_be_set_outside_a_file():
    res = runner.invoke(app, ["run", "--runs", "5", "-q", "--set", "scenario.extends=blocs"])
    assert res.exit_code == 2
    assert res.output.startswith("--set: scenario.extends: 'extends' only works inside a "
                                 "scenario file")
    with pytest.raises(ScenarioError, match="only works inside a scenario file"):
        peninsula.load_scenario("baseline").with_settings(extends="blocs")


def test_lever_list_must_cover_the_horizon_and_names_where_it_came_from(tmp_path):
    months = ", ".join(["1.5"] * 24)
    (tmp_path / "l.toml").write_text(BASE + f"horizon_months = 24\n[levers]\n"
                                     f"exercise_intensity = [{months}]\n")
    sc = peninsula.load_scenario(str(tmp_path / "l.toml"))
    assert sc["levers"]["exercise_intensity"] == [1.5] * 24  # exactly the horizon: fine
    # the horizon grows past the file's list: the file is named, with both lengths
    line = _run(tmp_path / "l.toml", "--set", "scenario.horizon_months=36")
    assert line.startswith(f"{tmp_path / 'l.toml'}:6: levers.exercise_intensity: a list of 24 "
                           "values is shorter than the horizon: one value per month needs 36")
    # a short list given with --set is reported as --set
    line = _run(tmp_path / "l.toml", "--set", "levers.sanctions_pressure=[0.1, 0.2]")
    assert line.startswith("--set: levers.sanctions_pressure: a list of 2 values")
    # and through the API, as the method that gave it
    with pytest.raises(ScenarioError, match="^with_levers: levers.open_communication: a list"):
        sc.with_levers(open_communication=[0.5] * 12)
    # longer lists, numbers and month tables still work
    longer = sc.with_levers(open_communication=[0.5] * 30, flexible_diplomacy=0.4,
                            sanctions_pressure={"2026-06": 0.2})
    assert longer["levers"]["flexible_diplomacy"] == 0.4


def test_lever_error_in_a_file_names_the_file_not_set(tmp_path):
    (tmp_path / "parent.toml").write_text(BASE + "horizon_months = 24\n[levers]\n"
                                          "open_communication = [0.1, 0.2]\n")
    (tmp_path / "child.toml").write_text('[scenario]\nextends = "parent.toml"\nname = "c"\n')
    line = _run(tmp_path / "child.toml", "--set", "levers.exercise_intensity=1.5")
    assert line.startswith(f"{tmp_path / 'parent.toml'}:6: levers.open_communication: a list")
