"""Wargame mode as a specification: branching from the actual future, paired previews, injects,
scripts and replays reproduced byte for byte, the debrief's sections, and refused input."""

from __future__ import annotations

import json
import tomllib
from functools import lru_cache

import numpy as np
import pytest
from typer.testing import CliRunner

import peninsula
from peninsula.cli import app
from peninsula.engine.random import key_records, run_key
from peninsula.engine.simulate import Branch, simulate_chunk
from peninsula.io.results import COLUMN
from peninsula.model.events import EVENT_INDEX
from peninsula.model.setup import build_setup
from peninsula.scenario.schema import LEVEL_NAMES
from peninsula.wargame import branching
from peninsula.wargame.game import Game, play
from peninsula.wargame.moves import (
    EXAMPLE_SCRIPT,
    INJECTS,
    SEATS,
    Inject,
    Move,
    ScriptError,
    parse_moves,
)

SEED, RUNS = 3, 100


@lru_cache(maxsize=1)
def setup():
    return build_setup(peninsula.load_scenario("baseline"))


def new_game(runs: int = RUNS, turns: int = 4) -> Game:
    return Game(peninsula.load_scenario("baseline"), "baseline", SEED, runs, 3, turns)


# --- the engine's branching -------------------------------------------------------------------

def test_without_a_branch_every_run_draws_its_own_key_in_every_month():
    own = np.array([11, 22, 33], dtype=np.uint64)
    keys = key_records(own)
    assert [int(run_key(keys, r, t)) for r in range(3) for t in (0, 5, 119)] == \
        [11] * 3 + [22] * 3 + [33] * 3


def test_a_branch_draws_the_trunks_key_before_its_month_and_its_own_after():
    keys = key_records(np.array([11, 22], dtype=np.uint64), trunk_key=7, branch_month=4)
    assert [int(run_key(keys, 1, t)) for t in (0, 3, 4, 9)] == [7, 7, 22, 22]


def test_a_run_branched_from_itself_at_month_0_is_the_plain_run_bit_for_bit():
    plain = simulate_chunk(setup(), np.array([5]))
    own = simulate_chunk(setup(), np.array([5]), branch=Branch(0, 5))
    assert np.array_equal(plain.monthly, own.monthly)
    assert np.array_equal(plain.events, own.events)
    assert np.array_equal(plain.params, own.params)


def test_branched_runs_share_the_actual_past_and_spread_after_it():
    month = 12
    actual = simulate_chunk(setup(), np.array([0]))
    runs = simulate_chunk(setup(), np.arange(1, 201), branch=Branch(month, 0))
    assert (runs.params == actual.params[0]).all()
    before = runs.monthly[:, :month]
    assert np.array_equal(before, np.broadcast_to(actual.monthly[:, :month], before.shape))
    assert np.array_equal(runs.events[:, :month],
                          np.broadcast_to(actual.events[:, :month], runs.events[:, :month].shape))
    differs = (runs.monthly[:, month + 11] != actual.monthly[0, month + 11]).any(axis=1)
    assert differs.mean() > 0.9  # a year on, nearly every future has left the actual one


# --- the game ----------------------------------------------------------------------------------

def test_every_branch_of_a_turn_starts_in_the_actual_state():
    game = new_game()
    game.commit([Move(1, "alliance", {"exercise_intensity": 0.5})])
    month = game.turn_month(2)
    res = branching.branch(game.setup(game.levers), month, RUNS)
    last = res.monthly[:, month - 1]
    assert np.array_equal(last, np.broadcast_to(game.actual.monthly[0, month - 1], last.shape))


def test_a_move_to_the_levers_in_force_has_a_paired_effect_of_exactly_zero():
    game = new_game()
    in_force = {name: float(game.levers[name][0]) for name in SEATS["alliance"]}
    look = game.preview([Move(1, "alliance", in_force)])
    for effect in look["effects"].values():
        assert effect == {"mean": 0.0, "p05": 0.0, "p95": 0.0}
    assert look["before"]["probabilities"] == look["after"]["probabilities"]


def test_a_move_changes_the_outlook_on_the_same_futures():
    game = new_game(runs=500)
    look = game.preview([Move(1, "alliance", {"open_communication": 1.0,
                                              "multilateral_engagement": 1.0})])
    assert look["effects"]["p_clash_remaining"]["mean"] < 0.0
    assert look["after"]["probabilities"]["p_war_1y"]["parameter_interval_90"] is None


def test_an_inject_shows_in_the_event_log_in_its_month():
    game = new_game(turns=2)
    play(game, [], [Inject(2, "missile_launch", month=2, missiles=9, days=4)])
    rows = [r for rec in game.played for r in rec.events if r["event"] == "missile_launch"]
    forced = [r for r in rows if r["month_index"] == 4]
    assert len(forced) == 1 and forced[0]["count"] == 9 and forced[0]["turn"] == 2
    assert int(game.actual.events[0, 4, EVENT_INDEX["missile_launch"]]) == 9


def test_a_forced_incident_and_a_nuclear_test_show_in_the_event_log_at_their_turns():
    game = new_game(turns=2)
    play(game, [], [Inject(1, "nuclear_test", month=3),
                    Inject(2, "armed_clash", month=2, kind="sinking")])
    rows = {(r["event"], r["month_index"]): r for rec in game.played for r in rec.events}
    test, clash = rows[("nuclear_test", 2)], rows[("armed_clash", 4)]
    assert (test["turn"], test["count"], test["cameo"]) == (1, 1, "15")
    assert (clash["turn"], clash["count"], clash["cameo"]) == (2, 1, "18")
    assert "nuclear test" in test["words"] and "armed clash" in clash["words"]
    events = game.actual.events[0]
    assert [t for t in range(6) if events[t, EVENT_INDEX["nuclear_test"]]] == [2]
    assert events[4, EVENT_INDEX["armed_clash"]] == 1
    assert game.actual.monthly[0, 4, COLUMN["escalation_level"]] >= LEVEL_NAMES.index(
        "armed_clash")
    assert game.played[1].state_after["incidents"] >= 1
    words = [i.words() for rec in game.played for i in rec.injects]
    assert words == ["inject: the DPRK conducts a nuclear test",
                     "inject: a sinking (an armed clash between the DPRK's and South Korea's "
                     "forces, a contained incident)"]


def test_a_forced_incident_makes_a_clash_certain_in_every_future_of_the_preview():
    game = new_game(runs=200)
    look = game.preview([], [Inject(1, "armed_clash", month=3)])
    assert look["after"]["probabilities"]["p_clash_1y"]["p"] == 1.0
    assert look["after"]["probabilities"]["p_clash_remaining"]["p"] == 1.0
    free = game.outlook()["probabilities"]["p_clash_1y"]["p"]
    assert free < 1.0


def test_the_played_past_never_changes_when_later_turns_are_played():
    game = new_game(turns=3)
    game.commit([])
    first = game.actual.monthly[0, :3].copy()
    game.commit([Move(2, "alliance", {"exercise_intensity": 2.0, "sanctions_pressure": 0.0})])
    game.commit([Move(3, "alliance", {"strategic_clarity": 1.0})])
    assert np.array_equal(game.actual.monthly[0, :3], first)


def test_the_example_script_parses_into_four_turns_and_one_inject():
    moves, injects = parse_moves(tomllib.loads(EXAMPLE_SCRIPT), 4, 3, "alliance", "example")
    assert sorted({m.turn for m in moves}) == [1, 2, 3, 4]
    assert [(i.turn, i.event, i.missiles) for i in injects] == [(3, "missile_launch", 6)]
    assert set(INJECTS) <= set(EVENT_INDEX)


# --- the command line ----------------------------------------------------------------------------

def invoke(args: list[str]):
    return CliRunner().invoke(app, args)


def test_play_a_script_then_its_replay_gives_the_same_files_byte_for_byte(tmp_path):
    script = tmp_path / "moves.toml"
    res = invoke(["play", "--print-script"])
    assert res.exit_code == 0
    script.write_text(res.stdout)
    g1, g2 = tmp_path / "G", tmp_path / "G2"
    res = invoke(["play", "baseline", "--script", str(script), "--runs", str(RUNS),
                  "--seed", str(SEED), "--out", str(g1)])
    assert res.exit_code == 0, res.output
    for name in ("replay.json", "events.csv", "turns.csv", "debrief.json", "debrief.html"):
        assert (g1 / name).is_file()
    replay = json.loads((g1 / "replay.json").read_text())
    assert replay["seed"] == SEED and replay["scenario"] == "baseline"
    assert len(replay["moves"]) == 4 and replay["injects"][0]["turn"] == 3
    assert replay["scenario_sha256"] == peninsula.load_scenario("baseline").hash()
    res = invoke(["play", "--replay", str(g1 / "replay.json"), "--out", str(g2)])
    assert res.exit_code == 0, res.output
    for name in ("replay.json", "events.csv", "turns.csv"):
        assert (g1 / name).read_bytes() == (g2 / name).read_bytes()
    assert len((g1 / "turns.csv").read_text().splitlines()) == 5
    doc = json.loads((g1 / "debrief.json").read_text())
    assert {"turns", "counterfactual", "pivotal_turns", "path"} <= set(doc)
    assert len(doc["turns"]) == 4
    assert {"status_quo_from_start", "hold_from_each_turn"} == set(doc["counterfactual"])
    assert len(doc["counterfactual"]["hold_from_each_turn"]) == 4
    assert doc["pivotal_turns"][0]["channels"]["channels"].keys() >= {"deterrence", "beliefs"}
    shares = doc["path"]["policy_distribution"]["rung_shares"]
    assert sum(shares.values()) == pytest.approx(1.0)
    assert "<svg" in (g1 / "debrief.html").read_text()


SCRIPT_WITH_EVERY_INJECT = """
[[move]]
turn = 1
levers = { open_communication = 0.6 }

[[inject]]
turn = 1
month = 2
event = "nuclear_test"

[[inject]]
turn = 2
month = 3
event = "armed_clash"
kind = "shelling"

[[inject]]
turn = 2
event = "talks"
held = false
"""


def test_a_script_with_an_incident_and_a_nuclear_test_replays_byte_for_byte(tmp_path):
    script = tmp_path / "injects.toml"
    script.write_text(SCRIPT_WITH_EVERY_INJECT)
    g1, g2 = tmp_path / "G", tmp_path / "G2"
    res = invoke(["play", "baseline", "--script", str(script), "--runs", "50", "--seed",
                  str(SEED), "--out", str(g1)])
    assert res.exit_code == 0, res.output
    replay = json.loads((g1 / "replay.json").read_text())
    assert replay["injects"] == [
        {"turn": 1, "month": 2, "event": "nuclear_test"},
        {"turn": 2, "month": 3, "event": "armed_clash", "kind": "shelling"},
        {"turn": 2, "month": 1, "event": "talks", "held": False}]
    res = invoke(["play", "--replay", str(g1 / "replay.json"), "--out", str(g2)])
    assert res.exit_code == 0, res.output
    for name in ("replay.json", "events.csv", "turns.csv"):
        assert (g1 / name).read_bytes() == (g2 / name).read_bytes()
    events = (g1 / "events.csv").read_text()
    assert "nuclear_test" in events and "armed_clash" in events
    turns = (g1 / "turns.csv").read_text()
    assert "inject: the DPRK conducts a nuclear test" in turns
    assert "inject: a shelling" in turns
    assert "a shelling" in (g1 / "debrief.html").read_text()


@pytest.mark.parametrize(("body", "words"), [
    ("[[inject]]\nturn = 1\nevent = \"armed_clash\"\nkind = \"duel\"\n",
     "kind = 'duel' is not an incident; allowed: exchange_of_fire, sinking, shelling"),
    ("[[inject]]\nturn = 1\nevent = \"nuclear_test\"\nmissiles = 3\n",
     "field 'missiles' does not apply to event = 'nuclear_test'; it takes no other field"),
    ("[[inject]]\nturn = 1\nevent = \"talks\"\nkind = \"sinking\"\n",
     "field 'kind' does not apply to event = 'talks'; it takes held"),
    ("[[move]]\nturn = 1\nlevers = { exercise_intensity = 3.0 }\n",
     "levers.exercise_intensity = 3.0 is outside 0 to 2"),
    ("[[move]]\nturn = 1\nlevers = { warp_drive = 1.0 }\n", "levers.warp_drive"),
    ("[[move]]\nturn = 1\nlevers = { talks_override = 1.0 }\n", "is set by the dprk seat"),
    ("[[move]]\nturn = 9\nlevers = { exercise_intensity = 1.0 }\n",
     "turn = 9 is outside 1 to 4"),
    ("[[inject]]\nturn = 1\nevent = \"sinking\"\n", "event = 'sinking' is not an inject"),
    ("[[move]\nturn = 1\n", "not a TOML script"),
])
def test_bad_scripts_exit_2_with_one_line_naming_file_and_field(tmp_path, body, words):
    script = tmp_path / "bad.toml"
    script.write_text(body)
    res = invoke(["play", "baseline", "--script", str(script), "--turns", "4", "--runs", "10",
                  "--out", str(tmp_path / "G")])
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "bad.toml" in lines[0] and words in lines[0], res.stderr


def test_turns_beyond_the_horizon_are_refused(tmp_path):
    res = invoke(["play", "baseline", "--turns", "41", "--months-per-turn", "3", "--runs", "10",
                  "--script", "/dev/null", "--out", str(tmp_path / "G")])
    assert res.exit_code == 2
    assert res.stderr.strip() == ("--turns: 41 is outside 1 to 40 (3-month turns within the "
                                  "scenario's 120-month horizon)")


def test_a_malformed_or_altered_replay_file_is_refused(tmp_path):
    bad = tmp_path / "replay.json"
    bad.write_text("{not json")
    res = invoke(["play", "--replay", str(bad), "--out", str(tmp_path / "G")])
    assert res.exit_code == 2 and "replay.json: not a replay file" in res.stderr
    game = new_game(turns=1)
    play(game, [], [])
    from peninsula.wargame.files import replay_doc

    doc = replay_doc(game)
    doc["scenario_sha256"] = "0" * 64
    bad.write_text(json.dumps(doc))
    res = invoke(["play", "--replay", str(bad), "--out", str(tmp_path / "G")])
    assert res.exit_code == 2 and "scenario_sha256 does not match" in res.stderr
    doc = replay_doc(game)
    doc["moves"] = [{"turn": 1, "seat": "alliance", "levers": {"sanctions_pressure": 5}}]
    bad.write_text(json.dumps(doc))
    res = invoke(["play", "--replay", str(bad), "--out", str(tmp_path / "G")])
    assert res.exit_code == 2
    assert "move 1: levers.sanctions_pressure = 5 is outside 0 to 1" in res.stderr


def test_the_terminal_takes_a_facilitators_inject_before_the_move(tmp_path):
    from peninsula.cli.play_terminal import parse_inject

    game = new_game(turns=2)
    assert parse_inject("inject armed_clash month=2 kind=sinking", game) == \
        Inject(1, "armed_clash", 2, kind="sinking")
    assert parse_inject("inject talks held=false", game) == Inject(1, "talks", held=False)
    with pytest.raises(ScriptError, match="month = 4 is outside 1 to 3"):
        parse_inject("inject nuclear_test month=4", game)
    res = CliRunner().invoke(app, ["play", "baseline", "--turns", "1", "--runs", "10",
                                   "--seed", str(SEED), "--out", str(tmp_path / "G")],
                             input="inject nuclear_test month=2\n\ny\n")
    assert res.exit_code == 0, res.output
    replay = json.loads((tmp_path / "G" / "replay.json").read_text())
    assert replay["injects"] == [{"turn": 1, "month": 2, "event": "nuclear_test"}]
    assert "nuclear_test" in (tmp_path / "G" / "events.csv").read_text()


def test_a_move_of_another_turn_is_refused():
    game = new_game()
    with pytest.raises(ScriptError, match="the turn being played is 1"):
        game.commit([Move(2, "alliance", {"exercise_intensity": 1.0})])
