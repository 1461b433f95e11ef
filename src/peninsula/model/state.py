"""The model's state: the starting values a scenario gives, and the addresses of the month's draws.

The engine keeps the state of a block of runs in its own arrays (engine/phases.py); what every
layer must agree on is declared here once: the order of the scenario's starting values of the
system, and the random-stream slot of each random draw of a month (engine/random.py: draw j of
slot s in month t of a run is a hash of (run key, t, s, j), so adding a draw never moves another).
"""

from __future__ import annotations

# starting values of the system, in the order the engine receives them ([state] of a scenario)
STATE0_FIELDS = ("cohesion", "alignment", "tension", "escalation_level", "talks_active",
                 "denuclearization", "us_china_rivalry", "russia_west_confrontation")
(COHESION0, ALIGNMENT0, TENSION0, LEVEL0, TALKS0, DENUCLEARIZATION0, RIVALRY0,
 CONFRONTATION0) = range(len(STATE0_FIELDS))

# random draws of a month, each in its own slot (slot 0 is unused)
SLOTS = ("summit", "grievance", "turnover", "coercion", "coercion_target", "launch",
         "provocation", "rhetoric", "patrol", "talks_start", "talks_end", "denuclearization",
         "ladder", "misperception", "salvo", "campaign", "frailty", "launch_lift")
(SLOT_SUMMIT, SLOT_GRIEVANCE, SLOT_TURNOVER, SLOT_COERCION, SLOT_COERCION_TARGET, SLOT_LAUNCH,
 SLOT_PROVOCATION, SLOT_RHETORIC, SLOT_PATROL, SLOT_TALKS_START, SLOT_TALKS_END, SLOT_DENUC,
 SLOT_LADDER, SLOT_MISPERCEPTION, SLOT_SALVO, SLOT_CAMPAIGN, SLOT_FRAILTY, SLOT_LAUNCH_LIFT) = range(
    1, len(SLOTS) + 1)
N_SLOTS = len(SLOTS) + 1
DRAWS_PER_SLOT = 2  # the misperception draw is a Box-Muller normal from two uniforms
