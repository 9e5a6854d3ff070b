"""Every notebook executes top to bottom on the demo county (through the report, as a user runs it), and the
report has its HTML, PDF and workbook."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fpplan.app.reports import notebooks, run_report
from fpplan.demo import write_demo

pytestmark = pytest.mark.notebook
NAMES = ["01_数据检查", "02_人口预测", "03_服务需求与人员", "04_建设规划", "05_指标评估"]
# tables each report must show (their headings are the notebooks' Markdown outputs)
HEADINGS = {
    "03_服务需求与人员": ["全县各项服务量（人次/年）", "服务量趋势", "人员配备标准", "人员结构标准", "招聘计划"],
    "05_指标评估": ["各乡镇红灯（未达标）与黄灯（接近）指标数", "每项指标的数值、目标及依据", "人口自然增长率与机械增长率",
                "群众需求分类", "各乡镇共性问题", "个人考试奖惩", "专业集体奖惩"],
}


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    data = write_demo(tmp_path_factory.mktemp("demo") / "county")
    out = tmp_path_factory.mktemp("reports")
    assert run_report(str(data), "medium", str(out), date="2026-01-01") == 0
    return out / "2026-01-01"


def test_the_notebooks_are_the_five_planned_ones() -> None:
    assert [n.stem for n in notebooks()] == NAMES
    for path in notebooks():
        nb = json.loads(path.read_text(encoding="utf-8"))
        assert nb["metadata"]["kernelspec"]["name"] == "python3"
        assert any("parameters" in c.get("metadata", {}).get("tags", []) for c in nb["cells"])
        assert not any(c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code"), "commit stripped notebooks"


@pytest.mark.parametrize("name", NAMES)
def test_each_notebook_ran_and_rendered(report: Path, name: str) -> None:
    executed = json.loads((report / f"{name}.ipynb").read_text(encoding="utf-8"))
    outputs = [o for c in executed["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    html = (report / f"{name}.html").read_text(encoding="utf-8")
    assert "Traceback" not in html
    assert "plotly" in html.lower()  # every notebook draws at least one figure
    figures = [o for o in outputs if "application/vnd.plotly.v1+json" in o.get("data", {})]
    assert figures, f"{name}: no figure was drawn"
    for heading in HEADINGS.get(name, []):
        assert heading in html, f"{name}: '{heading}' is missing from the report"
    assert (report / f"{name}.pdf").stat().st_size > 10_000


def test_report_workbooks(report: Path) -> None:
    assert (report / "plan_medium.xlsx").stat().st_size > 10_000
    assert (report / "建设规划_medium.xlsx").stat().st_size > 10_000
