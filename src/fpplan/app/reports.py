"""Reproducible reports: ``fpplan report DATA_DIR --scenario NAME --out reports/`` runs every notebook with
papermill into ``reports/<date>/`` as executed notebooks and HTML (inputs hidden), PDF through headless
chromium where it is installed, plus the plan workbook. Same inputs, same numbers: every random draw is seeded."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[3]
NOTEBOOKS = ROOT / "notebooks"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def notebooks() -> list[Path]:
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def run_notebook(notebook: Path, out_dir: Path, parameters: dict) -> Path:
    """Execute one notebook with papermill; returns the executed copy."""
    import papermill

    executed = out_dir / notebook.name
    os.environ["PLOTLY_RENDERER"] = "plotly_mimetype+notebook"  # figures in the HTML export, plotly.js inline
    papermill.execute_notebook(str(notebook), str(executed), parameters=parameters, kernel_name="python3",
                               cwd=str(out_dir), progress_bar=False)
    return executed


def to_html(executed: Path) -> Path:
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True).from_filename(str(executed))
    html = executed.with_suffix(".html")
    html.write_text(body, encoding="utf-8")
    return html


def to_pdf(html: Path) -> Path | None:
    """PDF by headless chromium (offline, CJK fonts from fonts-noto-cjk); None where chromium is missing."""
    if not Path(CHROMIUM).exists():
        return None
    pdf = html.with_suffix(".pdf")
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--no-pdf-header-footer", "--virtual-time-budget=15000", f"--print-to-pdf={pdf}", html.as_uri()],
                   check=True, capture_output=True, timeout=180)
    return pdf


def run_report(data_dir: str, scenario: str, out: str, date: str | None = None, store: str | None = None) -> int:
    from fpplan.app.workbook import write_workbook
    from fpplan.data.workspace import Workspace
    from fpplan.planning.plan import make_plan

    county = Workspace(data_dir, store).county()  # a clear error before any notebook runs
    out_dir = Path(out) / (date or dt.date.today().isoformat())
    out_dir.mkdir(parents=True, exist_ok=True)
    parameters = {"data_dir": str(Path(data_dir).resolve()), "scenario": scenario, "base_year": county.base_year,
                  "horizon": county.base_year + 10, "output_dir": str(out_dir.resolve())}
    written = []
    with tqdm(notebooks(), unit="notebook") as bar:
        for notebook in bar:
            bar.set_description(notebook.stem)
            html = to_html(run_notebook(notebook, out_dir, parameters))
            written += [html, to_pdf(html)]
    written.append(write_workbook(make_plan(county, scenario), out_dir / f"plan_{scenario}.xlsx"))
    for path in filter(None, written):
        print(path)
    return 0
