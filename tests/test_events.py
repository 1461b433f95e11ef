"""Event-data readers: real GDELT 1.0 rows, 61-column GDELT 2.0 rows (plain and zipped),
ICEWS-style tables; every bad row counted by reason; memory flat with file size."""

import json
import tracemalloc
import zipfile

import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import SHARED_DATA
from peninsula.cli import app
from peninsula.io.events import cameo_goldstein, ingest, tension_from_events

runner = CliRunner()
GDELT1 = SHARED_DATA / "gdelt" / "gdelt_v1_events_sample_reed9999.tsv.txt"


def gdelt2_row(date="20230315", a1="PRK", a2="USA", code="130", goldstein="-4.4", mentions="3"):
    """A row in the exact 61-column GDELT 2.0 layout (1.0 layout + three ADM2 columns)."""
    row = [""] * 61
    row[0], row[1], row[2], row[3] = "1100000001", date, date[:6], date[:4]
    row[7], row[17] = a1, a2
    row[26], row[27], row[28] = code, code[:3], code[:2]
    row[30], row[31] = goldstein, mentions
    row[59], row[60] = "20230315120000", "https://example.org/story"
    return "\t".join(row)


def test_cameo_table_keeps_leading_zeros():
    g = cameo_goldstein()
    assert g["010"] == 0.0 and g["130"] == -4.4 and g["0874"] == 10.0 and g["204"] == -10.0
    assert "10" not in g or g["10"] == -5.0  # root "10" (demand) is not code "010"


@pytest.mark.skipif(not GDELT1.is_file(), reason="GDELT sample not beside the project")
def test_real_gdelt1_rows_57_and_58_fields():
    dyads, rep = ingest([GDELT1])
    assert rep.rows_read == 710
    assert rep.formats == {"gdelt1": 509, "gdelt1-historical": 201}
    assert rep.rows_used + rep.rows_other_actors + sum(rep.rows_rejected.values()) == 710
    assert rep.rows_used >= 8
    rok_prk = dyads[(dyads.actor == "ROK") & (dyads.target == "PRK") & (dyads.month == "2016-07")]
    assert rok_prk["net_goldstein"].iloc[0] == pytest.approx(-2.0)  # CAMEO 016: Goldstein -2.0
    usa_prk = dyads[(dyads.actor == "USA") & (dyads.target == "PRK")]
    assert usa_prk["verbal_conflict"].sum() >= 1  # CAMEO 130 threaten


def test_gdelt2_plain_and_zipped_with_every_bad_row_reason(tmp_path):
    rows = [gdelt2_row(), gdelt2_row(code="057", a1="USA", a2="PRK"),
            gdelt2_row(code="138", goldstein="-7.0"),
            gdelt2_row(date="20231345"),  # bad date
            gdelt2_row(code="999"),  # unknown CAMEO code
            gdelt2_row(goldstein="abc"),  # bad number
            gdelt2_row(a1="FRA"),  # outside the six actors
            "1\t20230101\tshort row"]  # wrong field count
    plain = tmp_path / "20230315120000.export.CSV"
    plain.write_text("\n".join(rows) + "\n")
    zipped = tmp_path / "20230315120000.export.CSV.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.write(plain, plain.name)
    for path in (plain, zipped):
        dyads, rep = ingest([path])
        assert rep.rows_read == 8 and rep.rows_used == 3 and rep.rows_other_actors == 1
        assert dict(rep.rows_rejected) == {"bad date": 1, "unknown CAMEO code": 1,
                                           "bad number": 1, "wrong field count": 1}
        prk_usa = dyads[(dyads.actor == "PRK") & (dyads.target == "USA")].iloc[0]
        assert prk_usa["events"] == 2 and prk_usa["net_goldstein"] == pytest.approx(-4.4 - 7.0)
        usa_prk = dyads[(dyads.actor == "USA") & (dyads.target == "PRK")].iloc[0]
        # MODELS V2-style check: one 057 (+8.0) and one 138 (-7.0) in a month net to +1.0
        assert usa_prk["net_goldstein"] == pytest.approx(8.0)
    both = ingest([plain, zipped])[0]
    assert both.loc[(both.actor == "PRK") & (both.target == "USA"), "events"].iloc[0] == 4


def test_icews_style_table_with_country_names(tmp_path):
    path = tmp_path / "icews.tab"
    path.write_text("Event ID\tEvent Date\tSource Country\tCAMEO Code\tTarget Country\n"
                    "1\t2017-09-03\tNorth Korea\t138\tUnited States\n"
                    "2\t2017-09-04\tUnited States\t111\tNorth Korea\n"
                    "3\t2017-09-05\tJapan\t36\tNorth Korea\n"  # '36' is not CAMEO '036'
                    "4\t2017-02-30\tJapan\t036\tNorth Korea\n")
    dyads, rep = ingest([path])
    assert rep.rows_used == 2 and dict(rep.rows_rejected) == {"unknown CAMEO code": 1,
                                                              "bad date": 1}
    assert set(zip(dyads.actor, dyads.target, strict=True)) == {("PRK", "USA"), ("USA", "PRK")}
    assert tension_from_events(dyads) == pytest.approx((7.0 + 2.0) / 2 / 5.0)  # 138, 111


def test_memory_stays_flat_with_file_size(tmp_path):
    def peak(n_rows):
        path = tmp_path / f"big{n_rows}.CSV"
        with open(path, "w") as fh:
            for i in range(n_rows):
                fh.write(gdelt2_row(date=f"2023{(i % 12) + 1:02d}15") + "\n")
        tracemalloc.start()
        ingest([path])
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    small, large = peak(5_000), peak(50_000)
    assert large < small + 1_000_000  # 10x the rows, under 1 MB more peak memory


def test_cli_ingest_json_and_init_from_events(tmp_path):
    path = tmp_path / "e.CSV"
    path.write_text("\n".join([gdelt2_row(), gdelt2_row(date="20231301")]) + "\n")
    out = tmp_path / "tension.parquet"
    res = runner.invoke(app, ["events", "ingest", str(path), "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    rep = json.loads(res.stdout)
    assert rep["rows_read"] == 2 and rep["rows_used"] == 1
    assert rep["rows_rejected"] == {"bad date": 1} and rep["dyad_months"] == 1
    assert len(pd.read_parquet(out)) == 1
    res = runner.invoke(app, ["run", "--runs", "20", "--init-from-events", str(out), "--json",
                              "-q", "--out", str(tmp_path / "r")])
    assert res.exit_code == 0, res.output
    scenario = (tmp_path / "r" / "scenario.toml").read_text()
    assert "tension = 0.88\n" in scenario  # CAMEO 130: -4.4 / 5
    res = runner.invoke(app, ["events", "ingest", str(tmp_path / "missing.CSV"), "--out",
                              str(tmp_path / "x.parquet")])
    assert res.exit_code == 2 and "cannot read" in res.output


def test_plot_real_and_simulated_tension_on_one_axis(tmp_path):
    from peninsula.report.tension_plot import real_tension, simulated_tension

    path = tmp_path / "e.CSV"
    path.write_text("\n".join([gdelt2_row(), gdelt2_row(code="057", a1="USA", a2="PRK")]) + "\n")
    table = tmp_path / "t.parquet"
    assert runner.invoke(app, ["events", "ingest", str(path), "--out", str(table)]).exit_code == 0
    assert real_tension(pd.read_parquet(table)).loc["2023-03"] == pytest.approx(-(8.0 - 4.4) / 2)
    run = tmp_path / "run"
    res = runner.invoke(app, ["run", "--runs", "20", "--out", str(run), "-q", "--no-monthly",
                              "--set", "scenario.horizon_months=24"])
    assert res.exit_code == 0
    sim = simulated_tension(pd.read_parquet(run / "events.parquet"))
    assert len(sim) == 24 and sim.between(-10, 10).all()
    png = tmp_path / "tension.png"
    res = runner.invoke(app, ["plot", "tension", "--events", str(table), "--run", str(run),
                              "--out", str(png)])
    assert res.exit_code == 0, res.output
    assert png.stat().st_size > 10_000
