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
    """The county's input files, sorted: its tables and geography at the top of the folder and everything under
    ``config/``; the store, ``.fpplan/`` and any other sub-folder (e.g. files waiting to be imported) are not
    inputs."""

    def wanted(path: Path) -> bool:
        return path.is_file() and path.suffix.lower() in VERSION_FILES and not path.name.startswith(("~$", "."))

    out = sorted(p for p in folder.iterdir() if wanted(p))
    config = folder / "config"
    if config.is_dir():
        for root, dirs, names in os.walk(config):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            out += [Path(root) / n for n in sorted(names) if wanted(Path(root) / n)]
    return out


def sha256(path: Path) -> str:
    """A file's content digest."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def input_digests(folder: Path) -> tuple[tuple[str, str], ...]:
    """Each input file (:func:`input_files`) as its path in the folder and its content's digest: what names a state
    of the county's own files."""
    return tuple((str(path.relative_to(folder)), sha256(path)) for path in input_files(folder))


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
