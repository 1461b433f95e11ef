"""The command groups; the commands register themselves from their modules."""

from __future__ import annotations

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Peninsula: alliance dynamics and stability on the Korean Peninsula.")
scenario_app = typer.Typer(no_args_is_help=True, help="Show bundled scenarios.")
app.add_typer(scenario_app, name="scenario")
events_app = typer.Typer(no_args_is_help=True, help="Real event data (GDELT, ICEWS-style CAMEO).")
app.add_typer(events_app, name="events")
fit_app = typer.Typer(no_args_is_help=True, help="Fit classic models to data.")
app.add_typer(fit_app, name="fit")
plot_app = typer.Typer(no_args_is_help=True, help="Plots.")
app.add_typer(plot_app, name="plot")
data_app = typer.Typer(no_args_is_help=True, help="Bundled historical tables (sourced).")
app.add_typer(data_app, name="data")
rivalries_app = typer.Typer(no_args_is_help=True, help="The rivalry reference class: disputes, "
                                                       "fatal disputes and wars of the world's "
                                                       "strategic rivalries.")
app.add_typer(rivalries_app, name="rivalries")


class LazyModule:
    """A module imported on first attribute access: the commands call the API (and the numerical
    stack behind it) only when they run, so that ``peninsula --help`` starts at once."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attr: str):
        from importlib import import_module

        return getattr(import_module(self._name), attr)


api = LazyModule("peninsula.api")
