"""Report tables as officials read them (fpplan.app.tables): numbers, years, headers, names, words, every row."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from fpplan.app import tables
from fpplan.data.config import load
from fpplan.data.labels import set_language


@pytest.fixture(autouse=True)
def chinese():
    set_language("zh")
    yield
    set_language("zh")


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (1234567.891, 2, "1,234,567.89"),
        (1234.5, 0, "1,235"),
        (2.675, 2, "2.68"),
        (0.125, 2, "0.13"),
        (-0.004, 2, "0.00"),
        (-1234.56, 1, "-1,234.6"),
        (5, 2, "5.00"),
        (999.96, 1, "1,000.0"),
        (float("nan"), 2, "—"),
        (None, 0, "—"),
        (pd.NA, 1, "—"),
    ],
)
def test_numbers_as_officials_write_them(value, decimals, text) -> None:
    assert tables.number(value, decimals) == text


def test_years_are_years() -> None:
    assert [tables.year(v) for v in (2029, 2029.0, np.int64(2031), float("nan"))] == ["2029", "2029", "2031", "—"]
    shown = tables.present(pd.DataFrame({"completion_year": [2029.0, np.nan], "year": [2030, 2031]})).cells
    assert shown.to_numpy().tolist() == [["2029", "2030"], ["—", "2031"]]


def test_decimals_come_from_the_column_its_unit_or_its_values() -> None:
    cfg = load("report")
    assert tables.column_decimals("population", cfg=cfg) == 0  # label unit 人
    assert tables.column_decimals("required", cfg=cfg) == 1  # WISN staff are fractions of a person
    assert tables.column_decimals("cost_wan_yuan", cfg=cfg) == 2  # 万元
    assert tables.column_decimals("not_a_column", pd.Series([1.0, 3.0]), cfg) == 0  # whole values
    assert tables.column_decimals("not_a_column", pd.Series([1.5, 3.0]), cfg) == cfg.default


def test_indicator_decimals_follow_the_catalogue_unit_and_a_county_can_override(tmp_path) -> None:
    catalogue = load("indicators")
    digits = tables.indicator_decimals(catalogue, load("report"))
    units = {code: ind.unit for code, ind in catalogue.indicators.items()}
    assert digits["contraceptive_prevalence"] == 2 and units["contraceptive_prevalence"] == "percent"
    assert digits["sex_ratio_at_birth"] == 1 and units["sex_ratio_at_birth"] == "per_100"
    assert all(digits[c] == 0 for c, u in units.items() if u == "count")
    (tmp_path / "config").mkdir()
    own = tmp_path / "config" / "report.yaml"
    own.write_text(
        "source: county's own\nindicator_units: {percent: 1}\nindicators: {sex_ratio_at_birth: 0}\n", encoding="utf-8"
    )
    mine = tables.indicator_decimals(catalogue, load("report", tmp_path))
    assert mine["contraceptive_prevalence"] == 1 and mine["sex_ratio_at_birth"] == 0


def test_headers_names_words_and_statuses() -> None:
    frame = pd.DataFrame(
        {
            "station": ["650123001", "650123002"],
            "level": ["county", "township_central"],
            "floor_area_m2": [1234.5, 80.0],
            "met": [True, False],
            "status": ["red", "amber"],
        }
    )
    shown = tables.present(frame, names={"650123001": "城关镇服务站", "650123002": "红星乡中心站"})
    assert list(shown.cells.columns) == ["服务站", "级别", "建筑面积(m²)", "是否达标", "达标情况"]
    assert shown.cells.iloc[:, 0].tolist() == ["城关镇服务站", "红星乡中心站"]  # names, not codes
    assert shown.cells["级别"].tolist()[1] == "乡中心服务站"
    assert shown.cells["建筑面积(m²)"].tolist() == ["1,235", "80"]
    assert shown.cells["是否达标"].tolist() == ["是", "否"]
    assert shown.cells["达标情况"].tolist() == ["未达标", "接近"]
    assert shown.statuses["达标情况"].tolist() == ["red", "amber"]
    with_code = tables.present(frame, names={"650123001": "城关镇服务站"}, keep_codes=["station"])
    assert with_code.cells.iloc[:, 0].tolist() == ["650123001", "650123002"]  # kept where an official needs it
    assert with_code.cells.columns[0] == "服务站代码"


def test_every_row_is_printed_with_a_repeating_header() -> None:
    n = 1000
    frame = pd.DataFrame({"region": [f"r{k}" for k in range(n)], "population": np.arange(n) * 1000.4})
    html = tables.html_table(frame, caption="全部", names={f"r{k}": f"乡{k}" for k in range(n)})
    body = html[html.index("<tbody>") :]
    assert body.count("<tr>") == n
    assert html.count("<thead>") == 1 and "<th>人口数(人)</th>" in html
    assert "乡999" in html and "999,400" in html
    assert "…" not in html and "..." not in html and "rows ×" not in html
    assert "thead{display:table-header-group;}" in tables.css()


def test_scorecard_rows_use_each_indicator_decimals_and_words() -> None:
    catalogue = load("indicators")
    card = pd.DataFrame(
        {
            "unit": ["650123", "650123"],
            "indicator": ["sex_ratio_at_birth", "contraceptive_prevalence"],
            "name": ["出生人口性别比", "已婚育龄妇女综合避孕率"],
            "value": [106.7917, 93.21277],
            "unit_label": ["（女=100）", "%"],
            "target": ["103–107", "≥ 85"],
            "status": ["green", "red"],
            "previous": [107.758, 93.069],
            "change": [-0.9663, 0.1437],
            "note": ["", ""],
            "note_arg": ["", ""],
            "undecided": [False, False],
        }
    )
    shown = tables.scorecard_rows(card, catalogue)
    cells = shown.cells
    assert list(cells.columns) == ["指标", "本期数值", "计量单位", "目标", "达标情况", "上期", "变化", "说明"]
    assert cells["本期数值"].tolist() == ["106.8", "93.21"]
    assert cells["上期"].tolist() == ["107.8", "93.07"] and cells["变化"].tolist() == ["-1.0", "0.14"]
    assert cells["达标情况"].tolist() == ["达标", "未达标"]
    assert not any(re.search(r"[A-Za-z_]{3,}", str(c)) for c in cells.columns)  # no English header


def test_scorecard_matrix_has_every_township_and_indicator() -> None:
    catalogue = load("indicators")
    units = ["t1", "t2", "t3"]
    codes = ["contraceptive_prevalence", "follow_up_rate"]
    card = pd.DataFrame(
        [
            {"unit": u, "indicator": c, "name": c.upper(), "value": 90.123 + k, "status": "green", "target": "≥ 85"}
            for k, u in enumerate(units[:2])
            for c in codes
        ]
    )
    county = pd.DataFrame(
        [
            {"unit": "C", "indicator": c, "name": c.upper(), "value": 91.0, "status": "amber", "target": "≥ 95"}
            for c in codes
        ]
    )
    shown = tables.scorecard_matrix(
        card, catalogue, {"t1": "甲乡", "t2": "乙乡", "t3": "丙乡", "C": "全县"}, units, county
    )
    assert list(shown.cells.columns) == ["指标", "目标", "甲乡", "乙乡", "丙乡", "全县"]
    assert shown.cells["乙乡"].tolist() == ["91.12", "91.12"]
    assert shown.cells["丙乡"].tolist() == ["—", "—"]  # a township without values is still there
    assert shown.cells["目标"].tolist() == ["≥ 95", "≥ 95"]  # the county's target
    assert shown.statuses["全县"].tolist() == ["amber", "amber"]


def test_the_map_pages_tables_show_names_under_name_headers() -> None:
    """服务半径与选址's tables (fpplan.app.panels.spatial) show units by name under 乡镇 / 村 / 最近服务站, as the
    workbook does (fpplan.app.tables.header), never a header saying 代码 over names."""
    from fpplan.app.panels.spatial import _table

    frame = pd.DataFrame(
        {"village_code": ["v1"], "township_code": ["t1"], "nearest_station": ["s1"], "women_15_49": [280.0]}
    )
    html = _table(frame, list(frame.columns), {"v1": "苏家营村", "t1": "牛角镇", "s1": "牛角镇计生服务站"})
    headers = re.findall(r"<th>(.*?)</th>", html)
    assert headers[:3] == ["村", "乡镇", "最近服务站"] and not any("代码" in h for h in headers)
    assert "苏家营村" in html and "牛角镇计生服务站" in html and ">280<" in html
