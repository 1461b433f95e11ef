"""Bundled historical tables: the record as the sources give it, and the data commands."""

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import SHARED_DATA
from peninsula.cli import app
from peninsula.io.history import list_tables, load_table, yearly_launches

runner = CliRunner()


def test_yearly_missile_counts_match_the_cns_record():
    y = yearly_launches().set_index("year")
    # CNS/NTI counts (missiles, satellite launch vehicles included)
    expected = {2006: 7, 2009: 8, 2016: 24, 2017: 21, 2018: 0, 2019: 27, 2020: 9, 2021: 6,
                2022: 69, 2023: 33, 2024: 41}
    for year, n in expected.items():
        assert y.loc[year, "missiles_launched"] == n, year
    assert y.loc[2017, "nuclear_tests"] == 1 and y["nuclear_tests"].sum() == 6
    assert list(y.index) == list(range(2006, 2026))


@pytest.mark.skipif(not SHARED_DATA.is_dir(), reason="source data folder not beside the project")
def test_monthly_table_agrees_with_the_source_yearly_file():
    src = pd.read_csv(SHARED_DATA / "nk_missile_tests" / "nk_missile_tests_by_year_1984_2026.csv")
    src = src[(src.year >= 2006) & (src.year <= 2025)].set_index("year")
    ours = yearly_launches().set_index("year")
    assert (ours["missiles_launched"] == src["missiles_launched"]).all()
    assert (ours["launch_days"] == src["launch_days"]).all()
    assert (ours["satellite_launches"] == src["n_SLV"]).all()


def test_drills_talks_and_patrols_follow_the_record():
    m = load_table("monthly").set_index("month")
    assert m.loc["2018-08", "drill_intensity"] == 0.0  # UFG suspended after Singapore
    assert m.loc["2023-03", "drill_intensity"] > 1.0  # Freedom Shield 23 expanded
    assert m.loc["2018-06", "talks_active"] == 1 and m.loc["2022-06", "talks_active"] == 0
    assert m["cn_ru_joint_patrols"].sum() == 10
    assert m.loc["2017-09", "un_sanctions_resolutions"] == 1  # UNSCR 2375
    assert (m["drill_intensity"].between(0, 2)).all()


def test_data_list_and_show():
    res = runner.invoke(app, ["data", "list"])
    assert res.exit_code == 0 and all(name in res.output for name in list_tables())
    res = runner.invoke(app, ["data", "show", "un_sanctions", "--json"])
    rows = json.loads(res.output)
    assert [r["resolution"] for r in rows][:2] == ["1695", "1718"]
    res = runner.invoke(app, ["data", "show", "sources"])
    assert "CNS North Korea Missile Test Database" in res.output
    res = runner.invoke(app, ["data", "show", "nope"])
    assert res.exit_code == 2 and "unknown table" in res.output
