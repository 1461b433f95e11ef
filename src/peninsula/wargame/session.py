"""A whole game as the faces call it: from a script's moves or a replay file to a game folder.

``play_game`` plays every turn, writes replay.json, events.csv and turns.csv, then the
debrief (debrief.json and debrief.html); ``replay_game`` reads a replay file, checks that the
scenario is the one played (its SHA-256), and plays the same moves again.
"""

from __future__ import annotations

import sys
from pathlib import Path

from peninsula._version import __version__
from peninsula.io.store import write_json, write_text
from peninsula.scenario.loader import load_scenario
from peninsula.wargame.debrief import debrief
from peninsula.wargame.debrief_html import render
from peninsula.wargame.files import read_replay, replay_moves, write_game
from peninsula.wargame.game import Game, play
from peninsula.wargame.moves import Inject, Move, ScriptError, parse_moves, read_script


def moves_from_script(path: str | Path, turns: int, months_per_turn: int, team: str
                      ) -> tuple[list[Move], list[Inject]]:
    """A script file's moves and injects, checked against the game's turns."""
    return parse_moves(read_script(path), turns, months_per_turn, team, str(path))


def finish(game: Game, out: str | Path, with_debrief: bool = True) -> dict:
    """Write the game folder and, with ``with_debrief``, the debrief; return the debrief (or
    an empty dict)."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ScriptError(f"--out: {out} is a file; give a folder for the game")
    write_game(game, out)
    if not with_debrief:
        return {}
    doc = debrief(game)
    write_json(doc, out / "debrief.json")
    write_text(render(doc), out / "debrief.html")
    return doc


def play_game(game: Game, moves: list[Move], injects: list[Inject], out: str | Path,
              with_debrief: bool = True) -> dict:
    """Play the remaining turns with ``moves`` and ``injects`` and write the game folder."""
    play(game, moves, injects)
    return finish(game, out, with_debrief)


def game_from_replay(path: str | Path) -> tuple[Game, list[Move], list[Inject]]:
    """A new game set up as the replay file says, and its moves and injects."""
    doc = read_replay(path)
    scenario = load_scenario(doc["scenario"])
    if scenario.hash() != doc["scenario_sha256"]:
        raise ScriptError(f"{path}: scenario_sha256 does not match the scenario "
                          f"{doc['scenario']!r} as it loads now (it has changed since the "
                          "game was played)")
    if doc["package_version"] != __version__:
        sys.stderr.write(f"{path}: played with peninsula {doc['package_version']}, replayed "
                         f"with {__version__}; the model may differ\n")
    game = Game(scenario, doc["scenario"], doc["seed"], doc["runs"], doc["months_per_turn"],
                doc["turns"], doc["team"])
    moves, injects = replay_moves(doc, str(path))
    return game, moves, injects


def replay_game(path: str | Path, out: str | Path, with_debrief: bool = True) -> dict:
    """Play a replay file's game again into ``out``."""
    game, moves, injects = game_from_replay(path)
    return play_game(game, moves, injects, out, with_debrief)
