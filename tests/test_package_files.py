"""The files the package ships are found inside it (importlib.resources), the same as the repository's top-level
folders they come from; an installation that lost them, or a report section that came out empty, is an error
naming what is missing, never a short report."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from fpplan import DataError
from fpplan.app.reports import check_sections
from fpplan.data import shipped

ROOT = Path(__file__).resolve().parents[1]


def test_the_package_holds_the_repository_notebooks_and_dashboards() -> None:
    notebooks = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert [p.name for p in shipped.notebooks()] == notebooks and len(notebooks) == 5
    assert [p.name for p in shipped.dashboards()] == sorted(p.name for p in (ROOT / "dashboards").glob("*.ipynb"))
    for found in (*shipped.notebooks(), *shipped.dashboards()):
        assert found.read_bytes() == (ROOT / found.parent.name / found.name).read_bytes()
    assert (shipped.voila_template() / "index.html.j2").is_file()
    assert shipped.plotly_basic().stat().st_size > 1_000_000  # plotly.js-basic, vendored


def test_no_module_finds_the_repository_from_its_own_path() -> None:
    assert not [p for p in (ROOT / "src" / "fpplan").rglob("*.py") if "__file__" in p.read_text(encoding="utf-8")]


def test_an_installation_without_its_files_is_an_error(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(shipped, "package_path", lambda relative: tmp_path / relative)
    for files in (shipped.notebooks, shipped.dashboards, shipped.voila_template):
        with pytest.raises(DataError) as info:
            files()
        [problem] = info.value.problems
        assert problem.kind == "package_files_missing" and problem.file.startswith(str(tmp_path))


def test_a_report_section_that_came_out_empty_stops_the_report(tmp_path: Path) -> None:
    full, empty = nbformat.v4.new_notebook(), nbformat.v4.new_notebook()
    shown = nbformat.v4.new_code_cell("x")
    shown.outputs = [nbformat.v4.new_output("display_data", data={"text/html": "<table></table>"})]
    warned = nbformat.v4.new_code_cell("y")
    warned.outputs = [nbformat.v4.new_output("stream", name="stderr", text="a warning")]  # not content
    full.cells, empty.cells = [shown], [nbformat.v4.new_markdown_cell("# 标题"), warned]
    for name, book in (("01_a.ipynb", full), ("02_b.ipynb", empty)):
        nbformat.write(book, tmp_path / name)
    check_sections([tmp_path / "01_a.ipynb"])
    with pytest.raises(DataError) as info:
        check_sections([tmp_path / "01_a.ipynb", tmp_path / "02_b.ipynb"])
    assert [(p.kind, p.value) for p in info.value.problems] == [("report_section_empty", "02_b")]
