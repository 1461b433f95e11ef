"""docs/reference-class.md and its reliability figure: the page's tables hold the numbers of the
self-check result, its sentences follow from them, and the figure is a real PNG."""

from __future__ import annotations

import math
import re

import pytest

from peninsula.analysis.reference_class import BASELINES, FEATURES
from peninsula.io.rivalries import OUTCOMES
from peninsula.report import reference_class_doc as doc

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


KOREA = {"rivalry_id": 114, "rivalry": "North Korea-South Korea"}  # as self_check names it

def _bins(start: float, step: float, k: int, n: int = 40) -> list[dict]:
    return [{"mean_forecast": start + i * step, "observed": start + i * step * 0.8, "n": n + i}
            for i in range(k)]


def _outcome_fit(outcome: str, shift: float, features=FEATURES) -> dict:
    return {"outcome": outcome,
            "coefficients": {f: {"mean": shift + 0.1 * i, "sd": 0.01 + 0.001 * i}
                             for i, f in enumerate(features)},
            "log_sigma": {"mean": math.log(0.5 + shift), "sd": 0.05},
            "rivalry_effects": {"20": {"mean": -0.25, "sd": 0.4},
                                str(KOREA["rivalry_id"]): {"mean": 0.75 + shift, "sd": 0.3125},
                                "107": {"mean": 1.5, "sd": 0.3}}}


def _fit(features=FEATURES) -> dict:
    return {"trained_until": 1990, "first_year": 1946, "rows": 1234, "data_sha256": "0" * 64,
            "method": "variational Bayes", "features": list(features), "fe_prior_sd": 2.0,
            "outcomes": {o: _outcome_fit(o, 0.25 * k, features) for k, o in enumerate(OUTCOMES)}}


@pytest.fixture
def small() -> dict:
    """A hand-made result: two outcomes, two baselines, the model better than the pooled rate on
    disputes and worse on fatal disputes."""
    feats = ("intercept", "trend")
    fit = _fit(feats)
    fit["outcomes"] = {o: fit["outcomes"][o] for o in OUTCOMES[:2]}
    return {
        "trained_until": 1990, "test_years": [1991, 1999], "rows_scored": 321, "rivalries": 37,
        "korea": KOREA,
        "fit": fit,
        "outcomes": {
            "mid_onset": {
                "events": 64, "rate": 0.19937,
                "model": {"log_loss": 0.4321, "brier": 0.1234, "auc": 0.6543},
                "baselines": {"pooled rate": {"log_loss": 0.5012, "brier": 0.1301, "auc": 0.5},
                              "own rate shrunk to pooled": {"log_loss": 0.4111, "brier": 0.1111,
                                                            "auc": float("nan")}},
                "reliability": {"model": _bins(0.05, 0.1, 3),
                                "own rate shrunk to pooled": _bins(0.07, 0.2, 2, n=55)}},
            "fatal_mid_onset": {
                "events": 20, "rate": 0.0623,
                "model": {"log_loss": 0.3001, "brier": 0.0601, "auc": 0.6101},
                "baselines": {"pooled rate": {"log_loss": 0.2002, "brier": 0.0588, "auc": 0.5},
                              "own rate shrunk to pooled": {"log_loss": 0.30015, "brier": 0.06,
                                                            "auc": 0.59}},
                "reliability": {"model": _bins(0.01, 0.05, 2),
                                "own rate shrunk to pooled": _bins(0.02, 0.04, 2)}},
        },
    }


def _selfcheck_shaped() -> dict:
    """A result of the shape self_check returns: every outcome, feature and baseline."""
    outcomes = {}
    for k, o in enumerate(OUTCOMES):
        base = 0.2 / (k + 1)
        outcomes[o] = {
            "events": 100 // (k + 1), "rate": base,
            "model": {"log_loss": 0.5 - 0.1 * k, "brier": 0.16 - 0.05 * k, "auc": 0.58},
            "baselines": {name: {"log_loss": 0.49 - 0.1 * k + 0.01 * j, "brier": 0.158,
                                 "auc": 0.5} for j, name in enumerate(BASELINES)},
            "reliability": {"model": _bins(base / 4, base / 4, 8, n=87),
                            BASELINES[1]: _bins(base / 5, base / 3, 7, n=90)}}
    return {"trained_until": 1985, "test_years": [1986, 2000], "rows_scored": 700, "korea": KOREA,
            "rivalries": 65, "fit": {**_fit(), "trained_until": 1985}, "outcomes": outcomes}


def _section(page: str, heading: str) -> str:
    """The text under a Markdown heading, up to the next heading of any level."""
    start = page.index(heading)
    rest = page[start + len(heading):]
    nxt = re.search(r"^#{1,3} ", rest, flags=re.M)
    return rest if nxt is None else rest[:nxt.start()]


def test_scores_tables_hold_the_numbers(small):
    page = doc.render(small, "fig.png")
    mid = _section(page, "### New militarized dispute (`mid_onset`)")
    assert "| model | 0.432 | 0.123 | 0.654 |" in mid
    assert "| baseline: pooled rate | 0.501 | 0.130 | 0.500 |" in mid
    assert "| baseline: own rate shrunk to pooled | 0.411 | 0.111 | - |" in mid  # NaN AUC
    assert "64 of the 321 scored rivalry-years" in mid and "0.199" in mid
    fatal = _section(page, "### New fatal dispute (`fatal_mid_onset`)")
    assert "| model | 0.300 | 0.060 | 0.610 |" in fatal
    assert "| baseline: pooled rate | 0.200 | 0.059 | 0.500 |" in fatal


def test_the_sentence_follows_the_log_loss(small):
    page = doc.render(small, "fig.png")
    mid = _section(page, "### New militarized dispute (`mid_onset`)")
    assert ("New militarized dispute: on log loss the model (0.432) beats the pooled rate "
            "(0.501) and does not beat the own rate shrunk to pooled (0.411).") in mid
    fatal = _section(page, "### New fatal dispute (`fatal_mid_onset`)")
    assert "the model (0.300) does not beat the pooled rate (0.200)" in fatal
    # better by less than the shown precision: still "beats", and the page says how close
    assert "beats the own rate shrunk to pooled (0.300, by less than 0.001)" in fatal
    # flip the numbers: the sentence flips with them
    small["outcomes"]["mid_onset"]["model"]["log_loss"] = 0.6
    mid = _section(doc.render(small, "fig.png"), "### New militarized dispute (`mid_onset`)")
    assert "the model (0.600) does not beat the pooled rate (0.501)" in mid
    assert " beats" not in mid


def test_reliability_coefficient_and_korea_tables(small):
    page = doc.render(small, "fig.png")
    rel = _section(page, "### New militarized dispute\n")
    assert "| 1 | 0.050 | 0.050 | 40 | 0.070 | 0.070 | 55 |" in rel
    assert "| 3 | 0.250 | 0.210 | 42 | - | - | - |" in rel  # the baseline has fewer bins
    assert "| `intercept` | intercept | 0.000 ± 0.010 | 0.250 ± 0.010 |" in page
    assert "| `trend` | time trend (per decade) | 0.100 ± 0.011 | 0.350 ± 0.011 |" in page
    assert "exp(mean of log sigma) | 0.500 | 0.750 |" in page
    korea = _section(page, "## The Korean rivalry")
    assert "| new militarized dispute | 0.750 ± 0.312 | 2.117 | 2 of 3 |" in korea
    assert "| new fatal dispute | 1.000 ± 0.312 | 2.718 | 2 of 3 |" in korea
    assert "![reliability of the model and the shrunk own-rate baseline](fig.png)" in page


def test_years_and_command_come_from_the_result(small):
    page = doc.render(small, "fig.png")
    assert "the years up to 1990" in page and "1991-1999 ex ante" in page
    assert "37 rivalries going in 1990" in page and "321 rivalry-years" in page
    assert "9-year horizon (1991-1999)" in page and "Years after 1999" in page
    assert page.rstrip().endswith("docs/reference_class_reliability.png).")
    assert ("peninsula rivalries check --train-until 1990 --to-year 1999 "
            "--write docs/reference-class.md") in page
    assert "1234 rivalry-years 1946-1990" in page


def test_selfcheck_shaped_page_has_one_row_per_baseline():
    result = _selfcheck_shaped()
    page = doc.render(result, doc.FIGURE_NAME)
    for o in OUTCOMES:
        words = doc.OUTCOME_WORDS[o].capitalize()
        table = _section(page, f"### {words} (`{o}`)")
        rows = [line for line in table.splitlines() if line.startswith("| baseline: ")]
        assert [r.split(" | ")[0] for r in rows] == [f"| baseline: {b}" for b in BASELINES]
        assert sum(line.startswith("| model |") for line in table.splitlines()) == 1
        assert table.count(" beats ") + table.count(" does not beat ") == len(BASELINES)
    coef_rows = [line for line in page.splitlines() if line.startswith("| `")]
    assert len(coef_rows) == len(FEATURES)
    assert "15-year horizon (1986-2000)" in page
    assert ("peninsula rivalries check --train-until 1985 --to-year 2000 "
            "--write docs/reference-class.md") in page


def test_write_makes_the_page_and_a_png(small, tmp_path):
    md, png = doc.write(small, tmp_path / "docs" / "reference-class.md")
    assert png == tmp_path / "docs" / doc.FIGURE_NAME
    data = png.read_bytes()
    assert data.startswith(PNG_SIGNATURE) and len(data) > 20_000
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width > 600 and height > 300
    assert f"]({doc.FIGURE_NAME})" in md.read_text(encoding="utf-8")
    assert not [p for p in md.parent.iterdir() if p.name.startswith(".")]  # no temporary left


def test_write_links_a_figure_elsewhere(tmp_path):
    md, png = doc.write(_selfcheck_shaped(), tmp_path / "docs" / "page.md",
                        tmp_path / "docs" / "img" / "rel.png")
    assert png.read_bytes().startswith(PNG_SIGNATURE)
    assert "](img/rel.png)" in md.read_text(encoding="utf-8")


def test_misses_name_the_bins_that_miss_by_the_factor():
    from peninsula.report.reference_class_doc import misses_section

    bins = [{"mean_forecast": 0.05, "observed": 0.10, "n": 10},
            {"mean_forecast": 0.20, "observed": 0.21, "n": 10},
            {"mean_forecast": 0.30, "observed": 0.25, "n": 10}]
    text = misses_section({"outcomes": {"war_onset": {"reliability": {"model": bins}}}})
    assert "lowest bin was forecast 0.050 and saw 0.100" in text and "too low" in text
    assert "the highest bin was" not in text  # 0.30 against 0.25 is within the factor
    bins[-1] = {"mean_forecast": 0.30, "observed": 0.25, "n": 10}
    bins[0] = {"mean_forecast": 0.09, "observed": 0.10, "n": 10}
    assert misses_section({"outcomes": {"war_onset": {"reliability": {"model": bins}}}}) \
        .startswith("No bin")
