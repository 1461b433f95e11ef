"""Render docs/validation.md from a back-test result (``peninsula backtest --report PATH``).

Every number and every statement about a miss is computed from the result given; the page has
no fixed interpretation that could outlive the numbers it was written for. The figures of the
rolling back-test are written beside the page. Metrics and scores are named, and probabilities
formatted, by the registry (analysis/registry.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from peninsula.analysis import registry as REG
from peninsula.analysis.backtest import DEFAULT_DRAWS, DEFAULT_RUNS
from peninsula.report.backtest_plot import (
    best_benchmark,
    monthly_any_launch,
    plot_pit,
    plot_reliability,
    plot_rolling_fan,
    plot_skill,
    reliability,
)

FIGURES = {"fan": "validation_rolling_fan.png", "fan_ex_ante": "validation_rolling_fan_ex_ante.png",
           "pit": "validation_pit.png", "reliability": "validation_reliability.png",
           "skill": "validation_skill.png"}
# Targets of the forecast-skill work, checked on the page from the numbers of the run
COVERAGE_90_RANGE = (0.80, 0.97)
EX_ANTE_MARGIN = 0.10  # ex-ante scores within 10% of the best benchmark's
PIT_MAX_RATIO = 2.0  # no PIT bin above twice the uniform share
SPEARMAN_TARGET = 0.6
# the scores' names as every face writes them
SPEARMAN, CRPS, LOG_SCORE, BRIER, COVER_50, COVER_90, PIT, MALE = (
    REG.statistic(k).symbol for k in ("spearman", "crps", "log_score", "brier", "coverage_50",
                                      "coverage_90", "pit", "male"))


def _f(v, digits: int = 3) -> str:
    return "-" if v is None else f"{v:.{digits}f}"


def _met(ok: bool) -> str:
    return "**met**" if ok else "**not met**"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _estimate(mean: float, interval) -> dict:
    """A mean and its (low, high) 90% interval as the registry formats an estimate."""
    return {"mean": mean, "p05": interval[0], "p95": interval[1]}


def yearly_section(r: dict, plot_name: str) -> str:
    """The held-out-years back-test: table, skill against baselines and benchmarks."""
    years = r["years"]
    pm = r["predicted_mean"]
    rows = "\n".join(
        f"| {y} | {o} | {m:.1f} | {lo:.0f}-{hi:.0f} | {d} | {dm:.1f} | "
        f"{'held out' if y > r['train_until'] else 'training'} |"
        for y, o, m, lo, hi, d, dm in zip(years, r["observed"], pm, r["predicted_p05"],
                                          r["predicted_p95"], r["launch_days"]["observed"],
                                          r["launch_days"]["predicted_mean"], strict=True))
    b = r["baselines"]
    bench = r.get("benchmarks", {})
    bench_rows = "\n".join(
        f"| {name} (fitted on {years[0]}-{r['train_until']}) | {_f(s['spearman'])} | "
        f"{_f(s['crps'])} | {_f(s['brier'])} | {_f(s['coverage_90'])} |"
        for name, s in bench.items())
    test = f"{r['test_years'][0]}-{r['test_years'][-1]}"
    rivals = {"persistence": b["persistence"]["crps"], "climatology": b["climatology"]["crps"],
              **{n: s["crps"] for n, s in bench.items()}}
    beaten = [n for n, c in rivals.items() if r["crps"] >= c]
    rho_ok = r["spearman"] is not None and r["spearman"] >= SPEARMAN_TARGET
    crps_line = ("below every baseline's and benchmark's: the goal is **met**" if not beaten
                 else f"not below that of {', '.join(beaten)}: the goal is **not met**")
    pp = r.get("posterior_predictive")
    ppc = "" if pp is None else f"""
### Posterior predictive check on the training years ({years[0]}-{r['train_until']})

The replay's 90% intervals cover {pp['coverage_90_training']:.0%} of the training years. The
record's yearly dispersion (variance / mean of the yearly counts) is {pp['observed_dispersion']:.1f};
the replay runs' own yearly dispersion has median {pp['predicted_dispersion_median']:.1f}
(90% of runs {pp['predicted_dispersion_p05']:.1f}-{pp['predicted_dispersion_p95']:.1f}), so the
record's dispersion lies at the {pp['observed_dispersion_quantile']:.0%} quantile of the runs'.
"""
    return f"""## Yearly back-test: trained on {years[0]}-{r['train_until']}, held out {test}

![back-test]({plot_name})

Missiles: launched per year as the CNS/NTI database counts them (satellite launch vehicles
included); launch days: distinct dates with launches. Predicted: mean (and 90% interval for
missiles) of the ensemble, driven by the record's levers; the training years are the free
replay from 2006 with the posterior, the held-out years a forecast from the state the record
implies at the end of {r['train_until']} (its launches forced, then a particle-filter step:
tempering tau {r['forecast_filter']['tau']:.2f}, effective sample size
{r['forecast_filter']['ess']:.0f}); no launch count after {r['train_until']} is used. Launch
days are the free replay's in every year.

| year | missiles observed | predicted mean | 90% interval | launch days observed | predicted mean | window |
|---|---|---|---|---|---|---|
{rows}
{ppc}
### Skill on the held-out years ({test})

| forecast | {SPEARMAN} | {CRPS} (missiles) | {BRIER} (20+ missiles) | {COVER_90} |
|---|---|---|---|---|
| model | {_f(r['spearman'])} | {_f(r['crps'])} | {_f(r['brier'])} | {_f(r['coverage_90'])} |
| persistence (last observed year, one step ahead) | {_f(b['persistence']['spearman'])} | {_f(b['persistence']['crps'])} | {_f(b['persistence']['brier'])} | - |
| climatology (training mean) | {_f(b['climatology']['spearman'])} | {_f(b['climatology']['crps'])} | {_f(b['climatology']['brier'])} | - |
{bench_rows}

Targets: {SPEARMAN} >= {SPEARMAN_TARGET} is {_met(rho_ok)} ({_f(r['spearman'], 2)}); the model's
{CRPS} ({_f(r['crps'], 2)}) is {crps_line}.
"""


def clash_benchmark_table(c: dict) -> str:
    """Every clash forecaster's log score, Brier score and mean yearly probability on the
    replayed (in-sample) and the held-out years, side by side, with the record's rates."""
    per = c["periods"]

    def span(period: str) -> str:
        ys = per[period]["years"]
        return f"{ys[0]}-{ys[-1]}" if ys else "none"

    def cells(s: dict | None) -> str:
        return " - | - | - " if s is None else \
            f" {s['log_score']:.3f} | {s['brier']:.3f} | {s['mean_p']:.3f} "

    rows = [f"| **model** |{cells(c['model']['in_sample'])}|{cells(c['model']['held_out'])}|"]
    rows += [f"| {name}: {b['label']} |{cells(b['in_sample'])}|{cells(b['held_out'])}|"
             for name, b in c["benchmarks"].items()]
    rate = {p: "-" if per[p]["record_rate"] is None else f"{per[p]['record_rate']:.3f}"
            for p in per}
    rows.append(f"| record: share of clash years | - | - | {rate['in_sample']} | - | - | "
                f"{rate['held_out']} |")
    return f"""| forecast | in-sample {LOG_SCORE} | {BRIER} | mean p | held-out {LOG_SCORE} | {BRIER} | mean p |
|---|---|---|---|---|---|---|
{chr(10).join(rows)}

In-sample: the replayed years {span('in_sample')} ({per['in_sample']['clash_years']} clash
years); held out: {span('held_out')} ({per['held_out']['clash_years']} clash years). {_cap(LOG_SCORE)}
-log p of what happened (lower is better; a fitted rate k of n as (k + 1/2) / (n + 1)), {BRIER}
(p - 1{{clash}})^2, mean p the mean yearly probability. Every benchmark is fitted on the
training window only (the low constants are fixed); in-sample, the fitted rates have seen the
years they are scored on, and the record's rate on the replayed years is the oracle constant.

**Verdict:** {c['verdict']}
"""


def clash_section(r: dict) -> str:
    """The yearly armed-clash back-test: observed clash years against the model's probability,
    scored in-sample and held out beside every benchmark, with the low-rate verdict."""
    c = r["clashes"]
    rows = "\n".join(f"| {y} | {o} | {p:.3f} | {'held out' if y > r['train_until'] else 'replay'} |"
                     for y, o, p in zip(c["years"], c["observed"], c["predicted"], strict=True))
    sc = c["scores"]
    best = min((n for n in sc if n != "model"), key=lambda n: sc[n]["log_score"])
    beats = sc["model"]["log_score"] < sc["training_rate"]["log_score"]
    held = c["test_years"]
    n_obs = sum(o for y, o in zip(c["years"], c["observed"], strict=True) if y in held)
    p_none = float(np.prod([1 - p for y, p in zip(c["years"], c["predicted"], strict=True)
                            if y in held]))
    per = c["periods"]["in_sample"]
    n_train = per["clash_years"]
    replay_model = c["model"]["in_sample"]["log_score"]
    replay_rate = c["benchmarks"]["training_rate"]["in_sample"]["log_score"]
    mean_replay, share_obs = per["model_mean_p"], per["record_rate"]
    where = "below" if "prior_sensitivity" in r else "of docs/validation-2015.md"
    if r["posterior"].get("ladder"):
        fit = (f"The ladder's hazards were fitted jointly with the launch process on "
               f"{c['years'][0]}-{r['train_until']} (priors: the parameter table's laws, the "
               f"incident, hostilities and war hazards derived from the rivalry reference "
               f"class). "
               f"The replay's mean yearly clash probability there is {mean_replay:.2f} against "
               f"the record's {share_obs:.2f}: {'within reach' if mean_replay >= 0.5 * share_obs else 'out of reach of the priors, so the held-out score owes much to a clash rate that is low in every year'}"
               f" (the prior sensitivity {where} shows what wider priors imply).")
    else:
        fit = "The ladder's hazards were not fitted here (--launch-only): they are the prior's."
    return f"""## Armed clashes, year by year

Observed: a year with at least one armed-clash month in the coded incident series (table
`incidents`, rules in docs/model.md, "Observable rungs"); training period
{c['training_clash_years']} clash years. Predicted: the share of runs whose ladder rose to an
armed clash or worse in the year; up to {r['train_until']} the runs replay the record's
launches, later years are forecast.

| year | clash observed | model probability | window |
|---|---|---|---|
{rows}

Held-out years {held[0]}-{held[-1]}: {n_obs} clash years observed; the model gave
{p_none:.0%} to a run of years as quiet as that (the product of its yearly probabilities of no
clash).

{clash_benchmark_table(c)}
{ex_ante_clash_sentence(r)}
{codings_sentence(c)}
The model's {LOG_SCORE} {'beats' if beats else 'does not beat'} the training-period rate's
({sc['model']['log_score']:.3f} against {sc['training_rate']['log_score']:.3f}; the best rate
benchmark is {best}). The rate benchmarks are high because clashes were frequent before the
held-out years. On the replayed years {c['years'][0]}-{r['train_until']} ({n_train} clash
years) the model's {LOG_SCORE} is {replay_model:.3f} against the training rate's
{replay_rate:.3f}: {'better' if replay_model < replay_rate else 'worse'} there. {fit}
{replay_band_sentence(c)}
"""


def ex_ante_clash_sentence(r: dict) -> str:
    """The clash forecast with the levers held at their last known values, beside the
    conditional one (which knows the held-out years' recorded levers)."""
    x = r.get("clashes_ex_ante")
    if x is None:
        return ""
    ex_ante, conditional = x["model"]["held_out"], r["clashes"]["model"]["held_out"]
    return (f"Ex-ante (the levers held at their last known values, as a forecaster at the "
            f"cut knew them): held-out {LOG_SCORE} {ex_ante['log_score']:.3f} and mean p "
            f"{ex_ante['mean_p']:.3f}, against {conditional['log_score']:.3f} and "
            f"{conditional['mean_p']:.3f} conditional on the recorded levers. "
            f"**Ex-ante verdict:** {x['verdict']}")


def codings_sentence(c: dict) -> str:
    """The clash scores under each alternative coding of the record, beside the series'."""
    out = []
    for alt in c.get("codings", {}).values():
        m = alt["model"]["held_out"]
        best = min(alt["benchmarks"], key=lambda b: (alt["benchmarks"][b]["held_out"] or {})
                   .get("log_score", float("inf")))
        b = alt["benchmarks"][best]["held_out"]
        out.append(f"Coded with {alt['month']} as a clash month ({alt['why']}): held-out "
                   f"{LOG_SCORE} {m['log_score']:.3f} against {b['log_score']:.3f} for the "
                   f"best benchmark ({best}). {alt['verdict']}")
    return "\n\n".join(out)


def vintage_section(r: dict) -> str:
    """Which priors the back-test replaced so that no basis reaches past its cut."""
    v = r.get("vintage")
    if not v:
        return ""
    if v["year"] is None:
        return f"**Vintage:** none. {v['note']}.\n"
    rows = "\n".join(
        f"| `{x['name']}` | {x['tabled_basis_years'][0]}-{x['tabled_basis_years'][1]} | "
        f"{x['kind']} | {'-'.join(str(y) for y in x['basis_years']) or 'judgement'} | "
        f"{x['value']:g} [{x['range'][0]:g}, {x['range'][1]:g}] {x['distribution']} |"
        for x in v["replaced"])
    return f"""## Vintage: priors as of {v['year']}

Every parameter's basis names the years of data it used. Here each one whose data reach past
{v['year']} has a prior built without those years: its vintage prior where the parameter table
gives one ({v['n_vintage']}), otherwise a wide uniform prior ({v['n_wide']}; its centre still
comes from the later data, only its width is blind). {v['n_data_by_year']} parameters' data end
by {v['year']} and {v['n_judgement']} rest on judgement alone, used as tabled (a judgement
formed while the later record was known cannot be un-known).

| parameter | tabled data years | replaced by | its data years | prior used |
|---|---|---|---|---|
{rows}
"""


def replay_band_sentence(c: dict) -> str:
    """The replayed years' count of clash years against the model's 90% interval."""
    band = c.get("replay_band")
    if band is None:
        return ""
    lo, hi = band["interval_90"]
    return (f"Over the replayed years {band['years'][0]}-{band['years'][1]} the record has "
            f"{band['observed_clash_years']} clash years; the model's runs have "
            f"{band['model_mean']:.1f} on average, 90% of them between {lo:g} and {hi:g}: the "
            f"record lies {'within' if band['within'] else 'outside'} that band.")


def expert_section(r: dict) -> str:
    """The crisis-2017 scenario's war probabilities beside the published expert estimates of
    2017: a reference for the reader, not a target (no parameter is set from it)."""
    e = r["expert_reference"]
    rows = "\n".join(
        f"| {x['who']} ({x['role']}) | "
        f"{x['estimate_low_pct']}{'' if x['estimate_low_pct'] == x['estimate_high_pct'] else '-' + str(x['estimate_high_pct'])}% | "
        f"{x['what']} | {x['source']} |" for x in e["estimates"])
    war, clash = REG.metric("p_war"), REG.metric("p_clash")
    model = "\n".join(
        f"| {h} | {war.format_estimate(_estimate(e['p_war'][h], e['p_war_interval_90'][h]))} | "
        f"{clash.format(e['p_clash'][h])} |" for h in e["p_war"])
    return f"""## The 2017 crisis beside published expert estimates

A reference, not a calibration target: no parameter is set from these figures. The scenario
`{e['scenario']}` ({e['runs']:,} runs, seed {e['seed']}) starts in January 2017 with that year's
posture and sizes; war or worse by each horizon, with its 90% interval, and armed clash or worse:

| horizon (years) | {war.label} [90% interval] | {clash.label} |
|---|---|---|
{model}

Published estimates made during the crisis (table `expert_war_estimates_2017`; the speakers
gave no horizon, so they are closest to the model's first years only if read as "during this
crisis"):

| who | estimate | what | source |
|---|---|---|---|
{rows}
"""


def origin_facts(o: dict) -> str:
    """What the record showed at an origin: last year's launches, talks, announcements."""
    f = o.get("record_facts", {})
    parts = []
    if "launches_before" in f:
        parts.append(f"{f['launches_before']} missiles in the 12 months before")
    if "talks_at_origin" in f:
        parts.append("talks under way at the origin" if f["talks_at_origin"] else "no talks")
    if "announcement_at_origin" in f:
        parts.append("an announced programme in force" if f["announcement_at_origin"]
                     else "no announced programme in force")
    if "drill_before" in f:
        parts.append(f"mean drill intensity {f['drill_before']:.2f} before, "
                     f"{f['drill_after']:.2f} in the forecast months")
    return "; ".join(parts)


def misses(rolling: dict, mode: str) -> str:
    """The origins whose record fell outside the model's 90% interval, with the record's facts
    and how the best benchmark did there."""
    block = rolling[mode]
    best = best_benchmark(block)
    lines = []
    for o in block["origins"]:
        m = o["model"]
        y = o["observed"]
        if m["p05"] <= y <= m["p95"]:
            continue
        side = "above" if y > m["p95"] else "below"
        b = o["benchmarks"][best]
        b_in = b["p05"] <= y <= b["p95"]
        lines.append(
            f"- **{o['origin']}**: {y} missiles in the next {len(o['observed_monthly'])} months, "
            f"{side} the model's 90% interval ({m['p05']:.0f}-{m['p95']:.0f}, mean "
            f"{m['mean']:.1f}); {best} gave {b['mean']:.1f} ({b['p05']:.0f}-{b['p95']:.0f}, "
            f"{'covering' if b_in else 'also missing'} it). Record: {origin_facts(o)}. "
            f"Filter: tau {o['filter']['tau']:.2f}, effective sample size "
            f"{o['filter']['ess']:.0f}.")
    if not lines:
        return "Every origin's record lay inside the model's 90% interval."
    above = sum(" above " in s for s in lines)
    return (f"{len(lines)} of {len(block['origins'])} origins fell outside the model's 90% "
            f"interval ({above} above, {len(lines) - above} below):\n\n" + "\n".join(lines))


def paired_sentence(block: dict, settings: dict) -> str:
    """The paired test of the model against the best benchmark of each tested score."""
    tests = block.get("paired_test")
    if not tests:
        return ""
    parts = []
    for score, t in tests.items():
        name = REG.statistic(score).symbol
        if t.get("p_value") is None:
            parts.append(f"{name} against {t['benchmark']}: {t['note']}")
            continue
        parts.append(f"{name} against {t['benchmark']}: mean difference "
                     f"{t['mean_difference']:+.3f} per origin (favours {t['favours']}), "
                     f"DM {t['dm_hln']:+.2f}, p = {t['p_value']:.3f}")
    lag = tests[next(iter(tests))].get("overlap", 1)
    return (f"Paired test over the {settings['n_origins']} origins (Diebold-Mariano with the "
            f"HLN correction; horizons overlapping over {lag} origin(s) in the long-run "
            f"variance): " + "; ".join(parts) + ".")


def rolling_section(rolling: dict) -> str:
    """The rolling-origin back-test: settings, pooled scores, targets, figures, origins."""
    st = rolling["settings"]
    out = [f"""## Rolling-origin back-test of monthly forecasts

{st['n_origins']} origins, {st['first_origin']} to {st['last_origin']}, every {st['step']}
months; at each, calibration on the complete years before it only (adaptive population Monte
Carlo ABC, {st['draws']:,} simulations), a replay of the record up to the origin with the
observed launches forced and a particle-filter step on its last 12 months, and a forecast of
{st['horizon_months']} months from {st['runs']:,} runs (seed {st['seed']}). *Conditional*: the
forecast months keep their recorded levers (drills, talks, sanctions, announced programmes);
*ex-ante*: the levers governments set are held at their last observed values (drills repeat
the last year's pattern); talks under way at the origin, or none, go on or end by the model's
own hazards. Every prior is as of the year before the origin ({st.get('vintage', 'as tabled')}).
Benchmarks: fitted by statsmodels on the months before each origin only and scored
from ensembles of the same size by the same rules ({CRPS} and {LOG_SCORE} of the horizon's total,
lower is better; {BRIER} of "{st['threshold']} or more"; coverage of the central intervals; {PIT}).

![skill]({FIGURES['skill']})
"""]
    for mode in ("conditional", "ex_ante"):
        block = rolling[mode]
        rows = [("**model**", block["model"])] + list(block["benchmarks"].items())
        table = "\n".join(
            f"| {name} | {s['crps']:.2f} | {s['log_score']:.3f} | {s['brier']:.3f} | "
            f"{s['coverage_50']:.2f} | {s['coverage_90']:.2f} | {s['monthly']['crps']:.3f} | "
            f"{s['monthly']['log_score']:.3f} |" for name, s in rows)
        best_c, best_l = best_benchmark(block, "crps"), best_benchmark(block, "log_score")
        m = block["model"]
        c_b, l_b = block["benchmarks"][best_c]["crps"], block["benchmarks"][best_l]["log_score"]
        if mode == "conditional":
            goal = (f"at least as good as the best benchmark: {CRPS} {m['crps']:.2f} against "
                    f"{c_b:.2f} ({best_c}) {_met(m['crps'] <= c_b)}; {LOG_SCORE} "
                    f"{m['log_score']:.3f} against {l_b:.3f} ({best_l}) "
                    f"{_met(m['log_score'] <= l_b)}")
        else:
            goal = (f"within {EX_ANTE_MARGIN:.0%} of the best benchmark: {CRPS} {m['crps']:.2f} "
                    f"against {c_b:.2f} ({best_c}, {m['crps'] / c_b - 1:+.1%}) "
                    f"{_met(m['crps'] <= (1 + EX_ANTE_MARGIN) * c_b)}; {LOG_SCORE} "
                    f"{m['log_score']:.3f} against {l_b:.3f} ({best_l}, "
                    f"{m['log_score'] / l_b - 1:+.1%}) "
                    f"{_met(m['log_score'] <= (1 + EX_ANTE_MARGIN) * l_b)}")
        cov_ok = COVERAGE_90_RANGE[0] <= m["coverage_90"] <= COVERAGE_90_RANGE[1]
        pit_max = max(m["pit"])
        pit_ok = pit_max <= PIT_MAX_RATIO / len(m["pit"])
        out.append(f"""### {mode.replace('_', '-').capitalize()} mode: pooled over origins

| forecast | {CRPS} | {LOG_SCORE} | {BRIER} | {COVER_50} | {COVER_90} | monthly {CRPS} | monthly {LOG_SCORE} |
|---|---|---|---|---|---|---|---|
{table}

Targets: {goal}. {COVER_90} {m['coverage_90']:.2f} (goal {COVERAGE_90_RANGE[0]:.2f}-{COVERAGE_90_RANGE[1]:.2f}) {_met(cov_ok)}.
{paired_sentence(block, st)}
Largest {PIT} bin {pit_max:.2f} (goal at most {PIT_MAX_RATIO / len(m['pit']):.2f}) {_met(pit_ok)};
with {st['n_origins']} origins in {len(m['pit'])} bins one origin is {1 / st['n_origins']:.2f}
of the histogram, so the {PIT} test has little power at this number of origins.

{misses(rolling, mode)}
""")
    probs, events = monthly_any_launch(rolling, "conditional")
    rel = reliability(probs, events)
    rel_rows = "\n".join(f"| {r['low']:.1f}-{r['high']:.1f} | {r['n']} | "
                         f"{_f(r['mean_forecast'], 2)} | {_f(r['observed'], 2)} |" for r in rel)
    origin_rows = "\n".join(
        f"| {o['origin']} | {o['observed']} | {o['model']['mean']:.1f} | "
        f"{o['model']['p05']:.0f}-{o['model']['p95']:.0f} | {o['model']['pit']:.2f} | "
        f"{o['model']['crps']:.2f} | {o['benchmarks'][best_benchmark(rolling['conditional'])]['crps']:.2f} | "
        f"{o['filter']['tau']:.2f} | {o['filter']['ess']:.0f} |"
        for o in rolling["conditional"]["origins"])
    out.append(f"""### Figures

![monthly forecasts, conditional]({FIGURES['fan']})

![monthly forecasts, ex-ante]({FIGURES['fan_ex_ante']})

![{PIT}]({FIGURES['pit']})

![reliability]({FIGURES['reliability']})

Reliability of P(at least one launch in a month), conditional mode, pooled over every forecast
month of every origin:

| forecast probability | months | mean forecast | observed share |
|---|---|---|---|
{rel_rows}

### Each origin (conditional)

Columns: record of the horizon, model mean and 90% interval, the model's randomised {PIT}, {CRPS} of
the model and of the best benchmark ({best_benchmark(rolling['conditional'])}), the filter's
tempering tau and effective sample size.

| origin | observed | model mean | 90% interval | {PIT} | {CRPS} model | {CRPS} benchmark | tau | ESS |
|---|---|---|---|---|---|---|---|---|
{origin_rows}
""")
    return "\n".join(out)


def _range(v) -> str:
    return "" if v is None else f"{v[0]:.3g}-{v[1]:.3g}"


def prior_sensitivity_section(ps: dict) -> str:
    """How the war probability moves when each prior of the ladder's joint fit is widened."""
    names = list(ps["rows"][0]["posterior_median"])
    war = REG.metric(f"p_war_{ps['horizon_years']}y")
    clash = REG.metric(f"p_clash_{ps['horizon_years']}y")
    head = "| prior widened | prior | " + " | ".join(f"`{n}`" for n in names) + \
        f" | {clash.short} | {war.short} [90% interval] |"
    rows = []
    for row in ps["rows"]:
        med = " | ".join(f"{row['posterior_median'][n]:.3g}" for n in names)
        rows.append(f"| {row['widened'] or 'none (base priors)'} | {_range(row['prior'])} | "
                    f"{med} | {clash.format(row['p_clash'])} | "
                    f"{war.format_estimate(_estimate(row['p_war'], row['p_war_90']))} |")
    base = ps["rows"][0]["p_war"]
    moves = [(abs(r["p_war"] - base), r["widened"], r["p_war"]) for r in ps["rows"][1:]]
    big = max(moves)
    return f"""## Prior sensitivity of the ladder's joint calibration

The ladder's hazards refitted with the launch process on every year 2006-{ps['train_until']}
({ps['draws']:,} simulations per fit), first with the base priors, then with each prior widened
in turn (a hazard's range [a, b] to [a/2, 2b]; the launch share to [0, 1]); the posterior
medians, and the `{ps['scenario']}` scenario run with each posterior ({ps['runs']:,} runs):

{head}
|{'---|' * (len(names) + 4)}
{chr(10).join(rows)}

Widening `{big[1]}` moves {REG.metric('p_war').short} most: from {war.format(base)} to {war.format(big[2])}. Where the
posterior median follows the prior's midpoint, the record (few clashes, no war) says little
about that hazard, and the answer rests on the prior.
"""


def outside_section(r: dict) -> str:
    """The outside drivers out of sample: patrols with the switch on and off, SIPRI spending."""
    pt, sp = r["patrols"], r["spending"]
    out = []
    if "outside_drivers_on" in pt:
        on, off = pt["outside_drivers_on"], pt["outside_drivers_off"]
        rows = "\n".join(f"| {y} | {o} | {a:.2f} | {b:.2f} |" for y, o, a, b in zip(
            pt["years"], pt["observed"], on["predicted_mean"], off["predicted_mean"], strict=True))
        out.append(f"""
### Patrols with and without the outside drivers

The replay with the outside drivers (US-China rivalry, Russia-West confrontation; table
`outside_drivers`) and with the switch `outside_drivers` off; the patrol record starts in 2019,
so no scored year informs the model.

| year | observed | outside drivers on | off |
|---|---|---|---|
{rows}

Mean absolute error {on['mean_absolute_error']:.2f} (on) and {off['mean_absolute_error']:.2f}
(off) patrols a year, bias {on['bias']:+.2f} and {off['bias']:+.2f}; trend of the prediction
{on['slope_per_year']:+.3f} and {off['slope_per_year']:+.3f} a year against the record's
{pt['observed_slope_per_year']:+.3f}.
""")
    rows = "\n".join(
        f"| {a} | {sp['trend_growth_pct'][a]:.1f} | {e['male_outside_drivers_on']:.3f} | "
        f"{e['male_outside_drivers_off']:.3f} | {e['male_naive_trend']:.3f} | "
        f"{e['male_persistence']:.3f} | {e['observed'][-1]:.0f} | {e['outside_drivers_on'][-1]:.0f} | "
        f"{e['naive_trend'][-1]:.0f} |" for a, e in sp["actors"].items())
    first, last = sp["years"][0], sp["years"][-1]
    out.append(f"""
## Defence spending against SIPRI ({first}-{last})

The replay from January 2006 with each actor's trend growth taken from its own SIPRI spending of
{sp['training_years'][0]}-{sp['training_years'][1]} only (log-linear fit), so every scored year
is out of sample ({sp['runs']:,} runs). Error: {REG.statistic('male').label.lower()} ({MALE}) of the ensemble's
mean yearly spending against SIPRI (constant 2023 USD). Benchmarks: the pre-start trend
extrapolated (the model's path with arms levels held at 1) and persistence (the 2006 level held).
The DPRK has no SIPRI figures.

| actor | trend growth %/yr | {MALE} on | {MALE} off | {MALE} naive trend | {MALE} persistence | SIPRI {last} | model {last} (on) | naive {last} |
|---|---|---|---|---|---|---|---|---|
{rows}

Mean over actors: {sp['mean_male_outside_drivers_on']:.3f} (outside drivers on),
{sp['mean_male_outside_drivers_off']:.3f} (off), {sp['mean_male_naive_trend']:.3f} (naive trend),
{sp['mean_male_persistence']:.3f} (persistence).
""")
    return "\n".join(out)


def render(r: dict, plot_name: str = "validation_backtest.png",
           page: str = "docs/validation.md") -> str:
    """The whole page from a back-test result (with ``rolling`` when it was run)."""
    prior = r["posterior"].get("prior", {})
    post = "\n".join(f"| `{k}` | {_range(prior.get(k))} | {r['posterior']['mean'][k]:.3g} | "
                     f"{r['posterior']['p05'][k]:.3g}-{r['posterior']['p95'][k]:.3g} |"
                     for k in r["posterior"]["mean"])
    pt = r["patrols"]
    patrol_rows = "\n".join(
        f"| {y} | {o} | {m:.2f} | {lo:.0f}-{hi:.0f} |"
        for y, o, m, lo, hi in zip(pt["years"], pt["observed"], pt["predicted_mean"],
                                   pt["predicted_p05"], pt["predicted_p95"], strict=True))
    p_obs, p_pred = sum(pt["observed"]), float(np.sum(pt["predicted_mean"]))
    rolling = r.get("rolling")
    st = rolling["settings"] if rolling else {}
    command = (f"peninsula backtest --train-until {r['train_until']} --workers 2 "
               + ("" if rolling else "--skip-rolling ")
               + (f"--step {st['step']} " if rolling and st["step"] != 12 else "")
               + (f"--runs {r['runs']} " if r["runs"] != DEFAULT_RUNS else "")
               + (f"--draws {r['posterior']['draws']} "
                  if r["posterior"]["draws"] != DEFAULT_DRAWS else "")
               + (f"--prior-sensitivity {r['prior_sensitivity']['draws']} "
                  if "prior_sensitivity" in r else "")
               + f"--plot docs/{plot_name} --report {page}")
    return f"""# Validation: the model against 2006-2025

Generated by one command; every number and every sentence about a miss below comes from its
output (regenerate it after any change of the model):

```sh
{command}
```

(seed {r['seed']}, {r['runs']:,} runs per ensemble, calibration budget
{r['posterior']['draws']:,} simulations). What it does:

1. **Replay.** The model starts in January 2006 (SIPRI 2006 sizes; DPRK capability about 5
   warhead-equivalents, judgement) and is driven month by month by the historical levers of the
   bundled tables (`peninsula data show monthly`): US-ROK drill intensity plus trilateral drills,
   sanctions pressure stepped up at each UN resolution, talks held when the record shows them
   (lever `talks_override`), flexible diplomacy while talks run, trilateral summitry from 2023,
   and the DPRK's publicly announced weapons programmes (lever `programme_announcement`, table
   `programme_announcements`).
2. **Calibration** on the training years only, every prior as of the last training year
   (below, "Vintage"): approximate Bayesian computation by adaptive
   population Monte Carlo over every parameter of the launch process and the testing-campaign
   regime, and with the escalation ladder's hazards (`peninsula calibrate --ladder`; priors:
   the parameter table's laws, uniform where the literature is split, including zero and
   negative drill and capability effects; the ladder's incident, hostilities and war hazards
   derived from the rivalry reference class). `peninsula run --posterior FILE` uses the
   result; the replays never use the bundled posterior of the whole record.
3. **Prediction** without looking at the forecast years' launch counts (their levers, which are
   policy inputs, are known in the conditional mode and held in the ex-ante mode).
4. **Skill** against naive baselines and a benchmark set of count models fitted by statsmodels
   on the same data.

{vintage_section(r)}
{yearly_section(r, plot_name)}
{clash_section(r) if 'clashes' in r else ''}
{prior_sensitivity_section(r['prior_sensitivity']) if 'prior_sensitivity' in r else ''}
{expert_section(r) if 'expert_reference' in r else ''}
{rolling_section(rolling) if rolling else ''}
## Posterior of the yearly back-test (trained on 2006-{r['train_until']})

Calibrated {'jointly with the escalation ladder (launches, launch days, and the years with an armed clash and with a war)' if r['posterior'].get('ladder') else 'on the launch process alone'}; priors: the parameter table's laws (the column "prior" gives each one's range).

| parameter | prior | posterior mean | 90% range |
|---|---|---|---|
{post}

## China-Russia joint air patrols (2019-2025)

| year | observed | predicted mean | 90% interval |
|---|---|---|---|
{patrol_rows}

Observed {p_obs} patrols in {pt['years'][0]}-{pt['years'][-1]}; the replay's mean is
{p_pred:.1f}. Nuclear tests are reported for reference (`observed_nuclear_tests`) but not
modelled (`not_modelled`).
{outside_section(r) if 'spending' in r else ''}
Nothing was tuned to the held-out years or to the origins' forecast months.
"""


def write(result: dict, path: str | Path, plot_name: str = "validation_backtest.png") -> Path:
    """Write the page (and, with a rolling back-test, its figures beside it)."""
    from peninsula.io.store import write_text

    path = Path(path)
    rolling = result.get("rolling")
    if rolling:
        folder = path.parent
        plot_rolling_fan(rolling, folder / FIGURES["fan"], "conditional")
        plot_rolling_fan(rolling, folder / FIGURES["fan_ex_ante"], "ex_ante")
        plot_pit(rolling, folder / FIGURES["pit"])
        plot_reliability(rolling, folder / FIGURES["reliability"], "conditional")
        plot_skill(rolling, folder / FIGURES["skill"])
    write_text(render(result, plot_name, "docs/" + path.name), path)
    return path
