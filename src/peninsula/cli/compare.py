"""``peninsula policies`` and ``peninsula compare``: named lever sets, and policies run against
each other on common random numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from peninsula.cli import running as R
from peninsula.cli.app import api, app
from peninsula.cli.options import (
    GIVEN,
    PriorOpt,
    ScenarioArg,
    SetOpt,
    execution_options,
    json_opt,
    out_path,
    runs_opt,
    seed_opt,
)
from peninsula.cli.render import json_text, print_compare, print_policies
from peninsula.engine.execution import Execution


@app.command("policies")
def policies(
    file: Annotated[Path | None, typer.Option(
        "--file", help="List the policies of this TOML policy file instead of the bundled "
                       "ones.")] = None,
    as_json: json_opt("Print as JSON: name -> description and levers.") = False,
) -> None:
    """List the bundled policies (named lever sets for 'peninsula compare')."""
    with R.checked():
        found = api.policies(file)
    if as_json:
        print(json_text({p.name: {"description": p.description, "levers": p.levers}
                         for p in found.values()}))
        return
    print_policies(found.values(), "Bundled policies" if file is None else str(file))


@app.command("compare")
@execution_options
def compare(
    scenario: ScenarioArg = "baseline",
    policy: Annotated[list[str] | None, typer.Option(
        "--policy", help="A bundled policy ('peninsula policies') or a TOML policy file "
                         "(every policy in it); repeatable, at least two in all. The first is "
                         "the reference of the paired differences.")] = None,
    runs: runs_opt("Runs per policy (run i of every policy shares its draws).", low=2) = None,
    seed: seed_opt("Root seed (the same for every policy).") = None,
    set_: SetOpt = None,
    prior: PriorOpt = False,
    plot: Annotated[Path | None, typer.Option(
        "--plot", parser=out_path, help="Write a figure of the paired differences (PNG).")]
    = None,
    execution: Execution = GIVEN,
    as_json: json_opt("Print the comparison as JSON (keys policies and differences; each "
                      "policy's difference also says what carries it: p_better, carried_by).")
    = False,
    quiet: bool = GIVEN,
) -> None:
    """Run policies on common random numbers (run i of every policy draws the same
    uncertainties and noise) and report each outcome per policy and as paired differences
    against the first, with 90% intervals."""
    sc = R.load(scenario, set_, prior)
    with R.checked():
        sc = api.scenario_for(sc, runs=runs, seed=seed)
        chosen = api.resolve_policies(policy or [])
        if len(chosen) < 2:
            raise ValueError("--policy: give at least two policies (the first is the "
                             "reference); 'peninsula policies' lists the bundled ones")
    if plot is not None:
        R.check_writable(plot, "file")
        R.check_image(plot, "--plot")
    result = R.on_pool(
        execution, sc.runs * len(chosen), f"{sc.name}: {len(chosen)} policies", quiet,
        lambda how, on_resume: api.compare(sc, chosen, execution=how))
    if plot is not None:
        from peninsula.report.compare_plot import plot_compare

        plot_compare(result, plot)
    if as_json:
        print(json_text(result))
        return
    print_compare(result)
