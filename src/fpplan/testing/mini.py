"""A tiny hand-made county (1 county, 2 townships, 3 villages) for loader and validation tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from fpplan.data.config import default_config_dir

ELEMENTS = list(yaml.safe_load((default_config_dir() / "data_elements.yaml").read_text(encoding="utf-8"))["elements"])


def mini_tables() -> dict[str, pd.DataFrame]:
    units = pd.DataFrame(
        [
            ["100", "Mini County", "county", None, "county", 900.0, None],
            ["100001", "East Town", "township", "100", "zhen", 400.0, None],
            ["100002", "West Xiang", "township", "100", "xiang", 500.0, None],
            ["100001001", "Dongcun", "village", "100001", "village", 20.0, 3.0],
            ["100001002", "Nancun", "village", "100001", "community", 5.0, 1.0],
            ["100002001", "Xicun", "village", "100002", "village", 60.0, 35.0],
        ],
        columns=["code", "name", "level", "parent_code", "kind", "area_km2", "distance_km"],
    )
    ages = np.arange(101)
    rows = []
    for i, village in enumerate(["100001001", "100001002", "100002001"]):
        for sex in ("male", "female"):
            # 10 people at every age in the first village, 20 in the second, 30 in the third; women one more.
            count = 10 * (i + 1) + (sex == "female")
            rows.append(
                pd.DataFrame({"year": 2025, "unit_code": village, "sex": sex, "age": ages, "population": count})
            )
    population = pd.concat(rows, ignore_index=True)
    vital = pd.DataFrame(
        [[2024, "100001", 5, 4, 6, 5, 10, 12], [2024, "100002", 3, 3, 4, 4, 2, 8]],
        columns=[
            "year",
            "township_code",
            "births_male",
            "births_female",
            "deaths_male",
            "deaths_female",
            "in_migrants",
            "out_migrants",
        ],
    )
    married = pd.DataFrame(
        {"township_code": None, "age": np.arange(15, 50), "share": np.linspace(0.02, 0.9, 35).round(3)}
    )
    facilities = pd.DataFrame(
        [
            ["F01", "County station", "county_station", "100001", None, 900.0, "B", 1998],
            ["F02", "West station", "township_general", "100002", None, 120.0, "C", 2005],
            ["F03", "Mobile van", "mobile_vehicle", None, "100002", 0.0, "none", 2020],
        ],
        columns=["code", "name", "level", "township_code", "serves", "floor_area_m2", "grade", "opening_year"],
    )
    staff = pd.DataFrame(
        [
            ["S1", "F01", "gynaecology", "bachelor", "intermediate", "true", "physician", 1.0, "female", 1975],
            ["S2", "F01", "ultrasound", "associate", "junior", "true", "assistant_physician", 1.0, "male", 1988],
            ["S3", "F02", "finance", "secondary_vocational", "none", "false", "none", 0.5, "female", 1990],
        ],
        columns=[
            "staff_id",
            "station_code",
            "specialty",
            "education",
            "title",
            "medical",
            "licence",
            "fte",
            "sex",
            "birth_year",
        ],
    )
    plan = pd.DataFrame(
        [
            ["F01", "renovate_extend", "A", 1500.0, 2025, 2027, 400.0, 150.0, 250.0],
            ["F02", "new_build", "B", 200.0, 2026, 2028, 60.0, 20.0, 40.0],
        ],
        columns=[
            "station_code",
            "mode",
            "target_grade",
            "target_floor_area_m2",
            "start_year",
            "completion_year",
            "cost_wan_yuan",
            "self_raised_wan_yuan",
            "subsidy_requested_wan_yuan",
        ],
    )
    stats = pd.DataFrame(
        [
            [v, m, f"{m}-05"] + [1.0] * len(ELEMENTS)
            for v in ["100001001", "100001002", "100002001"]
            for m in ["2025-01", "2025-02"]
        ],
        columns=["village_code", "month", "reported_on", *ELEMENTS],
    )
    # the two births of each report (one boy, one girl) by order: a first and a second child
    stats[["births_order_3plus", "births_unplanned_higher_order", "technical_accidents"]] = 0.0
    survey = pd.DataFrame(
        [["100001001", "2025-01", "male_health", 3], ["100002001", "2025-01", "infertility", 1]],
        columns=["village_code", "month", "need", "count"],
    )
    exams = pd.DataFrame(
        [["S1", "2025-01", "monthly", 82, "false"], ["S2", "2025-01", "monthly", None, "false"]],
        columns=["staff_id", "month", "exam_type", "score", "excused"],
    )
    return {
        "units": units,
        "population": population,
        "vital_history": vital,
        "married_share": married,
        "facilities": facilities,
        "staff": staff,
        "construction_plan": plan,
        "service_stats": stats,
        "survey": survey,
        "exam_scores": exams,
    }


def write_mini_county(path: Path, tables: dict[str, pd.DataFrame] | None = None) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for name, frame in (tables or mini_tables()).items():
        frame.to_csv(path / f"{name}.csv", index=False)
    return path
