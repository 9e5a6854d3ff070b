"""The demand-survey roll-up of seed 000 §三(一): village returns → township every quarter → county, needs
classed core / main / general / latent; thresholds in config/rules.yaml."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fpplan.indicators import periods


def survey_rollup(county, year: int) -> dict[str, pd.DataFrame]:
    """Village returns → township by quarter → county for the year; needs classed core / main / general / latent
    by their share of all needs reported; common problems per township (needs reported by at least
    ``common_problem_village_share`` of its villages)."""
    rules = county.config["rules"].survey
    survey = county.survey[county.survey["month"].str[:4] == str(year)]
    parent = county.villages().set_index("code")["township_code"]
    survey = survey.assign(township_code=survey["village_code"].map(parent),
                           quarter=periods.of_months(survey["month"], "quarter"))
    township = survey.groupby(["township_code", "quarter", "need"], as_index=False)["count"].sum()
    villages_total = len(county.villages())
    county_needs = survey.groupby("need").agg(count=("count", "sum"), villages=("village_code", "nunique")).reset_index()
    county_needs["village_share"] = county_needs["villages"] / villages_total
    county_needs["count_share"] = county_needs["count"] / county_needs["count"].sum()
    bounds = sorted(rules.classes, key=lambda c: -c.min_count_share)
    county_needs["class"] = np.select([county_needs["count_share"] >= c.min_count_share for c in bounds],
                                      [c.code for c in bounds], default=bounds[-1].code)
    county_needs = county_needs.sort_values("count", ascending=False).reset_index(drop=True)
    per_township = survey.groupby(["township_code", "need"])["village_code"].nunique().rename("villages").reset_index()
    per_township["village_share"] = per_township["villages"] / per_township["township_code"].map(parent.value_counts())
    common = per_township[per_township["village_share"] >= rules.common_problem_village_share]
    return {"township_quarterly": township, "county": county_needs,
            "common_problems": common.sort_values(["township_code", "village_share"], ascending=[True, False]).reset_index(drop=True)}
