"""The dashboard's Wargame page, headless (Streamlit's AppTest): a game of two turns is started,
a move previewed on the same futures and committed, and the debrief shown with its files; the
turn timer; a facilitator's inject played with the move."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from peninsula.model.events import EVENT_INDEX  # noqa: E402
from peninsula.wargame.moves import Inject  # noqa: E402

pytestmark = pytest.mark.slow
SCRIPT = Path(__file__).resolve().parents[1] / "src" / "peninsula" / "app" / "dashboard.py"


def new_game(turns: int, **inputs: float) -> AppTest:
    """The dashboard with a game of ``turns`` turns of 100 runs started from its Wargame page
    (``inputs``: more of the new-game form's settings by key suffix, e.g. seed=3)."""
    at = AppTest.from_file(str(SCRIPT), default_timeout=120)
    at.run()
    at.number_input(key="wargame_runs").set_value(100)
    at.number_input(key="wargame_turns").set_value(turns)
    for key, value in inputs.items():
        at.number_input(key=f"wargame_{key}").set_value(value)
    next(b for b in at.button if b.label == "Start a new game").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_wargame_page_plays_two_turns_then_shows_the_debrief():
    at = new_game(2, seed=3)
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


def test_the_turn_timer_counts_down_then_says_time_is_up_and_offers_the_commit():
    at = new_game(2, turn_minutes=10.0)
    (bar,) = at.get("progress")
    assert bar.text in ("Turn 1: 10:00 left (10 min a turn)",
                        "Turn 1: 9:59 left (10 min a turn)") and bar.value >= 99
    assert not at.error
    clock = at.session_state["wargame_clock"]
    at.session_state["wargame_clock"] = replace(clock, started=clock.started - 601)
    at.number_input(key="wargame_exercise_intensity_1").set_value(0.5).run()
    (bar,) = at.get("progress")
    assert bar.text == "Turn 1: time is up (10 min a turn)" and bar.value == 0
    assert at.error[0].value.startswith("Time is up for turn 1 (10 min a turn).")
    assert at.session_state["wargame_game"].next_turn == 1  # nothing committed by itself
    at.button(key="wargame_time_up_commit_1").click().run()
    assert not at.exception, [e.value for e in at.exception]
    game = at.session_state["wargame_game"]
    assert [rec.moves[0].levers for rec in game.played] == [{"exercise_intensity": 0.5}]
    assert any("Turn 2 of 2" in m.value for m in at.markdown)
    (bar,) = at.get("progress")
    assert bar.text.startswith("Turn 2: ") and "left" in bar.text  # a new turn, a new clock
    assert not at.error


def test_an_inject_set_on_the_page_is_played_with_the_move():
    at = new_game(1, seed=3)
    at.selectbox(key="wargame_inject_1").set_value("armed_clash").run()
    at.number_input(key="wargame_inject_month_1").set_value(2)
    at.selectbox(key="wargame_inject_kind_1").set_value("sinking").run()
    assert any("inject: a sinking" in c.value for c in at.caption)
    at.button(key="wargame_preview_1").click().run()
    preview = at.session_state["wargame_preview"][2]
    assert preview["after"]["probabilities"]["p_clash_1y"]["p"] == 1.0  # in every future
    assert preview["before"]["probabilities"]["p_clash_1y"]["p"] == 1.0  # the world's, held too
    at.button(key="wargame_commit_1").click().run()
    assert not at.exception, [e.value for e in at.exception]
    game = at.session_state["wargame_game"]
    assert game.played[0].injects == [Inject(1, "armed_clash", 2, kind="sinking")]
    assert int(game.actual.events[0, 1, EVENT_INDEX["armed_clash"]]) == 1
    assert any(m.value == "### Debrief" for m in at.markdown)
