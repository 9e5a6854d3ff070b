"""Writing outputs so that an interrupted command never destroys the previous file or leaves a partial one: every
writer writes to a temporary name in the same folder and renames it over the final name only when it is complete
(``os.replace``: atomic on one file system). A process killed mid-write leaves at most a hidden ``.…partial…``
file beside the output, never a truncated file under the output's name.

Also: the file format follows the suffix (a suffix the command does not write is refused before any work), and a
file or report folder about to be replaced is named, with when it was written.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fpplan.data.errors import DataError, Problem
from fpplan.data.labels import ui


def partial_name(path: Path) -> Path:
    """The temporary name ``path`` is written under: hidden, in the same folder, with the same suffix (writers
    that choose the format by suffix still work)."""
    return path.with_name(f".{path.stem}.partial-{os.getpid()}{path.suffix}")


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path to write ``path`` to; when the block ends without error the file is flushed to disk
    and renamed to ``path``, otherwise it is removed and ``path`` is left as it was."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = partial_name(path)
    try:
        yield tmp
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


@contextmanager
def atomic_folder(path: str | Path) -> Iterator[Path]:
    """Yield a temporary folder to build ``path`` in; when the block ends without error it replaces ``path`` (the
    old folder, if any, is removed only after the new one is in place); otherwise it is removed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.partial-{os.getpid()}")
    old = path.with_name(f".{path.name}.replaced-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        yield tmp
        if path.exists():
            os.replace(path, old)
        os.replace(tmp, path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)


def check_suffix(path: str | Path, allowed: tuple[str, ...]) -> Path:
    """``path`` if its suffix is one the command writes (the suffix decides the format), else a DataError; a
    folder where a file belongs is refused too."""
    path = Path(path)
    if path.suffix.lower() not in allowed:
        raise DataError(
            [Problem(file=str(path), kind="output_suffix", value=path.suffix or path.name, detail=", ".join(allowed))]
        )
    if path.is_dir():
        raise DataError([Problem(file=str(path), kind="output_is_folder")])
    return path


def replacing(path: str | Path) -> str | None:
    """A sentence naming the file or folder ``path`` that a command is about to replace (None when there is none)."""
    path = Path(path)
    if not path.exists():
        return None
    when = dt.datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
    if path.is_dir():
        files = sum(1 for p in path.rglob("*") if p.is_file())
        return ui("replaces_folder", path=str(path), when=when, n=files)
    return ui("replaces_file", path=str(path), when=when)
