"""Pages rendered once per data version, kept with the results: ``<version>/pages/<key>.json`` holds the page's
kind (``static``: answered without a kernel; ``live``: its kernel's widgets adopt it), its title (a label key) and
its HTML without the header, which is written for each request (the data's date, a region's link back).

Reading needs only the standard library (the server reads a page for each visitor)."""

from __future__ import annotations

import json
from pathlib import Path

FOLDER = "pages"


def page_file(manifest: dict, key: str) -> Path:
    return Path(manifest["path"]) / FOLDER / f"{key}.json"


def read_page(manifest: dict, key: str) -> tuple[str, str, str] | None:
    """(kind, title key, HTML with the header) of page ``key``, or None when the results hold none (computed
    before pages were kept)."""
    from fpplan.app.panels.common import header_html

    try:
        stored = json.loads(page_file(manifest, key).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    html = stored["html"].replace(HEADER_MARK, header_html(stored["title"], manifest))
    return stored["kind"], stored["title"], html


HEADER_MARK = "<!--fpplan-header-->"  # where the page's title and the data's date go


def write_page(folder: Path, key: str, kind: str, title: str, html: str) -> None:
    (folder / FOLDER).mkdir(parents=True, exist_ok=True)
    (folder / FOLDER / f"{key}.json").write_text(
        json.dumps({"kind": kind, "title": title, "html": html}, ensure_ascii=False), encoding="utf-8"
    )
