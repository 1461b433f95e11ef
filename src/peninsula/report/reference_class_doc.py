"""Render docs/reference-class.md, the self-check of the rivalry reference class, from the dict
that ``peninsula.analysis.reference_class.self_check`` returns, with its reliability figure.

Every number on the page, and every sentence saying whether the model beats a baseline, is
computed from the result given; nothing is written for one particular run.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from peninsula.analysis import registry as REG
from peninsula.analysis.reference_class import BASELINE_MEANINGS, BASELINES
from peninsula.io.rivalries import OUTCOME_LABELS
from peninsula.report.figures import pyplot, save_figure

FIGURE_NAME = "reference_class_reliability.png"
PAGE = "docs/reference-class.md"
OUTCOME_WORDS = OUTCOME_LABELS
SCORE_COLUMNS = tuple((k, REG.statistic(k).symbol) for k in ("log_loss", "brier", "auc"))
SHRUNK = BASELINES[1]  # the baseline drawn beside the model in the reliability figure
FEATURE_WORDS = {
    "intercept": "intercept",
    "mid_share_10y": "share of the last ten years with a dispute onset",
    "fatal_share_10y": "share of the last ten years with a fatal dispute onset",
    "log_years_since_mid": "log years since the last dispute onset (capped)",
    "log_years_since_fatal": "log years since the last fatal dispute onset (capped)",
    "one_nuclear": "one side had tested a nuclear device",
    "both_nuclear": "both sides had tested a nuclear device",
    "protected_sides": "non-nuclear sides with a defence pact with a nuclear power",
    "log_cinc_ratio": "log of the weaker side's capability share over the stronger's (CINC)",
    "positional": "positional rivalry",
    "spatial": "spatial rivalry",
    "ideological": "ideological rivalry",
    "interventionary": "interventionary rivalry",
    "trend": "time trend (per decade)",
}
BASELINE_WORDS = BASELINE_MEANINGS
SMALL = 0.0005  # differences below this vanish at three decimals; the sentence says so


def _f(v: float | None, digits: int = 3) -> str:
    """A number to ``digits`` decimals; '-' for a missing or NaN one."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    return f"{v:.{digits}f}"


def _words(outcome: str) -> str:
    return OUTCOME_WORDS.get(outcome, outcome.replace("_", " "))


def _span(result: dict) -> tuple[int, int]:
    first, last = result["test_years"][0], result["test_years"][-1]
    return int(first), int(last)


# --- figure -------------------------------------------------------------------------------------

def reliability_figure(result: dict, path: str | Path) -> Path:
    """Reliability of the model and of the shrunk own-rate baseline, one panel per outcome
    (mean forecast against observed share per bin, marker area by rivalry-years), written
    atomically to ``path``."""
    plt = pyplot()
    outcomes = list(result["outcomes"])
    fig, axes = plt.subplots(1, len(outcomes), figsize=(4.2 * len(outcomes), 4.4), dpi=120,
                             squeeze=False)
    n_max = max((b["n"] for o in outcomes for bins in result["outcomes"][o]["reliability"].values()
                 for b in bins), default=1) or 1
    for ax, o in zip(axes[0], outcomes, strict=True):
        rel = result["outcomes"][o]["reliability"]
        top = 0.0
        for who, color, marker in (("model", "tab:blue", "o"), (SHRUNK, "tab:orange", "s")):
            bins = rel.get(who, [])
            if not bins:
                continue
            x = [b["mean_forecast"] for b in bins]
            y = [b["observed"] for b in bins]
            ax.plot(x, y, color=color, lw=0.8, alpha=0.7)
            ax.scatter(x, y, s=[15 + 120 * b["n"] / n_max for b in bins], color=color,
                       marker=marker, alpha=0.8, edgecolor="white", linewidth=0.5, zorder=3,
                       label="model" if who == "model" else f"baseline: {who}")
            top = max(top, *x, *y)
        top = min(1.0, 1.1 * top) if top > 0 else 1.0
        ax.plot([0, top], [0, top], color="0.5", lw=0.8, ls="--", label="perfect reliability")
        ax.set_xlim(-0.03 * top, top)
        ax.set_ylim(-0.03 * top, top)
        ax.set_title(f"{_words(o)} (observed rate {_f(result['outcomes'][o]['rate'])})",
                     fontsize=10)
        ax.set_xlabel("forecast probability per rivalry-year")
        ax.set_ylabel("observed share")
        ax.legend(fontsize=7, loc="upper left")
    first, last = _span(result)
    fig.suptitle(f"Reliability of ex-ante forecasts {first}-{last}, trained to "
                 f"{result['trained_until']} (marker area by rivalry-years in the bin)",
                 fontsize=11)
    return save_figure(fig, path)


# --- page ---------------------------------------------------------------------------------------

def _score_row(name: str, s: dict) -> str:
    return f"| {name} | " + " | ".join(_f(s.get(k)) for k, _ in SCORE_COLUMNS) + " |"


def beats_sentence(outcome: str, block: dict) -> str:
    """Whether the model's log loss is below each baseline's, in words, from the numbers."""
    model = block["model"]["log_loss"]
    parts = []
    for name, s in block["baselines"].items():
        other = s["log_loss"]
        verdict = "beats" if model < other else "does not beat"
        close = ", by less than 0.001" if abs(model - other) < SMALL else ""
        parts.append(f"{verdict} the {name} ({_f(other)}{close})")
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return (f"{_words(outcome).capitalize()}: on log loss the model ({_f(model)}) {listed}."
            if parts else "No baseline was scored.")


def scores_section(result: dict) -> str:
    """One scores table per outcome, with the sentence on log loss."""
    out = []
    head = "| forecast | " + " | ".join(c for _, c in SCORE_COLUMNS) + " |"
    for o, block in result["outcomes"].items():
        rows = "\n".join([_score_row("model", block["model"]),
                          *(_score_row(f"baseline: {n}", s)
                            for n, s in block["baselines"].items())])
        out.append(f"""### {_words(o).capitalize()} (`{o}`)

{block['events']} of the {result['rows_scored']} scored rivalry-years had one (rate
{_f(block['rate'])}).

{head}
|---|---|---|---|
{rows}

{beats_sentence(o, block)}
""")
    return "\n".join(out)


def reliability_section(result: dict) -> str:
    """One reliability table per outcome: the bins of each forecast side by side."""
    out = []
    for o, block in result["outcomes"].items():
        rel = block["reliability"]
        who = list(rel)
        head = "| bin | " + " | ".join(f"{w}: mean forecast | {w}: observed | {w}: n"
                                       for w in who) + " |"
        rule = "|---|" + "---|---|---|" * len(who)
        rows = []
        for i in range(max((len(b) for b in rel.values()), default=0)):
            cells = []
            for w in who:
                b = rel[w][i] if i < len(rel[w]) else None
                cells.append("- | - | -" if b is None else
                             f"{_f(b['mean_forecast'])} | {_f(b['observed'])} | {b['n']}")
            rows.append(f"| {i + 1} | " + " | ".join(cells) + " |")
        out.append(f"### {_words(o).capitalize()}\n\n{head}\n{rule}\n" + "\n".join(rows) + "\n")
    return "\n".join(out)


def coefficients_section(fit: dict) -> str:
    """The coefficient table (mean ± sd on the logit scale) and sigma of each rivalry effect."""
    outcomes = list(fit["outcomes"])
    features = fit.get("features") or list(fit["outcomes"][outcomes[0]]["coefficients"])
    head = ("| feature | meaning | " + " | ".join(_words(o) for o in outcomes) + " |\n"
            + "|---|---|" + "---|" * len(outcomes))
    rows = []
    for f in features:
        cells = []
        for o in outcomes:
            c = fit["outcomes"][o]["coefficients"].get(f)
            cells.append("-" if c is None else f"{_f(c['mean'])} ± {_f(c['sd'])}")
        rows.append(f"| `{f}` | {FEATURE_WORDS.get(f, f)} | " + " | ".join(cells) + " |")
    sig = [_f(math.exp(fit["outcomes"][o]["log_sigma"]["mean"])) for o in outcomes]
    rows.append("| sigma | sd of the rivalry effect, exp(mean of log sigma) | "
                + " | ".join(sig) + " |")
    return head + "\n" + "\n".join(rows)


def korea_section(fit: dict, korea: dict) -> str:
    """The Korean rivalry's (``korea``: its rivalry_id) own random effect per outcome, with its
    rank among the rivalries."""
    rows = []
    for o, f in fit["outcomes"].items():
        effects = f["rivalry_effects"]
        e = effects.get(str(korea["rivalry_id"]))
        if e is None:
            rows.append(f"| {_words(o)} | not in the fit | - | - |")
            continue
        rank = 1 + sum(v["mean"] > e["mean"] for v in effects.values())
        rows.append(f"| {_words(o)} | {_f(e['mean'])} ± {_f(e['sd'])} | "
                    f"{_f(math.exp(e['mean']))} | {rank} of {len(effects)} |")
    return ("| outcome | effect (logit, mean ± sd) | odds factor exp(mean) | rank (1 = highest) |\n"
            "|---|---|---|---|\n" + "\n".join(rows))


MISS_FACTOR = 1.5  # a bin's forecast this many times its observed share (or less than 1/this): a miss


def misses_section(result: dict) -> str:
    """Where the model's reliability misses, computed from its lowest and highest bins: a
    forecast MISS_FACTOR times the observed share or more (too high), or under 1/MISS_FACTOR
    of it (too low)."""
    lines = []
    for o, r in result["outcomes"].items():
        bins = r["reliability"]["model"]
        for where, b in (("lowest", bins[0]), ("highest", bins[-1])):
            f, obs = b["mean_forecast"], b["observed"]
            if f >= MISS_FACTOR * obs or f * MISS_FACTOR <= obs:
                word = "too high" if f > obs else "too low"
                lines.append(f"- {_words(o).capitalize()}: the {where} bin was forecast {_f(f)} "
                             f"and saw {_f(obs)} ({b['n']} rivalry-years): {word}.")
    if not lines:
        return "No bin at either end misses by a factor of 1.5 or more.\n"
    return ("\n".join(lines) + "\n\nForecasts that are too high in the highest bin and too low "
            "in the lowest are too spread: the recency terms and the rivalry effects carry each "
            "rivalry's past level forward over the whole horizon, where the record regressed to "
            "the mean (our reading, not a test).\n")


def render(result: dict, figure_name: str = FIGURE_NAME) -> str:
    """The whole page from a self-check result; ``figure_name`` is the figure's path relative
    to the page."""
    fit = result["fit"]
    t = result["trained_until"]
    first, last = _span(result)
    horizon = last - first + 1
    outcomes = ", ".join(f"{_words(o)} (`{o}`)" for o in result["outcomes"])
    names = list(next(iter(result["outcomes"].values()))["baselines"])
    baselines = "; ".join(f"{BASELINE_WORDS.get(n, n)} (*{n}*)" for n in names)
    fit_line = (f"Fitted on {fit['rows']} rivalry-years {fit['first_year']}-{fit['trained_until']} "
                f"by {fit['method']}; Normal(0, {_f(fit['fe_prior_sd'], 1)}²) priors on the "
                "coefficients.") if "method" in fit else ""
    return f"""# The rivalry reference class: self-check

## What this checks

The reference class is the world's strategic rivalries (Thompson-Sakuwa-Suhas), the Korean
rivalry among them; the unit is the rivalry-year. For each outcome, {outcomes}, a hierarchical
logistic model with a random intercept per rivalry is trained on the years up to {t}. It then
predicts the years {first}-{last} ex ante for the {result['rivalries']} rivalries going in {t},
and is scored on the {result['rows_scored']} rivalry-years that happened (the years those
rivalries were still going). It is compared with {len(names)} baselines, fitted, like the model,
only on the training years: {baselines}.

## Scores, {first}-{last}

Log loss and Brier score: lower is better. AUC: higher is better (0.5 for a forecast that does
not rank the rivalry-years).

{scores_section(result)}
## Reliability

![reliability of the model and the shrunk own-rate baseline]({figure_name})

Forecasts grouped into quantile bins of each forecast separately: the bin's mean forecast, the
share of its rivalry-years with the outcome and their number.

{reliability_section(result)}
### Where the model misses

{misses_section(result)}
## Fitted coefficients (trained to {t})

{fit_line} Mean ± sd of the variational posterior, logit scale.

{coefficients_section(fit)}

## The Korean rivalry ({result['korea']['rivalry']}, id {result['korea']['rivalry_id']})

Its own random effect (logit scale; added to the linear predictor of every Korean year), the
odds factor it implies and its rank among the rivalries of the fit.

{korea_section(fit, result['korea'])}

## Limits

- Mean-field variational posteriors are narrower than the exact posterior: the sds above
  understate the uncertainty.
- The ex-ante predictions over a {horizon}-year horizon ({first}-{last}) hold every covariate
  except recency and trend at its value in {t}.
- Nuclear status is coded from first tests (Israel has not tested, so it is not coded nuclear).
- Defence pacts with nuclear powers come from a hand-coded table of the main alliance systems
  plus ATOP's rival dyads (see the package's data/rivalries/SOURCES.md).
- Years after {last} are not used here: they are held for an independent test.

## Regenerate

```sh
peninsula rivalries check --train-until {t} --to-year {last} --write {PAGE}
```

(the figure is written beside the page as docs/{FIGURE_NAME}).
"""


def write(result: dict, md_path: str | Path, png_path: str | Path | None = None
          ) -> tuple[Path, Path]:
    """Write the page and its figure (beside the page unless ``png_path``) atomically;
    returns (page, figure)."""
    from peninsula.io.store import write_text

    md_path = Path(md_path)
    png_path = md_path.parent / FIGURE_NAME if png_path is None else Path(png_path)
    reliability_figure(result, png_path)
    rel = Path(os.path.relpath(png_path.resolve(), md_path.parent.resolve())).as_posix()
    write_text(render(result, rel), md_path)
    return md_path, png_path
