"""Reading a county's table files: CSV (UTF-8, GBK/GB18030) or XLSX, headers in Chinese or English.

Files are opened read-only and never written. Every way a file can fail to be read becomes a Problem, and
spreadsheets are read as officials make them (docs/data-files.md):

- read correctly: data continued on later sheets ("续表") whose header is the first sheet's are appended; a cell
  merged down one column over several rows (a township code over its stations) is filled down, where the column
  holds codes, names, categories, years or dates;
- refused with a message that says what to do: a title, notes or a second header row above the header ("表头应在
  第1行"); a two-row header (group headings over the columns); a notes sheet before the data sheet; a later sheet
  with a different header or with data but no header; a merged cell over a quantity (filling it down would count
  it twice) or across columns; cells outside the header's columns.

Row numbers are the sheet's own (the header is row 1) and problems name the sheet: the frame's index is
``sheet position × SHEET_STRIDE + row − 2`` until :func:`locate` turns it back into sheet and row.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from fpplan.data.errors import Problem
from fpplan.data.labels import Text, canonical_column, normalise, table_aliases
from fpplan.data.reasons import exception_text

EXTENSIONS = (".csv", ".xlsx")
ENCODINGS = ("utf-8-sig", "gb18030")
SHEET_STRIDE = 10_000_000  # > the 1,048,576 rows a sheet can hold
HEADER_SEARCH_ROWS = 10  # a header further down than this is not looked for
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?$")


def find_table_files(
    county_dir: Path, suffixes: tuple[str, ...] = EXTENSIONS, codes: tuple[str, ...] | None = None
) -> tuple[dict[str, Path], list[Problem]]:
    """Map table code → file, by stem in English or Chinese (``population.csv``, ``人口.xlsx``); ``suffixes`` and
    ``codes`` narrow it (the geography files: ``.geojson``, boundaries and roads). A second file for one code is a
    problem."""
    found: dict[str, Path] = {}
    problems = []
    aliases = table_aliases()
    for path in sorted(county_dir.iterdir()):
        if path.suffix.lower() not in suffixes or path.name.startswith(("~$", ".")):
            continue
        code = aliases.get(normalise(path.stem))
        if code is None or (codes is not None and code not in codes):
            continue
        if code in found:
            problems.append(Problem(file=str(path), kind="duplicate_file", value=path.name, detail=found[code].name))
            continue
        found[code] = path
    return found, problems


def read_raw(path: Path, sheets: dict[int, str] | None = None) -> tuple[pd.DataFrame | None, list[Problem]]:
    """The file as a DataFrame of strings (blank cells None), or the problems that stop it being read as it is.
    ``sheets``, when given, receives the sheet names by position (XLSX), for :func:`locate`."""
    file = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [Problem(file=file, kind="unreadable", detail=exception_text(exc))]
    if not data.strip():
        return None, [Problem(file=file, kind="empty_file")]
    if path.suffix.lower() == ".xlsx":
        return _read_xlsx(data, file, {} if sheets is None else sheets)
    text, problems = csv_text(data, file)
    if text is None:
        return None, problems
    plain = _plain_csv(text, file)
    if plain is not None:
        frame, problems = plain
        return _finish(frame, file, problems)
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        return None, [Problem(file=file, kind="unreadable", detail=Text("lang_csv_malformed"))]
    sheet = _Sheet(rows, name=None, position=0)
    problems = sheet.header_problems(file)
    if problems:
        return None, problems
    frame, problems = sheet.frame(file)
    return _finish(frame, file, problems)


def _plain_csv(text: str, file: str) -> tuple[pd.DataFrame, list[Problem]] | None:
    """A plain CSV read by pyarrow's parser at once: no quotes, no line ending but ``\n`` and ``\r\n``, its header
    in row 1 with a name in its last cell, every line as many cells. None for any other file: Python's csv module
    reads it line by line (and names what cannot be read as it is)."""
    if '"' in text or "\x00" in text or "\r" in text.replace("\r\n", ""):
        return None
    first_lines = text.split("\n", HEADER_SEARCH_ROWS + 1)[: HEADER_SEARCH_ROWS + 1]  # not the rest of the file
    head = _Sheet(list(csv.reader(io.StringIO("\n".join(first_lines)))), None, 0)
    header = head.rows[0] if head.rows else []
    if head.header_row != 0 or head.header_problems(file) or not _filled(header[-1]):
        return None
    try:
        table = pacsv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pacsv.ReadOptions(skip_rows=1, autogenerate_column_names=True, use_threads=False),
            parse_options=pacsv.ParseOptions(quote_char=False, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types={f"f{j}": pa.string() for j in range(len(header))}, strings_can_be_null=False
            ),
        )
    except pa.ArrowInvalid:  # a line with other cells than the header's, a header alone: read line by line
        return None
    if table.num_columns != len(header):
        return None
    return head.frame(file, [column.combine_chunks() for column in table.columns])


def csv_text(data: bytes, file: str) -> tuple[str | None, list[Problem]]:
    """A CSV file's bytes as text (UTF-8, else GBK/GB18030: what an office's Excel saves), or the problem that stops
    it being read as text."""
    if b"\x00" in data[:4096]:
        return None, [Problem(file=file, kind="unreadable", detail=Text("lang_csv_binary"))]
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), []
        except UnicodeDecodeError:
            continue
    return None, [Problem(file=file, kind="unreadable", detail=Text("lang_csv_encoding"))]


def locate(problems: list[Problem], sheets: dict[str, dict[int, str]]) -> list[Problem]:
    """Problems with rows as each sheet counts them and the sheet named (``sheets``: file → position → name)."""
    out = []
    for p in problems:
        names = sheets.get(p.file)
        if names and p.row is not None and p.sheet is None:
            position, offset = divmod(p.row - 2, SHEET_STRIDE)
            p = replace(p, row=offset + 2, sheet=names.get(position))
        out.append(p)
    return out


# --- spreadsheets ---------------------------------------------------------------------------------------------


def _cell_text(value: object) -> str | None:
    """A cell as the text a CSV would hold: whole floats without '.0', dates as ISO, blanks None."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:10] if text.endswith("00:00:00") else text
    text = str(value)
    return text if text.strip() else None


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _is_number(text: str | None) -> bool:
    return text is not None and bool(_NUMBER.match(text.strip().replace(",", "")))


_KINDS: dict[str, str] = {}


def _column_kind(header: str | None) -> str:
    """The schema kind of a header's column ('float' for quantities and unknown headers such as data elements)."""
    if not _KINDS:
        from fpplan.data.schema import TABLES

        for table in TABLES.values():
            for column in table.columns:
                _KINDS.setdefault(column.name, column.kind)
    code = canonical_column(header) if header else None
    return _KINDS.get(code, "float") if code else "float"


def _filled(cell: str | None) -> bool:
    return cell is not None and bool(cell.strip())


class _Sheet:
    """One sheet (or a CSV file) as rows of text (blank cells None or empty), with a spreadsheet's merged ranges."""

    def __init__(self, rows: list[list[str | None]], name: str | None, position: int, merged: list | None = None):
        self.rows, self.name, self.position, self.merged = rows, name, position, merged or []
        self.header_row = self._find_header()

    def _find_header(self) -> int | None:
        """0-based row of the header: the first of the first rows with two recognised column names."""
        for i, row in enumerate(self.rows[:HEADER_SEARCH_ROWS]):
            if sum(canonical_column(c) is not None for c in row if _filled(c)) >= 2:
                return i
        return None

    @property
    def empty(self) -> bool:
        return not any(_filled(c) for row in self.rows for c in row)

    @property
    def data_like(self) -> bool:
        """Holds figures (a row with two numbers among its first rows): not a sheet of notes."""
        return any(sum(_is_number(c) for c in row) >= 2 for row in self.rows[: HEADER_SEARCH_ROWS * 5])

    def headers(self) -> list[str]:
        """The header's names as matched (column codes where recognised, folded text otherwise)."""
        return [_key(c) for c in self.rows[self.header_row or 0] if _filled(c)]

    def _problem(
        self,
        file: str,
        kind: str,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
        detail: str = "",
    ) -> Problem:
        return Problem(file=file, kind=kind, row=row, column=column, value=value, detail=detail, sheet=self.name)

    def header_problems(self, file: str) -> list[Problem]:
        """A header that is not in row 1, or that takes two rows (group headings merged over columns, or a
        second row of names under the first)."""
        h = self.header_row
        if h is not None and h > 0:
            above = [c.strip() for row in self.rows[:h] for c in row if _filled(c)]
            return [
                self._problem(
                    file,
                    "header_not_first_row",
                    row=h + 1,
                    value=h + 1,
                    detail=" / ".join(above[:4]) + (" …" if len(above) > 4 else ""),
                )
            ]
        if h is None or len(self.rows) < 2:
            return []
        spans = [r for r in self.merged if r.min_row == 1 and r.max_col > r.min_col]
        header, second = self.rows[0], self.rows[1]
        known = [i for i, c in enumerate(header) if _filled(c) and canonical_column(c) is not None]
        texts = [c for c in second if _filled(c)]
        # a second row of names or units: no figures, and only under unrecognised columns, or sparse, or names
        sub_header = (
            bool(texts)
            and not any(_is_number(c) for c in texts)
            and (
                all(i >= len(second) or not _filled(second[i]) for i in known)
                or 2 * len(texts) < sum(_filled(c) for c in header)
                or any(canonical_column(c) is not None for c in texts)
            )
        )
        if spans or sub_header:
            shown = [c.strip() for c in (second if sub_header else header) if _filled(c)]
            return [self._problem(file, "two_row_header", row=2, detail=" / ".join(shown[:4]))]
        return []

    def fill_merged(self, file: str) -> list[Problem]:
        """Fill down cells merged over rows of one column holding codes, names, categories, years or dates;
        refuse merged quantities (filling would count them twice) and cells merged across columns."""
        problems = []
        header = self.rows[self.header_row or 0]
        first_data = (self.header_row or 0) + 2  # 1-based
        for r in self.merged:
            if r.max_row < first_data:
                continue
            column = header[r.min_col - 1] if r.min_col - 1 < len(header) else None
            where = f"{_column_letter(r.min_col - 1)}{r.min_row}:{_column_letter(r.max_col - 1)}{r.max_row}"
            if r.max_col > r.min_col:
                problems.append(self._problem(file, "merged_across_columns", row=r.min_row, value=where))
            elif _column_kind(column) == "float":
                problems.append(self._problem(file, "merged_quantity", row=r.min_row, column=column, value=where))
            else:
                value = self.rows[r.min_row - 1][r.min_col - 1]
                for row in self.rows[r.min_row : r.max_row]:
                    row[r.min_col - 1] = value
        return problems

    def frame(self, file: str, columns: list[pa.Array] | None = None) -> tuple[pd.DataFrame, list[Problem]]:
        """The rows under the header as text, indexed by position × SHEET_STRIDE + row − 2; cells outside the
        header's columns and columns with data but no header are problems (they would be lost). ``columns``: the
        body's columns already parsed (``_plain_csv``: as many as the header's cells)."""
        h = self.header_row or 0
        header = list(self.rows[h]) if len(self.rows) > h else []
        while header and not _filled(header[-1]):
            header.pop()
        width = len(header)
        problems = []
        if columns is None:
            body = self.rows[h + 1 :]
            for i in [i for i, row in enumerate(body) if len(row) != width]:
                extra = [(j, c) for j, c in enumerate(body[i][width:], start=width) if _filled(c)]
                problems += [
                    self._problem(file, "cell_outside_header", row=h + 2 + i, column=_column_letter(j), value=c.strip())
                    for j, c in extra
                ]
                body[i] = (list(body[i]) + [None] * width)[:width]
            columns = [pa.array(cells, type=pa.string()) for cells in zip(*body)]  # each column's cells at once
            length = len(body)
        else:
            length = len(columns[0])
        names = [name.strip() if _filled(name) else f"Unnamed: {j}" for j, name in enumerate(header)]
        first = self.position * SHEET_STRIDE + h  # the index: sheet row − 2, as rows_of counts
        frame = pd.DataFrame(  # by position (names may repeat)
            {j: pd.arrays.ArrowStringArray(c) for j, c in enumerate(columns)}
            if columns
            else {j: pd.array([], dtype=ARROW_TEXT) for j in range(width)},
            index=pd.RangeIndex(first, first + length),
        )
        frame.columns = names
        for j, name in enumerate(header):
            if (
                not _filled(name)
                and columns
                and pc.any(pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(columns[j])), 0)).as_py()
            ):
                problems.append(self._problem(file, "column_without_header", column=_column_letter(j)))
        return frame, problems


def _read_xlsx(data: bytes, file: str, names: dict[int, str]) -> tuple[pd.DataFrame | None, list[Problem]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:  # not read-only: merged ranges are only known to a fully loaded workbook
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, ValueError, KeyError, OSError, TypeError):
        return None, [Problem(file=file, kind="unreadable", detail=Text("lang_xlsx_invalid"))]
    sheets = []
    for position, ws in enumerate(book.worksheets):
        rows = [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
        sheets.append(_Sheet(rows, ws.title, position, list(ws.merged_cells.ranges)))
    names.update({s.position: s.name for s in sheets})
    filled = [s for s in sheets if not s.empty]
    if not filled:
        return None, [Problem(file=file, kind="empty_file")]
    first = filled[0]
    if first.header_row is None:
        later = next((s for s in filled[1:] if s.header_row is not None), None)
        if later is not None:
            return None, [
                Problem(file=file, kind="data_not_first_sheet", value=first.name, detail=later.name, sheet=first.name)
            ]
    problems = first.header_problems(file)
    parts = []
    if not problems:
        problems += first.fill_merged(file)
        frame, found = first.frame(file)
        parts.append(frame)
        problems += found
    expected = sorted(first.headers())
    for sheet in filled[1:]:
        number = sheet.position + 1
        if sheet.header_row is None:
            if sheet.data_like:
                problems.append(
                    Problem(file=file, kind="sheet_without_header", value=number, sheet=sheet.name, detail=first.name)
                )
            continue  # a sheet of notes
        found = sheet.header_problems(file)
        if not found and sorted(sheet.headers()) != expected:
            ours, theirs = set(first.headers()), set(sheet.headers())
            differ = [f"−{c}" for c in sorted(ours - theirs)] + [f"+{c}" for c in sorted(theirs - ours)]
            found = [
                Problem(
                    file=file,
                    kind="sheet_header_differs",
                    value=number,
                    sheet=sheet.name,
                    detail=", ".join(differ) or "≠",
                )
            ]
        if not found:
            found = sheet.fill_merged(file)
            frame, more = sheet.frame(file)
            spelling = {_key(c): c for c in parts[0].columns} if parts else {}
            frame.columns = [spelling.get(_key(c), c) for c in frame.columns]  # the first sheet's spelling
            parts.append(frame)
            found += more
        problems += found
    if problems:
        return None, problems
    frame = pd.concat(parts) if len(parts) > 1 else parts[0]
    return _finish(frame, file, [])


def _key(header: object) -> str:
    return canonical_column(header) or normalise(header)


def _finish(frame: pd.DataFrame, file: str, problems: list[Problem]) -> tuple[pd.DataFrame | None, list[Problem]]:
    if problems:
        return None, problems
    return _clean(frame, file)


# Text as pyarrow holds it, for the string methods run on every cell of a file (trimming, the patterns validation
# looks for): pyarrow's run in C (Unicode whitespace, full-width spaces too; RE2 patterns), where text kept as Python
# strings (``import fpplan``) would be worked one cell at a time: a county's files hold ~600,000 cells
ARROW_TEXT = pd.StringDtype("pyarrow")


def _clean(frame: pd.DataFrame, file: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    """The cells trimmed (blank: None), blank rows and unnamed columns left out; every column's cells Python
    strings or None (object dtype). The trimming in pyarrow, a column at a time."""
    texts = []
    for j in range(frame.shape[1]):
        column = pa.array(frame.iloc[:, j].array, type=pa.string(), from_pandas=True)
        column = pc.utf8_trim_whitespace(column)
        texts.append(pc.if_else(pc.equal(column, ""), pa.scalar(None, pa.string()), column))
    filled = ~np.logical_and.reduce([t.is_null().to_numpy(zero_copy_only=False) for t in texts]) if texts else []
    rows = pa.array(filled, type=pa.bool_())
    names = [str(c).strip() for c in frame.columns]
    keep = [j for j, name in enumerate(names) if not name.startswith("Unnamed:")]
    frame = pd.DataFrame(
        {i: texts[j].filter(rows).to_numpy(zero_copy_only=False) for i, j in enumerate(keep)},
        index=frame.index[filled] if texts else frame.index[:0],
        dtype=object,
    )
    frame.columns = [names[j] for j in keep]
    if frame.empty:
        return None, [Problem(file=file, kind="empty_file")]
    return frame, []
