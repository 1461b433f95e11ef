"""What there is: ``peninsula scenarios``, ``scenario show``, ``parameters``, ``data``."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from peninsula.cli import running as R
from peninsula.cli.app import api, app, data_app, scenario_app
from peninsula.cli.options import SetOpt, json_opt
from peninsula.cli.render import (
    print_frame,
    print_history_list,
    print_parameters,
    print_scenarios,
)
from peninsula.scenario.loader import bundled_names, load_scenario


@app.command("scenarios")
def scenarios() -> None:
    """List the bundled scenarios."""
    rows = []
    for name in bundled_names():
        sc = load_scenario(name)
        rows.append((name, sc.doc["scenario"]["start"], sc.doc["scenario"]["description"]))
    print_scenarios(rows)


@scenario_app.command("show")
def scenario_show(
    name: Annotated[str, typer.Argument(help="Bundled scenario name or a file.")],
    set_: SetOpt = None,
) -> None:
    """Print a complete scenario as TOML, ready to copy, edit and run."""
    sys.stdout.write(R.load(name, set_).to_toml())


@app.command("parameters")
def parameters(as_json: json_opt("Print as JSON.") = False) -> None:
    """List every model parameter with its default, unit, range, distribution and basis.

    The distribution is how an ensemble draws the parameter in each run unless a scenario
    says otherwise (triangular: mode = value; a bare number in a scenario fixes it)."""
    print_parameters(api.parameters(), as_json)


@data_app.command("list")
def data_list() -> None:
    """List the bundled historical tables."""
    print_history_list(api.history_tables())


@data_app.command("show")
def data_show(
    name: Annotated[str, typer.Argument(help="Table name (see 'peninsula data list'), or "
                                             "'sources'.")],
    as_json: json_opt("Print as JSON records.") = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print as CSV.")] = False,
) -> None:
    """Print a historical table (or its sources)."""
    if name == "sources":
        sys.stdout.write(api.history_sources())
        return
    with R.checked():
        df = api.history_table(name)
    print_frame(name, df, as_json, as_csv)
