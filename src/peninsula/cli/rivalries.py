"""The rivalry reference class: ``rivalries show | fit | predict | check``."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from peninsula.cli import running as R
from peninsula.cli.app import api, rivalries_app
from peninsula.cli.options import json_opt, out_path
from peninsula.cli.render import out, print_json
from peninsula.io.rivalries import OUTCOME_LABELS

TableOpt = Annotated[Path | None, typer.Option("--table", help="A rivalry-year CSV with the "
                                               "bundled table's columns (default: the bundled "
                                               "table).")]
Year = Annotated[int, typer.Option(min=1800, max=2200)]
FitOpt = Annotated[Path | None, typer.Option("--fit", help="A fit from 'rivalries fit --out' "
                                             "(default: fit on every year of the table).")]
OUTCOME_WORDS = OUTCOME_LABELS


@rivalries_app.command("show")
def show_cmd(table: TableOpt = None, as_json: json_opt("Print as JSON.") = False) -> None:
    """What the rivalry-year table holds: rivalries, years, and each outcome's count and rate,
    overall and for the Korean rivalry."""
    with R.checked():
        s = api.rivalries_show(table)
    if as_json:
        print_json(s)
        return
    t = Table(title=f"Rivalry-years {s['first_year']}-{s['last_year']}: {s['rivalry_years']:,} "
                    f"in {s['rivalries']} rivalries ({s['going_at_end']} going at the end)",
              title_justify="left")
    for col in ("outcome", "events", "rate per rivalry-year", "Korea: events",
                "Korea: rate"):
        t.add_column(col, justify="left" if col == "outcome" else "right")
    for o, words in OUTCOME_WORDS.items():
        a, k = s["outcomes"][o], s["korea"]["outcomes"][o]
        t.add_row(words, f"{a['events']:,}", f"{a['rate']:.3f}", str(k["events"]),
                  "-" if k["rate"] is None else f"{k['rate']:.3f}")
    out.print(t)


@rivalries_app.command("fit")
def fit_cmd(
    out_file: Annotated[Path | None, typer.Option("--out", parser=out_path,
                                                  help="Write the fit (JSON).")] = None,
    train_until: Annotated[int | None, typer.Option(help="Last training year (default: the "
                                                         "table's last).")] = None,
    table: TableOpt = None,
    as_json: json_opt("Print the fit as JSON.") = False,
) -> None:
    """Fit the hierarchical logistic models of dispute, fatal-dispute and war onset."""
    if out_file is not None:
        R.check_writable(out_file, "file")
    with R.checked():
        fitted = api.rivalries_fit(train_until, table)
    if out_file is not None:
        api.rivalries_save_fit(fitted, out_file)
    if as_json:
        print_json(fitted.to_dict())
        return
    print_fit(fitted.to_dict())


@rivalries_app.command("predict")
def predict_cmd(
    from_year: Year,
    to_year: Year,
    fit: FitOpt = None,
    table: TableOpt = None,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the posterior draws and paths.")] = 0,
    paths: Annotated[int | None, typer.Option(min=100, max=1_000_000, help="Simulated paths "
                                              "(one posterior draw each).")] = None,
    as_json: json_opt("Print {trained_until, predictions: [...]} as JSON.") = False,
) -> None:
    """Ex-ante yearly probabilities for every rivalry going at the training end, years
    FROM_YEAR..TO_YEAR, from nothing after the training end."""
    with R.checked():
        res = api.rivalries_predict(from_year, to_year, fit, table, seed=seed, paths=paths)
    if as_json:
        print_json(res)
        return
    t = Table(title=f"Ex-ante probabilities per year (trained until {res['trained_until']}, "
                    f"{res['paths']:,} paths)", title_justify="left")
    for col in ("rivalry", "year", *OUTCOME_WORDS.values()):
        t.add_column(col, justify="left" if col == "rivalry" else "right")
    for p in res["predictions"]:
        t.add_row(p["rivalry"], str(p["year"]), *(f"{p[f'p_{o}']:.3f}" for o in OUTCOME_WORDS))
    out.print(t)


@rivalries_app.command("check")
def check_cmd(
    train_until: Annotated[int, typer.Option(help="Last training year.")] = 1985,
    to_year: Annotated[int, typer.Option(help="Last year predicted and scored.")] = 2000,
    table: TableOpt = None,
    seed: Annotated[int, typer.Option(min=0)] = 0,
    write: Annotated[Path | None, typer.Option("--write", parser=out_path, help="Write the "
                                               "self-check page (Markdown, with its reliability "
                                               "figure beside it).")] = None,
    as_json: json_opt("Print the scores as JSON.") = False,
) -> None:
    """Self-check: train to TRAIN_UNTIL, predict the years after ex ante, score against the
    pooled rate, each rivalry's shrunk own rate and the last decade's rate."""
    if write is not None:
        R.check_writable(write, "file")
    with R.checked():
        res = api.rivalries_check(train_until, to_year, table, seed=seed)
    if write is not None:
        from peninsula.report.reference_class_doc import write as write_page

        write_page(res, write)
    if as_json:
        print_json(res)
        return
    print_check(res, train_until, to_year)


CHECK_SCORES = ("log_loss", "brier", "auc")  # the self-check's scores, worded by the registry


def print_check(res: dict, train_until: int, to_year: int) -> None:
    """The self-check's scores per outcome and forecaster, headed by the registry's symbols."""
    from peninsula.analysis.registry import statistic_label

    heads = [statistic_label(k) for k in CHECK_SCORES]
    t = Table(title=f"Trained to {train_until}, predicted {train_until + 1}-{to_year} ex ante "
                    f"({res['rows_scored']:,} rivalry-years): {' / '.join(heads)}",
              title_justify="left")
    t.add_column("outcome")
    t.add_column("forecaster")
    for head in heads:
        t.add_column(head, justify="right")
    for o, r in res["outcomes"].items():
        for name, sc in {"model": r["model"], **r["baselines"]}.items():
            t.add_row(OUTCOME_WORDS[o], name,
                      *("-" if sc[k] is None or math.isnan(sc[k]) else f"{sc[k]:.3f}"
                        for k in CHECK_SCORES))
    out.print(t)


def print_fit(d: dict) -> None:
    """The coefficients of the three models (posterior mean and sd, logit scale)."""
    t = Table(title=f"Reference-class fit: {d['rows']:,} rivalry-years {d['first_year']}-"
                    f"{d['trained_until']}; posterior mean (sd), logit scale", title_justify="left")
    t.add_column("term")
    for o in d["outcomes"]:
        t.add_column(OUTCOME_WORDS[o], justify="right")
    for f in d["features"]:
        t.add_row(f, *(f"{r['coefficients'][f]['mean']:+.2f} ({r['coefficients'][f]['sd']:.2f})"
                       for r in d["outcomes"].values()))
    t.add_row("sigma of the rivalry effect", *(f"{math.exp(r['log_sigma']['mean']):.2f}"
                                               for r in d["outcomes"].values()))
    out.print(t)


@rivalries_app.command("korea")
def korea_cmd(
    fit: FitOpt = None,
    table: TableOpt = None,
    seed: Annotated[int, typer.Option(min=0)] = 0,
    as_json: json_opt("Print as JSON.") = False,
) -> None:
    """The Korean rivalry's yearly probabilities under the reference-class posterior, as
    recorded and with the DPRK's nuclear status: mean [5%-95%]."""
    with R.checked():
        res = api.rivalries_korea(fit, table, seed=seed)
    if as_json:
        print_json(res)
        return
    t = Table(title=f"{res['rivalry']}: yearly probability in {res['trained_until'] + 1} under "
                    "the reference-class posterior, mean [90% interval]", title_justify="left")
    for col in ("outcome", "covariates as recorded", "with the DPRK nuclear"):
        t.add_column(col, justify="left" if col == "outcome" else "right")
    for o, words in OUTCOME_WORDS.items():
        t.add_row(words, *(f"{c[o]['mean']:.3f} [{c[o]['q05']:.3f}-{c[o]['q95']:.3f}]"
                           for c in (res["as_recorded"], res["dprk_nuclear"])))
    out.print(t)


@rivalries_app.command("priors")
def priors_cmd(
    fit: FitOpt = None,
    table: TableOpt = None,
    first_arsenal: Annotated[float | None, typer.Option(
        help="Warhead-equivalents of a first-test arsenal, the low end of the contrast "
             "(default 5; the high end is the model's reference stock, 50).")] = None,
    seed: Annotated[int, typer.Option(min=0)] = 0,
    ladder: Annotated[bool, typer.Option(
        "--ladder", help="Derive the priors of the ladder's incident, hostilities and war "
                         "hazards and of the paradox for the DPRK-ROK rivalry (the parameter "
                         "table's rows, with the mapping's assumptions as their basis).")] = False,
    write: Annotated[bool, typer.Option(
        "--write", help="Write the derived rows into the package's parameter table "
                        "(implies --ladder).")] = False,
    as_json: json_opt("Print as JSON.") = False,
) -> None:
    """The stability-instability paradox's elasticities implied by the nuclear contrasts of the
    reference class: mean [90% interval] and the share of the posterior with the paradox's
    sign. With --ladder (or --write) the ladder's derived priors."""
    if ladder or write:
        _ladder_priors(fit, table, seed, write, as_json)
        return
    with R.checked():
        res = api.rivalries_priors(fit, table, seed=seed, first_arsenal=first_arsenal)
    if as_json:
        print_json(res)
        return
    lo, hi = res["arsenal_span"]
    t = Table(title=f"Paradox elasticities from the reference class (trained until "
                    f"{res['trained_until']}; arsenal {lo:g} to {hi:g} warhead-equivalents)",
              title_justify="left")
    for col in ("contrast", "parameter", "mean [90% interval]", "share > 0"):
        t.add_column(col, justify="left" if col in ("contrast", "parameter") else "right")
    for contrast in ("one_nuclear", "both_nuclear"):
        for name, v in res[contrast].items():
            t.add_row(contrast.replace("_", " "), name,
                      f"{v['mean']:+.2f} [{v['q05']:+.2f}, {v['q95']:+.2f}]",
                      f"{v['share_positive']:.0%}")
    out.print(t)


def _ladder_priors(fit: Path | None, table: Path | None, seed: int, write: bool,
                   as_json: bool) -> None:
    """Derive (and with ``write`` write) the ladder's priors (api.rivalries_ladder_priors)."""
    with R.checked():
        res = api.rivalries_ladder_priors(fit, table, seed=seed, write=write)
    if as_json:
        print_json(res)
        return
    t = Table(title=f"Priors derived from the reference class (trained until "
                    f"{res['targets']['trained_until']}; DPRK-ROK, one nuclear side)",
              title_justify="left")
    for col in ("parameter", "derived 5% / 50% / 95%", "table row: mode [support]"):
        t.add_column(col, justify="left" if col == "parameter" else "right")
    for name, v in res["priors"].items():
        t.add_row(name, f"{v['q05']:.4g} / {v['q50']:.4g} / {v['q95']:.4g}",
                  f"{v['value']:.4g} [{v['range'][0]:.4g}, {v['range'][1]:.4g}]")
    out.print(t)
    if write:
        out.print(f"wrote {len(res['written']['parameters'])} rows of "
                  f"{res['written']['file']}")
