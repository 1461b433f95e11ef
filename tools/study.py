"""Regenerate docs/study.md: the brief's question answered on the baseline, every figure made by
one documented command of the command line, run here as it is printed, with its wall time.

    python tools/study.py [--workers 2]          (about ten minutes on two cores)

Each step runs `peninsula ...` in a subprocess, keeps its JSON result beside the figures in
docs/study/, and the page is written from those results: every number and every sentence that
states a finding comes from them. Figures are kept as PNG (the commands also write SVG and
interactive HTML, left out of the repository for size).
"""

from __future__ import annotations

import argparse
import csv
import json
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"  # the page; its figures and results go to DOCS / "study"
OUT = DOCS / "study"
# budgets: runs per ensemble; Morris trajectories and runs per point; Sobol base samples;
# Pareto generations and population ("quick": a smoke run for the tests, minutes -> seconds)
BUDGETS = {"full": {"runs": 10_000, "morris": 20, "morris_runs": 400, "sobol": 256,
                    "generations": 10, "population": 32},
           "quick": {"runs": 300, "morris": 2, "morris_runs": 20, "sobol": 8,
                     "generations": 2, "population": 8}}
SEED = 7
POLICIES = ("status-quo", "open-communication", "flexible-diplomacy",
            "multilateral-engagement", "strategic-clarity", "restraint", "max-deterrence",
            "dual-track")
STRATEGIES = ("open_communication", "flexible_diplomacy", "multilateral_engagement",
              "strategic_clarity")
INTENSITIES = (0.0, 0.5, 1.0, 1.5, 2.0)
SCREEN_KEEP = 6  # factors kept by the Morris screening for Sobol and for PRIM


def shown_path(arg) -> str:
    """An argument as the page shows it: paths relative to the project (or the page)."""
    text = str(arg)
    for base in (ROOT, DOCS.parent):
        text = text.replace(str(base) + "/", "")
    return text


class Step:
    """One documented command: its text as the page shows it, and its measured wall time."""

    def __init__(self, args: list[str], stdout: Path | None = None):
        self.args, self.stdout, self.seconds = args, stdout, 0.0

    @property
    def text(self) -> str:
        shown = ["peninsula", *[shown_path(a) for a in self.args]]
        line = " ".join(shlex.quote(a) for a in shown)
        return line + (f" > {shown_path(self.stdout)}" if self.stdout else "")

    def run(self) -> None:
        start = time.perf_counter()
        cmd = [sys.executable, "-m", "peninsula.cli", *map(str, self.args)]
        res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
        self.seconds = time.perf_counter() - start
        if res.returncode != 0:
            raise SystemExit(f"{self.text}\nfailed ({res.returncode}):\n{res.stderr[-3000:]}")
        if self.stdout is not None:
            self.stdout.write_text(res.stdout, encoding="utf-8")
        print(f"{self.seconds:7.1f} s  {self.text}", file=sys.stderr)


def keep_png(stem: Path) -> None:
    for ext in (".svg", ".html"):
        stem.with_name(stem.name + ext).unlink(missing_ok=True)


TODAY = {"open_communication": 0.2, "flexible_diplomacy": 0.2, "multilateral_engagement": 0.3,
         "strategic_clarity": 0.4}  # the strategies as in the baseline scenario
SWEEP_GROUPS = {  # the strategies' levels of each line of the sweep
    "strategies as today": TODAY,
    "clarity and open communication at full": {**TODAY, "open_communication": 1.0,
                                               "strategic_clarity": 1.0},
    "all four strategies at full": dict.fromkeys(STRATEGIES, 1.0),
}


def sweep_design(path: Path) -> None:
    """Exercise intensity 0..2 under each group of SWEEP_GROUPS."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["levers.exercise_intensity", *(f"levers.{s}" for s in STRATEGIES)])
        for level in SWEEP_GROUPS.values():
            for x in INTENSITIES:
                w.writerow([x, *(level[s] for s in STRATEGIES)])


def group_of(row: dict) -> str:
    """The SWEEP_GROUPS name of a sweep table row."""
    for name, level in SWEEP_GROUPS.items():
        if all(float(row[f"levers.{s}"]) == level[s] for s in STRATEGIES):
            return name
    raise ValueError(f"a sweep row of no group: {row}")


def pct(x: float) -> str:
    return f"{100 * x:.2f}%"


def pp(d: dict) -> str:
    return f"{100 * d['mean']:+.2f} pp [{100 * d['p05']:+.2f}, {100 * d['p95']:+.2f}]"


def harm_share(diff: dict) -> str:
    """The share of parameter draws under which a policy raises P(war): one minus the
    comparison's ``p_better``, with its 90% interval (or why it is not assessed)."""
    better = diff.get("p_better")
    if not better:
        return f"n/a ({diff.get('p_better_note') or 'not assessed'})"
    return (f"{1 - better['share']:.2f} [{1 - better['p95']:.2f}, {1 - better['p05']:.2f}]; "
            f"normal check {1 - better['normal_share']:.2f}")


def harm_rows(params: list[dict], diffs: dict, war: str) -> str:
    """Per strategy: its parameters with their prior mass of no benefit (``p_no_benefit``),
    and the share of draws under which its single-strategy policy raises P(war)."""
    rows = []
    for strategy in STRATEGIES:
        own = [r for r in params if r["strategy"] == strategy]
        policy = strategy.replace("_", "-")
        cells = ", ".join(f"`{r['name']}` {r['p_no_benefit']:.2f}" for r in own)
        shown = harm_share(diffs[policy]) if policy in diffs else "n/a (not compared)"
        mean = (f"{100 * diffs[policy][war]['mean']:+.2f} pp" if policy in diffs else "n/a")
        rows.append(f"| {strategy} | {cells} | {mean} | {shown} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> None:
    global OUT, DOCS  # the page's folder may be given (tests write elsewhere)
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--budget", choices=tuple(BUDGETS), default="full")
    ap.add_argument("--docs", type=Path, default=DOCS, help="folder of the page (tests)")
    a = ap.parse_args(argv)
    DOCS, OUT = a.docs, a.docs / "study"
    b = BUDGETS[a.budget]
    a.runs = b["runs"]
    OUT.mkdir(parents=True, exist_ok=True)
    work = ROOT / "results" / "study"  # the sweep's folder (results/ is not kept in git)
    shutil.rmtree(work, ignore_errors=True)
    w = ["--workers", str(a.workers)]
    steps: dict[str, list[Step]] = {}

    params_json = OUT / "parameters.json"
    steps["parameters"] = [Step(["parameters", "--json"], params_json)]
    cmp_json = OUT / "compare.json"
    steps["compare"] = [
        Step(["compare", "baseline", *sum((["--policy", p] for p in POLICIES), []),
              "--runs", a.runs, "--seed", SEED, "--json", "-q", *w], cmp_json),
        Step(["plot", "compare", "--from", cmp_json, "--out", OUT / "compare"])]
    steps["fan"] = [Step(["plot", "fan", "baseline", "--policy", p, "--runs", a.runs // 2,
                          "--seed", SEED, "--out", OUT / f"fan-{p}", *w])
                    for p in ("status-quo", "dual-track")]
    design = OUT / "sweep-design.csv"
    sweep_design(design)
    steps["sweep"] = [
        Step(["sweep", "baseline", "--design", design, "--runs", a.runs // 2, "--seed", SEED,
              "--out", work / "sweep", "-q", *w]),
        *(Step(["plot", "sweep", "--from", work / "sweep" / "sweep.csv", "--x",
                "levers.exercise_intensity", "--y", metric, "--by", "levers.open_communication",
                "--by", "levers.flexible_diplomacy", "--out", OUT / f"sweep-{name}"])
          for name, metric in (("war", "p_war_10y"), ("launches", "dprk_launches_per_year")))]
    pareto_json = OUT / "pareto.json"
    steps["pareto"] = [
        Step(["optimize", "baseline", "--lever", "levers.exercise_intensity=0,2", "--lever",
              "levers.open_communication=0,1", "--lever", "levers.flexible_diplomacy=0,1",
              "--lever", "levers.strategic_clarity=0,1", *sum((["--objective", o] for o in (
                  "p_war_10y", "p_clash_10y", "dprk_launches_per_year", "alliance_credibility",
                  "gdp_loss_pct")), []), "--robustness", "mean", "--runs", a.runs // 4,
              "--generations", b["generations"], "--population", b["population"], "--seed",
              SEED, "--json", "-q", *w],
             pareto_json),
        Step(["plot", "pareto", "--from", pareto_json, "--out", OUT / "pareto"])]
    sens_json = OUT / "sensitivity.json"
    steps["sensitivity"] = [
        Step(["sensitivity", "baseline", "--method", "morris", "--samples", b["morris"],
              "--runs", b["morris_runs"], "--then-sobol", SCREEN_KEEP, "--sobol-samples",
              b["sobol"], "--metric", "p_war_10y",
              "--seed", SEED, "--json", "-q", "--plot", OUT / "sensitivity.png", *w],
             sens_json)]
    for group in steps.values():
        for step in group:
            step.run()
    for stem in ("compare", "fan-status-quo", "fan-dual-track", "sweep-war", "sweep-launches",
                 "pareto"):
        keep_png(OUT / stem)
    (OUT / "sweep.csv").write_text((work / "sweep" / "sweep.csv").read_text(encoding="utf-8"),
                                   encoding="utf-8")

    rows = json.loads(sens_json.read_text(encoding="utf-8"))
    morris = sorted((r for r in rows if r["method"] == "morris"), key=lambda r: -r["mu_star"])
    sobol = sorted((r for r in rows if r["method"] == "sobol"), key=lambda r: -r["ST"])
    top = [r["factor"].removeprefix("parameters.") for r in morris[:SCREEN_KEEP]]
    disc_json = OUT / "discover.json"
    steps["discover"] = [
        Step(["discover", "baseline", "--policy", "dual-track", "--outcome",
              "war within 10 years", *sum((["--factor", f] for f in top), []), "--runs",
              a.runs, "--seed", SEED, "--json", "-q", *w], disc_json),
        Step(["plot", "discover", "--from", disc_json, "--out", OUT / "discover"])]
    for step in steps["discover"]:
        step.run()
    keep_png(OUT / "discover")
    write_page(steps, a.workers, cmp_json, sens_json, disc_json, pareto_json, morris, sobol,
               params_json)


def command_block(group: list[Step], workers: int) -> str:
    lines = "\n".join(s.text for s in group)
    times = ", ".join(f"{s.seconds:.0f} s" for s in group)
    return f"```sh\n{lines}\n```\n\nWall time: {times} ({workers} workers, two cores).\n"


def write_page(steps, workers, cmp_json, sens_json, disc_json, pareto_json, morris, sobol,
               params_json) -> None:
    c = json.loads(cmp_json.read_text(encoding="utf-8"))
    params = json.loads(params_json.read_text(encoding="utf-8"))
    pareto = json.loads(pareto_json.read_text(encoding="utf-8"))
    d = json.loads(disc_json.read_text(encoding="utf-8"))
    table = list(csv.DictReader((OUT / "sweep.csv").open(encoding="utf-8")))
    h = c["final_horizon_years"]
    war, clash = f"p_war_{h}y", f"p_clash_{h}y"
    ref = c["reference"]
    pol_rows = "\n".join(
        f"| {n} | {pct(c['policies'][n][war]['mean'])} | {pct(c['policies'][n][clash]['mean'])} "
        f"| {c['policies'][n]['dprk_launches_per_year']['mean']:.1f} | "
        f"{c['policies'][n]['stability_index']['mean']:.1f} | "
        + (pp(c['differences'][n][war]) if n in c["differences"] else "reference") + " | "
        + (harm_share(c['differences'][n]) if n in c["differences"] else "reference") + " |"
        for n in c["policies"])
    pol_head = (f"| policy | P(war, {h} yr) | P(clash, {h} yr) | launches/yr | stability index "
                f"| P(war) vs {ref}, paired | share of draws it raises P(war) [90%] |\n"
                "|---|---|---|---|---|---|---|")
    diffs = c["differences"]
    best = min(diffs, key=lambda n: diffs[n][war]["mean"])
    helps = [n for n in diffs if diffs[n][war]["p95"] < 0]
    hurts = [n for n in diffs if diffs[n][war]["p05"] > 0]

    def series(group: str) -> list[tuple[float, float, float]]:
        return sorted((float(r["levers.exercise_intensity"]), float(r[war]),
                       float(r[f"{war}_se"])) for r in table if group_of(r) == group)

    def slope(s):
        (_, y0, e0), (_, y1, e1) = s[0], s[-1]
        return y1 - y0, (e0 ** 2 + e1 ** 2) ** 0.5

    def verdict(delta, se):
        if abs(delta) < 1.645 * se:
            return "no change distinguishable from Monte Carlo error"
        return "more war" if delta > 0 else "less war"

    lines = {g: series(g) for g in SWEEP_GROUPS}
    sweep_rows = "\n".join(
        f"| {x:g} | " + " | ".join(f"{pct(lines[g][i][1])} ± {100 * lines[g][i][2]:.2f}"
                                   for g in SWEEP_GROUPS) + " |"
        for i, x in enumerate(INTENSITIES))
    best_level = {g: min(s, key=lambda p: p[1])[0] for g, s in lines.items()}
    today = lines["strategies as today"]
    driver = (sobol or morris)[0]["factor"].removeprefix("parameters.")
    sweep_summary = (f"P(war) {100 * slope(today)[0]:+.2f} pp (± {100 * slope(today)[1]:.2f}): "
                     f"{verdict(*slope(today))}")
    sweep_text = "; ".join(
        f"{g}: {100 * slope(s)[0]:+.2f} pp (± {100 * slope(s)[1]:.2f}), "
        f"{verdict(*slope(s))}, lowest at intensity {best_level[g]:g}"
        for g, s in lines.items())
    objectives = list(pareto["objectives"])
    lever_names = list(pareto["pareto"][0]["levers"]) if pareto["pareto"] else []
    front_rows = "\n".join(
        "| " + " | ".join(f"{row['levers'][k]:.2f}" for k in lever_names) + " | "
        + " | ".join(f"{row['objectives'][o]:.3g}" for o in objectives) + " |"
        for row in sorted(pareto["pareto"], key=lambda r: r["objectives"][objectives[0]])[:15])
    m_rows = "\n".join(f"| `{r['factor'].removeprefix('parameters.')}` | {r['mu_star']:.3f} ± "
                       f"{r['mu_star_conf']:.3f} | {'yes' if r['converged'] else 'no'} |"
                       for r in morris[:10])
    s_rows = "\n".join(f"| `{r['factor'].removeprefix('parameters.')}` | {r['S1']:.2f} ± "
                       f"{r['S1_conf']:.2f} | {r['ST']:.2f} ± {r['ST_conf']:.2f} |"
                       for r in sobol)
    box = d["box"]
    limits = "\n".join(f"| `{k}` | {lo:.3g} | {hi:.3g} |" for k, (lo, hi) in box["limits"].items())
    box_text = (f"PRIM finds a box of {len(box['limits'])} limit(s) holding "
                f"{box['coverage']:.0%} of the wars at a density of {box['density']:.1%} (base rate "
                f"{d['base_rate']:.1%})" if box["limits"] else
                f"no limit is significant: at base rate {d['base_rate']:.1%}, war under "
                "dual-track has no region of its own among these factors")
    page = f"""# Does deepening alliance cooperation deter or provoke? A study on the baseline

Generated by `python tools/study.py` (every number and every sentence of a finding below is
computed from the commands' results; regenerate after any change of the model). Scenario
`baseline` (2026-2035), parameters sampled (the launch and ladder parameters from the bundled
calibrated posterior, the rest from their priors; a strategy effect's prior is centred on no
effect unless the record informs it), seed {SEED}. Probabilities are of
reaching the rung within {h} years; intervals are 90%. Read every figure with docs/validation.md
and docs/validation-2015.md in mind: the war probability rests on priors the record cannot pin
down (the prior sensitivity there), so the comparisons below (which share their runs) are
sturdier than any level.

## The answer, in short

- **More alliance activity** (the `max-deterrence` policy against today's posture):
  P(war) {pp(diffs['max-deterrence'][war]) if 'max-deterrence' in diffs else 'n/a'}, launches
  {c['policies'].get('max-deterrence', {}).get('dprk_launches_per_year', {}).get('mean', float('nan')):.1f}
  a year against {c['policies'][ref]['dprk_launches_per_year']['mean']:.1f}. Along the exercise
  sweep with today's strategies, from no drills to the maximum: {sweep_summary}.
- **The four strategies together** (`dual-track`): P(war)
  {pp(diffs['dual-track'][war]) if 'dual-track' in diffs else 'n/a'}; with them the drills'
  effect on P(war) is {verdict(*slope(lines['all four strategies at full']))}.
- **What drives P(war)** most among the uncertain parameters: `{driver}` (the Sobol ranking
  below).

## 1. The four strategies, status quo, restraint, max-deterrence and dual-track

{command_block(steps['compare'], workers)}
![comparison](study/compare.png)

{pol_head}
{pol_rows}

Every policy runs the same {c['runs']:,} futures (common random numbers), so a difference is the
policy's effect run by run. Lowest war risk: **{best}** ({pp(diffs[best][war])} against
{ref}). Lower than {ref} beyond Monte Carlo error: {', '.join(helps) or 'none'}; higher:
{', '.join(hurts) or 'none'}.

The last column is the share of parameter draws under which the policy raises P(war, {h} yr)
against {ref}: one minus the comparison's `p_better` (a beta-binomial over each draw's
discordant pairs, with its 90% posterior interval; the normal check is the normal deconvolution
of the per-draw differences). The beta-binomial assumes a draw's sign is unrelated to how many
of its runs the policy changes; under sceptical priors the harmful draws are often near-ties, so
it can understate the share that harms. Where the two disagree, the runs do not pin the share
down (docs/faces.md reads it a third way, from each strategy's own parameters).

### What the priors allow: the share of each strategy's prior mass that harms

{command_block(steps['parameters'], workers)}
Each strategy's parameters with `p_no_benefit`, their prior's mass at which the effect is nil
or harmful (nil carries no mass under these continuous priors, so it is the mass that harms;
parameters the ensembles draw from the calibrated posterior are listed at their prior), and the
strategy's overall share: the share of parameter draws under which raising its lever from
today's level to 1 (its single-strategy policy against {ref}, from the comparison above)
raises P(war, {h} yr).

| strategy | parameters: p_no_benefit | P(war) vs {ref} | share of draws it raises P(war) [90%] |
|---|---|---|---|
{harm_rows(params, diffs, war)}

Fan charts of the status quo and of dual-track ({steps['fan'][0].args[6]:,} runs each):

{command_block(steps['fan'], workers)}
![fan, status quo](study/fan-status-quo.png)
![fan, dual-track](study/fan-dual-track.png)

## 2. Do the strategies change the best level of joint exercises?

{command_block(steps['sweep'], workers)}
![sweep, war](study/sweep-war.png)
![sweep, launches](study/sweep-launches.png)

| exercise intensity | {' | '.join(f'P(war, {h} yr): {g}' for g in SWEEP_GROUPS)} |
|---|{'---|' * len(SWEEP_GROUPS)}
{sweep_rows}

(± one standard error; in the figures the lines are named by the levers that tell them apart:
open communication and flexible diplomacy at today's 0.2 or at 1.) From no drills to the
maximum, P(war) changes by {sweep_text}.

## 3. Which uncertain parameters drive P(war)?

{command_block(steps['sensitivity'], workers)}
![sensitivity](study/sensitivity.png)

Morris screening of every uncertain parameter (mu*: mean absolute elementary effect on
P(war, {h} yr), ± its 95% interval; converged: the index from half the design within that
interval), the ten largest:

| factor | mu* | converged |
|---|---|---|
{m_rows}

Sobol indices of the {len(sobol)} screened leaders (first-order S1 and total ST, ± 95%):

| factor | S1 | ST |
|---|---|---|
{s_rows}

## 4. Where does dual-track fail?

{command_block(steps['discover'], workers)}
![discovery](study/discover.png)

Under dual-track, over the {len(d['factors'])} screened leaders: {box_text}.

| parameter | low | high |
|---|---|---|
{limits or '| (none) | | |'}

## 5. The trade-offs: a robust Pareto front

{command_block(steps['pareto'], workers)}
![Pareto front](study/pareto.png)

{pareto['algorithm']} over the levers {', '.join(lever_names)}; each setting scored on the same
{pareto['runs']:,} futures (the mean over the uncertainty ensemble); {len(pareto['pareto'])}
settings are not dominated after {pareto['evaluations']} evaluations. The fifteen with the lowest
{objectives[0]}:

| {' | '.join(k.removeprefix('levers.') for k in lever_names)} | {' | '.join(objectives)} |
|{'---|' * (len(lever_names) + len(objectives))}
{front_rows}
"""
    (DOCS / "study.md").write_text(page, encoding="utf-8")
    print(f"wrote {DOCS / 'study.md'}", file=sys.stderr)


if __name__ == "__main__":
    main()
