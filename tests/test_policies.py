"""Policies: named lever sets, bundled or from a file, checked like scenarios."""

import json

import pytest
from typer.testing import CliRunner

import peninsula
from peninsula.api import policies, resolve_policies
from peninsula.cli import app
from peninsula.model.levers import ACTIVITY_LEVERS, REFERENCE_LEVERS
from peninsula.scenario.errors import ScenarioError

runner = CliRunner()
STRATEGIES = ("open_communication", "flexible_diplomacy", "multilateral_engagement",
              "strategic_clarity")


def test_bundled_presets_exist_and_status_quo_is_todays_posture():
    found = policies()
    for name in ("status-quo", "max-deterrence", "restraint", "dual-track",
                 *(s.replace("_", "-") for s in STRATEGIES)):
        assert name in found and found[name].description, name
    baseline = peninsula.load_scenario("baseline")["levers"]
    for lever, value in found["status-quo"].levers.items():
        assert value == baseline[lever] == REFERENCE_LEVERS[lever], lever
    assert set(found["status-quo"].levers) == {*ACTIVITY_LEVERS, *STRATEGIES}


def test_dual_track_is_deterrence_plus_every_strategy_and_each_strategy_alone():
    found = policies()
    quo, dual = found["status-quo"].levers, found["dual-track"].levers
    for lever in ACTIVITY_LEVERS:
        assert dual[lever] == quo[lever]
    for s in STRATEGIES:
        assert dual[s] > quo[s]
        alone = found[s.replace("_", "-")].levers
        assert alone[s] == dual[s]
        assert {k: v for k, v in alone.items() if k != s} == \
            {k: v for k, v in quo.items() if k != s}
    deter, restraint = found["max-deterrence"].levers, found["restraint"].levers
    assert all(deter[lv] >= quo[lv] >= restraint[lv] for lv in ACTIVITY_LEVERS)


def test_policy_file_works_like_the_bundled_ones(tmp_path):
    f = tmp_path / "mine.toml"
    f.write_text('[hotline]\nextends = "status-quo"\ndescription = "a hotline"\n'
                 'open_communication = 0.9\n\n[quiet]\ndescription = "no drills"\n'
                 'exercise_intensity = 0.0\n')
    chosen = resolve_policies(["status-quo", str(f)])
    assert [p.name for p in chosen] == ["status-quo", "hotline", "quiet"]
    assert chosen[1].levers["open_communication"] == 0.9
    assert chosen[1].levers["exercise_intensity"] == 1.2  # from status-quo
    assert chosen[2].levers == {"exercise_intensity": 0.0}


def test_a_bad_policy_file_names_file_policy_lever_and_allowed_range(tmp_path):
    f = tmp_path / "bad.toml"
    f.write_text('[loud]\ndescription = "too much"\nexercise_intensity = 3.5\n'
                 'open_comunication = 1.0\n')
    with pytest.raises(ScenarioError) as exc:
        policies(f)
    text = str(exc.value)
    assert f"{f}: loud.exercise_intensity: 3.5 is out of range: allowed float in [0, 2]" in text
    assert "loud.open_comunication: unknown lever" in text
    res = runner.invoke(app, ["compare", "--policy", "status-quo", "--policy", str(f),
                              "--runs", "10", "-q"])
    assert res.exit_code == 2 and "loud.exercise_intensity" in res.output
    assert "Traceback" not in res.output
    res = runner.invoke(app, ["compare", "--policy", "status-quo", "--policy", "nonesuch",
                              "--runs", "10", "-q"])
    assert res.exit_code == 2 and "not a bundled policy" in res.output


def test_policies_command_lists_them():
    res = runner.invoke(app, ["policies", "--json"])
    assert res.exit_code == 0, res.output
    listed = json.loads(res.stdout)
    assert listed["dual-track"]["levers"]["strategic_clarity"] == 1.0
    res = runner.invoke(app, ["policies"])
    assert res.exit_code == 0 and "max-deterrence" in res.output
