"""The dashboard, headless (Streamlit's AppTest): every tab runs, the numbers shown are the API's
for the same settings, bad input shows an error naming the field and keeps the last good
results, uploads are limited and read only as scenario data; and the ``dashboard`` command."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest

pytest.importorskip("streamlit")

import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

import peninsula.api as api  # noqa: E402
from peninsula.analysis import registry as R  # noqa: E402
from peninsula.analysis.metrics import metric_names  # noqa: E402
from peninsula.app import state as S  # noqa: E402
from peninsula.cli import app  # noqa: E402
from peninsula.cli import dashboard as D  # noqa: E402
from peninsula.scenario.errors import ScenarioError  # noqa: E402
from peninsula.scenario.schema import LEVERS  # noqa: E402

pytestmark = pytest.mark.slow

SCRIPT = Path(__file__).resolve().parents[1] / "src" / "peninsula" / "app" / "dashboard.py"
RUNS, SEED = 200, 7
WAR = "P(war or worse)"  # the headline's label of the war probability (the registry's)
RAW_NAME = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")  # a snake_case code name
BAD_LEVER = b'[scenario]\nextends = "baseline"\nname = "mine"\n\n[levers]\nexercise_intensity = 5\n'
GOOD = (b'[scenario]\nextends = "baseline"\nname = "mine"\nhorizon_months = 60\n\n'
        b"[levers]\nexercise_intensity = 0.5\n")


def app_test() -> AppTest:
    at = AppTest.from_file(str(SCRIPT), default_timeout=120)
    at.run()
    assert not at.exception
    at.number_input(key="runs").set_value(RUNS)
    at.number_input(key="seed").set_value(SEED)
    return at


def explore(at: AppTest) -> AppTest:
    at.button(key="run_explore").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label))


def table_with(at: AppTest, column: str):
    """The first table on the page with this column."""
    return next(t.value for t in at.table if column in t.value.columns)


def uploads_supported(at: AppTest) -> bool:
    try:
        at.radio(key="source_kind").set_value("upload").run()
        return len(at.get("file_uploader")) == 1 and hasattr(at, "file_uploader")
    except (AttributeError, KeyError):
        return False


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    if not uploads_supported(at):
        pytest.skip("this Streamlit's AppTest cannot upload files")
    at.file_uploader(key="upload").set_value((name, data, "text/plain")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_every_tab_runs_and_shows_its_figure():
    at = app_test()
    at.number_input(key="history_runs").set_value(RUNS)
    for button in ("run_explore", "run_compare", "run_sweep", "run_discover", "run_history"):
        at.button(key=button).click().run()
        assert not at.exception, (button, [e.value for e in at.exception])
        assert not at.error, (button, [e.value for e in at.error])
    assert [t.label for t in at.tabs] == ["Explore", "Compare", "Sweep", "Discover", "History",
                                          "Wargame"]
    assert len(at.get("plotly_chart")) == 5
    assert "prior parameters" in at.tabs[4].markdown[0].value  # the replay says what it is
    assert "not calibrated" in at.tabs[4].markdown[0].value


def test_explore_shows_the_apis_numbers_for_the_same_settings():
    at = app_test()
    at.number_input(key="lever_exercise_intensity").set_value(2.0)
    at.toggle(key="lever_open_communication").set_value(True)
    explore(at)
    sc = api.scenario_for("baseline", overrides=["levers.exercise_intensity=2.0",
                                                 "levers.open_communication=1.0"])
    summary = api.run(sc, runs=RUNS, seed=SEED).summary()
    war = summary["p_war"]["10"]
    assert shown(at, WAR) == f"{100 * war:.1f}%"  # percent with one decimal
    table = table_with(at, "Estimate").set_index(["Outcome", "Within"])
    assert table.loc[(WAR, "10 years"), "Estimate"] == f"{100 * war:.1f}%"
    clash = summary["p_clash"]["5"]
    assert table.loc[("P(armed clash or worse)", "5 years"), "Estimate"] == \
        f"{100 * clash:.1f}%"
    lo, hi = summary["intervals_90"]["p_war"]["10"]
    assert table.loc[(WAR, "10 years"), "How sure the simulation is (90% interval)"] == \
        f"{100 * lo:.1f}% to {100 * hi:.1f}%"
    means = table_with(at, "Mean").set_index("Outcome")
    ksi = summary["stability_index"]
    assert means.loc["Korean Stability Index", "Mean"] == f"{ksi['mean']:.1f}"
    assert means.loc["Korean Stability Index", "Spread across runs (5th to 95th percentile)"] \
        == f"{ksi['p05']:.1f} to {ksi['p95']:.1f}"


def test_the_baseline_answer_is_on_screen_without_a_click():
    at = AppTest.from_file(str(SCRIPT), default_timeout=120)
    at.run()
    assert not at.exception and not at.error
    summary = api.run("baseline", runs=2000, seed=1, record_monthly=False,
                      record_events=False).summary()  # the sidebar's defaults
    h = str(summary["final_horizon_years"])
    assert shown(at, WAR) == R.metric(f"p_war_{h}y").format(summary["p_war"][h])
    assert len(at.get("plotly_chart")) == 1  # the fan charts, drawn at once
    assert any("current answer" in c.value for c in at.caption)


def test_no_table_shows_a_raw_column_name_or_code_name():
    at = app_test()
    at.number_input(key="history_runs").set_value(RUNS)
    for button in ("run_explore", "run_compare", "run_sweep", "run_history"):
        at.button(key=button).click().run()
        assert not at.exception, (button, [e.value for e in at.exception])
    assert len(at.table) >= 7 and len(at.dataframe) == 0  # short tables, no inner scroll
    keys = set(metric_names([1, 5, 10])) | set(R.METRICS) | set(LEVERS)
    for t in at.table:
        frame = t.value
        assert not [c for c in frame.columns if RAW_NAME.match(str(c))], list(frame.columns)
        assert not ({str(c) for c in frame.columns} & keys)
        cells = {str(v) for v in frame.to_numpy().ravel()}
        assert not (cells & keys), cells & keys
        assert not any(re.search(r"\d\.\d{4}", v) for v in cells)  # sensible decimals
    labels = [n.label for n in at.number_input if n.key == "lever_exercise_intensity"]
    assert labels == ["Joint military exercises (x normal, 0 to 2)"]  # words, unit, range


def test_compare_shows_each_policys_level_beside_the_difference():
    at = app_test()
    at.multiselect(key="compare_policies").set_value(["status-quo", "dual-track"])
    at.button(key="run_compare").click().run()
    assert not at.exception and not at.error
    result = api.compare(api.scenario_for("baseline"), ["status-quo", "dual-track"],
                         runs=RUNS, seed=SEED)
    table = table_with(at, "dual-track minus status-quo").set_index("Outcome")
    assert list(table.columns) == ["status-quo", "dual-track", "dual-track minus status-quo"]
    h = result["final_horizon_years"]
    e = R.metric(f"p_war_{h}y")
    row = table.loc[e.with_unit()]
    for column, est in (("status-quo", result["policies"]["status-quo"]),
                        ("dual-track", result["policies"]["dual-track"])):
        w = est[f"p_war_{h}y"]
        assert row[column] == (f"{100 * w['mean']:.1f}% [{100 * w['p05']:.1f}% to "
                               f"{100 * w['p95']:.1f}%]")
    d = result["differences"]["dual-track"][f"p_war_{h}y"]
    assert row["dual-track minus status-quo"].startswith(f"{100 * d['mean']:+.1f} pp [")


def test_unchanged_settings_do_not_run_again(monkeypatch):
    st.cache_data.clear()
    calls = []
    real = api.run
    monkeypatch.setattr(api, "run", lambda *a, **k: calls.append(1) or real(*a, **k))
    at = explore(app_test())
    first = len(calls)
    explore(at)
    assert first >= 1 and len(calls) == first
    at.number_input(key="seed").set_value(SEED + 1)
    explore(at)
    assert len(calls) > first


def test_out_of_range_control_shows_the_field_and_keeps_the_results():
    at = explore(app_test())
    before = shown(at, WAR)
    at.number_input(key="lever_exercise_intensity").set_value(5.0)
    explore(at)
    assert any("levers.exercise_intensity" in e.value for e in at.error)
    assert shown(at, WAR) == before
    at.number_input(key="lever_exercise_intensity").set_value(1.0)
    at.number_input(key="runs").set_value(5)
    explore(at)
    assert any("runs" in e.value and "outside" in e.value for e in at.error)
    assert shown(at, WAR) == before


def test_preset_sets_the_policys_levers():
    at = app_test()
    at.selectbox(key="preset").set_value("dual-track").run()
    assert all(at.toggle(key=f"lever_{s}").value for s in S.STRATEGIES)
    assert at.number_input(key="lever_exercise_intensity").value == 1.2


def test_bad_upload_names_the_field_and_keeps_the_last_good_results():
    at = explore(app_test())
    before = shown(at, WAR)
    upload(at, "mine.toml", BAD_LEVER)
    errors = " ".join(e.value for e in at.error)
    assert "levers.exercise_intensity" in errors and "mine.toml" in errors
    assert shown(at, WAR) == before
    assert tempfile.gettempdir() not in errors  # the temporary folder is not shown


def test_oversized_upload_is_refused():
    at = app_test()
    upload(at, "big.toml", GOOD + b"#" * (S.MAX_UPLOAD_BYTES + 1))
    assert any("256 KB" in e.value for e in at.error)


def test_good_upload_is_run_as_the_command_line_would():
    at = upload(app_test(), "mine.toml", GOOD)
    assert not at.error
    explore(at)
    expected = api.run(S.load_source(S.check_upload("mine.toml", GOOD)), runs=RUNS,
                       seed=SEED).summary()
    assert shown(at, WAR) == f"{100 * expected['p_war']['5']:.1f}%"


# --- the pure helpers -----------------------------------------------------------------------

def test_controls_come_from_the_schema():
    names = [c.name for c in S.lever_controls()]
    assert names == [n for n in LEVERS if n not in S.REPLAY_ONLY]
    switches = {c.name for c in S.lever_controls() if c.switch}
    assert switches == set(S.STRATEGIES)
    ex = next(c for c in S.lever_controls() if c.name == "exercise_intensity")
    assert (ex.low, ex.high, ex.default) == (LEVERS["exercise_intensity"].low,
                                             LEVERS["exercise_intensity"].high,
                                             LEVERS["exercise_intensity"].default)
    assert ex.label == "Joint military exercises (x normal, 0 to 2)"
    rivalry = next(c for c in S.lever_controls() if c.name == "us_china_rivalry")
    assert rivalry.label == "US-China rivalry (0 to 1)"  # a 0-1 index: the range once
    assert all(c.help for c in S.lever_controls())  # every control says what it means


def test_only_changed_levers_become_settings():
    base = {"exercise_intensity": 1.2, "open_communication": 0.2}
    assert S.lever_items({"exercise_intensity": 1.2, "open_communication": 1.0}, base) == [
        ("levers.open_communication", 1.0)]


@pytest.mark.parametrize(("name", "data", "says"), [
    ("big.toml", b"#" * (S.MAX_UPLOAD_BYTES + 1), "256 KB"),
    ("mine.exe", b"[scenario]\n", "ending in"),
    ("mine.toml", b"\xff\xfe", "UTF-8"),
    ("mine.toml", b'[scenario]\nextends = "/etc/hosts"\n', "scenario.extends"),
    ("mine.yaml", b"a: &x [1, 2]\nb: *x\n", "aliases"),
])
def test_uploads_are_checked_before_the_loader(name, data, says):
    with pytest.raises(ScenarioError) as exc:
        S.check_upload(name, data)
    assert says in "\n".join(S.problem_lines(exc.value))


def test_an_upload_touches_only_a_temporary_folder_removed_at_once(tmp_path, monkeypatch):
    # a temporary folder of this test's own: tests in other processes upload at the same time
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    sc = S.load_source(S.check_upload("mine.toml", GOOD))
    assert sc.name == "mine" and sc.horizon_months == 60
    with pytest.raises(ScenarioError):
        S.load_source(S.check_upload("mine.toml", BAD_LEVER))
    assert list(tmp_path.iterdir()) == []


def test_downloads_are_bytes_in_memory():
    ens = api.run("baseline", runs=RUNS, seed=SEED, record_monthly=False, record_events=False)
    import io

    import pandas as pd

    table = ens.outcomes()
    assert pd.read_parquet(io.BytesIO(S.table_bytes(table, "parquet"))).equals(table)
    assert S.table_bytes(table, "csv").startswith(b"run,")


# --- the command ----------------------------------------------------------------------------

def test_dashboard_command_help_and_port_check(monkeypatch):
    runner = CliRunner()
    res = runner.invoke(app, ["dashboard", "--help"])
    assert res.exit_code == 0 and "--port" in res.output and "--host" in res.output
    res = runner.invoke(app, ["dashboard", "--port", "80"])
    assert res.exit_code == 2 and "1024-65535" in res.output
    seen = []
    monkeypatch.setattr(D.subprocess, "call", lambda cmd: seen.append(cmd) or 0)
    res = runner.invoke(app, ["dashboard"])
    assert res.exit_code == 0
    cmd = seen[0]
    assert cmd[cmd.index("--server.address") + 1] == "127.0.0.1"
    assert cmd[cmd.index("--server.port") + 1] == "8501"
    assert cmd[cmd.index("--server.headless") + 1] == "true"
    assert cmd[cmd.index("--browser.gatherUsageStats") + 1] == "false"
    assert Path(cmd[cmd.index("run") + 1]) == SCRIPT.resolve()


def test_the_report_download_is_the_brief_of_the_settings_against_todays_posture():
    import io
    import zipfile

    from peninsula.app import state as S
    from peninsula.scenario.loader import load_scenario

    assert S.report_available()
    sc = load_scenario("baseline", ["scenario.horizon_months=24",
                                    "levers.exercise_intensity=2"])
    z = zipfile.ZipFile(io.BytesIO(S.report_zip(sc, 200, 3)))
    assert z.namelist() == ["brief.html"]
    html = z.read("brief.html").decode("utf-8")
    assert "as set" in html and "status-quo" in html and "data:image/png" in html


def test_history_tables_are_shown_in_words_kind_by_kind():
    import pandas as pd

    from peninsula.app import history as H

    table = pd.DataFrame({"year": [2010], "provocation_observed": [6], "clash_observed": [2],
                          "provocation_replay_mean": [3.04], "provocation_replay_p05": [0.0],
                          "provocation_replay_p95": [9.0], "clash_replay_mean": [0.26],
                          "clash_replay_p05": [0.0], "clash_replay_p95": [1.0]})
    shown = H.display_table(table)
    assert list(shown.columns)[:3] == ["Year", "Provocations: observed",
                                       "Provocations: replay mean"]
    assert list(shown.columns)[5] == "Armed clashes: observed"
    row = shown.iloc[0]
    assert (row["Year"], row["Provocations: observed"], row["Armed clashes: replay mean"]) == \
        ("2010", "6", "0.3")
    assert not [c for c in shown.columns if RAW_NAME.match(c)]


def test_each_fan_panel_has_its_own_legend_in_the_registrys_words():
    from peninsula.report.fan_plot import LADDER_HIGH, fan_figure

    fan = api.fan("baseline", runs=100, seed=1, overrides=["scenario.horizon_months=24"])
    fig = fan_figure(fan)
    legends = {t.legend for t in fig.data if t.showlegend is not False}
    assert legends == {"legend", *(f"legend{i}" for i in range(2, 7)), LADDER_HIGH}
    names = [t.name for t in fig.data if t.showlegend is not False]
    assert "Armed clash" in names and "P(war or worse)" in names and "median run" in names
    assert not [n for n in names if RAW_NAME.match(n)]
    titles = [a.text for a in fig.layout.annotations]
    assert "Korean Stability Index, year by year (points 0-100)" in titles


def test_discover_inspects_any_box_on_the_trajectory():
    """The Discover tab's inspect control shows the box chosen by its index with the same
    statistics as 'peninsula discover --inspect I' (api.inspect_box)."""
    at = app_test()
    at.button(key="run_discover").click().run()
    assert not at.exception, [e.value for e in at.exception]
    at.number_input(key="discover_inspect").set_value(0).run()
    assert not at.exception, [e.value for e in at.exception]
    text = "\n".join(m.value for m in at.tabs[3].markdown)
    assert "Box 0: coverage 100.0%" in text  # the first box is the whole space
    assert "lift 1.00" in text
