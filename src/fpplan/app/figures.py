"""Figure builders: a result in, a plotly figure out (labels from the label table, Chinese by default).
They compute nothing beyond reshaping what the engines returned."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from fpplan.app.style import AXIS_NUMBERS, FONT, STATUS_COLOURS
from fpplan.data.labels import column_label, enum_label, ui


def _layout(title: str, **extra) -> dict:
    """A figure's layout: its title, the CJK font, and its value axis (y) numbered as officials write numbers
    (``AXIS_NUMBERS``, under the caller's own ``yaxis``)."""
    yaxis = AXIS_NUMBERS | extra.pop("yaxis", {})
    return {
        "title": {"text": title},
        "font": {"family": FONT},
        "margin": {"l": 60, "r": 20, "t": 50, "b": 40},
        "height": 360,
        "yaxis": yaxis,
        **extra,
    }


def mirrored_axis(largest: float) -> dict:
    """A pyramid's value axis: symmetric about 0, ticks at one to three whole steps either side, each labelled by its
    size (men are drawn to the left as negative numbers but read as persons: 2,000 on both sides, never −2,000)."""
    if not largest > 0:
        return {}
    third = largest / 3
    magnitude = 10 ** np.floor(np.log10(third))
    step = min(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= third)  # one to three ticks a side
    ticks = np.arange(-(largest // step), largest // step + 1) * step
    return {
        "range": [-1.05 * largest, 1.05 * largest],
        "tickvals": ticks.tolist(),
        "ticktext": [f"{abs(t):,.0f}" for t in ticks],
    }


PYRAMID_HOVER = "%{y}: %{customdata:,.0f}<extra>%{fullData.name}</extra>"  # a bar's count, the men's too


def _pyramid_bars(by: pd.DataFrame) -> list[dict]:
    """Men (drawn negative, to the left; ``customdata`` their count) and women of a table age × sex."""
    none = pd.Series(0.0, index=by.index)
    men, women = by.get("male", none), by.get("female", none)
    return [
        {"y": by.index, "x": -men, "customdata": men, "name": enum_label("sex", "male"), "marker_color": "#1565c0"},
        {
            "y": by.index,
            "x": women,
            "customdata": women,
            "name": enum_label("sex", "female"),
            "marker_color": "#c2185b",
        },
    ]


def lines(frame: pd.DataFrame, x: str, y: str, group: str, title: str, names: dict | None = None) -> go.Figure:
    """One line per ``group`` value."""
    fig = go.Figure(layout=_layout(title, xaxis_title=ui("year")))
    for key, part in frame.groupby(group, sort=True):
        fig.add_scatter(x=part[x], y=part[y], mode="lines", name=(names or {}).get(key, str(key)))
    return fig


def pyramid(population: pd.DataFrame, unit: str, year: int) -> go.Figure:
    """Population pyramid from a tidy table with sex, age, population (single years)."""
    by = population.groupby(["sex", "age"])["population"].sum().unstack("sex").fillna(0.0)
    fig = go.Figure(
        layout=_layout(
            ui("pyramid_title", unit=unit, year=year),
            barmode="overlay",
            bargap=0,
            height=420,
            xaxis_title=ui("persons"),
        )
    )
    for bar in _pyramid_bars(by):
        fig.add_bar(orientation="h", hovertemplate=PYRAMID_HOVER, **bar)
    fig.update_xaxes(**mirrored_axis(float(by.abs().to_numpy().max(initial=0.0))))
    return fig


def fan_chart(intervals: pd.DataFrame, title: str | None = None, legend: dict | None = None) -> go.Figure:
    """Median with 80% and 95% bands (columns year, median, lower_80, upper_80, lower_95, upper_95); ``legend``:
    level ("80", "95") → its legend entry, stating the interval's back-tested coverage (the results'
    ``calibration`` document, ``fpplan.demography.calibration.legend``)."""
    fig = go.Figure(layout=_layout(title or ui("fan_title"), xaxis_title=ui("year")))
    for level, colour in (("95", "rgba(21,101,192,0.15)"), ("80", "rgba(21,101,192,0.3)")):
        name = (legend or {}).get(level) or (legend or {}).get(int(level)) or ui(f"interval_{level}")
        fig.add_scatter(
            x=intervals["year"], y=intervals[f"upper_{level}"], mode="lines", line_width=0, showlegend=False
        )
        fig.add_scatter(
            x=intervals["year"],
            y=intervals[f"lower_{level}"],
            mode="lines",
            line_width=0,
            fill="tonexty",
            fillcolor=colour,
            name=name,
        )
    fig.add_scatter(x=intervals["year"], y=intervals["median"], mode="lines", name=ui("median"), line_color="#0d47a1")
    return fig


def capacity_vs_need(capacity: pd.DataFrame, station: str, station_name: str | None = None) -> go.Figure:
    c = capacity[capacity["station"] == station]
    fig = go.Figure(
        layout=_layout(ui("capacity_title", station=station_name or station), xaxis_title=ui("year"), yaxis_title="m²")
    )
    fig.add_scatter(x=c["year"], y=c["floor_area_m2"], mode="lines+markers", name=ui("capacity"), line_shape="hv")
    fig.add_scatter(x=c["year"], y=c["need_m2"], mode="lines", name=ui("need"), line_dash="dash")
    return fig


def gantt(plan: pd.DataFrame, names: dict | None = None) -> go.Figure:
    """Projects as bars from start to the end of the completion year, labelled with mode and target grade."""
    p = plan.sort_values(["completion_year", "station_code"])
    text = [f"{enum_label('mode', m)} → {enum_label('grade', g)}" for m, g in zip(p["mode"], p["target_grade"])]
    fig = go.Figure(layout=_layout(ui("gantt_title"), xaxis_title=ui("year"), height=340))
    fig.add_bar(
        y=[(names or {}).get(s, s) for s in p["station_code"]],
        x=p["completion_year"] - p["start_year"] + 1,
        base=p["start_year"],
        orientation="h",
        text=text,
        textposition="inside",
        marker_color="#00897b",
        hovertemplate="%{y}: %{base}–%{x}<extra></extra>",
        name=ui("gantt_title"),
    )
    fig.update_yaxes(autorange="reversed")
    return fig


def cash_flow_bars(flows: pd.DataFrame, names: dict | None = None) -> go.Figure:
    fig = go.Figure(
        layout=_layout(ui("cash_flow_title"), barmode="stack", xaxis_title=ui("year"), yaxis_title=ui("wan_yuan"))
    )
    for station, part in flows.groupby("station"):
        fig.add_bar(x=part["year"], y=part["amount_wan_yuan"], name=(names or {}).get(station, station))
    return fig


def money_by_source_bars(money: pd.DataFrame) -> go.Figure:
    """Yearly money (万元) stacked by source (自筹 / 上级补助), construction, equipment and training together."""
    fig = go.Figure(
        layout=_layout(ui("money_title"), barmode="stack", xaxis_title=ui("year"), yaxis_title=ui("wan_yuan"))
    )
    by_year = money.groupby("year")[["self_raised_wan_yuan", "subsidy_wan_yuan"]].sum()
    for column, funding, colour in (
        ("self_raised_wan_yuan", "self_raised", "#1565c0"),
        ("subsidy_wan_yuan", "subsidy", "#ef6c00"),
    ):
        fig.add_bar(x=by_year.index, y=by_year[column], name=enum_label("funding", funding), marker_color=colour)
    return fig


def scorecard_heatmap(card: pd.DataFrame, unit_names: dict, period: str) -> go.Figure:
    """Unit × indicator of one period, coloured by status (green, amber, red, sample too small, no target, no data),
    the value written in each cell ("?" where a survey's sample is too small to tell met from missed)."""
    spec = scorecard_heatmap_spec(card, unit_names, period)
    heat = spec["data"][0]
    spec["data"] = [
        heat | {"z": np.array([[np.nan if v is None else v for v in row] for row in heat["z"]], dtype=float)}
    ]
    return go.Figure(spec)


def scorecard_heatmap_spec(card: pd.DataFrame, unit_names: dict, period: str) -> dict:
    """``scorecard_heatmap`` as plain plotly JSON, made in a few milliseconds (a page redraws it at every choice)."""
    order = list(STATUS_COLOURS)
    card = card[card["period"] == period] if "period" in card else card
    units = sorted(card["unit"].unique())
    indicators = list(dict.fromkeys(card["indicator"]))
    flags = card["undecided"].fillna(False).astype(bool) if "undecided" in card else pd.Series(False, index=card.index)
    cells = card.assign(
        z=card["status"].map({s: k for k, s in enumerate(order)}).astype(float),
        t=card["value"].map(_fmt) + np.where(flags, "?", ""),
    )
    z = cells.pivot(index="unit", columns="indicator", values="z").reindex(index=units, columns=indicators)
    text = cells.pivot(index="unit", columns="indicator", values="t").reindex(index=units, columns=indicators)
    names = dict(zip(card["indicator"], card["name"]))
    n = len(order)
    scale = [[pos / n, colour] for k, colour in enumerate(STATUS_COLOURS.values()) for pos in (k, k + 1)]
    layout = _layout(ui("scorecard_title", period=period), height=160 + 34 * len(units), xaxis={"tickangle": -45})
    return {
        "data": [
            {
                "type": "heatmap",
                "z": z.astype(object).where(z.notna(), None).to_numpy().tolist(),
                "x": [names[i] for i in indicators],
                "y": [unit_names.get(u, u) for u in units],
                "text": text.fillna("").to_numpy().tolist(),
                "texttemplate": "%{text}",
                "colorscale": scale,
                "zmin": -0.5,
                "zmax": n - 0.5,
                "showscale": False,
                "hovertemplate": "%{y} · %{x}: %{text}<extra></extra>",
            }
        ],
        "layout": layout,
    }


def growth_lines(growth: pd.DataFrame, target: float | None = None) -> go.Figure:
    """Natural and mechanical growth rates (‰) by year (fpplan.indicators.growth), the natural-growth limit dashed."""
    fig = go.Figure(layout=_layout(ui("growth_title"), xaxis_title=ui("year"), yaxis_title="‰"))
    for column in ("natural_growth_per_mille", "mechanical_growth_per_mille"):
        fig.add_scatter(x=growth["year"], y=growth[column], mode="lines+markers", name=column_label(column))
    if target is not None:
        fig.add_hline(y=target, line_dash="dot", line_color="#c62828", annotation_text=ui("target"))
    return fig


def township_attention(cards: pd.DataFrame, codes: list[str], names: dict, title: str) -> go.Figure:
    """Red and amber indicators per township (stacked bars), every township shown, in the given order.
    ``cards``: unit, red, amber (booleans per indicator)."""
    counts = cards.groupby("unit")[["red", "amber"]].sum().reindex(codes, fill_value=0)
    fig = go.Figure(layout=_layout(title, barmode="stack", yaxis_title=ui("indicator_count")))
    labels = [names.get(c, c) for c in codes]
    fig.add_bar(x=labels, y=counts["red"].to_numpy(), name=ui("red"), marker_color=STATUS_COLOURS["red"])
    fig.add_bar(x=labels, y=counts["amber"].to_numpy(), name=ui("amber"), marker_color=STATUS_COLOURS["amber"])
    return fig


def _fmt(value: float) -> str:
    return "" if pd.isna(value) else (f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}")


def indicator_trend(series: pd.DataFrame, title: str, target: float | tuple | None = None) -> go.Figure:
    """An indicator's values by period, with its target as a horizontal line (or band)."""
    return go.Figure(indicator_trend_spec(series, title, target))


def indicator_trend_spec(series: pd.DataFrame, title: str, target: float | tuple | None = None) -> dict:
    """``indicator_trend`` as plain plotly JSON (missing values as null)."""
    values = series["value"].astype(float)
    data = [
        {
            "type": "scatter",
            "x": [str(p) for p in series["period"]],
            "y": values.astype(object).where(values.notna(), None).tolist(),
            "mode": "lines+markers",
            "name": title,
        }
    ]
    shapes, annotations = [], []
    if isinstance(target, tuple):
        shapes.append(
            {
                "type": "rect",
                "xref": "x domain",
                "x0": 0,
                "x1": 1,
                "yref": "y",
                "y0": target[0],
                "y1": target[1],
                "fillcolor": "green",
                "opacity": 0.1,
                "line": {"width": 0},
            }
        )
    elif target is not None:
        shapes.append(
            {
                "type": "line",
                "xref": "x domain",
                "x0": 0,
                "x1": 1,
                "yref": "y",
                "y0": target,
                "y1": target,
                "line": {"dash": "dot", "color": "green"},
            }
        )
        annotations.append(
            {
                "xref": "x domain",
                "x": 1,
                "yref": "y",
                "y": target,
                "text": ui("target"),
                "showarrow": False,
                "xanchor": "right",
                "yanchor": "bottom",
            }
        )
    return {"data": data, "layout": _layout(title) | {"shapes": shapes, "annotations": annotations}}


def pyramids(population: pd.DataFrame, codes: list[str], names: dict, year: int, columns: int = 2) -> go.Figure:
    """Population pyramids of several units on one page (``columns`` per row): population with township_code, sex,
    age, drawn by 5-year age group (100+ open); men to the left, women to the right, one shared legend."""
    from plotly.subplots import make_subplots

    rows = -(-len(codes) // columns)
    fig = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=[names.get(c, c) for c in codes],
        horizontal_spacing=0.08,
        vertical_spacing=0.06,
    )
    groups = (population["age"] // 5 * 5).clip(
        upper=100
    )  # 5-year groups: single years are thinner than a printed pixel
    labels = {g: (f"{g}–{g + 4}" if g < 100 else "100+") for g in range(0, 101, 5)}
    grouped = population.assign(age=groups.map(labels))
    order = list(labels.values())
    for k, code in enumerate(codes):
        by = grouped[grouped["township_code"] == code].groupby(["sex", "age"])["population"].sum().unstack("sex")
        by = by.reindex(order).fillna(0.0)
        row, col = k // columns + 1, k % columns + 1
        for bar in _pyramid_bars(by):
            fig.add_bar(orientation="h", hovertemplate=PYRAMID_HOVER, showlegend=k == 0, row=row, col=col, **bar)
        fig.update_xaxes(**mirrored_axis(float(by.abs().to_numpy().max(initial=0.0))), row=row, col=col)
    fig.update_layout(
        **_layout(
            ui("pyramid_title", unit="", year=year).strip(), barmode="overlay", bargap=0.05, height=205 * rows + 60
        )
    )
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=order, tickfont={"size": 8}, nticks=6)
    return fig


def capacity_grid(capacity: pd.DataFrame, stations: list[str], names: dict, columns: int = 2) -> go.Figure:
    """Floor area against need (m²) by year for several stations on one page, one shared legend."""
    from plotly.subplots import make_subplots

    rows = -(-len(stations) // columns)
    fig = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=[names.get(s, s) for s in stations],
        horizontal_spacing=0.1,
        vertical_spacing=0.08,
    )
    for k, station in enumerate(stations):
        c = capacity[capacity["station"] == station]
        row, col = k // columns + 1, k % columns + 1
        fig.add_scatter(
            x=c["year"],
            y=c["floor_area_m2"],
            mode="lines+markers",
            name=ui("capacity"),
            line_shape="hv",
            line_color="#1565c0",
            showlegend=k == 0,
            row=row,
            col=col,
        )
        fig.add_scatter(
            x=c["year"],
            y=c["need_m2"],
            mode="lines",
            name=ui("need"),
            line_dash="dash",
            line_color="#ef6c00",
            showlegend=k == 0,
            row=row,
            col=col,
        )
    fig.update_layout(**_layout(ui("capacity_title", station="").strip("：: "), height=210 * rows + 80))
    fig.update_yaxes(title_text="m²", col=1)
    return fig
