"""Rendering: results as tables on the terminal, or as JSON. No computing happens here."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:  # the numerical stack is imported where a result is rendered, not for --help
    import pandas as pd

out = Console()
if not out.is_terminal:  # pipes and files: a fixed width so tables never wrap mid-label
    out = Console(width=130)
err = Console(stderr=True)


def print_json(obj) -> None:
    sys.stdout.write(json.dumps(obj, indent=2) + "\n")


def json_text(obj) -> str:
    """``obj`` as indented JSON; a NaN or infinite number (an undefined statistic) is null,
    never the non-standard NaN/Infinity tokens."""
    import numpy as np

    def clean(x):
        if isinstance(x, dict):
            return {k: clean(v) for k, v in x.items()}
        if isinstance(x, list | tuple):
            return [clean(v) for v in x]
        if isinstance(x, float | np.floating):
            return float(x) if np.isfinite(x) else None
        if isinstance(x, np.integer):
            return int(x)
        return x

    return json.dumps(clean(obj), indent=2, allow_nan=False)


def cell(v) -> str:
    import numpy as np

    if isinstance(v, bool | np.bool_):
        return str(bool(v)).lower()
    if isinstance(v, float | np.floating):
        return f"{v:.4g}"
    return str(v)


def fmt_p(p, iv) -> str:
    """A probability and its interval in percent, '2.3% [1.0% to 3.4%]'."""
    from peninsula.analysis.registry import percent

    if p is None:
        return "-"
    return f"{percent(p)} [{percent(iv[0])} to {percent(iv[1])}]"


def fmt_pct(p: float | None) -> str:
    """A probability in percent with one decimal (analysis/registry.percent), '-' if none."""
    from peninsula.analysis.registry import percent

    return "-" if p is None else percent(p)


def fmt_range(iv: list[float] | tuple[float, float] | None) -> str:
    """A probability interval in percent, '0.6% to 8.4%', or 'n/a' when there is none."""
    from peninsula.analysis.registry import percent

    if iv is None:
        return "n/a"
    return f"{percent(iv[0])} to {percent(iv[1])}"


def fmt_s(s, scale: float = 1.0, digits: int = 2) -> str:
    """A mean with the spread across runs, 'mean [5th to 95th percentile]'."""
    if s is None:
        return "-"
    return (f"{s['mean'] * scale:.{digits}f} [{s['p05'] * scale:.{digits}f} to "
            f"{s['p95'] * scale:.{digits}f}]")


def print_summary(s: dict) -> None:
    """The run's summary: each probability by horizon with its two intervals, then each mean
    metric with its spread across runs, labelled from the registry."""
    from peninsula.analysis import registry as R
    from peninsula.analysis.metrics import (
        EVIDENCE_WORDS,
        HORIZON_METRICS,
        PROBABILITIES,
        SIMULATION_WORDS,
        evidence_note,
    )

    horizons = list(s[PROBABILITIES[0][0]].keys())
    table = Table(title=f"Peninsula: {s['scenario']}  ({s['runs']:,} runs, seed {s['seed']}, "
                        f"from {s['start']})", title_justify="left")
    table.add_column("outcome (90% interval)")
    for h in horizons:
        table.add_column(f"{h} yr", justify="right")
    iv = s["intervals_90"]
    ev = s.get("parameter_intervals_90", {})
    for key, _ in PROBABILITIES:
        table.add_row(R.metric(key).label, *[fmt_pct(s[key][h]) for h in horizons])
        table.add_row(f"  {SIMULATION_WORDS}", *[fmt_range(iv[key][h]) for h in horizons])
        table.add_row(f"  {EVIDENCE_WORDS}",
                      *[fmt_range((ev.get(key) or {}).get(h)) for h in horizons])
    for key, _ in HORIZON_METRICS:
        e = R.metric(key)
        table.add_row(e.with_unit(), *[fmt_s((s["by_horizon"][h] or {}).get(key), 1.0, e.digits)
                                       for h in horizons])
    out.print(table)
    out.print("Probabilities: share of runs, with two 90% intervals. "
              f"{SIMULATION_WORDS.capitalize()}: "
              "the Monte Carlo interval of that share (Wilson, runs sharing a parameter draw "
              f"counted as correlated); it narrows with more runs. {EVIDENCE_WORDS.capitalize()}: the "
              "range of the probability across the parameters, the simulation's noise "
              f"removed ({evidence_note(s)}). Other rows: mean [5th-95th percentile across "
              "runs].")
    if "explain" in s:
        print_explanation(s["explain"])


def _outcome_row(t: Table, name: str, c: dict, ci: dict | None = None) -> None:
    from peninsula.analysis.registry import metric

    def cell_of(key: str) -> str:
        e = metric(key)
        text = e.format_difference(c[key], unit=False)
        if ci is None:
            return text
        lo, hi = ci[key]
        return f"{text} [{e.format_interval(lo, hi, difference=True, unit=False)}]"

    t.add_row(name, *(cell_of(key) for key in c))


def _outcome_table(title: str, first: str, keys) -> Table:
    from peninsula.analysis.registry import metric

    t = Table(title=title, title_justify="left")
    labelled_column(t, first, "left")
    for key in keys:
        labelled_column(t, metric(key).with_unit(short=True, difference=True))
    return t


def print_explanation(ex: dict) -> None:
    """The drivers: what the alliance's activity does through each channel, then what each
    other mechanism adds (each a paired difference with its 90% interval)."""
    from peninsula.analysis.registry import label

    keys = list(ex["total"])
    against = ", ".join(f"{label(k, unit=False).lower()} {v:g}"
                        for k, v in ex["against"].items())
    t = _outcome_table(
        f"Why: what the alliance's activity does at {ex['horizon_years']} yr, by channel: "
        f"scenario minus the channel alone at the counterfactual ({against}); "
        f"{ex['runs']:,} runs, common random numbers", "channel", keys)
    for name, c in ex["contributions"].items():
        _outcome_row(t, words(name), c, ex["intervals_90"][name])
    _outcome_row(t, "interaction", ex["interaction"])
    _outcome_row(t, "total (every channel)", ex["total"], ex["total_interval_90"])
    out.print(t)
    out.print("[ ]: 90% interval of the mean paired difference, run by run; probabilities in "
              "percentage points (pp).")
    if ex["mechanisms"]:
        t = _outcome_table("Other mechanisms: scenario minus the mechanism switched off "
                           "(a different question; not additive with the channels)",
                           "mechanism", keys)
        for name, c in ex["mechanisms"].items():
            _outcome_row(t, words(name), c, ex["mechanism_intervals_90"][name])
        out.print(t)


def words(name: str) -> str:
    """A channel's or mechanism's name in words ('cohesion_dynamics' -> 'cohesion dynamics')."""
    return name.replace("_", " ")


def labelled_column(table: Table, name: str, justify: str = "right") -> None:
    """A column whose name is never cut: a long name or value folds onto the next line of its
    cell rather than ending in an ellipsis, on a terminal of any width."""
    table.add_column(name, justify=justify, overflow="fold", min_width=min(len(name), 8))


def fmt_diff(d: dict | list, scale: float = 1.0, digits: int = 3) -> str:
    """A paired difference ``{mean, p05, p95}`` (or [mean, p05, p95]) as 'mean [p05, p95]'."""
    mean, lo, hi = (d["mean"], d["p05"], d["p95"]) if isinstance(d, dict) else d
    return f"{mean * scale:+.{digits}f} [{lo * scale:+.{digits}f}, {hi * scale:+.{digits}f}]"


def print_sweep(result: pd.DataFrame, design_columns, sc,
                paired_against: int | None = None) -> None:
    """The sweep's headline metrics, each ± its standard error, a row per point; with
    ``paired_against`` a second table of the paired differences against that point. Columns
    and values are labelled and formatted from the registry (probabilities in %, their
    differences in percentage points)."""
    from peninsula.analysis.registry import label, metric

    horizons = sc["metrics"]["horizons_years"]
    last = max([h for h in horizons if h <= sc.horizon_months // 12] or horizons[:1])
    metrics = [f"p_war_{last}y", "dprk_launches_per_year", "alignment_china_russia",
               "stability_index"]
    records = result.to_dict("records")

    def table(title: str, labels: list[str], values) -> None:
        t = Table(title=title, title_justify="left")
        for c in ["point", *(label(c) for c in design_columns), *labels]:
            labelled_column(t, str(c))
        for rec in records:
            t.add_row(cell(rec["point"]), *(cell(rec[c]) for c in design_columns),
                      *(values(rec, m) for m in metrics))
        out.print(t)

    def level(rec: dict, m: str) -> str:
        e = metric(m)
        se = rec.get(f"{m}_se")
        if se is None:
            return e.format(rec[m])
        spread = f"{100 * se:.1f} pp" if e.is_probability else f"{se:.2g}"
        return f"{e.format(rec[m])} ± {spread}"

    def paired(rec: dict, m: str) -> str:
        return metric(m).format_estimate({"mean": rec[f"{m}_diff"], "p05": rec[f"{m}_diff_p05"],
                                          "p95": rec[f"{m}_diff_p95"]}, True, unit=False)

    table(f"{sc.name}: {sc.runs} runs per point, seed {sc.seed}; metric ± standard error",
          [metric(m).with_unit(short=True) for m in metrics], level)
    if paired_against is not None:
        table(f"Paired differences against point {paired_against}, run by run: mean "
              "[90% interval of the mean difference]",
              [f"Δ {metric(m).with_unit(short=True, difference=True)}" for m in metrics],
              paired)


def print_policies(policies, title: str) -> None:
    """Each policy: name, description and the levers it sets (in words, with their units)."""
    from peninsula.analysis.registry import lever

    t = Table(title=title, title_justify="left")
    labelled_column(t, "name", "left")
    labelled_column(t, "description", "left")
    labelled_column(t, "levers", "left")
    for p in policies:
        t.add_row(p.name, p.description,
                  "\n".join(f"{lever(k).label} = {v:g} ({lever(k).unit})"
                            for k, v in p.levers.items()))
    out.print(t)


def compare_value(metric: str, est: dict, diff: bool = False) -> str:
    """An outcome of ``compare`` as the registry formats it: a probability in % (a difference
    in percentage points), a mean with its digits; with the 90% interval of the mean."""
    from peninsula.analysis.registry import metric as entry

    return entry(metric).format_estimate(est, diff)


def print_compare(result: dict) -> None:
    """Two tables: each outcome per policy, then the paired differences against the first
    beside each policy's level."""
    from peninsula.analysis.registry import metric as entry

    ref = result["reference"]
    head = f"{result['scenario']}, {result['runs']:,} runs per policy, seed {result['seed']}"
    t = Table(title=f"Outcomes by policy ({head}): mean [90% interval of the mean]",
              title_justify="left")
    labelled_column(t, "outcome", "left")
    for name in result["policies"]:
        labelled_column(t, name)
    for m in result["outcomes"]:
        t.add_row(entry(m).with_unit(), *(compare_value(m, result["policies"][n][m])
                                          for n in result["policies"]))
    out.print(t)
    t = Table(title=f"Paired differences against {ref}, run by run: mean [90% interval of the "
                    "mean difference]", title_justify="left")
    labelled_column(t, "outcome", "left")
    for name in result["differences"]:
        labelled_column(t, f"{name} - {ref}")
    for m in result["outcomes"]:
        t.add_row(entry(m).with_unit(difference=True),
                  *(entry(m).format_estimate(result["differences"][n][m], True, unit=False)
                    for n in result["differences"]))
    metric = result.get("evidence_metric")
    if metric is not None:
        t.add_row(f"{entry(metric).label}: verdict", *(compare_verdict(result, n)
                                                        for n in result["differences"]))
    out.print(t)
    out.print("Common random numbers: run i of every policy draws the same parameters and noise, "
              "so a difference is the policies' effect run by run. Probabilities in %, their "
              "differences in percentage points (pp).")
    if metric is not None:
        out.print(f"Verdict: the share of parameter draws under which the policy lowers "
                  f"{entry(metric).label} (90% interval) and the parameters whose uncertainty "
                  "moves the difference most, with their shares of its spread across draws.")


def compare_verdict(result: dict, name: str) -> str:
    """The verdict of one policy's comparison (analysis.compare.verdict), with why what carries
    it is not given when it is not."""
    from peninsula.analysis.compare import policy_verdict

    return policy_verdict(result["differences"][name], result["evidence_metric"])


def stat(key: str) -> str:
    """A statistic's column head as the registry words it: its symbol ('\u03bc*', 'CRPS'), an
    index's interval ('ST_conf') as '\u00b1 95%'."""
    from peninsula.analysis.registry import statistic_label

    return statistic_label(key)


def stats_text(d: dict, keys=("coverage", "density", "mass")) -> str:
    """Statistics as a sentence reads them, each by its registry symbol: 'coverage 0.94,
    density 0.03, mass 0.50'."""
    return ", ".join(f"{stat(k)} {d[k]:.2f}" for k in keys)


def print_sensitivity(result, metrics: list[str], method: str, samples: int, n_factors: int,
                      n_points: int, runs: int, top: int, sobol_samples: int = 64) -> None:
    """One table per metric, factors by the method's main index, with the convergence check;
    after a screening, the Morris tables, then the Sobol tables of the factors kept."""
    from peninsula.analysis.sensitivity import MAIN_INDEX

    if result.screening is None:
        print_indices(result, metrics, method, samples, n_factors, n_points, runs, top)
        return
    print_indices(result.screening, metrics, "morris", samples, n_factors,
                  samples * (n_factors + 1), runs, top)
    kept = result.indices["factor"].nunique()
    out.print(f"kept for Sobol: the {kept} of {n_factors} factors with the largest "
              f"{stat(MAIN_INDEX['morris'])} (as a share of each metric's largest)")
    print_indices(result, metrics, "sobol", sobol_samples, kept,
                  sobol_samples * ((1 + (result.second_order is not None)) * kept + 2),
                  runs, top)


def print_indices(result, metrics: list[str], method: str, samples: int, n_factors: int,
                  n_points: int, runs: int, top: int) -> None:
    """One study's tables (``print_sensitivity``), each index headed by its registry symbol."""
    import pandas as pd

    from peninsula.analysis.registry import CONFIDENCE_SUFFIX, label, statistic
    from peninsula.analysis.sensitivity_methods import method_of

    how = method_of(method)
    cols = how.columns
    main = how.main_index
    conv = (result.convergence.set_index(["metric", "factor"])
            if result.convergence is not None else None)
    for m in metrics:
        part = result.indices[result.indices.metric == m].sort_values(
            main, ascending=False).head(top)
        first = part.iloc[0]
        if how.given_data:
            what = (", ".join(statistic(k).named for k in cols
                              if not k.endswith(CONFIDENCE_SUFFIX))
                    + f" from one ensemble of {runs} runs")
        elif how.elementary_effects:
            what = (f"Morris elementary effects ({samples} trajectories x {n_factors + 1} "
                    f"points, {runs} runs each)")
        else:
            what = (f"{how.title} ({samples} x {n_points // samples} points, {runs} runs "
                    "each)")
        t = Table(title=f"{label(m)}: {what}; spread {first['sd']:.3g}"
                        + ("" if how.given_data else
                           f", a point's standard error {first['point_se']:.3g}"))
        t.add_column("factor")
        for c in cols:
            t.add_column(stat(c), justify="right")
        if conv is not None:
            t.add_column(f"{stat(main)} from N/2", justify="right")
            t.add_column("converged", justify="right")
        for rec in part.to_dict("records"):
            row = [f"{rec[c]:.3g}" if how.elementary_effects else f"{rec[c]:.3f}" for c in cols]
            if conv is not None:
                c = conv.loc[(m, rec["factor"])]
                row += [f"{c[f'{main}_half']:.3g}",
                        "-" if c["converged"] is None or pd.isna(c["converged"])
                        else ("yes" if c["converged"] else "no")]
            t.add_row(rec["factor"].removeprefix("parameters."), *row)
        out.print(t)
        if result.second_order is not None:
            pairs = result.second_order[result.second_order.metric == m]
            t = Table(title=f"{label(m)}: second-order indices, largest pairs")
            for c in ("factor", "factor ", stat("S2"), stat("S2_conf")):
                t.add_column(c, justify="left" if c.startswith("factor") else "right")
            for rec in pairs.sort_values("S2", ascending=False).head(top).to_dict("records"):
                t.add_row(rec["factor_1"].removeprefix("parameters."),
                          rec["factor_2"].removeprefix("parameters."), f"{rec['S2']:.3f}",
                          f"{rec['S2_conf']:.3f}")
            out.print(t)


def print_discovery(d: dict) -> None:
    """The chosen box (limits with their quasi-p values), its statistics, the trade-off curve
    in steps, and CART's leaves if asked."""
    box = d["box"]
    out.print(f"{d['scenario']}: '{d['outcome']}' in {100 * d['base_rate']:.1f}% of "
              f"{d['runs']} runs (seed {d['seed']})"
              + (f", policy {' '.join(d['policy'])}" if d["policy"] else ""))
    t = Table(title=f"PRIM box: {stats_text(box)} ({len(box['limits'])} limits)")
    for c in ("parameter", "low", "high", f"{stat('qp')} low", f"{stat('qp')} high"):
        t.add_column(c, justify="left" if c == "parameter" else "right")
    for name, (low, high) in box["limits"].items():
        qp = box["qp"][name]
        t.add_row(name, f"{low:.4g}", f"{high:.4g}",
                  *("-" if q is None else f"{q:.2g}" for q in qp))
    out.print(t)
    if not box["limits"]:
        out.print("no limit is significant: the outcome has no region of its own here")
    t = Table(title=f"{stat('coverage')}-{stat('density')} trade-off (peeling and pasting)")
    for c in ("box", stat("coverage"), stat("density"), stat("mass"), "limits"):
        t.add_column(c, justify="right")
    traj = d["trajectory"]
    for i in sorted({*range(0, len(traj), max(1, len(traj) // 10)), len(traj) - 1}):
        r = traj[i]
        t.add_row(str(i), f"{r['coverage']:.2f}", f"{r['density']:.2f}", f"{r['mass']:.2f}",
                  str(r["res_dim"]))
    out.print(t)
    for leaf in d.get("cart") or []:
        rule = ", ".join(f"{lo:.3g} <= {k} <= {hi:.3g}" for k, (lo, hi) in leaf["limits"].items())
        out.print(f"CART leaf: {stats_text(leaf)}: {rule}")


def print_warnings(warnings: list[str]) -> None:
    sys.stdout.flush()  # the warnings come last, after the results they are about
    for warning in warnings:  # on stderr, so --json output stays a list of records
        sys.stderr.write(f"warning: {warning}\n")


def print_optimum(best: dict, sc, metric: str, minimize: bool, runs: int) -> None:
    """The best lever setting found and the metric there, in the search and on a new seed."""
    from peninsula.analysis.registry import label
    from peninsula.analysis.registry import metric as entry

    e = entry(metric)
    t = Table(title=f"{sc.name}: {'min' if minimize else 'max'}imise {e.with_unit()} "
                    f"({best['evaluations']} evaluations of {runs} runs)")
    t.add_column("lever")
    t.add_column("best", justify="right")
    for k, v in best["levers"].items():
        t.add_row(label(k), f"{v:.3g}")
    t.add_row(f"{e.label} in the search", e.format(best["search_value"]))
    t.add_row(f"{e.label} on a new seed ({best['check_seed']})", e.format(best["check_value"]))
    out.print(t)


def print_pareto(result: dict) -> None:
    """The Pareto front: one row per non-dominated setting, its levers then its objectives."""
    from peninsula.analysis.registry import label
    from peninsula.report.pareto_plot import objective_label

    objectives = result["objectives"]
    t = Table(title=f"{result['scenario']}: Pareto front, {len(result['pareto'])} settings "
                    f"({result['algorithm']}, {result['evaluations']} evaluations of "
                    f"{result['runs']:,} runs, seed {result['seed']})", title_justify="left")
    for key in result["levers"]:
        t.add_column(label(key), justify="right")
    for name, o in objectives.items():
        t.add_column(objective_label(name, o).replace("\n", " "), justify="right")
    for row in result["pareto"]:
        t.add_row(*[f"{v:.3g}" for v in row["levers"].values()],
                  *[f"{row['objectives'][n]:.4g}" for n in objectives])
    out.print(t)
    out.print("Robustness over the runs: "
              + "; ".join(f"{n}: {o['statistic']}" for n, o in objectives.items()))


def print_scenarios(rows: list[tuple[str, str, str]]) -> None:
    table = Table(title="Bundled scenarios", title_justify="left")
    for col in ("name", "start", "description"):
        table.add_column(col)
    for row in rows:
        table.add_row(*row)
    out.print(table)


def print_parameters(registry, as_json: bool) -> None:
    """The parameter table; a strategy effect's row adds its strategy, null value, the side of
    it that helps and its prior probability of no benefit (scenario/parameters.py)."""
    if as_json:
        print_json([{"name": p.name, "value": p.value, "unit": p.unit, "range": [p.low, p.high],
                     "mechanism": p.mechanism, "basis": p.basis, "description": p.description,
                     "distribution": p.distribution, "strategy": p.strategy,
                     "null_value": p.null_value, "benefit": p.benefit,
                     "p_no_benefit": p.p_no_benefit,
                     "basis_years": None if p.basis_years is None else list(p.basis_years)}
                    for p in registry])
        return
    table = Table(title="Model parameters", title_justify="left")
    for col in ("name", "value", "unit", "range", "distribution", "basis"):
        table.add_column(col, no_wrap=col == "name", ratio=3 if col == "basis" else None)
    for p in registry:
        effect = ("" if p.strategy is None else
                  f"({p.strategy.replace('_', ' ')} effect, null {p.null_value:g}, "
                  f"P(no benefit) {p.p_no_benefit:.0%}) ")
        table.add_row(p.name, f"{p.value:g}", p.unit, f"[{p.low:g}, {p.high:g}]",
                      p.distribution, effect + p.basis)
    out.print(table)


def print_ingest_report(rep: dict, out_path) -> None:
    out.print(f"rows read {rep['rows_read']:,}; used {rep['rows_used']:,}; other actors "
              f"{rep['rows_other_actors']:,}; rejected {rep['rows_rejected_total']:,}")
    for reason, n in rep["rows_rejected"].items():
        out.print(f"  rejected, {reason}: {n:,}")
    out.print(f"{rep['dyad_months']:,} dyad-months written to {out_path}")


def print_backtest(result: dict, train_until: int) -> None:
    """The yearly launches observed and forecast, then each forecast's scores on the held-out
    years (and on the armed-clash years, if scored), headed by the registry's symbols."""
    from peninsula.analysis.backtest import THRESHOLD

    table = Table(title=f"Back-test, trained on 2006-{train_until}", title_justify="left")
    for col in ("year", "observed", "predicted mean", "90% interval", ""):
        table.add_column(col, justify="right")
    for i, year in enumerate(result["years"]):
        table.add_row(str(year), str(result["observed"][i]), f"{result['predicted_mean'][i]:.1f}",
                      f"{result['predicted_p05'][i]:.0f}-{result['predicted_p95'][i]:.0f}",
                      "held out" if year > train_until else "")
    out.print(table)
    scores = Table(title="Skill on held-out years", title_justify="left")
    keys = ("spearman", "crps", "brier", "coverage_90")
    for col in ("forecast", *(f"{stat(k)} ({THRESHOLD}+)" if k == "brier" else stat(k)
                              for k in keys)):
        scores.add_column(col, justify="right")

    def fmt(v):
        return "-" if v is None else f"{v:.3f}"

    rows = {"model": result, **result["baselines"], **result.get("benchmarks", {})}
    for name, b in rows.items():
        scores.add_row(name, *(fmt(b[k]) for k in keys))
    out.print(scores)
    if "clashes" in result:
        c = result["clashes"]
        clash = Table(title=f"Armed-clash years, held out {c['test_years'][0]}-"
                            f"{c['test_years'][-1]} (observed {sum(c['observed'][-len(c['test_years']):])})",
                      title_justify="left")
        for col in ("forecast", stat("log_score"), stat("brier")):
            clash.add_column(col, justify="right")
        for name, sc in c["scores"].items():
            clash.add_row(name, fmt(sc["log_score"]), fmt(sc["brier"]))
        out.print(clash)


def print_rolling(rolling: dict) -> None:
    """Pooled scores of the rolling-origin back-test, model against benchmarks, per mode."""
    st = rolling["settings"]
    for mode in ("conditional", "ex_ante"):
        block = rolling[mode]
        table = Table(title=f"Rolling origins {st['first_origin']}..{st['last_origin']} "
                            f"({st['n_origins']}, {st['horizon_months']}-month horizon), "
                            f"{mode.replace('_', '-')}: pooled scores (lower is better, "
                            f"but coverage)", title_justify="left")
        for col in ("forecast", stat("crps"), stat("log_score"),
                    f"{stat('brier')} ({st['threshold']}+)", stat("coverage_50"),
                    stat("coverage_90"), f"monthly {stat('crps')}"):
            table.add_column(col, justify="right")
        rows = [("model", block["model"])] + list(block["benchmarks"].items())
        for name, sc in rows:
            table.add_row(name, f"{sc['crps']:.2f}", f"{sc['log_score']:.3f}",
                          f"{sc['brier']:.3f}", f"{sc['coverage_50']:.2f}",
                          f"{sc['coverage_90']:.2f}", f"{sc['monthly']['crps']:.3f}")
        out.print(table)
    pit = rolling["conditional"]["model"]["pit"]
    out.print(f"{stat('pit')} histogram (conditional, model; uniform share "
              f"{1 / len(pit):.2f}): " + " ".join(f"{p:.2f}" for p in pit))


def print_arms_fit(result: dict) -> None:
    c = result["combined"]
    out.print(f"Combined: dU = k (U - U0), k = {c['k']:.4g} (se {c['k_se']:.3g}), "
              f"U0 = {c['u0']:.4g}, n = {c['n']}")
    for side in ("x", "y"):
        s = result["pair"][side]
        out.print(f"{side}: reaction {s['reaction']:.4g} (se {s['reaction_se']:.3g}, "
                  f"p[no interaction] = {s['no_interaction_p']:.3g}), fatigue "
                  f"{s['fatigue']:.4g} (se {s['fatigue_se']:.3g}), grievance "
                  f"{s['grievance']:.4g} (se {s['grievance_se']:.3g})")
    eq = result["equilibrium"]
    out.print(f"Equilibrium: x* = {eq['x']}, y* = {eq['y']}; {result['stability']}")


def print_history_list(tables: dict[str, str]) -> None:
    table = Table(title="Historical tables (sources: peninsula data show sources)",
                  title_justify="left")
    table.add_column("name")
    table.add_column("contents")
    for name, doc in tables.items():
        table.add_row(name, doc)
    out.print(table)


def print_frame(name: str, df: pd.DataFrame, as_json: bool, as_csv: bool) -> None:
    import pandas as pd

    if as_json:
        sys.stdout.write(df.to_json(orient="records", indent=1) + "\n")
    elif as_csv:
        sys.stdout.write(df.to_csv(index=False))
    else:
        table = Table(title=name, title_justify="left")
        for col in df.columns:
            table.add_column(str(col))
        for row in df.itertuples(index=False):
            table.add_row(*["" if pd.isna(v) else str(v) for v in row])
        out.print(table)
