"""The studies' results as pandas data frames, for Python users.

``compare``, ``explain`` and ``discover`` return nested dicts, because their JSON (the command
line's ``--json``, the dashboard's downloads) is a contract whose keys do not change. These
functions lay the same numbers out as tidy tables, one row per observation, with the JSON's
keys as column names, so a study goes straight into pandas (filtering, plotting, joining with a
sweep). Each frame's ``attrs`` keep the result's provenance (scenario, runs, seed, ...) and a
``labels`` mapping (column or metric -> words) that ``attach_labels`` fills when the registry
of what is reported provides labels; frames stay usable without it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

LabelSource = Callable[[str], str | None]  # name -> label in words, None when unknown


def _provenance(result: dict) -> dict:
    """The result's scalar entries (scenario, runs, seed, ...): the frame's ``attrs``."""
    return {k: v for k, v in result.items()
            if v is None or isinstance(v, str | int | float | bool | np.number)}


def _number(value: float | None) -> float:
    """A JSON number as a float cell: null (not applicable) is NaN."""
    return np.nan if value is None else float(value)


def attach_labels(frame: pd.DataFrame, names: Iterable[str],
                  label: LabelSource | None) -> pd.DataFrame:
    """``frame.attrs["labels"]``: each of ``names`` (columns, metrics) with its label from
    ``label`` (the registry's lookup), where it has one; an empty mapping without a source."""
    found = {} if label is None else {n: label(n) for n in dict.fromkeys(names)}
    frame.attrs["labels"] = {n: text for n, text in found.items() if text}
    return frame


def compare_frame(result: dict, label: LabelSource | None = None) -> pd.DataFrame:
    """A comparison (``compare``'s result) as one row per policy and metric: ``policy``,
    ``metric``, the estimate's keys (``mean``, ``p05``, ``p95``, ``se``, ...) and the paired
    difference against the reference policy as ``difference_<key>`` (empty for the reference
    itself), so each policy's level stands beside its difference. The evidence on the headline
    metric (``p_better``, ``carried_by`` and their notes) is in ``attrs["evidence"]``."""
    rows, evidence = [], {}
    for policy, estimates in result["policies"].items():
        diffs = result.get("differences", {}).get(policy, {})
        evidence_here = {k: v for k, v in diffs.items() if not isinstance(v, dict)}
        if evidence_here:
            evidence[policy] = evidence_here
        for metric, est in estimates.items():
            diff = diffs.get(metric, {})
            rows.append({"policy": policy, "metric": metric, **est,
                         **{f"difference_{k}": v for k, v in diff.items()}})
    frame = pd.DataFrame(rows)
    frame.attrs.update(_provenance(result))
    frame.attrs["evidence"] = evidence
    return attach_labels(frame, frame["metric"] if len(frame) else [], label)


def explain_frame(result: dict, label: LabelSource | None = None) -> pd.DataFrame:
    """An explanation (``explain``'s result) as one row per part and outcome: ``kind``
    (``level`` for the scenario and its counterfactual, ``total``, ``channel``,
    ``interaction``, ``mechanism``), ``name``, ``outcome``, ``value`` (a level, or a
    difference on minus off) and its paired 90% interval (``interval_90_low``,
    ``interval_90_high``; empty where the result gives none)."""
    parts = [("level", "full", result["full"], None),
             ("level", "counterfactual", result["counterfactual"], None),
             ("total", "total", result["total"], result.get("total_interval_90")),
             *(("channel", c, v, result["intervals_90"].get(c))
               for c, v in result["contributions"].items()),
             ("interaction", "interaction", result["interaction"], None),
             *(("mechanism", m, v, result["mechanism_intervals_90"].get(m))
               for m, v in result["mechanisms"].items())]
    rows = []
    for kind, name, values, intervals in parts:
        for outcome, value in values.items():
            low, high = (intervals or {}).get(outcome) or (np.nan, np.nan)
            rows.append({"kind": kind, "name": name, "outcome": outcome, "value": value,
                         "interval_90_low": low, "interval_90_high": high})
    frame = pd.DataFrame(rows)
    frame.attrs.update(_provenance(result))
    return attach_labels(frame, frame["outcome"] if len(frame) else [], label)


def discover_frame(result: dict, label: LabelSource | None = None) -> pd.DataFrame:
    """A discovery's trajectory (``discover``'s result) as one row per box of the peeling
    and pasting: ``box`` (its index, as ``--inspect`` takes it), ``coverage``, ``density``,
    ``mass``, ``lift``, ``res_dim`` and ``chosen`` (the box the reported one started from).
    A box's limits: ``box_frame``."""
    keys = ("coverage", "density", "mass", "lift", "res_dim")
    chosen = result["box"].get("trajectory_index")
    frame = pd.DataFrame([{"box": i, **{k: step.get(k) for k in keys}, "chosen": i == chosen}
                          for i, step in enumerate(result["trajectory"])])
    frame.attrs.update(_provenance(result))
    frame.attrs["warnings"] = list(result.get("warnings", []))
    return attach_labels(frame, frame.columns, label)


def box_frame(box: dict, label: LabelSource | None = None) -> pd.DataFrame:
    """A box's limits (the ``box`` of ``discover``'s result, or an inspected one) as one row
    per restricted parameter: ``parameter``, ``low``, ``high``, the prior range
    (``prior_low``, ``prior_high``), ``share_removed`` and the quasi-p values
    (``qp_low``, ``qp_high``; empty where that side is not restricted)."""
    ranges, removed = box.get("prior_ranges", {}), box.get("share_removed", {})
    rows = [{"parameter": name, "low": low, "high": high,
             "prior_low": ranges.get(name, [np.nan, np.nan])[0],
             "prior_high": ranges.get(name, [np.nan, np.nan])[1],
             "share_removed": removed.get(name, np.nan),
             "qp_low": _number(box["qp"][name][0]), "qp_high": _number(box["qp"][name][1])}
            for name, (low, high) in box["limits"].items()]
    columns = ["parameter", "low", "high", "prior_low", "prior_high", "share_removed",
               "qp_low", "qp_high"]
    frame = pd.DataFrame(rows, columns=columns)
    frame.attrs.update({k: box[k] for k in ("coverage", "density", "mass", "lift", "index")
                        if k in box})
    return attach_labels(frame, frame["parameter"], label)
