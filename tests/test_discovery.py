"""Scenario discovery: PRIM finds a planted box, outcomes parse as documented, the command's
JSON contract."""

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from peninsula.analysis.discovery import (
    box_warnings,
    cart_leaves,
    describe,
    inspect_box,
    parse_outcome,
    prim,
)
from peninsula.cli import app

runner = CliRunner()
NAMES = ["p_clash_1y", "p_war_1y", "p_war_10y", "p_nuclear_use_10y", "stability_index"]


def planted(n: int = 3000, seed: int = 7) -> tuple[pd.DataFrame, np.ndarray]:
    """Ten uniform parameters; the outcome is true exactly where x1 > 0.7 and x2 < 0.3, with 2%
    of the labels flipped at random (noise)."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.uniform(size=(n, 10)), columns=[f"x{i}" for i in range(10)])
    y = ((x.x1 > 0.7) & (x.x2 < 0.3)).to_numpy() ^ (rng.uniform(size=n) < 0.02)
    return x, y


@pytest.mark.slow
def test_prim_recovers_a_planted_box_and_only_its_two_limits():
    x, y = planted()
    found = prim(x, y)
    assert found.base_rate == pytest.approx(0.09 * 0.98 + 0.91 * 0.02, abs=0.02)
    box = found.box
    assert set(box["limits"]) == {"x1", "x2"}  # the other eight limits are not significant
    assert box["limits"]["x1"][0] == pytest.approx(0.7, abs=0.05)
    assert box["limits"]["x2"][1] == pytest.approx(0.3, abs=0.05)
    assert box["limits"]["x1"][1] > 0.95 and box["limits"]["x2"][0] < 0.05  # open sides
    assert box["density"] > 0.9 and box["coverage"] >= 0.5
    # the planted side is significant; the open side is unrestricted or not significant
    assert box["qp"]["x1"][0] < 1e-6 and box["qp"]["x2"][1] < 1e-6
    assert box["qp"]["x1"][1] is None or box["qp"]["x1"][1] > 0.05
    # the trade-off curve starts at the whole space and trades coverage for density
    first, last = found.trajectory[0], found.trajectory[-1]
    assert {k: first[k] for k in ("coverage", "density", "mass", "res_dim", "lift")} == \
        {"coverage": 1.0, "density": found.base_rate, "mass": 1.0, "res_dim": 0, "lift": 1.0}
    assert last["density"] > first["density"] and last["coverage"] < 1.0
    # a finding: dense (lift well above 2) and narrow (each limit removes most of its range)
    assert box["lift"] == pytest.approx(box["density"] / found.base_rate)
    assert box["lift"] > 2 and found.warnings == []
    assert box["share_removed"]["x1"] == pytest.approx(0.7, abs=0.05)
    assert box["share_removed"]["x2"] == pytest.approx(0.7, abs=0.05)
    assert set(box["prior_ranges"]) == {"x1", "x2"}


def test_prim_says_when_it_found_nothing_useful():
    """The outcome is independent of the parameters: no box is a finding, and PRIM says so
    for the chosen box and for the densest box its trajectory reaches at half coverage."""
    rng = np.random.default_rng(11)
    x = pd.DataFrame(rng.uniform(size=(2000, 10)), columns=[f"x{i}" for i in range(10)])
    y = rng.uniform(size=2000) < 0.1
    found = prim(x, y)
    assert found.box["lift"] < 2 and found.warnings
    assert any("lift" in w and "below 2" in w for w in found.warnings)
    peeled = inspect_box(found.trajectory, found.box["trajectory_index"])
    assert peeled["limits"] and peeled["lift"] < 2
    assert any("lift is" in w and "not a useful finding" in w for w in peeled["warnings"])
    with pytest.raises(ValueError, match=r"--inspect 999: no such box; the trajectory's "
                                         rf"boxes are 0\.\.{len(found.trajectory) - 1}"):
        inspect_box(found.trajectory, 999)


def test_a_limit_removing_little_of_its_prior_range_is_flagged():
    """The share removed is measured against the prior range given, on restricted sides only."""
    box = describe({"a": [0.1, 1.0], "b": [0.0, 0.5]}, {"a": [1e-9, None], "b": [None, 1e-9]},
                   coverage=0.6, density=0.6, mass=0.1, base_rate=0.1,
                   prior={"a": (0.0, 1.0), "b": (0.0, 1.0)})
    assert box["share_removed"] == {"a": pytest.approx(0.1), "b": pytest.approx(0.5)}
    assert box["lift"] == pytest.approx(6.0) and box["res_dim"] == 2
    (warning,) = box_warnings(box)
    assert "limit on a" in warning and "10% of its prior range (0 to 1)" in warning


def test_cart_leaf_of_the_outcome_is_the_planted_box():
    x, y = planted()
    leaf = cart_leaves(x, y)[0]
    assert leaf["density"] > 0.9
    assert leaf["limits"]["x1"][0] == pytest.approx(0.7, abs=0.05)
    assert leaf["limits"]["x2"][1] == pytest.approx(0.3, abs=0.05)


def test_outcomes_parse_to_metrics_and_bad_ones_say_what_is_allowed():
    assert parse_outcome("war within 10 years", None, NAMES).metric == "p_war_10y"
    assert parse_outcome("Nuclear use within 10 years", None, NAMES).metric == \
        "p_nuclear_use_10y"
    assert parse_outcome("p_clash_1y", None, NAMES).metric == "p_clash_1y"
    o = parse_outcome("stability_index below 55", None, NAMES)
    assert (o.metric, o.threshold, o.below) == ("stability_index", 55.0, True)
    o = parse_outcome("dprk_launches_per_year", 30.0, NAMES)
    assert (o.metric, o.threshold, o.below) == ("dprk_launches_per_year", 30.0, False)
    with pytest.raises(ValueError, match="horizons are 1, 10 years"):
        parse_outcome("war within 7 years", None, NAMES)
    with pytest.raises(ValueError, match="needs --threshold"):
        parse_outcome("dprk_launches_per_year", None, NAMES)
    with pytest.raises(ValueError, match="give '<clash|war|nuclear use> within <N> years'"):
        parse_outcome("peace in our time", None, NAMES)
    with pytest.raises(ValueError, match="no run, or every run|runs have the outcome"):
        prim(*planted(200)[:1], np.zeros(200, dtype=bool))


def test_discover_command_json_contract_and_policy():
    args = ["discover", "baseline", "--outcome", "dprk_launches_per_year", "--threshold",
            "20", "--runs", "400", "--seed", "3", "--json", "-q", "--cart", "--set",
            "scenario.horizon_months=24", "--policy", "levers.open_communication=1"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    for key in ("base_rate", "box", "trajectory", "cart", "policy", "outcome"):
        assert key in d, key
    for key in ("limits", "coverage", "density", "mass"):
        assert key in d["box"], key
    assert 0.0 < d["base_rate"] < 1.0 and d["runs"] == 400
    assert d["policy"] == ["levers.open_communication=1"]
    assert all(len(v) == 2 and v[0] <= v[1] for v in d["box"]["limits"].values())
    assert d["trajectory"][0]["coverage"] == 1.0
    box = d["box"]
    assert box["lift"] == pytest.approx(box["density"] / d["base_rate"])
    assert set(box["prior_ranges"]) == set(box["share_removed"]) == set(box["limits"])
    assert isinstance(d["warnings"], list) and all(isinstance(w, str) for w in d["warnings"])
    for step in d["trajectory"]:
        assert {"coverage", "density", "lift", "res_dim", "limits"} <= set(step)
    for bad, says in [(["--outcome", "peace"], "--outcome 'peace'"),
                      (["--policy", "levers.open_communication=7"], "open_communication")]:
        res = runner.invoke(app, ["discover", "--runs", "50", "-q", *bad])
        assert res.exit_code == 2 and says in res.output, res.output


def test_discover_takes_a_named_policy():
    from peninsula.analysis.discovery import apply_policy
    from peninsula.scenario.loader import load_scenario

    sc = apply_policy(load_scenario("baseline"), ["dual-track"])
    assert sc["levers"]["open_communication"] == 1.0  # dual-track sets all four strategies
    sc = apply_policy(load_scenario("baseline"), ["dual-track", "levers.open_communication=0"])
    assert sc["levers"]["open_communication"] == 0.0  # applied in order


def test_discover_looks_only_at_the_factors_given(tmp_path):
    import json

    from typer.testing import CliRunner

    from peninsula.cli import app

    runner = CliRunner()
    res = runner.invoke(app, ["discover", "--outcome", "clash within 5 years", "--runs", "300",
                              "--seed", "2", "--factor", "deterrence_elasticity", "--factor",
                              "tension_goldstein_scale", "--json", "-q"])
    assert res.exit_code == 0, res.output
    r = json.loads(res.stdout)
    assert r["factors"] == ["deterrence_elasticity", "tension_goldstein_scale"]
    assert set(r["box"]["limits"]) <= set(r["factors"])
    res = runner.invoke(app, ["discover", "--runs", "50", "--factor", "no_such_parameter"])
    assert res.exit_code == 2 and "no_such_parameter is not a parameter this scenario" in \
        res.output


def test_discover_inspects_any_box_of_the_trajectory():
    args = ["discover", "--outcome", "clash within 1 years", "--runs", "300", "--seed", "2",
            "--set", "scenario.horizon_months=12", "-q"]
    res = runner.invoke(app, [*args, "--json"])
    assert res.exit_code == 0, res.output
    n = len(json.loads(res.stdout)["trajectory"])
    res = runner.invoke(app, [*args, "--inspect", str(n - 1), "--json"])
    assert res.exit_code == 0, res.output
    box = json.loads(res.stdout)
    assert box["index"] == n - 1 and {"lift", "limits", "prior_ranges", "share_removed",
                                      "coverage", "density", "mass", "warnings"} <= set(box)
    res = runner.invoke(app, [*args, "--inspect", "1"])
    assert res.exit_code == 0 and "Box 1 of" in res.stdout and "lift" in res.stdout
    for bad, says in ((str(n), f"--inspect {n}: no such box; the trajectory's boxes are "
                               f"0..{n - 1}"),
                      ("-1", "--inspect -1: no such box")):
        res = runner.invoke(app, [*args, "--inspect", bad])
        assert res.exit_code == 2, res.output
        (line,) = res.stderr.strip().splitlines()
        assert line.startswith(says), line
