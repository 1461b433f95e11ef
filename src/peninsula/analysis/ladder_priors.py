"""Priors of the escalation ladder's hazards and of the stability-instability paradox, derived
from the rivalry reference class (reference_class.py), and the rows of the parameter table that
carry them (``peninsula rivalries priors --write``).

Targets: the reference-class posterior of the DPRK-ROK rivalry's yearly probabilities in the
year after the fit's end (its own random effect included; covariates at the fit's end, the
DPRK's nuclear status set to "one side nuclear", as it has been since its 2006 test):
p_M (a new militarized dispute), p_F (a new fatal one) and p_W (a war onset), as posterior
draws.

The mapping (assumptions, written beside every row it sets). Each hazard is solved in the model
itself, by bisection on the baseline ensemble (point values, the other derived parameters at
their medians, one seed: common random numbers), so the model's own tension, crisis
management, credibility and rung occupancy turn yearly probabilities into monthly hazards;
the three hazards are solved in turn, twice over, for the 5%, 50% and 95% quantiles of their
targets:

1. The incident (the clash rung, coded by the clash rule: an exchange of fire, a sinking, a
   shelling, fatal or not) lies between a new fatal dispute and a new dispute of any kind
   (which includes threats and displays of force that are no incident): the yearly incident
   probability is p_I = p_F + U (p_M - p_F), U ~ Uniform(0, 1) (judgement). The grey-zone
   hazard h_pi (``provocation_to_incident_per_month``) makes the baseline's mean yearly
   probability of a year with an incident equal p_I.
2. A war onset needs an incident first: h_ih (``incident_to_hostilities_per_month``) makes the
   baseline's mean yearly war-onset probability over its mean yearly incident probability
   equal p_W / p_I, draw by draw.
3. Judgement: sustained hostilities between the peninsula's forces become a war (COW's 1,000
   battle deaths) with probability P_WH ~ Uniform(0.25, 0.75): h_cw (``clash_to_war_per_month``,
   hostilities -> war) makes the baseline started in hostilities reach war within
   HOSTILITIES_MONTHS months with P_WH.
4. The paradox's elasticities from the nuclear contrast of one nuclear side
   (reference_class.paradox_priors).

Each prior has its mode at the derived median: a hazard's is triangular on the log scale
(``logtriangular``: its spread covers orders of magnitude, and a triangular of the hazard
itself would put its mean far above the median), an elasticity's triangular. The support
widens the derived 5-95% range, because the fit's posterior is mean-field (narrower than the
exact one) and the mapping adds judgement: hazards from q05 / WIDENING to q95 * WIDENING,
elasticities from q50 - WIDENING (q50 - q05) to q50 + WIDENING (q95 - q50), within the
parameter's limits.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from peninsula.analysis.reference_class import (
    KOREA_RIVALRY,
    SIMULATED_PATHS,
    ReferenceFit,
    dyad_draws,
    paradox_priors,
)
from peninsula.engine.ensemble import run_chunks
from peninsula.model.setup import build_setup
from peninsula.scenario.loader import load_scenario
from peninsula.scenario.parameters import BY_NAME

WIDENING = 2.0  # the prior's support around the derived 5-95% range (module docstring)
P_WAR_GIVEN_HOSTILITIES = (0.25, 0.75)  # judgement: Uniform(a, b) (mapping 3)
NUCLEAR_STATUS = {"one_nuclear": 1.0, "both_nuclear": 0.0}  # the DPRK since 2006
BISECTION_RUNS = 2000  # runs of the baseline ensemble in each bisection step
BISECTION_STEPS = 14  # halvings of the log-hazard bracket
PASSES = 2  # rounds over the three solved hazards
HOSTILITIES_MONTHS = 12  # horizon of P(war | hostilities): hostilities end or become war by then
SOLVED = ("clash_to_war_per_month", "incident_to_hostilities_per_month",
          "provocation_to_incident_per_month")
BRACKETS = {"clash_to_war_per_month": (1e-3, 10.0),  # per month
            "incident_to_hostilities_per_month": (1e-4, 5.0),
            "provocation_to_incident_per_month": (1e-4, 1.0)}
BISECTION_SEED = 20_260_101
QUANTILES = (0.05, 0.5, 0.95)
COMMAND = "peninsula rivalries priors --write"
DERIVED = ("provocation_to_incident_per_month", "incident_to_hostilities_per_month",
           "clash_to_war_per_month", "paradox_attack_elasticity", "paradox_war_elasticity")


@dataclass(frozen=True)
class DerivedPrior:
    """One parameter's derived prior: the derived quantiles, the table row's value (mode) and
    range (support), and the assumption that maps the reference class onto it."""
    name: str
    q05: float
    q50: float
    q95: float
    low: float
    high: float
    basis: str
    distribution: str = "triangular"

    def row(self) -> dict:
        """The fields this derivation sets in the parameter table."""
        return {"value": self.q50, "range": [self.low, self.high], "basis": self.basis,
                "distribution": self.distribution}


def _quantiles(v: np.ndarray) -> tuple[float, float, float]:
    q = np.quantile(v, QUANTILES)
    return float(q[0]), float(q[1]), float(q[2])


def _hazard_support(name: str, q05: float, q95: float) -> tuple[float, float]:
    lo, hi = BY_NAME[name].limits
    return max(float(lo), q05 / WIDENING), min(float(hi), q95 * WIDENING)


def _elasticity_support(name: str, q05: float, q50: float, q95: float) -> tuple[float, float]:
    lo, hi = BY_NAME[name].limits
    return (max(float(lo), q50 - WIDENING * (q50 - q05)),
            min(float(hi), q50 + WIDENING * (q95 - q50)))


def baseline_yearly(sets: tuple[str, ...], runs: int = BISECTION_RUNS,
                    seed: int = BISECTION_SEED, extra: tuple[str, ...] = ()) -> dict:
    """The baseline ensemble with point values and ``sets`` (common random numbers: one seed):
    the mean yearly probabilities of a year with an incident entered and with a war entered,
    over its years and runs, and P(war within the horizon)."""
    sc = load_scenario("baseline", ["scenario.sample_parameters=false", *sets, *extra]
                       ).with_settings(seed=seed)
    res = run_chunks(build_setup(sc), runs, record_monthly=False, record_events=False)
    return {"incident": float((res.yearly["clash_entries"] > 0).mean()),
            "war": float((res.yearly["war_entries"] > 0).mean()),
            "war_by_horizon": float((res.first_month["war"] < sc.doc["scenario"]
                                     ["horizon_months"]).mean())}


def solve(measure, target: float, low: float, high: float) -> float:
    """The x in [low, high] at which the increasing ``measure(x)`` equals ``target``:
    bisection on the log scale (hazards span orders of magnitude), BISECTION_STEPS halvings;
    an end of the bracket when the target lies beyond it."""
    if measure(low) >= target:
        return low
    if measure(high) <= target:
        return high
    lo, hi = math.log(low), math.log(high)
    for _ in range(BISECTION_STEPS):
        mid = 0.5 * (lo + hi)
        if measure(math.exp(mid)) < target:
            lo = mid
        else:
            hi = mid
    return math.exp(0.5 * (lo + hi))


def _set(name: str, value: float) -> str:
    return f"parameters.{name}={value!r}"


def war_given_hostilities(h_cw: float, others: tuple[str, ...]) -> float:
    """P(war within HOSTILITIES_MONTHS | the baseline starts in hostilities), h_cw at
    ``h_cw`` (mapping 3, measured in the model: tension, crisis management and credibility as
    the baseline has them)."""
    return baseline_yearly((*others, _set("clash_to_war_per_month", h_cw)),
                           extra=('state.escalation_level="hostilities"',
                                  f"scenario.horizon_months={HOSTILITIES_MONTHS}"))["war_by_horizon"]


def war_per_incident(h_ih: float, others: tuple[str, ...]) -> float:
    """The baseline's mean yearly war-onset probability over its mean yearly incident
    probability, h_ih at ``h_ih`` (mapping 2, measured in the model)."""
    r = baseline_yearly((*others, _set("incident_to_hostilities_per_month", h_ih)))
    return r["war"] / r["incident"] if r["incident"] > 0 else math.inf


def incident_year(h_pi: float, others: tuple[str, ...]) -> float:
    """The baseline's mean yearly incident probability, h_pi at ``h_pi`` (mapping 1)."""
    return baseline_yearly((*others, _set("provocation_to_incident_per_month", h_pi)))["incident"]


def _vintage(fitted: ReferenceFit) -> str:
    return (f"derived ({COMMAND}): rivalry reference class, TSS strategic rivalries 1946-"
            f"{fitted.trained_until} with COW MID and war onsets (fit trained until "
            f"{fitted.trained_until}), the DPRK-ROK rivalry's posterior with one nuclear side")


def derive(fitted: ReferenceFit, table, draws: int = SIMULATED_PATHS, seed: int = 0,
           runs: int = BISECTION_RUNS) -> dict:
    """The derived priors (module docstring) as {name: DerivedPrior}, with the targets and the
    reference conditions under "targets"."""
    rng = np.random.default_rng([seed, 17])
    d = dyad_draws(fitted, table, KOREA_RIVALRY, NUCLEAR_STATUS, draws, seed)
    p_f, p_w = d["fatal_mid_onset"], d["war_onset"]
    p_incident = p_f + rng.uniform(size=len(p_f)) * np.maximum(d["mid_onset"] - p_f, 0.0)
    ratio = p_w / p_incident
    p_wh = rng.uniform(*P_WAR_GIVEN_HOSTILITIES, size=len(p_f))
    vintage = _vintage(fitted)
    out: dict = {}
    paradox = paradox_priors(fitted, draws, seed)["one_nuclear"]
    for name, v in paradox.items():
        low, high = _elasticity_support(name, v["q05"], v["q50"], v["q95"])
        out[name] = DerivedPrior(
            name, v["q05"], v["q50"], v["q95"], low, high,
            f"{vintage}; the one-nuclear-side contrast on the logit scale over ln(50 / 5) "
            "(reference_class.paradox_priors): a fatal dispute stands for an incident, a war "
            "needs one")
    targets = {"p_war_given_hostilities": _quantiles(p_wh), "p_war_per_incident": _quantiles(ratio),
               "p_incident": _quantiles(p_incident)}
    solved = {n: [BY_NAME[n].value] * 3 for n in SOLVED}

    def others(skip: str) -> tuple[str, ...]:
        fixed = [_set(n, out[n].q50) for n in paradox]
        return (*fixed, *(_set(n, v[1]) for n, v in solved.items() if n != skip))

    for _ in range(PASSES):  # the three hazards move each other's measures a little
        for name, measure, key in (
                ("clash_to_war_per_month", war_given_hostilities, "p_war_given_hostilities"),
                ("incident_to_hostilities_per_month", war_per_incident, "p_war_per_incident"),
                ("provocation_to_incident_per_month", incident_year, "p_incident")):
            fixed = others(name)
            lo, hi = BRACKETS[name]
            solved[name] = [solve(lambda x, f=fixed, m=measure: m(x, f), t, lo, hi)
                            for t in targets[key]]
    how = {
        "clash_to_war_per_month":
            "judgement: sustained hostilities become a war (1,000 battle deaths) with "
            "probability P ~ U(0.25, 0.75); h solved so that the baseline started in "
            f"hostilities reaches war within {HOSTILITIES_MONTHS} months with P's 5/50/95% "
            "quantiles {0} (bisection)",
        "incident_to_hostilities_per_month":
            "a war needs an incident first: h solved so that the baseline's mean yearly "
            "war-onset probability over its mean yearly incident probability equals "
            "p_war / p_incident's 5/50/95% quantiles {0} (bisection; p_incident as for the "
            "grey-zone hazard)",
        "provocation_to_incident_per_month":
            "an incident year lies between a fatal-dispute year and a dispute year, "
            "p_incident = p_fatal + U (p_dispute - p_fatal), U ~ U(0, 1) (judgement): h solved "
            "so that the baseline's mean yearly incident probability equals p_incident's "
            "5/50/95% quantiles {0} (bisection)"}
    key = {"clash_to_war_per_month": "p_war_given_hostilities",
           "incident_to_hostilities_per_month": "p_war_per_incident",
           "provocation_to_incident_per_month": "p_incident"}
    for name in SOLVED:
        q05, q50, q95 = solved[name]
        low, high = _hazard_support(name, q05, q95)
        shown = "/".join(f"{t:.3g}" for t in targets[key[name]])
        out[name] = DerivedPrior(name, q05, q50, q95, low, high,
                                 f"{vintage}; {how[name].format(shown)}; other derived "
                                 "parameters at their medians, point values elsewhere",
                                 "logtriangular")
    out["targets"] = {**{k: dict(zip(("q05", "q50", "q95"), v, strict=True))
                         for k, v in targets.items()},
                      "p_mid_onset": dict(zip(("q05", "q50", "q95"), _quantiles(d["mid_onset"]),
                                              strict=True)),
                      "p_fatal_mid_onset": dict(zip(("q05", "q50", "q95"), _quantiles(p_f),
                                                    strict=True)),
                      "p_war_onset": dict(zip(("q05", "q50", "q95"), _quantiles(p_w), strict=True)),
                      "trained_until": fitted.trained_until}
    return out


# --- writing the rows --------------------------------------------------------------------------

def _toml_value(v) -> str:
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return repr(float(f"{v:.4g}"))


def rounded_row(prior: DerivedPrior) -> dict:
    """The row as written (four significant digits), with the mode inside the support."""
    row = prior.row()
    low, high = (float(_toml_value(x)) for x in row["range"])
    value = min(max(float(_toml_value(row["value"])), low), high)
    return {**row, "value": value, "range": [low, high]}


def write_rows(path: str | Path, priors: dict) -> list[str]:
    """Replace the fields of each derived parameter's section of the parameter table at
    ``path`` (value, range, basis, distribution; other lines kept), atomically. Returns the
    names written."""
    p = Path(path)
    text = p.read_text()
    written = []
    for name in DERIVED:
        row = rounded_row(priors[name])
        m = re.search(rf"^\[{re.escape(name)}\]\n(.*?)(?=^\[|\Z)", text, flags=re.S | re.M)
        if m is None:
            raise ValueError(f"{p}: no [{name}] section to write the derived prior into")
        body = m.group(1)
        for key, value in row.items():
            line = f"{key} = {_toml_value(value)}"
            if re.search(rf"^{key} = .*$", body, flags=re.M):
                body = re.sub(rf"^{key} = .*$", lambda _m, line=line: line, body, count=1,
                              flags=re.M)
            else:
                body = body.rstrip("\n") + f"\n{line}\n" + ("\n" if body.endswith("\n\n") else "")
        text = text[:m.start(1)] + body + text[m.end(1):]
        written.append(name)
    tmp = p.with_name(p.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(p)
    return written


def summary(priors: dict) -> dict:
    """The derivation as plain data: per parameter its quantiles, row and basis; the targets."""
    return {"targets": priors["targets"],
            "priors": {n: {"q05": priors[n].q05, "q50": priors[n].q50, "q95": priors[n].q95,
                           **rounded_row(priors[n])} for n in DERIVED}}


def check_finite(priors: dict) -> None:
    """Refuse a derivation with a non-finite number (it would write a broken table)."""
    for n in DERIVED:
        p = priors[n]
        if not all(math.isfinite(x) for x in (p.q05, p.q50, p.q95, p.low, p.high)):
            raise ValueError(f"the derived prior of {n} is not finite: {p}")
