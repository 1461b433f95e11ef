"""Build the package's historical tables (src/peninsula/data/history/) from public source files.

Usage: python tools/build_history.py DATA_DIR
DATA_DIR holds the source files named in src/peninsula/data/history/SOURCES.md (CNS/NTI missile
tests, nuclear tests, exercise timeline, diplomatic milestones, China-Russia patrols, SIPRI, COW).
Facts are drawn from them (counts per month, dates, yearly values); the files are not copied.
Hand-coded series (drill intensity, talks) are written out here with the rule for every value.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "peninsula" / "data" / "history"
FIRST, LAST = 2006, 2025
ACTORS = {"USA": "USA", "KOR": "ROK", "JPN": "JPN", "PRK": "PRK", "CHN": "CHN", "RUS": "RUS"}
COW = {2: "USA", 365: "RUS", 710: "CHN", 731: "PRK", 732: "ROK", 740: "JPN"}

# UN Security Council resolutions on the DPRK's nuclear and missile programmes (sanctions
# regime of resolution 1718). Source: UN Security Council 1718 Committee, resolutions page.
UN_RESOLUTIONS = [("2006-07-15", "1695"), ("2006-10-14", "1718"), ("2009-06-12", "1874"),
                  ("2013-01-22", "2087"), ("2013-03-07", "2094"), ("2016-03-02", "2270"),
                  ("2016-11-30", "2321"), ("2017-06-02", "2356"), ("2017-08-05", "2371"),
                  ("2017-09-11", "2375"), ("2017-12-22", "2397")]

# US-ROK combined exercise intensity by month, coded 0 none .. 1 normal .. 2 expanded.
# Rule: spring exercise (Key Resolve/Foal Eagle, later Freedom Shield) in March-April and the
# summer exercise (UFG/UFS) in August at 1.0 unless the exercise timeline records otherwise;
# "held (expanded)" / "largest ever" = 1.5; "scaled down" with field training = 0.5;
# command-post or computer-only with no field training = 0.3; suspended/cancelled = 0.
DRILL_OVERRIDES = {
    "2016-03": (1.5, "KR/FE 2016 'largest ever'"), "2016-04": (1.5, "KR/FE 2016 'largest ever'"),
    "2017-03": (1.5, "KR/FE 2017 strategic assets as 2016"),
    "2017-04": (1.5, "KR/FE 2017 strategic assets as 2016"),
    "2018-03": (0.0, "KR/FE delayed for the PyeongChang Olympics"),
    "2018-04": (0.5, "KR/FE 2018 held (scaled down), no strategic assets"),
    "2018-08": (0.0, "UFG 2018 suspended after Singapore"),
    "2019-03": (0.3, "KR/FE terminated; Dong Maeng 19-1 CPX"), "2019-04": (0.0, "no spring FTX"),
    "2019-08": (0.3, "Dong Maeng 19-2 computer simulation only"),
    "2020-03": (0.0, "spring CCPT called off (COVID-19)"), "2020-04": (0.0, "no spring FTX"),
    "2020-08": (0.3, "summer CCPT scaled back"),
    "2021-03": (0.3, "spring CCPT, no outdoor drills"), "2021-04": (0.0, "no spring FTX"),
    "2021-08": (0.2, "summer CCPT computer-simulated, cut participation"),
    "2022-03": (0.0, "spring CCPT held in April 2022 (judgement: press reports; not in timeline)"),
    "2022-04": (0.3, "spring CCPT 2022 computer-simulated (judgement: press reports)"),
    "2022-08": (1.0, "UFS 2022: first large-scale field training since 2018"),
    "2023-03": (1.5, "Freedom Shield 23 held (expanded)"),
    "2023-04": (1.0, "Warrior Shield FTX continued (judgement)"),
    "2023-08": (1.2, "UFS 2023 (judgement: held at 2022-23 scale; not in timeline)"),
    "2024-03": (1.2, "Freedom Shield 24 with large-scale FTX"), "2024-04": (0.5, "FTX tail"),
    "2024-08": (1.2, "UFS 2024 CPX + field training"),
    "2025-03": (1.2, "Freedom Shield 25, 16 large-scale FTX"), "2025-04": (0.5, "FTX tail"),
    "2025-08": (0.8, "UFS 2025, half of field events postponed"),
}
# Months with talks under way (leader-level or six-party rounds), from the diplomatic milestones:
# six-party process Feb 2007 - Dec 2008 (agreements 2007-02-13, 2007-10-03, declaration
# 2008-06-26, last meeting 2008-12-08); 2018 summit diplomacy Mar 2018 - Feb 2019 (Panmunjom,
# Singapore, Pyongyang, Hanoi). Leap Day deal (Feb 2012): judgement. After Hanoi no negotiation
# was under way: the June 2019 DMZ meeting was a single encounter and the October 2019 Stockholm
# working-level talks broke off the same day.
TALKS = [("2006-12", "2008-12"), ("2012-02", "2012-03"), ("2018-03", "2019-02")]

# Outside drivers of the China-Russia alignment and the great powers' arms (levers
# us_china_rivalry and russia_west_confrontation, 0..1), coded BY JUDGEMENT as step levels from
# dated public milestones: each level holds from its month until the next entry. The facts are
# the dated events; the levels are judgement, on one rule: 0 engagement, 1 open confrontation
# with broad economic or military measures; a milestone that named or acted on the rivalry as
# the state's policy raises it one step. The 2025 US tariff escalation and the October 2025
# truce are coded as no lasting change (judgement).
OUTSIDE_DRIVERS = [
    ("2006-01", "us_china_rivalry", 0.1, "engagement: US-China Strategic Economic Dialogue "
     "launched (September 2006); China a 'responsible stakeholder' (Zoellick, September 2005)",
     "US Treasury, SED joint fact sheet, 2006; Zoellick speech to the NCUSCR, 21 September 2005"),
    ("2011-11", "us_china_rivalry", 0.2, "US 'pivot' or rebalance to Asia (Obama, Canberra, "
     "17 November 2011)", "White House, remarks to the Australian Parliament, 17 November 2011"),
    ("2017-12", "us_china_rivalry", 0.4, "US National Security Strategy names China a "
     "revisionist power and great-power competition the central challenge (18 December 2017)",
     "White House, National Security Strategy, December 2017"),
    ("2018-07", "us_china_rivalry", 0.55, "Section 301 tariffs on Chinese goods in force "
     "(6 July 2018) and Chinese retaliation", "USTR, Section 301 action, notice of 20 June 2018"),
    ("2019-05", "us_china_rivalry", 0.65, "Huawei added to the Entity List (16 May 2019)",
     "US Department of Commerce, BIS, Federal Register 84 FR 22961, 21 May 2019"),
    ("2022-10", "us_china_rivalry", 0.8, "export controls on advanced computing and "
     "semiconductor manufacturing items to China (7 October 2022); National Security Strategy "
     "(12 October 2022): China 'the most consequential geopolitical challenge'",
     "US Department of Commerce, BIS press release, 7 October 2022; White House, National "
     "Security Strategy, October 2022"),
    ("2006-01", "russia_west_confrontation", 0.1, "cooperation with strains: NATO-Russia "
     "Council in force", "NATO-Russia Council, Rome declaration, 28 May 2002"),
    ("2008-08", "russia_west_confrontation", 0.2, "Russia-Georgia war (7-12 August 2008)",
     "EU Independent International Fact-Finding Mission on the Conflict in Georgia, 2009"),
    ("2014-03", "russia_west_confrontation", 0.5, "annexation of Crimea (18 March 2014); first "
     "US and EU sanctions (17 March 2014); NATO suspends cooperation (1 April 2014)",
     "Council of the EU, decision 2014/145/CFSP, 17 March 2014; NATO foreign ministers' "
     "statement, 1 April 2014"),
    ("2022-02", "russia_west_confrontation", 1.0, "full-scale Russian invasion of Ukraine "
     "(24 February 2022); broad Western sanctions", "UN General Assembly resolution ES-11/1, "
     "2 March 2022; Council of the EU, sanctions packages from 23 February 2022"),
]
# The 2018 inter-Korean Comprehensive Military Agreement (lever military_agreement: 1 in force):
# signed 19 September 2018 at the Pyongyang summit; its buffer zones along the MDL and the NLL and
# the no-fly zone took effect on 1 November 2018. The ROK suspended the no-fly zone on 22 November
# 2023 after the DPRK's satellite launch, and the DPRK declared the next day that it would no
# longer abide by the agreement: out of force from December 2023 (the ROK suspended the whole of
# it on 4 June 2024).
MILITARY_AGREEMENT = [
    ("2018-11", 1.0, "Comprehensive Military Agreement (signed 19 September 2018): buffer zones "
     "on land, at sea and in the air in effect from 1 November 2018",
     "Agreement on the Implementation of the Historic Panmunjom Declaration in the Military "
     "Domain, 19 September 2018; ROK Ministry of National Defense, 1 November 2018"),
    ("2023-12", 0.0, "ROK suspends the no-fly zone (22 November 2023); the DPRK declares it no "
     "longer bound (23 November 2023); ROK suspends the whole agreement (4 June 2024)",
     "ROK Ministry of National Defense statements of 22 November 2023 and 4 June 2024; DPRK "
     "Ministry of National Defence statement, KCNA, 23 November 2023"),
]
SPENDING_TRAINING = (1996, 2005)  # SIPRI years before the replay's start (spending back-test)


def months() -> list[str]:
    return [f"{y}-{m:02d}" for y in range(FIRST, LAST + 1) for m in range(1, 13)]


def in_range(month: str, a: str, b: str) -> bool:
    return a <= month <= b


def main(data: Path) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    missiles = _read(data / "nk_missile_tests/nk_missile_tests_cns_via_nagix_1984_2026.csv")
    launched = Counter(r["date"][:7] for r in missiles)
    days = Counter(day[:7] for day in {r["date"] for r in missiles})
    slv = Counter(r["date"][:7] for r in missiles if r["missile_type"] == "SLV")
    nuke = _read(data / "nk_nuclear_tests/nk_nuclear_tests_2006_2017.csv")
    nuclear = Counter(r["date_utc"][:7] for r in nuke)
    ex = _read(data / "exercises/us_rok_japan_exercises_timeline_2008_2025.csv")
    trilateral = Counter(r["start_date"][:7] for r in ex
                         if r["category"] == "trilateral" and len(r["start_date"]) >= 7
                         and r["status"].startswith("held"))
    dip = _read(data / "diplomacy/korea_diplomatic_milestones_2003_2025.csv")
    summits = Counter(r["date"][:7] for r in dip if r["category"] == "summit"
                      and len(r["date"]) >= 7)
    patrols = _read(data / "diplomacy/china_russia_joint_strategic_air_patrols_2019_2025.csv")
    patrol = Counter(r["date"][:7] for r in patrols)
    unsc = Counter(d[:7] for d, _ in UN_RESOLUTIONS)

    rows = []
    for m in months():
        moy = int(m[5:])
        drill = 1.0 if moy in (3, 4, 8) else 0.0
        note = "series-level: spring KR/FE, August UFG" if drill else ""
        if m in DRILL_OVERRIDES:
            drill, note = DRILL_OVERRIDES[m]
        rows.append({
            "month": m, "missiles_launched": launched[m], "launch_days": days[m],
            "satellite_launches": slv[m], "nuclear_tests": nuclear[m],
            "drill_intensity": drill, "trilateral_drills": trilateral[m],
            "summits": summits[m], "talks_active": int(any(in_range(m, a, b) for a, b in TALKS)),
            "un_sanctions_resolutions": unsc[m], "cn_ru_joint_patrols": patrol[m],
            "drill_note": note,
        })
    _write(OUT / "monthly.csv", rows)
    _write(OUT / "nuclear_tests.csv", [{"date": r["date_utc"], "yield_kt": r["yield_kt_yao2018"],
                                        "site": r["site"]} for r in nuke])
    _write(OUT / "un_sanctions.csv", [{"date": d, "resolution": n} for d, n in UN_RESOLUTIONS])
    _write(OUT / "summits.csv", [{"date": r["date"], "end_date": r["end_date"], "event": r["event"],
                                  "category": r["category"], "parties": r["parties"],
                                  "leader_level": r["leader_level"]}
                                 for r in dip if r["year"] and FIRST <= int(r["year"]) <= LAST])
    _write(OUT / "cn_ru_joint_patrols.csv", [{"date": r["date"], "area": r["area"],
                                              "near_korea_japan": r["near_korea_japan"]}
                                             for r in patrols])
    _write(OUT / "exercises.csv", [{"start": r["start_date"], "end": r["end_date"],
                                    "exercise": r["exercise"], "participants": r["participants"],
                                    "category": r["category"], "status": r["status"]} for r in ex])
    milex = []
    for r in _read(data / "milex_sipri/sipri_milex_usa_kor_jpn_chn_rus_prk_1949_"
                                 "2024.csv"):
        if FIRST <= int(r["year"]) <= 2024 and r["milex_const2023_usd_m"]:
            milex.append({"year": r["year"], "actor": ACTORS[r["iso3"]],
                          "milex_const2023_usd_bn": round(float(r["milex_const2023_usd_m"]) / 1e3, 3),
                          "milex_share_gdp": round(float(r["milex_share_of_gdp"]), 5)})
    _write(OUT / "defence_spending_yearly.csv", milex)
    write_spending_training(data)
    write_outside_drivers()
    write_military_agreement()
    cinc = []
    for r in _read(data / "cow_nmc/nmc_v6_abridged_usa_rus_chn_prk_kor_jpn_1816_"
                                 "2016.csv"):
        if FIRST <= int(r["year"]) <= 2016:
            cinc.append({"year": r["year"], "actor": COW[int(r["ccode"])],
                         "cinc": float(r["cinc"])})
    _write(OUT / "cinc_yearly.csv", cinc)
    goldstein = {r["CAMEOEVENTCODE"]: r["GOLDSTEINSCALE"]
                 for r in _read_tsv(data / "gdelt/CAMEO.goldsteinscale.txt")}
    names = {r["CAMEOEVENTCODE"]: r["EVENTDESCRIPTION"]
             for r in _read_tsv(data / "gdelt/CAMEO.eventcodes.txt")}
    _write(OUT.parent / "cameo.csv", [{"code": c, "goldstein": float(g), "description": names.get(c, "")}
                                      for c, g in goldstein.items()])
    write_incidents(data)
    print(f"wrote tables to {OUT}")


def write_spending_training(data: Path) -> None:
    """SIPRI spending of the years before the replay's start: the naive benchmark's training."""
    rows = []
    for r in _read(data / "milex_sipri/sipri_milex_usa_kor_jpn_chn_rus_prk_1949_2024.csv"):
        year = int(r["year"])
        if SPENDING_TRAINING[0] <= year <= SPENDING_TRAINING[1] and r["milex_const2023_usd_m"]:
            rows.append({"year": year, "actor": ACTORS[r["iso3"]],
                         "milex_const2023_usd_bn": round(float(r["milex_const2023_usd_m"]) / 1e3,
                                                         3)})
    _write(OUT / "defence_spending_training.csv", rows)


def write_outside_drivers() -> None:
    """The outside drivers' dated milestones and levels (OUTSIDE_DRIVERS: judgement)."""
    _write(OUT / "outside_drivers.csv", [
        {"month": m, "driver": d, "level": v, "event": e, "source": src}
        for m, d, v, e, src in OUTSIDE_DRIVERS])


def write_military_agreement() -> None:
    """The 2018 military agreement in force, by month from each entry (MILITARY_AGREEMENT)."""
    _write(OUT / "military_agreement.csv", [
        {"month": m, "in_force": v, "event": e, "source": src}
        for m, v, e, src in MILITARY_AGREEMENT])


def write_incidents(data: Path) -> None:
    """The coded incident series (peninsula.io.incidents: the rules) from the CSIS table."""
    import pandas as pd

    from peninsula.io.incidents import code_incidents, monthly_incidents

    csis = pd.read_csv(data / "nk_provocations_csis/north_korea_provocations_1958_present.csv")
    events = code_incidents(csis)
    events.to_csv(OUT / "incident_events.csv", index=False)
    monthly_incidents(events).to_csv(OUT / "incidents.csv", index=False)


def _read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _read_tsv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def _write(path: Path, rows: list[dict]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
