"""Interactive play in the terminal (``peninsula play`` without a script): rich prompts.

Each turn shows the state now, the last turn's events and the outlook under the levers in
force; the team types lever settings (``name=value``, several separated by spaces), sees the
preview on the same futures, and commits or changes them. An empty line holds the levers. The
facilitator may add an inject to the turn before the move (``inject EVENT field=value ...``,
the fields of a script's ``[[inject]]``, e.g. ``inject armed_clash month=2 kind=sinking``);
it is in force in the preview and is played with the move.

With a turn timer (``--turn-minutes``) every prompt shows the time left, and when it runs out
the turn is committed with the move entered so far (a move previewed and not yet answered;
none: the levers in force are held) and the injects added, and the terminal says so.
"""

from __future__ import annotations

import os
import select
import sys
import time

from rich.prompt import Confirm, Prompt
from rich.table import Table

from peninsula.analysis import registry
from peninsula.cli.render import out
from peninsula.wargame.clock import TurnClock
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


def interactive(game, turn_minutes: float | None = None, stdin=None) -> None:
    """Play every turn with the team's answers at the prompt; with ``turn_minutes``, each
    turn is committed when its time runs out, with the move entered so far (``stdin``: where
    the answers come from, standard input by default)."""
    seat = game.team
    answers = TimedAnswers(stdin or sys.stdin) if turn_minutes else None
    while not game.over:
        show_turn(game, seat)
        clock = TurnClock(game.next_turn, turn_minutes) if turn_minutes else None
        game.commit(*ask_for_the_move(game, seat, answers, clock))


def show_turn(game, seat: str) -> None:
    """The state now, the last turn's events, the outlook under the levers in force, and the
    levers the seat may set."""
    ranges = ", ".join(f"{n} {lever_range(n)[0]:g}-{lever_range(n)[1]:g}" for n in SEATS[seat])
    show_state(game, game.state(game.turn_month(game.next_turn)))
    if game.played:
        for row in game.played[-1].events:
            out.print(f"  {row['month']}: {row['words']}", highlight=False)
    show_outlook("What may come next under the levers in force", game.outlook())
    out.print(f"Levers ({seat}): {ranges}", highlight=False)
    out.print("Facilitator: 'inject EVENT field=value ...' adds an inject to this turn ("
              + "; ".join(f"{e}: {', '.join(f) or 'no fields'}"
                          for e, f in INJECT_FIELDS.items()) + "; month=1.. of the turn)",
              style="dim", highlight=False)


def ask_for_the_move(game, seat: str, answers: TimedAnswers | None, clock: TurnClock | None
                     ) -> tuple[list[Move], list[Inject]]:
    """The turn's move and injects: a move line, its preview on the same futures, and the
    team's yes; with a clock, what was entered when its time ran out."""
    injects: list[Inject] = []
    while True:
        line = ask(MOVE_PROMPT, answers, clock)
        if line is None:
            return time_up(clock, [], injects)
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
        yes = confirm("Commit this move?", answers, clock)
        if yes is None:
            return time_up(clock, moves, injects)
        if yes:
            return moves, injects


MOVE_PROMPT = "Move (name=value ..., empty to hold)"


def ask(text: str, answers: TimedAnswers | None, clock: TurnClock | None) -> str | None:
    """The answer to a prompt; with a clock, the prompt shows the time left and the answer is
    None when it runs out first."""
    if clock is None:
        return Prompt.ask(text, default="")
    out.print(f"{text} [{clock.words()}]: ", end="", markup=False, highlight=False,
              soft_wrap=True)
    out.file.flush()
    return answers.line(clock.deadline)


def confirm(text: str, answers: TimedAnswers | None, clock: TurnClock | None) -> bool | None:
    """Yes (the default) or no; with a clock, None when its time runs out first."""
    if clock is None:
        return Confirm.ask(text, default=True)
    while True:
        line = ask(f"{text} [y/n] (y)", answers, clock)
        if line is None:
            return None
        word = line.strip().lower()
        if word in ("", "y", "yes", "n", "no"):
            return word[:1] != "n"
        out.print("Please enter Y or N", style="prompt.invalid", highlight=False)


def time_up(clock: TurnClock, moves: list[Move], injects: list[Inject]
            ) -> tuple[list[Move], list[Inject]]:
    """Say that the turn's time ran out and with what it is committed."""
    levers = ", ".join(f"{n}={v:g}" for m in moves for n, v in m.levers.items())
    what = (f"with the move entered ({levers})" if levers
            else "holding the levers in force (no move was entered)")
    if injects:
        what += f" and the inject{'s' if len(injects) > 1 else ''} entered"
    out.print()
    out.print(f"Time is up for turn {clock.turn} ({clock.minutes:g} min a turn): the turn is "
              f"committed {what}.", style="bold", markup=False, highlight=False,
              soft_wrap=True)
    return moves, injects


class TimedAnswers:
    """The team's answers, one line of input each, awaited until the turn's deadline.

    Where the input has a file descriptor and the system can wait on it (POSIX: a terminal or
    a pipe), ``select`` waits for a line until the deadline, so the time runs out on the
    second whether or not anybody types. Lines are read into this reader's own buffer, not
    Python's, which ``select`` cannot see. Elsewhere (Windows, input without a descriptor)
    the answer is awaited as ``input`` awaits it, and one given after the deadline is not
    taken: the turn is committed as if it had not come.
    """

    def __init__(self, stream):
        self.stream = stream
        self.fd = descriptor(stream)
        self.pending = b""

    def line(self, deadline: float) -> str | None:
        """The next line (without its end), or None when ``deadline`` (``time.monotonic()``)
        passes first; EOFError when the input has ended."""
        if self.fd is None:
            text = self.stream.readline()
            if not text:
                raise EOFError
            return text.rstrip("\r\n") if time.monotonic() < deadline else None
        while b"\n" not in self.pending:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([self.fd], [], [], wait)[0]:
                return None
            chunk = os.read(self.fd, 4096)
            if not chunk:  # the input has ended: its last line, then EOFError
                if not self.pending:
                    raise EOFError
                self.pending += b"\n"
            self.pending += chunk
        line, _, self.pending = self.pending.partition(b"\n")
        return line.decode("utf-8", errors="replace").rstrip("\r")


def descriptor(stream) -> int | None:
    """The stream's file descriptor where ``select`` can wait on it (POSIX), else None."""
    if os.name != "posix":
        return None
    try:
        return stream.fileno()
    except (AttributeError, OSError, ValueError):
        return None
