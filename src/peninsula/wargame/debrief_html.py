"""debrief.html: the debrief as one self-contained page (the brief's style, inline SVG fans).

Every probability and difference is worded and formatted by the registry
(analysis/registry.py): percent with one decimal, differences in percentage points.
"""

from __future__ import annotations

import html

from peninsula.analysis import registry
from peninsula.report.brief_page import CSS
from peninsula.wargame.words import inject_words

WAR = registry.metric("p_war")
SVG_W, SVG_H, PAD = 420, 160, 30


def _e(text: object) -> str:
    return html.escape(str(text))


def table(head: list[str], rows: list[list[str]]) -> str:
    """An HTML table of escaped cells."""
    th = "".join(f"<th>{_e(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def fan_svg(fan: dict, title: str) -> str:
    """The tension fan of the next months as an inline SVG: 5-95% and 25-75% bands, median."""
    months = fan["months"]
    q = fan["tension"]
    n = len(months)
    if n == 0:
        return ""

    def x(i: int) -> float:
        return PAD + (SVG_W - 2 * PAD) * (i / max(n - 1, 1))

    def y(v: float) -> float:
        return SVG_H - PAD - (SVG_H - 2 * PAD) * max(0.0, min(1.0, v))

    def band(lo: str, hi: str) -> str:
        pts = [f"{x(i):.1f},{y(q[hi][i]):.1f}" for i in range(n)]
        pts += [f"{x(i):.1f},{y(q[lo][i]):.1f}" for i in reversed(range(n))]
        return " ".join(pts)

    median = " ".join(f"{x(i):.1f},{y(q['0.5'][i]):.1f}" for i in range(n))
    return (f'<figure><svg xmlns="http://www.w3.org/2000/svg" width="{SVG_W}" height="{SVG_H}" '
            f'role="img" aria-label="{_e(title)}">'
            f'<rect x="{PAD}" y="{PAD}" width="{SVG_W - 2 * PAD}" height="{SVG_H - 2 * PAD}" '
            'fill="none" stroke="#bbb"/>'
            f'<polygon points="{band("0.05", "0.95")}" fill="#c6dbef"/>'
            f'<polygon points="{band("0.25", "0.75")}" fill="#6baed6"/>'
            f'<polyline points="{median}" fill="none" stroke="#08306b" stroke-width="2"/>'
            f'<text x="{PAD}" y="{PAD - 8}" font-size="11">tension (0-1), next {n} months</text>'
            f'<text x="{PAD}" y="{SVG_H - 8}" font-size="10">month {months[0] + 1}</text>'
            f'<text x="{SVG_W - PAD}" y="{SVG_H - 8}" font-size="10" text-anchor="end">month '
            f'{months[-1] + 1}</text></svg><figcaption>{_e(title)}: bands 5th-95th and '
            "25th-75th percentile across the branched futures, line the median</figcaption>"
            "</figure>")


def _diff(e: dict) -> str:
    return WAR.format_estimate(e, difference=True)


def render(doc: dict) -> str:
    """The page of a debrief document (wargame/debrief.py)."""
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Debrief: "
             f"{_e(doc['scenario'])}</title><style>{CSS}</style></head><body>",
             f"<h1>Wargame debrief: {_e(doc['scenario'])}</h1>",
             f"<p class='meta'>seed {doc['seed']}, {doc['runs']:,} futures per branch, "
             f"{doc['turns_played']} turns of {doc['months_per_turn']} months</p>",
             f"<p class='note'>{_e(doc['note'])}</p>", "<h2>Turns</h2>"]
    rows = []
    for t in doc["turns"]:
        moves = "; ".join(f"{c['label']} {c['from']:g} to {c['to']:g}" for c in t["changes"])
        injects = "; ".join(inject_words(i).removeprefix("inject: ") for i in t["injects"])
        rows.append([str(t["turn"]), t["month"], moves or "hold", injects or "-",
                     t["state_at_start"]["rung_words"], t["state_at_end"]["rung_words"],
                     WAR.format(t["p_war_remaining_held"]), WAR.format(t["p_war_remaining_move"]),
                     _diff(t["effect"]["p_war_remaining"])])
    parts.append(table(["Turn", "Month", "Moves", "Injects", "Rung at start", "Rung at end",
                        f"{doc['headline']}: levers held", "under the move",
                        "paired effect [90% interval]"], rows))
    for t in doc["turns"]:
        parts.append(fan_svg(t["fan"], f"Turn {t['turn']} ({t['month']}), under the move"))
    cf = doc["counterfactual"]
    sq = cf["status_quo_from_start"]
    parts += ["<h2>Counterfactuals</h2>",
              f"<p>Against {_e(sq['label'])}: {doc['headline']} "
              f"{WAR.format(sq['policy']['p_war_remaining'])} under the team's policy, "
              f"{WAR.format(sq['counterfactual']['p_war_remaining'])} under the status quo; "
              f"paired effect {_e(_diff(sq['effect']['p_war_remaining']))}.</p>",
              table(["From turn", "Month", "Team's policy", "Last turn's levers held",
                     "paired effect [90% interval]"],
                    [[str(h["turn"]), h["month"], WAR.format(h["policy"]), WAR.format(h["held"]),
                      _diff(h["effect"]["p_war_remaining"])]
                     for h in cf["hold_from_each_turn"]])]
    parts.append("<h2>Pivotal turns</h2>")
    for p in doc["pivotal_turns"]:
        parts.append(f"<h3>Turn {p['turn']} ({p['month']}): {_e(p['moves'])}</h3>"
                     f"<p>Paired effect on {_e(doc['headline'])}: {_e(_diff(p['effect']))}</p>")
        split = p["channels"]
        if split:
            rows = [[c.replace("_", " ").capitalize(), split["channel_meanings"][c], _diff(v)]
                    for c, v in sorted(split["channels"].items(),
                                       key=lambda kv: -abs(kv[1]["mean"]))]
            rows.append(["not carried by the channels", "the strategies, sanctions and "
                         "interactions", WAR.format_difference(split["not_carried_by_channels"])])
            parts.append(table(["Channel", "What it carries", "effect [90% interval]"], rows))
    path = doc["path"]
    dist = path["policy_distribution"]
    parts += ["<h2>Path</h2>",
              f"<p>At {path['month']} the actual future stood at "
              f"{_e(registry.rung_label(path['actual']['rung']))} with tension "
              f"{path['actual']['tension']:.2f} (percentile "
              f"{100 * path['actual_tension_percentile']:.0f} of the team's policy's futures); "
              f"a clash or worse by then: {'yes' if path['actual']['clash_or_worse_by_then'] else 'no'}"
              f", against {registry.percent(dist['p_clash_or_worse_by_then'])} of the futures.</p>",
              table(["Rung", "Share of futures"],
                    [[registry.rung_label(r), registry.percent(s)]
                     for r, s in dist["rung_shares"].items()]),
              "</body></html>"]
    return "\n".join(parts) + "\n"
