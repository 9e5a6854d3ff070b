"""The ``FPPLAN_*`` environment variables: read here and nowhere else, each listed in ``VARIABLES`` (the README's
table of environment variables is checked against it).

Two kinds: what ``fpplan serve`` sets for the dashboards' kernels (the folder served, its store, whether it is a
region), and what a person may set to change a default (the login token, how long to wait for a busy store, the
server's culling and pool). A value that is not a number where one is needed is a DataError naming the variable.
"""

from __future__ import annotations

import os
from pathlib import Path

from fpplan.data.errors import DataError, Problem
from fpplan.data.labels import label

# name → what it holds (the README lists the same, with who sets it)
VARIABLES = {
    "FPPLAN_DATA": "the county or region folder served (fpplan serve sets it for the pages; default of --data)",
    "FPPLAN_STORE": "the store file of the county served, when not COUNTY/fpplan.duckdb (fpplan serve sets it)",
    "FPPLAN_REGION": "set (to 1) by fpplan serve when the folder served is a region",
    "FPPLAN_TOKEN": "the login token off loopback (default of --token; else one is generated and printed once)",
    "FPPLAN_STORE_WAIT": "seconds a command waits for a store another process is writing (default 30)",
    "FPPLAN_CULL_IDLE": "seconds a dashboard kernel with no page may stay idle (overrides config/server.yaml)",
    "FPPLAN_CULL_INTERVAL": "seconds between two culls of idle kernels (overrides config/server.yaml)",
    "FPPLAN_POOL_SIZE": "landing pages kept rendered ahead (overrides config/server.yaml; 0: none)",
    "FPPLAN_SERVER_DEBUG": "set: Voila logs at DEBUG level",
}
DEFAULT_DATA = Path("data") / "demo"  # relative to the current folder (the repository's, for make dashboards)
STORE_WAIT_SECONDS = 30.0


def text(name: str) -> str | None:
    """The variable's value, None when unset or empty."""
    if name not in VARIABLES:
        raise KeyError(f"{name} is not an fpplan environment variable (fpplan.data.environment.VARIABLES)")
    return os.environ.get(name) or None


def number(name: str, default: float | None = None) -> float | None:
    """The variable as a number (``default`` when unset); DataError naming the variable when it is not one."""
    value = text(name)
    if value is None:
        return default
    try:
        return float(value)
    except ValueError:
        raise DataError(
            [Problem(file=f"${name}", kind="bad_type", column=name, value=value, detail=label("types", "number"))]
        ) from None


def data_folder() -> Path:
    """The folder served: ``$FPPLAN_DATA``, else ``data/demo`` of the current folder."""
    return Path(text("FPPLAN_DATA") or DEFAULT_DATA)


def store_file() -> Path | None:
    value = text("FPPLAN_STORE")
    return Path(value) if value else None


def region_mode() -> bool:
    return text("FPPLAN_REGION") is not None


def store_wait_seconds() -> float:
    return number("FPPLAN_STORE_WAIT", STORE_WAIT_SECONDS)


def for_kernels(data: Path, store: Path | None, region: bool) -> dict[str, str | None]:
    """What ``fpplan serve`` sets (str) and clears (None) in the environment of the server and its kernels: the
    folder, its store, the region flag; the login token is never passed on."""
    return {
        "FPPLAN_DATA": str(data),
        "FPPLAN_STORE": str(store) if store else None,
        "FPPLAN_REGION": "1" if region else None,
        "FPPLAN_TOKEN": None,
    }
