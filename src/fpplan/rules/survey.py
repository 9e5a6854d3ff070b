"""The demand-survey roll-up of seed 000 §三(一): the village assistant summarises every month → the township office
every quarter → the county office; needs are classed core / main / general / latent (by their share of all needs
reported in the county in the period), and the common problems (needs raised by most of a township's villages) are
fed back to each township. Thresholds in config/rules.yaml."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fpplan.indicators import periods


def survey_rollup(county, period: int | str) -> dict[str, pd.DataFrame]:
    """The roll-up for ``period`` (a year, or any period id: 2025, 2025S1, 2025Q3, 2025-07):

    - ``village_monthly``: village_code, township_code, month, need, count (the villages' monthly summaries);
    - ``township_quarterly``: township_code, quarter, need, count, villages, class;
    - ``county``: need, count, villages, village_share, count_share, class (sorted by count);
    - ``common_problems``: township_code, need, villages, village_share, class: needs raised by at least
      ``common_problem_village_share`` of the township's villages, to feed back to it."""
    rules = county.config["rules"].survey
    months = periods.parse(str(period))[1]
    parent = county.villages().set_index("code")["township_code"]
    survey = county.survey[county.survey["month"].isin(months)]
    survey = survey.assign(township_code=survey["village_code"].map(parent).to_numpy(),
                           quarter=periods.of_months(survey["month"], "quarter").to_numpy())
    villages_total = len(county.villages())
    county_needs = survey.groupby("need").agg(count=("count", "sum"), villages=("village_code", "nunique")).reset_index()
    county_needs["village_share"] = county_needs["villages"] / villages_total
    county_needs["count_share"] = county_needs["count"] / county_needs["count"].sum()
    bounds = sorted(rules.classes, key=lambda c: -c.min_count_share)
    county_needs["class"] = np.select([county_needs["count_share"] >= c.min_count_share for c in bounds],
                                      [c.code for c in bounds], default=bounds[-1].code)
    county_needs = county_needs.sort_values(["count", "need"], ascending=[False, True]).reset_index(drop=True)
    need_class = county_needs.set_index("need")["class"]
    township = survey.groupby(["township_code", "quarter", "need"]).agg(
        count=("count", "sum"), villages=("village_code", "nunique")).reset_index()
    township["class"] = township["need"].map(need_class)
    per_township = survey.groupby(["township_code", "need"])["village_code"].nunique().rename("villages").reset_index()
    per_township["village_share"] = per_township["villages"] / per_township["township_code"].map(parent.value_counts())
    common = per_township[per_township["village_share"] >= rules.common_problem_village_share]
    common = common.assign(**{"class": common["need"].map(need_class)})
    village = survey[["village_code", "township_code", "month", "need", "count"]].sort_values(
        ["village_code", "month", "need"]).reset_index(drop=True)
    return {"village_monthly": village, "township_quarterly": township, "county": county_needs,
            "common_problems": common.sort_values(["township_code", "village_share", "need"],
                                                  ascending=[True, False, True]).reset_index(drop=True)}
