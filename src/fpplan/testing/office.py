"""A canonical county's files written the way county offices hand them over, never in the canonical layout: for
trying ``fpplan init`` (and ``import-reports``) on files a county office would bring.

``write_office_files(county_dir, out_dir, style)`` writes, from a county folder ``fpplan.data`` reads:

- the statistics bureau's population table by township × sex × age (title row, unit line ``单位：人``, a merged
  two-row header, a 总计 row and 合计/男/女 column groups per township, a footnote); ``style.census``: ``wide``
  (``0-4岁`` … ``85岁及以上``), ``tilde`` (``0～4`` … ``100岁及以上``), ``single`` (``0岁`` … ``100岁及以上``) or
  ``long`` (乡镇, 性别, 年龄, 人数 with a 合计 row per township);
- the village list with 12-digit 统计用区划代码 (county, township and village rows, names as 村委会/居委会, the
  distance to the township seat);
- the station sheet (names, levels in words, townships served by name);
- the 建设项目规划表 (a two-level 资金来源 header over 自筹 / 争取上级补助, a 合计 row);
- the staff roster as GBK CSV with the words offices use (本科, 大专, 副高, 妇产科, 无 …) and 出生年月;
- the vital statistics by township *name* as GBK CSV (a two-row header in CSV, a 全县合计 row per year);
- the equipment inventory;
- the monthly village reports in the official layout (title with the month, ``填报单位：…  报送日期：…``, a two-row
  header of groups over data elements, township and village *names*, a 小计 row per township and a 合计 row), one
  file a month or one sheet a month (``style.monthly``), XLSX or GBK CSV (``style.report_format``).

File names are Chinese and say nothing fpplan relies on (tables are recognised by content).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from fpplan.data.county import County, load_county

SEX_ZH = {"male": "男", "female": "女"}
LEVEL_WORDS = {
    "county_station": "县级指导站",
    "township_central": "乡（镇）中心服务站",
    "township_general": "一般乡（镇）服务站",
    "village_room": "村级服务室",
    "mobile_vehicle": "流动服务车",
}
EDUCATION_WORDS = {
    "postgraduate": "研究生",
    "bachelor": "本科",
    "associate": "大专",
    "secondary_vocational": "中专",
    "below_secondary": "高中及以下",
}
TITLE_WORDS = {"senior": "正高", "associate_senior": "副高", "intermediate": "中级", "junior": "初级", "none": "无"}
SPECIALTY_WORDS = {
    "gynaecology": "妇产科",
    "ultrasound": "B超",
    "laboratory": "检验",
    "nursing": "护理",
    "pharmacy": "药剂",
    "health_education": "健康教育",
    "finance": "财务",
    "other": "其他",
}
LICENCE_WORDS = {
    "physician": "执业医师",
    "assistant_physician": "执业助理医师",
    "nurse": "注册护士",
    "pharmacist": "药师",
    "other": "其他",
    "none": "无",
}
MODE_WORDS = {"renovate_extend": "改扩建", "extend": "扩建", "new_build": "新建"}
GRADE_WORDS = {"A": "甲级", "B": "乙级", "C": "丙级", "none": "—"}
# the report's column groups (official layout: a group heading over its data elements); elements not listed fall
# under 其他
REPORT_GROUPS = {
    "避孕节育": [
        "married_women_15_49",
        "contraceptive_users",
        "measures_due",
        "measures_timely",
        "followups_due",
        "followups_done",
    ],
    "计划生育手术": ["iud_insertions", "iud_removals", "sterilisations", "induced_abortions", "complications"],
    "出生与死亡": [
        "births_male",
        "births_female",
        "births_policy_compliant",
        "births_order_1",
        "births_order_2",
        "births_order_3plus",
        "births_unplanned_higher_order",
        "deaths",
    ],
    "生殖健康": [
        "rh_women_served",
        "rh_users_total",
        "rh_users_male",
        "rti_screened",
        "gyn_screened",
        "ultrasound_checks",
        "counselling",
        "infertility_visits",
        "male_health_visits",
    ],
    "流动人口": ["migrant_women", "migrant_women_served", "migrant_certificates_due", "migrant_certificates_issued"],
    "优生优育": [
        "prepregnancy_target",
        "prepregnancy_checked",
        "birth_defect_target",
        "birth_defect_served",
        "eugenic_guidance_due",
        "eugenic_guidance_given",
    ],
}


@dataclass(frozen=True)
class OfficeStyle:
    """How the office writes its files. ``months``: the report months written (default: all); ``drop_elements``:
    data elements the county's report has no column for; ``next_month``: also write the month in the county's
    ``incoming/`` (separately, in ``out_dir/下月``)."""

    census: str = "wide"
    monthly: str = "files"  # files | sheets
    report_format: str = "xlsx"  # xlsx | csv
    months: tuple[str, ...] | None = None
    drop_elements: tuple[str, ...] = ()
    equipment: bool = True
    extra: dict = field(default_factory=dict)


class Grid:
    """A sheet being written: rows of cells and merged ranges (1-based, inclusive)."""

    def __init__(self) -> None:
        self.rows: list[list[object]] = []
        self.merges: list[tuple[int, int, int, int]] = []

    def add(self, *cells: object) -> int:
        self.rows.append(list(cells))
        return len(self.rows)

    def merge(self, r1: int, c1: int, r2: int, c2: int) -> None:
        if (r1, c1) != (r2, c2):
            self.merges.append((r1, c1, r2, c2))


def write_xlsx(path: Path, sheets: dict[str, Grid]) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, grid in sheets.items():
        ws = book.create_sheet(title)
        for row in grid.rows:
            ws.append([None if isinstance(v, float) and np.isnan(v) else v for v in row])
        for r1, c1, r2, c2 in grid.merges:
            ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
    book.save(path)
    return path


def write_csv(path: Path, grid: Grid, encoding: str = "gbk") -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerows([["" if v is None else v for v in row] for row in grid.rows])
    return path


# --- the tables -----------------------------------------------------------------------------------------------


def _township_population(county: County) -> pd.DataFrame:
    """(township, sex) × age 0–100 counts (whole persons)."""
    pop = county.township_population()
    names = county.townships().set_index("code")["name"]
    cube = pop.pivot_table(index=["township_code", "sex"], columns="age", values="population", aggfunc="sum")
    cube = cube.reindex(pd.MultiIndex.from_product([county.townships()["code"], ["male", "female"]]))
    cube.index = cube.index.set_levels([cube.index.levels[0].map(names), cube.index.levels[1]])
    return cube.round().astype(int)


def _age_rows(style: str) -> list[tuple[str, list[int]]]:
    if style == "single":
        return [(f"{a}岁", [a]) for a in range(100)] + [("100岁及以上", [100])]
    if style == "tilde":
        return [(f"{a}～{a + 4}", list(range(a, a + 5))) for a in range(0, 100, 5)] + [("100岁及以上", [100])]
    return [(f"{a}-{a + 4}岁", list(range(a, a + 5))) for a in range(0, 85, 5)] + [("85岁及以上", list(range(85, 101)))]


def census_grid(county: County, style: str = "wide") -> Grid:
    """The statistics bureau's table (see the module docstring)."""
    cube = _township_population(county)
    county_name = county.units.iloc[0]["name"]
    year = county.base_year
    grid = Grid()
    towns = list(dict.fromkeys(cube.index.get_level_values(0)))
    if style == "long":
        grid.add(f"{county_name}{year}年人口分乡镇、性别、年龄构成")
        grid.add("单位：人")
        grid.add("乡镇", "性别", "年龄组", "人数")
        for town in towns:
            for sex in ("male", "female"):
                for text, ages in _age_rows("wide"):
                    grid.add(town, SEX_ZH[sex], text, int(cube.loc[(town, sex), ages].sum()))
            grid.add(f"{town}合计", None, None, int(cube.loc[town].to_numpy().sum()))
        grid.add("注：人口数为年末常住人口。")
        return grid
    width = 1 + 3 * (len(towns) + 1)
    grid.merge(grid.add(f"{county_name}{year}年分乡镇、性别、年龄人口"), 1, 1, width)
    grid.add(*([None] * (width - 1)), "单位：人")
    r = grid.add("年龄", "总计", None, None, *[c for t in towns for c in (t, None, None)])
    grid.add(None, "合计", "男", "女", *["小计", "男", "女"] * len(towns))
    grid.merge(r, 1, r + 1, 1)
    for k in range(len(towns) + 1):
        grid.merge(r, 2 + 3 * k, r, 4 + 3 * k)
    male = cube.xs("male", level=1)
    female = cube.xs("female", level=1)

    def line(label: str, ages: list[int]) -> None:
        m, f = male[ages].sum(axis=1), female[ages].sum(axis=1)
        cells = [int(m.sum() + f.sum()), int(m.sum()), int(f.sum())]
        for t in towns:
            cells += [int(m[t] + f[t]), int(m[t]), int(f[t])]
        grid.add(label, *cells)

    line("总计", list(range(101)))
    for text, ages in _age_rows(style):
        line(text, ages)
    grid.add("注：本表为年末常住人口，年龄按周岁计算。")
    grid.add("资料来源：县统计局")
    return grid


def _short(name: str, kind: str) -> str:
    """A village's name as the NBS list writes it (村委会 / 居委会)."""
    return name + ("居委会" if kind == "community" else "委会") if name.endswith(("村", "社区")) else name


def village_list_grid(county: County) -> Grid:
    grid = Grid()
    grid.add("统计用区划代码和城乡划分代码", None, None, None)
    grid.add("统计用区划代码", "城乡分类代码", "名称", "距乡镇政府驻地距离（公里）")
    units = county.units
    grid.add(units.iloc[0]["code"] + "000000", None, units.iloc[0]["name"], None)
    villages = county.villages()
    for t in county.townships().itertuples():
        grid.add(t.code + "000", None, t.name, None)
        for v in villages[villages["township_code"] == t.code].itertuples():
            kind_code = 111 if v.kind == "community" else 220
            grid.add(v.code, kind_code, _short(v.name, v.kind), v.distance_km)
    return grid


def _names(county: County) -> tuple[pd.Series, pd.Series]:
    return county.units.set_index("code")["name"], county.facilities.set_index("code")["name"]


def stations_grid(county: County) -> Grid:
    unit_names, _ = _names(county)
    grid = Grid()
    grid.merge(grid.add(f"{county.units.iloc[0]['name']}计划生育服务机构基本情况表"), 1, 1, 8)
    grid.add("序号", "机构名称", "机构级别", "所在乡镇", "服务范围", "现有业务用房面积（平方米）", "等级", "建成时间")
    for i, f in enumerate(county.facilities.itertuples(), start=1):
        served = [] if not isinstance(f.serves, str) else [unit_names[c] for c in f.serves.split(";") if c]
        scope = "、".join((["本乡镇"] if f.level != "mobile_vehicle" else []) + served) if served else None
        grid.add(
            i,
            f.name,
            LEVEL_WORDS[f.level],
            unit_names.get(f.township_code),
            scope,
            float(f.floor_area_m2) if f.floor_area_m2 else None,
            GRADE_WORDS[f.grade],
            f"{f.opening_year}年",
        )
    return grid


def plan_grid(county: County) -> Grid:
    _, station_names = _names(county)
    plan = county.construction_plan
    grid = Grid()
    grid.merge(grid.add(f"{county.units.iloc[0]['name']}计划生育服务站建设项目规划表"), 1, 1, 10)
    grid.add(*([None] * 9), "单位：平方米、万元")
    r = grid.add(
        "序号", "项目名称", "建设性质", "建设标准", "规划建筑面积", "建设年限", None, "总投资", "资金来源", None
    )
    grid.add(None, None, None, None, None, "开工年份", "竣工年份", None, "自筹", "争取上级补助")
    for c in (1, 2, 3, 4, 5, 8):
        grid.merge(r, c, r + 1, c)
    grid.merge(r, 6, r, 7)
    grid.merge(r, 9, r, 10)
    for i, p in enumerate(plan.itertuples(), start=1):
        grid.add(
            i,
            station_names[p.station_code],
            MODE_WORDS[p.mode],
            GRADE_WORDS[p.target_grade],
            float(p.target_floor_area_m2),
            int(p.start_year),
            int(p.completion_year),
            float(p.cost_wan_yuan),
            float(p.self_raised_wan_yuan),
            float(p.subsidy_requested_wan_yuan),
        )
    grid.add(
        "合计",
        None,
        None,
        None,
        float(plan["target_floor_area_m2"].sum()),
        None,
        None,
        float(plan["cost_wan_yuan"].sum()),
        float(plan["self_raised_wan_yuan"].sum()),
        float(plan["subsidy_requested_wan_yuan"].sum()),
    )
    grid.add("注：建设标准依据《农村计划生育服务机构基础设施建设标准》。")
    return grid


def staff_grid(county: County, seed: int = 5) -> Grid:
    _, station_names = _names(county)
    rng = np.random.default_rng(seed)
    grid = Grid()
    grid.add(f"{county.units.iloc[0]['name']}计划生育技术服务人员花名册")
    grid.add(
        "序号", "人员编号", "所在单位", "性别", "出生年月", "学历", "专业", "职称", "执业资格", "是否医学专业", "专兼职"
    )
    for i, s in enumerate(county.staff.itertuples(), start=1):
        grid.add(
            i,
            s.staff_id,
            station_names[s.station_code],
            SEX_ZH[s.sex],
            f"{s.birth_year}.{rng.integers(1, 13):02d}",
            EDUCATION_WORDS[s.education],
            SPECIALTY_WORDS[s.specialty],
            TITLE_WORDS[s.title],
            LICENCE_WORDS[s.licence],
            "是" if s.medical else "否",
            "专职" if s.fte >= 1 else "兼职",
        )
    return grid


def vital_grid(county: County) -> Grid:
    names, _ = _names(county)
    vital = county.vital_history
    grid = Grid()
    grid.add(f"{county.units.iloc[0]['name']}历年人口变动情况（分乡镇）")
    grid.add("年份", "乡镇", "出生人数", None, "死亡人数", None, "迁入人数", "迁出人数")
    grid.add(None, None, "男", "女", "男", "女", None, None)
    columns = ["births_male", "births_female", "deaths_male", "deaths_female", "in_migrants", "out_migrants"]
    for year, part in vital.groupby("year"):
        for v in part.itertuples():
            grid.add(int(year), names[v.township_code], *[int(getattr(v, c)) for c in columns])
        grid.add(int(year), "全县合计", *[int(part[c].sum()) for c in columns])
    return grid


def equipment_grid(county: County) -> Grid:
    _, station_names = _names(county)
    grid = Grid()
    grid.add("医疗设备登记表")
    grid.add("序号", "单位名称", "设备名称", "数量（台/套）", "购置年份")
    items = county.config["equipment"].items
    for i, e in enumerate(county.equipment.itertuples(), start=1):
        year = None if pd.isna(e.year_acquired) else int(e.year_acquired)
        grid.add(i, station_names[e.station_code], items[e.item].zh, int(e.quantity), year)
    return grid


def report_grid(county: County, month: str, stats: pd.DataFrame, drop: tuple[str, ...] = ()) -> Grid:
    """The official monthly village report of ``month`` (rows of ``stats`` of that month)."""
    elements = county.config["data_elements"].elements
    codes = [e for e in elements if e not in drop]
    groups = [(g, [e for e in members if e in codes]) for g, members in REPORT_GROUPS.items()]
    rest = [e for e in codes if not any(e in m for _, m in groups)]
    groups = [(g, m) for g, m in groups + [("其他", rest)] if m]
    ordered = [e for _, m in groups for e in m]
    names, _ = _names(county)
    villages = county.villages()
    rows = stats[stats["month"] == month].set_index("village_code")
    year, number = int(month[:4]), int(month[5:])
    dates = rows["reported_on"].dropna()
    reported = dates.sort_values().iloc[len(dates) // 2] if len(dates) else pd.Timestamp(f"{month}-28")
    grid = Grid()
    width = 2 + len(ordered)
    grid.merge(grid.add(f"{year}年{number}月村级计划生育服务月报表"), 1, 1, width)
    grid.add(
        f"填报单位：{county.units.iloc[0]['name']}卫生健康局（盖章）",
        *([None] * (width - 3)),
        f"报送日期：{reported.year}年{reported.month}月{reported.day}日",
    )
    r = grid.add("乡镇", "村（居）", *[c for g, m in groups for c in [g] + [None] * (len(m) - 1)])
    grid.add(None, None, *[elements[e].zh for e in ordered])
    grid.merge(r, 1, r + 1, 1)
    grid.merge(r, 2, r + 1, 2)
    col = 3
    for _, m in groups:
        grid.merge(r, col, r, col + len(m) - 1)
        col += len(m)
    total = np.zeros(len(ordered))
    for t in county.townships().itertuples():
        own = villages[(villages["township_code"] == t.code) & villages["code"].isin(rows.index)]
        if own.empty:
            continue
        first = len(grid.rows) + 1
        for v in own.itertuples():
            values = rows.loc[v.code, ordered].to_numpy(float)
            grid.add(t.name, v.name, *[int(x) for x in values])
        grid.merge(first, 1, len(grid.rows), 1)
        sub = rows.loc[own["code"], ordered].to_numpy(float).sum(axis=0)
        total += sub
        grid.add(t.name, "小计", *[int(x) for x in sub])
    grid.add("合计", None, *[int(x) for x in total])
    grid.add("填表人：            审核人：            联系电话：")
    del names
    return grid


def write_reports(county: County, out: Path, stats: pd.DataFrame, months: list[str], style: OfficeStyle) -> list[Path]:
    grids = {m: report_grid(county, m, stats, style.drop_elements) for m in months}
    if style.report_format == "csv":
        return [write_csv(out / f"{m[:4]}年{int(m[5:])}月村级计划生育服务月报表.csv", g) for m, g in grids.items()]
    if style.monthly == "sheets":
        year = months[0][:4]
        return [
            write_xlsx(
                out / f"村级月报表汇编（{year}年起）.xlsx", {f"{m[:4]}年{int(m[5:])}月": g for m, g in grids.items()}
            )
        ]
    return [
        write_xlsx(out / f"{m[:4]}年{int(m[5:])}月村级计划生育服务月报表.xlsx", {"月报": g}) for m, g in grids.items()
    ]


def write_office_files(county_dir: str | Path, out_dir: str | Path, style: OfficeStyle | None = None) -> list[Path]:
    """Write the county at ``county_dir`` as an office would hand it over (module docstring) to ``out_dir``; returns
    the files. The county's next month (its ``incoming/`` reports) goes to ``out_dir/下月/`` in the official
    layout."""
    style = style or OfficeStyle()
    county = load_county(county_dir)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    name = county.units.iloc[0]["name"]
    census = county.census()  # the population table as the bureau gave it (a census year), not one brought forward
    files = [
        write_xlsx(out / f"{name}{census.base_year}年人口统计表.xlsx", {"人口": census_grid(census, style.census)}),
        write_csv(out / "统计用区划代码.csv", village_list_grid(county), encoding="utf-8-sig"),
        write_xlsx(out / "计生服务机构一览.xlsx", {"机构": stations_grid(county)}),
        write_xlsx(out / "建设项目规划表.xlsx", {"规划表": plan_grid(county), "说明": _notes()}),
        write_csv(out / "技术人员花名册.csv", staff_grid(county)),
        write_csv(out / "人口变动情况.csv", vital_grid(county)),
    ]
    if style.equipment and len(county.equipment):
        files.append(write_xlsx(out / "设备登记.xlsx", {"设备": equipment_grid(county)}))
    stats = county.service_stats.copy()
    months = list(style.months) if style.months else sorted(stats["month"].unique())
    files += write_reports(county, out, stats, months, style)
    incoming = sorted((Path(county_dir) / "incoming").glob("*.csv"))
    if incoming:
        nxt = pd.read_csv(incoming[0], dtype={"village_code": str})
        nxt["reported_on"] = pd.to_datetime(nxt["reported_on"])
        (out / "下月").mkdir(exist_ok=True)
        write_reports(
            county,
            out / "下月",
            nxt,
            sorted(nxt["month"].unique()),
            OfficeStyle(report_format=style.report_format, drop_elements=style.drop_elements),
        )
    return files


def _notes() -> Grid:
    grid = Grid()
    grid.add("填表说明")
    grid.add("1. 建设性质填新建、扩建或改扩建。")
    grid.add("2. 资金单位为万元。")
    return grid
