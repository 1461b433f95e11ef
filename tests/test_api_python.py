"""The Python API speaks Python: native arguments, data frames, a seed wherever randomness
enters, only public names, and the package's own errors with the command line's messages."""

from __future__ import annotations

import types

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from peninsula import api
from peninsula.cli import app

SHORT = ["scenario.horizon_months=12"]  # one year: every study here takes a second or two


@pytest.fixture(scope="module")
def sc():
    return api.scenario_for("baseline", overrides=SHORT)


def test_sweep_takes_a_python_grid_and_returns_a_frame_row_per_point(sc):
    table = api.sweep(sc, grid={"levers.exercise_intensity": [0, 1, 2],
                                "levers.open_communication": [0.0, 1.0]}, runs=60, seed=1)
    assert isinstance(table, pd.DataFrame) and len(table) == 6
    assert {"levers.exercise_intensity", "levers.open_communication", "p_war_1y",
            "p_war_1y_se", "stability_index"} <= set(table.columns)
    assert sorted(set(table["levers.exercise_intensity"])) == [0.0, 1.0, 2.0]
    # the columns keep the JSON's keys; the registry's words for them are at hand
    labels = table.attrs["labels"]
    for key in ("p_war_1y", "levers.exercise_intensity"):
        assert isinstance(labels[key], str) and labels[key] and labels[key] != key
    # the command line's strings give the same design and the same numbers
    same = api.sweep(sc, ["levers.exercise_intensity=0,1,2", "levers.open_communication=0,1"],
                     runs=60, seed=1)
    pd.testing.assert_frame_equal(table, same)
    # NumPy values and a single value are Python values too
    one = api.sweep(sc, grid={"levers.exercise_intensity": np.array([0.5]),
                              "levers.open_communication": 1}, runs=np.int64(60), seed=1)
    assert len(one) == 1 and one["levers.open_communication"].iloc[0] == 1.0


def test_a_bad_lever_in_a_grid_raises_the_package_error_naming_it(sc):
    with pytest.raises(api.ScenarioError) as info:
        api.sweep(sc, grid={"levers.exercise_intensty": [0, 1]}, runs=10)
    (line,) = str(info.value).splitlines()
    assert "levers.exercise_intensty" in line and "did you mean exercise_intensity" in line
    # the command line says the very same line
    res = CliRunner().invoke(app, ["sweep", "--grid", "levers.exercise_intensty=0,1",
                                   "--runs", "10", "--set", SHORT[0]])
    assert res.exit_code == 2 and res.stderr.strip() == line
    with pytest.raises(api.InputError, match=r"^--grid levers.exercise_intensity: no values"):
        api.sweep(sc, grid={"levers.exercise_intensity": []}, runs=10)
    with pytest.raises(api.ScenarioError, match="out of range"):
        api.sweep(sc, grid={"levers.exercise_intensity": [0, 9]}, runs=10)


def test_compare_frame_puts_each_level_beside_its_difference(sc):
    result = api.compare(sc, ["status-quo", "dual-track"], runs=100, seed=1)
    frame = api.compare_frame(result)
    metrics = result["outcomes"]
    assert len(frame) == 2 * len(metrics)
    assert {"policy", "metric", "mean", "p05", "p95", "difference_mean", "difference_p05",
            "difference_p95"} <= set(frame.columns)
    row = frame.set_index(["policy", "metric"]).loc[("dual-track", "p_clash_1y")]
    assert row["mean"] == result["policies"]["dual-track"]["p_clash_1y"]["mean"]
    assert row["difference_mean"] == result["differences"]["dual-track"]["p_clash_1y"]["mean"]
    assert frame[frame["policy"] == "status-quo"]["difference_mean"].isna().all()
    assert frame.attrs["seed"] == 1 and frame.attrs["reference"] == "status-quo"
    assert set(frame.attrs["labels"]) == set(metrics)  # every metric worded by the registry
    # one policy name is a list of one, not of letters; NumPy integers count as runs
    with pytest.raises(api.InputError, match="at least two policies"):
        api.compare(sc, "dual-track", runs=np.int64(10))
    with pytest.raises(api.InputError, match=r"^--runs 1: a paired comparison needs at least 2"):
        api.compare(sc, ["status-quo", "dual-track"], runs=1)


def test_discover_frames_and_inspecting_a_box(sc):
    result = api.discover(sc, "clash within 1 years", runs=300, seed=2)
    trajectory = api.discover_frame(result)
    assert len(trajectory) == len(result["trajectory"]) and trajectory["chosen"].sum() == 1
    assert {"box", "coverage", "density", "mass", "lift", "res_dim"} <= set(trajectory.columns)
    assert trajectory["lift"].iloc[0] == pytest.approx(1.0)
    last = len(trajectory) - 1
    box = api.inspect_box(result, last)
    assert box["index"] == last and box["base_rate"] == result["base_rate"]
    limits = api.box_frame(box)
    assert list(limits["parameter"]) == list(box["limits"])
    assert {"low", "high", "prior_low", "prior_high", "share_removed", "qp_low",
            "qp_high"} <= set(limits.columns)
    assert (limits["prior_low"] <= limits["low"]).all()
    with pytest.raises(api.InputError) as info:
        api.inspect_box(result, last + 1)
    assert str(info.value) == (f"--inspect {last + 1}: no such box; the trajectory's boxes "
                               f"are 0..{last}")


def test_explain_is_seeded_and_has_a_frame(sc):
    first = api.explain_frame(api.explain(sc, runs=40, seed=1))
    again = api.explain_frame(api.explain(sc, runs=40, seed=1))
    other = api.explain_frame(api.explain(sc, runs=40, seed=2))
    pd.testing.assert_frame_equal(first, again)
    assert not first["value"].equals(other["value"])
    assert {"level", "total", "channel", "interaction", "mechanism"} == set(first["kind"])
    assert list(first.columns) == ["kind", "name", "outcome", "value", "interval_90_low",
                                   "interval_90_high"]
    with pytest.raises(api.InputError, match=r"^--runs 0: must be at least 1"):
        api.explain(sc, runs=0)


def test_only_public_names_and_the_package_errors():
    assert set(dir(api)) == set(api.__all__)
    for name in api.__all__:
        assert not isinstance(getattr(api, name), types.ModuleType), name
    assert not {"np", "pd", "sys", "Path"} & set(dir(api))
    for error in ("InputError", "ScenarioError", "SweepError", "ResumeError", "FolderBusy",
                  "PosteriorError", "EventFileError"):
        assert issubclass(getattr(api, error), ValueError), error
    with pytest.raises(api.InputError, match=r"^--runs '5': expected a whole number"):
        api.run("baseline", runs="5")
    with pytest.raises(api.InputError, match=r"^--set 3: expected a name"):
        api.scenario_for("baseline", overrides=[3])
    # a plain ValueError from a layer below leaves the API as the package's own error
    with pytest.raises(api.InputError, match=r"^--method: 'nope' is not one of"):
        api.sensitivity_plan(api.scenario_for("baseline"), method="nope")
