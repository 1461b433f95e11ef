"""Wargame mode: a team plays the alliance's levers turn by turn against the model.

The room of its own above the API's helpers (the layers: scenario, model, io, engine, analysis,
api, report, then the wargame, then the faces that play it: ``peninsula play`` and the
dashboard's Wargame page). Its parts: ``moves`` (seats, moves, injects, scripts),
``branching`` (futures branched from the actual one, paired on common random numbers),
``game`` (the turns and the actual future), ``files`` (replay.json, events.csv, turns.csv),
``debrief`` (debrief.json) and ``debrief_html`` (debrief.html), ``session`` (a whole game
from a script or a replay file, as the faces call it), and ``clock`` (the facilitator's turn
timer, which the faces show and which changes nothing in the game's record).
"""
