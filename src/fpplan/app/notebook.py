"""What every planner's notebook starts with: the county read through its workspace (its monthly tables from the
store, the folder's own monthly files imported first), the names of its units and stations, display options."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from fpplan.data.county import County
from fpplan.data.errors import DataError


@dataclass(frozen=True)
class Session:
    county: County
    names: dict[str, str]  # unit and station code → name
    workspace: object  # fpplan.data.workspace.Workspace


def open_county(data_dir: str | Path, base_year: int | None = None, store: str | Path | None = None) -> Session:
    """The county of ``data_dir`` through its workspace; shows every problem as a table and stops when the data
    are bad; checks the base year the notebook was written for."""
    from IPython.display import display

    from fpplan.data.workspace import Workspace

    pd.set_option("display.max_columns", 30)
    try:
        workspace = Workspace(data_dir, store)
        county = workspace.county()
    except DataError as error:  # every problem, with file, row and column
        display(error.table())
        raise
    if base_year is not None and county.base_year != base_year:
        raise ValueError(f"the data's base year is {county.base_year}, the notebook's parameter says {base_year}")
    names = dict(zip(county.units["code"], county.units["name"])) | dict(zip(county.facilities["code"],
                                                                             county.facilities["name"]))
    return Session(county, names, workspace)
