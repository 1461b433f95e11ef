"""The dashboard's Wargame page takes a facilitator's inject (headless, Streamlit's AppTest): a
sinking forced in the second month of a one-turn game is in the preview, in the game and in its
event log."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from peninsula.model.events import EVENT_INDEX  # noqa: E402
from peninsula.wargame.moves import Inject  # noqa: E402

pytestmark = pytest.mark.slow
SCRIPT = Path(__file__).resolve().parents[1] / "src" / "peninsula" / "app" / "dashboard.py"


def test_an_inject_set_on_the_page_is_played_with_the_move():
    at = AppTest.from_file(str(SCRIPT), default_timeout=120)
    at.run()
    at.number_input(key="wargame_runs").set_value(100)
    at.number_input(key="wargame_turns").set_value(1)
    at.number_input(key="wargame_seed").set_value(3)
    next(b for b in at.button if b.label == "Start a new game").click().run()
    assert not at.exception, [e.value for e in at.exception]
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
