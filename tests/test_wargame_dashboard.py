"""The dashboard's Wargame page, headless (Streamlit's AppTest): a game of two turns is started,
a move previewed on the same futures and committed, and the debrief shown with its files."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

pytestmark = pytest.mark.slow
SCRIPT = Path(__file__).resolve().parents[1] / "src" / "peninsula" / "app" / "dashboard.py"


def test_the_wargame_page_plays_two_turns_then_shows_the_debrief():
    at = AppTest.from_file(str(SCRIPT), default_timeout=120)
    at.run()
    at.number_input(key="wargame_runs").set_value(100)
    at.number_input(key="wargame_turns").set_value(2)
    at.number_input(key="wargame_seed").set_value(3)
    start = next(b for b in at.button if b.label == "Start a new game")
    start.click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Turn 1 of 2" in m.value for m in at.markdown)
    at.number_input(key="wargame_exercise_intensity_1").set_value(0.5)
    at.button(key="wargame_preview_1").click().run()
    assert any("Paired effect on P(war or worse)" in m.value for m in at.markdown)
    at.button(key="wargame_commit_1").click().run()
    assert any("Turn 2 of 2" in m.value for m in at.markdown)
    at.button(key="wargame_commit_2").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(m.value == "### Debrief" for m in at.markdown)
    assert any("Against the status quo from the start" in m.value for m in at.markdown)
    turns = next(t.value for t in at.table if "Paired effect" in t.value.columns)
    assert list(turns["Turn"]) == [1, 2]
    assert "Joint military exercises 1.2 to 0.5" in turns["Moves"].iloc[0]
    assert turns["Moves"].iloc[1] == "hold"
