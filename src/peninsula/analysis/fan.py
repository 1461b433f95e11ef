"""Fan charts: how an ensemble's outcomes spread over time (the data; report/fan_plot.py draws).

For each month t, the cumulative probability of having reached an armed clash, a war or nuclear
use by t (share of runs, with the 90% Wilson interval: Monte Carlo error); the share of runs on
each rung of the ladder (needs the monthly records); and for each year the 5-25-50-75-95th
percentiles across runs of the DPRK's launches in that year, the China-Russia alignment at its
end and the Korean Stability Index at that horizon (analysis/metrics.py). The bands are the
spread across futures (parameters sampled when the scenario samples them, and chance), not
confidence intervals of a mean.
"""

from __future__ import annotations

import numpy as np

from peninsula.analysis import registry
from peninsula.analysis.metrics import (
    PROBABILITIES,
    outcome,
    per_run_at,
    stability_index,
    wilson_interval,
)
from peninsula.io.results import COLUMN
from peninsula.io.tables import month_labels
from peninsula.scenario.schema import LEVEL_NAMES

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
# the yearly fans (their titles and units: the registry's words)
YEARLY_FANS = ("dprk_launches_per_year", "alignment_china_russia", "stability_index")


def cumulative(first_month: np.ndarray, horizon: int) -> dict:
    """Share of runs that reached the rung by each month, with its 90% Wilson interval."""
    n = len(first_month)
    reached = first_month[(first_month >= 0) & (first_month < horizon)]
    hits = np.cumsum(np.bincount(reached.astype(np.int64), minlength=horizon))
    lows, highs = zip(*(wilson_interval(int(k), n) for k in hits), strict=True)
    return {"p": (hits / n).tolist(), "low": list(lows), "high": list(highs)}


def yearly_values(result, setup, year: int) -> dict[str, np.ndarray]:
    """Per-run values of the yearly fans in year ``year`` (1 = the first year)."""
    v = per_run_at(result, year)
    return {"dprk_launches_per_year": outcome(result.launches_by_year[:, year - 1]),
            "alignment_china_russia": v["alignment"],
            "stability_index": stability_index(v, setup.metrics)}


def fan_data(result, setup) -> dict:
    """The fans of one ensemble: {"months", "cumulative", "ladder" (None without monthly
    records), "years", "yearly" (key -> {"title", "unit", "quantiles", "bands": q -> [...]})}."""
    horizon = setup.horizon
    cum = {name: cumulative(np.asarray(result.first_month[name]), horizon)
           for _, name in PROBABILITIES}
    ladder = None
    if result.monthly is not None:
        levels = np.rint(result.monthly[:, :, COLUMN["escalation_level"]]).astype(int)
        ladder = {rung: (levels == i).mean(axis=0).tolist() for i, rung in enumerate(LEVEL_NAMES)}
    years = list(range(1, setup.n_years + 1))
    per_year = [yearly_values(result, setup, y) for y in years]
    yearly = {}
    for key in YEARLY_FANS:
        bands = np.array([np.quantile(values[key], QUANTILES) for values in per_year])
        entry = registry.metric(key)
        yearly[key] = {"title": f"{entry.label}, year by year", "unit": entry.unit,
                       "quantiles": list(QUANTILES),
                       "bands": {str(q): bands[:, i].tolist() for i, q in enumerate(QUANTILES)}}
    y0 = setup.start[0]
    return {"months": month_labels(setup), "cumulative": cum, "ladder": ladder,
            "years": [y0 + y - 1 for y in years], "yearly": yearly}
