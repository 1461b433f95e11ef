"""The fuzz corpus: bad inputs found by fuzzing the command line, and the message each must give.

Each row names the files a case needs (made fresh in a temporary folder), the command, and
words its message must contain. Every case must end with exit 2 and one plain line naming the
file or flag and what is allowed: no traceback, and nothing written (no output file, no empty
folder, no temporary file).
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from peninsula.cli import app

runner = CliRunner()
RUN = ["run", "--runs", "20", "--set", "scenario.horizon_months=12", "-q"]


def _parquet(df: pd.DataFrame):
    return lambda path: df.to_parquet(path)


def _text(text: str, encoding: str = "utf-8"):
    return lambda path: path.write_bytes(text.encode(encoding))


def _bytes(data: bytes):
    return lambda path: path.write_bytes(data)


def _folder(path: Path) -> None:
    path.mkdir()


def _run_folder(path: Path) -> None:
    path.mkdir()
    pd.DataFrame({"run": [0], "month": [0]}).to_parquet(path / "events.parquet")


def _damaged_zip(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("20240101.export.CSV", "\t".join(["x"] * 58) + "\n" * 2000)
    data = bytearray(path.read_bytes())
    data[60:90] = b"\xff" * 30  # inside the deflate stream
    path.write_bytes(bytes(data))


def _richardson_exact(path: Path) -> None:
    """Series that follow Richardson's equations exactly: residuals of zero."""
    x, y = [10.0], [12.0]
    for _ in range(8):
        x.append(x[-1] + 0.3 * y[-1] - 0.2 * x[-1] + 1.0)
        y.append(y[-1] + 0.1 * x[-2] - 0.25 * y[-1] + 2.0)
    pd.DataFrame({"x": x, "y": y}).to_csv(path, index=False)


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _extends_chain(n: int):
    """A folder of ``n`` scenarios, each extending the next; the last extends baseline."""
    def make(path: Path) -> None:
        path.mkdir()
        for i in range(n):
            parent = f"s{i + 1}.toml" if i < n - 1 else "baseline"
            (path / f"s{i}.toml").write_text(f'[scenario]\nextends = "{parent}"\n')
    return make


BAD_LEVER_LIST = "[" + ",".join(["9"] * 1200) + "]"
DUPLICATE_LEVERS = "scenario:\n  extends: baseline\nlevers:\n  exercise_intensity: 1\n" \
                   "levers:\n  exercise_intensity: 2\n"

# id, {file name: maker}, command (FILE names are replaced by their paths), words expected
CASES = [
    ("out-empty", {}, [*RUN, "--out", ""], ["--out", "empty"]),
    ("posterior-missing", {}, [*RUN, "--posterior", "{none.parquet}", "--out", "{OUT}"],
     ["none.parquet", "no such posterior file"]),
    ("posterior-nan", {"p.parquet": _parquet(pd.DataFrame(
        {"launch_base_rate_per_year": [10.0, np.nan]}))},
     [*RUN, "--posterior", "{p.parquet}", "--out", "{OUT}"],
     ["p.parquet", "'launch_base_rate_per_year'", "missing or infinite", "row 2"]),
    ("posterior-text", {"p.parquet": _parquet(pd.DataFrame(
        {"launch_base_rate_per_year": ["ten", "20"]}))},
     [*RUN, "--posterior", "{p.parquet}", "--out", "{OUT}"],
     ["p.parquet", "must hold numbers"]),
    ("posterior-out-of-limits", {"p.parquet": _parquet(pd.DataFrame(
        {"launch_base_rate_per_year": [99.0, -5.0]}))},
     [*RUN, "--posterior", "{p.parquet}", "--out", "{OUT}"],
     ["p.parquet", "outside its limits", "-5"]),
    ("posterior-not-parquet", {"p.parquet": _text("run,x\n1,2\n")},
     [*RUN, "--posterior", "{p.parquet}"], ["p.parquet", "cannot read the posterior"]),
    ("events-out-is-folder", {"e.csv": _text("a\tb\n"), "dir": _folder},
     ["events", "ingest", "{e.csv}", "--out", "{dir}"], ["dir", "is a folder"]),
    ("calibrate-out-is-folder", {"dir": _folder}, ["calibrate", "--out", "{dir}", "-q"],
     ["dir", "is a folder"]),
    ("run-out-is-file", {"f.txt": _text("x")}, [*RUN, "--out", "{f.txt}"],
     ["f.txt", "is a file"]),
    ("plot-garbage-events", {"g.parquet": _bytes(b"garbage, not parquet"), "r": _run_folder},
     ["plot", "tension", "--events", "{g.parquet}", "--run", "{r}", "--out", "{OUT}.png"],
     ["g.parquet", "cannot plot tension"]),
    ("backtest-plot-unknown-format", {}, ["backtest", "--plot", "{OUT}.xyz", "-q"],
     ["--plot", "unknown image format '.xyz'", ".png"]),
    ("grid-key-twice", {}, ["sweep", "--grid", "levers.open_communication=0",
                            "--grid", "levers.open_communication=1", "--runs", "5", "-q",
                            "--out", "{OUT}"],
     ["--grid levers.open_communication", "given twice"]),
    ("design-not-utf8", {"d.csv": _text("levers.open_communication\n0.5\n# \u00e9t\u00e9\n",
                                        "latin-1")},
     ["sweep", "--design", "{d.csv}", "--runs", "5", "-q", "--out", "{OUT}"],
     ["d.csv", "not UTF-8"]),
    ("fit-collinear", {"c.csv": _text("a,b\n1,2\n2,3\n4,5\n7,8\n11,12\n")},
     ["fit", "arms-race", "{c.csv}", "--x", "a", "--y", "b", "--json"],
     ["c.csv", "collinear"]),
    ("events-damaged-zip", {"x.export.CSV.zip": _damaged_zip},
     ["events", "ingest", "{x.export.CSV.zip}", "--out", "{OUT}.parquet"],
     ["x.export.CSV.zip", "damaged zip"]),
    ("events-not-utf8", {"l.CSV": _text("20240101\t\u00e9\n", "latin-1")},
     ["events", "ingest", "{l.CSV}", "--out", "{OUT}.parquet"], ["l.CSV", "not UTF-8"]),
    ("events-icews-missing-column", {"i.tab": _text("Event Date\tSource Country\tCAMEO Code\n"
                                                    "2017-01-02\tNorth Korea\t190\n")},
     ["events", "ingest", "{i.tab}", "--out", "{OUT}.parquet"], ["i.tab", "target country"]),
    ("scenario-empty-lever-list", {"s.toml": _text('[scenario]\nextends = "baseline"\n'
                                                   "[levers]\nexercise_intensity = []\n")},
     ["run", "{s.toml}", "--runs", "5", "--out", "{OUT}"],
     ["s.toml", "levers.exercise_intensity", "empty list"]),
    ("scenario-short-lever-list", {"s.toml": _text('[scenario]\nextends = "baseline"\n'
                                                   "[levers]\nexercise_intensity = [1, 2]\n")},
     ["run", "{s.toml}", "--runs", "5", "--out", "{OUT}"],
     ["s.toml", "levers.exercise_intensity", "shorter than the horizon", "120"]),
    ("scenario-yaml-int-key", {"s.yaml": _text("scenario:\n  extends: baseline\n1: 2\n")},
     ["run", "{s.yaml}", "--runs", "5"], ["s.yaml", "keys must be text"]),
    ("scenario-not-utf8", {"s.toml": _text('[scenario]\nextends = "baseline"\n'
                                           'description = "\u00e9t\u00e9"\n', "latin-1")},
     ["run", "{s.toml}", "--runs", "5"], ["s.toml", "not UTF-8"]),
    ("scenario-missing-parent", {"c.toml": _text('[scenario]\nextends = "nope.toml"\n')},
     ["run", "{c.toml}", "--runs", "5"], ["c.toml", "nope.toml", "cannot read the parent"]),
    ("set-extends", {}, [*RUN, "--set", "scenario.extends=blocs", "--out", "{OUT}"],
     ["--set", "scenario.extends", "only works inside a scenario file"]),
    ("set-lever-out-of-range", {}, [*RUN, "--set", "levers.exercise_intensity=9"],
     ["--set", "levers.exercise_intensity", "[0, 2]"]),
    ("factor-range-out-of-bounds", {}, ["sensitivity", "--factor",
                                        "levers.exercise_intensity=0,9", "--samples", "2",
                                        "--runs", "5", "-q", "--out", "{OUT}"],
     ["--factor", "levers.exercise_intensity=0,9", "[0, 2]"]),
    # found by a later fuzzing round
    ("scenario-yaml-duplicate-section", {"s.yaml": _text(DUPLICATE_LEVERS)},
     ["run", "{s.yaml}", "--runs", "5", "--out", "{OUT}"], ["s.yaml:5", "levers", "given twice",
                                                            "line 3"]),
    ("scenario-yaml-duplicate-key", {"s.yaml": _text("scenario:\n  extends: baseline\n"
                                                     "  runs: 5\n  runs: 6\n")},
     ["run", "{s.yaml}", "--out", "{OUT}"], ["s.yaml:4", "scenario.runs", "given twice"]),
    ("scenario-extends-chain-too-deep", {"chain": _extends_chain(1500)},
     ["run", "{chain}/s0.toml", "--runs", "5", "--out", "{OUT}"],
     ["s31.toml", "scenario.extends", "deeper than 32 files"]),
    ("scenario-extends-fifo", {"ff": _fifo, "c.toml": _text('[scenario]\nextends = "ff"\n')},
     ["run", "{c.toml}", "--runs", "5", "--out", "{OUT}"],
     ["c.toml", "scenario.extends", "is a FIFO, not a regular file"]),
    ("scenario-device", {}, ["run", "/dev/zero", "--runs", "5", "--out", "{OUT}"],
     ["/dev/zero", "is a device, not a regular file"]),
    ("scenario-too-large", {"big.toml": _text("#" * (1 << 20) + "\n[scenario]\n")},
     ["run", "{big.toml}", "--runs", "5", "--out", "{OUT}"], ["big.toml", "too large", "1,024 KiB"]),
    ("scenario-empty-file", {"e.toml": _text("")}, ["run", "{e.toml}", "--runs", "5",
                                                    "--out", "{OUT}"],
     ["e.toml", "empty scenario file"]),
    ("horizons-beyond-run", {}, [*RUN, "--set", "metrics.horizons_years=[100]", "--out", "{OUT}"],
     ["--set", "metrics.horizons_years", "100", "allowed 1..1"]),
    ("plot-sweep-blank-metric", {"sweep.csv": _text("levers.open_communication,p_war_10y,"
                                                    "p_war_1y\n0,,0.1\n1,,0.2\n")},
     ["plot", "sweep", "--from", "{sweep.csv}", "--x", "levers.open_communication", "--y",
      "p_war_10y", "--out", "{OUT}"], ["sweep.csv", "--y p_war_10y", "is blank"]),
    ("plot-sweep-infinite-metric", {"sweep.csv": _text("levers.open_communication,p_war_10y\n"
                                                       "0,inf\n1,nan\n")},
     ["plot", "sweep", "--from", "{sweep.csv}", "--x", "levers.open_communication", "--y",
      "p_war_10y", "--out", "{OUT}"], ["sweep.csv", "--y p_war_10y", "missing or infinite"]),
    ("fit-infinite-value", {"c.csv": _text("a,b\n1,2\n2,inf\n4,5\n7,8\n11,12\n")},
     ["fit", "arms-race", "{c.csv}", "--x", "a", "--y", "b", "--json"],
     ["c.csv", "--y", "'b'", "non-finite", "row 2"]),
    ("grid-empty-value", {}, ["sweep", "--grid", "levers.open_communication=0,,1", "--runs", "5",
                              "-q", "--out", "{OUT}"],
     ["--grid levers.open_communication=0,,1", "value 2 of 3 is empty"]),
    ("runs-zero", {}, ["run", "--runs", "0", "--out", "{OUT}"], ["--runs 0", "[1, 10,000,000]"]),
    ("workers-zero", {}, ["run", "--workers", "0", "--out", "{OUT}"], ["--workers 0", "[1, 256]"]),
    ("sweep-runs-zero", {}, ["sweep", "--runs", "0", "--out", "{OUT}"], ["--runs 0"]),
    ("set-lever-without-section", {}, [*RUN, "--set", "exercise_intensity=2", "--out", "{OUT}"],
     ["--set", "exercise_intensity", "did you mean levers.exercise_intensity?"]),
    ("set-lever-misspelt", {}, [*RUN, "--set", "levers.exercise_intensty=2", "--out", "{OUT}"],
     ["levers.exercise_intensty", "did you mean exercise_intensity?"]),
    ("set-parameter-misspelt", {}, [*RUN, "--set", "parameters.launch_base_rate_per_yer=2"],
     ["parameters.launch_base_rate_per_yer", "did you mean launch_base_rate_per_year?"]),
    ("scenario-name-misspelt", {}, ["run", "basline", "--runs", "5", "--out", "{OUT}"],
     ["basline", "did you mean baseline?"]),
    ("policy-name-misspelt", {}, ["compare", "--policy", "restrant", "--runs", "5", "-q"],
     ["--policy", "restrant", "did you mean restraint?"]),
    ("lever-list-1200-bad-values", {}, [*RUN, "--set", f"levers.exercise_intensity={BAD_LEVER_LIST}",
                                        "--out", "{OUT}"],
     ["levers.exercise_intensity", "1,200 of 1,200", "[0] = 9", "and 1,195 more", "[0, 2]"]),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_input_gives_one_clean_line_and_writes_nothing(tmp_path, case):
    _, files, command, expected = case
    paths = {}
    for name, make in files.items():
        paths[name] = tmp_path / name
        make(paths[name])
    before = {p for p in tmp_path.rglob("*")}
    out = tmp_path / "out"

    def fill(arg: str) -> str:
        for name, path in paths.items():
            arg = arg.replace(f"{{{name}}}", str(path))
        return arg.replace("{OUT}", str(out)).replace("{none.parquet}",
                                                        str(tmp_path / "none.parquet"))

    res = runner.invoke(app, [fill(a) for a in command])
    text = res.output
    assert res.exit_code == 2, text
    assert "Traceback" not in text and "Error:" not in text.split("\n")[0][:7], text
    for word in expected:
        assert word in text, (word, text)
    if not text.startswith("Usage:"):  # typer's own usage errors come in a box
        assert len([ln for ln in text.splitlines() if ln.strip()]) == 1, text
    after = {p for p in tmp_path.rglob("*")}
    assert after == before, f"written: {sorted(map(str, after - before))}"


def test_fit_json_never_prints_nan_or_infinity(tmp_path, monkeypatch):
    """Undefined statistics (an exact fit's t, a zero k's U0) print as null, never as the
    non-standard NaN/Infinity tokens that JSON readers reject."""
    import json

    from peninsula.analysis import arms_fit

    data = tmp_path / "exact.csv"
    _richardson_exact(data)
    real = arms_fit.fit_arms_race

    def undefined(x, y, at="mid"):
        fit = real(x, y, at=at)
        fit["pair"]["x"]["no_interaction_t"] = float("inf")
        fit["combined"]["u0"] = float("nan")
        return fit

    monkeypatch.setattr(arms_fit, "fit_arms_race", undefined)
    res = runner.invoke(app, ["fit", "arms-race", str(data), "--x", "x", "--y", "y", "--json"])
    assert res.exit_code == 0, res.output
    assert "NaN" not in res.stdout and "Infinity" not in res.stdout
    fit = json.loads(res.stdout)
    assert fit["pair"]["x"]["no_interaction_t"] is None and fit["combined"]["u0"] is None
    assert fit["pair"]["x"]["reaction"] == pytest.approx(0.3, abs=1e-6)
    assert fit["pair"]["y"]["reaction"] == pytest.approx(0.1, abs=1e-6)


def test_an_unreachable_scheduler_is_one_line_not_a_traceback(tmp_path):
    dask = pytest.importorskip("dask")
    pytest.importorskip("distributed")
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        res = runner.invoke(app, [*RUN, "--executor", "dask", "--scheduler",
                                  "tcp://127.0.0.1:9", "--out", str(tmp_path / "o")])
    assert res.exit_code == 2, res.output
    assert "--scheduler tcp://127.0.0.1:9: cannot connect" in res.output
    assert "Traceback" not in res.output and list(tmp_path.iterdir()) == []


def _gdelt_export(path: Path) -> None:
    """Three GDELT 2.0 rows with distinct event ids."""
    rows = []
    for i, (a, b, code) in enumerate([("PRK", "USA", "130"), ("USA", "PRK", "057"),
                                      ("ROK", "PRK", "138")]):
        row = [""] * 61
        row[0], row[1], row[7], row[17], row[26] = str(1000 + i), "20230315", a, b, code
        row[30], row[31] = "1.0", "1"
        rows.append("\t".join(row))
    path.write_text("\n".join(rows) + "\n")


def test_the_same_export_twice_counts_each_event_once(tmp_path):
    import json

    export = tmp_path / "a.export.CSV"
    _gdelt_export(export)
    out = tmp_path / "d.parquet"
    res = runner.invoke(app, ["events", "ingest", str(export), str(export), "--out", str(out),
                              "--json"])
    assert res.exit_code == 0, res.output
    rep = json.loads(res.stdout)
    assert rep["rows_read"] == 6 and rep["rows_used"] == 3 and rep["rows_duplicate"] == 3
    assert rep["rows_rejected_total"] == 3
    assert pd.read_parquet(out)["events"].sum() == 3


def _cli(args: list[str], stdout) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "peninsula.cli", *args], stdout=stdout,
                          stderr=subprocess.PIPE, text=True, timeout=300)


FULL_STDOUT = [["scenario", "show", "baseline"], ["parameters"], ["parameters", "--json"],
               [*RUN, "--json"]]


@pytest.mark.integration
@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("args", FULL_STDOUT, ids=[" ".join(a[:2]) for a in FULL_STDOUT])
def test_a_full_stdout_is_one_line_not_a_traceback(args):
    with open("/dev/full", "w") as full:
        res = _cli(args, full)
    assert res.returncode == 2, res.stderr
    assert res.stderr == "cannot write to standard output: No space left on device\n"


def test_a_closed_pipe_ends_quietly():
    read, write = os.pipe()
    os.close(read)  # as '| head' does once it has read enough
    try:
        res = _cli(["scenario", "show", "baseline"], write)
    finally:
        os.close(write)
    assert res.returncode == 1 and res.stderr == "", res.stderr
