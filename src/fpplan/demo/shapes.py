"""Generated counties of other shapes than the demo's: ``write_county(out, shape, seed) -> Path`` writes a canonical
county folder (the layout ``fpplan.data`` reads) for a named shape:

- ``small``: 3 townships, 15 villages, about 43,000 people; one county station and two general township stations,
  no central station, no mobile vehicle;
- ``seed003``: 16 townships, 448 villages, about 840,000 people, as seed 003's example county (domain brief §8:
  "16 townships, 448 villages, 840,600 people"); a county station, four central stations, eleven general stations
  and three mobile vehicles.

Each has its own county code, generated Chinese township and village names (a few village names recur in different
townships, as they do in real counties), its own construction plan, staff roster, equipment inventory, scenarios,
36 months of village reports (``months`` to change that) and ten years of vital history. The people, reports,
exams and assessment data come from the demo's machinery (:func:`fpplan.demo.county.county_tables`); no
geography (coordinates, boundaries, roads) is written. Every number is a demo assumption; the same bytes every run
for a shape and seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from fpplan.data.config import load
from fpplan.demo import history
from fpplan.demo.county import (
    DEMO_STAFF,
    FACILITY_COLUMNS,
    PLAN_COLUMNS,
    CountySpec,
    StaffMix,
    county_tables,
    write_tables,
)


@dataclass(frozen=True)
class Shape:
    """A county's shape: ``villages`` per township (the seat first), total population, how many central stations
    and mobile vehicles, and the county station's staff."""

    name: str
    code: str
    county_name: str
    villages: tuple[int, ...]
    population: int
    central: int
    vehicles: int
    county_staff: int
    area_km2: float


SHAPES = {
    "small": Shape(
        "small", "430591", "清溪县", (6, 5, 4), 43_000, central=0, vehicles=0, county_staff=8, area_km2=620.0
    ),
    # seed 003: 16 townships, 448 villages, 840,600 people (domain brief §8)
    "seed003": Shape(
        "seed003",
        "410991",
        "华阳县",
        (36, 32, 31, 30, 29, 28, 28, 28, 27, 27, 26, 26, 25, 25, 25, 25),
        840_600,
        central=4,
        vehicles=3,
        county_staff=30,
        area_km2=2480.0,
    ),
}

TOWNSHIP_STEMS = (
    "白马",
    "青山",
    "龙泉",
    "石门",
    "金坪",
    "马桥",
    "清水",
    "黄土",
    "太平",
    "安乐",
    "凤凰",
    "高峰",
    "长岭",
    "大河",
    "双溪",
    "云台",
    "桃源",
    "梅溪",
    "新店",
    "柏林",
    "杨柳",
    "三合",
    "永兴",
    "官庄",
    "河口",
    "铁山",
    "牛角",
    "松坪",
    "望江",
    "东林",
)
SURNAMES = tuple("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯董程曹袁邓许沈曾彭吕苏卢蒋蔡贾丁魏薛叶余潘杜")
PLACE_ENDINGS = ("庄", "湾", "坪", "沟", "岭", "坝", "营", "堡", "寨", "屯", "店", "桥", "集", "洼", "岗", "河")
VILLAGE_STEMS = (
    "红旗",
    "团结",
    "胜利",
    "和平",
    "新民",
    "永安",
    "长青",
    "向阳",
    "光明",
    "丰收",
    "金星",
    "桃园",
    "杏花",
    "柳林",
    "石桥",
    "双河",
    "白杨",
    "青松",
    "东风",
    "前进",
    "建设",
    "幸福",
    "五星",
    "新华",
    "联合",
    "先锋",
    "红光",
    "友谊",
    "清泉",
    "凤鸣",
    "梨树",
    "枣林",
    "松林",
    "荷花",
    "富民",
    "兴隆",
    "大兴",
    "新丰",
    "永红",
    "黎明",
    "跃进",
    "星光",
    "民乐",
    "安康",
    "平安",
    "龙王",
    "马鞍",
    "石坝",
    "水磨",
    "古城",
)
COMMUNITY_STEMS = ("东街", "西街", "南门", "北关", "新城", "城北", "城南", "府前", "文化", "站前")


def _names(shape: Shape, rng: np.random.Generator) -> tuple[list[str], dict[int, list[str]]]:
    """Township names (the seat named after the county, then 镇 and 乡) and each township's village names
    (communities first in the seat), unique within a township; a few recur across townships."""
    stems = rng.choice(np.array(TOWNSHIP_STEMS), len(shape.villages) - 1, replace=False)
    towns = [shape.county_name[:2] + "镇"] + [
        f"{s}{'镇' if i < len(stems) // 3 else '乡'}" for i, s in enumerate(stems)
    ]
    pool = np.array([f"{s}家{e}村" for s in SURNAMES for e in PLACE_ENDINGS] + [f"{s}村" for s in VILLAGE_STEMS])
    villages = {}
    for t, n in enumerate(shape.villages):
        communities = [f"{s}社区" for s in COMMUNITY_STEMS[: _communities(shape, t)]]
        villages[t] = communities + list(rng.choice(pool, n - len(communities), replace=False))
    return towns, villages


def _communities(shape: Shape, township: int) -> int:
    return min(6, shape.villages[0] // 4) if township == 0 else 0


def _split(total: int, weights: np.ndarray) -> dict[str, int]:
    """``total`` split in proportion to ``weights`` as whole numbers (largest remainders)."""
    raw = weights / weights.sum() * total
    whole = np.floor(raw).astype(int)
    whole[np.argsort(whole - raw)[: total - whole.sum()]] += 1
    return whole


def _mix(stations: list[str]) -> StaffMix:
    """A roster of these stations with the demo's proportions of specialty, education and title; the gynaecology
    and B-ultrasound staff all licensed but one, the nurses all but one (a plan can train them by the plan year)."""
    n = len(stations)

    def scaled(counts: dict[str, int]) -> dict[str, int]:
        return dict(zip(counts, _split(n, np.array(list(counts.values()), dtype=float)).tolist()))

    specialty = scaled(DEMO_STAFF.specialty)
    doctors = specialty["gynaecology"] + specialty["ultrasound"] - 1
    physicians = max(2, round(0.4 * doctors))
    return StaffMix(
        stations=tuple(stations),
        specialty=specialty,
        education=scaled(DEMO_STAFF.education),
        title=scaled(DEMO_STAFF.title),
        physicians=physicians,
        assistants=doctors - physicians,
        nurses=max(specialty["nursing"] - 1, 0),
    )


def spec(shape: Shape, seed: int, months: int = 36) -> CountySpec:
    """The county of ``shape`` drawn with ``seed`` (names, sizes, stations, plan); ``months`` of reports ending
    2025-12."""
    rng = np.random.default_rng([seed, 7])
    n = len(shape.villages)
    town_names, village_names = _names(shape, rng)
    suffix = ["100"] + [
        f"{101 + i:03d}" if name.endswith("镇") else f"{201 + i:03d}" for i, name in enumerate(town_names[1:])
    ]
    codes = [shape.code + s for s in suffix]
    size = np.array(shape.villages, dtype=float) * rng.lognormal(0, 0.15, n)
    size[0] *= 1.8  # the county seat
    population = _split(shape.population, size)
    rural = np.arange(n) > 0
    townships = pd.DataFrame(
        {
            "code": codes,
            "suffix": suffix,
            "name": town_names,
            "kind": ["zhen" if t.endswith("镇") else "xiang" for t in town_names],
            "population": population,
            "villages": list(shape.villages),
            "out_migration": np.where(rural, np.round(rng.uniform(0.10, 0.28, n), 2), -0.10),
            "fertility": np.where(rural, np.round(rng.uniform(1.0, 1.2, n), 2), 0.90),
            "in_migration": np.where(rural, np.round(rng.uniform(0.004, 0.008, n), 3), 0.020),
            "out_migration_rate": np.where(rural, np.round(rng.uniform(0.013, 0.019, n), 3), 0.012),
        }
    )
    # stations: the county station in the seat; central stations in the largest rural townships, each backing up
    # the general ones after it in turn; a general station in every other rural township
    order = [i for i in np.argsort(-population) if i > 0]
    central = sorted(order[: shape.central])
    general = [i for i in range(1, n) if i not in central]
    backed = {c: [g for k, g in enumerate(general) if central and central[k % len(central)] == c] for c in central}
    fringe = tuple(codes[i] for i in general[-max(1, len(general) // 4) :]) if general else ()
    rows = [["ZD001", f"{shape.county_name}计划生育服务指导站", "county_station", codes[0], "", 960, "B", 1996]]
    for i in central:
        rows.append(
            [
                f"ZX{i + 1:03d}",
                f"{town_names[i]}中心服务站",
                "township_central",
                codes[i],
                ";".join(codes[g] for g in backed[i]),
                int(rng.integers(300, 420)),
                "B",
                int(rng.integers(2000, 2008)),
            ]
        )
    for i in general:
        rows.append(
            [
                f"ZS{i + 1:03d}",
                f"{town_names[i]}计生服务站",
                "township_general",
                codes[i],
                "",
                int(rng.integers(80, 170)),
                "C",
                int(rng.integers(1996, 2006)),
            ]
        )
    for k in range(shape.vehicles):
        served = fringe[k :: shape.vehicles] or fringe
        rows.append(
            [
                f"LD{k + 1:02d}",
                f"流动服务车{'一二三四五'[k]}号",
                "mobile_vehicle",
                codes[0],
                ";".join(served),
                0,
                "none",
                2012 + 3 * k,
            ]
        )
    stations = pd.DataFrame(rows, columns=FACILITY_COLUMNS)
    # the construction plan: the county station renovated and extended, central stations extended, general ones
    # newly built, completing 2027–2030; about a third self-raised
    small = shape.population < 100_000  # a small county's station is renovated to grade B only
    plan = [
        [
            "ZD001",
            "renovate_extend",
            "B" if small else "A",
            1200 if small else 1800,
            2026,
            2028,
            300.0 if small else 480.0,
        ]
    ]
    plan += [
        [f"ZX{i + 1:03d}", "extend", "A", 600, 2026 + k % 2, 2027 + k % 3, float(rng.integers(135, 160))]
        for k, i in enumerate(central)
    ]
    plan += [
        [f"ZS{i + 1:03d}", "new_build", "B", 220, 2026 + k % 4, 2027 + k % 4, float(rng.integers(62, 74))]
        for k, i in enumerate(general)
    ]
    plan = pd.DataFrame(plan, columns=PLAN_COLUMNS[:7])
    plan["self_raised_wan_yuan"] = np.round(plan["cost_wan_yuan"] / 3)
    plan["subsidy_requested_wan_yuan"] = plan["cost_wan_yuan"] - plan["self_raised_wan_yuan"]
    cost = plan.loc[0, "cost_wan_yuan"]
    disbursement = pd.DataFrame(
        [["ZD001", 2026, cost * 0.25], ["ZD001", 2027, cost * 0.45], ["ZD001", 2028, cost * 0.30]],
        columns=["station_code", "year", "amount_wan_yuan"],
    )
    staff = (
        ["ZD001"] * shape.county_staff
        + [f"ZX{i + 1:03d}" for i in central for _ in range(5)]
        + [f"ZS{i + 1:03d}" for i in general for _ in range(3)]
        + [f"LD{k + 1:02d}" for k in range(shape.vehicles)]
    )
    return CountySpec(
        code=shape.code,
        name=shape.county_name,
        area_km2=shape.area_km2,
        townships=townships,
        village_names={codes[t]: names for t, names in village_names.items()},
        communities={codes[0]: _communities(shape, 0)},
        fringe=fringe,
        early_marriage=tuple(codes[i] for i in general[:2]),
        stations=stations,
        plan=plan[PLAN_COLUMNS],
        disbursement=disbursement,
        staff=_mix(staff),
        months=pd.period_range(end="2025-12", periods=months, freq="M"),
    )


def _equipment(stations: pd.DataFrame, seed: int) -> dict[str, pd.DataFrame]:
    """An inventory short of the 甲级 standard (each item held with probability 0.6, a quantity up to the
    standard's, bought 2010–2024), items by their Chinese names; and the subsidy granted so far."""
    rng = np.random.default_rng([seed, 9])
    config = load("equipment")
    rows = []
    for code, level in stations[["code", "level"]].itertuples(index=False):
        for item, quantity in config.standard_by_level.get(level, {}).items():
            wanted = quantity if isinstance(quantity, int) else 8
            if rng.random() < 0.6:
                rows.append(
                    [code, config.items[item].zh, int(rng.integers(1, wanted + 1)), int(rng.integers(2010, 2025))]
                )
    equipment = pd.DataFrame(rows, columns=["station_code", "item", "quantity", "year_acquired"])
    equipment = equipment.groupby(["station_code", "item", "year_acquired"], as_index=False, sort=False)[
        "quantity"
    ].sum()
    granted = pd.DataFrame([["ZD001", 2026, 150.0]], columns=["station_code", "year", "amount_wan_yuan"])
    return {"equipment": equipment[["station_code", "item", "quantity", "year_acquired"]], "subsidy_granted": granted}


def _scenarios(spec: CountySpec, population: int) -> dict[str, dict]:
    """A medium and a low scenario: the demo's fertility and mortality paths, net out-migration in proportion to
    the county's size (the demo's −0.5% and −0.7% a year), and in the larger county one regiment farm (团场)."""
    scale = population / 170_000
    farms = []
    if len(spec.townships) > 8:
        farms = [
            {
                "name": "第一团场",
                "township": spec.townships["code"].iloc[5],
                "year": 2029,
                "size": 8000,
                "male_share": 0.56,
                "profile": "working_age",
            }
        ]
    e0 = {"male": {2025: 76.5, 2035: 78.5}, "female": {2025: 82.0, 2035: 83.5}}
    common = {"srb": 1.10, "migration_timing": "even", "horizon": 2035, "lump_inflows": farms}
    source = "demo assumption (generated county of fpplan.demo.shapes)"
    return {
        "medium": {
            "name": {"zh": "中方案", "en": "medium"},
            "source": source,
            "tfr": {2025: 1.25, 2030: 1.25, 2035: 1.30},
            "e0": e0,
            "net_migration": {2025: round(-900 * scale, -1), 2035: round(-600 * scale, -1)},
            **common,
        },
        "low": {
            "name": {"zh": "低方案", "en": "low"},
            "source": source,
            "tfr": {2025: 1.25, 2030: 1.00, 2035: 0.90},
            "e0": {"male": {2025: 76.5, 2035: 78.0}, "female": {2025: 82.0, 2035: 83.0}},
            "net_migration": {2025: round(-1200 * scale, -1), 2035: round(-1000 * scale, -1)},
            **common,
        },
    }


def write_county(out_dir: str | Path, shape: str | Shape = "small", seed: int = 3, months: int = 36) -> Path:
    """Write the county of ``shape`` (a name of ``SHAPES`` or a :class:`Shape`) drawn with ``seed`` to
    ``out_dir`` (created if needed) as a canonical county folder, with ``months`` months of village reports
    ending 2025-12 and the next month's in ``incoming/``. Returns its path."""
    shape = SHAPES[shape] if isinstance(shape, str) else shape
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    county = spec(shape, seed, months)
    tables, villages = county_tables(county, seed)
    tables |= _equipment(county.stations, seed)
    tables |= history.tables(county.townships, tables["population"], villages, tables["vital_history"])
    write_tables(out, tables, seed)
    folder = out / "config" / "scenarios"
    folder.mkdir(parents=True, exist_ok=True)
    for name, scenario in _scenarios(county, int(tables["population"]["population"].sum())).items():
        text = yaml.safe_dump(scenario, allow_unicode=True, sort_keys=False)
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return out
