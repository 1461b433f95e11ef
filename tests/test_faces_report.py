"""The faces page is written by a command: its tables land between their markers, the prose
around them is kept (docs/faces.md; python -m peninsula.report.faces --write)."""

import numpy as np
import pytest

from conftest import ROOT
from peninsula.analysis import registry as R
from peninsula.analysis.metrics import paired_difference
from peninsula.report import faces


def page() -> str:
    parts = ["# Title\n\nProse before.\n"]
    for name in faces.TABLES:
        begin, end = faces.markers(name)
        parts.append(f"Prose about {name}.\n\n{begin}\nold numbers\n{end}\n")
    return "\n".join(parts) + "\nProse after.\n"


def test_command_writes_every_table_between_its_markers_and_keeps_the_prose(tmp_path):
    path = tmp_path / "faces.md"
    path.write_text(page(), encoding="utf-8")
    faces.main(["--runs", "12", "--seed", "3", "--write", str(path)])
    text = path.read_text(encoding="utf-8")
    assert "old numbers" not in text
    assert text.startswith("# Title\n\nProse before.\n") and text.endswith("\nProse after.\n")
    for name in faces.TABLES:
        begin, end = faces.markers(name)
        assert text.count(begin) == 1 and text.count(end) == 1
        assert f"Prose about {name}." in text
        table = text[text.index(begin):text.index(end)]
        assert "Measured: 12 runs" in table and "| --- " not in table
    effects = text[text.index(faces.markers("strategy-effects")[0]):]
    for label in (*faces.STRATEGIES, "all four"):
        assert f"| {faces.strategy_label(label)} |" in effects


def test_the_tables_read_labels_units_and_formats_from_the_registry(tmp_path):
    path = tmp_path / "faces.md"
    path.write_text(page(), encoding="utf-8")
    faces.main(["--runs", "12", "--seed", "3", "--write", str(path)])
    text = path.read_text(encoding="utf-8")
    war, clash = R.metric("p_war_10y"), R.metric("p_clash_10y")
    heads = {line for line in text.splitlines() if line.startswith("| face")
             or line.startswith("| strategy") or line.startswith("| parameters")}
    shown = " ".join(heads)
    for words in (war.short, clash.short, war.with_unit(short=True, difference=True),
                  R.metric("dprk_launches_per_year").with_unit(short=True),
                  R.metric("alignment_china_russia").with_unit(short=True),
                  R.metric("stability_index").with_unit(short=True),
                  R.lever("exercise_intensity").with_unit(short=True)):
        assert words in shown, words
    for code in ("exercise_intensity", "KSI", "launches/yr", "P(war) %", "p_war"):
        assert code not in shown, code
    for strategy in faces.STRATEGIES:  # rows name the levers in words
        assert f"| {R.lever(strategy).label} |" in text and f"| {strategy} |" not in text
    # probabilities in percent with the registry's one decimal, differences in points
    two_faces = text[text.index(faces.markers("two-faces")[0]):
                     text.index(faces.markers("two-faces")[1])]
    row = next(line for line in two_faces.splitlines() if line.startswith("| deterrence"))
    row = row.split("|")
    assert row[3].strip().endswith("%") and row[4].strip().count("%") == 3
    assert all(len(c.split("%")[0].split(".")[-1]) == 1 for c in row[3:5] if "%" in c)


def test_missing_markers_are_an_error():
    with pytest.raises(ValueError, match="markers"):
        faces.replace_table("no markers here", "two-faces", "table")


def test_paired_difference_interval():
    on, off = np.array([1.0, 0.0, 1.0, 1.0]), np.array([0.0, 0.0, 1.0, 0.0])
    mean, lo, hi = paired_difference(on, off)
    assert mean == pytest.approx(0.5)
    half = 1.6448536269514722 * np.std(on - off, ddof=1) / 2.0  # the 95th normal percentile
    assert (lo, hi) == pytest.approx((0.5 - half, 0.5 + half))


def test_the_page_has_every_marker():
    text = (ROOT / "docs" / "faces.md").read_text(encoding="utf-8")
    for name in faces.TABLES:
        begin, end = faces.markers(name)
        assert text.count(begin) == 1 and text.count(end) == 1 and text.index(begin) < text.index(end)


WORDED = {faces.strategy_label(s): s for s in (*faces.STRATEGIES, "all four")}


def harm_rows(table: str) -> dict[str, list[list[float]]]:
    """Per strategy (and "all four"): the probabilities of each of its rows in the two tables
    of the strategy-harm section (prior p_no_benefit and the share of the draws run; the
    overall share, its interval and the normal check)."""
    rows: dict[str, list[list[float]]] = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        label = WORDED.get(cells[0])
        if label is None:
            continue
        if cells[1].startswith("`"):  # a parameter row
            shown = [cells[3], cells[5]]
        else:  # a strategy's overall share "0.12 [0.03, 0.25]", the normal and linear checks
            shown = [*cells[2].replace("[", " ").replace("]", " ").replace(",", " ").split(),
                     cells[4], cells[5]]
        rows.setdefault(label, []).append([float(x) for x in shown])
    return rows


def assert_harm_table_complete(table: str) -> None:
    rows = harm_rows(table)
    for strategy in faces.STRATEGIES:
        assert len(rows[strategy]) == len(faces.strategy_parameters(strategy)) + 1, strategy
    assert len(rows["all four"]) == 1
    for label, values in rows.items():
        for row in values:
            assert all(0.0 <= x <= 1.0 for x in row), (label, row)


def test_harm_table_lists_every_strategy_with_shares_between_0_and_1():
    table = faces.strategy_harm_table(2000, 5)
    faces.strategy_arms.cache_clear()
    assert {"open_communication", "flexible_diplomacy", "multilateral_engagement",
            "strategic_clarity"} == set(faces.STRATEGIES)
    assert_harm_table_complete(table)
    for strategy in faces.STRATEGIES:  # the prior masses come from the parameter table
        for p in faces.strategy_parameters(strategy):
            assert f"| {faces.strategy_label(strategy)} | `{p.name}` |" in table
            assert f"| {p.p_no_benefit:.2f} |" in table.split(f"`{p.name}`")[1].splitlines()[0]


def test_the_page_harm_table_lists_every_strategy_with_shares_between_0_and_1():
    text = (ROOT / "docs" / "faces.md").read_text(encoding="utf-8")
    begin, end = faces.markers("strategy-harm")
    assert_harm_table_complete(text[text.index(begin):text.index(end)])
