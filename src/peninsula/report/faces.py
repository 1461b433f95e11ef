"""Print the tables of docs/faces.md (both faces, four strategies) from fresh ensembles.

Run: python -m peninsula.report.faces [RUNS]   (default 10,000 runs, seed 11; ~2 minutes)
"""

from __future__ import annotations

import sys

from peninsula.api import run
from peninsula.scenario.loader import load_scenario

STRATEGIES = ("open_communication", "flexible_diplomacy", "multilateral_engagement",
              "strategic_clarity")


def _summary(sc, runs):
    return run(sc, runs=runs, seed=11, record_monthly=False, record_events=False).summary()


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    print("| face | exercise_intensity | P(clash) % | P(war) % [90% CI] | launches/yr "
          "| CN-RU alignment | KSI |\n|---|---|---|---|---|---|---|")
    for face in ("deterrence", "spiral"):
        for e in (0.5, 1.2, 2.0):
            sc = load_scenario(f"{face}-dominates",
                               [f"levers.exercise_intensity={e}"])
            s = _summary(sc, runs)
            lo, hi = s["intervals_90"]["p_war"]["10"]
            print(f"| {face} | {e} | {100 * s['p_clash']['10']:.1f} | "
                  f"{100 * s['p_war']['10']:.2f} [{100 * lo:.2f}-{100 * hi:.2f}] | "
                  f"{s['dprk_launches_per_year']['mean']:.1f} | "
                  f"{s['alignment_china_russia']['mean']:.2f} | {s['stability_index']['mean']:.1f} |")
    print("\n| strategy lever | value | P(clash) % | P(war) % | launches/yr | CN-RU alignment "
          "| denuclearisation | KSI |\n|---|---|---|---|---|---|---|---|")
    for lever in STRATEGIES:
        for v in (0, 1):
            sc = load_scenario("baseline", ["scenario.sample_parameters=false",
                                            f"levers.{lever}={v}"])
            s = _summary(sc, runs)
            print(f"| {lever} | {v} | {100 * s['p_clash']['10']:.1f} | "
                  f"{100 * s['p_war']['10']:.2f} | {s['dprk_launches_per_year']['mean']:.1f} | "
                  f"{s['alignment_china_russia']['mean']:.2f} | "
                  f"{s['denuclearization_progress']['mean']:.3f} | "
                  f"{s['stability_index']['mean']:.1f} |")


if __name__ == "__main__":
    main()
