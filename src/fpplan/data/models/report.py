"""How reports write numbers (config/report.yaml): decimals by the unit a column's label carries, by column, by the
unit of an indicator, and per indicator."""

from __future__ import annotations

from pydantic import Field

from fpplan.data.models import Frozen


class ReportConfig(Frozen):
    """Decimals of a shown number, most specific first: ``indicators`` (an indicator's own), ``indicator_units``
    (its unit in the catalogue: percent, per_mille, …); for other tables ``columns`` (a column code), then
    ``label_units`` (the unit in the column's label: 人, m², 万元, …); a column with none of these shows whole
    numbers when all its values are whole and ``default`` decimals otherwise."""

    source: str
    default: int = Field(default=2, ge=0, le=6)
    label_units: dict[str, int] = Field(default_factory=dict)
    columns: dict[str, int] = Field(default_factory=dict)
    indicator_units: dict[str, int] = Field(default_factory=dict)
    indicators: dict[str, int] = Field(default_factory=dict)
    brief_indicators: int = Field(default=12, ge=1)  # red and amber indicators the one-page brief lists
