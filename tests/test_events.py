"""Event-data readers: real GDELT 1.0 rows, 61-column GDELT 2.0 rows (plain and zipped),
ICEWS-style tables; every bad row counted by reason; memory flat with file size; damaged files
give one EventFileError naming the file (and line), never a traceback or a partial table."""

import json
import tracemalloc
import zipfile

import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import SHARED_DATA
from peninsula.cli import app
from peninsula.io.events import EventFileError, cameo_goldstein, ingest, tension_from_events

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


ICEWS_HEADER = "Event ID\tEvent Date\tSource Country\tCAMEO Code\tTarget Country\n"


def accounted(rep) -> bool:
    """Every row read is used, outside the six actors, or rejected with a reason."""
    return rep.rows_read == rep.rows_used + rep.rows_other_actors + sum(rep.rows_rejected.values())


def cli_error(path, tmp_path) -> str:
    """Run 'events ingest' on a bad file; it must exit 2 with one line naming the file."""
    res = runner.invoke(app, ["events", "ingest", str(path), "--out", str(tmp_path / "x.parquet")])
    assert res.exit_code == 2, res.output
    assert res.output.count("\n") == 1 and str(path) in res.output, res.output
    assert not (tmp_path / "x.parquet").exists()
    return res.output


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
    both, rep = ingest([plain, zipped])  # the same export twice: each event counted once
    assert both.loc[(both.actor == "PRK") & (both.target == "USA"), "events"].iloc[0] == 2
    assert rep.as_dict(len(both))["rows_duplicate"] == 7 and accounted(rep)


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


@pytest.mark.slow
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
                              "--events", "--set", "scenario.horizon_months=24"])
    assert res.exit_code == 0
    sim = simulated_tension(pd.read_parquet(run / "events.parquet"))
    assert len(sim) == 24 and sim.between(-10, 10).all()
    png = tmp_path / "tension.png"
    res = runner.invoke(app, ["plot", "tension", "--events", str(table), "--run", str(run),
                              "--out", str(png)])
    assert res.exit_code == 0, res.output
    assert png.stat().st_size > 10_000


def deflated_gdelt_zip(path, n_rows=3000):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("20230315120000.export.CSV", "".join(gdelt2_row() + "\n" for _ in range(n_rows)))
    return path.read_bytes()


def test_damaged_zip_is_one_clear_error(tmp_path):
    good = deflated_gdelt_zip(tmp_path / "good.zip")
    damaged = bytearray(good)  # damaged deflate data (zlib.error before the fix)
    for i in range(60, 400):
        damaged[i] ^= 0x55
    bad = tmp_path / "damaged.export.CSV.zip"
    bad.write_bytes(bytes(damaged))
    with pytest.raises(EventFileError, match=r"damaged\.export\.CSV\.zip \[20230315120000"
                       r"\.export\.CSV\]: damaged zip archive, unreadable from about line 1"):
        ingest([bad])
    assert "download it again" in cli_error(bad, tmp_path)

    stored = tmp_path / "stored.zip"  # intact deflate stream, wrong CRC (BadZipFile before)
    with zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("e.CSV", gdelt2_row() + "\n")
    data = bytearray(stored.read_bytes())
    data[data.index(b"PRK")] = ord("Q")
    stored.write_bytes(bytes(data))
    with pytest.raises(EventFileError, match=r"stored\.zip \[e\.CSV\]: damaged zip.*CRC"):
        ingest([stored])

    cut = tmp_path / "cut.zip"  # download stopped half-way: no central directory
    cut.write_bytes(good[: len(good) // 2])
    with pytest.raises(EventFileError, match=r"cut\.zip: damaged zip archive \(truncated"):
        ingest([cut])
    empty = tmp_path / "empty.zip"
    zipfile.ZipFile(empty, "w").close()
    with pytest.raises(EventFileError, match="empty.zip: zip archive holds no files"):
        ingest([empty])


def test_long_fields_and_lines_are_not_tracebacks(tmp_path):
    long_url = gdelt2_row().replace("https://example.org/story", "x" * 140_000)
    path = tmp_path / "long.CSV"  # a 140,000-character field: _csv.Error before the fix
    path.write_text("\n".join([gdelt2_row(), long_url, "1\t" + "y" * (2 << 20), gdelt2_row()]) + "\n")
    dyads, rep = ingest([path])
    assert rep.rows_read == 4 and rep.rows_used == 3
    assert dict(rep.rows_rejected) == {"line over 1 MiB": 1} and accounted(rep)
    table = tmp_path / "long.csv"
    table.write_text("Event Date,Source Country,CAMEO Code,Target Country,Text\n"
                     f"2017-09-03,North Korea,138,United States,{'z' * 140_000}\n"
                     "2017-09-04,North Korea,138,United States,ok\n")
    _, rep = ingest([table])
    assert rep.rows_read == 2 and rep.rows_used == 1 and accounted(rep)


def test_unbalanced_quote_never_swallows_rows(tmp_path):
    rows = [f"{i}\t2017-09-03\tNorth Korea\t138\tUnited States\n" for i in range(2, 1000)]
    tab = tmp_path / "icews.tab"  # ICEWS .tab: tab-separated, no quoting
    tab.write_text(ICEWS_HEADER + '1\t2017-09-03\t"North Korea\t138\tUnited States\n'
                   + "".join(rows))
    dyads, rep = ingest([tab])  # before the fix: rows_read 1, the other 998 rows gone
    assert rep.rows_read == 999 and rep.rows_used == 998
    assert dict(rep.rows_rejected) == {"stray quote": 1} and accounted(rep)
    assert dyads["events"].sum() == 998
    csv_path = tmp_path / "icews.csv"  # comma-separated: quotes must close on their own line
    csv_path.write_text("Event ID,Event Date,Source Country,CAMEO Code,Target Country\n"
                        '1,2017-09-03,"North Korea,138,United States\n'
                        '2,2017-09-03,"Korea, Democratic People\'s Republic of",138,Japan\n'
                        "3,2017-09-03,North Korea,138,United States\n")
    _, rep = ingest([csv_path])
    assert rep.rows_read == 3 and rep.rows_used == 2 and accounted(rep)
    assert dict(rep.rows_rejected) == {"unbalanced quote or field over 131,072 characters": 1}
    gdelt = tmp_path / "q.CSV"  # GDELT has no quoting: a quote is an ordinary character
    gdelt.write_text("\n".join([gdelt2_row().replace("example", '"ex'), gdelt2_row()]) + "\n")
    assert ingest([gdelt])[1].rows_used == 2


def test_icews_outer_quotes_and_line_endings(tmp_path):
    path = tmp_path / "icews.tab"  # some ICEWS .tab values carry literal outer quotes
    path.write_bytes(("\ufeff" + ICEWS_HEADER.replace("\n", "\r\n")
                      + '1\t2017-09-03\t"North Korea"\t"138"\tUnited States\r\n'
                      + "2\t2017-09-04\tJapan\t036\tNorth Korea\r"
                      + "3\t2017-09-05\tJapan\t036\tNorth Korea\n").encode())
    dyads, rep = ingest([path])
    assert rep.rows_read == 3 and rep.rows_used == 3 and accounted(rep)
    assert dyads["events"].sum() == 3


def test_non_ascii_digits_are_not_a_date(tmp_path):
    path = tmp_path / "icews.tab"  # str.isdigit() accepts these; a month key must not
    path.write_text(ICEWS_HEADER + "1\t\u0662\u0660\u0661\u0667-09-03\tJapan\t036\tNorth Korea\n")
    dyads, rep = ingest([path])
    assert dyads.empty and dict(rep.rows_rejected) == {"bad date": 1}


def test_not_utf8_names_file_line_and_encoding(tmp_path):
    path = tmp_path / "latin1.CSV"
    path.write_bytes("\n".join([gdelt2_row(), gdelt2_row().replace("example", "caf\xe9")])
                     .encode("latin-1") + b"\n")
    _, rep = ingest([path])  # a damaged row after the first: counted, the rest is used
    assert rep.rows_read == 2 and rep.rows_used == 1 and rep.rows_rejected["not UTF-8 text"] == 1
    path.write_bytes(gdelt2_row().replace("example", "caf\xe9").encode("latin-1") + b"\n")
    with pytest.raises(EventFileError, match=r"latin1\.CSV line 1: not UTF-8 text \(byte 0xe9 "
                       r"at byte \d+ of the line\); event files must be UTF-8"):
        ingest([path])  # from the first line on: a file in another encoding
    cli_error(path, tmp_path)
    utf16 = tmp_path / "utf16.tab"
    utf16.write_bytes(ICEWS_HEADER.encode("utf-16"))
    with pytest.raises(EventFileError, match=r"utf16\.tab line 1: not UTF-8 text \(UTF-16"):
        ingest([utf16])
    gz = tmp_path / "e.CSV.gz"
    gz.write_bytes(b"\x1f\x8b\x08\x00rest")
    with pytest.raises(EventFileError, match=r"e\.CSV\.gz: gzip-compressed"):
        ingest([gz])


def test_missing_icews_column_names_file_missing_and_expected(tmp_path):
    path = tmp_path / "icews.tab"
    path.write_text("Event ID\tEvent Date\tSource Country\tCAMEO Code\tTarget\n"
                    "1\t2017-09-03\tNorth Korea\t138\tUnited States\n")
    with pytest.raises(EventFileError) as err:
        ingest([path])
    msg = str(err.value)
    assert msg.startswith(f"{path} line 1: CAMEO table header lacks 'target country'")
    assert "'Event Date', 'Source Country', 'Target Country', 'CAMEO Code'" in msg
    assert "found 'Event ID', 'Event Date', 'Source Country', 'CAMEO Code', 'Target'" in msg
    cli_error(path, tmp_path)
