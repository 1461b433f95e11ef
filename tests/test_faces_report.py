"""The faces page is written by a command: its tables land between their markers, the prose
around them is kept (docs/faces.md; python -m peninsula.report.faces --write)."""

import numpy as np
import pytest

from conftest import ROOT
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
        assert f"| {label} |" in effects


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
