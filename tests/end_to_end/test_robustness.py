"""Every command a validated county can run, runs: the demo county in the shapes real counties come in (each optional
table missing; 1, 12, 13 and 24 months of reports; a census base year older than the vital history; no geography; a
data element not collected), each put through validate, project, plan, scorecard (a month, a quarter, a year),
exams, survey, backtest and brief (a relative --out, which also computes the dashboards' results); the report
(papermill, slow) on the variants where it matters. No traceback: exit 0, or a refusal (exit 2 with its problems)
where the data cannot give the answer, and the output says what could not be assessed."""

from __future__ import annotations

import contextlib
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from fpplan.cli import main
from fpplan.testing import variants

DROPPED = list(variants.OPTIONAL_FILES)
VARIANTS = [f"drop_{t}" for t in DROPPED] + ["months_1", "months_12", "months_13", "months_24", "census", "uncollected"]
REPORTED = ("months_13", "census")  # the report's notebooks run on these (papermill, about two minutes each)
# (variant, command) → the refusal expected: the data cannot give that answer, and the command says why
REFUSED = {
    ("drop_population_history", "backtest"): "no_history",
    ("months_1", "brief"): "no_complete_period",
    ("months_1", "report"): "no_complete_period",
}
# The variants are put through the commands in counties of several faults that do not meet (each its own table or
# column; one month count a county), each county once; each variant's test asserts on its county what it asserted
# alone. A command refused for one variant's fault runs again, for the other variants, on a county without that
# fault (the back-test without the population history: the others' back-test must still run).
COUNTIES = {
    "reported": ("months_13", "census", "drop_survey", "drop_equipment", "drop_registers"),
    "year": (
        "months_12",
        "drop_survey_rounds",
        "drop_exam_scores",
        "drop_village_rooms",
        "drop_contraceptive_supply",
        "drop_geography",
        "drop_subsidy_granted",
    ),
    "two_years": (
        "months_24",
        "uncollected",
        "drop_training_register",
        "drop_budget",
        "drop_disbursement",
        "drop_population_history",
    ),
    "months_1": ("months_1",),
}
COUNTY_OF = {name: county for county, names in COUNTIES.items() for name in names}
assert sorted(COUNTY_OF) == sorted(VARIANTS) and len(COUNTY_OF) == sum(map(len, COUNTIES.values()))


def make(demo: Path, folder: Path, names: tuple[str, ...]) -> Path:
    variants.copy(demo, folder)
    for name in names:
        if name.startswith("drop_"):
            variants.drop(folder, name.removeprefix("drop_"))
        elif name.startswith("months_"):
            variants.last_months(folder, int(name.removeprefix("months_")))
        elif name == "census":
            variants.census_base(folder)
        elif name == "uncollected":
            variants.not_collected(folder, {"migrant_women_served": "本县月报表无此栏目"})
    return folder


def run(*args: str) -> tuple[int, str]:
    """A command in this process (any exception fails the test with its traceback): exit code and printout."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(list(args))
    return code, out.getvalue()


def commands(county: Path) -> dict[str, list[str]]:
    months = sorted(variants.read(county, "service_stats")["month"].unique())
    last = pd.Period(months[-1], freq="M")
    quarter, year = f"{last.year}Q{last.quarter}", str(last.year)
    c = str(county)
    return {
        "validate": ["validate", c],
        "project": ["project", c, "--out", "projection.csv"],
        "scorecard_month": ["scorecard", c, "--level", "county", "--period", months[-1]],
        "scorecard_quarter": ["scorecard", c, "--period", quarter],
        "scorecard_year": ["scorecard", c, "--level", "county", "--period", year],
        "exams": ["exams", c, "--year", year],
        "survey": ["survey", c, "--period", year],
        "backtest": ["backtest", c, "--trajectories", "50"],
        "brief": ["brief", c, "--out", "briefs/"],
        "plan": ["plan", c, "--out", "plan.xlsx"],  # after the brief: the plan its results keep (fpplan plan)
    }


@dataclass
class Run:
    """A county of variants put through every command once: its folder, the working folder the relative outputs
    went to, each command's exit code and printout (``others``: the same for the variants whose fault did not refuse
    it, where another's did), and the report's (when one of its variants is reported)."""

    county: Path
    cwd: Path
    codes: dict[str, int]
    printed: dict[str, str]
    others: dict[str, tuple[int, str]]

    def result(self, name: str, command: str) -> tuple[int, str]:
        refused = {v for v in COUNTIES[COUNTY_OF[name]] if (v, command.split("_")[0]) in REFUSED}
        if refused and name not in refused:
            return self.others[command]
        return self.codes[command], self.printed[command]


@pytest.fixture(scope="module")
def runs(demo: Path, tmp_path_factory) -> Callable[[str], Run]:
    """Each county of :data:`COUNTIES`, made and run on first use, once."""
    done: dict[str, Run] = {}

    def run_county(key: str) -> Run:
        if key not in done:
            cwd = tmp_path_factory.mktemp(key)
            county = make(demo, cwd / "county", COUNTIES[key])
            codes, printed, others = {}, {}, {}
            with contextlib.chdir(cwd):  # relative output paths, as a planner types them
                for command, args in commands(county).items():
                    codes[command], printed[command] = run(*args)
                    refused = {v for v in COUNTIES[key] if (v, command.split("_")[0]) in REFUSED}
                    if refused and set(COUNTIES[key]) - refused:  # again without the faults that refuse it
                        rest = tuple(v for v in COUNTIES[key] if v not in refused)
                        other = make(demo, cwd / f"county_without_{command}", rest)
                        with contextlib.chdir(tmp_path_factory.mktemp(f"{key}_{command}")):
                            others[command] = run(*commands(other)[command])
                if set(COUNTIES[key]) & set(REPORTED):
                    codes["report"], printed["report"] = run("report", str(county), "--out", "reports")
            done[key] = Run(county, cwd, codes, printed, others)
        return done[key]

    return run_county


@pytest.mark.parametrize("name", VARIANTS)  # each county on one worker (tests/conftest.py group_of)
def test_every_command_runs_on(name: str, runs) -> None:
    result = runs(COUNTY_OF[name])
    county, tmp_path, printed = result.county, result.cwd, result.printed
    printed = dict(printed)
    for command in commands(county):
        code, text = result.result(name, command)
        printed[command] = text
        expected = REFUSED.get((name, command.split("_")[0]))
        assert code == (2 if expected else 0), f"{name} {command}: exit {code}\n{text}"
        assert "Traceback" not in text and not re.search(r"\bnan\b", text, re.IGNORECASE), f"{name} {command}:\n{text}"
    assert "数据检查通过" in printed["validate"]
    assert (tmp_path / "plan.xlsx").is_file() and (tmp_path / "projection.csv").is_file()
    briefs = list((tmp_path / "briefs").glob("*")) if (tmp_path / "briefs").exists() else []
    if (name, "brief") in REFUSED:
        assert "还没有一个完整的季度" in printed["brief"] and not briefs
    else:
        assert {p.suffix for p in briefs} >= {".docx"}, briefs
    check_what_is_said(name, county, printed)
    if name in REPORTED:
        code, text = result.codes["report"], printed["report"]
        assert code == 0, text
        [folder] = (tmp_path / "reports").iterdir()
        page = next(folder.glob("*.html")).read_text(encoding="utf-8")
        for notebook in (folder / "notebooks").glob("*.ipynb"):  # every cell ran without an error
            outputs = [
                o for c in json.loads(notebook.read_text(encoding="utf-8"))["cells"] for o in c.get("outputs", [])
            ]
            assert not [o for o in outputs if o.get("output_type") == "error"], notebook.name
        if name == "months_13":  # fewer than 24 months: the service forecast has no season, and says so
            assert "不足 24 个月" in page and "不分季节" in page


def check_what_is_said(name: str, county: Path, printed: dict[str, str]) -> None:
    """Each variant's commands say what its data do not allow (and the numbers that follow from it)."""
    said = printed["validate"]
    if name == "drop_equipment":
        assert "没有医疗设备表" in said and "医疗设备未填报" in printed["plan"]
        assert "未填报医疗设备" in printed["plan"]
    elif name == "drop_survey":
        assert "没有群众需求调查表" in said and "没有群众需求调查表" in printed["survey"]
    elif name == "drop_exam_scores":
        assert "没有技术人员月考成绩" in printed["exams"]
        assert "无数据" in printed["scorecard_year"] or "计生干部" not in printed["scorecard_year"]
    elif name == "drop_village_rooms":  # the plan says the rooms were not assessed; the scorecard has no value
        assert "村服务室和人口学校未评估" in printed["plan"]
    elif name == "drop_registers":  # no supervision or work register: the rhythm's indicators 无数据, never red
        line = next(row for row in printed["scorecard_year"].splitlines() if "县级督导" in row or "督导" in row)
        assert "无数据" in line and "未达标" not in line
    elif name == "drop_geography":
        assert "没有村和服务站的经纬度" in said
    elif name == "drop_population_history":
        assert "population_history" in printed["backtest"] or "历史" in printed["backtest"]
    elif name.startswith("months_"):
        n = int(name.removeprefix("months_"))
        assert f"月报共 {n} 个月" in said
        assert ("服务量预测不分季节" in said) == (6 <= n < 24)
        assert ("还没有完整的季度" in said) == (n < 3)
    elif name == "census":
        assert "人口表为 2020 年" in said and "推算到 2025 年" in said and "规划从 2026 年开始" in said
        assert "基期2025年" in said
        assert "基年 2025 年预测出生人数" in printed["project"] and "总和生育率" in printed["project"]
    elif name == "uncollected":
        assert "本县不收集「流动育龄妇女服务人数」" in said
        assert "本县不收集：流动育龄妇女服务人数：本县月报表无此栏目" in printed["scorecard_year"]
        line = next(row for row in printed["scorecard_year"].splitlines() if "流动人口服务率" in row)
        assert "无数据" in line and "未达标" not in line
        assert "按人口计算" in printed["plan"]
