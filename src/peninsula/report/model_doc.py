"""Build docs/model.md from the mechanisms' own docstrings and the parameter registry.

The equations live next to their code; this page is generated from them so the two never
disagree (a test checks the committed page is current). Run: python -m peninsula.report.model_doc
"""

from __future__ import annotations

import importlib
import inspect
import sys
from pathlib import Path

from peninsula.scenario.parameters import REGISTRY
from peninsula.scenario.schema import LEVERS, MECHANISMS

SECTIONS = (
    ("Actors and geography", "peninsula.model.actors"),
    ("Policy levers and the reference policy", "peninsula.model.levers"),
    ("Balance of threat", "peninsula.model.threat"),
    ("Beliefs (Kydd)", "peninsula.model.beliefs"),
    ("Arms race (Richardson)", "peninsula.model.arms_race"),
    ("Trilateral cohesion", "peninsula.model.cohesion"),
    ("Deterrence", "peninsula.model.deterrence"),
    ("China-Russia alignment, sanctions leakage, polarisation", "peninsula.model.alignment"),
    ("DPRK nuclear and missile programme", "peninsula.model.nuclear_programme"),
    ("Diplomacy, denuclearisation and the cornered effect", "peninsula.model.diplomacy"),
    ("Provocations (self-exciting counts)", "peninsula.model.provocations"),
    ("Concessions: provocations that extract talks and relief", "peninsula.model.concessions"),
    ("Event coding (CAMEO / Goldstein)", "peninsula.model.events"),
    ("Tension", "peninsula.model.tension"),
    ("Escalation ladder", "peninsula.model.escalation"),
    ("Observable rungs: coding the record on the ladder", "peninsula.io.incidents"),
    ("Economy", "peninsula.model.economy"),
    ("China's economic coercion", "peninsula.model.coercion"),
    ("Reference points", "peninsula.model.reference"),
    ("Rates, memories and probabilities", "peninsula.model.rates"),
    ("Bounds that settle draws without exp", "peninsula.model.bounds"),
    ("Compiled mechanisms", "peninsula.model.compiled"),
    ("Order of a month (the kernel)", "peninsula.engine.kernel"),
    ("Random numbers", "peninsula.engine.random"),
    ("Outcome metrics and the Korean Stability Index", "peninsula.analysis.metrics"),
    ("Explanation", "peninsula.analysis.explain"),
    ("Reading real event data (GDELT, ICEWS)", "peninsula.io.events"),
    ("Fitting Richardson's equations", "peninsula.analysis.arms_fit"),
    ("The record as inputs (historical replay)", "peninsula.analysis.record"),
    ("Back-test, calibration and skill", "peninsula.analysis.backtest"),
    ("Vintages: priors without the held-out years", "peninsula.scenario.vintage"),
    ("Outside drivers out of sample: patrols and SIPRI spending",
     "peninsula.analysis.outside_backtest"),
    ("Conditioning on the record at a forecast origin", "peninsula.analysis.replay"),
    ("Rolling-origin back-test", "peninsula.analysis.rolling"),
    ("Paired test of forecast accuracy", "peninsula.analysis.paired_test"),
    ("Benchmark count models", "peninsula.analysis.count_models"),
    ("The rivalry reference class", "peninsula.analysis.reference_class"),
    ("Scoring rules", "peninsula.analysis.scoring"),
)

HEADER = """# The Peninsula model

Generated from the code's docstrings by `python -m peninsula.report.model_doc`; do not edit by
hand. Time step: one month. Each mechanism is a scalar function of one run's state; actors in
the order USA, ROK, JPN, PRK, CHN, RUS. Sources are cited where one exists; "judgement" marks a
value set by the modellers, which is why every parameter has an uncertainty range that ensembles
sample (triangular, mode = default) unless `sample_parameters = false`.
"""


def build() -> str:
    parts = [HEADER]
    for title, module in SECTIONS:
        doc = inspect.getdoc(importlib.import_module(module)) or ""
        parts.append(f"## {title}\n\n`{module}`\n\n```text\n{doc}\n```\n")
    parts.append("## Levers\n\n| lever | range | default | meaning |\n|---|---|---|---|")
    for name, f in LEVERS.items():
        parts.append(f"| `{name}` | {f.low:g}..{f.high:g} | {f.default:g} | {f.doc} |")
    parts.append("| `exercise_months` | months 1..12 | [3, 8] | months of the year with drills |\n")
    parts.append("## Mechanism switches (`[mechanisms]`)\n\n| switch | what it turns off |\n|---|---|")
    for name, doc in MECHANISMS.items():
        parts.append(f"| `{name}` | {doc} |")
    parts.append("\n## Parameters\n\n| name | default | unit | range | mechanism | basis | "
                 "data years | meaning |\n|---|---|---|---|---|---|---|---|")
    for p in REGISTRY:
        parts.append(f"| `{p.name}` | {p.value:g} | {p.unit} | [{p.low:g}, {p.high:g}] | "
                     f"{p.mechanism} | {p.basis} | {data_years(p.basis_years)} | "
                     f"{p.description} |")
    parts.append("\n## Vintage priors (back-tests cut before the basis's last year)\n\n"
                 "| name | data years | default | range | law | basis |\n|---|---|---|---|---|---|")
    for p in REGISTRY:
        for v in p.vintages:
            parts.append(f"| `{p.name}` | {data_years(v.basis_years)} | {v.value:g} | "
                         f"[{v.low:g}, {v.high:g}] | {v.distribution} | {v.basis} |")
    return "\n".join(parts) + "\n"


def data_years(years: tuple[int, ...] | None) -> str:
    """A basis's years of data as the table shows them: "2006-2025", or "judgement"."""
    if not years:
        return "judgement" if years == () else "not stated"
    return f"{years[0]}" if years[0] == years[1] else f"{years[0]}-{years[1]}"


def main() -> None:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/model.md")
    target.write_text(build(), encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
