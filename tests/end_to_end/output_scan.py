"""What an official reads, scanned for what they should never meet: English words, codes (enumeration and status
codes are English words; unit, station and indicator codes), NaN / None, and persons in fractions.

Allowed English (stated here, short on purpose): units and names officials use as they are — km, WISN (the WHO
method's name), TFR, PDF, fpplan (the program's name on the report's cover), A4; also left out: file paths a
command names, pseudonymous staff ids (S0001), the data version's 12-character id on the report's cover, and the
county's name with its administrative code in parentheses.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

ALLOWED_WORDS = {"km", "WISN", "TFR", "PDF", "fpplan", "A4"}
WORD = re.compile(r"[A-Za-z][A-Za-z_]+")
MISSING = re.compile(r"(?<![A-Za-z])(nan|NaN|None|NaT|<NA>|inf|-inf)(?![A-Za-z])")
STAFF_ID = re.compile(r"\bS\d{3,}\b")  # pseudonymous staff ids (exam outputs)
PATH = re.compile(r"\S*/\S*")  # file paths a command names (what it wrote)
VERSION = re.compile(r"\b[0-9a-f]{12}\b")  # the data version's id (report cover)
# a column of persons: its unit is 人 (not 人年, 人次 or 全时当量); "(人)" in the header, or a count of people
PERSON_HEADER = re.compile(r"\(人\)|（人）|人数$")
FTE_HEADER = re.compile(r"人年|全时当量")


@dataclass
class Findings:
    where: str
    problems: list[str] = field(default_factory=list)

    def add(self, place: str, kind: str, text: str) -> None:
        self.problems.append(f"{self.where} {place}: {kind}: {text[:120]!r}")


def scan_text(text: str, codes: set[str], findings: Findings, place: str, allowed: tuple[str, ...] = ()) -> None:
    """English words, unit/station codes and missing-value words in ``text``. ``allowed``: exact phrases left out
    (the county's name with its administrative code on a cover)."""
    for phrase in allowed:
        text = text.replace(phrase, "")
    text = STAFF_ID.sub("", VERSION.sub("", PATH.sub("", text)))
    for word in WORD.findall(text):
        if word not in ALLOWED_WORDS:
            findings.add(place, "English or a code", f"{word} in {text}")
            break
    if MISSING.search(text):
        findings.add(place, "missing value", text)
    for token in re.findall(r"[0-9A-Za-z_]{4,}", text):
        if token in codes:
            findings.add(place, "code", f"{token} in {text}")
            break


def scan_workbook(path: Path, codes: set[str], allowed: tuple[str, ...] = ()) -> list[str]:
    """Every cell of every sheet (openpyxl): text as :func:`scan_text`; numbers finite; in a column of persons
    (header unit 人, not 人年 / 全时当量) whole numbers."""
    import math

    from openpyxl import load_workbook

    findings = Findings(path.name)
    book = load_workbook(path, data_only=True)
    for sheet in book.worksheets:
        scan_text(sheet.title, codes, findings, f"sheet name {sheet.title}", allowed)
        rows = list(sheet.iter_rows(values_only=True))
        header_row, headers = None, []
        for k, row in enumerate(rows):
            texts = [v for v in row if v is not None]
            if header_row is None and len(texts) >= 2 and all(isinstance(v, str) for v in texts):
                header_row, headers = k, [str(v) if v is not None else "" for v in row]
            for c, value in enumerate(row):
                if value is None:
                    continue
                place = f"{sheet.title}!{_cell(k, c)}"
                if isinstance(value, str):
                    scan_text(value, codes, findings, place, allowed)
                elif isinstance(value, float) and not math.isfinite(value):
                    findings.add(place, "missing value", str(value))
                elif (
                    header_row is not None
                    and k > header_row
                    and c < len(headers)
                    and isinstance(value, (int, float))
                    and not isinstance(value, bool)
                    and PERSON_HEADER.search(headers[c])
                    and not FTE_HEADER.search(headers[c])
                    and abs(value - round(value)) > 1e-9
                ):
                    findings.add(place, "fractional persons", f"{headers[c]} = {value}")
    return findings.problems


def _cell(row: int, col: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(col + 1)}{row + 1}"


def html_text(page: str) -> str:
    """The text a reader sees in an HTML page: scripts and styles dropped, tags stripped, entities decoded."""
    page = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", page)
    page = re.sub(r"(?s)<[^>]+>", "\n", page)
    return html.unescape(page)


def scan_lines(text: str, codes: set[str], where: str, allowed: tuple[str, ...] = ()) -> list[str]:
    findings = Findings(where)
    for k, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            scan_text(line, codes, findings, f"line {k}", allowed)
    return findings.problems


def docx_text(path: Path) -> str:
    from docx import Document

    doc = Document(path)
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)
