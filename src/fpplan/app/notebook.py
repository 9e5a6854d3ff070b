"""What every planner's notebook starts with, in one call: the county read through its workspace (its monthly tables
from the store, the folder's own monthly files imported first), the results the dashboards show (computed once per
data version: the report prints the same numbers), the period and scenario asked for, the names of its units and
stations, the report's table and figure styles.

``session = open_county(data_dir, base_year, period=period, scenario=scenario)`` then ``session.table("wisn")`` (a
table of the scenario's results), ``session.card("township")`` (the period's scorecard), ``session.show(frame, ...)``
(a table as officials read it) and ``session.figure(fig)`` (a figure that fits the page).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from fpplan.app.style import AXIS_NUMBERS, NOTEBOOK_PLOTLY_CONFIG
from fpplan.data.county import County
from fpplan.data.errors import DataError, Problem
from fpplan.startup import skip_unused_imports

skip_unused_imports()  # before plotly's renderers import nbformat, hence jsonschema (in the report's kernel, in Lab)

PORTRAIT_WIDTH = 660  # px: A4 portrait less 15 mm margins is 680 CSS px
LANDSCAPE_WIDTH = 980  # px: A4 landscape less 15 mm margins is 1009 CSS px
PORTRAIT_HEIGHT = 940  # px: what an A4 portrait page holds under a caption (267 mm = 1009 CSS px)
LANDSCAPE_HEIGHT = 640  # px: the same for A4 landscape (184 mm = 695 CSS px)


@dataclass(frozen=True)
class Session:
    county: County
    names: dict[str, str]  # unit and station code → name
    workspace: object  # fpplan.data.workspace.Workspace
    manifest: dict = field(default_factory=dict)  # the results in use (fpplan.app.results.current)
    period: str | None = None
    scenario: str | None = None
    target_set: str | None = None  # the set the indicators are judged against (None: the county's default, 本县目标)

    def table(self, name: str, scenario: str | None = "") -> pd.DataFrame:
        """A table of the results: a scenario's (``scenario`` default: the session's) or, with ``scenario=None``, one
        of the county's (scorecards, trends, quality_*)."""
        from fpplan.app import results

        return results.table(self.manifest, name, self.scenario if scenario == "" else scenario)

    def card(self, level: str = "township", period: str | None = None) -> pd.DataFrame:
        """The scorecard of ``period`` (default: the session's) at ``level``, as the dashboards show it, judged against
        the session's target set."""
        from fpplan.app import results

        cards = self.table("scorecards", None)
        cards = cards[(cards["level"] == level) & (cards["period"] == (period or self.period))]
        if self.target_set is not None:
            cards = results.scorecards(self.manifest, self.target_set).loc[cards.index]
        return cards.reset_index(drop=True)

    def judged_against(self, target_set: str | None) -> Session:
        """The session with its indicators judged against ``target_set`` (None: the county's default, 本县目标); an
        unknown set is a DataError naming the sets there are."""
        from dataclasses import replace

        sets = self.county.config["indicators"].target_sets
        if target_set is not None and target_set not in sets:
            raise DataError(
                [
                    Problem(
                        file=str(Path(self.county.path) / "config" / "indicators.yaml"),
                        kind="unknown_target_set",
                        value=target_set,
                        detail="、".join(sets),
                    )
                ]
            )
        return replace(self, target_set=target_set)

    @property
    def target_set_name(self) -> str:
        """The name of the set the indicators are judged against: 本县目标."""
        from fpplan.app import results

        return results.target_set_name(self.manifest, self.target_set)

    @property
    def townships(self) -> list[str]:
        return list(self.manifest.get("townships") or self.county.townships()["code"])

    def show(self, frame, caption: str | None = None, **kwargs) -> None:
        """A table as officials read it (fpplan.app.tables.show), names from the county."""
        from fpplan.app import tables

        kwargs.setdefault("names", self.names)
        tables.show(frame, caption, **kwargs)

    def figure(self, fig, landscape: bool = False) -> None:
        show_figure(fig, landscape)


def open_county(
    data_dir: str | Path,
    base_year: int | None = None,
    store: str | Path | None = None,
    period: str | None = None,
    scenario: str | None = None,
) -> Session:
    """The county of ``data_dir`` through its workspace, with its results brought up to date; shows every problem as
    a table and stops when the data are bad; checks the base year the notebook was written for, the period and the
    scenario."""
    from IPython.display import display

    from fpplan.app import results
    from fpplan.app.results import period_of, scenario_of

    pd.set_option("display.max_columns", 30)
    try:
        workspace, county = _opened(data_dir, store)
        if results.is_stale(workspace.folder, results.current(workspace.folder), store):
            results.ensure_results(workspace)
        manifest = results.current(workspace.folder)
        period = period_of(manifest, period)
        scenario = scenario_of(manifest, scenario)
    except DataError as error:  # every problem, with file, row and column
        display(error.table())
        raise
    if base_year is not None and county.base_year != base_year:
        raise ValueError(f"the data's base year is {county.base_year}, the notebook's parameter says {base_year}")
    names = dict(zip(county.units["code"], county.units["name"])) | dict(
        zip(county.facilities["code"], county.facilities["name"])
    )
    use_report_styles()
    return Session(county, names, workspace, manifest, period, scenario)


_OPENED: dict = {}  # (folder, store) → (fingerprint, workspace, county): the report's notebooks share one kernel


def _opened(data_dir: str | Path, store: str | Path | None):
    """(workspace, county) of ``data_dir``: the county read and validated once per kernel while its files and store
    are unchanged (sizes and times: ``fpplan.data.folder.fingerprint``), as the report's notebooks run one after the
    other in one kernel (``fpplan.app.reports.NotebookKernel``)."""
    from fpplan.data.folder import STORE_NAME, fingerprint
    from fpplan.data.workspace import Workspace

    workspace = Workspace(data_dir, store)
    key = (str(workspace.folder.resolve()), str(store))
    stamp = fingerprint(workspace.folder.resolve(), Path(store) if store else workspace.folder / STORE_NAME)
    if key in _OPENED and _OPENED[key][0] == stamp:
        return _OPENED[key][1:]
    county = workspace.county()  # the folder's new monthly files imported first: the stamp is taken after
    stamp = fingerprint(workspace.folder.resolve(), Path(store) if store else workspace.folder / STORE_NAME)
    _OPENED[key] = (stamp, workspace, county)
    return workspace, county


def use_report_styles() -> None:
    """Tables and figures in the notebook as the report prints them: the table CSS, plotly figures at the page's
    width with a CJK font and no toolbar."""
    from IPython.display import HTML, display

    from fpplan.app import tables

    display(HTML(f"<style>{tables.css()}</style>"))
    try:
        import plotly.io as pio

        for name in ("plotly_mimetype", "jupyterlab", "notebook", "notebook_connected"):
            if name in pio.renderers:
                pio.renderers[name].config = dict(NOTEBOOK_PLOTLY_CONFIG)
    except ImportError:  # plotly is a dependency; a slim kernel without it still shows the tables
        pass


def fit(fig, landscape: bool = False):
    """The figure at the printed page's width (A4 portrait, or landscape) with the CJK font; the legend in rows
    under the title, the top margin grown to hold them (nothing drawn outside the figure)."""
    import math

    from fpplan.app.style import FONT

    width = LANDSCAPE_WIDTH if landscape else PORTRAIT_WIDTH
    height = int(fig.layout.height or 360)
    items = sum(1 for trace in fig.data if trace.showlegend is not False and trace.name)
    rows = math.ceil(items * 110 / width) if items > 1 else 0
    subplot_titles = 24 if fig.layout.annotations else 0
    top = 46 + rows * 22 + subplot_titles
    fig.update_layout(
        width=width,
        autosize=False,
        font_family=FONT,
        showlegend=rows > 0,
        margin_t=top,
        height=height + max(0, top - int(fig.layout.margin.t or 50)),
        title_y=1.0,
        title_yref="container",
        title_yanchor="top",
        title_pad_t=10,
        legend={
            "orientation": "h",
            "yref": "container",
            "yanchor": "top",
            "y": 1 - 40 / (height + top),
            "xanchor": "left",
            "x": 0,
        },
    )
    fig.update_yaxes(**AXIS_NUMBERS)  # 174,000 rather than 174k; years (on x) stay 2030
    limit = LANDSCAPE_HEIGHT if landscape else PORTRAIT_HEIGHT
    if fig.layout.height > limit:
        fig.update_layout(height=limit)
    return fig


def show_figure(fig, landscape: bool = False) -> None:
    """Draw a figure fitted to the page (``fit``) without plotly's toolbar."""
    from IPython.display import display

    fit(fig, landscape)
    import json

    spec = json.loads(fig.to_json())
    display({"application/vnd.plotly.v1+json": {**spec, "config": NOTEBOOK_PLOTLY_CONFIG}}, raw=True)
