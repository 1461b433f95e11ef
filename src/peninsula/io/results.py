"""The one declaration of a chunk's result layout: outcome keys, the monthly record's columns
and the arrays a simulated chunk returns.

The engine's kernel (engine/kernel.py) fills these layouts, and the tables, stores and summaries
read them by name.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from peninsula.model.actors import ACTORS, CHN, JPN, ROK
from peninsula.model.escalation import CLASH, HOSTILITIES, NUCLEAR, WAR

NEVER = np.iinfo(np.int32).max  # first month of a rung that a run never reached
# rungs whose first month each run records ("clash": an armed clash, i.e. an incident, or worse)
FIRST_KEYS = ("clash", "hostilities", "war", "nuclear_use")
FIRST_RUNGS = (CLASH, HOSTILITIES, WAR, NUCLEAR)  # the rung of each FIRST_KEYS entry (reached: at or above)
YEARLY_KEYS = ("alignment", "polarization", "denuclearization", "gdp_loss_pct",
               "gdp_loss_pct_ROK", "cohesion", "arms_race_pct", "dprk_capability",
               "power_balance", "tension",
               "clash_entries", "war_entries",
               "credibility")  # end-of-year values kept per run; clash_entries (war_entries)
# count the months of the year in which the ladder entered an armed clash (war) or above;
# credibility is the allies' deterrence credibility (0-1, model/deterrence.py)
REGION_GDP_ACTORS = (ROK, JPN, CHN)  # headline GDP loss: East Asian economies, GDP-weighted

TRUST_DYADS = (("PRK", "USA"), ("PRK", "ROK"), ("PRK", "JPN"), ("CHN", "USA"), ("CHN", "ROK"),
               ("CHN", "JPN"), ("RUS", "USA"), ("RUS", "ROK"), ("RUS", "JPN"), ("USA", "PRK"),
               ("ROK", "PRK"), ("JPN", "PRK"), ("ROK", "CHN"), ("JPN", "CHN"))
TRUST_INDEX = tuple((ACTORS.index(i), ACTORS.index(j)) for i, j in TRUST_DYADS)
SYSTEM_VARS = ("escalation_level", "tension", "cohesion", "alignment", "polarization",
               "credibility", "power_balance", "dprk_capability", "denuclearization",
               "talks_active", "dprk_willingness", "sanctions_effective", "supply_chain",
               "launch_rate", "testing_campaign")
ACTOR_VARS = ("arms_level", "defence_spending_usd_bn", "threat_ratio", "gdp_loss_pct")
MONTHLY_VARS: tuple[str, ...] = (
    SYSTEM_VARS
    + tuple(f"{v}_{a}" for v in ACTOR_VARS for a in ACTORS)
    + tuple(f"trust_{i}_{j}" for i, j in TRUST_DYADS)
)
COLUMN = {name: k for k, name in enumerate(MONTHLY_VARS)}  # monthly column of each variable
ACTOR_BLOCK = {v: COLUMN[f"{v}_{ACTORS[0]}"] for v in ACTOR_VARS}  # first column, then by actor
TRUST_BLOCK = COLUMN[f"trust_{TRUST_DYADS[0][0]}_{TRUST_DYADS[0][1]}"]  # then TRUST_DYADS order


@dataclass
class ChunkResult:
    """Outputs of a chunk: per-run parameters and outcomes, optional monthly records and events."""

    run_ids: np.ndarray  # (R,)
    params: np.ndarray  # (R, P)
    first_month: dict  # {FIRST_KEYS: (R,) int32, NEVER if not reached}
    launches_by_year: np.ndarray  # (R, Y)
    patrols_by_year: np.ndarray  # (R, Y) China-Russia joint patrols
    launch_days_by_year: np.ndarray  # (R, Y) days with DPRK launches
    yearly: dict  # YEARLY_KEYS -> (R, Y) end-of-year snapshot
    monthly: np.ndarray | None  # (R, H, len(MONTHLY_VARS)) float32
    events: np.ndarray | None  # (R, H, E) int16
