"""The dashboard's Wargame page: the same game as ``peninsula play``, turn by turn in the browser.

The game (wargame/game.py) is kept in the session: each turn shows the state now, the events of
the turn just played, what may come next under the levers in force (a branched ensemble: the
probabilities with their intervals and a fan chart of tension), the alliance's levers set to
the values in force, a facilitator's inject (an event forced in a month of the turn, collapsed
and none by default), a preview of the move on the same futures, and a commit. With the
facilitator's turn timer (minutes per turn, set with the new game) the open turn shows a
countdown, redrawn every second on its own (a Streamlit fragment); when it runs out the page
says so and offers a one-click commit of the levers as set, but commits nothing by itself
(docs/wargame.md, The turn timer, says why). When the last turn is played the debrief is
shown, with its files to download (debrief.html, replay.json, events.csv, turns.csv).
Labels and formats are the registry's (analysis/registry.py).
"""

from __future__ import annotations

import json

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from peninsula.analysis import registry as R
from peninsula.scenario.errors import ScenarioError
from peninsula.scenario.loader import bundled_names, load_scenario
from peninsula.wargame.clock import MAX_TURN_MINUTES, TurnClock
from peninsula.wargame.debrief import debrief
from peninsula.wargame.debrief_html import render
from peninsula.wargame.files import events_csv, replay_doc, turns_csv
from peninsula.wargame.game import Game
from peninsula.wargame.moves import (
    INCIDENT_KINDS,
    INJECTS,
    MAX_DAYS,
    MAX_MISSILES,
    SEATS,
    Inject,
    Move,
    ScriptError,
    check_inject,
    lever_range,
)
from peninsula.wargame.words import INCIDENT_WORDS

GAME, OUTLOOK, PREVIEW, DEBRIEF = "wargame_game", "wargame_outlook", "wargame_preview", \
    "wargame_debrief"
TIMER, CLOCK = "wargame_timer", "wargame_clock"  # minutes per turn (None: none); a TurnClock
RUNS_RANGE = (100, 20_000)
WAR = R.metric("p_war")
INJECT_LABELS = {"": "none", "missile_launch": "A missile launch", "talks": "Talks held or broken off",
                 "armed_clash": "An armed clash (a contained incident)",
                 "nuclear_test": "A DPRK nuclear test"}


def fan_chart(fan: dict, title: str) -> go.Figure:
    """Tension over the next months: 5-95% and 25-75% bands across the futures, the median."""
    months = [m + 1 for m in fan["months"]]
    q = fan["tension"]
    fig = go.Figure()
    for lo, hi, colour in (("0.05", "0.95", "rgba(107,174,214,0.3)"),
                           ("0.25", "0.75", "rgba(33,113,181,0.45)")):
        fig.add_trace(go.Scatter(x=months + months[::-1], y=q[hi] + q[lo][::-1], fill="toself",
                                 fillcolor=colour, line={"width": 0}, hoverinfo="skip",
                                 name=f"{float(lo):.0%} to {float(hi):.0%} of futures"))
    fig.add_trace(go.Scatter(x=months, y=q["0.5"], name="median", line={"color": "#08306b"}))
    fig.update_layout(title=title, xaxis_title="month of the game", yaxis_title="tension (0-1)",
                      yaxis_range=[0, 1], height=320, margin={"t": 40, "b": 40})
    return fig


def outlook_table(look: dict) -> pd.DataFrame:
    rows = []
    for p in look["probabilities"].values():
        lo, hi = p["simulation_interval_90"]
        rows.append({"": p["label"], "Probability": R.percent(p["p"]),
                     "90% interval (how sure the simulation is)":
                         f"{R.percent(lo)} to {R.percent(hi)}"})
    return pd.DataFrame(rows)


def state_table(state: dict) -> pd.DataFrame:
    rows = [("Ladder", state["rung_words"]), ("Tension (0-1)", f"{state['tension']:.2f}"),
            ("Talks", "running" if state["talks_active"] else "none"),
            (R.metric("alignment_china_russia").with_unit(), f"{state['alignment']:.2f}"),
            (R.metric("cohesion").with_unit(), f"{state['cohesion']:.2f}"),
            ("DPRK trust in the US (0-1)", f"{state['trust_PRK_USA']:.2f}"),
            (R.metric("dprk_capability").with_unit(), f"{state['dprk_capability']:.0f}"),
            ("Launches last turn", str(state["launches"])),
            ("Incidents last turn", str(state["incidents"]))]
    return pd.DataFrame(rows, columns=["State now", "Value"])


def new_game_controls() -> None:
    with st.form("wargame_new"):
        c = st.columns(6)
        names = bundled_names()
        scenario = c[0].selectbox("Scenario", names, index=names.index("baseline"),
                                   key="wargame_scenario")
        seed = c[1].number_input("Game seed", value=1, step=1, min_value=0, key="wargame_seed")
        runs = c[2].number_input(f"Futures per branch ({RUNS_RANGE[0]:,} to {RUNS_RANGE[1]:,})",
                                 value=2000, step=100, min_value=RUNS_RANGE[0],
                                 max_value=RUNS_RANGE[1], key="wargame_runs")
        months = c[3].number_input("Months per turn", value=3, step=1, min_value=1,
                                   max_value=12, key="wargame_months")
        turns = c[4].number_input("Turns", value=4, step=1, min_value=1, max_value=40,
                                  key="wargame_turns")
        minutes = c[5].number_input(
            "Minutes per turn (0: no timer)", value=0.0, step=1.0, min_value=0.0,
            max_value=MAX_TURN_MINUTES, key="wargame_turn_minutes",
            help="The facilitator's turn timer: a countdown for the open turn; when it runs "
                 "out the page says so and offers to commit the levers as set.")
        if st.form_submit_button("Start a new game", type="primary"):
            try:
                game = Game(load_scenario(scenario), scenario, int(seed), int(runs), int(months),
                            int(turns))
            except (ScenarioError, ScriptError) as exc:
                st.error(str(exc))
                return
            st.session_state[GAME] = game
            st.session_state[TIMER] = float(minutes) or None
            for key in (OUTLOOK, PREVIEW, DEBRIEF, CLOCK):
                st.session_state.pop(key, None)


def lever_inputs(game: Game) -> list[Move]:
    """The alliance's levers at the values in force; the move is the levers changed."""
    month = game.turn_month(game.next_turn)
    changed = {}
    cols = st.columns(3)
    for i, name in enumerate(SEATS["alliance"]):
        low, high = lever_range(name)
        now = float(game.levers[name][month])
        value = cols[i % 3].number_input(
            f"{R.lever(name).label} ({low:g} to {high:g})", min_value=low, max_value=high,
            value=now, step=1.0 if high - low > 4 else 0.05,
            key=f"wargame_{name}_{game.next_turn}", help=R.lever(name).meaning)
        if abs(value - now) > 1e-12:
            changed[name] = float(value)
    return [Move(game.next_turn, "alliance", changed)] if changed else []


def inject_inputs(game: Game) -> list[Inject]:
    """The facilitator's inject of the turn (none by default): an event forced in one of its
    months, with the fields a script's [[inject]] takes."""
    turn = game.next_turn
    with st.expander("Facilitator: inject an event this turn"):
        event = st.selectbox("Event", ("", *INJECTS), format_func=INJECT_LABELS.get,
                             key=f"wargame_inject_{turn}")
        if not event:
            return []
        raw = {"turn": turn, "event": event,
               "month": int(st.number_input(f"Month of the turn (1 to {game.months_per_turn})",
                                            1, game.months_per_turn, 1,
                                            key=f"wargame_inject_month_{turn}"))}
        if event == "missile_launch":
            raw["missiles"] = int(st.number_input("Missiles", 1, MAX_MISSILES, 3,
                                                  key=f"wargame_inject_missiles_{turn}"))
            raw["days"] = int(st.number_input("Launch days (0: one missile a day)", 0, MAX_DAYS,
                                              0, key=f"wargame_inject_days_{turn}"))
        elif event == "talks":
            raw["held"] = st.checkbox("Talks are held (unticked: talks break off)",
                                      key=f"wargame_inject_held_{turn}")
        elif event == "armed_clash":
            raw["kind"] = st.selectbox("What happens", INCIDENT_KINDS,
                                       format_func=INCIDENT_WORDS.get,
                                       key=f"wargame_inject_kind_{turn}")
        try:
            inject = check_inject(raw, game.turns, game.months_per_turn, "inject")
        except ScriptError as exc:
            st.error(str(exc))
            return []
        st.caption(f"{inject.words()}: in force in the preview and played with the move; "
                   "the event is then the model's own (docs/wargame.md, Injects).")
        return [inject]


def turn_clock(turn: int) -> TurnClock | None:
    """The open turn's clock (started when the turn is first shown), or None without a
    timer."""
    minutes = st.session_state.get(TIMER)
    if not minutes:
        return None
    clock = st.session_state.get(CLOCK)
    if clock is None or clock.turn != turn:
        clock = st.session_state[CLOCK] = TurnClock(turn, minutes)
    return clock


@st.fragment(run_every=1.0)
def countdown(clock: TurnClock) -> None:
    """The time left, redrawn every second on its own; when it runs out, the whole page is
    drawn again to say so and offer the commit."""
    if clock.up():
        st.rerun()
    st.progress(min(max(clock.left() / (60 * clock.minutes), 0.0), 1.0),
                text=f"Turn {clock.turn}: {clock.words()} ({clock.minutes:g} min a turn)")


def show_clock(clock: TurnClock | None) -> None:
    if clock is None:
        return
    if clock.up():
        st.progress(0.0, text=f"Turn {clock.turn}: time is up ({clock.minutes:g} min a turn)")
    else:
        countdown(clock)


def commit(game: Game, moves: list[Move], injects: list[Inject]) -> None:
    with st.spinner("Playing the turn"):
        game.commit(moves, injects)
    st.rerun()


def play_turn(game: Game) -> None:
    turn, month = game.next_turn, game.turn_month(game.next_turn)
    if st.session_state.get(OUTLOOK, (None,))[0] != turn:
        with st.spinner("Branching the futures from this state"):
            st.session_state[OUTLOOK] = (turn, game.outlook())
    look = st.session_state[OUTLOOK][1]
    st.markdown(f"### Turn {turn} of {game.turns}: {game.calendar(month)}")
    clock = turn_clock(turn)
    show_clock(clock)
    alarm = st.container()  # filled when time is up, once the levers as set are known
    left, right = st.columns([1, 2])
    left.table(state_table(game.state(month)), hide_index=True)
    if game.played:
        events = game.played[-1].events
        right.markdown("**Events of the turn just played**")
        right.markdown("\n".join(f"- {e['month']}: {e['words']}" for e in events) or "none")
    st.markdown("**What may come next under the levers in force**")
    st.table(outlook_table(look), hide_index=True)
    st.plotly_chart(fan_chart(look["fan"], "Tension: the next 12 months, levers in force"))
    st.caption(look["note"])
    st.markdown("**Your move (the alliance's levers)**")
    moves = lever_inputs(game)
    injects = inject_inputs(game)
    c1, c2 = st.columns(2)
    if c1.button("Preview the move", key=f"wargame_preview_{turn}"):
        st.session_state[PREVIEW] = (turn, moves, game.preview(moves, injects))
    kept = st.session_state.get(PREVIEW)
    if kept and kept[0] == turn:
        _, _, preview = kept
        st.markdown("**Preview: under the move, on the same futures**")
        st.table(outlook_table(preview["after"]), hide_index=True)
        effect = preview["effects"]["p_war_remaining"]
        st.markdown(f"Paired effect on {WAR.label} within the remaining horizon: "
                    f"{WAR.format_estimate(effect, difference=True)}")
        st.plotly_chart(fan_chart(preview["after"]["fan"], "Tension under the move"))
    if c2.button("Commit the move", type="primary", key=f"wargame_commit_{turn}"):
        commit(game, moves, injects)
    if clock is not None and clock.up():
        alarm.error(f"Time is up for turn {turn} ({clock.minutes:g} min a turn). Commit the "
                    "levers as they are set below, or give the team more time: nothing is "
                    "committed until you press a commit button.")
        if alarm.button("Commit the levers as set", type="primary",
                        key=f"wargame_time_up_commit_{turn}"):
            commit(game, moves, injects)


def show_debrief(game: Game) -> None:
    if DEBRIEF not in st.session_state:
        with st.spinner("Writing the debrief"):
            st.session_state[DEBRIEF] = debrief(game)
    doc = st.session_state[DEBRIEF]
    st.markdown("### Debrief")
    rows = [{"Turn": t["turn"], "Month": t["month"],
             "Moves": "; ".join(f"{c['label']} {c['from']:g} to {c['to']:g}"
                                for c in t["changes"]) or "hold",
             "Levers held": WAR.format(t["p_war_remaining_held"]),
             "Under the move": WAR.format(t["p_war_remaining_move"]),
             "Paired effect": WAR.format_estimate(t["effect"]["p_war_remaining"],
                                                  difference=True)}
            for t in doc["turns"]]
    st.markdown(f"**{doc['headline']}, by turn**")
    st.table(pd.DataFrame(rows), hide_index=True)
    sq = doc["counterfactual"]["status_quo_from_start"]
    st.markdown(f"Against the status quo from the start: "
                f"{WAR.format_estimate(sq['effect']['p_war_remaining'], difference=True)}")
    for p in doc["pivotal_turns"]:
        st.markdown(f"Pivotal: turn {p['turn']} ({p['moves']}), "
                    f"{WAR.format_estimate(p['effect'], difference=True)}")
    path = doc["path"]
    st.markdown(f"At {path['month']} the actual future stood at "
                f"{R.rung_label(path['actual']['rung'])} (tension percentile "
                f"{100 * path['actual_tension_percentile']:.0f} of the team's policy's futures).")
    c = st.columns(4)
    c[0].download_button("Debrief (HTML)", render(doc), "debrief.html", "text/html")
    c[1].download_button("Replay (JSON)", json.dumps(replay_doc(game), indent=2),
                         "replay.json", "application/json")
    c[2].download_button("Events (CSV)", events_csv(game), "events.csv", "text/csv")
    c[3].download_button("Turns (CSV)", turns_csv(game), "turns.csv", "text/csv")


def wargame_tab() -> None:
    """The Wargame page."""
    st.caption("Play the alliance's levers turn by turn against the model: one actual future "
               "unfolds; before each move you see what may come next from this exact state "
               "and may preview your move on the same futures.")
    new_game_controls()
    game = st.session_state.get(GAME)
    if game is None:
        st.info("Start a new game.")
        return
    if game.over:
        show_debrief(game)
    else:
        play_turn(game)
