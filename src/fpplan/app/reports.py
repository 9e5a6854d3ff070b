"""Reports an office can hand in: ``fpplan report COUNTY --period 2025Q3 --scenario medium --out reports/``.

The period and scenario are checked against the workspace's results first (a clear zh/en message and exit 2, before
any notebook runs). The five notebooks then run with papermill on those results (the numbers the dashboards show),
and are bound into ONE document: a cover block (county, period, scenario, data version, 数据截至, date, fpplan's
version) with the key numbers and a short contents, then a section per notebook, each starting on a new page; print
CSS for A4 (tables' headers repeated on every page, landscape pages where a section asks, page numbers), figures at
the page's width without plotly's toolbar, the CJK font. HTML, then PDF by headless chromium; the brief (简报) as
Word and PDF; the plan workbook. Everything goes into ``OUT/<county code>_<period>_<scenario>/``: built aside and
put in place whole; an existing folder is replaced only with ``replace=True`` (``--replace``), otherwise refused.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
import shutil
import time
from functools import cache
from pathlib import Path
from typing import Self

from fpplan.app.printing import page_count, to_pdf
from fpplan.app.style import FONT, REPORT_PLOTLY_CONFIG
from fpplan.data.errors import DataError, Problem
from fpplan.data.labels import label, language, month_text, ui
from fpplan.data.shipped import notebooks  # the package's (a DataError when the installation lost them)

FIGURE_MIME = "application/vnd.plotly.v1+json"
CELL_TIMEOUT = 900  # s: a cell still running after this stops the report with an error instead of hanging
# between two notebooks: the namespace emptied, then what is left (the imported modules, their classes and functions,
# some 300,000 objects) set aside from the cyclic garbage collector, which %reset runs: the next reset looks at the
# next notebook's objects only (the four resets of a report cost 2.25 s, most of it in gc.collect)
RESET = "%reset -f\n__import__('gc').freeze()"


def folder_name(manifest: dict, period: str, scenario: str) -> str:
    """One folder per county, period and scenario: ``650123_2025Q3_medium``."""
    return f"{manifest['county']['code']}_{period}_{scenario}"


# --- running and binding ----------------------------------------------------------------------------------------


class NotebookKernel:
    """One kernel that runs a report's notebooks one after the other (``with NotebookKernel(out_dir) as kernel:
    kernel.run(notebook, parameters)``): the libraries are imported once, not once per notebook, and each notebook
    starts from an empty namespace (``%reset -f`` between them), as it would in a kernel of its own. The terminal
    shows no English chatter of papermill and the kernel (their warnings: no encryption over loopback, the debugger's
    frozen modules, black not installed); a notebook that fails is a DataError naming the notebook, the cell and why,
    in the user's language."""

    def __init__(self, out_dir: Path):
        self.out_dir = Path(out_dir)
        self.manager = None
        self.used = False

    def __enter__(self) -> Self:
        from jupyter_client.manager import KernelManager

        os.environ["PLOTLY_RENDERER"] = "plotly_mimetype"  # figures as JSON: the report draws them itself
        os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # the kernel's debugger warning on frozen modules
        self.manager = KernelManager(kernel_name="python3")
        self.manager.start_kernel(cwd=str(self.out_dir), extra_arguments=["--IPKernelApp.log_level=ERROR"])
        return self

    def __exit__(self, *exc) -> None:
        self.manager.shutdown_kernel(now=True)

    def _reset(self, notebook: Path) -> None:
        """The namespace the previous notebook left emptied (imported modules stay imported); a kernel that cannot
        do it stops the report before ``notebook``, as a kernel that died."""
        client = self.manager.client()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=60)
            reply = client.execute_interactive(RESET, store_history=False, timeout=60, output_hook=lambda _: None)
        except (RuntimeError, TimeoutError):
            reply = {"content": {"status": "error"}}
        finally:
            client.stop_channels()
        if reply["content"]["status"] != "ok":
            raise DataError([Problem(file=notebook.name, kind="notebook_kernel_died", value=notebook.stem)])

    def run(self, notebook: Path, parameters: dict) -> Path:
        """Execute one notebook with papermill in this kernel; returns the executed copy."""
        import logging

        import papermill
        from nbclient.exceptions import CellTimeoutError, DeadKernelError

        executed = self.out_dir / notebook.name
        logger = logging.getLogger("papermill")
        level = logger.level
        logger.setLevel(logging.ERROR)
        try:
            if self.used:
                self._reset(notebook)
            self.used = True
            papermill.execute_notebook(
                str(notebook),
                str(executed),
                parameters=parameters,
                kernel_name="python3",
                cwd=str(self.out_dir),
                progress_bar=False,
                execution_timeout=CELL_TIMEOUT,
                km=self.manager,
                engine_name=_shared_kernel_engine(),
            )
        except papermill.PapermillExecutionError as error:
            raise DataError([notebook_failure(notebook, error.exec_count, error.ename, error.evalue)]) from None
        except CellTimeoutError:
            raise DataError(
                [
                    Problem(
                        file=notebook.name, kind="notebook_timeout", value=notebook.stem, detail=str(CELL_TIMEOUT // 60)
                    )
                ]
            ) from None
        except DeadKernelError:
            raise DataError([Problem(file=notebook.name, kind="notebook_kernel_died", value=notebook.stem)]) from None
        finally:
            logger.setLevel(level)
        return executed


@cache
def _shared_kernel_engine() -> str:
    """papermill's nbclient engine (registered under this name) for a kernel the caller owns: the client it
    connects each notebook with is closed after the notebook (nbclient leaves it open when it does not own the
    kernel: some fifteen sockets a notebook)."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger
    from papermill.utils import merge_kwargs, remove_args

    class Client(PapermillNotebookClient):
        def execute(self, **kwargs):
            try:
                return super().execute(**kwargs)
            finally:
                if self.kc is not None:
                    self.kc.stop_channels()

    class Engine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man,
            kernel_name,
            log_output=False,
            stdout_file=None,
            stderr_file=None,
            start_timeout=60,
            execution_timeout=None,
            **kwargs,
        ):  # NBClientEngine's, with the client above
            kwargs = remove_args(["timeout", "startup_timeout", "input_path"], **kwargs)
            final = merge_kwargs(
                kwargs,
                timeout=execution_timeout,
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=logger,
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
            )
            return Client(nb_man, **final).execute()

    name = "fpplan_shared_kernel"
    papermill_engines.register(name, Engine)
    return name


def run_notebook(notebook: Path, out_dir: Path, parameters: dict) -> Path:
    """Execute one notebook with papermill in a kernel of its own; returns the executed copy (``NotebookKernel``)."""
    with NotebookKernel(out_dir) as kernel:
        return kernel.run(notebook, parameters)


def notebook_failure(notebook: Path, cell: int | None, name: str, text: str) -> Problem:
    """A notebook's error as the problem printed: the county's data (a DataError raised in the notebook: run
    validate) or fpplan's own (the error's first line kept for the maintainers)."""
    if name == "DataError":
        return Problem(file=notebook.name, kind="notebook_data_error", value=notebook.stem, row=cell)
    return Problem(
        file=notebook.name,
        kind="notebook_failed",
        value=notebook.stem,
        row=cell,
        detail=f"{name}: {str(text).splitlines()[0] if text else ''}",
    )


def _target_parameter(notebook: Path, target_set: str | None) -> dict:
    """``{"target_set": …}`` for a notebook whose parameters name one (the indicator notebook), else nothing."""
    if target_set is None:
        return {}
    import papermill

    return {"target_set": target_set} if "target_set" in papermill.inspect_notebook(str(notebook)) else {}


def _figure_html(spec: dict, number: int) -> str:
    """A plotly figure as a static drawing at its fitted width (no toolbar, no hover)."""
    layout = dict(spec.get("layout", {}))
    layout["width"] = min(int(layout.get("width") or 660), 980)
    layout.setdefault("height", 360)
    layout["autosize"] = False
    div = f"fp-figure-{number}"
    data = json.dumps(spec.get("data", []), ensure_ascii=False)
    config = json.dumps(REPORT_PLOTLY_CONFIG)
    return (
        f"<div class='fp-figure' style='width:{layout['width']}px;height:{layout['height']}px'>"
        f"<div id='{div}' style='width:{layout['width']}px;height:{layout['height']}px'></div></div>"
        f"<script>Plotly.newPlot('{div}', {data}, {json.dumps(layout, ensure_ascii=False)}, {config});</script>"
    )


def check_sections(executed: list[Path]) -> None:
    """Every section has something to show: a notebook that ran but put out nothing (no table, figure or text) is
    a DataError naming it, never a report with a section silently missing."""
    import nbformat

    empty = [
        path.stem
        for path in executed
        if not any(
            o.get("output_type") != "stream" or o.get("name") != "stderr"
            for cell in nbformat.read(path, as_version=4).cells
            if cell.cell_type == "code"
            for o in cell.get("outputs", [])
        )
    ]
    if empty:
        raise DataError(
            [Problem(file=str(executed[0].parent), kind="report_section_empty", value=stem) for stem in empty]
        )


def bind(executed: list[Path], cover: str):
    """One notebook of the report: the cover, then every executed notebook's outputs (inputs hidden by the export),
    figures as drawings, warnings and other stderr left out (they are for the planner, not the office)."""
    import nbformat

    book = nbformat.v4.new_notebook()
    book.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}
    cover_cell = nbformat.v4.new_code_cell("")
    cover_cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": cover})]
    book.cells.append(cover_cell)
    number = 0
    for path in executed:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "markdown":  # the title and what it answers; the parameters are for the planner
                skip = f"**{ui('notebook_parameters')}**"
                text = "\n".join(line for line in cell.source.splitlines() if not line.startswith(skip))
                shown = nbformat.v4.new_code_cell("")
                shown.outputs = [nbformat.v4.new_output("display_data", data={"text/markdown": text})]
                book.cells.append(shown)
                continue
            if cell.cell_type != "code":
                continue
            outputs = []
            for output in cell.get("outputs", []):
                if output.get("output_type") == "stream" and output.get("name") == "stderr":
                    continue
                if "application/vnd.jupyter.widget-view+json" in output.get("data", {}):
                    continue  # live controls (the scenario explorer) have nothing to print
                data = output.get("data", {})
                if FIGURE_MIME in data:
                    number += 1
                    output = nbformat.v4.new_output(
                        "display_data", data={"text/html": _figure_html(data[FIGURE_MIME], number)}
                    )
                outputs.append(output)
            cell.outputs = outputs
            cell.source = ""
            book.cells.append(cell)
    for k, cell in enumerate(book.cells):
        cell["id"] = f"report-{k}"
    return book


def print_css() -> str:
    """A4 pages (named page ``wide`` in landscape), page numbers, a page break before every section, figures whole,
    no toolbar, the CJK font; the tables' own styles (fpplan.app.tables.css)."""
    from fpplan.app import tables

    footer = ui("page_of", page="{page}", pages="{pages}")
    footer = '"' + footer.replace("{page}", '" counter(page) "').replace("{pages}", '" counter(pages) "') + '"'
    box = f"@bottom-center{{content:{footer};font-family:{FONT};font-size:8pt;color:#616161;}}"
    return (
        f"@page{{size:A4 portrait;margin:14mm 14mm 16mm 14mm;{box}}}"
        f"@page wide{{size:A4 landscape;margin:12mm 14mm 14mm 14mm;{box}}}"
        ".fp-landscape{page:wide;}"
        f"html,body{{background:#fff !important;font-family:{FONT} !important;font-size:10pt;}}"
        "body{margin:0 !important;padding:0 !important;}"
        ".jp-Notebook,main{padding:0 !important;margin:0 !important;}"
        ".jp-Cell,.jp-Cell-outputWrapper,.jp-OutputArea,.jp-OutputArea-child,.jp-OutputArea-output{"
        "padding:0 !important;margin:0 !important;overflow:visible !important;max-width:100% !important;}"
        ".jp-InputArea,.jp-InputPrompt,.jp-OutputPrompt,.jp-Collapser{display:none !important;}"
        ".jp-RenderedHTMLCommon{padding:0 !important;font-size:10pt !important;}"
        f".jp-RenderedHTMLCommon,.jp-RenderedMarkdown{{font-family:{FONT} !important;}}"
        "h1{break-before:page;page-break-before:always;font-size:17pt !important;margin:0 0 8px 0 !important;}"
        ".fp-cover h1{break-before:avoid;page-break-before:avoid;font-size:20pt !important;}"
        "h2,h3{break-after:avoid;}"
        ".fp-figure{break-inside:avoid;page-break-inside:avoid;margin:6px 0 10px 0;}"
        ".modebar,.modebar-container{display:none !important;}"
        "pre{white-space:pre-wrap !important;word-break:break-all;}"
        ".jp-RenderedHTMLCommon table.fp-table{table-layout:auto !important;margin:4px 0 10px 0 !important;"
        "font-size:9pt !important;}"
        ".jp-RenderedHTMLCommon table.fp-table td,.jp-RenderedHTMLCommon table.fp-table th{"
        "padding:2px 4px !important;max-width:none !important;}"
        ".jp-RenderedHTMLCommon table.fp-table td{text-align:left !important;}"
        ".jp-RenderedHTMLCommon table.fp-table td.fp-num{text-align:right !important;}"
        ".jp-RenderedHTMLCommon table.fp-table tbody tr:nth-child(odd){background:transparent;}"
        ".fp-cover table.fp-meta{margin:6px 0 12px 0 !important;}"
        ".fp-cover table.fp-meta td{border:none !important;padding:2px 10px 2px 0 !important;font-size:10.5pt;"
        "text-align:left !important;}"
        ".fp-contents{list-style:none;padding-left:8px;}.fp-contents li{font-size:11pt;margin:3px 0;}"
        ".fp-findings li{font-size:10pt;margin:3px 0;line-height:1.5;}" + tables.css()
    )


def to_html(book, path: Path) -> Path:
    """The bound notebook as one self-contained HTML page: inputs hidden, the print CSS and plotly.js (the installed
    plotly's copy) in the head, no script or style from the internet."""
    from nbconvert import HTMLExporter
    from plotly.offline import get_plotlyjs

    body, _ = HTMLExporter(
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True
    ).from_notebook_node(book)
    body = re.sub(r"<script[^>]*src=\"https?://[^\"]*\"[^>]*>\s*</script>", "", body)  # offline: no CDN scripts
    body = re.sub(r"<link[^>]*href=\"https?://[^\"]*\"[^>]*>", "", body)
    head = f"<style>{print_css()}</style><script>{get_plotlyjs()}</script>"
    body = body.replace("</head>", head + "</head>", 1)
    body = re.sub(r"<title>.*?</title>", f"<title>{html.escape(path.stem)}</title>", body, count=1, flags=re.DOTALL)
    body = body.replace('<html lang="en">', '<html lang="zh">', 1) if language() == "zh" else body
    path.write_text(body, encoding="utf-8")
    return path


# --- the cover ----------------------------------------------------------------------------------------------------


def cover(manifest: dict, period: str, scenario: str, sections: list[str], date: str, key_numbers: str = "") -> str:
    """The cover block: title, county, period, scenario, data version and 数据截至 (from the workspace's results),
    date, fpplan's version; the key numbers; a short contents."""
    from fpplan.app.tables import period_text

    county = manifest["county"]["name"]
    as_of = manifest.get("data_as_of", {})
    rows = [
        (ui("cover_county"), f"{county}（{manifest['county']['code']}）"),
        (ui("cover_period"), f"{period_text(period)}（{period}）"),
        (ui("cover_scenario"), manifest["scenarios"][scenario][language()]),
        (ui("cover_version"), manifest["version"][:12]),
        (ui("cover_as_of"), month_text(as_of["last_month"]) if as_of.get("last_month") else "—"),
        (ui("cover_last_import"), (as_of.get("last_import") or "—").replace("T", " ")),
        (ui("cover_date"), date),
        (ui("cover_fpplan"), f"fpplan {manifest.get('fpplan_version', '')}"),
    ]
    meta = "".join(f"<tr><td><b>{html.escape(k)}</b></td><td>{html.escape(str(v))}</td></tr>" for k, v in rows)
    contents = "".join(f"<li>{html.escape(s)}</li>" for s in sections)
    title = ui("report_title", county=county, period=period_text(period))
    return (
        f"<div class='fp-cover'><h1>{html.escape(title)}</h1><table class='fp-meta'>{meta}</table>"
        f"{key_numbers}<h3>{html.escape(ui('contents'))}</h3><ul class='fp-contents'>{contents}</ul></div>"
    )


def section_titles(paths: list[Path]) -> list[str]:
    """Each notebook's title (its first heading)."""
    import nbformat

    titles = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        first = next((c.source for c in nb.cells if c.cell_type == "markdown"), path.stem)
        titles.append(re.sub(r"^#+\s*", "", first.strip().splitlines()[0]))
    return titles


# --- the command ------------------------------------------------------------------------------------------------


def run_report(
    data_dir: str,
    scenario: str | None = "medium",
    out: str = "reports",
    period: str | None = None,
    replace: bool = False,
    date: str | None = None,
    store: str | None = None,
    brief: bool = True,
    target_set: str | None = None,
) -> int:
    """The period's report for a scenario into ``out/<county>_<period>_<scenario>/``: the bound report (HTML, PDF), the
    executed notebooks, the brief (Word, PDF), the plan workbook, and ``report.json`` saying what the folder holds.
    ``target_set``: the indicators judged against it (default: the county's default set, 本县目标)."""
    from tqdm import tqdm

    from fpplan.app import results
    from fpplan.app.tables import period_text

    start = time.perf_counter()
    books = notebooks()  # an installation without its notebooks ends here, before anything is computed
    manifest, period, scenario = results.prepare(data_dir, period, scenario, store, target_set)
    target = Path(out) / folder_name(manifest, period, scenario)
    if target.exists() and not replace:
        raise DataError([Problem(file=str(target), kind="report_exists", detail=str(target))])
    date = date or dt.date.today().isoformat()
    staging = Path(out) / f".{target.name}.building-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "notebooks").mkdir(parents=True)
    try:
        parameters = {
            "data_dir": str(Path(data_dir).resolve()),
            "scenario": scenario,
            "period": period,
            "base_year": manifest["base_year"],
            "horizon": manifest["base_year"] + 10,
        }
        if store:
            parameters["store"] = str(Path(store).resolve())
        executed = []
        with (
            NotebookKernel(staging / "notebooks") as kernel,
            tqdm(books, bar_format=label("ui", "lang_report_progress")) as bar,
        ):
            for notebook in bar:
                bar.set_description(notebook.stem)
                executed.append(kernel.run(notebook, parameters | _target_parameter(notebook, target_set)))
        check_sections(executed)
        county = manifest["county"]["name"]
        key_numbers = ""
        if brief:
            from fpplan.app import brief as brief_module

            content = brief_module.content(manifest, period, scenario, date, target_set)
            key_numbers = brief_module.summary_html(content)
            brief_module.write(content, staging)
        book = bind(executed, cover(manifest, period, scenario, section_titles(executed), date, key_numbers))
        name = ui("report_file", county=county, period=period_text(period))
        page = to_html(book, staging / f"{name}.html")
        pdf = to_pdf(page)
        shutil.copy2(results.plan_workbook(manifest, scenario), staging / f"plan_{scenario}.xlsx")
        info = {
            "county": manifest["county"],
            "period": period,
            "scenario": scenario,
            "version": manifest["version"],
            "data_as_of": manifest.get("data_as_of"),
            "date": date,
            "fpplan_version": manifest.get("fpplan_version"),
            "pages": page_count(pdf) if pdf else None,
        }
        put_in_place(staging, target, info)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    print_written(target, info, start)
    return 0


def put_in_place(staging: Path, target: Path, info: dict) -> None:
    """``report.json`` (``info`` and the files the folder holds) written into ``staging``, then the folder put in
    place of ``target`` whole."""
    info["files"] = sorted(str(p.relative_to(staging)) for p in staging.rglob("*") if p.is_file())
    (staging / "report.json").write_text(json.dumps(info, ensure_ascii=False, indent=1), encoding="utf-8")
    _put_in_place(staging, target)


def print_written(target: Path, info: dict, start: float) -> None:
    """The report folder's files, then how many pages and how long it took."""
    from fpplan.app.tables import NO_VALUE

    for path in sorted(p for p in target.iterdir() if p.is_file()):
        print(path)
    print(ui("report_written", path=target, pages=info["pages"] or NO_VALUE, seconds=time.perf_counter() - start))


def _put_in_place(staging: Path, target: Path) -> None:
    """The new folder in place of the old one (the old one is removed only once the new one is complete)."""
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.exists():
        os.replace(target, old)
        print(ui("report_replaced", path=target))
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)
