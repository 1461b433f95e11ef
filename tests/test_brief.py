"""`peninsula report`: the policy brief is one self-contained HTML page (no network resource,
figures embedded) that opens with its bottom line (two to four sentences) and then the numbers,
speaks the registry's labels and units (no code name of a metric in its visible text,
probabilities in percent, differences in percentage points), carries its manifest, states the
comparison exactly as `api.compare` gives it for the same seed and the back-test skill of the
JSON given; the policies' fan charts share their scales; `--quick` writes a draft marked so; the
progress names each stage; its PDF has text on every page; a PDF without Chromium and an
unwritable --out are refused before any work."""

import html
import json
import re
import shutil

import pytest
from typer.testing import CliRunner

import peninsula.api as api
from peninsula.analysis import registry as REG
from peninsula.cli import app
from peninsula.report import brief as B
from peninsula.report.brief_page import final_years

pytestmark = pytest.mark.slow

runner = CliRunner()
SHORT = ["scenario.horizon_months=60"]
POLICIES = ["status-quo", "dual-track"]
RUNS, SEED = 200, 11
# a small screening keeps the test quick; its design size is stated on the page
SMALL = ["--sensitivity-samples", "2", "--sensitivity-runs", "20"]
REMOTE = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)
# code names that must not reach the page's visible text (besides every registry key below)
CODE_NAMES = ("p_war_10y", "p_clash", "dprk_capability", "power_balance", "stability_index",
              "interval_90_low", "mu_star", "p_hostilities", "dprk_launches_per_year")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def visible_text(page: str) -> str:
    """The text a reader sees: no style block, no tags, entities decoded."""
    page = re.sub(r"<(style|title)>.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def bottom_line(page: str) -> str:
    """The paragraph under the first heading after the title."""
    m = re.search(r"</h1>\s*<section[^>]*>\s*<h2>([^<]*)</h2>\s*<p[^>]*>(.*?)</p>", page,
                  re.S)
    assert m is not None, "the page does not open with a section after its title"
    assert m.group(1) == "Bottom line"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", m.group(2))).split())


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


@pytest.fixture(scope="module")
def draft(tmp_path_factory):
    """A draft (--quick) of the same brief, its progress recorded stage by stage."""
    out = tmp_path_factory.mktemp("draft") / "draft.html"
    stages: list[str] = []
    B.write_brief("baseline", POLICIES, runs=RUNS, seed=SEED, out_html=out, overrides=SHORT,
                  quick=True, progress=lambda done, message: stages.append(message))
    return out.read_text(encoding="utf-8"), stages


def test_one_self_contained_html_file(brief):
    folder, page = brief
    assert sorted(p.name for p in folder.iterdir()) == ["brief.html"]
    assert not REMOTE.search(page), REMOTE.search(page).group(0)
    assert "<script" not in page.lower()
    # two fan charts, the comparison and the sensitivity ranking, each embedded
    assert len(re.findall(r'<img src="data:image/png;base64,', page)) == 4
    sections = ("Bottom line", "The numbers: levels and differences", "The question",
                "Scenario and assumptions", "Drivers", "Sensitivity ranking", "Back-test skill",
                "Caveats", "Manifest")
    assert re.findall(r"<h2>([^<]*)</h2>", page) == list(sections)


def test_the_brief_opens_with_its_bottom_line(brief, draft):
    for page in (brief[1], draft[0]):
        text = bottom_line(page)
        sentences = SENTENCE_END.split(text)
        assert 2 <= len(sentences) <= 4, sentences
        assert all(s.endswith(".") for s in sentences)
        # what the evidence says, how sure, what carries it: the war difference, the share of
        # parameter draws, the parameters (or why none)
        assert "chance of war or worse" in sentences[0]
        assert "percentage points" in sentences[0] or "a difference of" in sentences[0]
        assert "parameter draws" in sentences[1]
        assert "depends mostly on" in text or "No single parameter carries" in text


def test_no_code_name_of_a_metric_in_the_visible_text(brief, draft):
    names = set(CODE_NAMES) | {k for k in REG.METRICS if "_" in k}
    horizon = re.compile(r"\bp_[a-z_]+_\d+y\b")
    for page in (brief[1], draft[0]):
        text = visible_text(page)
        found = sorted(n for n in names if re.search(rf"\b{re.escape(n)}\b", text))
        assert not found, found
        assert not horizon.search(text), horizon.search(text).group(0)


def test_probabilities_are_in_percent_and_levels_sit_beside_differences(brief):
    _, page = brief
    sc = api.scenario_for("baseline", runs=RUNS, seed=SEED, overrides=SHORT)
    h = final_years(sc)
    s = api.run(api.policy_scenario(sc, api.resolve_policies(["status-quo"])[0]),
                record_monthly=False, record_events=False).summary()
    war = REG.percent(s["p_war"][str(h)])
    assert war.endswith("%") and f"<b>{war}</b>" in page
    head = re.search(r"<thead><tr>(.*?)</tr></thead>", page.split("The numbers:")[1]).group(1)
    assert re.findall(r"<th>([^<]*)</th>", head) == [
        "outcome", "status-quo: level", "dual-track: level",
        "dual-track \u2212 status-quo: difference"]
    assert f"<td>{html.escape(REG.metric(f'p_war_{h}y').with_unit())}</td>" in page


def test_the_policies_fan_charts_share_their_scales():
    from peninsula.report.figures import pyplot, share_y

    plt = pyplot()
    figs = [plt.subplots(1, 2)[0] for _ in range(2)]
    figs[0].axes[0].plot([0, 1], [0, 8])
    figs[1].axes[0].plot([0, 1], [0, 2.5])
    figs[1].axes[1].plot([0, 1], [-1, 1])
    share_y(figs)
    assert figs[0].axes[0].get_ylim() == figs[1].axes[0].get_ylim()
    assert figs[0].axes[0].get_ylim()[1] >= 8
    assert figs[0].axes[1].get_ylim() == figs[1].axes[1].get_ylim()
    for fig in figs:
        plt.close(fig)


def test_quick_writes_a_draft_and_names_its_stages(draft, tmp_path):
    page, stages = draft
    assert "<h1>Draft policy brief:" in page and "Not screened in this draft" in page
    assert len(re.findall(r'<img src="data:image/png;base64,', page)) == 3  # no ranking
    assert [m.split(":")[0] for m in stages] == [
        "runs", "runs", "compare", "drivers", "drivers", "figures", "writing", "done"]
    assert "status-quo (1 of 2" in stages[0]
    out = tmp_path / "d.html"
    res = runner.invoke(app, ["report", "--policy", "status-quo", "--runs", "100", "--set",
                              SHORT[0], "--quick", "--out", str(out), "-q"])
    assert res.exit_code == 0, res.output
    text = out.read_text(encoding="utf-8")
    assert "Draft policy brief" in text and "--quick" in text  # the command that remakes it
    assert "compares none" in bottom_line(text)


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
        e, d = REG.metric(key), diffs[key]
        cell = (f"<b>{html.escape(e.format_difference(d['mean']))}</b><small class=\"l\">"
                f"{html.escape(e.format_interval(d['p05'], d['p95'], difference=True))}</small>")
        assert cell in page, key
    h = result["final_horizon_years"]
    war = diffs[f"p_war_{h}y"]
    line = bottom_line(page)
    e = REG.metric(f"p_war_{h}y")
    assert (f"{100 * abs(war['mean']):.1f} percentage points" in line
            or f"a difference of {e.format_difference(war['mean'])}" in line)
    assert REG.percent(result["policies"]["dual-track"][f"p_war_{h}y"]["mean"]) in line


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
    assert "Bottom line" in texts[0]
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
