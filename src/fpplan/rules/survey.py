"""The demand-survey roll-up of seed 000 第五篇 三(一) (关注群众意愿): twice a year, county-wide, through three channels
(config/rules.yaml ``survey``: contents, channels, methods); the village assistant summarises every month → the
township office every quarter → the county office and the county station.

- Classes (核心/主要/一般/潜在需求) are of the YEAR ("对一年来采集到的群众需求信息进行综合分析"): a need takes the first
  class, in the config's order, whose ``min_count_share`` (the need's share of all needs reported in the county in
  the calendar year) and ``min_village_share`` (the share of the county's villages that raised it in the year) it
  reaches both; a roll-up of a quarter or a month shows that period's counts with the class of its year.
- Needs that conflict with law or policy (是否与现行法律法规相抵触: the config's ``conflicts``, each with the law it
  conflicts with) are flagged; the plan never provides for them.
- Common problems: needs raised by at least ``common_problem_village_share`` of a township's villages in the period,
  to feed back to the township.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fpplan.indicators import periods

CLASS_COLUMNS = ["need", "count", "villages", "village_share", "count_share", "class", "conflict"]


def survey_year(period: int | str) -> int:
    """The calendar year a period belongs to (a week spanning two years: the year of its last month)."""
    return int(periods.parse(str(period))[1][-1][:4])


def need_classes(survey: pd.DataFrame, villages_total: int, rules) -> pd.DataFrame:
    """need, count, villages, village_share, count_share, class, conflict: every need of ``survey`` (one year's
    rows: village_code, need, count) classed by the rule of the module docstring; ``rules``: the config's survey
    rules. Sorted by count (largest first), then need."""
    needs = survey.groupby("need").agg(count=("count", "sum"), villages=("village_code", "nunique")).reset_index()
    needs["village_share"] = needs["villages"] / villages_total if villages_total else np.nan
    total = needs["count"].sum()
    needs["count_share"] = needs["count"] / total if total > 0 else 0.0
    meets = [
        (needs["count_share"] >= c.min_count_share - 1e-12) & (needs["village_share"] >= c.min_village_share - 1e-12)
        for c in rules.classes
    ]
    needs["class"] = np.select(meets, [c.code for c in rules.classes], default=rules.classes[-1].code)
    needs["conflict"] = needs["need"].isin(list(rules.conflicts))
    return needs.sort_values(["count", "need"], ascending=[False, True]).reset_index(drop=True)[CLASS_COLUMNS]


def year_classes(county, year: int) -> pd.DataFrame:
    """The county's needs of ``year`` classed (:func:`need_classes`)."""
    survey = county.survey[county.survey["month"].astype(str).str[:4] == str(year)]
    return need_classes(survey, len(county.villages()), county.config["rules"].survey)


def survey_rollup(county, period: int | str) -> dict[str, pd.DataFrame]:
    """The roll-up for ``period`` (a year, or any period id: 2025, 2025S1, 2025Q3, 2025-07):

    - ``village_monthly``: village_code, township_code, month, need, count (the villages' monthly summaries);
    - ``township_quarterly``: township_code, quarter, need, count, villages, class;
    - ``county``: need, count, villages, village_share, count_share (of the period), class (of the period's year),
      conflict (sorted by count);
    - ``common_problems``: township_code, need, villages, village_share, class: needs raised by at least
      ``common_problem_village_share`` of the township's villages, to feed back to it."""
    rules = county.config["rules"].survey
    months = periods.parse(str(period))[1]
    parent = county.villages().set_index("code")["township_code"]
    survey = county.survey[county.survey["month"].isin(months)]
    survey = survey.assign(
        township_code=survey["village_code"].map(parent).to_numpy(),
        quarter=periods.of_months(survey["month"], "quarter").to_numpy(),
    )
    need_class = year_classes(county, survey_year(period)).set_index("need")["class"]
    county_needs = need_classes(survey, len(county.villages()), rules)
    county_needs["class"] = county_needs["need"].map(need_class)
    township = (
        survey.groupby(["township_code", "quarter", "need"])
        .agg(count=("count", "sum"), villages=("village_code", "nunique"))
        .reset_index()
    )
    township["class"] = township["need"].map(need_class)
    per_township = survey.groupby(["township_code", "need"])["village_code"].nunique().rename("villages").reset_index()
    per_township["village_share"] = per_township["villages"] / per_township["township_code"].map(parent.value_counts())
    common = per_township[per_township["village_share"] >= rules.common_problem_village_share]
    common = common.assign(**{"class": common["need"].map(need_class)})
    village = (
        survey[["village_code", "township_code", "month", "need", "count"]]
        .sort_values(["village_code", "month", "need"])
        .reset_index(drop=True)
    )
    return {
        "village_monthly": village,
        "township_quarterly": township,
        "county": county_needs,
        "common_problems": common.sort_values(
            ["township_code", "village_share", "need"], ascending=[True, False, True]
        ).reset_index(drop=True),
    }
