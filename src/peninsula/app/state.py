"""The dashboard's pure helpers: lever controls from the schema, upload checks, settings.

Nothing here imports Streamlit, so the tests call these functions directly. Uploads are read
only as scenario text (TOML or YAML) and validated by the scenario loader exactly as the
command line validates a file; the text is written nowhere but a temporary folder that is
removed as soon as the loader has read it.
"""

from __future__ import annotations

import hashlib
import importlib
import io
import json
import os
import sys
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import yaml

import peninsula.api as api
from peninsula.analysis.registry import lever
from peninsula.report.faces import STRATEGIES
from peninsula.scenario.errors import Problem, ScenarioError
from peninsula.scenario.loader import Scenario, bundled_names, load_scenario
from peninsula.scenario.schema import LEVERS, OUTSIDE_DRIVERS, PRIOR_OVERRIDE

# The Explore view's drivers: the channels alone (the page shows no mechanism ablations), their
# ensembles side by side on threads of the dashboard's process (the kernel releases the GIL).
DRIVER_MECHANISMS: tuple[str, ...] = ()
DRIVER_THREADS = max(1, min(4, os.cpu_count() or 1))


def drivers_execution(progress=None) -> api.Execution:
    """How the drivers' ensembles run: DRIVER_THREADS threads of this process."""
    return api.Execution(workers=DRIVER_THREADS, executor_kind="threads", progress=progress)


MAX_UPLOAD_BYTES = 256 * 1024  # a complete scenario file is about 10 KB
UPLOAD_SUFFIXES = (".toml", ".yaml", ".yml")
# levers that force the record in a historical replay: not policy choices
REPLAY_ONLY = ("talks_override", "launches_override", "launch_days_override",
               "programme_announcement", "incident_override", "nuclear_test_override")
RUNS_RANGE = (100, 20_000)  # runs a dashboard ensemble may have
SEED_RANGE = (0, 2**31 - 1)


@dataclass(frozen=True)
class LeverControl:
    """One control of the dashboard: a lever of the schema, its range, step and help."""

    name: str
    low: float
    high: float
    default: float
    help: str
    switch: bool  # one of the four strategies: a switch (on: full strength)
    group: str

    @property
    def step(self) -> float:
        return 1.0 if self.high - self.low > 4 else 0.05

    @property
    def label(self) -> str:
        """The control's label: the lever in words with its unit and range, e.g. 'Joint
        military exercises (x normal, 0 to 2)'; a switch: the lever in words."""
        e = lever(self.name)
        if self.switch:
            return e.label
        span = f"{self.low:g} to {self.high:g}"
        unit = "" if e.unit.endswith(f"{self.low:g}-{self.high:g}") else f"{e.unit}, "
        return f"{e.label} ({unit}{span})"


def lever_controls() -> list[LeverControl]:
    """The controls, generated from the schema's levers (``LEVERS``), replay-only levers left
    out: the strategies as switches, then the alliance's activity, then outside drivers."""
    out = []
    for name, f in LEVERS.items():
        if name in REPLAY_ONLY:
            continue
        group = ("strategies" if name in STRATEGIES else
                 "outside drivers" if name in OUTSIDE_DRIVERS else "alliance and pressure")
        out.append(LeverControl(name, float(f.low), float(f.high), float(f.default),
                                lever(name).meaning, name in STRATEGIES, group))
    return out


def scenario_lever_values(scenario: Scenario) -> dict[str, float]:
    """Each control's starting value: the scenario's lever when it is one number, else (a
    monthly schedule) the schema's default; a schedule is kept unless its control is moved."""
    levers = scenario["levers"]
    return {c.name: float(levers[c.name]) if isinstance(levers.get(c.name), int | float)
            and not isinstance(levers.get(c.name), bool) else c.default
            for c in lever_controls()}


def switch_value(on: bool, control: LeverControl, base: float) -> float:
    """A strategy switch's lever value: full strength (the top of its range) when on, the
    scenario's own level when off (today's, in the baseline)."""
    return control.high if on else base


def lever_items(values: dict[str, float], base: dict[str, float]) -> list[tuple[str, float]]:
    """The (``levers.NAME``, value) settings of the controls that differ from ``base``."""
    return [(f"levers.{name}", float(v)) for name, v in sorted(values.items())
            if name not in base or float(v) != float(base[name])]


def preset_values(policy: str) -> dict[str, float]:
    """The levers a named policy sets (``api.policies``)."""
    return dict(api.policies()[policy].levers)


# --- scenario sources ---------------------------------------------------------------------

@dataclass(frozen=True)
class Source:
    """Where the scenario comes from: a bundled name, or an upload's text and format."""

    label: str
    text: str | None = None  # None for a bundled scenario
    fmt: str = "toml"

    @property
    def key(self) -> str:
        """A short hash of the source (the cache key's scenario part)."""
        body = self.label if self.text is None else f"{self.fmt}\0{self.text}"
        return hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]


def check_upload(name: str, data: bytes) -> Source:
    """An uploaded file as scenario text, or a ScenarioError naming the problem: at most
    ``MAX_UPLOAD_BYTES``, a .toml/.yaml/.yml name, UTF-8 text, no YAML aliases, and
    ``extends`` only of a bundled scenario (an upload may not name files on this computer)."""
    label = f"upload {Path(name).name}"
    suffix = Path(name).suffix.lower()

    def fail(message: str, key: str = "") -> ScenarioError:
        return ScenarioError([Problem(label, key, message)])

    if len(data) > MAX_UPLOAD_BYTES:
        raise fail(f"the file is {len(data) / 1024:.0f} KB; uploads are limited to "
                   f"{MAX_UPLOAD_BYTES // 1024} KB")
    if suffix not in UPLOAD_SUFFIXES:
        raise fail(f"expected a scenario file ending in {', '.join(UPLOAD_SUFFIXES)}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise fail(f"not UTF-8 text (byte {exc.start}); save the file as UTF-8") from None
    fmt = "toml" if suffix == ".toml" else "yaml"
    doc, aliases = _parse_only(text, fmt)
    if aliases:
        raise fail("YAML aliases (*name) are not accepted in an upload; write the values out")
    parent = doc.get("scenario", {}).get("extends") if isinstance(doc.get("scenario"), dict) \
        else None
    if parent is not None and parent not in bundled_names():
        raise fail(f"an uploaded scenario may extend only a bundled scenario "
                   f"({', '.join(bundled_names())}), not {parent!r}", "scenario.extends")
    return Source(label, text, fmt)


def _parse_only(text: str, fmt: str) -> tuple[dict, bool]:
    """The document, read without resolving anything, and whether it uses YAML aliases (a
    few bytes that expand to a huge document). The loader reports syntax errors with their
    lines, so a document that does not parse here is left to it."""
    try:
        if fmt == "yaml":
            if any(isinstance(e, yaml.AliasEvent) for e in yaml.parse(text)):
                return {}, True
            doc = yaml.safe_load(text)
        else:
            doc = tomllib.loads(text)
    except (yaml.YAMLError, tomllib.TOMLDecodeError, RecursionError):
        return {}, False
    return (doc if isinstance(doc, dict) else {}), False


def parameter_overrides() -> list[str]:
    """The dashboard's --prior (``peninsula dashboard --prior``, passed to the page's script):
    every parameter from the table's priors instead of the bundled calibrated posterior."""
    return [PRIOR_OVERRIDE] if "--prior" in sys.argv[1:] else []


def load_source(source: Source) -> Scenario:
    """The validated scenario of a source: a bundled scenario by name, an upload through the
    loader from a temporary folder removed at once; problems name the upload, not the folder."""
    if source.text is None:
        return load_scenario(source.label, parameter_overrides())
    with tempfile.TemporaryDirectory(prefix="peninsula-upload-") as tmp:
        path = Path(tmp) / f"scenario.{source.fmt}"
        path.write_text(source.text, encoding="utf-8")
        try:
            return load_scenario(path, parameter_overrides())
        except ScenarioError as exc:
            raise ScenarioError([Problem(source.label if p.file == str(path) else p.file,
                                         p.key, p.message.replace(str(path), source.label),
                                         p.line) for p in exc.problems]) from None


def problem_lines(exc: ScenarioError | ValueError) -> list[str]:
    """One line per problem, the field first ('levers.exercise_intensity: ...')."""
    problems = getattr(exc, "problems", None)
    if not problems:
        return [str(exc)]
    return [f"{p.key or '(file)'}: {p.message}"
            + (f" (line {p.line} of {p.file})" if p.line else f" ({p.file})")
            for p in problems]


# --- one run's settings -------------------------------------------------------------------

@dataclass(frozen=True)
class Settings:
    """Everything a result depends on: the cache key of the dashboard's ensembles."""

    source: Source
    levers: tuple[tuple[str, float], ...]  # (levers.NAME, value) changed from the scenario
    runs: int
    seed: int
    horizon_months: int | None = None  # None: the scenario's

    def key(self) -> str:
        """The settings as text: what the dashboard's caches are keyed on."""
        return json.dumps([self.source.key, self.levers, self.runs, self.seed,
                           self.horizon_months])

    def overrides(self) -> list[str]:
        """The settings as ``--set`` overrides, as the command line would take them."""
        out = [f"{k}={v!r}" for k, v in self.levers]
        if self.horizon_months is not None:
            out.append(f"scenario.horizon_months={self.horizon_months}")
        return out


def check_number(name: str, value: float, low: float, high: float) -> None:
    """A ValueError naming the control when a value is outside its range."""
    if not low <= value <= high:
        raise ScenarioError([Problem("dashboard", name,
                                     f"{value:g} is outside [{low:g}, {high:g}]")])


def build_scenario(settings: Settings) -> Scenario:
    """The scenario of the settings, every value checked as ``--set`` checks it (a
    ScenarioError naming each field at fault), with the runs and seed."""
    check_number("runs", settings.runs, *RUNS_RANGE)
    check_number("seed", settings.seed, *SEED_RANGE)
    sc = load_source(settings.source)
    if settings.levers or settings.horizon_months is not None:
        items: list[tuple[str, object]] = list(settings.levers)
        if settings.horizon_months is not None:
            items.append(("scenario.horizon_months", settings.horizon_months))
        sc = sc.with_values(items, "dashboard")
    return sc.with_settings(runs=settings.runs, seed=settings.seed)


# --- downloads ----------------------------------------------------------------------------

def table_bytes(table, fmt: str) -> bytes:
    """A table as Parquet or CSV bytes, for a download button (nothing written to disk)."""
    if fmt == "parquet":
        buf = io.BytesIO()
        table.to_parquet(buf, index=False)
        return buf.getvalue()
    return table.to_csv(index=False).encode("utf-8")


def figure_html(fig) -> bytes:
    """A Plotly figure as one HTML file with the library embedded (opens with no network)."""
    return fig.to_html(include_plotlyjs=True, full_html=True).encode("utf-8")


def folder_zip(draw) -> bytes:
    """Call ``draw(folder)`` on a temporary folder and return the files it wrote as a ZIP
    (the folder is removed after): static figures and the report are written this way."""
    buf = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="peninsula-files-") as tmp:
        draw(Path(tmp))
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for f in sorted(Path(tmp).rglob("*")):
                if f.is_file():
                    z.write(f, f.relative_to(tmp).as_posix())
    return buf.getvalue()


REPORT_MODULE = "peninsula.report.brief"


def report_available() -> bool:
    """Whether the report writer (``peninsula report``'s module) is installed."""
    return importlib.util.find_spec(REPORT_MODULE) is not None


def report_zip(scenario: Scenario, runs: int, seed: int) -> bytes:
    """The policy brief of ``peninsula report`` (report/brief.py) as a ZIP: the levers as set
    in the dashboard compared with today's posture (the bundled status-quo policy, the
    reference), for this scenario, runs and seed; written in a temporary folder."""
    from peninsula.scenario.policies import Policy

    brief = importlib.import_module(REPORT_MODULE)
    current = Policy(name="as set", description="the levers as set in the dashboard",
                     source="dashboard")

    def draw(folder: Path) -> None:
        brief.write_brief(scenario, ["status-quo", current], runs=runs, seed=seed,
                          out_html=folder / "brief.html")

    return folder_zip(draw)
