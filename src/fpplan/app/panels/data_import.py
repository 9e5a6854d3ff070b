"""数据导入: the planner uploads a month's files, sees every problem in Chinese, confirms, and the dashboards show
the month. A thin drawer over :mod:`fpplan.app.uploads` (which does the work); served on this machine only unless
the county's config/server.yaml says ``share_import_page: true`` (notebook metadata ``fpplan.local_only``)."""

from __future__ import annotations

import html

import ipywidgets as w

from fpplan.app.panels.common import county_path, header_html, results, store_path
from fpplan.data.errors import DataError
from fpplan.data.labels import month_text, ui


def _problems_html(problems) -> str:
    from fpplan.app.uploads import Checked, problems_table

    table = problems_table(Checked(paths=(), problems=tuple(problems)))
    return (
        f"<p id='fpplan-upload-problems' style='color:#c62828;font-size:15px'>{html.escape(ui('upload_problems', n=len(table)))}</p>"
        + table.astype(object).where(table.notna(), "").to_html(index=False, border=0, classes="fpplan-table")
        + "<style>.fpplan-table{border-collapse:collapse;font-size:13px}.fpplan-table td,.fpplan-table th"
        "{padding:3px 8px;border-bottom:1px solid #ddd;text-align:left}</style>"
    )


def import_panel() -> w.Widget:
    from fpplan.app.uploads import check, import_checked, save_uploads, summary_lines
    from fpplan.data.workspace import Workspace

    manifest = results()
    header = w.HTML(header_html("app_import", manifest))
    upload = w.FileUpload(
        accept=".csv,.xlsx,.xls", multiple=True, description=ui("upload_choose"), layout=w.Layout(width="220px")
    )
    check_button = w.Button(description=ui("upload_check"), icon="check", layout=w.Layout(width="160px"))
    confirm = w.Button(
        description=ui("upload_confirm"),
        icon="upload",
        button_style="primary",
        disabled=True,
        layout=w.Layout(width="160px"),
    )
    message = w.HTML(f"<p style='font-size:14px;color:#555'>{html.escape(ui('upload_help'))}</p>")
    state: dict = {}

    def on_check(_=None) -> None:
        confirm.disabled = True
        files = [(f["name"], f["content"]) for f in upload.value]
        if not files:
            message.value = f"<p>{html.escape(ui('upload_none_chosen'))}</p>"
            return
        workspace = Workspace(county_path(), store_path())
        paths, names = save_uploads(county_path(), files)
        checked = check(workspace, paths, names)
        state.update(workspace=workspace, checked=checked)
        if checked.problems:
            message.value = _problems_html(checked.problems)
            return
        lines = "".join(f"<li>{html.escape(line)}</li>" for line in summary_lines(checked))
        message.value = (
            f"<p id='fpplan-upload-ready' style='color:#2e7d32;font-size:15px'>{html.escape(ui('upload_ready'))}"
            f"</p><ul>{lines}</ul>"
        )
        confirm.disabled = False

    def on_confirm(_=None) -> None:
        confirm.disabled = True
        check_button.disabled = True
        message.value += f"<p>{html.escape(ui('upload_working'))}</p>"
        try:
            lines, month = import_checked(state["workspace"], state["checked"])
        except DataError as error:
            message.value = _problems_html(error.problems)
            return
        finally:
            check_button.disabled = False
        header.value = header_html("app_import", results())
        done = ui("upload_done", month=month_text(month)) if month else ui("upload_done_no_month")
        message.value = (
            "<ul>" + "".join(f"<li>{html.escape(line)}</li>" for line in lines) + "</ul>"
            f"<p id='fpplan-import-done' style='color:#2e7d32;font-size:16px'>{html.escape(done)}</p>"
        )
        upload.value = ()

    check_button.on_click(on_check)
    confirm.on_click(on_confirm)
    return w.VBox([header, w.HBox([upload, check_button, confirm]), message])
