"""The debrief of a played game: the turns, the counterfactuals, the pivotal turns and the path.

- ``turns``: per turn, its first month, the moves and injects, the state at its start and end,
  P(war or worse within the remaining horizon) under the levers held and under the move
  (paired on the same futures) with the paired effect, and the fan's quantiles.
- ``counterfactual``: the team's policy against the status quo from the start (the scenario's
  levers throughout, branched at month 0), and against "hold last turn's levers" from each turn
  (the moves of the turns before, none from the turn on), each paired on the same futures.
  The injects are the world's, in force in every arm.
- ``pivotal_turns``: the turns whose moves changed P(war within the remaining horizon) the most
  (paired), each with the channels that carried the change: the explanation machinery's split
  (analysis/explain.py) with the levers held as the counterfactual, one channel at a time;
  what the channels of the alliance's activity do not carry (the strategies, sanctions, and
  interactions) is the remainder.
- ``path``: where the actual future stood at the game's end against the distribution of the
  same month under the team's policy from the start.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from peninsula.analysis import registry
from peninsula.analysis.fan import QUANTILES
from peninsula.analysis.metrics import paired_difference
from peninsula.model.levers import CHANNELS, LeverPlan
from peninsula.scenario.schema import LEVEL_NAMES
from peninsula.wargame import branching
from peninsula.wargame.files import moves_words
from peninsula.wargame.game import Game

PIVOTAL_TOP = 2  # turns whose channels are split
CHANNEL_RUNS = 1000  # at most, per channel ensemble of a pivotal turn
HEADLINE = "p_war_remaining"


def _effect(a: np.ndarray, b: np.ndarray) -> dict:
    mean, low, high = paired_difference(a, b)
    return {"mean": mean, "p05": low, "p95": high}


def turns_section(game: Game) -> list[dict]:
    out = []
    for rec in game.played:
        out.append({
            "turn": rec.turn, "month": game.calendar(rec.month), "month_index": rec.month,
            "moves": [m.to_dict() for m in rec.moves], "changes": rec.changes,
            "injects": [i.to_dict() for i in rec.injects],
            "state_at_start": rec.state_before, "state_at_end": rec.state_after,
            "p_war_remaining_held": rec.before["probabilities"][HEADLINE]["p"],
            "p_war_remaining_move": rec.after["probabilities"][HEADLINE]["p"],
            "effect": rec.effects, "outlook_held": rec.before["probabilities"],
            "outlook_move": rec.after["probabilities"], "fan": rec.after["fan"]})
    return out


def counterfactual_section(game: Game) -> tuple[dict, object]:
    """The status quo from the start and 'hold last turn's levers' from each turn, against
    the team's policy, paired; also the team's policy branched at month 0 (for the path)."""
    injects = game.all_injects()
    policy = game.levers
    status_quo = game.with_injects(game.status_quo, injects)
    team0 = branching.branch(game.setup(policy), 0, game.runs)
    sq0 = branching.branch(game.setup(status_quo), 0, game.runs)
    a, b = branching.hits(team0, 0), branching.hits(sq0, 0)
    status = {"label": "the scenario's levers throughout (status quo), from the start",
              "policy": {k: float(v.mean()) for k, v in a.items()},
              "counterfactual": {k: float(v.mean()) for k, v in b.items()},
              "effect": {k: _effect(a[k], b[k]) for k in a}}
    held = []
    for rec in game.played:
        before = game.with_injects(game.with_moves(game.status_quo, [
            m for m in game.all_moves() if m.turn < rec.turn]), injects)
        x = branching.branch(game.setup(policy), rec.month, game.runs)
        y = branching.branch(game.setup(before), rec.month, game.runs)
        ha, hb = branching.hits(x, rec.month), branching.hits(y, rec.month)
        held.append({"turn": rec.turn, "month": game.calendar(rec.month),
                     "policy": float(ha[HEADLINE].mean()),
                     "held": float(hb[HEADLINE].mean()),
                     "effect": {k: _effect(ha[k], hb[k]) for k in ha}})
    return {"status_quo_from_start": status, "hold_from_each_turn": held}, team0


def channel_split(game: Game, turn: int) -> dict:
    """The change of a turn's move carried by each channel (levers.CHANNELS): P(war within
    the remaining horizon) under the move minus the same with that channel alone reading the
    levers held (explain.py's split, paired)."""
    rec = game.played[turn - 1]
    held = game.with_injects(game.with_moves(game.status_quo, [
        m for m in game.all_moves() if m.turn < turn]), game.all_injects())
    moved = game.with_moves(held, rec.moves)
    setup = game.setup(moved)
    cf = game.setup(held).plan
    setup = replace(setup, counterfactual=LeverPlan(cf.values, cf.drill, cf.month_of_year))
    runs = min(game.runs, CHANNEL_RUNS)
    full = branching.hits(branching.branch(setup, rec.month, runs), rec.month)
    base = branching.hits(branching.branch(game.setup(held), rec.month, runs), rec.month)
    off = dict.fromkeys(CHANNELS, False)
    channels = {}
    for c in CHANNELS:
        res = branching.branch(replace(setup, views={**off, c: True}), rec.month, runs)
        channels[c] = _effect(full[HEADLINE], branching.hits(res, rec.month)[HEADLINE])
    total = _effect(full[HEADLINE], base[HEADLINE])
    carried = sum(v["mean"] for v in channels.values())
    return {"runs": runs, "total": total, "channels": channels,
            "channel_meanings": dict(CHANNELS),
            "not_carried_by_channels": total["mean"] - carried}


def pivotal_section(game: Game) -> list[dict]:
    ranked = sorted(game.played, key=lambda r: (-abs(r.effects[HEADLINE]["mean"]), r.turn))
    out = []
    for rec in ranked[:PIVOTAL_TOP]:
        entry = {"turn": rec.turn, "month": game.calendar(rec.month),
                 "moves": moves_words(rec), "effect": rec.effects[HEADLINE]}
        entry["channels"] = channel_split(game, rec.turn) if rec.changes else None
        out.append(entry)
    return out


def path_section(game: Game, team0) -> dict:
    """The actual future at the game's last month against the team's policy's distribution."""
    end = game.turns * game.months_per_turn - 1
    level = team0.monthly[:, end, branching.LEVEL].astype(int)
    tension = team0.monthly[:, end, branching.TENSION].astype(float)
    actual_level = int(game.actual.monthly[0, end, branching.LEVEL])
    actual_tension = float(game.actual.monthly[0, end, branching.TENSION])
    clash_rung = branching.WATCHED[0][1]
    by_end = (team0.monthly[:, :end + 1, branching.LEVEL] >= clash_rung).any(axis=1)
    actual_clash = bool((game.actual.monthly[0, :end + 1, branching.LEVEL] >= clash_rung).any())
    return {
        "month": game.calendar(end), "month_index": end,
        "actual": {"rung": LEVEL_NAMES[actual_level], "tension": actual_tension,
                   "clash_or_worse_by_then": actual_clash},
        "policy_distribution": {
            "runs": len(level),
            "rung_shares": {name: float((level == i).mean()) for i, name in enumerate(LEVEL_NAMES)},
            "tension_quantiles": dict(zip([str(q) for q in QUANTILES],
                                          np.quantile(tension, QUANTILES).tolist(), strict=True)),
            "p_clash_or_worse_by_then": float(by_end.mean())},
        "actual_tension_percentile": float((tension < actual_tension).mean()
                                           + 0.5 * (tension == actual_tension).mean()),
        "note": branching.ONE_DRAW_NOTE}


def debrief(game: Game) -> dict:
    """The debrief document (module docstring)."""
    counterfactual, team0 = counterfactual_section(game)
    return {"scenario": game.scenario_ref, "seed": game.seed, "runs": game.runs,
            "months_per_turn": game.months_per_turn, "turns_played": len(game.played),
            "headline": registry.metric("p_war").label + " within the remaining horizon",
            "turns": turns_section(game), "counterfactual": counterfactual,
            "pivotal_turns": pivotal_section(game), "path": path_section(game, team0),
            "note": branching.ONE_DRAW_NOTE}
