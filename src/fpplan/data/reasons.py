"""Why a file could not be read or a shape is not valid, in the user's language: the exceptions of the readers
(OSError, UnicodeDecodeError, JSON, CSV, YAML, XLSX, DuckDB) and shapely's validity reasons, turned into the labels of
``defaults/labels/lang.yaml`` instead of the libraries' English sentences."""

from __future__ import annotations

import errno
import json
import re

from fpplan.data.labels import Text

_ERRNO = {
    errno.ENOENT: "lang_os_not_found",
    errno.EACCES: "lang_os_denied",
    errno.EPERM: "lang_os_denied",
    errno.EISDIR: "lang_os_is_folder",
    errno.ENOTDIR: "lang_os_not_folder",
    errno.ENOSPC: "lang_os_disk_full",
    errno.EROFS: "lang_os_read_only",
}

# shapely's explain_validity: "Self-intersection[x y]" → the reason's label and where
_VALIDITY = {
    "self-intersection": "lang_geom_self_intersection",
    "ring self-intersection": "lang_geom_ring_self_intersection",
    "too few points": "lang_geom_too_few_points",
    "hole lies outside shell": "lang_geom_hole_outside",
    "nested holes": "lang_geom_nested_holes",
    "nested shells": "lang_geom_nested_shells",
    "interior is disconnected": "lang_geom_interior_disconnected",
    "invalid coordinate": "lang_geom_invalid_coordinate",
    "ring is not closed": "lang_geom_ring_not_closed",
    "duplicate rings": "lang_geom_duplicate_rings",
}


def exception_text(exc: BaseException) -> Text:
    """What went wrong reading a file, in the user's language (line and column where the exception knows them)."""
    if isinstance(exc, json.JSONDecodeError):
        return Text("lang_json_syntax", line=exc.lineno, column=exc.colno)
    if isinstance(exc, UnicodeDecodeError):
        return Text("lang_not_utf8")
    if isinstance(exc, OSError) and exc.errno in _ERRNO:
        return Text(_ERRNO[exc.errno])
    if isinstance(exc, OSError):
        return Text("lang_os_other", code=exc.errno if exc.errno is not None else "—")
    return Text("lang_reading_failed")


def validity_text(reason: str) -> Text:
    """shapely's ``explain_validity`` reason ("Self-intersection[116.1 39.2]") in the user's language."""
    match = re.match(r"\s*([^\[]+?)\s*(?:\[([^\]]*)\])?\s*$", str(reason))
    key = _VALIDITY.get(match.group(1).lower()) if match else None
    where = match.group(2) if match and match.group(2) else ""
    if key is None:
        return Text("lang_geom_invalid")
    return Text("lang_geom_at", reason=Text(key), where=", ".join(where.split())) if where else Text(key)
