"""A realistic demo county shaped like seed 000's, written deterministically (``fpplan demo OUT_DIR``).

One county station (renovated and extended to county grade A), two township central stations (extended to
central A, completing 2027 and 2029), five general township stations (new B-grade buildings completing 2027,
2028 and 2030), about 150 villages, two mobile vehicles, ~170,000 residents; two regiment farms (团场) arrive as
lump inflows in the shipped scenarios (config/scenarios). Base year 2025. The people are generated in
:mod:`fpplan.demo.population`; the service reports, staff, exams and plan here. Every figure not drawn from a
published source is a demo assumption; docs/demo-county.md lists them.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from fpplan.data.config import default_config_dir
from fpplan.demo import assessment, history, rhythm
from fpplan.demo import equipment as de
from fpplan.demo import population as dp
from fpplan.demo.geography import add_geography
from fpplan.demo.incoming import next_month_reports

COUNTY = "650123"
# code suffix, name, kind, target population, villages, share of 20–39 lost to out-migration, fertility factor,
# in- and out-migration rates (per person per year); demo assumptions.
TOWNSHIPS = pd.DataFrame(
    [
        ["001", "城关镇", "zhen", 45000, 24, -0.10, 0.90, 0.020, 0.012],
        ["002", "红星乡", "xiang", 25000, 20, 0.15, 1.05, 0.006, 0.014],
        ["003", "柳树镇", "zhen", 22000, 19, 0.12, 1.00, 0.008, 0.013],
        ["004", "沙湾乡", "xiang", 18000, 18, 0.20, 1.10, 0.005, 0.016],
        ["005", "青河乡", "xiang", 17000, 18, 0.22, 1.15, 0.005, 0.017],
        ["006", "石城乡", "xiang", 16000, 17, 0.18, 1.05, 0.005, 0.015],
        ["007", "东湖乡", "xiang", 14000, 16, 0.25, 1.15, 0.004, 0.018],
        ["008", "北山乡", "xiang", 12000, 14, 0.28, 1.20, 0.004, 0.019],
    ],
    columns=[
        "suffix",
        "name",
        "kind",
        "population",
        "villages",
        "out_migration",
        "fertility",
        "in_migration",
        "out_migration_rate",
    ],
)
TOWNSHIPS.insert(0, "code", COUNTY + TOWNSHIPS["suffix"])
MONTHS = pd.period_range("2023-01", "2025-12", freq="M")
VILLAGE_NAME_PARTS = ("东", "西", "南", "北", "前", "后", "上", "下", "新", "老", "大", "小")
FACILITY_COLUMNS = ["code", "name", "level", "township_code", "serves", "floor_area_m2", "grade", "opening_year"]
PLAN_COLUMNS = [
    "station_code",
    "mode",
    "target_grade",
    "target_floor_area_m2",
    "start_year",
    "completion_year",
    "cost_wan_yuan",
    "self_raised_wan_yuan",
    "subsidy_requested_wan_yuan",
]


@dataclass(frozen=True)
class StaffMix:
    """A roster's make-up: the station of each person, and exact counts of each specialty, education and title
    (each summing to the head count); ``physicians`` and ``assistants`` are drawn among gynaecology and
    B-ultrasound staff, ``nurses`` are the first nursing staff."""

    stations: tuple[str, ...]
    specialty: dict[str, int]
    education: dict[str, int]
    title: dict[str, int]
    physicians: int
    assistants: int
    nurses: int


@dataclass(frozen=True, eq=False)
class CountySpec:
    """Everything that makes one generated county differ from another: its codes and names, its townships
    (``TOWNSHIPS``' columns), villages' names and communities, stations and plan, staff, report months.

    ``village_names``: township code → the names of its villages in order (their count is the township's
    ``villages``); ``communities``: township code → how many of its first villages are 社区; ``fringe``: townships
    whose last two villages are remote (26–58 km); ``early_marriage``: townships whose women marry a year earlier
    (their own married_share rows); ``village_rooms``: township codes with a village service room (in its first
    village), or None for every township."""

    code: str
    name: str
    area_km2: float
    townships: pd.DataFrame
    village_names: dict[str, list[str]]
    communities: dict[str, int]
    fringe: tuple[str, ...]
    early_marriage: tuple[str, ...]
    stations: pd.DataFrame
    plan: pd.DataFrame
    disbursement: pd.DataFrame
    staff: StaffMix
    months: pd.PeriodIndex = field(default_factory=lambda: MONTHS)
    village_rooms: tuple[str, ...] | None = None


def _villages(spec: CountySpec, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for t in spec.townships.itertuples():
        n = t.villages
        weight = rng.lognormal(0, 0.45, n)
        distance = np.round(rng.gamma(2.0, 4.0, n), 1)
        distance[-2:] = np.round(rng.uniform(26, 58, 2), 1) if t.code in spec.fringe else distance[-2:]
        communities = spec.communities.get(t.code, 0)
        rows.append(
            pd.DataFrame(
                {
                    "code": [f"{t.code}{i + 1:03d}" for i in range(n)],
                    "name": spec.village_names[t.code][:n],
                    "township_code": t.code,
                    "kind": ["community" if i < communities else "village" for i in range(n)],
                    "weight": weight / weight.sum(),
                    "area_km2": np.round(rng.uniform(4, 40, n), 1),
                    "distance_km": distance,
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def _units(spec: CountySpec, villages: pd.DataFrame) -> pd.DataFrame:
    county = pd.DataFrame(
        [[spec.code, spec.name, "county", "", "county", spec.area_km2, ""]],
        columns=["code", "name", "level", "parent_code", "kind", "area_km2", "distance_km"],
    )
    towns = spec.townships.assign(level="township", parent_code=spec.code, distance_km="")
    towns["area_km2"] = villages.groupby("township_code")["area_km2"].sum().round(1).to_numpy() * 1.6
    vill = villages.assign(level="village", parent_code=villages["township_code"])
    return pd.concat([county, towns[county.columns], vill[county.columns]], ignore_index=True)


def _facilities(spec: CountySpec, villages: pd.DataFrame) -> pd.DataFrame:
    rows = spec.stations[FACILITY_COLUMNS].values.tolist()
    first = villages.groupby("township_code").head(1)
    if spec.village_rooms is not None:
        first = first[first["township_code"].isin(spec.village_rooms)]
    for i, v in enumerate(first.itertuples()):
        rows.append([f"CS{i + 1:03d}", f"{v.name}服务室", "village_room", v.township_code, "", 40, "none", 2010])
    return pd.DataFrame(rows, columns=FACILITY_COLUMNS)


def _demo_village_names() -> dict[str, list[str]]:
    return {
        t.code: [
            f"{VILLAGE_NAME_PARTS[i % 12]}{t.name[:2]}{'社区' if t.suffix == '001' and i < 6 else '村'}"
            f"{i // 12 + 1 if i >= 12 else ''}"
            for i in range(t.villages)
        ]
        for t in TOWNSHIPS.itertuples()
    }


def _demo_stations() -> pd.DataFrame:
    t = TOWNSHIPS["code"].tolist()
    rows = [
        ["ZD001", "县计生指导站", "county_station", t[0], "", 960, "B", 1996],
        ["ZX002", "红星乡中心服务站", "township_central", t[1], f"{t[3]};{t[4]}", 380, "B", 2003],
        ["ZX003", "柳树镇中心服务站", "township_central", t[2], f"{t[5]};{t[6]};{t[7]}", 330, "B", 2005],
        ["ZS004", "沙湾乡计生服务站", "township_general", t[3], "", 150, "C", 1999],
        ["ZS005", "青河乡计生服务站", "township_general", t[4], "", 120, "C", 2001],
        ["ZS006", "石城乡计生服务站", "township_general", t[5], "", 110, "C", 1998],
        ["ZS007", "东湖乡计生服务站", "township_general", t[6], "", 95, "C", 2002],
        ["ZS008", "北山乡计生服务站", "township_general", t[7], "", 90, "C", 2000],
        ["LD01", "流动服务车一号", "mobile_vehicle", t[0], f"{t[3]};{t[6]}", 0, "none", 2012],
        ["LD02", "流动服务车二号", "mobile_vehicle", t[0], t[7], 0, "none", 2018],
    ]
    return pd.DataFrame(rows, columns=FACILITY_COLUMNS)


# 45 technical staff whose mix misses some of seed 000's structure rules (bachelor 13% < 20%, associate-senior 7% <
# 10%) and meets others (associate 40%, intermediate 31%, medical 78%, 7 licensed assistant physicians or above ≥ 5).
DEMO_STAFF = StaffMix(
    stations=tuple(
        ["ZD001"] * 19 + ["ZX002"] * 5 + ["ZX003"] * 5 + [f"ZS00{i}" for i in range(4, 9) for _ in range(3)] + ["LD01"]
    ),
    specialty={
        "gynaecology": 11,
        "ultrasound": 7,
        "laboratory": 6,
        "nursing": 10,
        "pharmacy": 3,
        "health_education": 4,
        "finance": 3,
        "other": 1,
    },
    education={"bachelor": 6, "associate": 18, "secondary_vocational": 19, "below_secondary": 2},
    title={"associate_senior": 3, "intermediate": 14, "junior": 20, "none": 8},
    physicians=3,
    assistants=4,
    nurses=8,
)


def _staff(mix: StaffMix, rng: np.random.Generator) -> pd.DataFrame:
    """The technical staff roster of ``mix`` (pseudonymous ids S0001 …)."""
    stations = list(mix.stations)
    n = len(stations)

    def exact(counts: dict[str, int]) -> np.ndarray:
        return rng.permutation(np.repeat(list(counts), list(counts.values())))

    specialty = exact(mix.specialty)
    medical = np.isin(specialty, ["gynaecology", "ultrasound", "laboratory", "nursing", "pharmacy"])
    licence = np.where(medical, "other", "none").astype(object)
    doctors = rng.choice(
        np.flatnonzero(np.isin(specialty, ["gynaecology", "ultrasound"])),
        mix.physicians + mix.assistants,
        replace=False,
    )
    licence[doctors[: mix.physicians]] = "physician"
    licence[doctors[mix.physicians :]] = "assistant_physician"
    licence[np.flatnonzero(specialty == "nursing")[: mix.nurses]] = "nurse"
    return pd.DataFrame(
        {
            "staff_id": [f"S{i + 1:04d}" for i in range(n)],
            "station_code": stations,
            "specialty": specialty,
            "education": exact(mix.education),
            "title": exact(mix.title),
            "medical": np.where(medical, "true", "false"),
            "licence": licence,
            "fte": np.where(rng.random(n) < 0.1, 0.5, 1.0),
            "sex": np.where(rng.random(n) < 0.75, "female", "male"),
            "birth_year": rng.integers(1966, 2002, n),
        }
    )


def _demo_plan() -> tuple[pd.DataFrame, pd.DataFrame]:
    plan = pd.DataFrame(
        [
            ["ZD001", "renovate_extend", "A", 1800, 2026, 2028, 480.0, 180.0, 300.0],
            ["ZX002", "extend", "A", 600, 2026, 2027, 150.0, 60.0, 90.0],
            ["ZX003", "extend", "A", 600, 2027, 2029, 140.0, 50.0, 90.0],
            ["ZS004", "new_build", "B", 220, 2026, 2027, 72.0, 24.0, 48.0],
            ["ZS005", "new_build", "B", 220, 2026, 2027, 70.0, 22.0, 48.0],
            ["ZS006", "new_build", "B", 220, 2027, 2028, 68.0, 20.0, 48.0],
            ["ZS007", "new_build", "B", 220, 2029, 2030, 66.0, 18.0, 48.0],
            ["ZS008", "new_build", "B", 220, 2029, 2030, 64.0, 16.0, 48.0],
        ],
        columns=PLAN_COLUMNS,
    )
    disbursement = pd.DataFrame(
        [
            ["ZD001", 2026, 120.0],
            ["ZD001", 2027, 220.0],
            ["ZD001", 2028, 140.0],
            ["ZX003", 2027, 60.0],
            ["ZX003", 2028, 50.0],
            ["ZX003", 2029, 30.0],
        ],
        columns=["station_code", "year", "amount_wan_yuan"],
    )
    return plan, disbursement


def _service_stats(
    population: pd.DataFrame,
    villages: pd.DataFrame,
    married: pd.DataFrame,
    vital: pd.DataFrame,
    elements: list[str],
    rng: np.random.Generator,
    months: pd.PeriodIndex = MONTHS,
) -> pd.DataFrame:
    """A report per village and month (36 months in the demo; (village × month arrays, no loop over cells). Rates are demo
    assumptions shaped by the seeds' achieved values (prevalence ~95%, follow-up ~97.5%, male share ~20%)."""
    pop = population.pivot_table(index="unit_code", columns=["sex", "age"], values="population").reindex(
        villages["code"]
    )
    share = married[married["township_code"] == ""].set_index("age")["share"]
    women = pop["female"].loc[:, 15:49]
    mw0 = (women * share.to_numpy()).sum(axis=1).to_numpy()
    total0 = pop.sum(axis=1).to_numpy()
    men0 = pop["male"].loc[:, 15:].sum(axis=1).to_numpy()
    nv, nm = len(villages), len(months)
    month = np.array([p.month for p in months])
    trend = 1 - 0.015 * (np.arange(nm) - nm + 1) / 12  # about 1.5% fewer people a year back in time
    mw = mw0[:, None] * trend[None, :]
    people = total0[:, None] * trend[None, :]
    women15 = women.sum(axis=1).to_numpy()[:, None] * trend[None, :]
    prevalence = rng.uniform(0.88, 0.985, nv)[:, None]
    campaign = lambda months, high, low: np.where(np.isin(month, months), high, low)[None, :]
    pois = rng.poisson
    v: dict[str, np.ndarray] = {}
    v["married_women_15_49"] = np.round(mw)
    v["contraceptive_users"] = rng.binomial(v["married_women_15_49"].astype(int), prevalence)
    v["measures_due"] = pois(mw * 0.006)
    v["measures_timely"] = rng.binomial(v["measures_due"], 0.965)
    v["followups_due"] = pois(mw * 0.04)
    v["followups_done"] = rng.binomial(v["followups_due"], 0.976)
    v["iud_insertions"] = pois(mw * 0.0035)
    v["iud_removals"] = pois(mw * 0.002)
    v["sterilisations"] = pois(mw * 0.0006)
    v["induced_abortions"] = pois(mw * 0.0012)
    operations = v["iud_insertions"] + v["iud_removals"] + v["sterilisations"] + v["induced_abortions"]
    v["complications"] = rng.binomial(operations, 0.0008)
    # births at each township's latest registered birth rate, so reports and vital history roughly agree
    last = vital[vital["year"] == vital["year"].max()].set_index("township_code")
    size = pd.Series(total0, index=villages["code"]).groupby(villages["township_code"].to_numpy()).sum()
    birth_rate = ((last["births_male"] + last["births_female"]) / size).reindex(villages["township_code"]).to_numpy()
    births = pois(people * birth_rate[:, None] / 12)
    v["births_male"] = rng.binomial(births, dp.SRB / (1 + dp.SRB))
    v["births_female"] = births - v["births_male"]
    v["births_policy_compliant"] = rng.binomial(births, 0.985)
    v["deaths"] = pois(people * 0.0077 / 12)  # NBS crude death rate 2024
    v["rh_women_served"] = pois(women15 * 0.075)
    v["rh_users_male"] = pois(women15 * 0.075 * 0.25)
    v["rh_users_total"] = v["rh_women_served"] + v["rh_users_male"]
    v["migrant_women"] = np.round(mw * rng.uniform(0.03, 0.12, nv)[:, None])
    v["migrant_women_served"] = rng.binomial(v["migrant_women"].astype(int), campaign([3, 5, 9, 11], 0.21, 0.005))
    v["prepregnancy_target"] = pois(people * 0.0075 / 12)
    v["prepregnancy_checked"] = rng.binomial(v["prepregnancy_target"], 0.91)
    v["rti_screened"] = pois(women15 * campaign([4], 0.80, 0.004))
    v["gyn_screened"] = pois(women15 * campaign([10], 0.85, 0.004))
    v["ultrasound_checks"] = pois(mw * campaign([3, 5, 9, 11], 0.32, 0.03))
    v["counselling"] = pois(people * 0.012)
    v["infertility_visits"] = pois(mw * 0.002)
    v["male_health_visits"] = pois(men0[:, None] * campaign([10], 0.006, 0.0015))
    v["informed_choice_village"] = np.repeat((rng.random(nv) < 0.93)[:, None], nm, axis=1).astype(float)
    v["self_governance_village"] = np.repeat((rng.random(nv) < 0.96)[:, None], nm, axis=1).astype(float)
    missing = [e for e in elements if e not in v]
    if missing:
        raise ValueError(f"demo generator has no rule for data elements {missing}")
    stats = pd.DataFrame(
        {"village_code": np.repeat(villages["code"].to_numpy(), nm), "month": np.tile(months.astype(str), nv)}
    )
    for element in elements:
        stats[element] = np.asarray(v[element], dtype=float).reshape(-1)
    # a few clear outliers (a keying error: ten times the value)
    outliers = rng.choice(len(stats), 6, replace=False)
    stats.loc[outliers, "ultrasound_checks"] = (stats.loc[outliers, "ultrasound_checks"] + 3) * 10
    # reported within 1–5 days after the month, 3% late (20–40 days), 1% of village-months never received
    delay = np.where(rng.random(len(stats)) < 0.03, rng.integers(20, 41, len(stats)), rng.integers(1, 6, len(stats)))
    month_end = months.to_timestamp(how="end").normalize()
    stats.insert(2, "reported_on", (np.tile(month_end, nv) + pd.to_timedelta(delay, unit="D")).strftime("%Y-%m-%d"))
    stats = stats[rng.random(len(stats)) >= 0.01]
    return stats.astype({e: int for e in elements})


def _survey(villages: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """2025 monthly demand-survey returns: a few needs common to most villages, others occasional."""
    needs = np.array(
        [
            "contraception_info",
            "contraceptive_supply",
            "rti_treatment",
            "gyn_screening",
            "prepregnancy_check",
            "infertility",
            "male_health",
            "adolescent_health",
            "menopause_health",
            "postnatal_care",
            "policy_information",
            "elderly_support",
        ]
    )
    rate = np.array([2.5, 0.8, 0.6, 2.0, 0.7, 0.2, 0.4, 0.3, 0.5, 0.4, 0.6, 1.8])
    months = pd.period_range("2025-01", "2025-12", freq="M").astype(str)
    # each village's propensity to raise each need: gamma with shape 0.4, so rare needs come from a few villages
    propensity = rng.gamma(0.4, 1 / 0.4, (len(villages), 1, len(needs)))
    propensity[:, :, rate >= 1.5] = 1.0  # the common needs are raised everywhere
    counts = rng.poisson(rate[None, None, :] * propensity, (len(villages), 12, len(needs)))
    frame = pd.DataFrame(
        {
            "village_code": np.repeat(villages["code"].to_numpy(), 12 * 12),
            "month": np.tile(np.repeat(months, 12), len(villages)),
            "need": np.tile(needs, 12 * len(villages)),
            "count": counts.reshape(-1),
        }
    )
    return frame[frame["count"] > 0].reset_index(drop=True)


def _exam_scores(staff: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Twelve monthly exams of 2025 (score ~ N(78 + ability, 7), 2% absent of whom half excused) and one
    prefecture exam in June for six people."""
    n = len(staff)
    months = pd.period_range("2025-01", "2025-12", freq="M").astype(str)
    ability = rng.normal(0, 7, n)
    score = np.clip(np.round(78 + ability[:, None] + rng.normal(0, 7, (n, 12))), 0, 100)
    absent = rng.random((n, 12)) < 0.02
    excused = absent & (rng.random((n, 12)) < 0.5)
    monthly = pd.DataFrame(
        {
            "staff_id": np.repeat(staff["staff_id"].to_numpy(), 12),
            "month": np.tile(months, n),
            "exam_type": "monthly",
            "score": np.where(absent, np.nan, score).reshape(-1),
            "excused": np.where(excused, "true", "false").reshape(-1),
        }
    )
    chosen = rng.choice(n, 6, replace=False)
    prefecture = pd.DataFrame(
        {
            "staff_id": staff["staff_id"].to_numpy()[chosen],
            "month": "2025-06",
            "exam_type": "prefecture",
            "score": np.clip(np.round(80 + ability[chosen] + rng.normal(0, 5, 6)), 0, 100),
            "excused": "false",
        }
    )
    exams = pd.concat([monthly, prefecture], ignore_index=True)
    exams["score"] = exams["score"].astype("Int64")
    return exams


DEMO = CountySpec(
    code=COUNTY,
    name="演示县",
    area_km2=3860.0,
    townships=TOWNSHIPS,
    village_names=_demo_village_names(),
    communities={COUNTY + "001": 6},
    fringe=tuple(COUNTY + s for s in ("004", "007", "008")),
    early_marriage=tuple(TOWNSHIPS["code"].iloc[[4, 6]]),
    stations=_demo_stations(),
    plan=_demo_plan()[0],
    disbursement=_demo_plan()[1],
    staff=DEMO_STAFF,
)


def county_tables(spec: CountySpec, seed: int) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Every table of the county ``spec`` but its geography, equipment and scenarios (which depend on where it
    lies and what it holds), and its villages (code, township_code, weight …). Same tables every run."""
    rng = np.random.default_rng(seed)
    villages = _villages(spec, rng)
    population = dp.village_population(spec.townships, villages, rng)
    married = dp.married_share(spec.townships, spec.early_marriage)
    elements = list(
        yaml.safe_load((default_config_dir() / "data_elements.yaml").read_text(encoding="utf-8"))["elements"]
    )
    staff = _staff(spec.staff, rng)
    vital = dp.vital_history(spec.townships, population, villages, rng)
    tables = {
        "units": _units(spec, villages),
        "population": population,
        "vital_history": vital,
        "married_share": married,
        "facilities": _facilities(spec, villages),
        "staff": staff,
        "construction_plan": spec.plan,
        "disbursement": spec.disbursement,
        "service_stats": _service_stats(
            population,
            villages,
            married,
            vital,
            [e for e in elements if e not in assessment.ELEMENTS],
            rng,
            spec.months,
        ),
        "survey": _survey(villages, rng),
        "exam_scores": _exam_scores(staff, rng),
        "budget": pd.DataFrame(
            {
                "year": [2023, 2024, 2025],
                "fp_budget_yuan": np.round(population["population"].sum() * np.array([7.6, 8.0, 8.4]), -2),
            }
        ),
    }
    tables = assessment.extend(tables, villages, seed)
    tables |= rhythm.tables(spec, villages, tables, seed)  # supervision, work register, supply, village rooms
    return tables, villages


def write_tables(out: Path, tables: dict[str, pd.DataFrame], seed: int) -> None:
    """The tables as UTF-8 CSV files, and next month's village reports in ``incoming/``."""
    for name, frame in tables.items():
        frame.to_csv(out / f"{name}.csv", index=False, lineterminator="\n")
    month, reports = next_month_reports(tables["service_stats"], np.random.default_rng(seed + 1))
    (out / "incoming").mkdir(exist_ok=True)
    reports.to_csv(out / "incoming" / f"village_reports_{month}.csv", index=False, lineterminator="\n")


def write_demo(out_dir: str | Path, seed: int = 2025) -> Path:
    """Write the demo county to ``out_dir`` (created if needed) and return its path. Same bytes every run."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tables, villages = county_tables(DEMO, seed)
    tables |= de.tables()  # equipment inventory and subsidy granted (optional tables)
    tables = add_geography(tables, out, seed)  # lon/lat, 乡镇边界.geojson, 道路.geojson, config/spatial.yaml
    tables |= history.tables(TOWNSHIPS, tables["population"], villages, tables["vital_history"])  # 2015, for back-tests
    write_tables(out, tables, seed)
    demo_config = resources.files("fpplan").joinpath("defaults/demo")
    if demo_config.is_dir():
        shutil.copytree(Path(str(demo_config)), out / "config", dirs_exist_ok=True)
    return out
