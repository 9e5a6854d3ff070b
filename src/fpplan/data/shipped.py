"""The files fpplan ships inside its package, found with ``importlib.resources`` (an installed wheel and a checkout
alike; nothing is looked for outside the package):

- ``notebooks/`` (the planner's notebooks the report runs) and ``dashboards/`` (the Voila pages): the repository's
  top-level folders are the source of truth; the package holds them as links (``src/fpplan/notebooks`` →
  ``../../notebooks``), which a wheel built from the repository turns into copies;
- ``share/jupyter/voila/templates/fpplan``: the Voila template, with its vendored plotly.js-basic and -cartesian;
- ``defaults/``: configuration, labels and the demo's scenarios (``fpplan.data.config``, ``fpplan.data.labels``).

A folder that is missing or holds none of its files is a DataError naming where it was looked for (an installation
that lost its package data), never an empty list a caller might take for "nothing to do".
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fpplan.data.errors import DataError, Problem

TEMPLATE = "share/jupyter/voila/templates/fpplan"
PLOTLY_BASIC = TEMPLATE + "/static/plotly/plotly-basic.min.js"


def package_path(relative: str) -> Path:
    """A file or folder of the package (``"dashboards"``, ``TEMPLATE``) as a path on this machine."""
    return Path(str(resources.files("fpplan").joinpath(relative)))


def _files(folder: str, pattern: str) -> list[Path]:
    where = package_path(folder)
    found = sorted(where.glob(pattern)) if where.is_dir() else []
    if not found:
        raise DataError([Problem(file=str(where), kind="package_files_missing", value=pattern)])
    return found


def notebooks() -> list[Path]:
    """The report's notebooks, in order (``01_数据检查.ipynb`` …)."""
    return _files("notebooks", "[0-9][0-9]_*.ipynb")


def dashboards() -> list[Path]:
    """The dashboards (Voila pages)."""
    return _files("dashboards", "*.ipynb")


def voila_template() -> Path:
    """The ``fpplan`` Voila template folder."""
    return _files(TEMPLATE, "index.html.j2")[0].parent


def plotly_basic() -> Path:
    """The template's plotly.js-basic (figures drawn as images and in static pages)."""
    return _files(TEMPLATE + "/static/plotly", "plotly-basic.min.js")[0]


def plotly_cartesian() -> Path:
    """The template's plotly.js-cartesian: plotly.js-basic's traces and heatmaps (the same plotly.js 4.1.1), for the
    pages with a heatmap and for figures drawn as images."""
    return _files(TEMPLATE + "/static/plotly", "plotly-cartesian.min.js")[0]


def html_to_image() -> Path:
    """The template's html-to-image (the pages with controls draw their own image in the browser with it)."""
    return _files(TEMPLATE + "/static/html-to-image", "html-to-image.js")[0]
