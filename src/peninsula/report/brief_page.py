"""The policy brief's page: the HTML of ``report/brief.py``'s results, bottom line first.

Every label, unit and number format is the registry's (analysis/registry.py): probabilities in
percent with one decimal, their differences in percentage points, no code name of a metric in
the text or the tables. The page is built from the results alone (``render``), so what it says
can be tested without running a brief.
"""

from __future__ import annotations

import html
import json
import math
import re
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

from peninsula._version import __version__
from peninsula.analysis import registry as REG
from peninsula.analysis.compare import interval_verdict, policy_verdict
from peninsula.analysis.metrics import (
    EVIDENCE_WORDS,
    MEAN_METRICS,
    PROBABILITIES,
    SIMULATION_WORDS,
    Z90,
    evidence_note,
    final_horizon,
)
from peninsula.analysis.sensitivity_methods import method_of
from peninsula.report.brief_defaults import SENSITIVITY_TOP
from peninsula.report.sensitivity_plot import BARS
from peninsula.scenario.schema import MECHANISMS

RUNG_KEYS = tuple(key for key, _ in PROBABILITIES)  # p_clash, p_hostilities, p_war, ...
# the outcomes of explain (analysis/explain.OUTCOMES), read at the drivers' horizon
EXPLAINED = ("p_clash", "p_war", "p_nuclear_use", "dprk_launches_per_year",
             "alignment_china_russia", "stability_index")
NUMBERS = {2: "two", 3: "three"}
ARTICLES = {"provocation": "a ", "crisis": "a ", "armed_clash": "an "}  # rungs in a sentence
CODE_NAME = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")  # a name_with_underscores


# --- formatting ------------------------------------------------------------------------------

def in_words(result) -> SimpleNamespace:
    """A sensitivity result as people read it: each metric by its registry label and unit,
    each parameter in words, and a Morris study's effects on a probability in percentage
    points (the indices of Sobol and delta are shares and stay as they are)."""
    ind = result.indices.copy()
    for metric in dict.fromkeys(ind["metric"]):
        rows = ind["metric"] == metric
        try:
            e = REG.metric(str(metric))
        except KeyError:
            ind.loc[rows, "metric"] = REG.label(str(metric))
            continue
        how = method_of(result.method)
        effects = how.elementary_effects  # its columns are in the outcome's units
        if effects and e.is_probability:
            cols = [c for c in how.columns if c in ind]
            ind.loc[rows, cols] = ind.loc[rows, cols] * 100.0
        unit = e.difference_unit if effects else ""
        ind.loc[rows, "metric"] = f"{e.label} ({unit})" if unit else e.label
    ind["factor"] = [_parameter(f) for f in ind["factor"]]
    return SimpleNamespace(method=result.method, indices=ind,
                           warnings=list(getattr(result, "warnings", []) or []))


def final_years(scenario) -> int:
    """The final horizon of a scenario in years (at least one)."""
    return max(1, final_horizon(scenario["metrics"]["horizons_years"],
                                scenario.horizon_months // 12))


def in_plain_words(text: str) -> str:
    """A study's message with every code name in words: a metric by its registry label
    ('p_war_10y' -> 'P(war or worse) within 10 years'), a statistic by its symbol ('mu_star'
    -> 'μ*'), a parameter as words."""
    def word(m: re.Match) -> str:
        name = m.group(0)
        if name in REG.STATISTICS:
            return REG.statistic(name).symbol
        return REG.label(name, unit=False)

    return CODE_NAME.sub(word, text)


def _e(text: object) -> str:
    return html.escape(str(text))


def _parameter(name: object) -> str:
    """A parameter (or any factor) in words: 'parameters.clash_to_war_per_month' -> 'clash to
    war per month'."""
    return REG.label(str(name).removeprefix("parameters."), unit=False)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _key(base: str, years: int | str) -> str:
    """The registry key of a probability at a horizon: ('p_war', 10) -> 'p_war_10y'."""
    return f"{base}_{years}y"


def chance(base: str, years: int | str) -> str:
    """A probability in a sentence: ('p_war', 10) -> 'the chance of war or worse within 10
    years' (the rung's words from the registry)."""
    rung = REG.rung_of(base.removeprefix("p_"))
    words = REG.rung_words(rung)[0]
    top = rung == REG.LEVEL_NAMES[-1]
    years = int(years)
    return (f"the chance of {ARTICLES.get(rung, '')}{words}{'' if top else ' or worse'} within "
            f"{years} year{'s' if years != 1 else ''}")


def format_difference(d: dict, key: str) -> str:
    """A paired difference ``{mean, p05, p95}`` of the metric ``key`` as the brief prints it:
    '-7.6 pp (90% interval -8.5 to -6.7 pp)' (the registry's units)."""
    e = REG.metric(key)
    return (f"{e.format_difference(d['mean'])} (90% interval "
            f"{e.format_interval(d['p05'], d['p95'], difference=True)})")


def _verdict(diffs: dict, key: str, comparison: dict) -> str:
    """One policy's difference in ``key`` in words (analysis.compare.verdict): by its evidence
    across the parameter draws for the comparison's evidence metric, by its interval
    otherwise."""
    if key != comparison.get("evidence_metric"):
        return interval_verdict(diffs[key])
    return policy_verdict(diffs, key)


def _table(head: list[str], rows: list[list[str]], cls: str = "") -> str:
    """An HTML table; cells are HTML already (escape text before)."""
    th = "".join(f"<th>{h}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{cls}"><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>'


def _figure(uri: str, caption: str) -> str:
    return (f'<figure><img src="{uri}" alt="{_e(caption)}"><figcaption>{_e(caption)}'
            "</figcaption></figure>")


def _value(v: object) -> str:
    if isinstance(v, bool):
        return "on" if v else "off"
    if isinstance(v, int | float):
        return f"{v:g}"
    return _e(json.dumps(v))


def _is_judgement(basis: str) -> bool:
    return str(basis).strip().lower().startswith("judgement")


# --- rendering ---------------------------------------------------------------------------------

CSS = """
body{font-family:Georgia,'DejaVu Serif',serif;max-width:60em;margin:2em auto;padding:0 1em;
color:#1a1a1a;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:2px solid #345;padding-bottom:.15em;
margin-top:1.8em;font-size:1.25em;page-break-after:avoid}h3{font-size:1.05em;
page-break-after:avoid}
section.bottom h2{margin-top:.6em}p.bottom{font-size:1.08em}
.draft{color:#8a1f11;font-weight:bold}
.meta{color:#555;font-size:.9em}
table{border-collapse:collapse;margin:.6em 0 1em;font-size:.82em;page-break-inside:avoid}
th,td{border:1px solid #bbb;padding:.22em .45em;text-align:right;vertical-align:top}
th:first-child,td:first-child{text-align:left}
td small{color:#444;display:block}td small.l{white-space:nowrap}
td small.v{max-width:15em;margin-left:auto}
thead th{background:#eef1f5}table.kv td,table.kv th{text-align:left}
figure{margin:1em 0;page-break-inside:avoid}img{max-width:100%;height:auto}
figcaption{font-size:.82em;color:#444}
.note{font-size:.88em;color:#333;background:#f6f6f2;border-left:3px solid #998;
padding:.4em .7em}
ul.findings li{margin:.25em 0}
code,pre{font-family:'DejaVu Sans Mono',monospace;font-size:.82em}
pre{white-space:pre-wrap;word-break:break-all;background:#f4f4f4;padding:.5em}
@page{size:A4;margin:14mm 12mm}
"""


def render(*, base, policies, ensembles, comparison, explains, sensitivity, sensitivity_meta,
           backtest, backtest_source, figures, timings, command, overrides,
           quick: bool = False) -> str:
    """The page from the computed results (every number on it comes from these): the bottom
    line first, then the numbers, then how they were reached."""
    names = [p.name for p in policies]
    h = final_years(base)
    title = (f"{'Draft policy brief' if quick else 'Policy brief'}: {', '.join(names)} on the "
             f"scenario {base.name}")
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    draft = ('<p class="draft">Draft (made with --quick): fewer runs and no sensitivity '
             "screening; drop --quick for the full brief.</p>" if quick else "")
    sections = [
        _bottom_line(names, ensembles, comparison, h),
        draft,
        f"""<p class="meta">Peninsula {_e(__version__)}; {base.runs:,} runs per policy, seed
{base.seed}; horizon {base.horizon_months} months from {_e(base['scenario']['start'])}; scenario
hash <code>{_e(base.hash()[:16])}</code>; generated {_e(when)}.</p>""",
        comparison_section(names, comparison, figures, ensembles),
        _question(base, names, h),
        _assumptions(base, policies, overrides),
        _drivers(names, explains),
        _sensitivity(sensitivity, sensitivity_meta, figures, base),
        _backtest(backtest, backtest_source),
        _caveats(base, sensitivity, backtest, comparison, explains, names),
        _manifest(base, names, ensembles, sensitivity_meta, backtest is not None,
                  backtest_source, timings, command, explains, quick),
    ]
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)}</title><style>{CSS}</style></head>
<body>
<h1>{_e(title)}</h1>
{''.join(sections)}
</body></html>
"""


# --- the bottom line ---------------------------------------------------------------------------

def _moves(d: dict) -> str:
    """The verb of a paired difference: 'lowers' or 'raises' when its 90% interval leaves out
    zero, else 'does not detectably change'."""
    if d["p95"] < 0:
        return "lowers"
    if d["p05"] > 0:
        return "raises"
    return "does not detectably change"


def _by(d: dict, key: str, interval: bool = True) -> str:
    """The size of a paired difference in words: 'by 7.6 percentage points (90% interval 6.7 to
    8.5)' when its interval leaves out zero, else signed: 'a difference of +0.3 pp, 90%
    interval -0.2 to +0.8 pp'; ``interval`` False leaves the interval out."""
    e = REG.metric(key)
    if d["p05"] * d["p95"] <= 0:
        text = f"a difference of {e.format_difference(d['mean'])}"
        return text + (f", 90% interval {e.format_interval(d['p05'], d['p95'], True)}"
                       if interval else "")
    lo, hi = sorted((abs(d["p05"]), abs(d["p95"])))
    if e.is_probability:
        size = f"{100 * abs(d['mean']):.1f} percentage points"
        span = f"{100 * lo:.1f} to {100 * hi:.1f}"
    else:
        unit = ("points" if e.unit.startswith("points") else
                e.unit if e.unit.startswith(("per", "%")) else f"({e.unit})" if e.unit else "")
        size = f"{e.format(abs(d['mean']))} {unit}".rstrip()
        span = f"{e.format(lo)} to {e.format(hi)}"
    return f"by {size}" + (f" (90% interval {span})" if interval else "")


def _the(label: str) -> str:
    """A label as the object of a sentence: 'the Korean Stability Index', 'DPRK missile
    launches' (no article before an acronym)."""
    first = label.split(" ", 1)[0]
    return label if first.isupper() else f"the {label}"


def bottom_line(names: list[str], ensembles: dict, comparison: dict | None,
                h: int) -> list[str]:
    """Two to four plain sentences: what the evidence says (each policy's effect on the chance
    of war against the first), how sure (the share of parameter draws the evidence allows under
    which it holds, and how uncertain the chance itself is), what carries it (the parameters
    whose uncertainty moves the difference most) and what else it changes."""
    ref, hk, war = names[0], str(h), _key("p_war", h)
    s = ensembles[ref].summary()
    ev = (s.get("parameter_intervals_90", {}).get("p_war") or {}).get(hk)
    between = ("" if ev is None else
               f"between {REG.percent(ev[0])} and {REG.percent(ev[1])} under {ref}")
    spread = between and f"across the parameter draws the evidence allows, it lies {between}"
    if comparison is None:
        lo, hi = s["intervals_90"]["p_war"][hk]
        clash = s["p_clash"][hk]
        first = (f"Under {ref}, {chance('p_war', h)} is {REG.percent(s['p_war'][hk])} (90% "
                 f"interval of the simulation {REG.percent(lo)} to {REG.percent(hi)}) and "
                 f"{chance('p_clash', h)} {REG.percent(clash)}.")
        sure = (_cap(spread) + "." if spread else
                f"How far it moves with the parameters is not assessed ({evidence_note(s)}).")
        return [first, sure, "No second policy was given, so this brief compares none; give "
                             "another --policy to see what a change of policy does."]
    pol = comparison["policies"]
    diffs = comparison["differences"]
    alts = names[1:]
    clauses = []
    for alt in alts:
        d, level = diffs[alt][war], REG.percent(pol[alt][war]["mean"])
        clauses.append(f"{alt} {_moves(d)} it ({level}, {_by(d, war)})"
                       if _moves(d).startswith("does") else
                       f"{alt} {_moves(d)} it to {level}, {_by(d, war)}")
    sentences = [_cap(f"{chance('p_war', h)} is {REG.percent(pol[ref][war]['mean'])} under "
                      f"{ref}; " + "; ".join(clauses) + ".")]
    sure = []
    for alt in alts:
        better, d = diffs[alt].get("p_better"), diffs[alt][war]
        if better is None:
            note = diffs[alt].get("p_better_note") or "not assessed"
            sure.append(f"for {alt} the share of parameter draws that favour it is not "
                        f"assessed ({note})")
            continue
        share, lo, hi = better["share"], better["p05"], better["p95"]
        word = "lower" if d["mean"] <= 0 else "higher"
        if word == "higher":
            share, lo, hi = 1 - share, 1 - hi, 1 - lo
        firm = ("" if share >= 0.9 else
                ", so it holds only under some of the effects the evidence allows")
        sure.append(f"under {alt} it is {word} in {share:.0%} of the parameter draws the "
                    f"evidence allows (90% interval {lo:.0%} to {hi:.0%}){firm}")
    text = "; ".join(sure)
    if between:
        text += f", though the chance itself is uncertain: {between} across those draws"
    sentences.append(_cap(text) + ".")
    first = alts[0]
    carried = diffs[first].get("carried_by")
    if carried and carried.get("parameters"):
        parts = [f"{_parameter(c['parameter'])} ({c['share']:.0%})"
                 for c in carried["parameters"][:3]]
        count = ("one uncertain parameter" if len(parts) == 1 else
                 f"{NUMBERS.get(len(parts), len(parts))} uncertain parameters")
        sentences.append(f"How large the difference under {first} is depends mostly on {count}: "
                         + _and(parts) + ", by their shares of its spread across the draws.")
    elif diffs[first].get("carried_by_note"):
        sentences.append(f"No single parameter carries the size of the difference under "
                         f"{first}: {diffs[first]['carried_by_note']}.")
    others = []
    for key in (_key("p_clash", h), "dprk_launches_per_year", "stability_index"):
        if key in diffs[first]:
            d, e = diffs[first][key], REG.metric(key)
            what = chance("p_clash", h) if e.is_probability else _the(e.label)
            verb = _moves(d)
            others.append(f"{verb} {what}" + ("" if verb.startswith("does") else
                                              f" {_by(d, key, interval=False)}"))
    if others:
        sentences.append(f"{_cap(first)} also " + _and(others) + ".")
    return sentences[:4]


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _bottom_line(names, ensembles, comparison, h) -> str:
    text = " ".join(_e(s) for s in bottom_line(names, ensembles, comparison, h))
    return f"""<section class="bottom"><h2>Bottom line</h2>
<p class="bottom">{text}</p></section>
"""


# --- the numbers: levels and differences side by side ------------------------------------------

def _outcome_keys(names, comparison, ensembles) -> list[str]:
    """The metrics the numbers show, as the comparison lists them (each probability at each
    horizon, then the means at the final horizon), or from the first summary without one."""
    if comparison is not None:
        return list(comparison["outcomes"])
    s = ensembles[names[0]].summary()
    keys = [_key(k, hk) for k in RUNG_KEYS if k in s for hk, v in s[k].items() if v is not None]
    return keys + [k for k in MEAN_METRICS if k in s]


def _level(name: str, key: str, comparison, ensembles) -> str:
    """One policy's level of a metric: the value, its 90% interval of the simulation and, for a
    probability, its 90% range across what the evidence allows (for a mean, the spread of the
    futures themselves)."""
    e = REG.metric(key)
    s = ensembles[name].summary() if ensembles else None
    if comparison is not None:
        est = comparison["policies"][name][key]
        mean, lo, hi = est["mean"], est["p05"], est["p95"]
    elif e.is_probability:
        base, hk = key.rsplit("_", 1)[0], key.rsplit("_", 1)[1].removesuffix("y")
        mean, (lo, hi) = s[base][hk], s["intervals_90"][base][hk]
    else:
        half = Z90 * s[key]["se"] if s[key].get("se") is not None else math.nan
        mean, lo, hi = s[key]["mean"], s[key]["mean"] - half, s[key]["mean"] + half
    cell = (f"<b>{_e(e.format(mean))}</b>"
            f"{_line('simulation ' + e.format_interval(lo, hi))}")
    if s is not None and e.is_probability:
        base, hk = key.rsplit("_", 1)[0], key.rsplit("_", 1)[1].removesuffix("y")
        ev = (s.get("parameter_intervals_90", {}).get(base) or {}).get(hk)
        cell += _line("evidence " + ("not assessed" if ev is None else
                                     e.format_interval(ev[0], ev[1])))
    elif s is not None and key in s and "p05" in s[key]:
        cell += _line(f"futures {e.format_interval(s[key]['p05'], s[key]['p95'])}")
    return cell


def _line(text: str, cls: str = "l") -> str:
    """A line of small print under a cell's figure (kept whole; a verdict, class 'v', wraps)."""
    return f'<small class="{cls}">{_e(text)}</small>'


def _difference_cell(diffs: dict, key: str, comparison: dict) -> str:
    e = REG.metric(key)
    d = diffs[key]
    return (f"<b>{_e(e.format_difference(d['mean']))}</b>"
            f"{_line(e.format_interval(d['p05'], d['p95'], difference=True))}"
            f"{_line(_verdict(diffs, key, comparison), 'v')}")


def comparison_section(names, comparison, figures, ensembles=None) -> str:
    """The numbers: for every metric each policy's level beside its paired difference against
    the first policy, probabilities in percent and differences in percentage points (the
    registry's labels and units), then the figures, the policies' fan charts on the same
    scales."""
    ref = names[0]
    keys = _outcome_keys(names, comparison, ensembles)
    alts = names[1:] if comparison is not None else []
    head = ["outcome", *[f"{_e(n)}: level" for n in names],
            *[f"{_e(a)} \u2212 {_e(ref)}: difference" for a in alts]]
    groups = {"Chances of reaching each rung of the escalation ladder":
              [k for k in keys if REG.metric(k).is_probability],
              "Other outcomes, at the final horizon":
              [k for k in keys if not REG.metric(k).is_probability]}
    tables = []
    for title, group in groups.items():
        rows = [[_e(REG.metric(k).with_unit()),
                 *[_level(n, k, comparison, ensembles) for n in names],
                 *[_difference_cell(comparison["differences"][a], k, comparison)
                   for a in alts]] for k in group]
        if rows:
            tables.append(f"<h3>{_e(title)}</h3>" + _table(head, rows))
    how = (f" Differences are paired run by run on common random numbers ({comparison['runs']:,}"
           f" runs, seed {comparison['seed']}), with their 90% interval and a verdict."
           if comparison is not None else "")
    fans = "".join(_figure(figures[f"fan:{n}"], f"Fan charts under {n}, on the same scales "
                           "as the other policies': the ladder's rungs, the cumulative chances "
                           "with 90% intervals of the simulation, and the yearly spread of "
                           "launches, alignment and stability across the futures")
                   for n in names if f"fan:{n}" in figures)
    bars = (_figure(figures["compare"], f"Paired differences against {ref} with 90% intervals")
            if comparison is not None and "compare" in figures else "")
    note = (f'<p class="note">{_evidence_words(comparison).strip()}</p>'
            if comparison is not None and comparison.get("evidence_metric") else "")
    return f"""<h2>The numbers: levels and differences</h2>
<p>In bold, each policy's level. Below it: <i>simulation</i>, its 90% interval ({SIMULATION_WORDS}:
the Monte Carlo error of this ensemble, which more runs shrink); <i>evidence</i>, the 90% range
of a chance across the parameter draws ({EVIDENCE_WORDS}, which more runs do not shrink);
<i>futures</i>, the spread of the futures themselves (5th to 95th percentile of the runs).{how}
</p>
{''.join(tables)}
{note}
{bars}
{fans}
"""


def _evidence_words(comparison: dict) -> str:
    """What the verdict of the evidence metric reads, in a sentence (empty without one)."""
    metric = comparison.get("evidence_metric")
    if metric is None:
        return ""
    return (f" The verdict on {_e(REG.metric(metric).label)} reads the parameter draws: the "
            "share of draws under which the policy lowers it, with its 90% interval (each "
            "draw's noise and the draws the policy leaves unchanged accounted for); between 10% "
            "and 90% it holds only under some assumed effects, and the parameters whose "
            "uncertainty moves the difference most are named with their shares of its spread "
            "across draws.")


def _question(base, names, h) -> str:
    desc = base["scenario"].get("description", "")
    return f"""<h2>The question</h2>
<p>Does deepening US-South Korea-Japan security cooperation deter North Korea, or does it
provoke launches, an arms race and a China-Russia counter-bloc; and which policies keep
deterrence while lowering the risk? This brief asks it of the scenario
<b>{_e(base.name)}</b> ({_e(desc)}) over {base.horizon_months // 12} years, for the policies
{', '.join(f'<b>{_e(n)}</b>' for n in names)}: how likely an armed clash, sustained
hostilities, a war and nuclear use are under each within each horizon up to {h} years, what
each does to launches, to China-Russia alignment and to stability, how they differ when every
policy meets the same futures, which channels of the alliance's activity drive the result, and
which uncertain inputs the answer rests on.</p>
"""


def _lever_meaning(key: str) -> str:
    """A lever's meaning from the registry ('' for a scenario lever it does not list)."""
    try:
        return REG.lever(key).meaning
    except KeyError:
        return ""


def _assumptions(base, policies, overrides) -> str:
    doc = base.doc
    levers = sorted({k for p in policies for k in p.levers})
    lever_rows = [[_e(REG.label(k)), _e(_lever_meaning(k)),
                   _value(doc["levers"].get(k))]
                  + [_value(p.levers[k]) if k in p.levers else "(scenario)" for p in policies]
                  for k in levers]
    other = [k for k in doc["levers"] if k not in levers]
    desc_rows = [[f"<b>{_e(p.name)}</b>", _e(p.description)] for p in policies]
    mech = doc["mechanisms"]
    off = [k for k, v in mech.items() if not v]
    on = [k for k, v in mech.items() if v]
    params = doc["parameters"]
    dists: dict[str, int] = {}
    for spec in params.values():
        d = spec.get("distribution", "fixed") if isinstance(spec, dict) else "fixed"
        dists[d] = dists.get(d, 0) + 1
    judged = sum(_is_judgement(spec.get("basis", "")) for spec in params.values()
                 if isinstance(spec, dict))
    sampled = doc["scenario"].get("sample_parameters", True)
    dist_text = ", ".join(f"{n} {d}" for d, n in sorted(dists.items()))
    set_text = ("<p>Changed from the scenario file (<code>--set</code>): "
                + ", ".join(f"<code>{_e(o)}</code>" for o in overrides) + ".</p>"
                if overrides else "")
    return f"""<h2>Scenario and assumptions</h2>
<p>Scenario <b>{_e(base.name)}</b> (<code>{_e(base.source)}</code>), starting
{_e(doc['scenario']['start'])}, {base.horizon_months} months; {base.runs:,} futures per policy,
seed {base.seed}. Run <i>i</i> of every policy draws the same parameters and the same noise
(common random numbers), so the policies differ only in their levers.</p>{set_text}
<h3>The policies</h3>
{_table(['policy', 'what it stands for'], desc_rows)}
<h3>Levers each policy sets</h3>
{_table(['lever (unit)', 'meaning', 'scenario', *[_e(p.name) for p in policies]], lever_rows)}
<p>Every other lever keeps the scenario's value ({len(other)} levers:
{_e(', '.join(REG.label(k, unit=False) for k in other))}).</p>
<h3>Mechanisms</h3>
<p>{len(on)} of {len(mech)} mechanisms on{'; switched off: ' + ', '.join(
        f'{_e(_parameter(k))} ({_e(MECHANISMS.get(k, ""))})' for k in off) if off else
        ' (none switched off)'}.</p>
<h3>Parameter sampling</h3>
<p>{len(params)} parameters; {'each run draws every uncertain parameter from its range'
     if sampled else 'every run uses the parameters’ central values (sampling off)'}
({dist_text}). {judged} of the {len(params)} rest on judgement (their basis in the parameter
table says so), the others on a published estimate, the historical record or calibration
(<code>peninsula parameters</code> lists every one with its range and basis).</p>
"""


# --- drivers -----------------------------------------------------------------------------------

def _explained_key(outcome: str, years: int) -> str:
    """The registry key of an outcome of explain at its horizon ('p_war' -> 'p_war_10y')."""
    return _key(outcome, years) if outcome in RUNG_KEYS else outcome


def _driver_cell(mean: float, interval: list, key: str) -> str:
    e = REG.metric(key)
    return _e(e.format_estimate({"mean": mean, "p05": interval[0], "p95": interval[1]},
                                difference=True, unit=False))


def _reconcile(e: dict) -> str:
    """One sentence on why the two driver views can differ in sign, naming the names that do
    (on the chance of war at the drivers' horizon)."""
    war = _key("p_war", e["horizon_years"])
    unit = REG.metric(war)
    pairs = []
    for channel, row in e["contributions"].items():
        for mech, mrow in (e.get("mechanisms") or {}).items():
            if mech == channel and row["p_war"] * mrow["p_war"] < 0:
                pairs.append(f"{_parameter(channel)}: {unit.format_difference(row['p_war'])} "
                             f"as a channel, {unit.format_difference(mrow['p_war'])} as a "
                             "mechanism")
    example = f" ({'; '.join(pairs)})" if pairs else ""
    return ("<p>The two tables answer different questions, so the same name can carry "
            "opposite signs: a channel's row compares the alliance's activity acting through "
            "that channel with no activity there while the mechanism keeps working, whereas a "
            "mechanism's row switches the mechanism off altogether, with everything it does "
            f"whatever the activity{_e(example)}.</p>")


def _drivers(names, explains) -> str:
    first = explains[names[0]]
    years = first["horizon_years"]
    heads = [_e(REG.metric(_explained_key(k, years)).with_unit(short=True, difference=True))
             for k in EXPLAINED]
    parts = ["""<h2>Drivers</h2>
<p>What the alliance's activity (drills, missile defence, permanent infrastructure,
technology collaboration, intelligence sharing, summits) does through each channel, under
each policy: the outcome with the activity against the outcome with that channel alone reading
the counterfactual of no activity, on common random numbers (mean and 90% interval; a positive
value means the channel raises the outcome; chances in percentage points). <i>Interaction</i>
is what the channels do together beyond their sum.</p>"""]
    for i, name in enumerate(names):
        e = explains[name]
        keys = [_explained_key(k, e["horizon_years"]) for k in EXPLAINED]
        rows = []
        for channel in e["contributions"]:
            rows.append([_e(_parameter(channel)), *[
                _driver_cell(e["contributions"][channel][k], e["intervals_90"][channel][k], key)
                for k, key in zip(EXPLAINED, keys, strict=True)]])
        rows.append(["<i>interaction</i>", *[
            _e(REG.metric(key).format_difference(e["interaction"][k], unit=False))
            for k, key in zip(EXPLAINED, keys, strict=True)]])
        rows.append(["<b>all activity</b>", *[
            "<b>" + _driver_cell(e["total"][k], e["total_interval_90"][k], key) + "</b>"
            for k, key in zip(EXPLAINED, keys, strict=True)]])
        parts.append(f"<h3>Channels under {_e(name)} (by year {e['horizon_years']}; "
                     f"{e['runs']:,} runs per ensemble)</h3>"
                     + _table(["channel", *heads], rows))
        if i == 0 and e["mechanisms"]:
            mrows = [[_e(_parameter(m)), *[
                _driver_cell(e["mechanisms"][m][k], e["mechanism_intervals_90"][m][k], key)
                for k, key in zip(EXPLAINED, keys, strict=True)]] for m in e["mechanisms"]]
            parts.append(f"<h3>Other mechanisms under {_e(name)}, each switched off alone</h3>"
                         "<p>What each adds at this posture, on minus off; these need not add "
                         "up with the channels.</p>"
                         + _table(["mechanism", *heads], mrows) + _reconcile(e))
    return "".join(parts)


# --- sensitivity -------------------------------------------------------------------------------

def _ranking(result, top: int = SENSITIVITY_TOP) -> dict[str, list[dict]]:
    """Per metric, the ``top`` factors by the method's main index (largest first)."""
    key = BARS[result.method][0]
    out = {}
    for metric in dict.fromkeys(result.indices["metric"]):
        part = result.indices[result.indices["metric"] == metric].sort_values(
            key, ascending=False).head(top)
        out[metric] = part.to_dict(orient="records")
    return out


def _direction(mu: float, mu_star: float) -> str:
    """A factor's direction from Morris' mu against mu*: one sign when the mean effect is at
    least half the mean absolute effect, else mixed (effects of both signs)."""
    if mu >= 0.5 * mu_star:
        return "raises"
    if mu <= -0.5 * mu_star:
        return "lowers"
    return "mixed"


def index_words(method: str) -> str:
    """The method's main index in words with its symbol: 'mean absolute effect (μ*)'."""
    named = REG.statistic(BARS[method][0]).named
    return named[:1].lower() + named[1:]


def _sensitivity(result, meta, figures, base) -> str:
    if result is None:
        return """<h2>Sensitivity ranking</h2>
<p class="note">Not screened in this draft. The full brief (without --quick) runs a Morris
screening of every uncertain parameter; for indices to quote, run <code>peninsula sensitivity
--method morris --samples 20 --then-sobol 8 --out STUDY</code> and pass
<code>--sensitivity-from STUDY</code>.</p>
"""
    key = BARS[result.method][0]
    effects = method_of(result.method).elementary_effects  # Morris: direction and spread too
    words = in_words(result)
    params = base.doc["parameters"]
    blocks = []
    for (metric, rows), shown in zip(_ranking(result).items(), _ranking(words).values(),
                                     strict=True):
        body = []
        for rank, (r, w) in enumerate(zip(rows, shown, strict=True), start=1):
            name = str(r["factor"]).removeprefix("parameters.")
            spec = params.get(name)
            basis = spec.get("basis", "") if isinstance(spec, dict) else ""
            conf = w.get(f"{key}_conf")
            cells = [str(rank), _e(w["factor"]),
                     f"{w[key]:.3g}" + (f" \u00b1 {conf:.2g}" if conf is not None and
                                        not math.isnan(conf) else "")]
            if effects:
                cells.append(_direction(r["mu"], r["mu_star"]))
                cells.append(f"{w['sigma']:.3g}")
            cells.append("judgement" if _is_judgement(basis) else ("sourced" if basis else "-"))
            body.append(cells)
        label = _e(shown[0]["metric"]) if shown else _e(metric)
        head = ["rank", "parameter",
                f"{_e(_cap(index_words(result.method)))}, {REG.CONFIDENCE_LABEL}"]
        if effects:
            head += ["direction", _e(REG.statistic("sigma").named)]
        blocks.append(f"<h3>{label}</h3>" + _table([*head, "basis"], body))
    if meta.get("source"):
        how = (f"read from the study folder <code>{_e(Path(meta['source']).name)}</code> "
               f"(method {_e(result.method)}, scenario {_e(meta['scenario'])}, "
               f"{meta['runs']:,} runs per point, seed {meta['seed']})")
    else:
        n_factors = result.indices["factor"].nunique()
        points = (n_factors + 1) * meta["samples"]
        how = (f"a Morris screening run for this brief under <b>{_e(meta['policy'])}</b>: "
               f"{n_factors} uncertain parameters, {meta['samples']} trajectories "
               f"({points:,} design points) of {meta['runs']:,} runs each, seed {meta['seed']}."
               " This budget keeps the brief quick and ranks the leading factors; "
               "for indices to quote, run <code>peninsula sensitivity --method morris "
               "--samples 20 --then-sobol 8 --out STUDY</code> and pass "
               "<code>--sensitivity-from STUDY</code>")
    warn = "".join(f"<li>{_e(in_plain_words(w))}</li>"
                   for w in getattr(result, "warnings", []) or [])
    warn_block = (f"<p>The study's own warnings ({len(result.warnings)}):</p><ul>{warn}</ul>"
                  if warn else "<p>The study raised no warning about its design size.</p>")
    unit = (" Effects on a chance are in percentage points, others in the outcome's unit."
            if effects else "")
    sigma = REG.statistic("sigma")
    spread = (f" {_e(_cap(sigma.named))}: the {_e(sigma.meaning)}."
              if effects else "")
    return f"""<h2>Sensitivity ranking</h2>
<p>Which uncertain inputs the answer rests on: {how}. Index: the
{_e(index_words(result.method))}, the {_e(REG.statistic(key).meaning)}, with its 95% interval
from the study's bootstrap.{spread}{unit}</p>
{_figure(figures['sensitivity'], 'Leading factors per outcome with 95% intervals')}
{''.join(blocks)}
{warn_block}
"""


SKILL = ("spearman", "crps", "brier", "coverage_90")  # the yearly back-test's scores
ROLLING = ("crps", "log_score", "brier", "coverage_50", "coverage_90")  # the rolling one's


def _score(key: str) -> str:
    return REG.statistic(key).symbol


def _skill_rows(r: dict) -> list[list[str]]:
    def f(v):
        return "-" if v is None else f"{v:.3f}"
    rows = [["<b>model</b>", *(f(r[k]) for k in SKILL)]]
    for name, s in {**r["baselines"], **r.get("benchmarks", {})}.items():
        rows.append([_e(name.replace("_", " ")), *(f(s.get(k)) for k in SKILL)])
    return rows


def _backtest(r: dict | None, source: dict | None) -> str:
    if r is None:
        return """<h2>Back-test skill</h2>
<p class="note">Not computed in this brief: the back-test calibrates the model on the record
(approximate Bayesian computation) before every forecast origin and takes far longer than a
brief should. Its results are reported, with every number regenerated by one command, in the
project's validation pages <code>docs/validation.md</code> (trained on 2006-2019; held-out
years and rolling monthly origins) and <code>docs/validation-2015.md</code> (trained on
2006-2015, with the armed-clash back-test and the prior sensitivity of the war probability).
To state the figures here, run <code>peninsula backtest --json &gt; backtest.json</code> and
give <code>--backtest backtest.json</code>.</p>
"""
    parts = ["<h2>Back-test skill</h2>"]
    where = (f"from <code>{_e(source['file'])}</code> (sha256 <code>{_e(source['sha256'][:16])}"
             "</code>)" if source else "from the back-test result given")
    parts.append(f"<p>Read {where}: the model replayed 2006-2025 with the historical levers, "
                 "calibrated on the training years only, and scored on years it did not see "
                 "beside naive baselines and count models fitted by statsmodels on the same "
                 f"data. Lower {_score('crps')} and {_score('brier')} are better.</p>")
    if "crps" in r:
        test = r["test_years"]
        rivals = {**{k: v["crps"] for k, v in r["baselines"].items()},
                  **{k: v["crps"] for k, v in r.get("benchmarks", {}).items()}}
        best = min(rivals, key=rivals.get)
        verdict = "below" if r["crps"] < rivals[best] else "not below"
        parts.append(
            f"<h3>Yearly launches, trained on {r['years'][0]}-{r['train_until']}, held out "
            f"{test[0]}-{test[-1]} ({r['runs']:,} runs, seed {r['seed']})</h3>"
            + _table(["forecast", _score("spearman"), f"{_score('crps')} (missiles)",
                      f"{_score('brier')} (20+ missiles)", _score("coverage_90")],
                     _skill_rows(r))
            + f"<p>The model's {_score('crps')} ({r['crps']:.2f}) is {verdict} the best rival's "
            f"({_e(best.replace('_', ' '))}, {rivals[best]:.2f}).</p>")
    rolling = r.get("rolling")
    if rolling:
        st = rolling["settings"]
        for mode in ("conditional", "ex_ante"):
            block = rolling[mode]
            rows = [["<b>model</b>", *_rolling_cells(block["model"])]]
            rows += [[_e(n.replace("_", " ")), *_rolling_cells(s)]
                     for n, s in block["benchmarks"].items()]
            best = min(block["benchmarks"], key=lambda n: block["benchmarks"][n]["crps"])
            m, b = block["model"], block["benchmarks"][best]
            parts.append(
                f"<h3>Rolling monthly forecasts, {_e(mode.replace('_', '-'))}: "
                f"{st['n_origins']} origins {st['first_origin']} to {st['last_origin']}, "
                f"{st['horizon_months']} months ahead</h3>"
                + _table(["forecast", *(_score(k) for k in ROLLING)], rows)
                + f"<p>Model {_score('crps')} {m['crps']:.2f} against the best benchmark's "
                f"({_e(best.replace('_', ' '))}) {b['crps']:.2f}: "
                f"{'at least as good' if m['crps'] <= b['crps'] else 'worse'}.</p>")
    c = r.get("clashes")
    if c:
        rows = [[_e(n.replace("_", " ")), f"{s['log_score']:.3f}", f"{s['brier']:.3f}"]
                for n, s in c["scores"].items()]
        held = c["test_years"]
        n_obs = sum(o for y, o in zip(c["years"], c["observed"], strict=True) if y in held)
        parts.append(f"<h3>Armed-clash years, held out {held[0]}-{held[-1]} ({n_obs} observed)"
                     "</h3>" + _table(["forecast", _score("log_score"), _score("brier")], rows))
    return "".join(parts)


def _rolling_cells(s: dict) -> list[str]:
    return [f"{s['crps']:.2f}", f"{s['log_score']:.3f}", f"{s['brier']:.3f}",
            f"{s['coverage_50']:.2f}", f"{s['coverage_90']:.2f}"]




def _caveats(base, sensitivity, backtest, comparison, explains, names) -> str:
    params = base.doc["parameters"]
    judged = {k for k, spec in params.items()
              if isinstance(spec, dict) and _is_judgement(spec.get("basis", ""))}
    items = []
    if sensitivity is not None:
        leaders = []
        for rows in _ranking(sensitivity, 5).values():
            for r in rows:
                name = str(r["factor"]).removeprefix("parameters.")
                if name not in leaders:
                    leaders.append(name)
        judged_leaders = [n for n in leaders if n in judged]
        lead = (f", and so do {len(judged_leaders)} of the {len(leaders)} that lead the "
                "sensitivity ranking of some outcome (top five of each): "
                + ", ".join(_e(_parameter(n)) for n in judged_leaders))
    else:
        lead = " (this draft ranks none of them: no sensitivity screening)"
    items.append(
        f"<li><b>Judgement priors.</b> {len(judged)} of the {len(params)} parameters rest on "
        f"judgement{lead}. The ensembles sample them over their stated ranges (or the "
        "calibrated posterior's draws), so the answers are conditional on those: no interval "
        "on this page widens to allow for a range that is wrong.</li>")
    items.append(
        "<li><b>Two intervals, both within the model.</b> The interval of the simulation is the "
        "ensemble's sampling error given the model, its structure and its parameters; the "
        "range across what the evidence allows is the spread over the parameter draws; neither "
        "is an interval on the model's distance from the world.</li>")
    ps = (backtest or {}).get("prior_sensitivity")
    if ps:
        rows = ps["rows"]
        base_p = rows[0]["p_war"]
        big = max(rows[1:], key=lambda row: abs(row["p_war"] - base_p)) if len(rows) > 1 \
            else rows[0]
        items.append(
            f"<li><b>Prior sensitivity of the chance of war.</b> With the ladder's hazards "
            f"fitted to the record up to {ps['train_until']} and each prior widened in turn, "
            f"the {_e(ps['scenario'])} scenario's {chance('p_war', ps['horizon_years'])} moves "
            f"from {100 * base_p:.2f}% (base priors) to as much as {100 * big['p_war']:.2f}% "
            f"(widening {_e(big['widened'])}); the range across the widenings is "
            f"{100 * min(r['p_war'] for r in rows):.2f}% to "
            f"{100 * max(r['p_war'] for r in rows):.2f}%. The record (few clashes, no war) "
            "says little about the war hazards, so the chance of war rests on their "
            "priors.</li>")
    else:
        items.append(
            "<li><b>Prior sensitivity of the chance of war.</b> The ladder's war hazards are "
            "fitted to a record without a war, so they are fitted weakly and the chance of war "
            "rests on their priors: <code>docs/validation-2015.md</code> (section <i>Prior "
            "sensitivity of the ladder's joint calibration</i>) reports how far it moves "
            "when each prior is widened. Give <code>--backtest</code> the JSON of "
            "<code>peninsula backtest --prior-sensitivity 5000 --json</code> to state it "
            "here.</li>")
    c = (backtest or {}).get("clashes")
    if c:
        train = [i for i, y in enumerate(c["years"]) if y <= backtest["train_until"]]
        held = [i for i, y in enumerate(c["years"]) if y in c["test_years"]]
        replay = sum(c["predicted"][i] for i in train) / max(len(train), 1)
        record = sum(c["observed"][i] for i in train) / max(len(train), 1)
        quiet = math.prod(1 - c["predicted"][i] for i in held)
        items.append(
            f"<li><b>The clash-rate miss.</b> On the replayed years {c['years'][0]}-"
            f"{backtest['train_until']} the model's mean yearly chance of an armed clash "
            f"is {REG.percent(replay)} against the record's share of clash years "
            f"{REG.percent(record)}; on the held-out years it gave {REG.percent(quiet)} to a "
            "run of years as quiet as the record's. The chances of a clash above inherit "
            "this.</li>")
    else:
        items.append(
            "<li><b>The clash-rate miss.</b> The armed-clash back-test "
            "(<code>docs/validation.md</code> and <code>docs/validation-2015.md</code>, "
            "section <i>Armed clashes, year by year</i>) compares the model's yearly chance of "
            "a clash with the record's clash years; where they part, the chances of a clash "
            "above inherit the gap. Give <code>--backtest</code> to state the figures "
            "here.</li>")
    e = explains[names[0]]
    war = REG.metric(_key("p_war", e["horizon_years"]))
    items.append(
        f"<li><b>Channels interact.</b> Under {_e(names[0])} the channels' separate effects on "
        f"{_e(chance('p_war', e['horizon_years']))} leave "
        f"{_e(war.format_difference(e['interaction']['p_war']))} to their interaction; read "
        "the channels as a decomposition at this posture, not as effects that add up "
        "elsewhere.</li>")
    warnings = getattr(sensitivity, "warnings", []) or []
    if warnings:
        items.append(f"<li><b>A small screening.</b> The sensitivity study raised "
                     f"{len(warnings)} warnings about its design size (listed with it): the "
                     "order of the leading factors is a screening, not an estimate.</li>")
    return "<h2>Caveats</h2><ul class=\"findings\">" + "".join(items) + "</ul>"


def _manifest(base, names, ensembles, sens_meta, has_bt, bt_source, timings,
              command, explains, quick) -> str:
    rows = [["Peninsula version", _e(__version__)],
            ["scenario", f"{_e(base.name)} (<code>{_e(base.source)}</code>)"],
            ["scenario hash (sha256)", f"<code>{_e(base.hash())}</code>"],
            ["seed", str(base.seed)], ["runs per policy", f"{base.runs:,}"],
            ["horizon (months)", str(base.horizon_months)]]
    for n in names:
        m = ensembles[n].manifest(command or "")
        rows.append([f"policy {_e(n)}: scenario hash", f"<code>{_e(m['scenario_sha256'])}"
                     f"</code> (seed {m['seed']}, {m['runs']:,} runs)"])
    driver_runs = explains[names[0]]["runs"]
    rows.append(["drivers", f"{driver_runs:,} runs per ensemble, seed {base.seed}"])
    if sens_meta is None:
        rows.append(["sensitivity", "not screened (a draft)" if quick else "not screened"])
    elif sens_meta.get("source"):
        rows.append(["sensitivity", f"study folder {_e(Path(sens_meta['source']).name)}"])
    else:
        rows.append(["sensitivity", f"Morris, {sens_meta['samples']} trajectories, "
                                    f"{sens_meta['runs']:,} runs per point, seed "
                                    f"{sens_meta['seed']}, under {_e(sens_meta['policy'])}"])
    rows.append(["back-test", "not run here (see the back-test section)" if not has_bt else
                 "the result given" if bt_source is None else
                 f"{_e(bt_source['file'])} (sha256 <code>{_e(bt_source['sha256'])}</code>)"])
    rows.append(["wall time", f"{timings['total']:.1f} s before writing ("
                 + ", ".join(f"{_e(k)} {v:.1f} s" for k, v in timings.items() if k != "total")
                 + ")"])
    cmd = (f"<p>Made by:</p><pre>{_e(command)}</pre>" if command else "")
    return f"""<h2>Manifest</h2>
<p>What reproduces every number above: the same version, scenario (hash), seed and run counts
give the same numbers bit for bit on the same CPU family and maths library.</p>
{_table(['item', 'value'], rows, 'kv')}
{cmd}
"""



__all__ = ["bottom_line", "chance", "format_difference", "in_words", "render"]
