"""``peninsula play``: the wargame in the terminal (src/peninsula/wargame/).

With ``--script MOVES.toml`` the game is played without questions (for tests and for preparing
exercises); ``--replay GAME/replay.json`` plays a recorded game again, byte for byte;
``--print-script`` prints a commented example script. Without a script the team is asked for
its moves turn by turn: it sees the state now, the events of the turn just played and what may
come next under the levers in force, may preview any move on the same futures, and commits;
``--turn-minutes M`` gives each turn M minutes (interactive play only: refused with
``--script`` and ``--replay``, which ask no questions).
The game folder (``--out``) gets replay.json, events.csv, turns.csv, debrief.json and
debrief.html.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from peninsula.cli import running as R
from peninsula.cli.app import app
from peninsula.cli.options import in_range, out_path, range_metavar, seed_opt
from peninsula.cli.render import err, out

RUNS_HELP = "Futures per branched ensemble (10 to 100,000)."
DEFAULT_OUT = "game"


@app.command("play")
def play(
    scenario: Annotated[str | None, typer.Argument(
        help="Bundled scenario name or a TOML/YAML file (not with --replay).")] = None,
    team: Annotated[str, typer.Option(help="The seat the team plays: alliance or dprk.")]
    = "alliance",
    months_per_turn: Annotated[int, typer.Option(
        callback=in_range("--months-per-turn", 1, 120), metavar=range_metavar(1, 120),
        help="Months a turn covers.")] = 3,
    turns: Annotated[int | None, typer.Option(
        callback=in_range("--turns", 1, 120), metavar=range_metavar(1, 120),
        help="Turns to play (default: the script's last turn, else 4).")] = None,
    seed: seed_opt("The game's seed: the actual future and every branch.") = None,
    runs: Annotated[int, typer.Option(callback=in_range("--runs", 10, 100_000),
                                      metavar=range_metavar(10, 100_000), help=RUNS_HELP)]
    = 2000,
    out_dir: Annotated[Path | None, typer.Option(
        "--out", parser=out_path, help="The game folder (default: ./game).")] = None,
    script: Annotated[Path | None, typer.Option(
        help="Play the moves and injects of this TOML script, without questions.")] = None,
    replay: Annotated[Path | None, typer.Option(
        help="Play a recorded game (GAME/replay.json) again.")] = None,
    print_script: Annotated[bool, typer.Option(
        "--print-script", help="Print a commented example script of four turns and exit.")]
    = False,
    turn_minutes: Annotated[str | None, typer.Option(
        metavar="MINUTES", help="Interactive play: the minutes a turn is given (more than 0, at "
        "most 1,440), shown at each prompt; when they run out the turn is committed with the "
        "move entered so far (none: the levers are held). Default: no timer.")] = None,
) -> None:
    """Play the alliance's levers turn by turn against the model, then read the debrief."""
    from peninsula.wargame import clock, session
    from peninsula.wargame.moves import EXAMPLE_SCRIPT, parse_moves, read_script, script_turns

    if print_script:
        typer.echo(EXAMPLE_SCRIPT, nl=False)
        return
    out_dir = out_dir or Path(DEFAULT_OUT)
    with R.checked():
        minutes = None if turn_minutes is None else clock.turn_minutes(turn_minutes)
        if minutes is not None and (script is not None or replay is not None):
            R.usage_error(f"--turn-minutes: times interactive play only; a "
                          f"{'--script' if script is not None else '--replay'} game asks no "
                          "questions (drop --turn-minutes)")
        if replay is not None:
            if scenario is not None or script is not None:
                R.usage_error("--replay: give no scenario and no --script (the replay file "
                              "names both)")
            started = time.perf_counter()
            doc = session.replay_game(replay, out_dir)
            report(doc, out_dir, time.perf_counter() - started)
            return
        from peninsula.wargame.game import Game

        sc = R.load(scenario or "baseline", None)
        moves_doc = read_script(script) if script is not None else None  # read once: a pipe
        if turns is None:
            turns = max(script_turns(moves_doc), 1) if moves_doc is not None else 4
        game = Game(sc, scenario or "baseline", sc.seed if seed is None else seed, runs,
                    months_per_turn, turns, team)
        started = time.perf_counter()
        if moves_doc is not None:
            moves, injects = parse_moves(moves_doc, turns, months_per_turn, team, str(script))
            doc = session.play_game(game, moves, injects, out_dir)
        else:
            from peninsula.cli.play_terminal import interactive

            try:
                interactive(game, minutes)
            except EOFError:
                R.usage_error("play: standard input ended before the game did; play without "
                              "questions with --script MOVES.toml")
            except KeyboardInterrupt:
                err.print("interrupted: the game was not written", highlight=False)
                raise typer.Exit(130) from None
            doc = session.finish(game, out_dir)
        report(doc, out_dir, time.perf_counter() - started)


def report(doc: dict, folder: Path, seconds: float) -> None:
    """Where the game was written, and its turns in one table."""
    from rich.table import Table

    from peninsula.analysis import registry

    war = registry.metric("p_war")
    table = Table(title=f"{doc['headline']}, by turn", title_justify="left")
    for col in ("Turn", "Month", "Moves", "Held", "Move", "Paired effect"):
        table.add_column(col)
    for t in doc["turns"]:
        moves = ", ".join(f"{c['lever']} {c['from']:g}->{c['to']:g}" for c in t["changes"])
        table.add_row(str(t["turn"]), t["month"], moves or "hold",
                      war.format(t["p_war_remaining_held"]), war.format(t["p_war_remaining_move"]),
                      war.format_estimate(t["effect"]["p_war_remaining"], difference=True))
    out.print(table)
    err.print(f"game written to {folder} (replay.json, events.csv, turns.csv, debrief.json, "
              f"debrief.html) in {seconds:.1f} s", highlight=False, soft_wrap=True)
