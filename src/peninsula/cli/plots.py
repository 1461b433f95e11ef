"""`peninsula plot fan` and `peninsula plot compare`: figures as PNG, SVG and interactive HTML."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Annotated

import typer

from peninsula.cli import running as R
from peninsula.cli.app import api, plot_app
from peninsula.cli.options import (
    GIVEN,
    ScenarioArg,
    SetOpt,
    execution_options,
    out_path,
    runs_opt,
    seed_opt,
)
from peninsula.cli.render import out
from peninsula.engine.execution import Execution

StemOpt = Annotated[Path, typer.Option("--out", parser=out_path, help=(
    "File stem: writes STEM.png, STEM.svg and STEM.html (a suffix given is dropped)."))]


def _check_stem(stem: Path) -> None:
    from peninsula.report.figures import figure_paths

    for path in figure_paths(stem):
        R.check_writable(path, "file")


def _load_result(path: Path, keys: set[str], command: str) -> dict:
    """A command's JSON result holding ``keys``, or exit 2 naming the file and the command."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not keys <= set(data):
            raise ValueError(f"it lacks the keys {', '.join(sorted(keys))}")
    except (OSError, ValueError) as exc:
        R.usage_error(f"{path}: not a result of '{command}' ({exc})")
    return data


def _draw(draw, *args, **kwargs) -> None:
    """Draw a figure (input errors end the command, exit 2) and say which files it wrote."""
    with R.checked():
        paths = draw(*args, **kwargs)
    out.print("wrote " + ", ".join(str(p) for p in paths))


@plot_app.command("fan")
@execution_options
def plot_fan_cmd(
    scenario: ScenarioArg = "baseline",
    out_stem: StemOpt = Path("fan"),
    policy: Annotated[str | None, typer.Option(help="A bundled policy or a TOML file with one "
                                                    "policy ('peninsula policies').")] = None,
    runs: runs_opt("Runs of the ensemble (default: the scenario's).") = 2000,
    seed: seed_opt() = None,
    set_: SetOpt = None,
    execution: Execution = GIVEN,
    quiet: bool = GIVEN,
) -> None:
    """Fan charts over time: the ladder's rungs, cumulative P(clash) and P(war) by month, and
    yearly bands of launches, China-Russia alignment and the stability index."""
    _check_stem(out_stem)
    with R.checked():
        sc = api.scenario_for(scenario, runs=runs, seed=seed, overrides=set_)
    data = R.on_pool(execution, sc.runs, f"{sc.name}: fan", quiet,
                     lambda how, on_resume: api.fan(sc, policy, execution=how))
    from peninsula.report.fan_plot import plot_fan

    _draw(plot_fan, data, out_stem)


@plot_app.command("compare")
def plot_compare_cmd(
    result: Annotated[Path, typer.Option("--from", help="JSON written by 'peninsula compare "
                                                        "--json'.")],
    out_stem: StemOpt = Path("compare"),
) -> None:
    """Comparison bars: paired differences against the first policy, with 90% intervals."""
    _check_stem(out_stem)
    data = _load_result(result, {"differences", "outcomes", "reference"},
                        "peninsula compare --json")
    from peninsula.report.compare_plot import plot_compare_all

    _draw(plot_compare_all, data, out_stem)


def _refuse_empty_metric(df, y: str, table: Path) -> None:
    """Exit 2 when the --y column has no finite value to draw (blank: a horizon beyond the
    run, or all NaN/inf), naming the column; an unknown column gets a suggestion."""
    import numpy as np
    import pandas as pd

    from peninsula.scenario.errors import did_you_mean

    if y not in df.columns:
        return  # the plot's own message lists the columns
    values = pd.to_numeric(df[y], errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(values).any():
        why = ("is blank (a horizon beyond the sweep's runs?)" if np.isnan(values).all()
               else "holds only missing or infinite values")
        others = [c for c in df.columns if c != y
                  and np.isfinite(pd.to_numeric(df[c], errors="coerce")).any()]
        hint = did_you_mean(y, others)
        R.usage_error(f"{table}: --y {y}: the column {why}, nothing to plot;"
                      f"{hint or ' choose a metric column with numbers'}")


@plot_app.command("sweep")
def plot_sweep_cmd(
    table: Annotated[Path, typer.Option("--from", help="sweep.csv written by 'peninsula sweep "
                                                       "--out'.")],
    x: Annotated[str, typer.Option("--x", help="Design column on the x axis.")],
    y: Annotated[str, typer.Option("--y", help="Metric column, e.g. p_war_10y.")],
    by: Annotated[list[str] | None, typer.Option(
        "--by", help="Design column: one line per value (repeatable: per combination).")]
    = None,
    out_stem: StemOpt = Path("sweep"),
) -> None:
    """Sweep curves with 90% Monte Carlo bands."""
    import pandas as pd

    from peninsula.report.study_plots import plot_sweep

    _check_stem(out_stem)
    try:
        df = pd.read_csv(table)
    except (OSError, ValueError) as exc:
        R.usage_error(f"{table}: cannot read the sweep table ({exc})")
    _refuse_empty_metric(df, y, table)
    plan, sc_file = table.parent / "sweep-plan.json", table.parent / "scenario.toml"
    provenance = f"sweep {table.parent.name}"
    if plan.is_file() and sc_file.is_file():  # the sweep's own record of what it ran
        p = json.loads(plan.read_text(encoding="utf-8"))
        name = tomllib.loads(sc_file.read_text(encoding="utf-8"))["scenario"]["name"]
        from peninsula.report.figures import stamp

        provenance = stamp(name, int(p["runs"]), int(p["seed"])) + " per point"
    _draw(plot_sweep, df, x, y, by, out_stem, provenance)


@plot_app.command("discover")
def plot_discover_cmd(
    result: Annotated[Path, typer.Option("--from", help="JSON written by 'peninsula discover "
                                                        "--json'.")],
    out_stem: StemOpt = Path("discover"),
) -> None:
    """PRIM's coverage-density trade-off and the chosen box."""
    from peninsula.report.study_plots import plot_discovery

    _check_stem(out_stem)
    data = _load_result(result, {"trajectory", "box", "base_rate"}, "peninsula discover --json")
    _draw(plot_discovery, data, out_stem)


@plot_app.command("pareto")
def plot_pareto_cmd(
    result: Annotated[Path, typer.Option("--from", help="JSON written by 'peninsula optimize "
                                                        "--objective ... --json'.")],
    out_stem: StemOpt = Path("pareto"),
) -> None:
    """The Pareto front as parallel coordinates (levers, then objectives)."""
    from peninsula.report.pareto_plot import plot_pareto_all

    _check_stem(out_stem)
    data = _load_result(result, {"pareto", "objectives", "levers"},
                        "peninsula optimize --objective ... --json")
    _draw(plot_pareto_all, data, out_stem)


@plot_app.command("sensitivity")
def plot_sensitivity_cmd(
    folder: Annotated[Path, typer.Option("--from", help="Folder written by 'peninsula "
                                                        "sensitivity --out'.")],
    top: Annotated[int, typer.Option(min=1, help="Factors shown per metric.")] = 10,
    out_stem: StemOpt = Path("sensitivity"),
) -> None:
    """Tornado bars of the main index (ST, mu* or delta) with 95% intervals, per metric."""
    from types import SimpleNamespace

    import pandas as pd

    from peninsula.report.sensitivity_plot import plot_sensitivity_all

    _check_stem(out_stem)
    try:
        data = json.loads((folder / "sensitivity.json").read_text(encoding="utf-8"))
        name = tomllib.loads((folder / "scenario.toml").read_text(encoding="utf-8"))[
            "scenario"]["name"]
        result = SimpleNamespace(method=data["method"], indices=pd.DataFrame(data["indices"]))
        runs, seed = int(data["runs_per_point"]), int(data["seed"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        R.usage_error(f"{folder}: not a folder written by 'peninsula sensitivity --out' ({exc})")
    _draw(plot_sensitivity_all, result, out_stem, scenario=name, runs=runs, seed=seed, top=top)
