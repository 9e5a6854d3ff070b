"""Problems found in a county's data, the error that carries them, and how a command prints them."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from fpplan.data.labels import Text, label, problem_text, ui

if TYPE_CHECKING:
    import pandas as pd

MAX_PRINTED_PROBLEMS = 200  # a command prints this many problems, then how many more there are


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one place: file, row (as the planner counts it: the header is row 1), column, value;
    ``sheet``: the spreadsheet's sheet the row is on."""

    file: str
    kind: str
    row: int | None = None
    column: str | None = None
    value: Any = None
    detail: str = ""
    sheet: str | None = None

    def __post_init__(self) -> None:
        # show 2024.0 as 2024: typed numbers reach problems from cross-table rules
        if isinstance(self.value, float) and self.value.is_integer():
            object.__setattr__(self, "value", int(self.value))
        if hasattr(self.value, "item"):  # numpy scalars → Python
            object.__setattr__(self, "value", self.value.item())

    def message(self, lang: str | None = None) -> str:
        value = "" if self.value is None else str(self.value)
        detail = self.detail.in_language(lang) if isinstance(self.detail, Text) else self.detail
        return problem_text(
            self.kind,
            lang,
            column=self.column or "",
            value=value,
            detail=detail,
            row="" if self.row is None else self.row,
            sheet=self.sheet or "",
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"message_zh": self.message("zh"), "message_en": self.message("en")}


class DataError(Exception):
    """A county's data or configuration cannot be used; ``problems`` lists every reason at once."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(dict.fromkeys(problems)) if _hashable(problems) else list(problems)  # each once
        head = "; ".join(f"{p.file}:{p.row or ''} {p.column or ''} {p.message('en')}" for p in self.problems[:5])
        more = f" (+{len(self.problems) - 5} more)" if len(self.problems) > 5 else ""
        super().__init__(f"{len(self.problems)} problem(s) in the county data: {head}{more}")

    def table(self, lang: str | None = None) -> pd.DataFrame:
        """The problems as a table (file, sheet where a spreadsheet's, row, column, value, message)."""
        import pandas as pd

        rows = [
            {
                "file": p.file,
                "sheet": p.sheet,
                "row": p.row,
                "column": p.column,
                "value": p.value,
                "message": p.message(lang),
            }
            for p in self.problems
        ]
        table = pd.DataFrame(rows, columns=["file", "sheet", "row", "column", "value", "message"])
        table["row"] = table["row"].astype("Int64")  # 12, not 12.0, beside blank rows
        return table if table["sheet"].notna().any() else table.drop(columns="sheet")


def _hashable(problems: list[Problem]) -> bool:
    try:
        for p in problems:
            hash(p)
    except TypeError:
        return False
    return True


def print_problems(error: DataError) -> None:
    """Every problem as a table line: file, row, column, value, message (zh or en per --lang)."""
    table = error.table()
    print(ui("problems_found", n=len(table)))
    shown = table.head(MAX_PRINTED_PROBLEMS).astype(object).fillna("")
    if "column" in shown:  # a column the program knows by its label (a file's own unknown header stays as it is)
        shown["column"] = shown["column"].map(lambda c: label("columns", c) if isinstance(c, str) and c else c)
    headers = {c: ui(c) if c != "message" else ui("problem") for c in shown.columns}
    print(shown.rename(columns=headers).to_string(index=False))
    if len(table) > MAX_PRINTED_PROBLEMS:
        print(f"… (+{len(table) - MAX_PRINTED_PROBLEMS})")
