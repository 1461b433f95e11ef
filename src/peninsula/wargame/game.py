"""A game: the team's moves turn by turn against the model, one actual future, and its record.

Each turn covers ``months_per_turn`` months. At a turn's start the team sees the state now (the
actual future at the month before), the events of the turn just played and what may come next
under the levers in force (a branch, wargame/branching.py); it may preview any move on the same
futures before committing. Committing applies the turn's injects and moves from the turn's
first month on and advances the actual future (run TRUNK_RUN of the game's seed: its months up
to a turn's end depend only on the levers up to then, so the future already played never
changes) by the turn's months. The record of every turn (``TurnRecord``) holds the outlook
before and after the move, paired on the same futures.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from peninsula.analysis import registry
from peninsula.io.results import COLUMN, ChunkResult
from peninsula.model.actors import ACTORS
from peninsula.model.events import EVENT_INDEX, EVENT_TYPES
from peninsula.model.setup import build_setup
from peninsula.scenario.schema import LEVEL_NAMES
from peninsula.wargame import branching
from peninsula.wargame.moves import SEATS, Inject, Move, ScriptError, check_move
from peninsula.wargame.words import event_words

DEFAULT_RUNS = 2000
RUNS_RANGE = (10, 100_000)
INCIDENT_EVENTS = ("provocation", "armed_clash")
TRUST_SHOWN = (("trust_PRK_USA", "DPRK trust in the US"), ("trust_USA_PRK", "US trust in the DPRK"))
STATE_SHOWN = ("tension", "talks_active", "alignment", "cohesion", "dprk_capability")


@dataclass
class TurnRecord:
    """One played turn: its moves and injects, the state at its start and end, the outlook
    under the levers held and under the move (paired), and the actual future's events."""

    turn: int
    month: int
    moves: list[Move]
    injects: list[Inject]
    changes: list[dict]
    state_before: dict
    state_after: dict
    before: dict
    after: dict
    effects: dict
    events: list[dict] = field(default_factory=list)


class Game:
    """A game of ``turns`` turns of ``months_per_turn`` months on ``scenario`` with ``seed``;
    branches of ``runs`` futures. ``scenario_ref`` is the name or file it was loaded from."""

    def __init__(self, scenario, scenario_ref: str, seed: int, runs: int = DEFAULT_RUNS,
                 months_per_turn: int = 3, turns: int = 4, team: str = "alliance"):
        horizon = scenario.horizon_months
        if team not in SEATS:
            raise ScriptError(f"--team: {team!r} is not a seat; allowed: {', '.join(SEATS)}")
        if not 1 <= months_per_turn <= horizon:
            raise ScriptError(f"--months-per-turn: {months_per_turn} is outside 1 to {horizon}")
        if not 1 <= turns <= horizon // months_per_turn:
            raise ScriptError(f"--turns: {turns} is outside 1 to {horizon // months_per_turn} "
                              f"({months_per_turn}-month turns within the scenario's "
                              f"{horizon}-month horizon)")
        if not RUNS_RANGE[0] <= runs <= RUNS_RANGE[1]:
            raise ScriptError(f"--runs: {runs} is outside {RUNS_RANGE[0]} to {RUNS_RANGE[1]}")
        self.scenario_ref, self.seed, self.runs = scenario_ref, int(seed), int(runs)
        self.months_per_turn, self.turns, self.team = months_per_turn, turns, team
        self.scenario_hash = scenario.hash()
        self.scenario = scenario.with_settings(seed=int(seed))
        self.base = build_setup(self.scenario)
        self.exercise_months = self.scenario["levers"]["exercise_months"]
        self.status_quo = {k: v.copy() for k, v in self.base.plan.values.items()}
        self.levers = {k: v.copy() for k, v in self.status_quo.items()}
        self.horizon = horizon
        self.played: list[TurnRecord] = []
        self.actual = branching.actual_future(self.base)

    # --- time ----------------------------------------------------------------------------------
    @property
    def next_turn(self) -> int:
        """The 1-based turn to play next (turns + 1 when the game is over)."""
        return len(self.played) + 1

    @property
    def over(self) -> bool:
        return len(self.played) >= self.turns

    def turn_month(self, turn: int) -> int:
        """The first month (0-based from the scenario's start) of a 1-based turn."""
        return (turn - 1) * self.months_per_turn

    def calendar(self, month: int) -> str:
        """'YYYY-MM' of a month index."""
        y, m = self.base.start
        k = (m - 1) + month
        return f"{y + k // 12:04d}-{k % 12 + 1:02d}"

    # --- schedules -----------------------------------------------------------------------------
    def with_moves(self, levers: branching.Schedule, moves: list[Move]) -> branching.Schedule:
        """A copy of ``levers`` with each move's settings from its turn's first month on."""
        out = {k: v.copy() for k, v in levers.items()}
        for move in moves:
            for name, value in move.levers.items():
                out[name][self.turn_month(move.turn):] = value
        return out

    def with_injects(self, levers: branching.Schedule, injects: list[Inject]
                     ) -> branching.Schedule:
        """A copy of ``levers`` forcing each inject's event in its month."""
        out = {k: v.copy() for k, v in levers.items()}
        for inject in injects:
            month = self.turn_month(inject.turn) + inject.month - 1
            for name, value in inject.forced_levers().items():
                out[name][month] = value
        return out

    def setup(self, levers: branching.Schedule):
        return branching.schedule_setup(self.base, levers, self.exercise_months)

    # --- what the team sees --------------------------------------------------------------------
    def state(self, month: int, result: ChunkResult | None = None) -> dict:
        """The actual state at the end of ``month`` - 1 (the start's state when ``month`` is 0)
        and the launches and incidents of the ``months_per_turn`` months before it."""
        res = result or self.actual
        row = res.monthly[0, month - 1] if month > 0 else None

        def value(name: str) -> float:
            if row is not None:
                return float(row[COLUMN[name]])
            if name == "dprk_capability":
                return float(self.base.nuclear0)
            if name.startswith("trust_"):
                return trust0(self.base, name)
            return float(self.base.state0[name])

        rung = int(round(value("escalation_level")))
        window = slice(max(0, month - self.months_per_turn), month)
        events = res.events[0, window]
        out = {"month": month, "as_of": self.calendar(month - 1) if month else "start",
               "rung": LEVEL_NAMES[rung], "rung_words": registry.rung_label(LEVEL_NAMES[rung]),
               "launches": int(events[:, EVENT_INDEX["missile_launch"]].sum()),
               "incidents": int(sum(events[:, EVENT_INDEX[e]].sum() for e in INCIDENT_EVENTS))}
        for name in STATE_SHOWN:
            out[name] = round(value(name), 6)
        for name, _ in TRUST_SHOWN:
            out[name] = round(value(name), 6)
        return out

    def outlook(self, levers: branching.Schedule | None = None) -> dict:
        """What may come next from the next turn's start under ``levers`` (those in force)."""
        month = self.turn_month(self.next_turn)
        return branching.outlook(branching.branch(self.setup(levers or self.levers), month,
                                                  self.runs), month)

    def check(self, moves: list[Move], injects: list[Inject]) -> None:
        turn = self.next_turn
        if self.over:
            raise ScriptError(f"the game is over: all {self.turns} turns are played")
        for m in moves:
            check_move(m, self.turns, f"move of turn {m.turn}")
            if m.turn != turn:
                raise ScriptError(f"move of turn {m.turn}: the turn being played is {turn}")
        if any(i.turn != turn for i in injects):
            raise ScriptError(f"inject: the turn being played is {turn}")

    def preview(self, moves: list[Move], injects: list[Inject] = ()) -> dict:
        """The outlook under the levers held and under ``moves``, on the same futures, and the
        moves' paired effects; nothing is committed."""
        self.check(moves, list(injects))
        month = self.turn_month(self.next_turn)
        held = self.with_injects(self.levers, list(injects))
        before = branching.branch(self.setup(held), month, self.runs)
        after = branching.branch(self.setup(self.with_moves(held, moves)), month, self.runs)
        return {"before": branching.outlook(before, month), "after": branching.outlook(after, month),
                "effects": branching.paired_effects(after, before, month)}

    # --- playing -------------------------------------------------------------------------------
    def commit(self, moves: list[Move], injects: list[Inject] = ()) -> TurnRecord:
        """Play the next turn: its injects and moves, then the actual future's months."""
        injects = list(injects)
        turn, month = self.next_turn, self.turn_month(self.next_turn)
        look = self.preview(moves, injects)
        held = self.with_injects(self.levers, injects)
        new = self.with_moves(held, moves)
        changes = [{"seat": m.seat, "lever": name, "label": registry.lever(name).label,
                    "from": float(held[name][month]), "to": float(value)}
                   for m in moves for name, value in m.levers.items()]
        state_before = self.state(month)
        self.levers = new
        self.actual = branching.actual_future(self.setup(new))
        end = month + self.months_per_turn
        record = TurnRecord(turn, month, list(moves), injects, changes, state_before,
                            self.state(end), look["before"], look["after"], look["effects"],
                            self.events(month, end))
        self.played.append(record)
        return record

    def events(self, start: int, end: int) -> list[dict]:
        """The actual future's events in months start .. end - 1, CAMEO-coded."""
        counts = self.actual.events[0]
        rows = []
        for t in range(start, end):
            for e, etype in enumerate(EVENT_TYPES):
                n = int(counts[t, e])
                if n:
                    rows.append({"month_index": t, "month": self.calendar(t),
                                 "turn": t // self.months_per_turn + 1, "event": etype.name,
                                 "actor": etype.actor, "target": etype.target,
                                 "cameo": etype.cameo, "goldstein": etype.goldstein,
                                 "count": n, "words": event_words(etype, n)})
        return rows

    def all_moves(self) -> list[Move]:
        return [m for r in self.played for m in r.moves]

    def all_injects(self) -> list[Inject]:
        return [i for r in self.played for i in r.injects]


def trust0(setup, name: str) -> float:
    """A recorded trust dyad's starting value ('trust_PRK_USA')."""
    _, i, j = name.split("_")
    return float(setup.trust0[ACTORS.index(i), ACTORS.index(j)])


def play(game: Game, moves: list[Move], injects: list[Inject]) -> list[TurnRecord]:
    """Play every remaining turn with the moves and injects of a script (a turn without a move
    holds the levers in force)."""
    while not game.over:
        turn = game.next_turn
        game.commit([m for m in moves if m.turn == turn], [i for i in injects if i.turn == turn])
    return game.played
