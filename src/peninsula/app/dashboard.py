"""Peninsula's dashboard (``peninsula dashboard``): explore, compare, sweep, discover, history, wargame.

A Streamlit script over the public API: the sidebar picks the scenario (bundled or uploaded)
and sets the levers, runs and seed; each tab runs its study when asked and keeps its last good
result on screen, so a bad upload or an out-of-range value shows an error beside the numbers it
did not replace. Ensembles are cached on their settings: unchanged settings do not run again.
The page opens on the answer for the scenario as it stands (run once at start, then cached).
Every label, unit and number format is the registry's (analysis/registry.py): probabilities in
percent with one decimal, differences in percentage points, intervals of a mean named as such
and percentiles used only for the spread across runs.
"""

from __future__ import annotations

import streamlit as st

import peninsula.api as api
from peninsula.analysis import registry as R
from peninsula.analysis.compare import policy_verdict
from peninsula.analysis.metrics import (
    EVIDENCE_WORDS,
    FINAL_METRICS,
    HORIZON_METRICS,
    PROBABILITIES,
    SIMULATION_WORDS,
    Z90,
    evidence_note,
    metric_names,
)
from peninsula.app import history as H
from peninsula.app import state as S
from peninsula.app.wargame import wargame_tab
from peninsula.report.compare_plot import compare_figure
from peninsula.report.fan_plot import BANDS_CAPTION, fan_figure, plot_fan
from peninsula.report.figures import stamp
from peninsula.report.study_plots import discovery_figure, sweep_figure
from peninsula.scenario.errors import ScenarioError
from peninsula.scenario.loader import bundled_names
from peninsula.scenario.parameters import BY_NAME as PARAMETERS
from peninsula.scenario.parameters import NAMES

OWN_LEVERS = "(the scenario's own levers)"
MEAN_INTERVAL = "90% interval of the mean"  # Monte Carlo error of an average, not a spread
SPREAD = "spread across runs (5th to 95th percentile)"  # futures, not an error
HEADLINE_MEANS = ("dprk_launches_per_year", "stability_index")  # beside the probabilities
WAR = "p_war"  # the risk the drivers' caption and the sweep lead with
CONTROLS = S.lever_controls()
BY_NAME = {c.name: c for c in CONTROLS}


# --- cached studies: keyed on the settings' text; the progress callback is not part of the key

KEPT_ENSEMBLES = 4  # the Explore ensembles a session keeps for its drivers


def explore_ensemble(key: str, settings: S.Settings, progress=None):
    """The Explore view's ensemble, with its monthly state, kept in the session as it is (the
    last KEPT_ENSEMBLES of them), so that the drivers reuse it as their ``full`` ensemble
    instead of running it again; run when the session does not hold it."""
    kept = st.session_state.setdefault("explore_ensembles", {})
    ens = kept.pop(key, None)
    if ens is None:
        ens = api.run(S.build_scenario(settings), record_monthly=True, record_events=False,
                      progress=progress)
    kept[key] = ens  # the newest last
    while len(kept) > KEPT_ENSEMBLES:
        kept.pop(next(iter(kept)))
    return ens


@st.cache_data(max_entries=16, show_spinner=False)
def explore_result(key: str, _settings: S.Settings) -> dict:
    """Summary, per-run outcomes and fan data of one ensemble, run once with its monthly
    state. The progress bar is made and removed in here, so a cached result replays it as
    removed. The drivers are computed apart (``drivers_result``), so the answer is on screen
    while they run."""
    sc = S.build_scenario(_settings)
    done = [0]
    bar = st.progress(0.0, text="Running the ensemble")

    def tick(n: int) -> None:
        done[0] += n
        bar.progress(min(1.0, done[0] / sc.runs), text="Running the ensemble")

    ens = explore_ensemble(key, _settings, tick)
    fan = api.fan_of(ens)
    bar.empty()
    return {"summary": ens.summary(), "outcomes": ens.outcomes(), "fan": fan,
            "scenario_toml": sc.to_toml()}


@st.cache_data(max_entries=16, show_spinner=False)
def drivers_result(key: str, _settings: S.Settings) -> dict:
    """What the alliance's activity does through each channel (``api.explain``) for the same
    settings, with its own progress bar: the Explore view's ensemble is the scenario's own
    (``full``), the channels' ensembles run on threads of this process (the kernel releases
    the GIL), on common random numbers."""
    sc = S.build_scenario(_settings)
    steps = api.explain_ensembles(S.DRIVER_MECHANISMS, full=True)
    done = [0]
    bar = st.progress(0.0, text="Running the drivers' ensembles")

    def tick(n: int) -> None:
        done[0] += n
        bar.progress(min(1.0, done[0] / steps), text="Running the drivers' ensembles")

    drivers = api.explain(sc, sc.runs, mechanisms=S.DRIVER_MECHANISMS,
                          full=explore_ensemble(key, _settings),
                          execution=S.drivers_execution(tick))
    bar.empty()
    return drivers


@st.cache_data(max_entries=16, show_spinner=False)
def compare_result(key: str, _settings: S.Settings, policies: tuple[str, ...]) -> dict:
    return api.compare(S.build_scenario(_settings), list(policies))


SWEEP_GROUPS = ("strategies as set", "all four strategies on")  # the sweep's two lines


@st.cache_data(max_entries=16, show_spinner=False)
def sweep_result(key: str, _settings: S.Settings, lever: str, values: tuple[float, ...]):
    """The sweep over ``lever``, with the strategies as set and with all four on."""
    import pandas as pd

    sc = S.build_scenario(_settings)
    levers = S.scenario_lever_values(sc)  # a scheduled strategy sweeps from its default
    rows = []
    for on in (0, 1):
        for v in values:
            row = {f"levers.{lever}": v, "strategies": SWEEP_GROUPS[on]}
            for s in S.STRATEGIES:
                if s != lever:
                    row[f"levers.{s}"] = (BY_NAME[s].high if on else levers[s])
            rows.append(row)
    design = pd.DataFrame(rows)
    table = api.sweep(sc, design=design.drop(columns="strategies"))
    table["strategies"] = design["strategies"].to_numpy()
    return table


@st.cache_data(max_entries=16, show_spinner=False)
def discover_result(key: str, _settings: S.Settings, outcome: str,
                    threshold: float | None, factors: tuple[str, ...] = ()) -> dict:
    return api.discover(S.build_scenario(_settings), outcome, threshold=threshold,
                        factors=list(factors) or None)


@st.cache_data(max_entries=4, show_spinner=False)
def history_result(runs: int, seed: int) -> dict:
    return H.replay(runs, seed)


# --- sidebar: scenario, levers, runs and seed -------------------------------------------

def sidebar_source() -> S.Source:
    """The scenario source; a bad upload shows its problems and keeps the last good source."""
    st.sidebar.header("Scenario")
    kind = st.sidebar.radio("Source", ["bundled", "upload"], horizontal=True, key="source_kind")
    if kind == "bundled":
        names = bundled_names()
        name = st.sidebar.selectbox("Bundled scenario", names, index=names.index("baseline"),
                                    key="bundled")
        return S.Source(name)
    upload = st.sidebar.file_uploader(
        f"Scenario file (TOML or YAML, at most {S.MAX_UPLOAD_BYTES // 1024} KB)",
        type=[s.lstrip(".") for s in S.UPLOAD_SUFFIXES], key="upload")
    if upload is not None:
        try:
            source = S.check_upload(upload.name, upload.getvalue())
            S.load_source(source)  # validated as the command line validates a file
            st.session_state["good_upload"] = source
        except ScenarioError as exc:
            show_problems("The uploaded scenario was not used", exc, st.sidebar)
    source = st.session_state.get("good_upload")
    if source is None:
        st.sidebar.info("No scenario uploaded yet: using the baseline. `peninsula scenario "
                        "show baseline > my.toml` writes a complete file to edit.")
        return S.Source("baseline")
    st.sidebar.caption(f"Using {source.label}")
    return source


def apply_preset() -> None:
    """Set the lever controls to the chosen policy's levers (the others keep their values)."""
    name = st.session_state.get("preset")
    base = st.session_state.get("lever_base", {})
    values = base if name == OWN_LEVERS else {**base, **S.preset_values(name)}
    for lever, v in values.items():
        set_control(lever, v)


def set_control(lever: str, value: float) -> None:
    c = BY_NAME.get(lever)
    if c is None:
        return
    st.session_state[f"lever_{lever}"] = (value >= c.high) if c.switch else float(value)


def sidebar_levers(scenario) -> tuple[dict[str, float], dict[str, float]]:
    """The lever controls (generated from the schema) and the scenario's own values."""
    base = S.scenario_lever_values(scenario)
    if st.session_state.get("lever_source") != scenario.hash():
        st.session_state["lever_source"] = scenario.hash()
        st.session_state["lever_base"] = base
        for lever, v in base.items():
            set_control(lever, v)
    st.sidebar.header("Policy")
    st.sidebar.selectbox("Preset (a named policy)", [OWN_LEVERS, *api.policies()],
                         key="preset", on_change=apply_preset,
                         help="Sets the levers of a bundled policy ('peninsula policies').")
    chosen = api.policies().get(st.session_state.get("preset"))
    if chosen is not None:
        st.sidebar.caption(chosen.description)
    values = {}
    for group in ("strategies", "alliance and pressure", "outside drivers"):
        st.sidebar.subheader(group.capitalize())
        if group == "strategies":
            st.sidebar.caption("On: the strategy at full strength (1); off: the scenario's "
                               "own level.")
        for c in (c for c in CONTROLS if c.group == group):
            key = f"lever_{c.name}"
            if c.switch:
                on = st.sidebar.toggle(c.label, key=key, help=c.help)
                values[c.name] = S.switch_value(on, c, base[c.name])
            else:
                values[c.name] = st.sidebar.number_input(c.label, step=c.step, key=key,
                                                         help=c.help, format="%g")
    return values, base


def sidebar_settings() -> S.Settings | None:
    source = sidebar_source()
    try:
        scenario = S.load_source(source)
    except ScenarioError as exc:  # a bundled scenario always loads; kept for safety
        show_problems("The scenario cannot be loaded", exc, st.sidebar)
        return None
    if st.session_state.get("horizon_source") != scenario.hash():
        st.session_state["horizon_source"] = scenario.hash()
        st.session_state["horizon_months"] = scenario.horizon_months
    values, base = sidebar_levers(scenario)
    st.sidebar.header("Ensemble")
    runs = st.sidebar.number_input(f"Runs ({S.RUNS_RANGE[0]:,} to {S.RUNS_RANGE[1]:,})",
                                   value=2000, step=500, key="runs")
    seed = st.sidebar.number_input("Seed", value=1, step=1, key="seed")
    months = st.sidebar.number_input("Horizon (months)", step=12, key="horizon_months")
    return S.Settings(source, tuple(S.lever_items(values, base)), int(runs), int(seed),
                      None if int(months) == scenario.horizon_months else int(months))


# --- helpers for every tab -----------------------------------------------------------------

def show_problems(title: str, exc: Exception, where=st) -> None:
    lines = S.problem_lines(exc)
    where.error(title + ":\n" + "\n".join(f"- {line}" for line in lines))


def run_study(tab: str, settings: S.Settings | None, compute) -> None:
    """Run a study, keep its result as the tab's last good one, or show the error and keep
    the previous result."""
    if settings is None:
        return
    try:
        st.session_state[tab] = {"settings": settings, "data": compute(settings)}
    except ScenarioError as exc:
        show_problems("Not run: fix these settings (the results below are the last good ones)",
                      exc)
    except ValueError as exc:
        show_problems("Not run (the results below are the last good ones)", exc)


def last_good(tab: str, settings: S.Settings | None, command: bool = False):
    """The tab's last good result, with a note when the controls have changed since."""
    kept = st.session_state.get(tab)
    if kept is None:
        st.info("Press the button to run.")
        return None
    if settings is not None and kept["settings"] != settings:
        st.caption("The controls have changed since these results: press the button to update.")
    s = kept["settings"]
    st.caption(f"{s.source.label}; {s.runs:,} runs, seed {s.seed}; levers changed: "
               + (", ".join(f"{R.lever(k).label} {v:g}" for k, v in s.levers)
                  or "none (the scenario's own)"))
    if command and s.source.text is None:
        st.caption("The same ensemble from the command line: `peninsula run "
                   f"{s.source.label} --runs {s.runs} --seed {s.seed} "
                   + " ".join(f"--set {o}" for o in s.overrides()) + "`")
    return kept["data"]


def show_table(frame, where=st) -> None:
    """A short table as it reads on the page: every row shown (no inner scroll), no index."""
    where.table(frame, hide_index=True)


def interval_words(summary: dict, which: str, key: str, h: str) -> str:
    """One interval of a probability as 'a% to b%', or 'not assessed'."""
    iv = (summary.get(which, {}).get(key) or {}).get(h)
    e = R.metric(key)
    return "not assessed" if iv is None else e.format_interval(*iv)


def probability_table(summary: dict):
    """The probabilities as rows, formatted from the registry: outcome, horizon, estimate,
    its 90% interval (how sure the simulation is) and its 90% range across the parameters
    (how sure the evidence lets us be; 'not assessed' when it is not)."""
    import pandas as pd

    rows = []
    for key, _ in PROBABILITIES:
        e = R.metric(key)
        for h, p in summary[key].items():
            if p is None:  # a horizon beyond the scenario's
                continue
            rows.append({"Outcome": e.label, "Within": f"{h} year{'s' if h != '1' else ''}",
                         "Estimate": e.format(p),
                         f"{SIMULATION_WORDS.capitalize()} (90% interval)":
                             interval_words(summary, "intervals_90", key, h),
                         f"{EVIDENCE_WORDS.capitalize()} (90% range across the parameters)":
                             interval_words(summary, "parameter_intervals_90", key, h)})
    return pd.DataFrame(rows)


def means_table(summary: dict):
    """The other outcomes at the final horizon, formatted from the registry: the mean, the
    90% interval of the mean (Monte Carlo error), the spread across runs and the direction."""
    import pandas as pd

    rows = []
    for key, _ in HORIZON_METRICS + FINAL_METRICS:
        m = summary.get(key)
        if m is None:
            continue
        e = R.metric(key)
        half = Z90 * m["se"]  # the mean's 90% normal interval, as metrics.mean_interval
        rows.append({"Outcome": e.label, "Unit": e.unit, "Mean": e.format(m["mean"]),
                     MEAN_INTERVAL.capitalize(): e.format_interval(m["mean"] - half,
                                                                   m["mean"] + half),
                     SPREAD.capitalize(): e.format_interval(m["p05"], m["p95"]),
                     "Better": e.better})
    return pd.DataFrame(rows)


def drivers_table(drivers: dict):
    """The drivers as rows (the total, then each channel), one column per outcome: the mean
    paired difference with its 90% interval, probabilities in percentage points."""
    import pandas as pd

    keys = list(drivers["total"])
    horizon = drivers["horizon_years"]

    def heading(k: str) -> str:  # a probability with the horizon it is read at
        e = R.metric(f"{k}_{horizon}y" if R.metric(k).is_probability else k)
        return e.with_unit(short=True, difference=True)

    def row(name: str, d: dict, ci: dict) -> dict:
        return {"Channel": name, **{
            heading(k): R.metric(k).format_estimate(
                {"mean": d[k], "p05": ci[k][0], "p95": ci[k][1]}, difference=True,
                unit=False) for k in keys}}

    rows = [row("all channels (total)", drivers["total"], drivers["total_interval_90"])]
    for ch, d in drivers["contributions"].items():
        rows.append(row(ch.replace("_", " "), d, drivers["intervals_90"][ch]))
    return pd.DataFrame(rows)


def compare_table(data: dict):
    """Each outcome of a comparison as a row: each policy's level beside its paired difference
    against the reference, formatted from the registry (levels: mean [90% interval of the
    mean]; differences: mean [90% interval of the mean difference], probabilities in pp)."""
    import pandas as pd

    ref = data["reference"]
    rows = []
    for k in data["outcomes"]:
        e = R.metric(k)
        row = {"Outcome": e.with_unit(), ref: e.format_estimate(data["policies"][ref][k])}
        for name, d in data["differences"].items():
            row[name] = e.format_estimate(data["policies"][name][k])
            row[f"{name} minus {ref}"] = e.format_estimate(d[k], difference=True)
        rows.append(row)
    return pd.DataFrame(rows)


def sweep_table(table, lever: str, metric: str):
    """The sweep's points as the page shows them: the lever's value, the strategies, the
    metric with its standard error (a probability in percent, its error in pp)."""
    import pandas as pd

    e = R.metric(metric)
    se = table[f"{metric}_se"]
    return pd.DataFrame({
        R.lever(lever).with_unit(): [f"{v:g}" for v in table[f"levers.{lever}"]],
        "Strategies": table["strategies"].to_numpy(),
        e.with_unit(): [e.format(v) for v in table[metric]],
        "Standard error": [f"{100 * v:.1f} pp" if e.is_probability else f"{v:.2g}"
                           for v in se]})


def sweep_plot_table(table, lever: str, metric: str):
    """The sweep table with the lever and metric columns named by their labels (and a
    probability in percent), so the figure's axes read in words."""
    e, x = R.metric(metric), f"levers.{lever}"
    scale = 100.0 if e.is_probability else 1.0
    y = e.with_unit()
    out = table[[x, "strategies"]].rename(columns={x: R.lever(lever).with_unit()})
    out[y] = table[metric] * scale
    out[f"{y}_se"] = table[f"{metric}_se"] * scale
    return out, R.lever(lever).with_unit(), y


def limits_table(box: dict):
    """The box's limits: each parameter in words with the range the box keeps."""
    import pandas as pd

    def name(k: str) -> str:
        p, words = PARAMETERS.get(k.removeprefix("parameters.")), R.label(k)
        return f"{words} ({p.unit})" if p is not None and p.unit else words

    return pd.DataFrame([{"Parameter": name(k), "Lower limit": f"{v[0]:.3g}",
                          "Upper limit": f"{v[1]:.3g}"} for k, v in box["limits"].items()])


# --- the tabs -----------------------------------------------------------------------------

def explore_tab(settings: S.Settings | None) -> None:
    st.markdown("One ensemble of the scenario under the levers in the sidebar: how the futures "
                "spread over time, the summary with 90% intervals, and what the alliance's "
                "activity does through each channel.")
    first = not st.session_state.get("explore_opened")
    st.session_state["explore_opened"] = True
    # the page opens on the answer as the scenario stands (once; cached on its settings)
    if st.button("Run ensemble", key="run_explore", type="primary") or first:
        run_study("explore", settings, lambda s: explore_result(s.key(), s))
    data = last_good("explore", settings, command=True)
    if data is None:
        return
    if not st.session_state["explore"]["settings"].levers:
        st.caption("The scenario under its own levers: the current answer. Change the levers "
                   "on the left and press Run ensemble to see what they change.")
    headline(data["summary"])
    fig = fan_figure(data["fan"]).update_layout(width=None)  # the page's width
    st.plotly_chart(fig)
    st.caption(BANDS_CAPTION)
    summary = data["summary"]
    st.subheader("Probabilities by horizon (90% intervals)")
    show_table(probability_table(summary))
    st.subheader(f"Other outcomes at {summary['final_horizon_years']} years")
    st.caption(f"{MEAN_INTERVAL.capitalize()}: how sure the simulation is of the average "
               f"(narrows with more runs). The {SPREAD}: where the futures themselves fall.")
    show_table(means_table(summary))
    kept = st.session_state["explore"]["settings"]
    drivers = drivers_result(kept.key(), kept)
    war = R.metric(f"{WAR}_{drivers['horizon_years']}y")
    st.subheader("Drivers: what today's alliance activity adds, channel by channel")
    st.caption("Each row: the outcome with the activity minus the outcome with that channel "
               "reading no activity, run by run on common random numbers: the mean "
               "difference [90% interval of the mean difference]; probabilities in "
               f"percentage points. A positive {war.short}: the channel raises the risk "
               "(spiral); negative: it deters. The activity is the whole package (drills, "
               "missile defence, infrastructure, technology, intelligence sharing, summits) "
               "against none; the Sweep tab varies one lever, e.g. the drills alone, which can "
               "point the other way.")
    show_table(drivers_table(drivers))
    downloads(data, fig)


def headline(summary: dict) -> None:
    """The answer in two rows of numbers at the final horizon: each probability (its two
    intervals in words below), then the launches and the stability index."""
    h = str(summary["final_horizon_years"])
    st.subheader(f"The answer within {h} year{'s' if h != '1' else ''}")
    cols = st.columns(max(len(PROBABILITIES), len(HEADLINE_MEANS)))
    for col, (key, _) in zip(cols, PROBABILITIES, strict=False):
        e = R.metric(f"{key}_{h}y")
        col.metric(R.metric(key).label, e.format(summary[key][h]),
                   help=f"{e.label}: {e.meaning}. {SIMULATION_WORDS.capitalize()}: "
                        f"{interval_words(summary, 'intervals_90', key, h)}; "
                        f"{EVIDENCE_WORDS}: "
                        f"{interval_words(summary, 'parameter_intervals_90', key, h)}")
    cols = st.columns(len(cols))
    for col, key in zip(cols, HEADLINE_MEANS, strict=False):
        e = R.metric(key)
        col.metric(e.with_unit(), e.format(summary[key]["mean"]),
                   help=f"{e.meaning}, the mean over the runs at {h} years; {e.better}")
    st.markdown(
        f"**{SIMULATION_WORDS.capitalize()}** (90% Monte Carlo interval; narrows with more "
        "runs): " + "; ".join(f"{R.metric(key).label} "
                              f"{interval_words(summary, 'intervals_90', key, h)}"
                              for key, _ in PROBABILITIES)
        + f"  \n**{EVIDENCE_WORDS.capitalize()}** (90% range across the parameters, the "
        "simulation's noise removed): "
        + "; ".join(f"{R.metric(key).label} "
                    f"{interval_words(summary, 'parameter_intervals_90', key, h)}"
                    for key, _ in PROBABILITIES))
    st.caption(f"The evidence's range: {evidence_note(summary)}.")


def downloads(data: dict, fig) -> None:
    st.subheader("Downloads")
    c1, c2, c3, c4 = st.columns(4)
    c1.download_button("Outcomes (Parquet)", S.table_bytes(data["outcomes"], "parquet"),
                       "outcomes.parquet", "application/octet-stream", key="dl_parquet")
    c2.download_button("Outcomes (CSV)", S.table_bytes(data["outcomes"], "csv"),
                       "outcomes.csv", "text/csv", key="dl_csv")
    c3.download_button("Fan charts (HTML)", S.figure_html(fig), "fan.html", "text/html",
                       key="dl_fan_html")
    if c4.button("Prepare PNG and SVG", key="prep_png"):
        st.session_state["fan_files"] = S.folder_zip(lambda d: plot_fan(data["fan"], d / "fan"))
    if st.session_state.get("fan_files"):
        c4.download_button("Fan charts (PNG, SVG)", st.session_state["fan_files"],
                           "fan-figures.zip", "application/zip", key="dl_fan_zip")
    kept = st.session_state["explore"]["settings"]
    if not S.report_available():
        st.caption("Report: not available in this installation.")
    elif st.button("Prepare the report", key="prep_report"):
        with st.spinner("Writing the report"):
            try:
                st.session_state["report"] = S.report_zip(S.build_scenario(kept), kept.runs,
                                                          kept.seed)
            except (ValueError, TypeError, OSError) as exc:
                st.error(f"The report could not be written: {exc}")
    if st.session_state.get("report"):
        st.download_button("Report (ZIP)", st.session_state["report"], "report.zip",
                           "application/zip", key="dl_report")


def compare_tab(settings: S.Settings | None) -> None:
    st.markdown("Named policies on the same runs and seed (common random numbers), each "
                "against the first: paired differences with 90% intervals. Levers a policy "
                "leaves out keep the sidebar's values.")
    names = list(api.policies())
    chosen = st.multiselect("Policies (the first is the reference)", names,
                            default=["status-quo", "dual-track", "max-deterrence", "restraint"],
                            key="compare_policies")
    if st.button("Compare", key="run_compare", type="primary"):
        if len(chosen) < 2:
            st.error("policies: choose at least two")
        else:
            with st.spinner("Running each policy"):
                run_study("compare", settings,
                          lambda s: compare_result(s.key(), s, tuple(chosen)))
    data = last_good("compare", settings)
    if data is None:
        return
    fig = compare_figure(data)
    st.plotly_chart(fig)
    metric = data.get("evidence_metric")
    if metric is not None:
        label = R.metric(metric).label
        lines = []
        for name, d in data["differences"].items():
            lines.append(f"- **{name}** against {data['reference']}, {label}: "
                         + policy_verdict(d, metric))
        st.markdown("\n".join(lines))
        st.caption("The share of parameter draws under which the policy lowers "
                   f"{label} (90% interval), each draw's noise and the draws the policy "
                   "leaves unchanged accounted for; between 10% and 90% the parameters whose "
                   "uncertainty moves the difference most, with their shares of its spread "
                   "across draws.")
    st.subheader("Each policy's level beside its difference from "
                 f"{data['reference']}")
    st.caption(f"Levels: the mean over the runs [{MEAN_INTERVAL}]. Differences: the mean "
               "paired difference, run by run [90% interval of the mean difference]; "
               "probabilities in percent, their differences in percentage points (pp).")
    show_table(compare_table(data))
    st.download_button("Comparison (HTML)", S.figure_html(fig), "compare.html", "text/html",
                       key="dl_compare")


def sweep_tab(settings: S.Settings | None) -> None:
    st.markdown("A metric against one lever, with the four strategies as set in the sidebar "
                "and with all four on (90% Monte Carlo bands).")
    sweepable = [c for c in CONTROLS if not c.switch]
    c1, c2, c3 = st.columns(3)
    lever = c1.selectbox("Lever", [c.name for c in sweepable], key="sweep_lever",
                         format_func=lambda name: BY_NAME[name].label)
    names = metric_names([1, 5, 10])
    metric = c2.selectbox("Metric", names, index=names.index(f"{WAR}_10y"),
                          key="sweep_metric", format_func=lambda m: R.metric(m).with_unit())
    points = c3.number_input("Points", value=5, min_value=2, max_value=11, key="sweep_points")
    c = BY_NAME[lever]
    values = tuple(round(c.low + (c.high - c.low) * i / (int(points) - 1), 6)
                   for i in range(int(points)))
    if st.button("Run the sweep", key="run_sweep", type="primary"):
        with st.spinner(f"Running {2 * len(values)} ensembles"):
            run_study("sweep", settings, lambda s: {
                "table": sweep_result(s.key(), s, lever, values), "lever": lever})
    data = last_good("sweep", settings)
    if data is None:
        return
    kept = st.session_state["sweep"]["settings"]
    table = data["table"]
    if metric not in table.columns:
        st.error(f"metric: {R.metric(metric).label} is not in this sweep (the scenario's "
                 "horizon is shorter)")
        return
    shown, x_label, y_label = sweep_plot_table(table, data["lever"], metric)
    fig = sweep_figure(shown, x_label, y_label, ["strategies"],
                       stamp(kept.source.label, kept.runs, kept.seed) + " per point")
    st.plotly_chart(fig)
    st.caption("Bands: the 90% interval of each point's mean (Monte Carlo error), not the "
               "spread of futures.")
    show_table(sweep_table(table, data["lever"], metric))
    st.download_button("Sweep table (CSV)", S.table_bytes(table, "csv"), "sweep.csv",
                       "text/csv", key="dl_sweep")


def discover_tab(settings: S.Settings | None) -> None:
    st.markdown("Scenario discovery (PRIM): the box of uncertain parameters where an outcome "
                "is most frequent, under the sidebar's levers.")
    outcome = st.text_input("Outcome", value="war within 10 years", key="discover_outcome",
                            help="'<clash|war|nuclear use> within <N> years', or a metric "
                                 "with a threshold")
    threshold = st.text_input("Threshold (for a metric; empty otherwise)", value="",
                              key="discover_threshold")
    factors = st.multiselect(
        "Uncertain parameters PRIM may restrict (empty: every sampled one)", list(NAMES),
        key="discover_factors",
        help="With about a hundred parameters and a few thousand runs, limits that chance "
             "alone supports are dropped and the box often keeps none; a short list, e.g. "
             "the leaders of a screening ('peninsula sensitivity --method morris'), gives "
             "boxes that can be significant.")
    if st.button("Find the box", key="run_discover", type="primary"):
        try:
            t = float(threshold) if threshold.strip() else None
        except ValueError:
            st.error(f"threshold: {threshold!r} is not a number")
        else:
            with st.spinner("Running the ensemble and PRIM"):
                run_study("discover", settings,
                          lambda s: discover_result(s.key(), s, outcome, t, tuple(factors)))
    data = last_good("discover", settings)
    if data is None:
        return
    fig = discovery_figure(data)
    st.plotly_chart(fig)
    box = data["box"]
    st.write(f"Base rate {R.percent(data['base_rate'])}; the box covers "
             f"{R.percent(box['coverage'])} of the outcomes with density "
             f"{R.percent(box['density'])}.")
    if not box["limits"]:
        st.info(f"No limit is significant among the {len(data['factors'])} parameters looked "
                "at: the outcome has no region of its own there at this run count. Choose a "
                "few parameters above (e.g. the leaders of a screening) or raise the runs.")
    else:
        show_table(limits_table(box))
    for warning in data.get("warnings", []):
        st.warning(warning)
    inspect_section(data)
    st.download_button("Discovery (HTML)", S.figure_html(fig), "discovery.html", "text/html",
                       key="dl_discover")


def inspect_section(data: dict) -> None:
    """Any box on the peeling trajectory with its statistics (as 'discover --inspect I'):
    coverage, density, lift and the limits against their prior ranges."""
    trajectory = data.get("trajectory") or []
    if len(trajectory) < 2:
        return
    chosen = int(data["box"].get("trajectory_index", len(trajectory) - 1))
    i = st.number_input(f"Inspect a box on the peeling trajectory (0 to {len(trajectory) - 1}; "
                        f"the box above is {chosen})", min_value=0,
                        max_value=len(trajectory) - 1, value=chosen, step=1,
                        key="discover_inspect")
    box = api.inspect_box(data, int(i))
    st.write(f"Box {box['index']}: coverage {R.percent(box['coverage'])}, density "
             f"{R.percent(box['density'])}, lift {box['lift']:.2f} (density over the base rate), "
             f"{box['res_dim']} restricted parameter(s).")
    if box["limits"]:
        show_table(limits_table(box))
    for warning in box.get("warnings", []):
        st.warning(warning)


def history_tab() -> None:
    st.markdown("The record 2006-2025 beside a **replay with prior parameters**: the model "
                "started in January 2006 and driven by the historical levers (drills, "
                "sanctions, talks, summits, announced programmes), its parameters drawn from "
                "their prior ranges. It is not calibrated: calibration takes minutes "
                "(`peninsula backtest`; see docs/validation.md for the calibrated back-tests "
                "and their skill).")
    c1, c2 = st.columns(2)
    runs = c1.number_input("Replay runs", value=500, step=100, key="history_runs")
    seed = c2.number_input("Replay seed", value=1, step=1, key="history_seed")
    if st.button("Run the replay", key="run_history", type="primary"):
        try:
            S.check_number("replay runs", runs, *S.RUNS_RANGE)
            S.check_number("replay seed", seed, *S.SEED_RANGE)
            with st.spinner("Replaying 2006-2025"):
                result = history_result(int(runs), int(seed))
            st.session_state["history"] = result
        except ScenarioError as exc:
            show_problems("Not run (the results below are the last good ones)", exc)
    result = st.session_state.get("history")
    if result is None:
        st.info("Press the button to run.")
        return
    launches, incidents = H.launches_table(result), H.incidents_table(result)
    fig = H.history_figure(launches, incidents, result["runs"], result["seed"])
    st.plotly_chart(fig)
    st.caption("Bands: the replay's spread across runs (5th to 95th percentile), not an "
               "interval of a mean.")
    show_table(H.display_table(launches))
    show_table(H.display_table(incidents))
    st.download_button("History (HTML)", S.figure_html(fig), "history.html", "text/html",
                       key="dl_history")


def main() -> None:
    st.set_page_config(page_title="Peninsula", layout="wide")
    st.title("Peninsula: alliance dynamics on the Korean Peninsula")
    st.caption("Does more alliance activity deter or provoke, and what do the four strategies "
               "(open communication, flexible diplomacy, multilateral engagement, strategic "
               "clarity) change? The page opens on the scenario's current answer; set the "
               "levers on the left, then run a view.")
    settings = sidebar_settings()
    tabs = st.tabs(["Explore", "Compare", "Sweep", "Discover", "History", "Wargame"])
    with tabs[0]:
        explore_tab(settings)
    with tabs[1]:
        compare_tab(settings)
    with tabs[2]:
        sweep_tab(settings)
    with tabs[3]:
        discover_tab(settings)
    with tabs[4]:
        history_tab()
    with tabs[5]:
        wargame_tab()


main()
