"""Helpers for tests and trials: small counties written by hand (:mod:`fpplan.testing.mini`), variants of the demo
county real counties may look like (:mod:`fpplan.testing.variants`), plan numbers recomputed by hand
(:mod:`fpplan.testing.by_hand`), a county's files written the way county offices hand them over
(:mod:`fpplan.testing.office`); and here the problems a refused county gives, with nothing written."""

from __future__ import annotations

import hashlib
from pathlib import Path

from fpplan.data.county import load_county
from fpplan.data.errors import DataError


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (relative path → sha256): compared before and after a refused load or command."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def problems_of(path: Path) -> list:
    """The problems of the county folder ``path``, which ``load_county`` must refuse with a ``DataError`` without
    writing, changing or removing any file under it."""
    before = snapshot(path)
    try:
        load_county(path)
    except DataError as error:
        problems = error.problems
    else:
        raise AssertionError(f"{path} loaded: a DataError was expected")
    assert snapshot(path) == before, "a refused county's folder was changed"
    return problems
