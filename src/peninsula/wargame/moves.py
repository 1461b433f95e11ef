"""What a game is made of: seats, moves (lever settings from a turn on), injects, and scripts.

A move is a seat's setting of some of its levers, in force from the first month of its turn to
the end of the horizon (a lever schedule, as a scenario's monthly schedules are). An inject is a
facilitator's scripted event, forced in one month of a turn through the levers that force
events (scenario/schema.py): ``launches_override`` and ``launch_days_override`` for missile
launches and ``talks_override`` for talks, as the replays of the record force them
(analysis/replay.py); ``incident_override`` for a contained incident (an exchange of fire, a
sinking or a shelling: the ladder's armed_clash rung) and ``nuclear_test_override`` for a
nuclear test. The event is then the model's own, and feeds what the model feeds with it (a
launch: excitation, beliefs, tension and the ladder; an incident: tension, the yearly clash
count and next month's move to hostilities or back to crisis; a nuclear test: tension and the
ladder's floor, model/nuclear_programme.py says what it does not do).

A script (TOML) lists moves and injects by turn (``EXAMPLE_SCRIPT`` is one); a replay file
lists the same moves as played. Every problem is refused with one line naming the file, the
entry and the field, and the allowed values (``ScriptError``).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from peninsula.scenario.schema import LEVERS
from peninsula.wargame.words import inject_words

# The seats and the levers each may set. The alliance plays its posture and the four strategies;
# a human DPRK seat plays its launch posture (an announced weapons programme) and its talks
# stance (-1 the model decides, 0 refuses, 1 holds talks), the levers through which the scenario
# language already expresses them. China and Russia are always played by the model's rules.
SEATS: dict[str, tuple[str, ...]] = {
    "alliance": ("exercise_intensity", "summit_frequency_per_year", "intelligence_sharing",
                 "tech_collaboration", "missile_defense_deployment", "permanent_infrastructure",
                 "open_communication", "flexible_diplomacy", "multilateral_engagement",
                 "strategic_clarity", "sanctions_pressure"),
    "dprk": ("programme_announcement", "talks_override"),
}
STRATEGIES = ("open_communication", "flexible_diplomacy", "multilateral_engagement",
              "strategic_clarity")
# injects: the event types a lever forces (model/events.py names), and the fields each takes
INJECTS = ("missile_launch", "talks", "armed_clash", "nuclear_test")
INJECT_FIELDS = {"missile_launch": ("missiles", "days"), "talks": ("held",),
                 "armed_clash": ("kind",), "nuclear_test": ()}
# what a forced incident was, for the words only: the model has one incident rung for them all
INCIDENT_KINDS = ("exchange_of_fire", "sinking", "shelling")
MAX_MISSILES = int(LEVERS["launches_override"].high)
MAX_DAYS = int(LEVERS["launch_days_override"].high)


class ScriptError(ValueError):
    """A script, replay file or move that cannot be played: one line naming where and why."""


@dataclass(frozen=True)
class Inject:
    """A scripted event in month ``month`` (1-based) of turn ``turn`` (1-based): ``missiles``
    launched on ``days`` launch days (0: one a day), talks held (``held``) or broken off, a
    contained incident (``kind``: its words), or a nuclear test."""

    turn: int
    event: str
    month: int = 1
    missiles: int = 0
    days: int = 0
    held: bool = True
    kind: str = INCIDENT_KINDS[0]

    def to_dict(self) -> dict:
        out: dict = {"turn": self.turn, "month": self.month, "event": self.event}
        for name in INJECT_FIELDS[self.event]:
            out[name] = getattr(self, name)
        return out

    def forced_levers(self) -> dict[str, float]:
        """The levers that force the event in its month."""
        if self.event == "missile_launch":
            return {"launches_override": float(self.missiles),
                    "launch_days_override": float(self.days) if self.days else -1.0}
        if self.event == "armed_clash":
            return {"incident_override": 1.0}
        if self.event == "nuclear_test":
            return {"nuclear_test_override": 1.0}
        return {"talks_override": 1.0 if self.held else 0.0}

    def words(self) -> str:
        return inject_words(self.to_dict())


@dataclass(frozen=True)
class Move:
    """A seat's lever settings, in force from the first month of turn ``turn`` (1-based)."""

    turn: int
    seat: str
    levers: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"turn": self.turn, "seat": self.seat, "levers": dict(self.levers)}


def lever_range(name: str) -> tuple[float, float]:
    """A lever's allowed range (scenario/schema.py LEVERS)."""
    f = LEVERS[name]
    return float(f.low), float(f.high)


def check_move(move: Move, turns: int, where: str) -> Move:
    """The move, or ScriptError naming ``where`` and the field: an unknown seat or lever, a
    lever of another seat, a value out of its range, a turn outside 1..turns."""
    if move.seat not in SEATS:
        raise ScriptError(f"{where}: seat {move.seat!r} is not a seat; allowed: "
                          f"{', '.join(SEATS)}")
    check_turn(move.turn, turns, where)
    for name, value in move.levers.items():
        if name not in SEATS[move.seat]:
            owner = [s for s, names in SEATS.items() if name in names]
            why = (f"is set by the {owner[0]} seat" if owner else "is not a lever a seat sets")
            raise ScriptError(f"{where}: levers.{name} {why}; the {move.seat} seat sets "
                              f"{', '.join(SEATS[move.seat])}")
        low, high = lever_range(name)
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not low <= float(value) <= high:
            raise ScriptError(f"{where}: levers.{name} = {value!r} is outside {low:g} to "
                              f"{high:g}")
    return Move(move.turn, move.seat, {k: float(v) for k, v in move.levers.items()})


def check_turn(turn: object, turns: int, where: str) -> int:
    if isinstance(turn, bool) or not isinstance(turn, int) or not 1 <= turn <= turns:
        raise ScriptError(f"{where}: turn = {turn!r} is outside 1 to {turns} (the game's "
                          "turns)")
    return turn


def check_inject(raw: dict, turns: int, months_per_turn: int, where: str) -> Inject:
    """An inject from its table, or ScriptError naming the field and the allowed values."""
    known = {"turn", "month", "event"} | {f for fields in INJECT_FIELDS.values() for f in fields}
    extra = sorted(set(raw) - known)
    if extra:
        raise ScriptError(f"{where}: unknown field {extra[0]!r}; allowed: "
                          f"{', '.join(sorted(known))}")
    turn = check_turn(raw.get("turn"), turns, where)
    event = raw.get("event")
    if event not in INJECTS:
        raise ScriptError(f"{where}: event = {event!r} is not an inject; allowed: "
                          f"{', '.join(INJECTS)}")
    misplaced = sorted(set(raw) - {"turn", "month", "event", *INJECT_FIELDS[event]})
    if misplaced:
        takes = ", ".join(INJECT_FIELDS[event]) or "no other field"
        raise ScriptError(f"{where}: field {misplaced[0]!r} does not apply to event = "
                          f"{event!r}; it takes {takes}")
    month = raw.get("month", 1)
    if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= months_per_turn:
        raise ScriptError(f"{where}: month = {month!r} is outside 1 to {months_per_turn} (the "
                          "month of the turn)")
    if event == "missile_launch":
        missiles, days = raw.get("missiles"), raw.get("days", 0)
        if isinstance(missiles, bool) or not isinstance(missiles, int) \
                or not 1 <= missiles <= MAX_MISSILES:
            raise ScriptError(f"{where}: missiles = {missiles!r} is outside 1 to {MAX_MISSILES}")
        if isinstance(days, bool) or not isinstance(days, int) \
                or not 0 <= days <= min(MAX_DAYS, missiles):
            raise ScriptError(f"{where}: days = {days!r} is outside 0 to "
                              f"{min(MAX_DAYS, missiles)} (0: one missile a day)")
        return Inject(turn, event, month, missiles, days)
    if event == "armed_clash":
        kind = raw.get("kind", INCIDENT_KINDS[0])
        if kind not in INCIDENT_KINDS:
            raise ScriptError(f"{where}: kind = {kind!r} is not an incident; allowed: "
                              f"{', '.join(INCIDENT_KINDS)}")
        return Inject(turn, event, month, kind=kind)
    if event == "nuclear_test":
        return Inject(turn, event, month)
    held = raw.get("held", True)
    if not isinstance(held, bool):
        raise ScriptError(f"{where}: held = {held!r} must be true or false")
    return Inject(turn, event, month, held=held)


def parse_moves(doc: dict, turns: int, months_per_turn: int, team: str, source: str
                ) -> tuple[list[Move], list[Inject]]:
    """The moves and injects of a script's (or replay file's) document, checked."""
    extra = sorted(set(doc) - {"move", "inject"})
    if extra:
        raise ScriptError(f"{source}: unknown table {extra[0]!r}; a script has [[move]] and "
                          "[[inject]] entries")
    moves, injects = [], []
    for i, raw in enumerate(_entries(doc, "move", source), 1):
        where = f"{source}: move {i}"
        unknown = sorted(set(raw) - {"turn", "seat", "levers"})
        if unknown:
            raise ScriptError(f"{where}: unknown field {unknown[0]!r}; allowed: levers, seat, "
                              "turn")
        levers = raw.get("levers", {})
        if not isinstance(levers, dict):
            raise ScriptError(f"{where}: levers must be a table of lever = value")
        moves.append(check_move(Move(raw.get("turn"), raw.get("seat", team), levers), turns,
                                where))
    for i, raw in enumerate(_entries(doc, "inject", source), 1):
        injects.append(check_inject(raw, turns, months_per_turn, f"{source}: inject {i}"))
    return moves, injects


def _entries(doc: dict, key: str, source: str) -> list[dict]:
    entries = doc.get(key, [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ScriptError(f"{source}: {key} must be a list of tables ([[{key}]])")
    return entries


def read_script(path: str | Path) -> dict:
    """A script file's TOML document, or ScriptError with the file and the parser's reason."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScriptError(f"{path}: cannot read the script ({exc})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScriptError(f"{path}: not a TOML script ({exc})") from None


def script_turns(doc: dict) -> int:
    """The last turn a script names (0 when none)."""
    turns = [e.get("turn") for key in ("move", "inject") for e in doc.get(key, [])
             if isinstance(e, dict)]
    return max([t for t in turns if isinstance(t, int) and not isinstance(t, bool)], default=0)


EXAMPLE_SCRIPT = f"""\
# A Peninsula wargame script: four turns of the alliance's moves and one inject.
# Play it with:  peninsula play baseline --script THIS_FILE.toml --out GAME
#
# [[move]]: a seat's lever settings, in force from the first month of its turn on.
#   turn    1-based turn number (a turn is --months-per-turn months, 3 by default)
#   seat    "alliance" (the default) or "dprk"
#   levers  lever = value; the alliance sets {", ".join(SEATS["alliance"])};
#           the DPRK seat sets {", ".join(SEATS["dprk"])}.
#           Ranges: exercise_intensity 0-2, summit_frequency_per_year 0-12, the others 0-1
#           (talks_override -1 to 1). A turn without a move holds the levers in force.
# [[inject]]: a facilitator's scripted event, forced in one month of a turn.
#   event   "missile_launch" (missiles = 1-{MAX_MISSILES}, days = 0-{MAX_DAYS}, 0: one a day),
#           "talks" (held = true or false),
#           "armed_clash": a contained incident, the ladder's armed-clash rung for one month
#           (kind = {", ".join(f'"{k}"' for k in INCIDENT_KINDS)}; the kind only words it),
#           or "nuclear_test": a DPRK nuclear test (tension and the ladder's floor only)
#   month   1-based month of the turn (default 1)

[[move]]
turn = 1
levers = {{ open_communication = 0.5, multilateral_engagement = 0.5 }}

[[move]]
turn = 2
levers = {{ exercise_intensity = 0.8, flexible_diplomacy = 0.5 }}

[[inject]]
turn = 3
month = 1
event = "missile_launch"
missiles = 6
days = 3

[[move]]
turn = 3
levers = {{ strategic_clarity = 0.7, intelligence_sharing = 1.0 }}

[[move]]
turn = 4
levers = {{ sanctions_pressure = 0.6, summit_frequency_per_year = 2 }}
"""
