"""A game's folder: ``replay.json`` (what replays it), ``events.csv`` (the actual future's event
log) and ``turns.csv`` (one row per turn, for after-action review), each written atomically.

``replay.json`` holds the scenario (as named, and its SHA-256), the seed, the branch size, the
turn length and count, the team's seat, the package version and every move and inject with its
turn. Played again, it gives the same actual future and the same ensembles, so ``events.csv``
and ``turns.csv`` come out byte for byte the same.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from peninsula._version import __version__
from peninsula.io.store import write_json, write_text
from peninsula.wargame.game import Game, TurnRecord
from peninsula.wargame.moves import ScriptError, parse_moves

REPLAY_FORMAT = "peninsula-wargame-replay/1"
REPLAY_FIELDS = ("format", "package_version", "scenario", "scenario_sha256", "seed", "runs",
                 "months_per_turn", "turns", "team", "moves", "injects")
EVENT_COLUMNS = ("month_index", "month", "turn", "event", "actor", "target", "cameo",
                 "goldstein", "count", "words")
OUTLOOK_KEYS = ("p_clash_1y", "p_clash_remaining", "p_war_1y", "p_war_remaining")
TURN_COLUMNS = ("turn", "first_month", "moves", "injects", "rung_at_start", "tension_at_start",
                "rung_at_end", "tension_at_end", "launches", "incidents", "talks_at_end",
                *(f"{k}_{w}" for k in OUTLOOK_KEYS for w in ("held", "move")),
                "effect_p_war_remaining", "effect_p_war_remaining_p05",
                "effect_p_war_remaining_p95", "effect_p_clash_remaining")


def replay_doc(game: Game) -> dict:
    """The replay file's document."""
    return {"format": REPLAY_FORMAT, "package_version": __version__,
            "scenario": game.scenario_ref, "scenario_sha256": game.scenario_hash,
            "seed": game.seed, "runs": game.runs, "months_per_turn": game.months_per_turn,
            "turns": game.turns, "team": game.team,
            "moves": [m.to_dict() for m in game.all_moves()],
            "injects": [i.to_dict() for i in game.all_injects()]}


def read_replay(path: str | Path) -> dict:
    """A replay file's document, its fields checked (ScriptError names the file and field)."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ScriptError(f"{path}: cannot read the replay file ({exc})") from None
    except json.JSONDecodeError as exc:
        raise ScriptError(f"{path}: not a replay file (invalid JSON: {exc})") from None
    if not isinstance(doc, dict) or doc.get("format") != REPLAY_FORMAT:
        raise ScriptError(f"{path}: format must be {REPLAY_FORMAT!r} (a file written by "
                          "peninsula play)")
    missing = [k for k in REPLAY_FIELDS if k not in doc]
    if missing:
        raise ScriptError(f"{path}: field {missing[0]!r} is missing; a replay file has "
                          f"{', '.join(REPLAY_FIELDS)}")
    for key in ("seed", "runs", "months_per_turn", "turns"):
        if isinstance(doc[key], bool) or not isinstance(doc[key], int):
            raise ScriptError(f"{path}: {key} = {doc[key]!r} must be a whole number")
    for key in ("scenario", "scenario_sha256", "team"):
        if not isinstance(doc[key], str):
            raise ScriptError(f"{path}: {key} = {doc[key]!r} must be text")
    return doc


def replay_moves(doc: dict, source: str):
    """The moves and injects of a replay document, checked as a script's are."""
    return parse_moves({"move": doc["moves"], "inject": doc["injects"]}, doc["turns"],
                       doc["months_per_turn"], doc["team"], source)


def _num(x: float) -> str:
    return f"{x:.6f}"


def _csv(header, rows) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def events_csv(game: Game) -> str:
    rows = [[r[c] if c != "goldstein" else _num(r[c]) for c in EVENT_COLUMNS]
            for rec in game.played for r in rec.events]
    return _csv(EVENT_COLUMNS, rows)


def moves_words(rec: TurnRecord) -> str:
    return "; ".join(f"{c['seat']}: {c['lever']} {c['from']:g} -> {c['to']:g}"
                     for c in rec.changes) or "hold"


def turn_row(game: Game, rec: TurnRecord) -> list:
    p = {f"{k}_held": rec.before["probabilities"][k]["p"] for k in OUTLOOK_KEYS}
    p.update({f"{k}_move": rec.after["probabilities"][k]["p"] for k in OUTLOOK_KEYS})
    war = rec.effects["p_war_remaining"]
    return [rec.turn, game.calendar(rec.month), moves_words(rec),
            "; ".join(i.words() for i in rec.injects), rec.state_before["rung"],
            _num(rec.state_before["tension"]), rec.state_after["rung"],
            _num(rec.state_after["tension"]), rec.state_after["launches"],
            rec.state_after["incidents"], int(rec.state_after["talks_active"]),
            *(_num(p[c]) for c in TURN_COLUMNS[11:19]), _num(war["mean"]), _num(war["p05"]),
            _num(war["p95"]), _num(rec.effects["p_clash_remaining"]["mean"])]


def turns_csv(game: Game) -> str:
    return _csv(TURN_COLUMNS, [turn_row(game, rec) for rec in game.played])


def write_game(game: Game, out: str | Path) -> list[Path]:
    """Write replay.json, events.csv and turns.csv into ``out`` (each atomically)."""
    out = Path(out)
    paths = [out / "replay.json", out / "events.csv", out / "turns.csv"]
    write_json(replay_doc(game), paths[0])
    write_text(events_csv(game), paths[1])
    write_text(turns_csv(game), paths[2])
    return paths
