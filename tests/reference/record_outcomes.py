"""Record the summary outcomes of the bundled scenarios, with their Monte Carlo errors.

The model's redesigns must leave its outcome distributions unchanged. This script ran once on
the version named in the output, before the redesign, and wrote ``outcomes.json``;
``tests/test_distribution_reference.py`` runs the current engine with another seed and checks
every outcome against it within Monte Carlo error. Run it again only to accept a deliberate
change of the model, and say so in the commit.

    python tests/reference/record_outcomes.py            # writes tests/reference/outcomes.json
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import peninsula
from peninsula._version import __version__
from peninsula.analysis.metrics import PROBABILITIES
from peninsula.api import scenario_for

SCENARIOS = ("baseline", "blocs", "crisis-2017", "detente-2018")
RUNS = 20_000
SEED = 20261201  # the test uses another seed, so the comparison is between independent samples
OUT = Path(__file__).with_name("outcomes.json")


def flatten(summary: dict, runs: int) -> dict[str, list[float]]:
    """Every summary outcome as name -> [value, standard error]."""
    out: dict[str, list[float]] = {}
    for key, _ in PROBABILITIES:
        for h, p in summary[key].items():
            if p is not None:
                out[f"{key}/{h}"] = [p, math.sqrt(p * (1.0 - p) / runs)]
    for h, block in summary["by_horizon"].items():
        if block is None:
            continue
        for name, st in block.items():
            out[f"{name}/{h}"] = [st["mean"], st["se"]]
    for name in ("dprk_capability", "power_balance"):
        if name in summary:
            out[f"{name}/final"] = [summary[name]["mean"], summary[name]["se"]]
    return out


def record(scenarios=SCENARIOS, runs: int = RUNS, seed: int = SEED, workers: int = 2,
           overrides: tuple[str, ...] = ()) -> dict:
    """The summary outcomes of ``scenarios`` (each with ``--set``-style ``overrides``)."""
    data = {}
    for name in scenarios:
        sc = scenario_for(name, overrides=list(overrides))
        ens = peninsula.run(sc, runs=runs, seed=seed, workers=workers, record_monthly=False,
                            record_events=False, compact=True)
        data[name] = flatten(ens.summary(), runs)
    return {"peninsula_version": __version__, "runs": runs, "seed": seed, "outcomes": data}


if __name__ == "__main__":
    result = record()
    OUT.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
    n = sum(len(v) for v in result["outcomes"].values())
    print(f"wrote {OUT}: {n} outcomes", file=sys.stderr)
