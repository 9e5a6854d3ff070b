"""Everything that reads a county: its tables (schema, readers, validation, cross-table checks, Sprague age
splitting), its configuration (config, models, labels), the problems found (errors), and its workspace store.

``from fpplan.data import load_county`` is imported on first use, so that ``fpplan.data.labels`` stays light.
"""

from __future__ import annotations

__all__ = ["County", "DataError", "Problem", "load_county", "read_table"]


def __getattr__(name: str):
    if name in ("County", "load_county", "read_table"):
        from fpplan.data import county

        return getattr(county, name)
    if name in ("DataError", "Problem"):
        from fpplan.data import errors

        return getattr(errors, name)
    raise AttributeError(name)
