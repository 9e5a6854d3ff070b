"""The quarterly report and the brief of the demo county, read as a person reads them (one report run: it is slow).

The PDF's text (pdftotext) has every township and every indicator, no "…" row marker and nothing in English; every
page rendered to an image (pdftoppm) has nothing touching its right edge; the brief is one page (two at most) and
names every red indicator; the report's numbers are the dashboards' (both read the workspace's results); a second
run into the same folder is refused, and a period or scenario that does not exist is refused before anything runs.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from fpplan.app import results
from fpplan.app.printing import page_count
from fpplan.app.reports import notebooks, run_report
from fpplan.app.tables import indicator_decimals, number
from fpplan.cli import main
from fpplan.data.config import load
from fpplan.data.errors import DataError
from tests.end_to_end.official import PERIOD, REPORT_DATE, SCENARIO

pytestmark = pytest.mark.notebook
# what may be written in Latin letters in a Chinese report: the tool's and two methods' names
LATIN_ALLOWED = {"fpplan", "WISN", "ETS"}
# a table's middle left out, as pandas writes it
ROW_MARKERS = (
    re.compile(r"^\s*(…|\.\.\.)\s*$", re.MULTILINE),
    re.compile(r"\d+\s*rows\s*×"),
    re.compile(r"\d+\s*行\s*×"),
)
# headings each section must show (the indicators' helper's list, kept)
HEADINGS = {
    "03_服务需求与人员": ["全县各项服务量（人次/年）", "服务量趋势", "人员配备标准", "人员结构标准", "招聘计划"],
    "05_指标评估": [
        "各乡镇红灯（未达标）与黄灯（接近）指标数",
        "每项指标的数值、目标及依据",
        "群众需求分类",
        "各乡镇共性问题",
        "个人考试奖惩",
        "专业集体奖惩",
    ],
}


def _tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is missing: make system-deps installs poppler-utils"
    return path


@pytest.fixture(scope="module")
def run(demo_outputs) -> dict:
    """The demo's report of PERIOD and SCENARIO dated REPORT_DATE, made once a session with every other output an
    official reads (tests/end_to_end/official.py), its PDFs' text."""
    data, folder, manifest = demo_outputs["folder"], demo_outputs["report_folder"], demo_outputs["manifest"]
    out = folder.parent
    assert folder.name == f"650123_{PERIOD}_{SCENARIO}"
    report = next(folder.glob("*分析报告.pdf"))
    brief = next(folder.glob("*简报.pdf"))
    text = subprocess.run(
        [_tool("pdftotext"), "-layout", str(report), "-"], capture_output=True, text=True, check=True
    ).stdout
    brief_text = subprocess.run(
        [_tool("pdftotext"), "-layout", str(brief), "-"], capture_output=True, text=True, check=True
    ).stdout
    return {
        "data": data,
        "out": out,
        "folder": folder,
        "manifest": manifest,
        "report": report,
        "brief": brief,
        "text": text,
        "brief_text": brief_text,
    }


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_one_folder_per_county_period_and_scenario(run) -> None:
    folder, manifest = run["folder"], run["manifest"]
    info = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    assert (info["period"], info["scenario"], info["version"]) == (PERIOD, SCENARIO, manifest["version"])
    assert sorted(p.name for p in (folder / "notebooks").glob("*.ipynb")) == sorted(n.name for n in notebooks())
    names = {p.name for p in folder.iterdir()}
    assert {
        "演示县2025年第三季度分析报告.pdf",
        "演示县2025年第三季度分析报告.html",
        "演示县2025年第三季度简报.docx",
        "演示县2025年第三季度简报.pdf",
        f"plan_{SCENARIO}.xlsx",
    } <= names
    assert info["pages"] == page_count(run["report"]) and info["pages"] >= 20


def test_each_notebook_ran_and_drew_its_figures(run) -> None:
    html = (next(run["folder"].glob("*分析报告.html"))).read_text(encoding="utf-8")
    assert "Traceback" not in html and "Plotly.newPlot" in html
    assert not re.search(r"<(script|link)[^>]*(src|href)=[\"']https?://", html)  # offline: nothing from the internet
    for path in sorted((run["folder"] / "notebooks").glob("*.ipynb")):
        executed = json.loads(path.read_text(encoding="utf-8"))
        outputs = [o for c in executed["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]
        assert not [o for o in outputs if o.get("output_type") == "error"], path.name
        assert [o for o in outputs if "application/vnd.plotly.v1+json" in o.get("data", {})], f"{path.name}: no figure"
        if path.stem == "02_人口预测":  # the scenario explorer, the dashboard's controls, in the notebook
            assert [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
        for heading in HEADINGS.get(path.stem, []):
            assert heading in html, f"{path.stem}: '{heading}' is missing from the report"


def test_the_pdf_text_as_an_official_reads_it(run) -> None:
    text, manifest = run["text"], run["manifest"]
    flat = _flat(text)
    for marker in ROW_MARKERS:
        assert not marker.search(text), marker.pattern
    # the cover's data version and fpplan's version are hexadecimal digests, not English
    digests = text.replace(manifest["version"][:12], "").replace(manifest.get("fpplan_version") or "", "")
    latin = set(re.findall(r"[A-Za-z][A-Za-z_]{2,}", digests))
    assert latin <= LATIN_ALLOWED, f"English in the zh report: {sorted(latin - LATIN_ALLOWED)}"
    for township in manifest["townships"]:
        assert _flat(manifest["names"][township]) in flat, manifest["names"][township]
    cards = results.table(manifest, "scorecards")
    shown = cards[(cards["period"] == PERIOD) & (cards["level"] == "county")]
    assert len(shown) >= 30
    for name in shown["name"].unique():  # every indicator of the standard
        assert _flat(name) in flat, name
    for word in ("达标", "未达标", "无目标", "无数据"):
        assert word in text
    cover = text.split("\f")[0]  # the cover: county, period, scenario, data version, 数据截至, date, fpplan's version
    for part in (
        "演示县",
        "2025年第三季度",
        "中方案",
        manifest["version"][:12],
        "数据截至",
        "2025年12月",
        REPORT_DATE,
        f"fpplan {manifest['fpplan_version']}",
        "目录",
    ):
        assert part in cover, part


def _pages_as_images(pdf: Path, folder: Path, dpi: int = 40) -> list[np.ndarray]:
    """Every page as a grey image (pdftoppm writes binary PGM: a header, then one byte per pixel)."""
    folder = folder / pdf.stem
    folder.mkdir()
    prefix = folder / "page"
    subprocess.run([_tool("pdftoppm"), "-r", str(dpi), "-gray", str(pdf), str(prefix)], check=True)
    pages = []
    for path in sorted(folder.glob("page*.pgm")):
        raw = path.read_bytes()
        parts = raw.split(maxsplit=4)  # P5, width, height, maxval, pixels
        width, height = int(parts[1]), int(parts[2])
        pages.append(np.frombuffer(parts[4][-width * height :], dtype=np.uint8).reshape(height, width))
    return pages


def test_nothing_touches_the_right_edge_of_any_page(run, tmp_path) -> None:
    for pdf in (run["report"], run["brief"]):
        pages = _pages_as_images(pdf, tmp_path)
        assert len(pages) == page_count(pdf)
        for k, page in enumerate(pages, start=1):
            edge = page[:, -4:]  # the rightmost 2.5 mm at 40 dpi
            assert edge.min() >= 245, f"{pdf.name} page {k}: something reaches the right edge"
            assert page.min() < 128, f"{pdf.name} page {k} is blank"


def test_the_brief_is_one_page_and_names_every_red_indicator(run) -> None:
    from docx import Document

    assert page_count(run["brief"]) <= 2
    cards = results.table(run["manifest"], "scorecards")
    now = cards[(cards["period"] == PERIOD) & (cards["kind"] == "quarter")]
    red = now.loc[now["status"] == "red", "name"].unique()
    assert len(red) >= 3
    docx = next(run["folder"].glob("*简报.docx"))
    document = Document(docx)
    words = "".join(p.text for p in document.paragraphs) + "".join(
        c.text for t in document.tables for r in t.rows for c in r.cells
    )
    listed = [name for name in red if _flat(name) in _flat(run["brief_text"])]
    assert listed == [name for name in red if _flat(name) in _flat(words)]  # the Word and the PDF list the same
    # the brief stays one page: it lists the most pressing and counts the others (config/report.yaml brief_indicators)
    counted = re.search(r"另有(\d+)项未达标、(\d+)项接近目标的指标未列出", _flat(run["brief_text"]))
    assert len(listed) == len(red) or (counted and int(counted.group(1)) + int(counted.group(2)) > 0)
    assert len(listed) >= min(len(red), 3)
    findings = [p.text for p in document.paragraphs if re.match(r"^\d\. ", p.text)]
    assert 3 <= len(findings) <= 5


def _numbers(text: str) -> list[float]:
    return [float(n.replace(",", "")) for n in re.findall(r"-?\d[\d,]*\.?\d*", text)]


def test_the_report_numbers_are_the_dashboards(run) -> None:
    """The overview's cards (fpplan.app.overview_content, read by 领导总览) and the township scorecard (read by
    乡镇指标) for the same period and scenario, found in the report and the brief as printed."""
    manifest = run["manifest"]
    assert manifest["plan_scenario"] == SCENARIO
    overview = results.document(manifest, "overview")
    cards = {c["title"]: c["value"] for c in overview["cards"]}
    population = next(v for t, v in cards.items() if t.endswith("年总人口"))
    women = next(v for t, v in cards.items() if t.endswith("年育龄妇女"))
    staff = next(v for t, v in cards.items() if "技术人员缺口" in t)
    money = next(v for t, v in cards.items() if "待争取上级补助" in t)
    cover = run["text"].split("\f")[0]
    for text in (cover, run["brief_text"]):
        assert population.split()[0] in text and women.split()[0] in text
        assert staff.split()[0] in text  # e.g. "11.0 人" on the overview, 11.0 in the key numbers
        found = [x for x in _numbers(text) if abs(x - _numbers(money)[0]) < 0.5]
        assert found, f"subsidy still to secure {money} not in the key numbers"
    catalogue = load("indicators", run["data"])
    digits = indicator_decimals(catalogue)
    table = results.table(manifest, "scorecards")
    township = table[(table["level"] == "township") & (table["period"] == PERIOD)]
    flat = _flat(run["text"])
    for code in ("contraceptive_prevalence", "follow_up_rate", "male_share_rh"):
        for unit in manifest["townships"][:3]:
            row = township[(township["unit"] == unit) & (township["indicator"] == code)].iloc[0]
            assert number(row["value"], digits[code]) in flat, (unit, code)


def test_a_second_run_is_refused_and_bad_requests_stop_before_any_notebook(run, capsys) -> None:
    data, out, folder = run["data"], run["out"], run["folder"]
    before = sorted(p.name for p in folder.rglob("*"))
    with pytest.raises(DataError) as refused:
        run_report(str(data), SCENARIO, str(out), period=PERIOD)
    assert [p.kind for p in refused.value.problems] == ["report_exists"]
    assert sorted(p.name for p in folder.rglob("*")) == before
    code = main(["report", str(data), "--period", "2031Q3", "--scenario", "high", "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 2 and "2031Q3" in printed and "high" in printed and "Traceback" not in printed
    assert "没有完整的月报数据" in printed and "没有名为「high」的情景" in printed
    assert sorted(p.name for p in out.iterdir()) == [folder.name]  # nothing started, nothing left behind
