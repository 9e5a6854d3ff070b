"""领导总览: the leader's overview."""

from __future__ import annotations

import ipywidgets as w

from fpplan.app import figures
from fpplan.app.panels.common import CARD, PLAN_SCENARIO, county, figure_output, model, names, recalculate, title
from fpplan.data.labels import ui
from fpplan.planning import facilities


def overview() -> w.Widget:
    from fpplan.indicators.scorecard import scorecards, status_counts

    c = county()
    result = recalculate(model()["scenarios"][PLAN_SCENARIO])
    totals = result["county"].set_index("year")
    first, last = c.base_year, int(totals.index.max())
    shortage = (result["wisn"]["required"] - result["wisn"]["existing"]).clip(lower=0).groupby(result["wisn"]["year"]).sum()
    gaps = result["capacity"].assign(gap=lambda f: f["gap_m2"].clip(lower=0)).groupby("year")["gap"].sum()
    period = str(c.base_year)
    card = scorecards(c, "township", "year")
    card = card[card["period"] == period]
    county_card = scorecards(c, "county", "year")
    lights = status_counts(county_card[county_card["period"] == period]).iloc[0]
    cards = [
        (ui("population_now", year=first), f"{totals.loc[first, 'population']:,.0f}", "#1565c0"),
        (ui("population_plan", year=last), f"{totals.loc[last, 'population']:,.0f}", "#1565c0"),
        (ui("women_now", year=first), f"{totals.loc[first, 'women_15_49']:,.0f}", "#c2185b"),
        (ui("staff_gap", year=last), f"{shortage.loc[last]:.1f} {ui('persons')}", "#6a1b9a"),
        (ui("area_gap", year=first), f"{gaps.loc[first]:,.0f} m²", "#ef6c00"),
        (ui("funding_gap"), f"{c.construction_plan['subsidy_requested_wan_yuan'].sum():,.0f} {ui('wan_yuan')}", "#c62828"),
        (ui("indicators_met", period=period), f"{lights['green']} / {lights[['green', 'amber', 'red', 'no_data']].sum()}",
         "#2e7d32"),
        (ui("indicators_red_amber", period=period), f"{lights['red']} / {lights['amber']}", "#c62828"),
    ]
    kpis = w.HTML("".join(CARD.format(title=t, value=v, colour=col) for t, v, col in cards))
    summary = result["summary"]
    townships = summary[summary["region"] != c.county_code]
    population = figure_output(figures.lines(townships, "year", "population", "region", ui("population_by_township"), names()))
    counts = status_counts(card).set_index("unit").reindex(c.townships()["code"].rename("unit"), fill_value=0).reset_index()
    attention = figures.status_bars(counts, names(), ui("townships_attention"))
    shortfall = facilities.first_shortfall(result["capacity"], result["plan"]).dropna(subset=["first_short_year"])
    first_short = shortfall.sort_values(["first_short_year", "max_gap_m2"], ascending=[True, False]).iloc[0]
    note = w.HTML("<p style='font-size:15px'>" + ui("first_short_station", station=names()[first_short["station"]],
                                                     year=int(first_short["first_short_year"])) + "</p>")
    return w.VBox([title("app_overview"), kpis, note, w.HBox([population, figure_output(attention)])])
