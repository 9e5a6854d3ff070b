"""fpplan: planning workbench for county family-planning and reproductive-health service networks."""

import pandas as _pd

from fpplan.data.errors import DataError, Problem

# Text columns kept as Python strings (pandas' "str" dtype, python storage) rather than pyarrow's: the same values
# and missing values, but a county's tables are small, and each of the thousands of small steps an import, a plan and
# the scorecards take on them pays pyarrow's conversion per call (measured: a region's county 5.7 → 5.1 CPU-s).
_pd.set_option("mode.string_storage", "python")

__all__ = ["County", "DataError", "Problem", "load_county"]


def __getattr__(name: str):
    # load_county and County live in fpplan.data, imported on first use: `import fpplan` loads pandas, not the data layer.
    if name in ("County", "load_county"):
        from fpplan.data import county as data

        return getattr(data, name)
    raise AttributeError(name)
