"""Scenario files: bundled scenarios, show/copy round trip, overrides, and every bad-input case."""

import json
import tomllib

import pytest
from typer.testing import CliRunner

import peninsula
from peninsula.cli import app
from peninsula.scenario.errors import ScenarioError

runner = CliRunner()
BUNDLED = ["baseline", "blocs", "crisis-2017", "detente-2018", "deterrence-dominates",
            "spiral-dominates"]


def test_bundled_scenarios_listed_and_loadable():
    assert peninsula.bundled_names() == BUNDLED
    res = runner.invoke(app, ["scenarios"])
    assert res.exit_code == 0
    for name in BUNDLED:
        assert name in res.output


def test_show_prints_a_complete_file_that_loads_to_the_same_scenario(tmp_path):
    res = runner.invoke(app, ["scenario", "show", "crisis-2017"])
    assert res.exit_code == 0
    doc = tomllib.loads(res.output)
    assert set(doc["actors"]) == {"USA", "ROK", "JPN", "PRK", "CHN", "RUS"}
    assert len(doc["parameters"]) > 60 and "launch_drill_effect" in doc["parameters"]
    for spec in doc["parameters"].values():
        assert {"value", "unit", "range", "basis"} <= set(spec)
    copy = tmp_path / "copy.toml"
    copy.write_text(res.output)
    again = peninsula.load_scenario(str(copy))
    assert again.hash() == peninsula.load_scenario("crisis-2017").hash()


def test_set_overrides_any_field_and_yaml_is_accepted(tmp_path):
    sc = peninsula.load_scenario("baseline", ["levers.exercise_intensity=2",
                                              "parameters.launch_drill_effect=0.9",
                                              "actors.CHN.defence_growth_pct_per_year=7.5",
                                              "levers.exercise_months=[3, 4]"])
    assert sc["levers"]["exercise_intensity"] == 2
    assert sc["levers"]["exercise_months"] == [3, 4]
    assert sc["parameters"]["launch_drill_effect"]["value"] == 0.9
    assert sc["actors"]["CHN"]["defence_growth_pct_per_year"] == 7.5
    y = tmp_path / "s.yaml"
    y.write_text("scenario:\n  extends: baseline\n  name: y\nlevers:\n  sanctions_pressure: 0.2\n")
    assert peninsula.load_scenario(str(y))["levers"]["sanctions_pressure"] == 0.2


def test_lever_schedule_is_resolved_by_month():
    from peninsula.model.setup import build_setup

    sc = peninsula.load_scenario("baseline", ['levers.sanctions_pressure={"2027-01" = 0.1}'])
    plan = build_setup(sc).plan
    assert plan["sanctions_pressure"][11] == pytest.approx(0.7)  # registry default before
    assert plan["sanctions_pressure"][12] == pytest.approx(0.1)
    assert plan.drill[2] == pytest.approx(1.2) and plan.drill[0] == 0.0  # March drills


def _bad(tmp_path, text, name="bad.toml", extra=()):
    path = tmp_path / name
    path.write_text(text)
    out = tmp_path / "out"
    res = runner.invoke(app, ["run", str(path), "--runs", "10", "--out", str(out), "-q", *extra])
    return res, out


BASE = '[scenario]\nextends = "baseline"\nname = "x"\n'


@pytest.mark.parametrize("body, key, needle", [
    ("[levers]\nexercise_intensty = 1\n", "levers.exercise_intensty", "unknown key"),
    ("[levers]\nexercise_intensity = \"high\"\n", "levers.exercise_intensity", "float in [0, 2]"),
    ("[levers]\nexercise_intensity = 3.5\n", "levers.exercise_intensity", "out of range"),
    ("[levers]\nexercise_months = [3, 13]\n", "levers.exercise_months", "1..12"),
    ("[scenario]\nstart = \"2026-13\"\n", "scenario.start", "YYYY-MM"),
    ("[parameters.launch_drill_effect]\nvalue = -1\n", "parameters.launch_drill_effect.value",
     "out of range"),
    ("[parameters.no_such_thing]\nvalue = 1\n", "parameters.no_such_thing", "unknown parameter"),
    ("[actors.XYZ]\ngdp_usd_bn = 1\n", "actors.XYZ", "unknown actor"),
    ("[actors.PRK.trust]\nUSA = 1.5\n", "actors.PRK.trust.USA", "out of range"),
    ("[state]\nescalation_level = \"meltdown\"\n", "state.escalation_level", "unknown level"),
])
def test_bad_values_name_file_key_and_range(tmp_path, body, key, needle):
    text = BASE + body if not body.startswith("[scenario]") else (
        '[scenario]\nextends = "baseline"\nname = "x"\n' + body.split("\n", 1)[1])
    res, out = _bad(tmp_path, text)
    assert res.exit_code == 2
    assert "Traceback" not in res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1, res.output
    assert "bad.toml" in lines[0] and key in lines[0] and needle in lines[0]
    assert not out.exists()


def test_line_numbers_and_several_problems_at_once(tmp_path):
    text = BASE + "[levers]\nexercise_intensity = 9\nsanctions_pressure = -1\n"
    res, _ = _bad(tmp_path, text)
    assert res.exit_code == 2
    lines = res.output.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{tmp_path / 'bad.toml'}:5: levers.exercise_intensity")
    assert lines[1].startswith(f"{tmp_path / 'bad.toml'}:6: levers.sanctions_pressure")


def test_missing_actor_is_reported(tmp_path):
    res, out = _bad(tmp_path, '[scenario]\nname = "x"\nstart = "2026-01"\n'
                    "[actors.USA]\ndefence_spending_usd_bn = 1\ngdp_usd_bn = 2\n")
    assert res.exit_code == 2
    for actor in ("ROK", "JPN", "PRK", "CHN", "RUS"):
        assert f"actors.{actor}: missing actor" in res.output
    assert not out.exists()


def test_unreadable_file_and_syntax_errors(tmp_path):
    res = runner.invoke(app, ["run", str(tmp_path / "nope.toml"), "-q"])
    assert res.exit_code == 2 and "cannot read scenario file" in res.output
    assert "Traceback" not in res.output
    res, _ = _bad(tmp_path, "[scenario\nname = 1\n")
    assert res.exit_code == 2 and "bad.toml:1: not valid TOML" in res.output
    res, _ = _bad(tmp_path, "scenario:\n  name: [unclosed\n", name="bad.yaml")
    assert res.exit_code == 2 and "not valid YAML" in res.output and "bad.yaml:" in res.output


def test_bad_set_override_and_value_outside_given_range(tmp_path):
    res = runner.invoke(app, ["run", "--set", "levers.open_communication=2", "-q"])
    assert res.exit_code == 2
    assert "--set: levers.open_communication: 2 is out of range" in res.output
    res = runner.invoke(app, ["run", "--set", "parameters.launch_drill_effect.range=[0.0, 0.2]",
                              "--set", "parameters.launch_drill_effect.value=0.5", "-q"])
    assert res.exit_code == 2 and "outside its range [0, 0.2]" in res.output
    # a bare number fixes the parameter: its range is not used, so it is not checked
    fixed = peninsula.load_scenario("baseline", ["parameters.launch_drill_effect.range=[0.0, 0.2]",
                                                 "parameters.launch_drill_effect=0.5"])
    assert fixed["parameters"]["launch_drill_effect"]["distribution"] == "fixed"


def test_scenario_error_is_a_value_error_with_problems():
    with pytest.raises(ScenarioError) as info:
        peninsula.load_scenario("baseline", ["levers.summit_frequency_per_year=20"])
    assert info.value.problems[0].key == "levers.summit_frequency_per_year"
    assert "[0, 12]" in str(info.value)


def test_parameters_command_lists_units_ranges_and_basis():
    res = runner.invoke(app, ["parameters", "--json"])
    rows = json.loads(res.output)
    assert len(rows) > 60
    for row in rows:
        assert row["unit"] and row["basis"] and row["range"][0] <= row["value"] <= row["range"][1]
    drill = next(r for r in rows if r["name"] == "launch_drill_effect")
    assert drill["range"][0] == 0.0  # the empirical studies disagree: the range includes zero
