"""Interactive play in the terminal (``peninsula play`` without a script): rich prompts.

Each turn shows the state now, the last turn's events and the outlook under the levers in
force; the team types lever settings (``name=value``, several separated by spaces), sees the
preview on the same futures, and commits or changes them. An empty line holds the levers. The
facilitator may add an inject to the turn before the move (``inject EVENT field=value ...``,
the fields of a script's ``[[inject]]``, e.g. ``inject armed_clash month=2 kind=sinking``);
it is in force in the preview and is played with the move.
"""

from __future__ import annotations

import time

from rich.prompt import Confirm, Prompt
from rich.table import Table

from peninsula.analysis import registry
from peninsula.cli.render import out
from peninsula.wargame.moves import (
    INJECT_FIELDS,
    INJECTS,
    SEATS,
    Inject,
    Move,
    ScriptError,
    check_inject,
    check_move,
    lever_range,
)


def show_state(game, state: dict) -> None:
    table = Table(title=f"Turn {game.next_turn} of {game.turns}: the state at "
                        f"{state['as_of']}", title_justify="left")
    table.add_column("")
    table.add_column("")
    table.add_row("Ladder", state["rung_words"])
    for name in ("tension", "alignment", "cohesion", "dprk_capability"):
        table.add_row(name.replace("_", " "), f"{state[name]:.2f}")
    table.add_row("talks", "running" if state["talks_active"] else "none")
    table.add_row("DPRK trust in the US", f"{state['trust_PRK_USA']:.2f}")
    table.add_row("launches / incidents last turn", f"{state['launches']} / {state['incidents']}")
    out.print(table)


def show_outlook(title: str, look: dict) -> None:
    table = Table(title=title, title_justify="left")
    table.add_column("")
    table.add_column("probability")
    table.add_column("90% interval (simulation)")
    for p in look["probabilities"].values():
        lo, hi = p["simulation_interval_90"]
        table.add_row(p["label"], registry.percent(p["p"]),
                      f"{registry.percent(lo)} to {registry.percent(hi)}")
    out.print(table)
    out.print(look["note"], style="dim")


def parse_line(line: str, game, seat: str) -> list[Move]:
    levers = {}
    for item in line.split():
        name, _, value = item.partition("=")
        try:
            levers[name] = float(value)
        except ValueError:
            raise ScriptError(f"{item!r}: write name=value, e.g. exercise_intensity=0.8") from None
    return [check_move(Move(game.next_turn, seat, levers), game.turns, "move")] if levers else []


def parse_inject(line: str, game) -> Inject:
    """An inject of the turn being played from 'inject EVENT field=value ...'."""
    words = line.split()[1:]
    if not words:
        raise ScriptError("inject: name the event, e.g. inject armed_clash month=2 "
                          f"kind=sinking; events: {', '.join(INJECTS)}")
    raw: dict = {"turn": game.next_turn, "event": words[0]}
    for item in words[1:]:
        name, _, value = item.partition("=")
        raw[name] = _scalar(value)
    return check_inject(raw, game.turns, game.months_per_turn, "inject")


def _scalar(text: str) -> object:
    """A typed value as a script's TOML would give it: true/false, a whole number, or text."""
    if text in ("true", "false"):
        return text == "true"
    try:
        return int(text)
    except ValueError:
        return text


def interactive(game, turn_minutes: float = 0.0) -> None:
    """Play every turn with the team's answers at the prompt."""
    seat = game.team
    ranges = ", ".join(f"{n} {lever_range(n)[0]:g}-{lever_range(n)[1]:g}" for n in SEATS[seat])
    while not game.over:
        started = time.monotonic()
        month = game.turn_month(game.next_turn)
        show_state(game, game.state(month))
        if game.played:
            for row in game.played[-1].events:
                out.print(f"  {row['month']}: {row['words']}", highlight=False)
        show_outlook("What may come next under the levers in force", game.outlook())
        out.print(f"Levers ({seat}): {ranges}", highlight=False)
        out.print("Facilitator: 'inject EVENT field=value ...' adds an inject to this turn ("
                  + "; ".join(f"{e}: {', '.join(f) or 'no fields'}"
                              for e, f in INJECT_FIELDS.items()) + "; month=1.. of the turn)",
                  style="dim", highlight=False)
        injects: list[Inject] = []
        while True:
            left = ""
            if turn_minutes > 0:
                remaining = turn_minutes * 60 - (time.monotonic() - started)
                left = f" [{max(remaining, 0) / 60:.1f} min left]"
            line = Prompt.ask(f"Move{left} (name=value ..., empty to hold)", default="")
            try:
                if line.split()[:1] == ["inject"]:
                    injects.append(parse_inject(line, game))
                    out.print(injects[-1].words(), highlight=False)
                    continue
                moves = parse_line(line, game, seat)
            except ScriptError as exc:
                out.print(str(exc), style="red", highlight=False)
                continue
            look = game.preview(moves, injects)
            show_outlook("Preview: under the move (same futures)", look["after"])
            effect = look["effects"]["p_war_remaining"]
            out.print("Paired effect on " + registry.metric("p_war").label + " within the "
                      "remaining horizon: "
                      + registry.metric("p_war").format_estimate(effect, difference=True))
            if Confirm.ask("Commit this move?", default=True):
                game.commit(moves, injects)
                break
