"""The layout of a county folder as a workspace, with nothing heavy imported: where its store and state live, which
files are its inputs, and a cheap fingerprint of them (sizes and modification times) that tells a dashboard
whether the data may have changed since its results were computed."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

STORE_NAME = "fpplan.duckdb"  # the store, inside the county folder unless --store says otherwise
STATE_DIR = ".fpplan"  # backups, results, locks, the import log's mirror
VERSION_FILES = (".csv", ".xlsx", ".yaml", ".yml", ".geojson")


def input_files(folder: Path) -> list[Path]:
    """The county's input files (tables, configuration, geography), sorted; the store and .fpplan/ excluded."""
    out = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            path = Path(root) / name
            if path.suffix.lower() in VERSION_FILES and not name.startswith(("~$", ".")):
                out.append(path)
    return out


def fingerprint(folder: Path, store: Path) -> str:
    """A cheap stand-in for ``version`` (sizes and modification times only) to tell, without reading any content,
    whether the data may have changed since results were computed."""
    parts = []
    for path in [*input_files(folder), store]:
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        parts.append(f"{path}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()
