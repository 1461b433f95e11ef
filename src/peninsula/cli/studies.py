"""``peninsula sweep``, ``sensitivity`` and ``optimize``: studies made of many ensembles."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from peninsula.cli import running as R
from peninsula.cli.app import api, app
from peninsula.cli.options import (
    GIVEN,
    ScenarioArg,
    SetOpt,
    execution_options,
    json_opt,
    out_opt,
    out_path,
    resume_opt,
    runs_opt,
    seed_opt,
)
from peninsula.cli.render import (
    json_text,
    out,
    print_discovery,
    print_optimum,
    print_pareto,
    print_sensitivity,
    print_sweep,
    print_warnings,
    stats_text,
)
from peninsula.engine.execution import Execution


def _refuse_empty_grid_values(specs: list[str]) -> None:
    """Exit 2 on a --grid value list with an empty item ('1,,2' or '1,2,'), which would
    otherwise be dropped without a word."""
    for spec in specs:
        key, sep, raw = spec.partition("=")
        if not sep or not raw.strip():
            continue  # no '=' or no values at all: the sweep's own message
        items = raw.split(",")
        empty = [i for i, v in enumerate(items, start=1) if not v.strip()]
        if empty:
            R.usage_error(f"--grid {key.strip()}={raw.strip()}: value {empty[0]} of "
                          f"{len(items)} is empty; give KEY=V1,V2,... with no empty values")


@app.command()
@execution_options
def sweep(
    scenario: ScenarioArg = "baseline",
    grid_: Annotated[list[str] | None, typer.Option(
        "--grid", help="KEY=V1,V2,... (repeatable): every combination is a point, e.g. "
                       "--grid levers.exercise_intensity=0,1,2")] = None,
    design: Annotated[Path | None, typer.Option(
        help="CSV design: one column per scenario key, one row per point.")] = None,
    runs: runs_opt("Runs per point.") = None,
    seed: seed_opt("Root seed (the same for every point).") = None,
    set_: SetOpt = None,
    out_dir: out_opt("Write points and the table here.") = None,
    resume: resume_opt("Continue an interrupted sweep in --out.") = False,
    execution: Execution = GIVEN,
    paired_against: Annotated[int | None, typer.Option(
        "--paired-against", min=0, metavar="POINT",
        help="Also give each metric's paired difference against this point (its number in "
             "the table), run by run on common random numbers, with its 90% interval.")]
    = None,
    as_json: json_opt("Print the table as JSON records.") = False,
    quiet: bool = GIVEN,
) -> None:
    """Run one ensemble per design point (same runs and seed) and print a row per point with
    each metric's standard error. Without --grid or --design, the scenario's study table
    (grid or design)."""
    _refuse_empty_grid_values(grid_ or [])
    sc = R.load(scenario, set_)
    with R.checked():
        sc = api.scenario_for(sc, runs=runs, seed=seed)
        table = api.sweep_design(sc, grid_, design)  # every point checked first
        if paired_against is not None and paired_against >= len(table):
            raise ValueError(f"--paired-against {paired_against}: no such point; the "
                             f"design's points are 0..{len(table) - 1}")
    if out_dir is not None:
        R.check_writable(out_dir, "folder")
    result = R.on_pool(
        execution, sc.runs * len(table), f"{sc.name}: sweep of {len(table)} points", quiet,
        lambda how, on_resume: api.sweep(
            sc, design=table, out_dir=out_dir, on_resume=on_resume,
            paired_against=paired_against, execution=replace(how, resume=resume)), out_dir)
    if as_json:
        print(result.to_json(orient="records", indent=2))
        return
    print_sweep(result, table.columns, sc, paired_against)


@app.command()
@execution_options
def sensitivity(
    scenario: ScenarioArg = "baseline",
    factor: Annotated[list[str] | None, typer.Option(
        "--factor", help="A parameter name (varied over its declared range and distribution) "
                         "or KEY=LOW,HIGH (uniform), e.g. levers.exercise_intensity=0,2 "
                         "(repeatable). Default: the scenario's study table, else every "
                         "uncertain parameter.")] = None,
    samples: Annotated[int, typer.Option(min=2, max=1 << 20, help="Sobol: base samples N, a "
                                         "power of two; the design has N x (factors + 2) "
                                         "points, N x (2 factors + 2) with --second-order. "
                                         "Morris: trajectories r; r x (factors + 1) points.")]
    = 64,
    method: Annotated[str, typer.Option(help="sobol (variance shares S1, ST), morris "
                                             "(elementary effects mu*, sigma: cheaper "
                                             "screening) or delta (one ensemble of --runs "
                                             "runs with sampled parameters: Borgonovo's "
                                             "delta, S1 and extra-trees feature scores; "
                                             "--samples not used).")] = "sobol",
    then_sobol: Annotated[int | None, typer.Option(
        "--then-sobol", min=1, help="With --method morris: screen every factor, then run "
                                    "Sobol on the K factors with the largest mu*.")] = None,
    sobol_samples: Annotated[int, typer.Option(
        min=2, max=1 << 20, help="With --then-sobol: the Sobol study's base samples N (a "
                                 "power of two).")] = 64,
    second_order: Annotated[bool, typer.Option("--second-order", help="Sobol: also the "
                                               "pairwise indices S2 (sensitivity_s2.csv).")]
    = False,
    levels: Annotated[int, typer.Option(min=2, max=100, help="Morris: grid levels, an even "
                                                             "number.")] = 4,
    runs: runs_opt("Runs per point.") = 200,
    seed: seed_opt("Root seed (the design's and every point's).") = None,
    metric: Annotated[list[str] | None, typer.Option(
        "--metric", help="Metric column, e.g. p_war_10y or dprk_launches_per_year "
                         "(repeatable). Default: the scenario's study table, else the "
                         "headline metrics.")] = None,
    set_: SetOpt = None,
    out_dir: out_opt("Write the points, the sweep table and the indices here.") = None,
    resume: resume_opt("Continue an interrupted study in --out.") = False,
    execution: Execution = GIVEN,
    top: Annotated[int, typer.Option(min=1, help="Factors shown per metric.")] = 10,
    plot: Annotated[Path | None, typer.Option(
        parser=out_path, help="Write a bar chart of the main index (ST, mu* or delta) with its 95% interval, "
             "one panel per metric (PNG, or the file's extension).")] = None,
    as_json: json_opt("Print the indices as JSON records.") = False,
    quiet: bool = GIVEN,
) -> None:
    """Sensitivity: which uncertain inputs drive each metric. Sobol: first-order and total
    indices (and pairs with --second-order) with 95% intervals from a Saltelli design; Morris:
    elementary effects (mu*, sigma) from trajectories, and with --then-sobol K a Sobol study
    of the K factors it ranks first; delta: Borgonovo's delta, S1 and extra-trees scores from
    one ensemble. Each row also gives the main index from half the design (convergence,
    N/2 against N). Warnings (stderr) say where the design is too small for its indices."""
    sc = R.load(scenario, set_)
    with R.checked():
        sc = api.scenario_for(sc, runs=runs, seed=seed)
        factors, metrics, n_points = api.sensitivity_plan(
            sc, factor, samples, method, second_order, levels, metric, then_sobol,
            sobol_samples)
        n_factors = len(factors)
    R.check_outputs(out_dir, plot)
    result = R.on_pool(
        execution, sc.runs * n_points,
        f"{sc.name}: {method}, {n_factors} factors, {n_points} points", quiet,
        lambda how, on_resume: api.sensitivity(
            sc, factor, samples, metrics=metrics, method=method, second_order=second_order,
            levels=levels, runs=sc.runs, out_dir=out_dir, on_resume=on_resume,
            then_sobol=then_sobol, sobol_samples=sobol_samples,
            execution=replace(how, resume=resume)),
        out_dir=out_dir)
    if plot is not None:
        from peninsula.report.sensitivity_plot import plot_sensitivity

        plot_sensitivity(result, plot, scenario=sc.name, runs=sc.runs, seed=sc.seed, top=top)
    if as_json:
        print(json_text(result.records()))
    else:
        print_sensitivity(result, metrics, method, samples, n_factors, n_points, sc.runs, top,
                          sobol_samples)
    print_warnings(result.warnings)


@app.command()
@execution_options
def optimize(
    scenario: ScenarioArg = "baseline",
    lever: Annotated[list[str] | None, typer.Option(
        "--lever", help="KEY=LOW,HIGH to search over (repeatable), e.g. "
                        "levers.exercise_intensity=0,2 (default: the scenario's study table "
                        "levers)")] = None,
    metric: Annotated[str | None, typer.Option(
        help="The metric to optimise, e.g. stability_index or p_war_10y (default: the first of "
             "the scenario's study table, else stability_index).")] = None,
    minimize: Annotated[bool, typer.Option("--minimize/--maximize",
                                           help="Minimise the metric (default: maximise).")]
    = False,
    population: Annotated[int, typer.Option(min=3, max=10_000, help="Settings evaluated per "
                                                                    "generation.")] = 16,
    generations: Annotated[int, typer.Option(min=1, max=1000, help="Generations at most.")]
    = 6,
    runs: runs_opt("Runs per evaluation.") = 1000,
    seed: seed_opt("Root seed (the search's and every evaluation's).") = None,
    set_: SetOpt = None,
    out_dir: out_opt("Write every generation and the result here.") = None,
    resume: resume_opt("Continue an interrupted search in --out.") = False,
    execution: Execution = GIVEN,
    objective: Annotated[list[str] | None, typer.Option(
        "--objective", help="Two or more switch to the Pareto search (NSGA-II; NSGA-III from "
                            "four): a metric as NAME, NAME:max or NAME:min, e.g. p_war_10y, "
                            "dprk_launches_per_year, alliance_credibility (repeatable).")]
    = None,
    robustness: Annotated[str, typer.Option(
        help="Pareto search: each objective over the runs as its mean, its regret against "
             "the best evaluated setting run by run (90th percentile; the mean for "
             "probabilities) or its satisficing share (runs meeting --satisfice).")] = "mean",
    satisfice: Annotated[list[str] | None, typer.Option(
        "--satisfice", help="Pareto search with --robustness satisficing: a threshold per run "
                            "as NAME<=V (or >=, <, >), e.g. dprk_launches_per_year<=20; a "
                            "probability defaults to NAME<=0 (rung not reached).")] = None,
    plot: Annotated[Path | None, typer.Option(
        "--plot", parser=out_path, help="Pareto search: write a parallel-coordinates figure "
                                        "of the front (PNG).")] = None,
    as_json: json_opt("Print the result as JSON.") = False,
    quiet: bool = GIVEN,
) -> None:
    """Search lever settings for the best expected metric across the uncertainty
    (cross-entropy method; each generation is a sweep; the winner is checked on a new seed).
    With two or more --objective: the robust Pareto front of the settings instead."""
    sc = R.load(scenario, set_)
    if objective:
        _pareto(sc, lever, objective, robustness, satisfice, metric, minimize, population,
                generations, runs, seed, out_dir, resume, execution, plot, as_json, quiet)
        return
    if robustness != "mean" or satisfice or plot is not None:
        R.usage_error("--robustness, --satisfice and --plot belong to the Pareto search: give "
                      "two or more --objective")
    with R.checked():
        sc = api.scenario_for(sc, runs=runs, seed=seed)
        levers, metric = api.optimize_plan(sc, lever, metric)
    if out_dir is not None:
        R.check_writable(out_dir, "folder")
    best = R.on_pool(
        execution, sc.runs * (population * generations + 1),
        f"{sc.name}: search over {len(levers)} levers", quiet,
        lambda how, on_resume: api.optimize(
            sc, lever, metric, maximize=not minimize, population=population,
            generations=generations, runs=sc.runs, out_dir=out_dir,
            execution=replace(how, resume=resume)), out_dir)
    if as_json:
        print(json.dumps(best, indent=2))
        return
    print_optimum(best, sc, metric, minimize, sc.runs)


@app.command()
@execution_options
def discover(
    scenario: ScenarioArg = "baseline",
    outcome: Annotated[str, typer.Option(
        help="'<clash|war|nuclear use> within <N> years', a probability metric (p_war_10y), "
             "or a metric with --threshold (dprk_launches_per_year), or 'METRIC above|below "
             "T'.")] = "war within 10 years",
    threshold: Annotated[float | None, typer.Option(
        help="For a continuous metric: a run has the outcome when its value is above T.")]
    = None,
    policy: Annotated[list[str] | None, typer.Option(
        "--policy", help="A named policy ('peninsula policies', or a TOML policy file) or a "
                         "lever setting KEY=VALUE, e.g. levers.open_communication=1, applied "
                         "before the runs (repeatable, in order).")] = None,
    runs: runs_opt("Runs (each its own draw of the parameters).") = 4000,
    seed: seed_opt("Root seed.") = None,
    cart: Annotated[bool, typer.Option("--cart", help="Also a classification tree's boxes "
                                                      "(CART).")] = False,
    factor: Annotated[list[str] | None, typer.Option(
        "--factor", help="A sampled parameter PRIM may restrict (repeatable; default: every "
                         "sampled parameter), e.g. the leaders of a Morris screening.")] = None,
    set_: SetOpt = None,
    execution: Execution = GIVEN,
    inspect: Annotated[int | None, typer.Option(
        "--inspect", metavar="I",
        help="Show box I of the peeling trajectory (its number in the trade-off table) with "
             "its limits against their prior ranges and its statistics, instead of the "
             "chosen box.")] = None,
    as_json: json_opt("Print the result as JSON.") = False,
    quiet: bool = GIVEN,
) -> None:
    """Scenario discovery: in which ranges of the uncertain parameters does the outcome
    happen? PRIM (peeling and pasting) over one ensemble's sampled parameters: the
    coverage-density trade-off and a box (the densest with coverage >= 0.5, less its limits
    that are not significant, quasi-p > 0.05), with its lift (density / base rate) and each
    limit's share of its prior range removed. Warnings (stderr) say when the box is no
    finding: a lift below 2, or a limit removing less than 20% of its range."""
    if inspect is not None and inspect < 0:
        R.usage_error(f"--inspect {inspect}: no such box; the trajectory's boxes are "
                      "numbered from 0")
    sc = R.load(scenario, set_)
    with R.checked():
        sc = api.scenario_for(sc, runs=runs, seed=seed)
        api.discover_plan(sc, outcome, threshold, policy, factor)
    result = R.on_pool(
        execution, sc.runs, f"{sc.name}: discovery, {sc.runs} runs", quiet,
        lambda how, on_resume: api.discover(
            sc, outcome, threshold=threshold, policy=policy, cart=cart, factors=factor,
            execution=how), None)
    if inspect is not None:
        with R.checked():
            box = api.inspect_box(result, inspect)
        if as_json:
            print(json_text(box))
        else:
            _print_box(box, f"Box {inspect} of {len(result['trajectory'])} on the trajectory")
        print_warnings(box["warnings"])
        return
    if as_json:
        print(json_text(result))
    else:
        print_discovery(result)
        box = result["box"]
        _print_box(box, f"The chosen box: lift {box['lift']:.2f} (density "
                        f"{100 * box['density']:.1f}% / base rate "
                        f"{100 * result['base_rate']:.1f}%); its limits against the "
                        "parameters' prior ranges", statistics=False)
        last = len(result["trajectory"]) - 1
        out.print(f"inspect any box of the trajectory: --inspect I (0..{last})")
    print_warnings(result["warnings"])


def _print_box(box: dict, title: str, statistics: bool = True) -> None:
    """A box's statistics (lift = density / base rate) and its limits, each against the
    parameter's prior range with the share of it removed."""
    out.print(title + (f": {stats_text(box, ('coverage', 'density', 'mass', 'lift'))}, "
                       f"{box['res_dim']} limits" if statistics else ""), highlight=False)
    if not box["limits"]:
        return
    from peninsula.analysis.registry import statistic  # numpy: not at --help time

    t = Table()
    qp = statistic("qp").symbol
    for c in ("parameter", "low", "high", "prior low", "prior high", "removed", f"{qp} low",
              f"{qp} high"):
        t.add_column(c, justify="left" if c == "parameter" else "right")
    for name, (low, high) in box["limits"].items():
        p_low, p_high = box["prior_ranges"][name]
        t.add_row(name, f"{low:.4g}", f"{high:.4g}", f"{p_low:.4g}", f"{p_high:.4g}",
                  f"{100 * box['share_removed'][name]:.0f}%",
                  *("-" if q is None else f"{q:.2g}" for q in box["qp"][name]))
    out.print(t)


def _pareto(sc, lever, objective, robustness, satisfice, metric, minimize, population,
            generations, runs, seed, out_dir, resume, execution, plot, as_json, quiet) -> None:
    """``optimize`` with two or more --objective: the robust Pareto front."""
    with R.checked():
        if metric is not None or minimize:
            raise ValueError("--metric and --minimize belong to the single-objective search; "
                             "with --objective give each direction as NAME:min or NAME:max")
        sc = api.scenario_for(sc, runs=runs, seed=seed)
        levers, _ = api.pareto_plan(sc, lever, objective, robustness, satisfice)
    R.check_outputs(out_dir, plot)
    result = R.on_pool(
        execution, sc.runs * population * generations,
        f"{sc.name}: Pareto search over {len(levers)} levers, {len(objective)} objectives",
        quiet,
        lambda how, on_resume: api.pareto(
            sc, lever, objective, robustness=robustness, satisfice=satisfice,
            population=population, generations=generations, runs=sc.runs, out_dir=out_dir,
            execution=replace(how, resume=resume)), out_dir)
    if plot is not None:
        from peninsula.report.pareto_plot import plot_pareto

        plot_pareto(result, plot)
    if as_json:
        print(json_text(result))
        return
    print_pareto(result)
