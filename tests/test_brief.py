"""`peninsula report`: the policy brief is one self-contained HTML page (no network resource,
figures embedded), carries its manifest, states the comparison exactly as `api.compare` gives
it for the same seed and the back-test skill of the JSON given; its PDF has text on every page;
a PDF without Chromium and an unwritable --out are refused before any work."""

import html
import json
import re
import shutil

import pytest
from typer.testing import CliRunner

import peninsula.api as api
from peninsula.cli import app
from peninsula.report import brief as B

pytestmark = pytest.mark.slow

runner = CliRunner()
SHORT = ["scenario.horizon_months=36"]
POLICIES = ["status-quo", "dual-track"]
RUNS, SEED = 200, 11
# a small screening keeps the test quick; its design size is stated on the page
SMALL = ["--sensitivity-samples", "2", "--sensitivity-runs", "20"]
REMOTE = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


@pytest.fixture(scope="module")
def backtest_file(tmp_path_factory):
    """The JSON of a small back-test (the command's own result, tiny budgets)."""
    result = api.backtest(runs=100, draws=400, first_origin="2023-01",
                          prior_sensitivity_draws=200)
    path = tmp_path_factory.mktemp("bt") / "backtest.json"
    path.write_text(json.dumps(result), encoding="utf-8")
    return path, result


@pytest.fixture(scope="module")
def brief(tmp_path_factory, backtest_file):
    folder = tmp_path_factory.mktemp("brief")
    out = folder / "brief.html"
    args = ["report", "baseline", *sum((["--policy", p] for p in POLICIES), []),
            "--runs", str(RUNS), "--seed", str(SEED), *sum((["--set", s] for s in SHORT), []),
            "--backtest", str(backtest_file[0]), *SMALL, "--out", str(out), "-q"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    return folder, out.read_text(encoding="utf-8")


def test_one_self_contained_html_file(brief):
    folder, page = brief
    assert sorted(p.name for p in folder.iterdir()) == ["brief.html"]
    assert not REMOTE.search(page), REMOTE.search(page).group(0)
    assert "<script" not in page.lower()
    # two fan charts, the comparison and the sensitivity ranking, each embedded
    assert len(re.findall(r'<img src="data:image/png;base64,', page)) == 4
    for section in ("The question", "Scenario and assumptions", "Results with intervals",
                    "Strategy comparison", "Drivers", "Sensitivity ranking", "Back-test skill",
                    "Caveats", "Manifest"):
        assert f"<h2>{section}</h2>" in page


def test_manifest_names_the_seed_and_scenario_hash(brief):
    _, page = brief
    sc = api.scenario_for("baseline", runs=RUNS, seed=SEED, overrides=SHORT)
    assert sc.hash() in page
    assert f"<td>seed</td><td>{SEED}</td>" in page
    assert f"--seed {SEED}" in page  # the command that makes the brief again


def test_paired_differences_are_those_of_compare(brief):
    _, page = brief
    sc = api.scenario_for("baseline", runs=RUNS, seed=SEED, overrides=SHORT)
    result = api.compare(sc, POLICIES)
    diffs = result["differences"]["dual-track"]
    for key in result["outcomes"]:
        scale = 100.0 if key.startswith(("p_clash", "p_war", "p_nuclear")) else 1.0
        assert html.escape(B.format_difference(diffs[key], scale)) in page, key
    h = result["final_horizon_years"]
    war = B.format_difference(diffs[f"p_war_{h}y"], 100.0, unit="pp")
    assert html.escape(f"P(war or worse within {h} yr) {war}") in page  # the summary's line


def test_back_test_skill_is_read_from_the_json_given(brief, backtest_file):
    _, page = brief
    path, result = backtest_file
    assert f"{result['crps']:.3f}" in page and f"{result['spearman']:.3f}" in page
    model = result["rolling"]["conditional"]["model"]
    assert f"Model CRPS {model['crps']:.2f}" in page
    assert path.name in page
    base = result["prior_sensitivity"]["rows"][0]["p_war"]
    assert f"{100 * base:.2f}% (base priors)" in page


@pytest.mark.skipif(shutil.which("chromium") is None,
                    reason="no 'chromium' on PATH: the PDF is printed by Chromium")
def test_pdf_pages_hold_text(tmp_path):
    from pypdf import PdfReader

    written = B.write_brief("baseline", ["status-quo"], runs=100, seed=3,
                            out_html=tmp_path / "b.html", pdf=tmp_path / "b.pdf",
                            overrides=SHORT, sensitivity_samples=2, sensitivity_runs=10)
    assert written == [tmp_path / "b.html", tmp_path / "b.pdf"]
    pages = PdfReader(tmp_path / "b.pdf").pages
    assert len(pages) >= 2
    texts = [p.extract_text() for p in pages]
    assert all(t.strip() for t in texts)
    whole = " ".join(texts)
    assert "Policy brief" in whole and "Manifest" in whole
    assert "docs/validation.md" in whole  # no back-test given: where it is reported


def test_pdf_without_chromium_is_refused_before_any_work(tmp_path, monkeypatch):
    monkeypatch.setattr(B.shutil, "which", lambda name: None)
    out = tmp_path / "b.html"
    res = runner.invoke(app, ["report", "--policy", "status-quo", "--out", str(out),
                              "--pdf", str(tmp_path / "b.pdf"), "-q"])
    assert res.exit_code == 2
    assert "install the chromium package" in res.output
    assert not out.exists() and not (tmp_path / "b.pdf").exists()
    with pytest.raises(B.BriefError, match="chromium"):
        B.write_brief("baseline", ["status-quo"], out_html=out, pdf=tmp_path / "b.pdf")


@pytest.mark.parametrize("name, reason", [
    ("a-file/brief.html", "cannot write the file here"),
    ("brief.txt", "end the name with .html"),
    ("folder.html", "is a folder"),
])
def test_bad_out_is_refused(tmp_path, name, reason):
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "folder.html").mkdir()
    res = runner.invoke(app, ["report", "--policy", "status-quo", "--out",
                              str(tmp_path / name), "-q"])
    assert res.exit_code == 2
    assert str(tmp_path / name) in res.output and reason in res.output


def test_unusable_inputs_are_refused(tmp_path):
    bad = tmp_path / "bt.json"
    bad.write_text("{}")
    out = str(tmp_path / "b.html")
    for args, reason in ((["--backtest", str(bad)], "not the JSON of 'peninsula backtest"),
                         (["--sensitivity-from", str(tmp_path)], "not a folder written by"),
                         (["--policy", "no-such-policy"], "no-such-policy"),
                         ([], None)):
        policy = [] if args and args[0] == "--policy" or args == [] else ["--policy",
                                                                          "status-quo"]
        res = runner.invoke(app, ["report", *policy, *args, "--out", out, "-q"])
        assert res.exit_code == 2, args
        assert reason is None or reason in res.output
    assert not (tmp_path / "b.html").exists()
