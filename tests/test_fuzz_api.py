"""The fuzz corpus's cases as the Python API meets them: each bad input raises one error (a
ScenarioError with one problem, or a ValueError) naming the file or field, never a traceback
from deep inside nor a silent wrong answer."""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from peninsula.analysis.arms_fit import fit_arms_race
from peninsula.io.events import ingest
from peninsula.scenario.errors import ScenarioError, did_you_mean, first_few
from peninsula.scenario.loader import MAX_EXTENDS_DEPTH, load_scenario


def _one_problem(exc: ScenarioError) -> str:
    (problem,) = exc.problems
    return str(problem)


def test_a_yaml_key_given_twice_is_refused_naming_file_key_and_lines(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("scenario:\n  extends: baseline\nlevers:\n  exercise_intensity: 1\n"
                    "levers:\n  exercise_intensity: 2\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert _one_problem(info.value) == (f"{path}:5: levers: given twice (first on line 3); "
                                        "give each key once")


def test_yaml_anchors_and_repeated_names_in_different_tables_still_load(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("scenario:\n  extends: baseline\n  name: a\nstate: {}\n"
                    "levers:\n  exercise_intensity: &x 1.5\n  intelligence_sharing: 0.5\n"
                    "metrics:\n  stability_weights: {}\n")
    sc = load_scenario(path)
    assert sc["levers"]["exercise_intensity"] == 1.5 and sc.name == "a"


def test_a_long_extends_chain_stops_at_the_depth_limit(tmp_path):
    n = MAX_EXTENDS_DEPTH + 5
    for i in range(n):
        parent = f"s{i + 1}.toml" if i < n - 1 else "baseline"
        (tmp_path / f"s{i}.toml").write_text(f'[scenario]\nextends = "{parent}"\n')
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "s0.toml")
    assert f"deeper than {MAX_EXTENDS_DEPTH} files" in _one_problem(info.value)
    (tmp_path / f"s{MAX_EXTENDS_DEPTH - 2}.toml").write_text(
        '[scenario]\nextends = "baseline"\n')  # a chain of 31 files plus baseline loads
    assert load_scenario(tmp_path / "s0.toml").name == "baseline"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "ff")
    (tmp_path / "c.toml").write_text('[scenario]\nextends = "ff"\n')
    for ref in (tmp_path / "ff", tmp_path / "c.toml"):
        with pytest.raises(ScenarioError) as info:
            load_scenario(ref)
        assert "is a FIFO, not a regular file" in _one_problem(info.value)


def test_a_device_and_a_huge_file_are_refused(tmp_path):
    if Path("/dev/zero").exists():
        with pytest.raises(ScenarioError, match="is a device, not a regular file"):
            load_scenario("/dev/zero")
    big = tmp_path / "big.toml"
    big.write_text("#" * (2 << 20))
    with pytest.raises(ScenarioError, match="too large to be a scenario"):
        load_scenario(big)


def test_an_empty_file_is_one_problem(tmp_path):
    for name in ("e.toml", "e.yaml"):
        (tmp_path / name).write_text("# nothing yet\n")
        with pytest.raises(ScenarioError) as info:
            load_scenario(tmp_path / name)
        assert "empty scenario file" in _one_problem(info.value)


def test_horizons_beyond_the_run_are_refused_when_given():
    with pytest.raises(ScenarioError) as info:
        load_scenario("baseline", ["scenario.horizon_months=24", "metrics.horizons_years=[1, 5]"])
    text = _one_problem(info.value)
    assert "metrics.horizons_years" in text and "allowed 1..2" in text
    # the default horizons adapt: a short run is still fine, by file, --set or with_*
    sc = load_scenario("baseline", ["scenario.horizon_months=12"])
    assert sc.horizon_months == 12
    assert load_scenario("baseline").with_settings(horizon_months=12).horizon_months == 12


def test_a_long_bad_lever_list_is_one_line():
    with pytest.raises(ScenarioError) as info:
        load_scenario("baseline", [f"levers.exercise_intensity=[{','.join(['9'] * 1200)}]"])
    text = _one_problem(info.value)
    assert "1,200 of 1,200 values" in text and "and 1,195 more" in text


def test_suggestions():
    assert did_you_mean("basline", ["baseline", "blocs"]) == " did you mean baseline?"
    assert did_you_mean("zzz", ["baseline"]) == ""
    assert first_few([str(i) for i in range(8)], 3) == "0, 1, 2 and 5 more"
    with pytest.raises(ScenarioError, match="did you mean levers.exercise_intensity"):
        load_scenario("baseline", ["exercise_intensity=2"])
    with pytest.raises(ScenarioError, match="did you mean baseline"):
        load_scenario("basline")


def test_arms_fit_names_the_series_holding_infinity():
    x = np.array([1.0, 2.0, 4.0, 7.0, 11.0])
    y = np.array([2.0, math.inf, 5.0, 8.0, 12.0])
    with pytest.raises(ValueError, match="series y holds a non-finite value .* position 2"):
        fit_arms_race(x, y)


def test_ingest_counts_an_event_given_twice_once(tmp_path):
    row = [""] * 61
    row[0], row[1], row[7], row[17], row[26], row[30], row[31] = \
        "42", "20230315", "PRK", "USA", "130", "1.0", "1"
    path = tmp_path / "a.export.CSV"
    path.write_text("\t".join(row) + "\n")
    dyads, rep = ingest([path, path])
    assert rep.rows_read == 2 and rep.rows_used == 1
    assert rep.as_dict(len(dyads))["rows_duplicate"] == 1
    assert int(pd.DataFrame(dyads)["events"].sum()) == 1


def test_a_short_run_shown_in_full_loads_back(tmp_path):
    """The complete file of a 12-month run repeats the default horizons [1, 5, 10]: they are
    cut to the run, not refused."""
    sc = load_scenario("baseline", ["scenario.horizon_months=12"])
    path = tmp_path / "short.toml"
    path.write_text(sc.to_toml())
    assert load_scenario(path).hash() == sc.hash()


# --- the Python API's arguments: one error of the package, one line, before any run ----------

def _short():
    from peninsula import api

    return api.scenario_for("baseline", overrides=["scenario.horizon_months=12"])


API_CASES = {
    "compare of one run": (lambda api, sc: api.compare(sc, ["status-quo", "dual-track"],
                                                       runs=1),
                           "--runs 1: a paired comparison needs at least 2 runs"),
    "explain of no run": (lambda api, sc: api.explain(sc, runs=0), "--runs 0: must be at least 1"),
    "a number for a scenario": (lambda api, sc: api.run(123, runs=5),
                                "scenario: expected a Scenario, a bundled name or a file"),
    "a number for policies": (lambda api, sc: api.compare(sc, 5, runs=5),
                              "--policy: expected a name or a list of names, got 5"),
    "one policy as a string": (lambda api, sc: api.compare(sc, "dual-track", runs=5),
                               "--policy: give at least two policies"),
    "a number for an outcome": (lambda api, sc: api.discover(sc, 5, runs=50),
                                "--outcome 5: expected text"),
    "text for a threshold": (lambda api, sc: api.discover(sc, "dprk_launches_per_year",
                                                          threshold="x", runs=50),
                             "--threshold 'x': expected a number"),
    "a float for runs": (lambda api, sc: api.run(sc, runs=5.5), "--runs 5.5: expected a whole"),
    "a list for the fan's policy": (lambda api, sc: api.fan(sc, ["status-quo"], runs=5),
                                    "--policy ['status-quo']: expected one policy's name"),
    "a list for the counterfactual": (lambda api, sc: api.explain(sc, runs=5, against=[1]),
                                      "against: expected a dict of levers and values"),
    "a number for a grid": (lambda api, sc: api.sweep(sc, grid=5, runs=5),
                            "--grid: expected a dict {KEY: [V1, V2, ...]}"),
}


@pytest.mark.parametrize("case", list(API_CASES))
def test_the_api_refuses_a_bad_argument_in_one_line(case):
    from peninsula import api

    call, says = API_CASES[case]
    with pytest.raises(api.InputError) as info:
        call(api, _short())
    (line,) = str(info.value).splitlines()
    assert line.startswith(says), line


def test_the_api_takes_numpy_integers_and_a_single_name_for_a_list():
    from peninsula import api

    sc = _short()
    assert api.run(sc, runs=np.int64(5), seed=np.int32(3)).n_runs == 5
    factors, _, _ = api.sensitivity_plan(sc, factors="deterrence_elasticity", method="morris")
    assert [f.key for f in factors] == ["parameters.deterrence_elasticity"]
    assert api.scenario_for(sc, overrides="levers.exercise_intensity=1")["levers"][
        "exercise_intensity"] == 1.0
