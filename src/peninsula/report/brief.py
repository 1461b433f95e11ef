"""The policy brief: one self-contained HTML page (and, optionally, its PDF) answering the
question for a scenario and a set of policies.

    write_brief("baseline", ["status-quo", "dual-track"], runs=5000, seed=7,
                out_html="brief.html", pdf="brief.pdf")

The page opens with its bottom line (what the evidence says, how sure, what carries it) and
then the numbers: each policy's level beside its paired difference against the first policy.
Every number on it is computed here, through ``peninsula.api``, for the scenario, policies,
runs and seed given, in stages that the progress names: the runs of each policy (``api.run``,
whose monthly record also gives the fan charts), the paired comparison on common random numbers
(``api.compare``'s result, read from the same runs: differences, the share of parameter draws
that favour a policy and the parameters that carry it), the drivers (``api.explain``), a Morris
screening of every uncertain parameter (``api.sensitivity``, or a study folder given; none in a
draft), the figures and the writing. Every label, unit and number format is the registry's
(analysis/registry.py): probabilities in percent, their differences in percentage points, and
no code name of a metric on the page. The back-test takes far longer than a brief, so its skill
is read from the JSON of ``peninsula backtest --json`` when one is given, and otherwise the
page says where it is reported. The page needs no network and no script: CSS inline, figures as
base64 PNG. The PDF is the same page printed by Chromium (Playwright, driving the ``chromium``
found on PATH; it never downloads a browser).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import peninsula.api as api
from peninsula.engine.execution import Execution, execution_of
from peninsula.report.brief_defaults import (  # noqa: F401 (B.DEFAULT_RUNS etc. stay here)
    DEFAULT_RUNS,
    DRIVER_RUNS,
    QUICK_DRIVER_RUNS,
    QUICK_RUNS,
    SENSITIVITY_RUNS,
    SENSITIVITY_SAMPLES,
    SENSITIVITY_TOP,
)
from peninsula.report.brief_page import (  # noqa: F401 (the page's helpers stay reachable here)
    bottom_line,
    chance,
    format_difference,
    in_words,
    render,
)
from peninsula.report.compare_plot import plot_compare
from peninsula.report.figures import save_figure, share_y
from peninsula.report.sensitivity_plot import BARS, plot_sensitivity
from peninsula.scenario.policies import Policy

CHROMIUM = "chromium"
NO_CHROMIUM = ("--pdf: no 'chromium' on PATH; the PDF is printed by Chromium: install the "
               "chromium package (e.g. 'apt install chromium') or drop --pdf")


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

class _Stages:
    """The progress of a brief by stage: ``start(stage, detail)`` reports the share of steps
    done and names the stage ('drivers: dual-track (2 of 2)'), and times it."""

    def __init__(self, steps: list[str], progress: Progress | None):
        self.total, self.done, self.progress = len(steps), 0, progress
        self.timings: dict[str, float] = {}
        self._stage, self._t0 = None, 0.0

    def start(self, stage: str, detail: str = "") -> None:
        self._stop()
        if self.progress is not None:
            self.progress(min(self.done / self.total, 1.0),
                          f"{stage}: {detail}" if detail else stage)
        self.done += 1
        self._stage, self._t0 = stage, time.perf_counter()

    def _stop(self) -> None:
        if self._stage is not None:
            self.timings[self._stage] = (self.timings.get(self._stage, 0.0)
                                         + time.perf_counter() - self._t0)
            self._stage = None

    def finish(self) -> None:
        self._stop()
        if self.progress is not None:
            self.progress(1.0, "done")


def write_brief(scenario, policies: list, runs: int | None = DEFAULT_RUNS,
                seed: int | None = None, out_html: str | Path = "brief.html",
                pdf: str | Path | None = None, progress: Progress | None = None, *,
                overrides: list[str] | None = None, workers: int = 1,
                backtest: str | Path | dict | None = None,
                sensitivity_from: str | Path | None = None,
                sensitivity_samples: int = SENSITIVITY_SAMPLES,
                sensitivity_runs: int = SENSITIVITY_RUNS,
                driver_runs: int | None = None, quick: bool = False,
                command: str | None = None, execution: Execution | None = None) -> list[Path]:
    """Write the policy brief of ``scenario`` (a Scenario, bundled name or file) under
    ``policies`` (bundled names, TOML files or Policy objects; the first is the reference of
    the comparison) to ``out_html``, and print it to ``pdf`` when given. Returns the files
    written, the HTML first.

    ``runs`` and ``seed`` are per policy (None: the scenario's); ``overrides`` are
    ``--set``-style changes of the scenario. ``progress(fraction_done, message)`` is called as
    each stage starts, the message naming it (runs, compare, drivers, sensitivity, figures,
    writing, PDF). ``backtest``: a back-test result (or its JSON file) whose skill the brief
    reports; ``sensitivity_from``: a sensitivity study folder used instead of the screening
    run here (``sensitivity_samples`` trajectories of ``sensitivity_runs`` runs per point).
    ``driver_runs``: runs per ensemble of the drivers (default: ``DRIVER_RUNS``, at most
    ``runs``). ``quick``: a draft, marked so on the page: the drivers at
    ``QUICK_DRIVER_RUNS`` and no sensitivity screening (a study folder given is still read).
    ``command``: the command line recorded in the manifest. ``execution`` (an ``Execution``)
    says how every ensemble runs, in place of ``workers``. Inputs that cannot be used raise
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
    screen = given_sens is None and not quick
    if screen:
        api.sensitivity_plan(base.with_settings(runs=sensitivity_runs), method="morris",
                             samples=sensitivity_samples, metrics=metrics)
    drivers_n = min(base.runs, driver_runs or (QUICK_DRIVER_RUNS if quick else DRIVER_RUNS))

    steps = (["runs"] * len(names) + ["compare"] * (len(names) > 1) + ["drivers"] * len(names)
             + ["sensitivity"] * screen + ["figures", "writing"] + ["PDF"] * (pdf_path is not None))
    stages = _Stages(steps, progress)
    with execution_of(execution, workers=workers).running() as how:
        ensembles, fans, comparison, explains = _runs(base, chosen, scenarios, drivers_n,
                                                      stages, how)
        sens, sens_meta = given_sens if given_sens is not None else (None, None)
        if screen:
            ref = scenarios[names[0]]
            stages.start("sensitivity", f"Morris screening, {sensitivity_samples} trajectories "
                                        f"of {sensitivity_runs:,} runs a point")
            sens = api.sensitivity(ref, method="morris", samples=sensitivity_samples,
                                   metrics=metrics, runs=sensitivity_runs, seed=base.seed,
                                   execution=how)
            sens_meta = {"scenario": ref.name, "runs": sensitivity_runs, "seed": base.seed,
                         "source": None, "samples": sensitivity_samples, "policy": names[0]}
    stages.start("figures")
    figures = _draw(names, fans, comparison, sens, sens_meta)
    stages.start("writing")
    timings = {**stages.timings, "total": time.perf_counter() - started}
    page = render(base=base, policies=chosen, ensembles=ensembles, comparison=comparison,
                  explains=explains, sensitivity=sens, sensitivity_meta=sens_meta,
                  backtest=bt, backtest_source=bt_source, figures=figures, timings=timings,
                  command=command, overrides=overrides or [], quick=quick)
    from peninsula.io.store import write_text

    write_text(page, out_html)
    written = [out_html]
    if pdf_path is not None:
        stages.start("PDF", "printing with Chromium")
        written.append(print_pdf(out_html, pdf_path, chromium))
    stages.finish()
    return written


def _runs(base, chosen: list[Policy], scenarios: dict, drivers_n: int, stages: _Stages,
          how: Execution) -> tuple[dict, dict, dict | None, dict]:
    """The brief's ensembles on ``how``: each policy's runs and fan, the paired comparison
    (with two or more policies) and each policy's drivers."""
    names = list(scenarios)
    ensembles, fans, explains = {}, {}, {}
    for i, (name, sc) in enumerate(scenarios.items(), start=1):
        stages.start("runs", f"{name} ({i} of {len(names)}, {base.runs:,} runs)")
        ensembles[name] = api.run(sc, record_monthly=True, record_events=False, compact=True,
                                  execution=how)
        fans[name] = api.fan_of(ensembles[name], name)
    comparison = None
    if len(chosen) > 1:
        stages.start("compare", f"{len(names)} policies on common random numbers")
        comparison = paired(base, chosen, ensembles)
    for i, (name, sc) in enumerate(scenarios.items(), start=1):
        stages.start("drivers", f"{name} ({i} of {len(names)}, {api.explain_ensembles()} "
                                f"ensembles of {drivers_n:,} runs)")
        explains[name] = api.explain(sc, drivers_n, seed=base.seed, execution=how)
    return ensembles, fans, comparison, explains


def paired(base, chosen: list[Policy], ensembles: dict) -> dict:
    """``api.compare``'s result read from the policies' ensembles the brief has run already
    (the same runs and seed, so common random numbers): the same numbers, without running
    every policy a second time. Each policy runs once, with its monthly record, for its
    summary, its fan charts and the comparison."""
    from peninsula.analysis.compare import compare_outcomes, run_parameters
    from peninsula.analysis.metrics import registry_columns

    frames = {p.name: ensembles[p.name].outcomes() for p in chosen}
    years = base.horizon_months // 12
    horizons = [h for h in base["metrics"]["horizons_years"] if h <= years]
    final = max(horizons, default=years)
    columns = registry_columns(horizons, final)
    setup = ensembles[chosen[0].name].setup
    runs = frames[chosen[0].name]["run"].to_numpy()
    return {"scenario": base.name, "runs": base.runs, "seed": base.seed,
            "horizon_months": base.horizon_months, "final_horizon_years": final,
            "reference": chosen[0].name, "common_random_numbers": True,
            "outcomes": list(columns), "levers": {p.name: dict(p.levers) for p in chosen},
            "descriptions": {p.name: p.description for p in chosen},
            **compare_outcomes(frames, columns, setup, run_parameters(setup, runs))}


def _draw(names, fans, comparison, sens, sens_meta) -> dict[str, str]:
    """Every figure of the page as a data URI: the policies' fan charts on the same y-scales
    (panel by panel, so side by side they compare), the paired differences and the
    sensitivity ranking in the registry's words."""
    from peninsula.report.fan_plot import fan_matplotlib, fan_title

    figures: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="peninsula-brief-") as tmp:
        folder = Path(tmp)
        drawn = {n: fan_matplotlib(fans[n], fan_title(fans[n])) for n in names}
        share_y(list(drawn.values()))
        for i, (n, fig) in enumerate(drawn.items()):
            figures[f"fan:{n}"] = _png(save_figure(fig, folder / f"fan-{i}.png"))
        if comparison is not None:
            figures["compare"] = _png(plot_compare(comparison, folder / "compare.png"))
        if sens is not None:
            figures["sensitivity"] = _png(plot_sensitivity(
                in_words(sens), folder / "sensitivity.png", scenario=sens_meta["scenario"],
                runs=sens_meta["runs"], seed=sens_meta["seed"], top=SENSITIVITY_TOP))
    return figures


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



def _png(path: Path) -> str:
    """A PNG file as a data URI (the page embeds every figure)."""
    import base64

    return "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


def _file_facts(path: str | Path) -> dict:
    data = Path(path).read_bytes()
    return {"file": Path(path).name, "sha256": hashlib.sha256(data).hexdigest()}


def _sensitivity_metrics(scenario) -> list[str]:
    """The outcomes the screening ranks inputs for: war and clash by the final horizon,
    launches and the stability index."""
    from peninsula.report.brief_page import final_years

    h = final_years(scenario)
    return [f"p_war_{h}y", f"p_clash_{h}y", "dprk_launches_per_year", "stability_index"]


__all__ = ["DEFAULT_RUNS", "BriefError", "bottom_line", "chance", "chromium_path",
           "format_difference", "in_words", "print_pdf", "read_backtest", "read_sensitivity",
           "write_brief"]
