"""The facilitator's turn timer in the terminal game, as a specification: a turn whose time runs
out is committed with the move entered so far (none: the levers are held) and the terminal says
so, even when the input never answers; a timed game's files are those of the same moves played
by a script; bad values and scripted games are refused with the flag's one line."""

from __future__ import annotations

import json
import os
import time

import pytest
from typer.testing import CliRunner

import peninsula
from peninsula.cli import app
from peninsula.cli.play_terminal import TimedAnswers, interactive
from peninsula.wargame import session
from peninsula.wargame.clock import TurnClock, mm_ss, turn_minutes
from peninsula.wargame.files import events_csv, replay_doc, turns_csv
from peninsula.wargame.game import Game
from peninsula.wargame.moves import Move

SEED, RUNS = 3, 10
TINY = 0.002  # minutes: 0.12 s a turn


def new_game(turns: int = 1) -> Game:
    return Game(peninsula.load_scenario("baseline"), "baseline", SEED, RUNS, 3, turns)


@pytest.fixture
def pipe():
    """A pipe whose write end stays open: input that never answers unless written to."""
    read_end, write_end = os.pipe()
    reader = os.fdopen(read_end, "r")
    yield reader, write_end
    reader.close()
    os.close(write_end)


# --- the clock ----------------------------------------------------------------------------------

def test_the_clock_counts_down_from_the_turns_minutes_and_says_when_time_is_up():
    clock = TurnClock(2, 1.5, started=100.0)
    assert clock.left(now=130.0) == 60.0 and not clock.up(now=130.0)
    assert clock.words(now=130.0) == "1:00 left"
    assert clock.words(now=189.2) == "0:01 left"  # rounded up: 0:00 only once it is up
    assert clock.up(now=190.0) and clock.words(now=190.0) == "time is up"
    assert mm_ss(600) == "10:00" and mm_ss(-5) == "0:00"


@pytest.mark.parametrize("raw", ["0", "-1", "1441", "nan", "inf", "ten"])
def test_minutes_outside_the_range_are_refused_naming_the_flag_and_the_range(raw):
    with pytest.raises(ValueError, match=rf"^--turn-minutes {raw}: .*allowed: a number of "
                                         r"minutes greater than 0 and at most 1,440$"):
        turn_minutes(raw)
    assert turn_minutes("0.5") == 0.5 and turn_minutes("1440") == 1440.0


# --- reading answers against the clock ----------------------------------------------------------

def test_answers_are_read_line_by_line_until_the_deadline(pipe):
    reader, write_end = pipe
    os.write(write_end, b"exercise_intensity=0.5\ny\npartial")
    answers = TimedAnswers(reader)
    deadline = time.monotonic() + 0.2
    assert answers.line(deadline) == "exercise_intensity=0.5"
    assert answers.line(deadline) == "y"
    started = time.monotonic()
    assert answers.line(deadline) is None  # a line without its end is not an answer yet
    assert time.monotonic() - started < 1.0
    os.write(write_end, b" line\n")
    assert answers.line(time.monotonic() + 1.0) == "partial line"


def test_an_answer_after_the_deadline_is_not_taken():
    class NoDescriptor:  # e.g. Windows, or input replaced by a test runner
        def readline(self):
            time.sleep(0.05)
            return "exercise_intensity=0.5\n"

    answers = TimedAnswers(NoDescriptor())
    assert answers.fd is None
    assert answers.line(time.monotonic() + 1.0) == "exercise_intensity=0.5"
    assert answers.line(time.monotonic() + 0.01) is None


def test_the_end_of_the_input_ends_the_game_as_without_a_timer():
    read_end, write_end = os.pipe()
    os.close(write_end)
    with os.fdopen(read_end, "r") as reader, pytest.raises(EOFError):
        TimedAnswers(reader).line(time.monotonic() + 1.0)


# --- the game ---------------------------------------------------------------------------------

def test_input_that_never_answers_holds_the_levers_each_turn_and_the_terminal_says_so(
        pipe, capsys):
    reader, _ = pipe
    game = new_game(turns=2)
    started = time.monotonic()
    interactive(game, TINY, stdin=reader)
    assert time.monotonic() - started < 30
    assert [rec.moves for rec in game.played] == [[], []]
    shown = capsys.readouterr().out
    assert "Move (name=value ..., empty to hold) [0:01 left]: " in shown
    for turn in (1, 2):
        assert (f"Time is up for turn {turn} ({TINY:g} min a turn): the turn is committed "
                "holding the levers in force (no move was entered).") in shown


def test_a_move_entered_and_not_yet_confirmed_is_committed_when_time_runs_out(pipe, capsys):
    reader, write_end = pipe
    os.write(write_end, b"inject nuclear_test month=2\nexercise_intensity=0.5\n")
    game = new_game()
    interactive(game, 0.05, stdin=reader)  # 3 s: the preview is shown, the yes never comes
    (record,) = game.played
    assert record.moves == [Move(1, "alliance", {"exercise_intensity": 0.5})]
    assert [i.event for i in record.injects] == ["nuclear_test"]
    assert ("Time is up for turn 1 (0.05 min a turn): the turn is committed with the move "
            "entered (exercise_intensity=0.5) and the inject entered.") in \
        capsys.readouterr().out


def test_a_move_declined_is_not_committed_when_time_runs_out(pipe):
    reader, write_end = pipe
    os.write(write_end, b"exercise_intensity=0.5\nn\n")
    game = new_game()
    interactive(game, 0.05, stdin=reader)
    assert game.played[0].moves == []


def test_a_timed_game_writes_the_files_of_the_same_moves_played_by_a_script(pipe, tmp_path):
    reader, write_end = pipe
    os.write(write_end, b"exercise_intensity=0.5\ny\n")  # turn 1 answered, turn 2 runs out
    timed = new_game(turns=2)
    interactive(timed, 0.05, stdin=reader)
    scripted = new_game(turns=2)
    session.play_game(scripted, [Move(1, "alliance", {"exercise_intensity": 0.5})], [],
                      tmp_path / "G", with_debrief=False)
    assert replay_doc(timed) == json.loads((tmp_path / "G" / "replay.json").read_text())
    assert events_csv(timed) == (tmp_path / "G" / "events.csv").read_text()
    assert turns_csv(timed) == (tmp_path / "G" / "turns.csv").read_text()


# --- the command line ---------------------------------------------------------------------------

def test_play_with_a_timer_on_input_that_never_answers_writes_the_game(pipe, tmp_path,
                                                                        monkeypatch, capsys):
    reader, _ = pipe
    monkeypatch.setattr("sys.stdin", reader)
    with pytest.raises(SystemExit) as done:
        app(["play", "baseline", "--turns", "1", "--runs", str(RUNS), "--seed", str(SEED),
             "--turn-minutes", str(TINY), "--out", str(tmp_path / "G")])
    assert done.value.code in (0, None)
    assert "Time is up for turn 1" in capsys.readouterr().out
    assert json.loads((tmp_path / "G" / "replay.json").read_text())["moves"] == []
    assert ",hold," in (tmp_path / "G" / "turns.csv").read_text()


@pytest.mark.parametrize(("args", "line"), [
    (["--turn-minutes", "0"], "--turn-minutes 0: out of range; allowed: a number of minutes "
                              "greater than 0 and at most 1,440"),
    (["--turn-minutes=-2"], "--turn-minutes -2: out of range; allowed: a number of minutes "
                            "greater than 0 and at most 1,440"),
    (["--turn-minutes", "soon"], "--turn-minutes soon: not a number; allowed: a number of "
                                 "minutes greater than 0 and at most 1,440"),
    (["--turn-minutes", "5", "--script", "/dev/null"],
     "--turn-minutes: times interactive play only; a --script game asks no questions (drop "
     "--turn-minutes)"),
])
def test_bad_timer_values_and_a_timer_with_a_script_are_refused_in_one_line(tmp_path, args,
                                                                             line):
    res = CliRunner().invoke(app, ["play", "baseline", "--runs", str(RUNS), *args,
                                   "--out", str(tmp_path / "G")])
    assert res.exit_code == 2
    assert res.stderr.strip() == line
    assert not (tmp_path / "G").exists()


def test_a_timer_with_a_replay_is_refused(tmp_path):
    res = CliRunner().invoke(app, ["play", "--replay", str(tmp_path / "replay.json"),
                                   "--turn-minutes", "5", "--out", str(tmp_path / "G")])
    assert res.exit_code == 2
    assert res.stderr.strip() == ("--turn-minutes: times interactive play only; a --replay "
                                  "game asks no questions (drop --turn-minutes)")


def test_without_a_timer_the_prompts_are_as_before(tmp_path):
    res = CliRunner().invoke(app, ["play", "baseline", "--turns", "1", "--runs", str(RUNS),
                                   "--seed", str(SEED), "--out", str(tmp_path / "G")],
                             input="\ny\n")
    assert res.exit_code == 0, res.output
    assert "left]" not in res.output and "Time is up" not in res.output

