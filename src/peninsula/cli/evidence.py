"""Working with the record: ``events ingest``, ``calibrate``, ``backtest``, ``fit arms-race``,
``plot tension``, ``evidence strategies``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from peninsula.analysis.backtest_defaults import DEFAULT_DRAWS, DEFAULT_RUNS
from peninsula.cli import running as R
from peninsula.cli.app import api, app, events_app, fit_app, plot_app
from peninsula.cli.options import (
    GIVEN,
    execution_options,
    in_range,
    json_opt,
    out_opt,
    out_path,
    range_metavar,
    required_out_opt,
)
from peninsula.cli.render import (
    json_text,
    out,
    print_arms_fit,
    print_backtest,
    print_ingest_report,
    print_json,
    print_rolling,
)
from peninsula.engine.execution import Execution
from peninsula.scenario.vintage import AT_TRAIN_END

evidence_app = typer.Typer(no_args_is_help=True, help="What the record says about the model's "
                                                      "effects.")
app.add_typer(evidence_app, name="evidence")

SeedFlag = Annotated[int, typer.Option(callback=in_range("--seed", 0), metavar=range_metavar(0))]
TrainUntil = Annotated[int, typer.Option(min=2007, max=2024, help="Last training year.")]


@events_app.command("ingest")
def events_ingest(
    files: Annotated[list[Path], typer.Argument(help="GDELT 1.0/2.0 exports (.CSV or .zip) or "
                                                     "ICEWS-style CAMEO tables.")],
    out_file: required_out_opt("Monthly dyad table (Parquet)."),
    as_json: json_opt("Print the report as JSON.") = False,
) -> None:
    """Stream event files into monthly dyadic Goldstein cooperation and conflict counts."""
    R.check_writable(out_file, "file")
    try:
        _, rep = api.ingest_events(files, out_file)
    except api.EventFileError as exc:
        R.usage_error(exc)
    if as_json:
        print_json(rep)
        return
    print_ingest_report(rep, out_file)


@app.command("calibrate")
@execution_options
def calibrate_cmd(
    out_file: out_opt("Posterior samples (Parquet); needed unless --bundle.") = None,
    train_until: TrainUntil = 2019,
    draws: Annotated[int, typer.Option(min=100, help="Simulations (one run each): the budget "
                                                     "of apmc, the prior draws of rejection.")]
    = DEFAULT_DRAWS,
    accept: Annotated[float, typer.Option(min=0.001, max=0.5, help="Share of draws kept "
                                                                  "(rejection).")] = 0.02,
    method: Annotated[str, typer.Option(help="ABC method: apmc (adaptive population Monte "
                                             "Carlo) or rejection.")] = "apmc",
    seed: SeedFlag = 1,
    execution: Execution = GIVEN,
    quiet: bool = GIVEN,
    ladder: Annotated[bool, typer.Option("--ladder", help="Fit the escalation ladder's hazards "
                                                          "jointly, also to the coded clash and "
                                                          "war years.")] = False,
    bundle: Annotated[bool, typer.Option(
        "--bundle", help="Fit the launch process and the ladder on the whole record (2006 to "
                         "its last year) and write the package's bundled posterior, which "
                         "run, compare, the dashboard and the brief use by default (--prior "
                         "uses the parameter table instead).")] = False,
) -> None:
    """Estimate the launch-process and testing-campaign parameters (with --ladder also the
    escalation ladder's hazards) from 2006..TRAIN_UNTIL by approximate Bayesian computation."""
    from peninsula.analysis.backtest import CALIBRATION_METHODS

    if method not in CALIBRATION_METHODS:
        R.usage_error(f"--method {method!r}: allowed {', '.join(CALIBRATION_METHODS)}")
    if bundle:
        if out_file is not None:
            R.usage_error("--bundle writes the package's posterior: give no --out")
        with R.interruptible("nothing was written"), R.progress(1, "calibrate", quiet) as bar:
            task = bar.add_task("calibrate", total=1)
            with R.checked():
                meta = api.calibrate_bundle(draws, seed, execution=execution)
            bar.advance(task, 1)
        out.print(f"bundled posterior of the record {meta['record_years'][0]}-"
                  f"{meta['record_years'][1]}: {meta['draws_kept']} draws written to "
                  f"{', '.join(Path(f).name for f in meta['files'])}")
        return
    if out_file is None:
        R.usage_error("--out: give the file to write the posterior to (or --bundle)")
    R.check_writable(out_file, "file")
    with R.interruptible("nothing was written"), R.progress(1, "calibrate", quiet) as bar:
        task = bar.add_task("calibrate", total=1)
        with R.checked():
            post = api.calibrate(train_until, draws, accept, seed, method=method,
                                 ladder=ladder, execution=execution, out_file=out_file)
        bar.advance(task, 1)
    a = post.attrs
    how = (f"{len(post)} of {draws} draws accepted" if method == "rejection" else
           f"{len(post)} posterior draws after {a['generations']} generations of adaptive "
           f"population Monte Carlo ({a['simulations']} simulations, effective sample size "
           f"{a['effective_sample_size']:.0f})")
    out.print(f"{how} (distance <= {a['epsilon']:.3f}); posterior written to {out_file}")


def vintage_option(value: str, train_until: int) -> int | str | None:
    """--vintage as the API takes it: a year, "train_until" or None; a bad value exits 2."""
    if value == "train-until":
        return AT_TRAIN_END
    if value == "none":
        return None
    try:
        year = int(value)
    except ValueError:
        year = None
    with R.checked():
        if year is None:
            raise ValueError(f"--vintage {value!r}: expected a year, train-until or none")
        api.backtest_vintage(train_until, year)
    return year


@app.command("backtest")
@execution_options
def backtest_cmd(
    train_until: TrainUntil = 2019,
    posterior: Annotated[Path | None, typer.Option(help="Use these posterior samples instead "
                                                        "of calibrating (the yearly back-test; "
                                                        "the rolling one calibrates before each "
                                                        "origin).")] = None,
    runs: Annotated[int, typer.Option(callback=in_range("--runs", 10), metavar=range_metavar(10),
                                      help="Replay runs.")] = DEFAULT_RUNS,
    draws: Annotated[int, typer.Option(min=100, help="Calibration draws.")] = DEFAULT_DRAWS,
    accept: Annotated[float, typer.Option(min=0.001, max=0.5)] = 0.02,
    seed: SeedFlag = 1,
    execution: Execution = GIVEN,
    plot: Annotated[Path | None, typer.Option(parser=out_path,
                                              help="Write the back-test plot (PNG).")] = None,
    report: Annotated[Path | None, typer.Option(parser=out_path,
                                                help="Write the validation page (Markdown).")]
    = None,
    rolling: Annotated[bool, typer.Option("--rolling", help="Only the rolling-origin back-test "
                                                            "of monthly forecasts.")] = False,
    skip_rolling: Annotated[bool, typer.Option("--skip-rolling", help="Only the yearly "
                                                                      "back-test.")] = False,
    first_origin: Annotated[str, typer.Option(help="First forecast origin (YYYY-MM) of the "
                                                   "rolling back-test.")] = "2012-01",
    horizon_months: Annotated[int, typer.Option(min=1, max=60, help="Months forecast from "
                                                                    "each origin.")] = 12,
    step: Annotated[int, typer.Option(min=1, max=120, help="Months between origins (12: every "
                                                          "January from the first).")] = 12,
    as_json: json_opt("Print the result as JSON.") = False,
    quiet: bool = GIVEN,
    launch_only: Annotated[bool, typer.Option("--launch-only", help="Calibrate the launch "
                                                                    "process alone, not jointly "
                                                                    "with the ladder.")] = False,
    prior_sensitivity: Annotated[int, typer.Option(min=0, help="Also refit the ladder on every "
                                                               "year with each prior widened, "
                                                               "with this many draws per fit "
                                                               "(0: skip).")] = 0,
    vintage: Annotated[str, typer.Option(
        metavar="YEAR|train-until|none",
        help="Take every prior as of YEAR: a parameter whose basis used later data gets its "
             "vintage prior or a wide one (default: the --train-until year, a blind "
             "back-test; none: every prior as tabled). The rolling back-test always takes "
             "each origin's training end.")] = "train-until",
) -> None:
    """Replay 2006-2025 with historical levers, calibrated on the training years, and score
    the launch forecasts against benchmark count models: held-out years, and rolling origins
    (calibrated before each origin, conditional and ex-ante)."""
    if rolling and skip_rolling:
        R.usage_error("--rolling and --skip-rolling exclude each other")
    vintage_year = vintage_option(vintage, train_until)
    if rolling and vintage != "train-until":
        R.usage_error("--vintage: the rolling back-test takes each origin's training end as "
                      "its vintage; drop --vintage or --rolling")
    if not skip_rolling:
        with R.checked():  # the origins' settings, before any work starts
            api.rolling_origins(first_origin, horizon_months, step)
    if rolling and posterior is not None:
        R.usage_error("--posterior: the rolling back-test calibrates before each origin; "
                      "give --posterior without --rolling")
    if rolling and (plot is not None or report is not None):
        R.usage_error("--plot and --report show the yearly back-test as well; drop --rolling")
    with R.checked():
        post = api.read_posterior(posterior) if posterior is not None else None
    for path in (plot, report):
        if path is not None:
            R.check_writable(path, "file")
    if plot is not None:
        R.check_image(plot, "--plot")
    with R.interruptible("nothing was written"), R.progress(1, "backtest", quiet) as bar:
        task = bar.add_task("backtest", total=None)

        def step_done(message: str) -> None:
            bar.update(task, description=message)

        with R.checked():
            if rolling:
                result = {"rolling": api.rolling_backtest(
                    first_origin, horizon_months, step, runs, draws, accept, seed,
                    progress=step_done, execution=execution)}
            else:
                result = api.backtest(train_until, runs, draws, accept, seed, post,
                                      rolling=not skip_rolling, first_origin=first_origin,
                                      horizon_months=horizon_months, step=step,
                                      progress=step_done, ladder=not launch_only,
                                      prior_sensitivity_draws=prior_sensitivity,
                                      execution=execution, vintage=vintage_year)
        bar.update(task, total=1, completed=1, description="done")
    if plot is not None:
        from peninsula.report.backtest_plot import plot_backtest

        plot_backtest(result, plot)
    if report is not None:
        from peninsula.report.validation_doc import write

        write(result, report, plot.name if plot is not None else "validation_backtest.png")
    if as_json:
        print_json(result)
        return
    if not rolling:
        print_backtest(result, train_until)
    if "rolling" in result:
        print_rolling(result["rolling"])


def _refuse_non_finite(df, columns: list[tuple[str, str]], file: Path) -> None:
    """Exit 2 naming the first column (and its row) that holds infinity: a fit cannot use it,
    and the regression would otherwise call the series collinear."""
    import numpy as np
    import pandas as pd

    for flag, name in columns:
        if name not in df.columns or not pd.api.types.is_numeric_dtype(df[name]):
            continue  # unknown or non-numeric columns: the API's own message
        values = df[name].to_numpy(dtype=float)
        bad = np.flatnonzero(np.isinf(values))
        if bad.size:
            R.usage_error(f"{file}: {flag}: column {name!r} holds a non-finite value "
                          f"({values[bad[0]]:g}) in row {bad[0] + 1}; every year needs a "
                          "finite number")


@fit_app.command("arms-race")
def fit_arms_race_cmd(
    file: Annotated[Path, typer.Argument(help="CSV with one row per year.")],
    x: Annotated[str, typer.Option("--x", help="Column(s) of side x, comma-separated (summed).")],
    y: Annotated[str, typer.Option("--y", help="Column(s) of side y, comma-separated (summed).")],
    at: Annotated[str, typer.Option(help="Level for the combined form: mid (Richardson) or "
                                         "start.")] = "mid",
    as_json: json_opt("Print the fit as JSON.") = False,
) -> None:
    """Fit Richardson's arms-race equations (combined and two-equation forms)."""
    try:
        import pandas as pd

        df = pd.read_csv(file)
    except (OSError, ValueError) as exc:
        R.usage_error(f"{file}: cannot read CSV ({exc})")
    xs = [c.strip() for c in x.split(",") if c.strip()]
    ys = [c.strip() for c in y.split(",") if c.strip()]
    _refuse_non_finite(df, [("--x", c) for c in xs] + [("--y", c) for c in ys], file)
    with R.checked():
        result = api.fit_arms_race(df, xs, ys, at, source=str(file))
    if as_json:
        sys.stdout.write(json_text(result) + "\n")
        return
    print_arms_fit(result)


@plot_app.command("tension")
def plot_tension_cmd(
    events: Annotated[Path, typer.Option("--events", help="Table from 'peninsula events "
                                                          "ingest'.")],
    run_dir: Annotated[Path, typer.Option("--run", help="Folder written by 'peninsula run "
                                                        "--out'.")],
    out_file: out_opt("PNG to write.") = Path("tension.png"),
) -> None:
    """Plot real and simulated DPRK <-> allies tension on one axis (both CAMEO/Goldstein)."""
    from peninsula.report.tension_plot import plot_tension

    if not events.is_file():
        R.usage_error(f"{events}: cannot read (no such file)")
    if not (run_dir / "events.parquet").is_file():
        R.usage_error(f"{run_dir / 'events.parquet'}: no such file; write the run's events "
                      "with 'peninsula run --events --out FOLDER'")
    R.check_writable(out_file, "file")
    R.check_image(out_file, "--out")
    try:
        plot_tension(events, run_dir, out_file)
    except (OSError, ValueError, KeyError, TypeError) as exc:  # pyarrow: ValueErrors
        R.usage_error(f"{events} or {run_dir / 'events.parquet'}: cannot plot tension from "
                      f"them ({type(exc).__name__}: {exc}); give the table written by "
                      "'peninsula events ingest' and a folder written by 'peninsula run "
                      "--events --out'")
    out.print(f"wrote {out_file}")


@evidence_app.command("strategies")
def evidence_strategies_cmd(
    until: Annotated[int | None, typer.Option("--until", min=2008, max=2025,
                                              help="Last year of the record used (a back-test's "
                                                   "cut); default: all of 2006-2025.")] = None,
    as_json: json_opt("Print the estimates as JSON.") = False,
) -> None:
    """Estimate the strategy effects the monthly record can inform (talks and drills on
    launches, the military agreement and talks on armed clashes), each on its parameter's
    scale with a 90% interval, and say which the data move and which stay at their prior."""
    with R.checked():
        result = api.strategy_evidence(until)
    if as_json:
        sys.stdout.write(json_text(result) + "\n")
        return
    print_strategy_evidence(result)


def print_strategy_evidence(result: dict) -> None:
    """The effects as a table for people: one row per effect and variant."""
    from rich.table import Table

    def num(v: float | None) -> str:
        return "-" if v is None else f"{v:.3g}"

    def span(iv: list[float] | None) -> str:
        return "-" if iv is None else f"[{num(iv[0])}, {num(iv[1])}]"

    first, last = result["basis_years"]
    table = Table(title=f"Strategy effects from the record {first}-{last} (90% intervals; "
                        "null value 0)", title_justify="left")
    for col in ("parameter", "variant", "estimate", "interval", "rate ratio", "events / n",
                "verdict"):
        table.add_column(col, no_wrap=col in ("parameter", "interval", "rate ratio", "verdict"))
    for row in result["effects"]:
        ratio = "-" if row["rate_ratio"] is None else \
            f"{num(row['rate_ratio'])} {span(row['rate_ratio_interval_90'])}"
        table.add_row(row["parameter"], row["variant"], num(row["estimate"]),
                      span(row["interval_90"]), ratio, f"{row['events']} / {row['n']}",
                      row["verdict"])
    out.print(table)
    out.print(f"Rule: {result['rule']}.")
    for row in result["effects"]:
        if row["variant"] == "main" and row["note"]:
            out.print(f"{row['parameter']}: {row['note']}.")
