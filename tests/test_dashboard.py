"""The dashboard, headless (Streamlit's AppTest): every tab runs, the numbers shown are the API's
for the same settings, bad input shows an error naming the field and keeps the last good
results, uploads are limited and read only as scenario data; and the ``dashboard`` command."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

pytest.importorskip("streamlit")

import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

import peninsula.api as api  # noqa: E402
from peninsula.app import state as S  # noqa: E402
from peninsula.cli import app  # noqa: E402
from peninsula.cli import dashboard as D  # noqa: E402
from peninsula.scenario.errors import ScenarioError  # noqa: E402
from peninsula.scenario.schema import LEVERS  # noqa: E402

pytestmark = pytest.mark.slow

SCRIPT = Path(__file__).resolve().parents[1] / "src" / "peninsula" / "app" / "dashboard.py"
RUNS, SEED = 200, 7
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
    assert [t.label for t in at.tabs] == ["Explore", "Compare", "Sweep", "Discover", "History"]
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
    assert shown(at, "P(war)") == f"{100 * summary['p_war']['10']:.2f}%"
    table = at.dataframe[0].value.set_index(["outcome", "horizon_years"])
    assert table.loc[("p_war", 10), "estimate"] == summary["p_war"]["10"]
    assert table.loc[("p_clash", 5), "estimate"] == summary["p_clash"]["5"]
    assert [tuple(x) for x in table.loc[("p_war", 10), ["interval_90_low", "interval_90_high"]]
            .to_frame().T.to_numpy()] == [tuple(summary["intervals_90"]["p_war"]["10"])]


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
    before = shown(at, "P(war)")
    at.number_input(key="lever_exercise_intensity").set_value(5.0)
    explore(at)
    assert any("levers.exercise_intensity" in e.value for e in at.error)
    assert shown(at, "P(war)") == before
    at.number_input(key="lever_exercise_intensity").set_value(1.0)
    at.number_input(key="runs").set_value(5)
    explore(at)
    assert any("runs" in e.value and "outside" in e.value for e in at.error)
    assert shown(at, "P(war)") == before


def test_preset_sets_the_policys_levers():
    at = app_test()
    at.selectbox(key="preset").set_value("dual-track").run()
    assert all(at.toggle(key=f"lever_{s}").value for s in S.STRATEGIES)
    assert at.number_input(key="lever_exercise_intensity").value == 1.2


def test_bad_upload_names_the_field_and_keeps_the_last_good_results():
    at = explore(app_test())
    before = shown(at, "P(war)")
    upload(at, "mine.toml", BAD_LEVER)
    errors = " ".join(e.value for e in at.error)
    assert "levers.exercise_intensity" in errors and "mine.toml" in errors
    assert shown(at, "P(war)") == before
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
    assert shown(at, "P(war)") == f"{100 * expected['p_war']['5']:.2f}%"


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


def test_an_upload_touches_only_a_temporary_folder_removed_at_once():
    before = set(Path(tempfile.gettempdir()).glob("peninsula-upload-*"))
    sc = S.load_source(S.check_upload("mine.toml", GOOD))
    assert sc.name == "mine" and sc.horizon_months == 60
    with pytest.raises(ScenarioError):
        S.load_source(S.check_upload("mine.toml", BAD_LEVER))
    assert set(Path(tempfile.gettempdir()).glob("peninsula-upload-*")) == before


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
