"""Reading a county's table files: CSV (UTF-8, GBK/GB18030) or XLSX, headers in Chinese or English.

Files are opened read-only and never written. Every way a file can fail to be read becomes a Problem.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd

from fpplan.data.errors import Problem
from fpplan.data.labels import normalise, table_aliases

EXTENSIONS = (".csv", ".xlsx")
ENCODINGS = ("utf-8-sig", "gb18030")


def find_table_files(county_dir: Path) -> tuple[dict[str, Path], list[Problem]]:
    """Map table code → file, by stem in English or Chinese (``population.csv``, ``人口.xlsx``)."""
    found: dict[str, Path] = {}
    problems = []
    aliases = table_aliases()
    for path in sorted(county_dir.iterdir()):
        if path.suffix.lower() not in EXTENSIONS or path.name.startswith(("~$", ".")):
            continue
        code = aliases.get(normalise(path.stem))
        if code is None:
            continue
        if code in found:
            problems.append(Problem(file=str(path), kind="duplicate", value=path.name, detail=f"table file ({found[code].name})"))
            continue
        found[code] = path
    return found, problems


def read_raw(path: Path) -> tuple[pd.DataFrame | None, list[Problem]]:
    """The file as a DataFrame of strings (blank cells NaN), or the problem that stops it being read."""
    file = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [Problem(file=file, kind="unreadable", detail=exc.strerror or str(exc))]
    if not data.strip():
        return None, [Problem(file=file, kind="empty_file")]
    if path.suffix.lower() == ".xlsx":
        return _read_xlsx(data, file)
    if b"\x00" in data[:4096]:
        return None, [Problem(file=file, kind="unreadable", detail="binary content, not a CSV text table")]
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return None, [Problem(file=file, kind="unreadable", detail="text is neither UTF-8 nor GBK/GB18030")]
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""], skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        return None, [Problem(file=file, kind="unreadable", detail=str(exc).strip().splitlines()[-1])]
    return _clean(frame, file)


def _read_xlsx(data: bytes, file: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    try:
        frame = pd.read_excel(io.BytesIO(data), dtype=object, engine="openpyxl")
    except (zipfile.BadZipFile, ValueError, KeyError, OSError) as exc:
        return None, [Problem(file=file, kind="unreadable", detail=f"not a valid XLSX workbook ({exc})")]
    frame = frame.map(_cell_text)
    return _clean(frame, file)


def _cell_text(value: object) -> object:
    """XLSX cells as the text a CSV would hold: whole floats without '.0', dates as ISO."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, pd.Timestamp) or hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:10] if text.endswith("00:00:00") else text
    return str(value)


def _clean(frame: pd.DataFrame, file: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    frame = frame.dropna(how="all")
    frame = frame.apply(lambda s: s.str.strip() if s.dtype == object or pd.api.types.is_string_dtype(s) else s)
    frame = frame.replace("", pd.NA).astype(object).where(frame.notna(), None)
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.loc[:, [not c.startswith("Unnamed:") for c in frame.columns]]
    if frame.empty:
        return None, [Problem(file=file, kind="empty_file")]
    return frame, []
