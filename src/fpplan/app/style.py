"""How everything the workbench shows looks, in one place: the CJK font of pages, figures and printouts, the
traffic-light colours of a status (in tables, figures and maps alike), and plotly's configuration on a page, in a
planner's notebook and in the bound report."""

from __future__ import annotations

# the CJK font (fonts-noto-cjk on the server; Microsoft YaHei on an office's Windows): CSS and plotly alike
FONT = '"Noto Sans CJK SC", "Noto Sans CJK", "Source Han Sans SC", "Microsoft YaHei", sans-serif'
# numbers on a figure's value axis as officials write them: 174,000, not plotly's 174k (an English suffix); for the
# axes of values only, never one of years (2,030)
AXIS_NUMBERS = {"exponentformat": "none", "separatethousands": True}
# status → colour (the dashboards' traffic lights), and the text colour that reads on it
STATUS_COLOURS = {
    "green": "#2e7d32",
    "amber": "#f9a825",
    "red": "#c62828",
    "small_sample": "#b3c7d6",
    "no_target": "#9e9e9e",
    "no_data": "#e0e0e0",
}
STATUS_TEXT = {
    "green": "#ffffff",
    "amber": "#000000",
    "red": "#ffffff",
    "small_sample": "#000000",
    "no_target": "#ffffff",
    "no_data": "#000000",
}
# plotly's configuration: on a dashboard page; in a planner's notebook (the report's width, no toolbar); in the
# bound report (a drawing: no toolbar, no hover)
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}
NOTEBOOK_PLOTLY_CONFIG = {"displayModeBar": False, "displaylogo": False, "responsive": False, "staticPlot": False}
REPORT_PLOTLY_CONFIG = {"displayModeBar": False, "staticPlot": True, "responsive": False}
