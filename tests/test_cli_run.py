"""`peninsula run`: JSON summary contract, result files, DuckDB, manifest, explain, scenarios."""

import json
import re

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import ROOT
from peninsula import api
from peninsula.cli import app

runner = CliRunner()
KEYS = {"p_clash", "p_war", "p_nuclear_use", "dprk_launches_per_year", "alignment_china_russia",
        "denuclearization_progress", "gdp_loss_pct", "stability_index", "runs", "seed"}


def run_json(*args):
    res = runner.invoke(app, ["run", *args, "--json", "-q"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_json_summary_has_the_contract_keys_and_valid_ranges():
    s = run_json("--runs", "300", "--seed", "4")
    assert set(s) >= KEYS
    assert s["runs"] == 300 and s["seed"] == 4
    for key in ("p_clash", "p_war", "p_nuclear_use"):
        assert set(s[key]) == {"1", "5", "10"}
        vals = [s[key][h] for h in ("1", "5", "10")]
        assert all(0.0 <= v <= 1.0 for v in vals) and vals == sorted(vals)
        for h in ("1", "5", "10"):
            lo, hi = s["intervals_90"][key][h]
            assert lo <= s[key][h] <= hi
    assert s["p_clash"]["10"] >= s["p_war"]["10"] >= s["p_nuclear_use"]["10"]
    assert 0 <= s["stability_index"]["p05"] <= s["stability_index"]["mean"] <= 100
    assert 0 <= s["alignment_china_russia"]["mean"] <= 1
    assert 0 <= s["denuclearization_progress"]["mean"] <= 1
    assert s["dprk_launches_per_year"]["mean"] > 0


@pytest.mark.parametrize("name", ["baseline", "crisis-2017", "detente-2018", "blocs"])
def test_every_bundled_scenario_runs(name):
    s = run_json(name, "--runs", "200", "--seed", "1")
    assert s["scenario"] == name and set(s) >= KEYS


def test_bundled_scenarios_differ_as_history_says():
    crisis = run_json("crisis-2017", "--runs", "1000", "--seed", "2")
    detente = run_json("detente-2018", "--runs", "1000", "--seed", "2")
    blocs = run_json("blocs", "--runs", "1000", "--seed", "2")
    base = run_json("baseline", "--runs", "1000", "--seed", "2")
    assert (detente["by_horizon"]["1"]["dprk_launches_per_year"]["mean"]
            < 0.5 * crisis["by_horizon"]["1"]["dprk_launches_per_year"]["mean"])
    assert detente["p_war"]["10"] < crisis["p_war"]["10"]
    assert blocs["alignment_china_russia"]["mean"] > base["alignment_china_russia"]["mean"]
    assert blocs["polarization"]["mean"] > base["polarization"]["mean"]


def test_out_dir_files_duckdb_and_manifest(tmp_path):
    out = tmp_path / "res"
    res = runner.invoke(app, ["run", "--runs", "50", "--seed", "3", "--out", str(out), "-q",
                              "--set", "scenario.horizon_months=24", "--monthly", "--events"])
    assert res.exit_code == 0, res.output
    for f in ("runs.parquet", "monthly.parquet", "events.parquet", "summary.json",
              "manifest.json", "scenario.toml"):
        assert (out / f).is_file()
    assert not list(out.glob(".*tmp"))  # no temporary files left behind
    con = duckdb.connect()
    n = con.execute(f"select count(*) from '{out}/monthly.parquet'").fetchone()[0]
    assert n == 50 * 24
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 50 and "launch_drill_effect" in runs.columns
    ev = con.execute(f"select event_type, cameo_root, goldstein, sum(count) from "
                     f"'{out}/events.parquet' group by all order by 1").fetchall()
    by_type = {row[0]: row for row in ev}
    assert by_type["missile_launch"][1:3] == ("15", -7.2)
    assert by_type["rhetoric"][1:3] == ("13", -6.0)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 3 and len(manifest["scenario_sha256"]) == 64
    assert manifest["command"].startswith("peninsula run")
    summary = json.loads((out / "summary.json").read_text())
    assert summary["runs"] == 50 and summary["p_war"]["5"] is None  # horizon 2 years only


def test_terminal_table_shows_the_horizons():
    res = runner.invoke(app, ["run", "--runs", "100", "-q"])
    assert res.exit_code == 0
    for text in ("P(armed clash or worse)", "P(war or worse)", "P(nuclear use)", "10 yr",
                 "Korean Stability Index", "China-Russia alignment"):
        assert text in res.output


def test_explain_reports_mechanism_contributions():
    s = run_json("--runs", "2000", "--explain", "--explain-runs", "2000",
                 "--set", "scenario.sample_parameters=false",
                 "--set", "scenario.horizon_months=24")
    ex = s["explain"]
    assert ex["runs"] == 2000 and "deterrence" in ex["contributions"]
    assert ex["against"]["exercise_intensity"] == 0.0
    c = ex["contributions"]
    # today's activity through credibility makes clashes less likely within two years (within
    # ten, contained incidents reach most runs either way); drills add launches
    assert c["deterrence"]["p_clash"] < 0
    assert c["drill_provocation"]["dprk_launches_per_year"] > 0
    # the other mechanisms, switched off one at a time: self-excitation adds launches
    assert ex["mechanisms"]["self_excitation"]["dprk_launches_per_year"] > 0
    # the parts and their interaction add up to the total
    for k in ("p_war", "dprk_launches_per_year"):
        parts = sum(x[k] for x in c.values()) + ex["interaction"][k]
        assert abs(parts - ex["total"][k]) < 1e-9


def test_help_on_every_command():
    for args in (["--help"], ["run", "--help"], ["scenarios", "--help"],
                 ["scenario", "show", "--help"], ["parameters", "--help"]):
        res = runner.invoke(app, args)
        assert res.exit_code == 0 and "Usage" in res.output


def test_input_files_are_read_and_checked_by_the_api(tmp_path):
    """--posterior and --init-from-events are read below the command line, their refusals
    the command's one line."""
    with pytest.raises(api.PosteriorError, match=r"^--posterior .*none\.parquet: no such "):
        api.read_posterior(tmp_path / "none.parquet")
    bad = tmp_path / "bad.parquet"
    bad.write_text("not a table", encoding="utf-8")
    with pytest.raises(api.EventFileError, match=r"bad\.parquet: cannot set tension from "
                                                 r"events \("):
        api.tension_from_events(bad)
    res = runner.invoke(app, ["run", "--runs", "10", "--init-from-events", str(bad), "-q"])
    assert res.exit_code == 2 and f"{bad}: cannot set tension from events (" in res.output
    cli = ROOT / "src" / "peninsula" / "cli"
    readers = [p.name for p in sorted(cli.glob("*.py"))
               if re.search(r"read_parquet|peninsula\.io\.(posterior|events|parts)\b",
                            p.read_text(encoding="utf-8"))]
    assert not readers, f"cli modules reading input tables themselves: {readers}"


def test_folder_state_says_what_a_run_left(tmp_path):
    out = tmp_path / "res"
    assert api.folder_state(out) == {"chunks_done": None, "chunks": None, "complete": False,
                                     "files": []}
    api.run_to_dir("baseline", out, runs=20, seed=1, record_monthly=False,
                   record_events=False)
    state = api.folder_state(out)
    assert state["complete"] and state["chunks"] is None
    assert "runs.parquet" in state["files"] and "summary.json" in state["files"]
