"""What is reported, in words: each metric's and lever's label, unit, format, direction and
meaning, the one place every face (terminal tables, dashboard, figures, brief, data-frame
column labels) reads them from.

As EMA Workbench declares its outcomes as objects, this module turns the package's own
declarations into ``Reported`` entries: the probabilities of reaching a rung
(``metrics.PROBABILITIES``, worded from the rung of the ladder they count,
``scenario.schema.LEVEL_NAMES``), the mean metrics (``metrics.HORIZON_METRICS`` and
``metrics.FINAL_METRICS``) and the levers (``scenario.schema.LEVERS``). It lists no key of its
own: the tables below only word the names those declarations hold, one row per rung, metric
base name or lever, so a metric generated from a new rung gets its label from the rung's row.
A declared name without a row still gets an entry (its name in words) and is listed by
``unworded``, which the tests require to be empty. JSON keys are untouched; only what people
read is worded here.

The statistics the faces report about a metric (``Statistic``: the sensitivity indices of
analysis/sensitivity.py and the forecast scores of the back-tests) are worded here too, by the
keys their results use, so a legend or a column head reads the same on every face. PRIM's
box statistics (coverage, density, mass, lift) are among them.

Formats: a probability is shown as a percent with one decimal ("12.3%"; below 0.05% as
"<0.1%", so a small nonzero chance never reads as zero) and a difference of probabilities in
percentage points ("+1.2 pp"); other quantities with the digits of their row and their unit.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from peninsula.analysis.metrics import FINAL_METRICS, HORIZON_METRICS, PROBABILITIES
from peninsula.io.results import FIRST_KEYS, FIRST_RUNGS
from peninsula.scenario.schema import LEVEL_NAMES, LEVERS

HIGHER_IS_BETTER, LOWER_IS_BETTER, NEITHER = 1, -1, 0
DIRECTION_WORDS = {HIGHER_IS_BETTER: "higher is better", LOWER_IS_BETTER: "lower is better",
                   NEITHER: "neither (reported, not scored)"}
PROBABILITY_DIGITS = 1  # percent with one decimal wherever people read a probability
PERCENT_FLOOR = 0.0005  # below it a nonzero probability reads "<0.1%", not "0.0%"


@dataclass(frozen=True)
class Reported:
    """One reported quantity: its key (as in JSON), label in words, a short label for narrow
    columns, unit, decimals, direction (``HIGHER_IS_BETTER``, ``LOWER_IS_BETTER`` or
    ``NEITHER``), a one-line meaning, and its kind ('probability', 'mean' or 'lever')."""

    key: str
    label: str
    short: str
    unit: str
    digits: int
    direction: int
    meaning: str
    kind: str

    @property
    def is_probability(self) -> bool:
        return self.kind == "probability"

    @property
    def better(self) -> str:
        """The direction in words ('lower is better'; a lever is a choice)."""
        return "a choice, not an outcome" if self.kind == "lever" else \
            DIRECTION_WORDS[self.direction]

    @property
    def difference_unit(self) -> str:
        """The unit of a difference: percentage points for a probability, else the unit."""
        return "pp" if self.is_probability else self.unit

    def with_unit(self, short: bool = False, difference: bool = False) -> str:
        """The label with its unit: 'P(war or worse) within 10 years (%)'; ``short``: the
        short label; ``difference``: the unit of a difference ('P(war), 10y (pp)')."""
        text = self.short if short else self.label
        unit = self.difference_unit if difference else self.unit
        return f"{text} ({unit})" if unit else text

    def format(self, value: float | None, unit: bool = False) -> str:
        """A value for people: a probability in percent with one decimal, else the row's
        digits ('-' for a missing or undefined value); ``unit`` appends a non-percent unit."""
        if value is None or not math.isfinite(value):
            return "-"
        if self.is_probability:
            return percent(value)
        text = f"{value:,.{self.digits}f}"
        return f"{text} {self.unit}" if unit and self.unit else text

    def format_difference(self, value: float | None, unit: bool = True) -> str:
        """A difference with its sign: percentage points for a probability ('+1.2 pp'; without
        ``unit``, '+1.2')."""
        if value is None or not math.isfinite(value):
            return "-"
        if self.is_probability:
            return f"{100 * value:+.{PROBABILITY_DIGITS}f}" + (" pp" if unit else "")
        return f"{value:+,.{self.digits}f}"

    def format_interval(self, low: float | None, high: float | None,
                        difference: bool = False, unit: bool = True) -> str:
        """An interval as '1.2% to 3.4%' (differences: '-0.4 to +1.0 pp'; without ``unit``,
        '-0.4 to +1.0')."""
        if low is None or high is None:
            return "not assessed"
        if difference:
            pp = " pp" if unit and self.is_probability else ""
            return (f"{self.format_difference(low, unit=False)} to "
                    f"{self.format_difference(high, unit=False)}{pp}")
        return f"{self.format(low)} to {self.format(high)}"

    def format_estimate(self, est: dict, difference: bool = False, unit: bool = True) -> str:
        """A ``{mean, p05, p95}`` estimate (a mean with its 90% interval) as 'mean [low to
        high]'; ``difference``: signed, probabilities in percentage points."""
        if difference:
            return (f"{self.format_difference(est['mean'], unit)} ["
                    f"{self.format_interval(est['p05'], est['p95'], True, unit)}]")
        return f"{self.format(est['mean'])} [{self.format_interval(est['p05'], est['p95'])}]"


def percent(p: float) -> str:
    """A probability in percent with one decimal; a small nonzero one as '<0.1%' and one just
    short of certainty as '>99.9%'."""
    if 0.0 < p < PERCENT_FLOOR:
        return "<0.1%"
    if 1.0 - PERCENT_FLOOR < p < 1.0:
        return ">99.9%"
    return f"{100 * p:.{PROBABILITY_DIGITS}f}%"


# --- the wording, one row per declared name ------------------------------------------------------

# each rung of the ladder (LEVEL_NAMES): (words in a sentence, a short word, meaning)
RUNG_WORDS: dict[str, tuple[str, str, str]] = {
    "calm": ("calm", "calm", "no hostile acts beyond the routine"),
    "rhetoric": ("hostile rhetoric", "rhetoric", "threats and condemnation, no military acts"),
    "provocation": ("provocation", "provocation",
                    "missile launches, incursions and other military signals short of force"),
    "crisis": ("crisis", "crisis", "a stand-off with forces on alert"),
    "armed_clash": ("armed clash", "clash",
                    "a contained armed incident: an exchange of fire, a sinking or a shelling"),
    "hostilities": ("sustained hostilities", "hostilities",
                    "sustained fighting beyond a single incident"),
    "war": ("war", "war", "open war on the peninsula"),
    "nuclear_use": ("nuclear use", "nuclear use", "the use of a nuclear weapon"),
}

# each mean metric's base name: (label, short label, unit, digits, direction, meaning)
METRIC_WORDS: dict[str, tuple[str, str, str, int, int, str]] = {
    "dprk_launches_per_year": (
        "DPRK missile launches", "Launches", "per year", 1, LOWER_IS_BETTER,
        "missiles the DPRK launches a year, averaged over the years up to the horizon"),
    "alignment_china_russia": (
        "China-Russia alignment", "CN-RU alignment", "index 0-1", 2, LOWER_IS_BETTER,
        "how closely China and Russia (with the DPRK) act as a bloc: 0 apart, 1 allied"),
    "denuclearization_progress": (
        "Denuclearisation progress", "Denuclearisation", "index 0-1", 2, HIGHER_IS_BETTER,
        "progress of the DPRK's verified denuclearisation: 0 none, 1 complete"),
    "gdp_loss_pct": (
        "GDP loss (South Korea, Japan, China)", "GDP loss", "% of GDP", 2, LOWER_IS_BETTER,
        "output lost to conflict and coercion by the three East Asian economies, "
        "GDP-weighted"),
    "stability_index": (
        "Korean Stability Index", "Stability index", "points 0-100", 1, HIGHER_IS_BETTER,
        "one score of clashes, wars, nuclear use, launches, the China-Russia alignment, "
        "denuclearisation and GDP loss: 100 the most stable"),
    "polarization": (
        "Bloc polarisation", "Polarisation", "index 0-1", 2, NEITHER,
        "how far the region splits into two blocs: the square root of China-Russia "
        "alignment times allied cohesion"),
    "arms_race_intensity_pct": (
        "Arms spending above trend", "Arms above trend", "%", 1, LOWER_IS_BETTER,
        "the region's military spending above its trend growth (an arms race)"),
    "alliance_credibility": (
        "Alliance deterrence credibility", "Credibility", "index 0-1", 2, HIGHER_IS_BETTER,
        "how credible the allies' deterrent is to the DPRK: power balance, cohesion and "
        "resolve"),
    "cohesion": (
        "US-South Korea-Japan cohesion", "Cohesion", "index 0-1", 2, NEITHER,
        "how closely the three allies act together; what it leads to is scored, not "
        "cohesion itself"),
    "dprk_capability": (
        "DPRK nuclear capability", "DPRK capability", "warhead-equivalents", 0,
        LOWER_IS_BETTER, "the DPRK's nuclear and missile capability"),
    "power_balance": (
        "Allied power balance", "Power balance", "ratio", 2, NEITHER,
        "allied military capability over the DPRK's and the backing of China and Russia"),
}

# each lever (schema LEVERS): (label, unit, meaning)
LEVER_WORDS: dict[str, tuple[str, str, str]] = {
    "exercise_intensity": ("Joint military exercises", "x normal",
                           "scale of the allies' drills: 0 none, 1 the normal programme, "
                           "2 expanded"),
    "summit_frequency_per_year": ("Trilateral summits", "a year",
                                  "US-South Korea-Japan leaders' summits a year"),
    "intelligence_sharing": ("Intelligence sharing", "0-1",
                             "how fully the three allies share intelligence (1: real-time, "
                             "complete)"),
    "tech_collaboration": ("Defence technology collaboration", "0-1",
                           "joint development of defence technology; allied capability grows "
                           "faster"),
    "missile_defense_deployment": ("Missile defence deployment", "0-1",
                                   "missile defence deployed in the region (1: full)"),
    "permanent_infrastructure": ("Permanent military infrastructure", "0-1",
                                 "standing bases and forces in the region (1: full)"),
    "open_communication": ("Open communication", "0-1",
                           "strategy: hotlines and standing channels with the DPRK and China"),
    "flexible_diplomacy": ("Flexible diplomacy", "0-1",
                           "strategy: offers of talks and sanctions relief for steps taken"),
    "multilateral_engagement": ("Multilateral engagement", "0-1",
                                "strategy: regional forums that include China and Russia"),
    "strategic_clarity": ("Strategic clarity", "0-1",
                          "strategy: stated, consistent red lines and defensive aims"),
    "sanctions_pressure": ("Sanctions pressure", "0-1",
                           "how hard sanctions on the DPRK are enforced (1: fully)"),
    "talks_override": ("Talks held (replay)", "-1 model, 0 off, 1 on",
                       "forces talks on or off, as in a replay of the record; -1 leaves them "
                       "to the model"),
    "programme_announcement": ("Announced DPRK weapons programme", "0-1",
                               "a publicly announced DPRK weapons-development programme in "
                               "force; raises the chance of a testing campaign"),
    "launches_override": ("Missiles launched (replay)", "missiles a month",
                          "forces the month's DPRK launches, as in a replay of the record; -1 "
                          "leaves them to the model"),
    "launch_days_override": ("Launch days (replay)", "days a month",
                             "forces the month's DPRK launch days, as in a replay; -1 leaves "
                             "them to the model"),
    "military_agreement": ("Inter-Korean military agreement", "0-1",
                           "an agreement with buffer zones along the border in force (1), as "
                           "from November 2018 to November 2023"),
    "incident_override": ("Armed incident forced (replay)", "-1 model, 0 none, 1 forced",
                          "forces a contained armed incident that month (1) or none (0), as in "
                          "an inject or a replay; -1 leaves it to the model"),
    "nuclear_test_override": ("DPRK nuclear test (inject)", "0 none, 1 a test",
                              "forces a DPRK nuclear test that month, as in an inject or a "
                              "replay of the record; the model draws no tests itself"),
    "us_china_rivalry": ("US-China rivalry", "index 0-1",
                         "outside driver: 0 engagement, 1 open confrontation (0.8 since the "
                         "2022 chip controls)"),
    "russia_west_confrontation": ("Russia-West confrontation", "index 0-1",
                                  "outside driver: 0.5 after Crimea in 2014, 1 the war in "
                                  "Ukraine"),
}

HORIZON = re.compile(r"^(?P<base>.+)_(?P<years>\d+)y$")
FIRST_MONTH = re.compile(r"^first_(?P<rung>.+)_month$")


def _words(name: str) -> str:
    return name.replace("_", " ")


def rung_of(run_key: str) -> str:
    """The ladder rung (a LEVEL_NAMES entry) a probability's per-run key counts: 'clash' ->
    'armed_clash' (metrics.PROBABILITIES to io.results.FIRST_RUNGS)."""
    if run_key in FIRST_KEYS and run_key not in LEVEL_NAMES:
        return LEVEL_NAMES[FIRST_RUNGS[FIRST_KEYS.index(run_key)]]
    return run_key


def rung_words(rung: str) -> tuple[str, str, str]:
    """(words, short word, meaning) of a rung; its name in words when it has no row."""
    return RUNG_WORDS.get(rung, (_words(rung), _words(rung), ""))


def rung_label(rung: str) -> str:
    """A rung as a legend reads it: 'Armed clash'."""
    words = rung_words(rung)[0]
    return words[0].upper() + words[1:]


def probability_entry(key: str, run_key: str) -> Reported:
    """The entry of the probability ``key`` of reaching the rung of ``run_key`` or worse."""
    rung = rung_of(run_key)
    words, short, meaning = rung_words(rung)
    top = rung == LEVEL_NAMES[-1]
    worse = "" if top else " or worse"
    return Reported(key, f"P({words}{worse})", f"P({short})", "%", PROBABILITY_DIGITS,
                    LOWER_IS_BETTER,
                    f"share of runs whose ladder reaches {words}{'' if top else ' or higher'}"
                    + (f" ({meaning})" if meaning else ""), "probability")


def _mean(key: str) -> Reported:
    label, short, unit, digits, direction, meaning = METRIC_WORDS.get(
        key, (_words(key).capitalize(), _words(key), "", 2, NEITHER, ""))
    return Reported(key, label, short, unit, digits, direction, meaning, "mean")


def _lever(key: str) -> Reported:
    label, unit, meaning = LEVER_WORDS.get(key, (_words(key).capitalize(), "",
                                                 LEVERS[key].doc))
    return Reported(key, label, label, unit, 2, NEITHER, meaning, "lever")


PROBABILITY_RUN_KEYS = {run_key: key for key, run_key in PROBABILITIES}
METRICS: dict[str, Reported] = {
    **{key: probability_entry(key, run_key) for key, run_key in PROBABILITIES},
    **{key: _mean(key) for key, _ in HORIZON_METRICS + FINAL_METRICS},
}
LEVER_ENTRIES: dict[str, Reported] = {key: _lever(key) for key in LEVERS}


@dataclass(frozen=True)
class Statistic:
    """A statistic reported about a metric: its key (as in JSON and data frames), its symbol
    for a narrow column or a legend ('μ*'), its name in words, its unit ('' when it is a
    pure number), direction (``HIGHER_IS_BETTER``, ``LOWER_IS_BETTER`` or ``NEITHER``) and a
    one-line meaning."""

    key: str
    symbol: str
    label: str
    unit: str
    direction: int
    meaning: str

    @property
    def better(self) -> str:
        """The direction in words ('lower is better')."""
        return DIRECTION_WORDS[self.direction]

    @property
    def explained(self) -> str:
        """Its label with its meaning, as an axis reads it: 'Coverage (share of the runs with
        the outcome that lie in the box)'."""
        return f"{self.label} ({self.meaning})"

    @property
    def named(self) -> str:
        """Its name in words with its symbol: 'Mean absolute effect (μ*)'."""
        return self.label if self.symbol == self.label else f"{self.label} ({self.symbol})"

    def with_unit(self, unit: str | None = None) -> str:
        """Its name and symbol with its unit (or ``unit``, e.g. the metric's own):
        'Total-effect index (ST), share of variance'."""
        unit = self.unit if unit is None else unit
        return f"{self.named}, {unit}" if unit else self.named


CONFIDENCE_SUFFIX = "_conf"  # a sensitivity index's 95% bootstrap half-width: 'ST_conf'
CONFIDENCE_LABEL = "± 95%"
METRIC_UNITS = "metric's unit per parameter range"

# each statistic: (symbol, label, unit, direction, meaning)
STATISTIC_WORDS: dict[str, tuple[str, str, str, int, str]] = {
    # sensitivity indices (analysis/sensitivity.py and the modules of its methods)
    "mu_star": ("\u03bc*", "Mean absolute effect", METRIC_UNITS, NEITHER,
                "mean absolute change of the metric as the parameter moves across its range "
                "(Morris)"),
    "mu": ("\u03bc", "Mean effect", METRIC_UNITS, NEITHER,
           "mean signed change of the metric as the parameter moves across its range (Morris)"),
    "sigma": ("\u03c3", "Spread of the effect", METRIC_UNITS, NEITHER,
              "standard deviation of the parameter's effects (Morris), large when its effect is "
              "non-linear or depends on other parameters"),
    "S1": ("S1", "First-order index", "share of variance", NEITHER,
           "share of the metric's variance the parameter carries alone"),
    "ST": ("ST", "Total-effect index", "share of variance", NEITHER,
           "share of the metric's variance the parameter carries, interactions included"),
    "S2": ("S2", "Second-order index", "share of variance", NEITHER,
           "share of the metric's variance a pair of parameters carries together, beyond what "
           "each carries alone"),
    "delta": ("\u03b4", "Distribution shift", "0-1", NEITHER,
              "share of the metric's distribution the parameter moves (Borgonovo's delta)"),
    "feature_score": ("trees", "Extra-trees importance", "share", NEITHER,
                      "the parameter's share of the impurity reduction of extra-trees fitted to the "
                      "metric"),
    # forecast scores (analysis/backtest.py, scoring.py, rolling.py, outside_backtest.py)
    "spearman": ("Spearman", "Rank correlation", "", HIGHER_IS_BETTER,
                 "Spearman's rank correlation of the forecast means with the record"),
    "crps": ("CRPS", "Continuous ranked probability score", "", LOWER_IS_BETTER,
             "distance of the forecast distribution from what happened, in the forecast's "
             "unit"),
    "log_score": ("log score", "Log score", "", LOWER_IS_BETTER,
                  "-log of the probability the forecast gave to what happened"),
    "brier": ("Brier", "Brier score", "", LOWER_IS_BETTER,
              "squared difference of the forecast probability and what happened (1 or 0)"),
    "coverage_50": ("50% coverage", "50% interval coverage", "share", NEITHER,
                    "share of outcomes inside the forecast's central 50% interval (goal 0.5)"),
    "coverage_90": ("90% coverage", "90% interval coverage", "share", NEITHER,
                    "share of outcomes inside the forecast's central 90% interval (goal 0.9)"),
    "male": ("MALE", "Mean absolute log error", "", LOWER_IS_BETTER,
             "mean over the years of |ln(model / record)|; 0.1 is about 10% off"),
    "log_loss": ("log loss", "Log loss", "", LOWER_IS_BETTER,
                 "mean -log of the probability the forecast gave to what happened"),
    "auc": ("AUC", "Area under the ROC curve", "", HIGHER_IS_BETTER,
            "how well the forecast ranks the cases that happened above those that did not "
            "(0.5 no better than chance)"),
    "pit": ("PIT", "Probability integral transform", "0-1", NEITHER,
            "the forecast's CDF at the outcome; uniform for a calibrated forecast"),
    # scenario discovery (analysis/discovery.py: PRIM's boxes)
    "coverage": ("coverage", "Coverage", "share", HIGHER_IS_BETTER,
                 "share of the runs with the outcome that lie in the box"),
    "density": ("density", "Density", "share", HIGHER_IS_BETTER,
                "share of the box's runs that have the outcome"),
    "mass": ("mass", "Mass", "share", NEITHER, "share of all runs that lie in the box"),
    "lift": ("lift", "Lift", "x base rate", HIGHER_IS_BETTER,
             "the box's density over the base rate (1: no better than all runs)"),
    "qp": ("quasi-p", "Quasi-p value", "", LOWER_IS_BETTER,
           "chance, by a one-sided binomial test, that the box is no denser with the limit "
           "than without it (per side); a limit above 0.05 is dropped"),
}
STATISTICS: dict[str, Statistic] = {key: Statistic(key, *words)
                                    for key, words in STATISTIC_WORDS.items()}


def statistic(key: str) -> Statistic:
    """The entry of a statistic by its key ('mu_star', 'crps'); a KeyError names the key."""
    try:
        return STATISTICS[key]
    except KeyError:
        raise KeyError(f"{key!r} is not a reported statistic") from None


def statistic_label(key: str) -> str:
    """A statistic's symbol as a column head reads it, its interval ('ST_conf') as '± 95%'."""
    return CONFIDENCE_LABEL if key.endswith(CONFIDENCE_SUFFIX) else statistic(key).symbol


def unworded() -> list[str]:
    """Declared names with no row in the wording tables (the tests require none): rungs of the
    ladder, mean metrics and levers."""
    return ([f"rung {r}" for r in LEVEL_NAMES if r not in RUNG_WORDS]
            + [f"metric {k}" for k, _ in HORIZON_METRICS + FINAL_METRICS
               if k not in METRIC_WORDS]
            + [f"lever {k}" for k in LEVERS if k not in LEVER_WORDS])


def _in_years(years: int) -> str:
    return f"within {years} year{'s' if years != 1 else ''}"


def metric(key: str) -> Reported:
    """The entry of a metric key as the package writes it: a summary key ('p_war',
    'stability_index'), a metric with its horizon ('p_war_10y': 'P(war or worse)
    within 10 years'; 'stability_index_10y': '... at 10 years'), a per-run outcome column
    ('war_10y', 'first_war_month'). A KeyError names the key when it is none of these."""
    if key in METRICS:
        return METRICS[key]
    m = HORIZON.match(key)
    if m:
        base, years = m["base"], int(m["years"])
        base = PROBABILITY_RUN_KEYS.get(base, base)  # a per-run column: 'war_10y'
        if base in METRICS:
            e = METRICS[base]
            when = _in_years(years) if e.is_probability else f"at {years} years"
            short = f"{e.short}, {years}y"
            return Reported(key, f"{e.label} {when}", short, e.unit, e.digits, e.direction,
                            e.meaning, e.kind)
    m = FIRST_MONTH.match(key)
    if m and m["rung"] in PROBABILITY_RUN_KEYS:
        words = rung_words(rung_of(m["rung"]))[0]
        return Reported(key, f"First month of {words}", f"first {m['rung']}", "month", 0,
                        NEITHER, f"months from the start to the first month of {words} "
                                 "(empty: never reached)", "mean")
    if key in PROBABILITY_RUN_KEYS:
        return METRICS[PROBABILITY_RUN_KEYS[key]]
    raise KeyError(f"{key!r} is not a reported metric")


def lever(key: str) -> Reported:
    """The entry of a lever, named with or without its section ('levers.exercise_intensity')."""
    return LEVER_ENTRIES[key.removeprefix("levers.")]


def entry(key: str) -> Reported:
    """A metric's or lever's entry (a lever by 'levers.NAME' or its bare name)."""
    name = key.removeprefix("levers.")
    if key.startswith("levers.") or (name in LEVER_ENTRIES and name not in METRICS):
        return lever(name)
    return metric(key)


def label(key: str, unit: bool = True) -> str:
    """A metric's or lever's label, with its unit unless ``unit`` is False; any other name (a
    parameter, a design column) in words."""
    try:
        e = entry(key)
    except KeyError:
        return _words(key.split(".", 1)[-1])
    return e.with_unit() if unit else e.label


def format_value(key: str, value: float | None) -> str:
    """A metric's or lever's value for people (``Reported.format``)."""
    return entry(key).format(value)


def column_labels(columns) -> dict[str, str]:
    """Data-frame column -> its label with unit, for every column that names a metric or a
    lever (others keep their name): ``frame.rename(columns=column_labels(frame.columns))``."""
    out = {}
    for c in columns:
        try:
            out[c] = entry(str(c)).with_unit()
        except KeyError:
            continue
    return out


def label_for(name: str) -> str | None:
    """A name -> label lookup for data frames' column labels (``attrs['labels']``): the label
    with its unit of a metric or lever, None for any other name."""
    try:
        return entry(name).with_unit()
    except KeyError:
        return None
