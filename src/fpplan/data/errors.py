"""Problems found in a county's data, and the error that carries them."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from fpplan.data.labels import problem_text

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one place: file, row (as the planner counts it: the header is row 1), column, value."""

    file: str
    kind: str
    row: int | None = None
    column: str | None = None
    value: Any = None
    detail: str = ""

    def __post_init__(self) -> None:
        # show 2024.0 as 2024: typed numbers reach problems from cross-table rules
        if isinstance(self.value, float) and self.value.is_integer():
            object.__setattr__(self, "value", int(self.value))
        if hasattr(self.value, "item"):  # numpy scalars → Python
            object.__setattr__(self, "value", self.value.item())

    def message(self, lang: str | None = None) -> str:
        value = "" if self.value is None else str(self.value)
        return problem_text(self.kind, lang, column=self.column or "", value=value, detail=self.detail)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"message_zh": self.message("zh"), "message_en": self.message("en")}


class DataError(Exception):
    """A county's data or configuration cannot be used; ``problems`` lists every reason at once."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        head = "; ".join(f"{p.file}:{p.row or ''} {p.column or ''} {p.message('en')}" for p in self.problems[:5])
        more = f" (+{len(self.problems) - 5} more)" if len(self.problems) > 5 else ""
        super().__init__(f"{len(self.problems)} problem(s) in the county data: {head}{more}")

    def table(self, lang: str | None = None) -> pd.DataFrame:
        """The problems as a table (file, row, column, value, message)."""
        import pandas as pd

        rows = [
            {"file": p.file, "row": p.row, "column": p.column, "value": p.value, "message": p.message(lang)}
            for p in self.problems
        ]
        return pd.DataFrame(rows, columns=["file", "row", "column", "value", "message"])
