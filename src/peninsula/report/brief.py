"""The policy brief: one self-contained HTML page (and, optionally, its PDF) answering the
question for a scenario and a set of policies.

    write_brief("baseline", ["status-quo", "dual-track"], runs=5000, seed=7,
                out_html="brief.html", pdf="brief.pdf")

Every number on the page is computed here, through ``peninsula.api``, for the scenario,
policies, runs and seed given: the outcomes of each policy with their 90% intervals
(``api.run``), the paired differences against the first policy on common random numbers
(``api.compare``), the fan charts (``api.fan``), what the alliance's activity does through each
channel (``api.explain``) and a Morris screening of every uncertain parameter
(``api.sensitivity``, or a study folder given). The back-test takes far longer than a brief, so
its skill is read from the JSON of ``peninsula backtest --json`` when one is given, and
otherwise the page says where it is reported. The page needs no network and no script: CSS
inline, figures as base64 PNG. The PDF is the same page printed by Chromium (Playwright,
driving the ``chromium`` found on PATH; it never downloads a browser).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import peninsula.api as api
from peninsula._version import __version__
from peninsula.analysis.compare import interval_verdict, policy_verdict
from peninsula.analysis.metrics import (
    EVIDENCE_WORDS,
    SIMULATION_WORDS,
    Z90,
    evidence_note,
    final_horizon,
)
from peninsula.report.brief_defaults import (  # noqa: F401 (B.DEFAULT_RUNS etc. stay here)
    DEFAULT_RUNS,
    SENSITIVITY_RUNS,
    SENSITIVITY_SAMPLES,
    SENSITIVITY_TOP,
)
from peninsula.report.compare_plot import plot_compare
from peninsula.report.fan_plot import plot_fan
from peninsula.report.sensitivity_plot import BARS, plot_sensitivity
from peninsula.scenario.policies import Policy
from peninsula.scenario.schema import LEVERS, MECHANISMS

CHROMIUM = "chromium"
NO_CHROMIUM = ("--pdf: no 'chromium' on PATH; the PDF is printed by Chromium: install the "
               "chromium package (e.g. 'apt install chromium') or drop --pdf")

PROBABILITIES = (("p_clash", "armed clash or worse"), ("p_war", "war or worse"),
                 ("p_nuclear_use", "nuclear use"))
# (summary key, label, unit) of the means reported per policy
MEANS = (("dprk_launches_per_year", "DPRK missile launches a year", "missiles/yr"),
         ("alignment_china_russia", "China-Russia alignment", "0-1"),
         ("stability_index", "Korean Stability Index", "points, 0-100"))
# the outcomes of explain, their labels and scales (probabilities in percentage points)
EXPLAINED = (("p_clash", "P(clash), pp", 100.0), ("p_war", "P(war), pp", 100.0),
             ("p_nuclear_use", "P(nuclear use), pp", 100.0),
             ("dprk_launches_per_year", "launches/yr", 1.0),
             ("alignment_china_russia", "alignment", 1.0),
             ("stability_index", "stability, points", 1.0))

Progress = Callable[[float, str], None]


class BriefError(ValueError):
    """An input of the brief that cannot be used (the message names it and the reason)."""


# --- inputs checked before any work ------------------------------------------------------------

def chromium_path() -> str:
    """The Chromium that prints the PDF (``chromium`` on PATH), or BriefError saying to install
    it: the PDF is refused before any work when there is none."""
    found = shutil.which(CHROMIUM)
    if found is None:
        raise BriefError(NO_CHROMIUM)
    return found


def read_backtest(path: str | Path) -> dict:
    """The result of ``peninsula backtest --json`` (its held-out skill at least), or
    BriefError naming the file and what is wrong."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BriefError(f"--backtest {path}: cannot read it ({exc})") from None
    need = {"crps", "spearman", "baselines", "test_years", "train_until"}
    if not isinstance(data, dict) or not (need <= set(data) or "rolling" in data):
        raise BriefError(f"--backtest {path}: not the JSON of 'peninsula backtest --json' "
                         f"(it lacks {', '.join(sorted(need))})")
    return data


def read_sensitivity(folder: str | Path) -> tuple[object, dict]:
    """A study folder of ``peninsula sensitivity --out``: the result (method, indices) and its
    provenance (scenario, runs per point, seed, warnings), or BriefError naming the folder."""
    import tomllib
    from types import SimpleNamespace

    import pandas as pd

    folder = Path(folder)
    try:
        data = json.loads((folder / "sensitivity.json").read_text(encoding="utf-8"))
        name = tomllib.loads((folder / "scenario.toml").read_text(encoding="utf-8"))[
            "scenario"]["name"]
        result = SimpleNamespace(method=data["method"], indices=pd.DataFrame(data["indices"]),
                                 warnings=list(data.get("warnings") or []))
        meta = {"scenario": name, "runs": int(data["runs_per_point"]), "seed": int(data["seed"]),
                "source": str(folder), "samples": data.get("samples")}
        if result.method not in BARS or result.indices.empty:
            raise ValueError(f"unknown method {result.method!r} or no indices")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BriefError(f"--sensitivity-from {folder}: not a folder written by 'peninsula "
                         f"sensitivity --out' ({exc})") from None
    return result, meta


# --- the brief ---------------------------------------------------------------------------------

def write_brief(scenario, policies: list, runs: int | None = DEFAULT_RUNS,
                seed: int | None = None, out_html: str | Path = "brief.html",
                pdf: str | Path | None = None, progress: Progress | None = None, *,
                overrides: list[str] | None = None, workers: int = 1,
                backtest: str | Path | dict | None = None,
                sensitivity_from: str | Path | None = None,
                sensitivity_samples: int = SENSITIVITY_SAMPLES,
                sensitivity_runs: int = SENSITIVITY_RUNS,
                command: str | None = None) -> list[Path]:
    """Write the policy brief of ``scenario`` (a Scenario, bundled name or file) under
    ``policies`` (bundled names, TOML files or Policy objects; the first is the reference of
    the comparison) to ``out_html``, and print it to ``pdf`` when given. Returns the files
    written, the HTML first.

    ``runs`` and ``seed`` are per policy (None: the scenario's); ``overrides`` are
    ``--set``-style changes of the scenario. ``progress(fraction_done, message)`` is called as
    each step starts. ``backtest``: a back-test result (or its JSON file) whose skill the brief
    reports; ``sensitivity_from``: a sensitivity study folder used instead of the screening
    run here (``sensitivity_samples`` trajectories of ``sensitivity_runs`` runs per point).
    ``command``: the command line recorded in the manifest. Inputs that cannot be used raise
    ValueError (BriefError or ScenarioError) before any simulation; with ``pdf`` that includes
    a missing ``chromium``.
    """
    started = time.perf_counter()
    out_html = Path(out_html)
    pdf_path = None if pdf is None else Path(pdf)
    if out_html.is_dir():
        raise BriefError(f"--out {out_html}: is a folder; the brief needs a file name")
    if pdf_path is not None and pdf_path.resolve() == out_html.resolve():
        raise BriefError(f"--pdf {pdf_path}: the same file as --out")
    chromium = chromium_path() if pdf_path is not None else None
    base = api.scenario_for(scenario, runs=runs, seed=seed, overrides=overrides)
    chosen: list[Policy] = []
    for ref in policies:
        chosen += [ref] if isinstance(ref, Policy) else api.resolve_policies([str(ref)])
    if not chosen:
        raise BriefError("--policy: give at least one policy ('peninsula policies' lists the "
                         "bundled ones); the first is the reference of the comparison")
    names = [p.name for p in chosen]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise BriefError(f"--policy: {', '.join(twice)} given twice")
    scenarios = {p.name: api.policy_scenario(base, p) for p in chosen}
    bt = read_backtest(backtest) if isinstance(backtest, str | Path) else backtest
    bt_source = _file_facts(backtest) if isinstance(backtest, str | Path) else None
    given_sens = read_sensitivity(sensitivity_from) if sensitivity_from is not None else None
    metrics = _sensitivity_metrics(base)
    if given_sens is None:
        api.sensitivity_plan(base.with_settings(runs=sensitivity_runs), method="morris",
                             samples=sensitivity_samples, metrics=metrics)

    steps = 3 * len(chosen) + 3 + (pdf_path is not None)
    done = [0]
    timings: dict[str, float] = {}

    def step(message: str) -> None:
        if progress is not None:
            progress(min(done[0] / steps, 1.0), message)
        done[0] += 1

    def timed(label: str, work):
        step(label)
        t0 = time.perf_counter()
        value = work()
        timings[label] = timings.get(label, 0.0) + time.perf_counter() - t0
        return value

    figures: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="peninsula-brief-") as tmp:
        folder = Path(tmp)
        ensembles, fans, explains = {}, {}, {}
        for name, sc in scenarios.items():
            ensembles[name] = timed(f"outcomes of {name}", lambda sc=sc: api.run(
                sc, workers=workers, record_monthly=False, record_events=False, compact=True))
        for name, sc in scenarios.items():
            fans[name] = timed(f"fan charts of {name}",
                               lambda sc=sc: api.fan(sc, workers=workers))
            fans[name]["policy"] = name
            figures[f"fan:{name}"] = _png(plot_fan(fans[name], folder / f"fan-{len(fans)}")[0])
        comparison = None
        if len(chosen) > 1:
            comparison = timed("paired comparison", lambda: api.compare(
                base, chosen, workers=workers))
            figures["compare"] = _png(plot_compare(comparison, folder / "compare.png"))
        else:
            done[0] += 1
        for name, sc in scenarios.items():
            explains[name] = timed(f"drivers of {name}",
                                   lambda sc=sc: api.explain(sc, base.runs, workers))
        if given_sens is not None:
            sens, sens_meta = given_sens
        else:
            ref = scenarios[names[0]]
            sens = timed("sensitivity screening", lambda: api.sensitivity(
                ref, method="morris", samples=sensitivity_samples, metrics=metrics,
                runs=sensitivity_runs, seed=base.seed, workers=workers))
            sens_meta = {"scenario": ref.name, "runs": sensitivity_runs, "seed": base.seed,
                         "source": None, "samples": sensitivity_samples, "policy": names[0]}
        figures["sensitivity"] = _png(plot_sensitivity(
            sens, folder / "sensitivity.png", scenario=sens_meta["scenario"],
            runs=sens_meta["runs"], seed=sens_meta["seed"], top=SENSITIVITY_TOP))
    step("writing the brief")
    timings["total"] = time.perf_counter() - started
    page = render(base=base, policies=chosen, ensembles=ensembles, comparison=comparison,
                  explains=explains, sensitivity=sens, sensitivity_meta=sens_meta,
                  backtest=bt, backtest_source=bt_source, figures=figures, timings=timings,
                  command=command, overrides=overrides or [])
    from peninsula.io.store import write_text

    write_text(page, out_html)
    written = [out_html]
    if pdf_path is not None:
        step("printing the PDF")
        written.append(print_pdf(out_html, pdf_path, chromium))
    if progress is not None:
        progress(1.0, "done")
    return written


def print_pdf(html_path: Path, pdf_path: Path, chromium: str | None = None) -> Path:
    """Print the page to PDF with Chromium through Playwright (headless, no sandbox, a
    temporary HOME, every network request refused), written atomically."""
    from playwright.sync_api import sync_playwright

    from peninsula.io.store import atomic_write

    chromium = chromium or chromium_path()
    with tempfile.TemporaryDirectory(prefix="peninsula-chromium-") as home, \
            sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True,
                                     args=["--no-sandbox"], env={**os.environ, "HOME": home})
        try:
            page = browser.new_page()
            page.route(re.compile(r"^(https?|wss?|ftp)://"), lambda route: route.abort())
            page.goto(Path(html_path).resolve().as_uri(), wait_until="load")
            atomic_write(Path(pdf_path), lambda tmp: page.pdf(
                path=tmp, format="A4", print_background=True,
                margin={"top": "14mm", "bottom": "14mm", "left": "12mm", "right": "12mm"}))
        finally:
            browser.close()
    return Path(pdf_path)


# --- formatting ------------------------------------------------------------------------------

def _png(path: Path) -> str:
    """A PNG file as a data URI (the page embeds every figure)."""
    return "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


def _file_facts(path: str | Path) -> dict:
    data = Path(path).read_bytes()
    return {"file": Path(path).name, "sha256": hashlib.sha256(data).hexdigest()}


def _sensitivity_metrics(scenario) -> list[str]:
    h = _final_years(scenario)
    return [f"p_war_{h}y", f"p_clash_{h}y", "dprk_launches_per_year", "stability_index"]


def _final_years(scenario) -> int:
    return max(1, final_horizon(scenario["metrics"]["horizons_years"],
                                scenario.horizon_months // 12))


def _e(text: object) -> str:
    return html.escape(str(text))


def pct(p: float | None, digits: int = 1) -> str:
    """A probability in percent ('6.4%'); '-' when not defined."""
    return "-" if p is None or (isinstance(p, float) and math.isnan(p)) else \
        f"{100 * p:.{digits}f}%"


def signed(value: float, digits: int) -> str:
    """A signed number with a true minus sign ('+1.2', '−0.4')."""
    text = f"{value:+.{digits}f}"
    return text.replace("-", "\u2212")


def format_difference(d: dict, scale: float = 1.0, digits: int | None = None,
                      unit: str = "") -> str:
    """A paired difference ``{mean, p05, p95}`` as 'mean [p05, p95]' (scaled, signed): the
    form in which the brief prints every difference; ``digits`` None gives three
    significant figures on the largest of the three (one decimal at least, four at most)."""
    u = f" {unit}" if unit else ""
    if digits is None:
        top = max(abs(d[k] * scale) for k in ("mean", "p05", "p95"))
        digits = 1 if top == 0 else min(4, max(1, 2 - math.floor(math.log10(top))))
    return (f"{signed(d['mean'] * scale, digits)}{u} [{signed(d['p05'] * scale, digits)}, "
            f"{signed(d['p95'] * scale, digits)}]")


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
.meta{color:#555;font-size:.9em}
table{border-collapse:collapse;margin:.6em 0 1em;font-size:.82em;page-break-inside:avoid}
th,td{border:1px solid #bbb;padding:.22em .45em;text-align:right;vertical-align:top}
th:first-child,td:first-child{text-align:left}
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
           backtest, backtest_source, figures, timings, command, overrides) -> str:
    """The page from the computed results (every number on it comes from these)."""
    names = [p.name for p in policies]
    h = _final_years(base)
    title = f"Policy brief: {', '.join(names)} on the scenario {base.name}"
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    sections = [
        _summary(names, comparison, ensembles, h),
        _question(base, names, h),
        _assumptions(base, policies, overrides),
        _results(names, ensembles, figures),
        _comparison(names, comparison, figures),
        _drivers(names, explains),
        _sensitivity(sensitivity, sensitivity_meta, figures, base),
        _backtest(backtest, backtest_source),
        _caveats(base, sensitivity, backtest, comparison, explains, names),
        _manifest(base, names, ensembles, sensitivity_meta, backtest is not None,
                  backtest_source, timings, command),
    ]
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)}</title><style>{CSS}</style></head>
<body>
<h1>{_e(title)}</h1>
<p class="meta">Peninsula {_e(__version__)}; {base.runs:,} runs per policy, seed {base.seed};
horizon {base.horizon_months} months from {_e(base['scenario']['start'])};
scenario hash <code>{_e(base.hash()[:16])}</code>; generated {_e(when)}.</p>
{''.join(sections)}
</body></html>
"""


def _summary(names, comparison, ensembles, h) -> str:
    ref = names[0]
    s = ensembles[ref].summary()
    hk = str(h)
    items = [f"<li>Under <b>{_e(ref)}</b>: P(war or worse within {h} yr) "
             f"{pct(s['p_war'][hk])} [{pct(s['intervals_90']['p_war'][hk][0])}, "
             f"{pct(s['intervals_90']['p_war'][hk][1])}], P(armed clash or worse) "
             f"{pct(s['p_clash'][hk])} [{pct(s['intervals_90']['p_clash'][hk][0])}, "
             f"{pct(s['intervals_90']['p_clash'][hk][1])}], stability index "
             f"{s['stability_index']['mean']:.1f} points.</li>",
             f"<li>{_e(evidence_sentence(s, 'p_war', hk, 'war'))}</li>",
             f"<li>{_e(evidence_sentence(s, 'p_clash', hk, 'an armed clash'))}</li>"]
    if comparison is not None:
        keys = ((f"p_war_{h}y", f"P(war or worse within {h} yr)", 100.0, "pp"),
                (f"p_clash_{h}y", f"P(armed clash or worse within {h} yr)", 100.0, "pp"),
                ("dprk_launches_per_year", "DPRK launches a year", 1.0, ""),
                ("stability_index", "stability index", 1.0, "points"))
        for name in names[1:]:
            diffs = comparison["differences"][name]
            parts = [f"{label} {format_difference(diffs[k], scale, unit=unit)}: "
                     f"{_verdict(diffs, k, comparison)}" for k, label, scale, unit in keys
                     if k in diffs]
            items.append(f"<li><b>{_e(name)}</b> against {_e(ref)}, run by run: "
                         + "; ".join(_e(p) for p in parts) + ".</li>")
    return f"""<h2>Summary</h2>
<ul class="findings">{''.join(items)}</ul>
<p class="note">Two 90% intervals go with each probability. Brackets say {SIMULATION_WORDS}:
the Monte Carlo error of this ensemble (for a difference: of the paired run-by-run difference on
common random numbers), which more runs shrink. The range across what the evidence allows says
{EVIDENCE_WORDS}: how far the probability moves across the parameters the ensemble samples
({_e(evidence_note(s))}), each draw's noise removed, which more runs do not shrink. Neither says
how far the model is from the world: see the caveats.</p>
"""


def evidence_sentence(s: dict, key: str, hk: str, what: str) -> str:
    """The range of a probability across the parameters, and the simulation's own noise, in a
    plain sentence."""
    lo, hi = s["intervals_90"][key][hk]
    noise = f"the simulation's own noise is \u00b1{100 * (hi - lo) / 2:.1f} points"
    ev = (s.get("parameter_intervals_90", {}).get(key) or {}).get(hk)
    years = f"{hk} year" + ("" if hk == "1" else "s")
    if ev is None:
        return (f"The range of P({what} within {years}) across what the evidence allows is not "
                f"assessed ({evidence_note(s)}); {noise}.")
    return (f"Across what the evidence allows, P({what} within {years}) lies between "
            f"{pct(ev[0])} and {pct(ev[1])}; {noise}.")


def _question(base, names, h) -> str:
    desc = base["scenario"].get("description", "")
    return f"""<h2>The question</h2>
<p>Does deepening US-South Korea-Japan security cooperation deter North Korea, or does it
provoke launches, an arms race and a China-Russia counter-bloc; and which policies keep
deterrence while lowering the risk? This brief asks it of the scenario
<b>{_e(base.name)}</b> ({_e(desc)}) over {base.horizon_months // 12} years, for the policies
{', '.join(f'<b>{_e(n)}</b>' for n in names)}: how likely an armed clash, a war and nuclear
use are under each within 1, 5 and {h} years, what each does to launches, to China-Russia
alignment and to stability, how they differ when every policy meets the same futures, which
channels of the alliance's activity drive the result, and which uncertain inputs the answer
rests on.</p>
"""


def _assumptions(base, policies, overrides) -> str:
    doc = base.doc
    levers = sorted({k for p in policies for k in p.levers})
    lever_rows = [[f"<code>{_e(k)}</code>", _e(LEVERS[k].doc if k in LEVERS else ""),
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
{_table(['lever', 'meaning', 'scenario', *[_e(p.name) for p in policies]], lever_rows)}
<p>Every other lever keeps the scenario's value ({len(other)} levers:
{', '.join(f'<code>{_e(k)}</code>' for k in other)}).</p>
<h3>Mechanisms</h3>
<p>{len(on)} of {len(mech)} mechanisms on{'; switched off: ' + ', '.join(
        f'<code>{_e(k)}</code> ({_e(MECHANISMS.get(k, ""))})' for k in off) if off else
        ' (none switched off)'}.</p>
<h3>Parameter sampling</h3>
<p>{len(params)} parameters; {'each run draws every uncertain parameter from its range'
     if sampled else 'every run uses the parameters’ central values (sampling off)'}
({dist_text}). {judged} of the {len(params)} rest on judgement (their basis in the parameter
table says so), the others on a published estimate, the historical record or calibration
(<code>peninsula parameters</code> lists every one with its range and basis).</p>
"""


def _mc_interval(stat: dict) -> tuple[float, float]:
    half = Z90 * stat["se"] if stat.get("se") is not None else float("nan")
    return stat["mean"] - half, stat["mean"] + half


def _results(names, ensembles, figures) -> str:
    first = ensembles[names[0]].summary()
    horizons = [k for k in first["p_war"] if first["p_war"][k] is not None]
    head = ["outcome", "within (yr)", *[_e(n) for n in names]]
    rows = []
    for key, label in PROBABILITIES:
        for hk in horizons:
            cells = []
            for n in names:
                s = ensembles[n].summary()
                lo, hi = s["intervals_90"][key][hk]
                ev = (s.get("parameter_intervals_90", {}).get(key) or {}).get(hk)
                cells.append(f"{pct(s[key][hk])} [{pct(lo)}, {pct(hi)}]<br><small>evidence "
                             + ("not assessed" if ev is None
                                else f"{pct(ev[0])}-{pct(ev[1])}") + "</small>")
            rows.append([f"P({_e(label)})", hk, *cells])
    for key, label, unit in MEANS:
        cells = []
        for n in names:
            stat = ensembles[n].summary()[key]
            lo, hi = _mc_interval(stat)
            cells.append(f"{stat['mean']:.2f} [{lo:.2f}, {hi:.2f}]<br><small>futures 5-95%: "
                         f"{stat['p05']:.2f}-{stat['p95']:.2f}</small>")
        rows.append([f"{_e(label)} ({_e(unit)})", str(first['final_horizon_years']), *cells])
    fans = "".join(_figure(figures[f"fan:{n}"], f"Fan charts under {n}: the ladder's rungs, "
                           "cumulative P(clash), P(war) and P(nuclear use) with 90% intervals, "
                           "and the yearly spread of launches, alignment and stability")
                   for n in names)
    return f"""<h2>Results with intervals</h2>
<p>Probabilities: the share of futures reaching the rung by each horizon, with its 90%
Monte Carlo interval ({SIMULATION_WORDS}: Wilson, runs that share a parameter draw counted as
correlated) and, below, its 90% range across the parameters ({EVIDENCE_WORDS}: the spread of
the probability over the parameter draws, each draw's noise removed). Launches (mean over the
whole horizon), alignment and the stability index (at the final horizon): the mean with its
90% Monte Carlo interval and, below, the spread of the futures themselves (5th-95th percentile
across runs).</p>
{_table(head, rows)}
{fans}
"""


def _comparison(names, comparison, figures) -> str:
    if comparison is None:
        return ("<h2>Strategy comparison</h2><p>One policy was given, so there is nothing to "
                "compare: give a second <code>--policy</code>.</p>")
    ref = names[0]
    rows = []
    for key in comparison["outcomes"]:
        scale, unit = (100.0, "pp") if key.startswith(("p_clash", "p_war", "p_nuclear")) \
            else (1.0, "")
        rows.append([f"<code>{_e(key)}</code>{' (' + unit + ')' if unit else ''}",
                     *[_e(format_difference(comparison["differences"][n][key], scale))
                       + f"<br><small>{_e(_verdict(comparison['differences'][n], key, comparison))}"
                       "</small>"
                       for n in names[1:]]])
    return f"""<h2>Strategy comparison</h2>
<p>Each policy against <b>{_e(ref)}</b>, run by run on common random numbers
({comparison['runs']:,} runs, seed {comparison['seed']}): the mean of the paired differences
and its 90% interval. Probabilities in percentage points; a difference whose interval holds
zero is not distinguishable from none at this run count.{_evidence_words(comparison)}</p>
{_figure(figures['compare'], 'Paired differences against ' + ref + ' with 90% intervals')}
{_table(['outcome', *[_e(n) + ' − ' + _e(ref) for n in names[1:]]], rows)}
"""


def _evidence_words(comparison: dict) -> str:
    """What the verdict of the evidence metric reads, in a sentence (empty without one)."""
    metric = comparison.get("evidence_metric")
    if metric is None:
        return ""
    return (f" The verdict on <code>{_e(metric)}</code> reads the parameter draws: the share of "
            "draws under which the policy lowers it, with its 90% interval (each draw's noise "
            "and the draws the policy leaves unchanged accounted for); between 10% and 90% it "
            "holds only under some assumed effects, and the parameters whose uncertainty moves "
            "the difference most are named with their shares of its spread across draws.")


def _drivers(names, explains) -> str:
    parts = ["""<h2>Drivers</h2>
<p>What the alliance's activity (drills, missile defence, permanent infrastructure,
technology collaboration, intelligence sharing, summits) does through each channel, under
each policy: the outcome with the activity against the outcome with that channel alone reading
the counterfactual of no activity, on common random numbers (mean and 90% interval; positive
means the channel raises the outcome). <i>Interaction</i> is what the channels do together
beyond their sum.</p>"""]
    for i, name in enumerate(names):
        e = explains[name]
        rows = []
        for channel in e["contributions"]:
            rows.append([_e(channel.replace("_", " ")), *[
                _e(format_difference({"mean": e["contributions"][channel][k],
                                      "p05": e["intervals_90"][channel][k][0],
                                      "p95": e["intervals_90"][channel][k][1]}, s))
                for k, _, s in EXPLAINED]])
        rows.append(["<i>interaction</i>", *[_e(signed(e["interaction"][k] * s, 2))
                                             for k, _, s in EXPLAINED]])
        rows.append(["<b>all activity</b>", *[
            "<b>" + _e(format_difference({"mean": e["total"][k],
                                          "p05": e["total_interval_90"][k][0],
                                          "p95": e["total_interval_90"][k][1]}, s)) + "</b>"
            for k, _, s in EXPLAINED]])
        parts.append(f"<h3>Under {_e(name)} (by year {e['horizon_years']}; {e['runs']:,} runs "
                     "per ensemble)</h3>"
                     + _table(["channel", *[_e(lbl) for _, lbl, _ in EXPLAINED]], rows))
        if i == 0 and e["mechanisms"]:
            mrows = [[f"<code>{_e(m)}</code>", *[
                _e(format_difference({"mean": e["mechanisms"][m][k],
                                      "p05": e["mechanism_intervals_90"][m][k][0],
                                      "p95": e["mechanism_intervals_90"][m][k][1]}, s))
                for k, _, s in EXPLAINED]]
                     for m in e["mechanisms"]]
            parts.append(f"<p>Other mechanisms under {_e(name)}, each switched off alone "
                         "(what it adds at this posture, on minus off; these need not add "
                         "up with the channels):</p>"
                         + _table(["mechanism", *[_e(lbl) for _, lbl, _ in EXPLAINED]], mrows))
    return "".join(parts)


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


def _sensitivity(result, meta, figures, base) -> str:
    key, label = BARS[result.method]
    params = base.doc["parameters"]
    blocks = []
    for metric, rows in _ranking(result).items():
        body = []
        for rank, r in enumerate(rows, start=1):
            name = str(r["factor"]).removeprefix("parameters.")
            basis = params.get(name, {}).get("basis", "") if isinstance(
                params.get(name), dict) else ""
            conf = r.get(f"{key}_conf")
            cells = [str(rank), f"<code>{_e(name)}</code>",
                     f"{r[key]:.3g}" + (f" ± {conf:.2g}" if conf is not None and
                                        not math.isnan(conf) else "")]
            if result.method == "morris":
                cells.append(_direction(r["mu"], r["mu_star"]))
                cells.append(f"{r['sigma']:.3g}")
            cells.append("judgement" if _is_judgement(basis) else ("sourced" if basis else "-"))
            body.append(cells)
        head = ["rank", "parameter", f"{_e(key)} (95%)"]
        if result.method == "morris":
            head += ["direction (sign of mu)", "sigma (non-linearity, interactions)"]
        blocks.append(f"<h3><code>{_e(metric)}</code></h3>" + _table([*head, "basis"], body))
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
    warn = "".join(f"<li>{_e(w)}</li>" for w in getattr(result, "warnings", []) or [])
    warn_block = (f"<p>The study's own warnings ({len(result.warnings)}):</p><ul>{warn}</ul>"
                  if warn else "<p>The study raised no warning about its design size.</p>")
    return f"""<h2>Sensitivity ranking</h2>
<p>Which uncertain inputs the answer rests on: {how}. Index: {_e(label)}; the 95% interval from
the study's bootstrap.</p>
{_figure(figures['sensitivity'], 'Leading factors per metric with 95% intervals')}
{''.join(blocks)}
{warn_block}
"""


def _skill_rows(r: dict) -> list[list[str]]:
    def f(v):
        return "-" if v is None else f"{v:.3f}"
    rows = [["<b>model</b>", f(r["spearman"]), f(r["crps"]), f(r["brier"]), f(r["coverage_90"])]]
    for name, s in {**r["baselines"], **r.get("benchmarks", {})}.items():
        rows.append([_e(name.replace("_", " ")), f(s.get("spearman")), f(s.get("crps")),
                     f(s.get("brier")), f(s.get("coverage_90"))])
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
                 "data. Lower CRPS and Brier are better.</p>")
    if "crps" in r:
        test = r["test_years"]
        rivals = {**{k: v["crps"] for k, v in r["baselines"].items()},
                  **{k: v["crps"] for k, v in r.get("benchmarks", {}).items()}}
        best = min(rivals, key=rivals.get)
        verdict = "below" if r["crps"] < rivals[best] else "not below"
        parts.append(
            f"<h3>Yearly launches, trained on {r['years'][0]}-{r['train_until']}, held out "
            f"{test[0]}-{test[-1]} ({r['runs']:,} runs, seed {r['seed']})</h3>"
            + _table(["forecast", "Spearman", "CRPS (missiles)", "Brier (20+ missiles)",
                      "90% coverage"], _skill_rows(r))
            + f"<p>The model's CRPS ({r['crps']:.2f}) is {verdict} the best rival's "
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
                + _table(["forecast", "CRPS", "log score", "Brier", "50% cover", "90% cover"],
                         rows)
                + f"<p>Model CRPS {m['crps']:.2f} against the best benchmark's "
                f"({_e(best.replace('_', ' '))}) {b['crps']:.2f}: "
                f"{'at least as good' if m['crps'] <= b['crps'] else 'worse'}.</p>")
    c = r.get("clashes")
    if c:
        rows = [[_e(n.replace("_", " ")), f"{s['log_score']:.3f}", f"{s['brier']:.3f}"]
                for n, s in c["scores"].items()]
        held = c["test_years"]
        n_obs = sum(o for y, o in zip(c["years"], c["observed"], strict=True) if y in held)
        parts.append(f"<h3>Armed-clash years, held out {held[0]}-{held[-1]} ({n_obs} observed)"
                     "</h3>" + _table(["forecast", "log score", "Brier"], rows))
    return "".join(parts)


def _rolling_cells(s: dict) -> list[str]:
    return [f"{s['crps']:.2f}", f"{s['log_score']:.3f}", f"{s['brier']:.3f}",
            f"{s['coverage_50']:.2f}", f"{s['coverage_90']:.2f}"]


def _caveats(base, sensitivity, backtest, comparison, explains, names) -> str:
    params = base.doc["parameters"]
    judged = {k for k, spec in params.items()
              if isinstance(spec, dict) and _is_judgement(spec.get("basis", ""))}
    leaders = []
    for rows in _ranking(sensitivity, 5).values():
        for r in rows:
            name = str(r["factor"]).removeprefix("parameters.")
            if name not in leaders:
                leaders.append(name)
    judged_leaders = [n for n in leaders if n in judged]
    items = [
        f"<li><b>Judgement priors.</b> {len(judged)} of the {len(params)} parameters rest on "
        f"judgement, and so do {len(judged_leaders)} of the {len(leaders)} that lead the "
        "sensitivity ranking of some metric (top five of each): "
        + ", ".join(f"<code>{_e(n)}</code>" for n in judged_leaders)
        + ". The ensembles sample them over their stated ranges, so the answers are "
        "conditional on those ranges: no interval on this page widens to allow for a range "
        "that is wrong.</li>",
        "<li><b>Two intervals, both within the model.</b> Every bracket is the ensemble's "
        "sampling error given the model, its structure and its priors; the range across what "
        "the evidence allows is the spread over the parameters' stated ranges (or a posterior "
        "table); neither is an interval on the model's distance from the world.</li>",
    ]
    ps = (backtest or {}).get("prior_sensitivity")
    if ps:
        rows = ps["rows"]
        base_p = rows[0]["p_war"]
        big = max(rows[1:], key=lambda row: abs(row["p_war"] - base_p)) if len(rows) > 1 \
            else rows[0]
        items.append(
            f"<li><b>Prior sensitivity of P(war).</b> With the ladder's hazards fitted to the "
            f"record up to {ps['train_until']} and each prior widened in turn, the "
            f"<code>{_e(ps['scenario'])}</code> scenario's P(war, {ps['horizon_years']} yr) "
            f"moves from {pct(base_p, 2)} (base priors) to as much as {pct(big['p_war'], 2)} "
            f"(widening {_e(big['widened'])}); the range across the widenings is "
            f"{pct(min(r['p_war'] for r in rows), 2)}-{pct(max(r['p_war'] for r in rows), 2)}. "
            "The record (few clashes, no war) says little about the war hazards, so the war "
            "probability rests on their priors.</li>")
    else:
        items.append(
            "<li><b>Prior sensitivity of P(war).</b> The ladder's war hazards are fitted to a "
            "record without a war, so they are fitted weakly and the war probability rests on "
            "their priors: <code>docs/validation-2015.md</code> (section <i>Prior "
            "sensitivity of the ladder's joint calibration</i>) reports how far P(war) moves "
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
            f"{backtest['train_until']} the model's mean yearly probability of an armed clash "
            f"is {replay:.2f} against the record's share of clash years {record:.2f}; on the "
            f"held-out years it gave {quiet:.0%} to a run of years as quiet as the record's. "
            "The clash probabilities above inherit this.</li>")
    else:
        items.append(
            "<li><b>The clash-rate miss.</b> The armed-clash back-test "
            "(<code>docs/validation.md</code> and <code>docs/validation-2015.md</code>, "
            "section <i>Armed clashes, year by year</i>) compares the model's yearly clash "
            "probability with the record's clash years; where they part, the clash "
            "probabilities above inherit the gap. Give <code>--backtest</code> to state the "
            "figures here.</li>")
    e = explains[names[0]]
    inter = e["interaction"]["p_war"]
    items.append(
        f"<li><b>Channels interact.</b> Under {_e(names[0])} the channels' separate effects on "
        f"P(war) leave {signed(100 * inter, 2)} pp to their interaction; read the channels as "
        "a decomposition at this posture, not as effects that add up elsewhere.</li>")
    warnings = getattr(sensitivity, "warnings", []) or []
    if warnings:
        items.append(f"<li><b>A small screening.</b> The sensitivity study raised "
                     f"{len(warnings)} warnings about its design size (listed with it): the "
                     "order of the leading factors is a screening, not an estimate.</li>")
    return "<h2>Caveats</h2><ul class=\"findings\">" + "".join(items) + "</ul>"


def _manifest(base, names, ensembles, sens_meta, has_bt, bt_source, timings,
              command) -> str:
    rows = [["Peninsula version", _e(__version__)],
            ["scenario", f"{_e(base.name)} (<code>{_e(base.source)}</code>)"],
            ["scenario hash (sha256)", f"<code>{_e(base.hash())}</code>"],
            ["seed", str(base.seed)], ["runs per policy", f"{base.runs:,}"],
            ["horizon (months)", str(base.horizon_months)]]
    for n in names:
        m = ensembles[n].manifest(command or "")
        rows.append([f"policy {_e(n)}: scenario hash", f"<code>{_e(m['scenario_sha256'])}"
                     f"</code> (seed {m['seed']}, {m['runs']:,} runs)"])
    rows.append(["drivers (explain)", f"{base.runs:,} runs per ensemble, seed {base.seed}"])
    if sens_meta.get("source"):
        rows.append(["sensitivity", f"study folder {_e(Path(sens_meta['source']).name)}"])
    else:
        rows.append(["sensitivity", f"Morris, {sens_meta['samples']} trajectories, "
                                    f"{sens_meta['runs']:,} runs per point, seed "
                                    f"{sens_meta['seed']}, under {_e(sens_meta['policy'])}"])
    rows.append(["back-test", "not run here (see the back-test section)" if not has_bt else
                 "the result given" if bt_source is None else
                 f"{_e(bt_source['file'])} (sha256 <code>{_e(bt_source['sha256'])}</code>)"])
    rows.append(["wall time", f"{timings['total']:.1f} s ("
                 + ", ".join(f"{_e(k)} {v:.1f} s" for k, v in timings.items() if k != "total")
                 + ")"])
    cmd = (f"<p>Made by:</p><pre>{_e(command)}</pre>" if command else "")
    return f"""<h2>Manifest</h2>
<p>What reproduces every number above: the same version, scenario (hash), seed and run counts
give the same numbers bit for bit on the same CPU family and maths library.</p>
{_table(['item', 'value'], rows, 'kv')}
{cmd}
"""


__all__ = ["DEFAULT_RUNS", "BriefError", "chromium_path", "format_difference", "print_pdf",
           "read_backtest", "read_sensitivity", "write_brief"]
