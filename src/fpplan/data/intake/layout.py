"""Reading a county office's sheet as it comes: title rows, unit lines and ``填报单位：…`` lines above the header, a
header of one to three rows (group headings merged over their columns, or left blank after the heading in a CSV),
merged cells, footnotes under the data. Any CSV (UTF-8 or GBK/GB18030) or XLSX (every sheet).

A :class:`Sheet` keeps the rows as text with merged cells filled, where the header is, each column's header path
(``("资金来源", "自筹")``), the data rows and the notes; row numbers in problems are the sheet's own (1-based).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from fpplan.data.errors import Problem
from fpplan.data.labels import normalise
from fpplan.data.readers import _cell_text, _is_number, csv_text

MAX_HEADER_ROWS = 3
SEARCH_ROWS = 12  # the header is looked for in the first rows only
NOTE_PREFIXES = ("注", "说明", "资料来源", "数据来源", "填表", "制表", "备注", "审核", "负责人", "联系电话")


@dataclass
class Sheet:
    """One sheet of an office file, its layout found (see the module docstring)."""

    file: str
    name: str | None
    rows: list[list[str | None]]
    title: list[str] = field(default_factory=list)
    header_start: int = 0  # 0-based
    header_end: int = 0  # 0-based, inclusive
    header: list[tuple[str, ...]] = field(default_factory=list)
    data: list[int] = field(default_factory=list)  # 0-based row indices
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The file (and sheet) as a planner names it."""
        return Path(self.file).name + (f"「{self.name}」" if self.name else "")

    def cell(self, row: int, column: int) -> str | None:
        values = self.rows[row]
        return values[column] if column < len(values) else None

    def column_name(self, column: int) -> str:
        return (
            "/".join(self.header[column]) if column < len(self.header) and self.header[column] else f"第{column + 1}列"
        )

    def problem(
        self, kind: str, row: int | None = None, column: int | str | None = None, value: object = None, detail: str = ""
    ) -> Problem:
        """A problem at 0-based ``row`` (shown 1-based) and ``column`` (index: shown by its header)."""
        name = self.column_name(column) if isinstance(column, int) else column
        return Problem(
            file=self.file,
            kind=kind,
            row=None if row is None else row + 1,
            column=name,
            value=value,
            detail=detail,
            sheet=self.name,
        )

    def text(self) -> str:
        """Title lines and notes together (where a month, year or date may be written)."""
        return " ".join(self.title + [self.name or ""])


def read_sheets(path: Path) -> tuple[list[Sheet], list[Problem]]:
    """Every non-empty sheet of ``path`` with its layout found, or the problem that stops the file being read."""
    file = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [], [Problem(file=file, kind="unreadable", detail=exc.strerror or str(exc))]
    if not data.strip():
        return [], [Problem(file=file, kind="empty_file")]
    if path.suffix.lower() == ".xlsx":
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, ValueError, KeyError, OSError, TypeError) as exc:
            return [], [Problem(file=file, kind="unreadable", detail=f"not a valid XLSX workbook ({exc})")]
        sheets = []
        for ws in book.worksheets:
            if ws.sheet_state != "visible":
                continue  # hidden sheets hold drop-down lists, not data
            rows = [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
            merged = [(r.min_row - 1, r.min_col - 1, r.max_row - 1, r.max_col - 1) for r in ws.merged_cells.ranges]
            sheets.append(_layout(file, ws.title, rows, merged))
        sheets = [s for s in sheets if s is not None]
        return sheets, ([] if sheets else [Problem(file=file, kind="empty_file")])
    if path.suffix.lower() != ".csv":
        return [], [Problem(file=file, kind="import_not_table", value=path.suffix)]
    text, problems = csv_text(data, file)
    if text is None:
        return [], problems
    rows = [[c if c.strip() else None for c in row] for row in csv.reader(io.StringIO(text, newline=""))]
    sheet = _layout(file, None, rows, [])
    return ([sheet], []) if sheet is not None else ([], [Problem(file=file, kind="empty_file")])


def _filled(cell: str | None) -> bool:
    return cell is not None and bool(str(cell).strip())


def _layout(
    file: str, name: str | None, rows: list[list[str | None]], merged: list[tuple[int, int, int, int]]
) -> Sheet | None:
    width = max((len(r) for r in rows), default=0)
    rows = [list(r) + [None] * (width - len(r)) for r in rows]
    while rows and not any(_filled(c) for c in rows[-1]):
        rows.pop()
    if not rows:
        return None
    # a cell merged across columns counts once (a title over the whole width)
    covered = {
        (r, c) for r1, c1, r2, c2 in merged for r in range(r1, r2 + 1) for c in range(c1, c2 + 1) if (r, c) != (r1, c1)
    }

    def filled(r: int) -> list[str]:  # each cell's text stripped once (a sheet of villages × months: 250,000 cells)
        texts = [(j, str(c).strip()) for j, c in enumerate(rows[r]) if c is not None]
        return [t for j, t in texts if t and (r, j) not in covered] if covered else [t for _, t in texts if t]

    def info(r: int) -> bool:
        cells = filled(r)
        return len(cells) <= 1 or all(("：" in c or ":" in c) and not _is_number(c) for c in cells)

    start = next((r for r in range(min(len(rows), SEARCH_ROWS)) if not info(r)), None)
    if start is None:
        return Sheet(
            file,
            name,
            rows,
            title=[c for r in range(len(rows)) for c in filled(r)],
            header_start=len(rows),
            header_end=len(rows) - 1,
        )
    end = start
    while (
        end + 1 < len(rows)
        and end - start + 1 < MAX_HEADER_ROWS
        and not info(end + 1)
        and not any(_is_number(c) for c in filled(end + 1))
        and any(any(_is_number(c) for c in filled(r)) for r in range(end + 2, min(len(rows), end + 4)))
    ):
        end += 1
    # fill merged cells (the top-left value over the range); in the header, a CSV group heading left blank after it
    for r1, c1, r2, c2 in merged:
        value = rows[r1][c1]
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                rows[r][c] = value
    for r in range(start, end):  # upper header rows: a blank after a heading, over a named lower cell
        for c in range(1, width):
            if (
                not _filled(rows[r][c])
                and _filled(rows[r][c - 1])
                and _filled(rows[end][c])
                and (r, c) not in covered
                and not any(m[0] <= r <= m[2] and m[1] <= c <= m[3] for m in merged)
            ):
                rows[r][c] = rows[r][c - 1]
    header = []
    for c in range(width):
        path: list[str] = []
        for r in range(start, end + 1):
            text = rows[r][c]
            if _filled(text) and (not path or path[-1] != str(text).strip()):
                path.append(str(text).strip())
        header.append(tuple(path))
    title = [c for r in range(start) for c in filled(r)]

    def plain_data(r: int) -> bool:  # two filled cells found, the first no note: a data row (most rows; no full pass)
        found = []
        for j, c in enumerate(rows[r]):
            if c is not None and (r, j) not in covered:
                text = str(c).strip()
                if text:
                    found.append(text)
                    if len(found) == 2:
                        return not found[0].startswith(NOTE_PREFIXES)
        return False

    data, notes = [], []
    for r in range(end + 1, len(rows)):
        if plain_data(r):
            data.append(r)
            continue
        cells = filled(r)
        if not cells:
            continue
        if (
            (len(cells) == 1 and not _is_number(cells[0]))
            or cells[0].startswith(NOTE_PREFIXES)
            and not any(_is_number(c) for c in cells[1:])
        ):
            notes.append(" ".join(cells))
            continue
        data.append(r)
    return Sheet(
        file, name, rows, title=title, header_start=start, header_end=end, header=header, data=data, notes=notes
    )


# --- matching headers to fields -------------------------------------------------------------------------------

_UNIT = re.compile(r"\(.*?\)$")


def fold(text: object) -> str:
    """A header or name folded for matching: NFKC, no spaces, lower case, no unit in brackets at the end."""
    folded = normalise(text)
    return _UNIT.sub("", folded) or folded


def match_fields(sheet: Sheet, synonyms: dict[str, list[str]]) -> dict[str, int]:
    """field → column index, by the header path: the last level, the whole path joined with '/', or any level
    equal to one of the field's headers; failing that, containing one. Each column serves one field."""
    keys = []
    for path in sheet.header:
        levels = [fold(p) for p in path]
        keys.append(([levels[-1]] if levels else []) + (["/".join(levels)] if len(levels) > 1 else []) + levels[:-1])
    found: dict[str, int] = {}
    used: set[int] = set()
    for exact in (True, False):
        for name, words in synonyms.items():
            if name == "required" or name in found:
                continue
            targets = [fold(w) for w in words]
            for c, candidates in enumerate(keys):
                if c in used or not candidates:
                    continue
                hit = (
                    any(k in targets for k in candidates[:2])
                    if exact
                    else any(t in candidates[0] for t in targets if len(t) >= 2)
                )
                if hit:
                    found[name] = c
                    used.add(c)
                    break
    return found


def year_in(text: str) -> int | None:
    match = re.search(r"((?:19|20)\d{2})\s*年", text)
    return int(match.group(1)) if match else None


def month_in(text: str) -> str | None:
    match = re.search(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月", text) or re.search(
        r"((?:19|20)\d{2})[-./](\d{1,2})(?!\d)", text
    )
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    return f"{match.group(1)}-{int(match.group(2)):02d}"


def date_after(label: str, text: str) -> str | None:
    """The date written after ``label`` (报送日期：2025年4月5日 → 2025-04-05)."""
    match = re.search(label + r"\s*[：:]\s*((?:19|20)\d{2})\s*[年\-./]\s*(\d{1,2})\s*[月\-./]\s*(\d{1,2})", text)
    if not match:
        return None
    return f"{match.group(1)}-{int(match.group(2)):02d}-{int(match.group(3)):02d}"
