"""The server's settings in one place: the folder's ``config/server.yaml`` (``fpplan.data.models.server``: unknown
keys refused with file and key, like every config file), the ``FPPLAN_*`` variables that override it
(``fpplan.data.environment``), the command line over both; and Voila's own configuration.
"""

from __future__ import annotations

from pathlib import Path

from fpplan.data import environment
from fpplan.data.config import load, parse
from fpplan.data.errors import DataError
from fpplan.data.models.server import ServerConfig

# environment variable → the key of config/server.yaml it overrides
OVERRIDES = {
    "FPPLAN_CULL_IDLE": "cull_idle_seconds",
    "FPPLAN_CULL_INTERVAL": "cull_interval_seconds",
    "FPPLAN_POOL_SIZE": "pool_size",
}
# Voila's configuration (written as voila.json into the server's own folder, the one Voila reads it from)
VOILA_CONFIG = {
    "VoilaConfiguration": {
        "template": "fpplan",
        "strip_sources": True,
        "show_tracebacks": False,
        "extension_denylist": ["jupyterlab-jupytext"],
    }
}


def server_config(folder: str | Path, max_kernels: int | None = None, pool_size: int | None = None) -> ServerConfig:
    """The settings the server of ``folder`` (a county's or a region's) runs with: its config/server.yaml (else the
    package's), then the environment's overrides, then the command line's (``None``: not given). DataError naming
    the file and key, the variable, or the option of a bad value."""
    config = load("server", Path(folder))
    problems = []
    for variable, key in OVERRIDES.items():
        value = environment.text(variable)
        if value is not None:
            config, found = _with(config, {key: value}, f"${variable}")
            problems += found
    given = {k: v for k, v in (("max_kernels", max_kernels), ("pool_size", pool_size)) if v is not None}
    if given:
        config, found = _with(config, given, "fpplan serve")
        problems += found
    if problems:
        raise DataError(problems)
    return config


def _with(config: ServerConfig, changes: dict, where: str) -> tuple[ServerConfig, list]:
    parsed, problems = parse(config.model_dump() | changes, ServerConfig, where)
    return (config if problems else parsed), problems
